package e2e

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// lotsJSON is GET /api/v1/runs/{id}/lots.
type lotsJSON struct {
	Items []struct {
		Lot        string   `json:"lot"`
		FarthestKm float64  `json:"farthest_km"`
		OutlineKm2 float64  `json:"outline_km2"`
		Regions    []string `json:"regions"`
		Overlaps   []struct {
			Lot string `json:"lot"`
		} `json:"overlaps"`
	} `json:"items"`
	Crossing    int `json:"crossing"`
	Overlapping int `json:"overlapping"`
}

// oneDecimal writes x as the page's figure(x, 1) does in Japanese: at most one decimal, no
// trailing zero, thousands grouped.
func oneDecimal(x float64) string {
	r := math.Round(x*10) / 10
	whole := grouped(int64(math.Trunc(r)))
	if frac := int64(math.Round(math.Abs(r-math.Trunc(r)) * 10)); frac != 0 {
		return whole + "." + strconv.FormatInt(frac, 10)
	}
	return whole
}

// lotCells are the lot table's spread and overlap cells by lot: farthest, area, overlap mark.
func lotCells(t *testing.T, tb *tab) map[string][3]string {
	t.Helper()
	var rows [][]string
	tb.eval(t, `[...document.querySelectorAll('#bundles-table tbody tr')].map((r) =>
		[r.dataset.bundle, ...[...r.querySelectorAll('td.lots-col')].map((c) => c.textContent)])`, &rows)
	out := map[string][3]string{}
	for _, r := range rows {
		if len(r) != 4 {
			t.Fatalf("lot row %v: want the lot and three spread cells", r)
		}
		out[r[0]] = [3]string{r[1], r[2], r[3]}
	}
	return out
}

// TestLotsFromPage: a first visit plans the demo's default scenario, region_locked, and says
// so; its solve gives lots that each stay inside one area (the API's plan agrees), every lot is
// labelled on the map, municipality names appear from zoom 10, the lot table shows each lot's
// farthest asset and outline area as the API computes them, and the price of lifting the lock
// (the counterpart run solved by itself) is written. Then a scenario whose pins force two lots
// to interleave: both are marked as overlapping, in the table and the notes.
func TestLotsFromPage(t *testing.T) {
	s := startServer(t)
	tb := openPage(t, s)

	var scID string
	tb.eval(t, `String(window.tabane.stats().scenario)`, &scID)
	var sc struct {
		Name   string `json:"name"`
		Params struct {
			RegionLocked bool `json:"region_locked"`
		} `json:"params"`
	}
	if code := s.do(t, "GET", "/api/v1/scenarios/"+scID, nil, &sc); code != 200 || !sc.Params.RegionLocked ||
		sc.Name != "デモ既定：5地域内 / Demo default: within the 5 areas" {
		t.Fatalf("first visit: scenario %s %q region_locked %v (%d); want the demo default, locked", scID, sc.Name, sc.Params.RegionLocked, code)
	}
	var checked bool
	tb.eval(t, `document.getElementById('f-region-lock').checked`, &checked)
	if got, want := tb.textOf(t, "#lock-note"), "各ロットは慣行の地域（北和、西和、中和、東和、南和）の中に収めます。チェックを外すと地域をまたぐ契約を認めます。"; !checked || got != want {
		t.Errorf("lock switch checked %v, note %q; want checked, %q", checked, got, want)
	}

	runID := solveFromPage(t, tb, "2")
	var plan struct {
		Bundles []struct {
			ID      string   `json:"id"`
			Regions []string `json:"regions"`
		} `json:"bundles"`
	}
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/plan", nil, &plan); code != 200 || len(plan.Bundles) == 0 {
		t.Fatalf("plan of run %s: %d, %d lots", runID, code, len(plan.Bundles))
	}
	for _, b := range plan.Bundles {
		if len(b.Regions) != 1 {
			t.Errorf("lot %s holds assets of %v: the default plan must keep each lot inside one area", b.ID, b.Regions)
		}
	}
	var lots lotsJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/lots", nil, &lots); code != 200 || lots.Crossing != 0 || len(lots.Items) != len(plan.Bundles) {
		t.Fatalf("lots of run %s: %d, %d crossing, %d lots", runID, code, lots.Crossing, len(lots.Items))
	}
	tb.waitFor(t, `document.querySelectorAll('#bundles-table tbody td.lots-col').length > 0 &&
		!document.querySelector('#bundles-table tbody td.lots-col').textContent.includes('…')`)
	cells := lotCells(t, tb)
	for _, l := range lots.Items {
		want := [3]string{oneDecimal(l.FarthestKm), oneDecimal(l.OutlineKm2), ""}
		if len(l.Overlaps) > 0 {
			var with []string
			for _, o := range l.Overlaps {
				with = append(with, o.Lot)
			}
			want[2] = "⚠ " + strings.Join(with, "、")
		}
		if cells[l.Lot] != want {
			t.Errorf("lot %s: cells %q, want %q", l.Lot, cells[l.Lot], want)
		}
	}
	if got := tb.textOf(t, "#lots-crossing"); got != "どのロットも1つの地域の中に収まっています。" {
		t.Errorf("crossing note %q", got)
	}

	// Labels: one per lot, its id; municipality names only from zoom 10.
	var labels []string
	tb.eval(t, `[...document.querySelectorAll('#map .lot-label')].map((e) => e.textContent)`, &labels)
	var ids []string
	for _, b := range plan.Bundles {
		ids = append(ids, b.ID)
	}
	for i, l := range labels {
		labels[i] = strings.TrimSuffix(l, " ⚠")
	}
	sort.Strings(labels)
	sort.Strings(ids)
	if strings.Join(labels, ",") != strings.Join(ids, ",") {
		t.Errorf("lot labels %v, want the lots %v", labels, ids)
	}
	var zoomed struct {
		Before int      `json:"before"`
		After  int      `json:"after"`
		Names  []string `json:"names"`
	}
	tb.eval(t, `(async () => {
		const m = window.tabane.map();
		m.setZoom(9, { animate: false });
		const before = document.querySelectorAll('#map .muni-label').length;
		m.setZoom(10, { animate: false });
		const names = [...document.querySelectorAll('#map .muni-label')].map((e) => e.textContent);
		return { before, after: names.length, names };
	})()`, &zoomed)
	if zoomed.Before != 0 || zoomed.After != 39 || !containsAll(zoomed.Names, "奈良市", "十津川村", "曽爾村") {
		t.Errorf("municipality labels: %d at zoom 9, %d at zoom 10 (%v); want 0 and 39", zoomed.Before, zoomed.After, zoomed.Names)
	}

	// The price of the lock: the counterpart solves the same instance unlocked.
	tb.waitFor(t, `window.tabane.stats().lock_price !== null`)
	var price struct {
		Cost            float64            `json:"cost"`
		Counterpart     struct{ ID int64 } `json:"counterpart"`
		CounterpartCost float64            `json:"counterpart_cost"`
		LiftingSaves    *float64           `json:"lifting_saves"`
	}
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/lock-price", nil, &price); code != 200 || price.LiftingSaves == nil {
		t.Fatalf("lock-price of run %s: %d, lifting_saves %v", runID, code, price.LiftingSaves)
	}
	want := "地域をまたぐ契約を認めても、同じ計算時間では安い計画は見つかりませんでした。"
	if *price.LiftingSaves > 0 {
		want = "地域をまたぐ契約を認めると " + yenJa(*price.LiftingSaves) + "安くなります。"
	}
	if got := tb.textOf(t, "#lock-price strong"); got != want {
		t.Errorf("lock price %q, want %q", got, want)
	}
	if got, want := tb.textOf(t, "#lock-price"), want+" 地域内 "+yenJa(price.Cost)+"、地域をまたぐ場合 "+yenJa(price.CounterpartCost)+
		fmt.Sprintf("（比較用の計算 run #%d）", price.Counterpart.ID); got != want {
		t.Errorf("lock price line %q, want %q", got, want)
	}
	var shown string
	tb.eval(t, `String(window.tabane.stats().run)`, &shown)
	if shown != runID {
		t.Errorf("the page shows run %s after the counterpart, want %s", shown, runID)
	}
	tb.screenshot(t, "lots")

	// The same in English: "lifting the area lock saves ¥X".
	tb.click(t, "#lang-toggle")
	tb.waitFor(t, `window.tabane.stats().lang === 'en'`)
	wantEn := "Lifting the area lock found no cheaper plan in the same time."
	if *price.LiftingSaves > 0 {
		wantEn = "Lifting the area lock saves ¥" + grouped(int64(math.Round(*price.LiftingSaves))) + "."
	}
	if got := tb.textOf(t, "#lock-price strong"); got != wantEn {
		t.Errorf("English lock price %q, want %q", got, wantEn)
	}
	if got, want := tb.textOf(t, "#lock-note"), "Each lot stays inside one customary area (北和, 西和, 中和, 東和, 南和). Untick to allow lots across areas."; got != want {
		t.Errorf("English lock note %q, want %q", got, want)
	}
	tb.click(t, "#lang-toggle")
	tb.waitFor(t, `window.tabane.stats().lang === 'ja'`)

	overlapScenario(t, s)
	tb.noProblems(t)
}

func containsAll(list []string, want ...string) bool {
	have := map[string]bool{}
	for _, x := range list {
		have[x] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

// overlapScenario: four basin towns without limits, where a closed pin takes the bridges of
// 平群町 and 三郷町 in alternation (west to east) into the lots of their two town halls, so that
// the two lots' outlines must overlap; a new tab selects it and solves. Both lots are marked,
// the notes list one line per overlapping pair.
func overlapScenario(t *testing.T, s *server) {
	t.Helper()
	var sc struct {
		ID int64 `json:"id"`
	}
	if code := s.do(t, "POST", "/api/v1/scenarios", map[string]any{"name": "overlap", "fiscal_year": 2027,
		"params": map[string]any{"limits": map[string]any{}, "region_locked": false},
		"filter": map[string]any{"municipalities": []string{"29342", "29343", "29344", "29345"}}}, &sc); code != 201 {
		t.Fatalf("create the overlap scenario: %d", code)
	}
	var inst struct {
		Assets []struct {
			ID           string  `json:"id"`
			Municipality string  `json:"municipality"`
			Lon          float64 `json:"lon"`
		} `json:"assets"`
	}
	if code := s.do(t, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst); code != 200 {
		t.Fatalf("instance: %d", code)
	}
	var pick []int
	for i, a := range inst.Assets {
		if a.Municipality == "29342" || a.Municipality == "29343" {
			pick = append(pick, i)
		}
	}
	sort.Slice(pick, func(i, j int) bool { return inst.Assets[pick[i]].Lon < inst.Assets[pick[j]].Lon })
	var west, east []string
	for k, i := range pick {
		if k%2 == 0 {
			west = append(west, inst.Assets[i].ID)
		} else {
			east = append(east, inst.Assets[i].ID)
		}
	}
	if len(west) < 3 || len(east) < 3 {
		t.Fatalf("%d and %d bridges to interleave: too few", len(west), len(east))
	}
	if code := s.do(t, "PUT", fmt.Sprintf("/api/v1/scenarios/%d/pins", sc.ID), map[string]any{"lots": []map[string]any{
		{"depot": "office-29342", "assets": west, "closed": true},
		{"depot": "office-29343", "assets": east, "closed": true}}}, nil); code != 200 {
		t.Fatalf("pins: %d", code)
	}

	tb := openPage(t, s)
	tb.eval(t, fmt.Sprintf(`(() => { const s = document.getElementById('scenario-select');
		s.value = '%d'; s.dispatchEvent(new Event('change')); return true; })()`, sc.ID), nil)
	tb.waitFor(t, fmt.Sprintf(`window.tabane.stats().scenario === %d`, sc.ID))
	runID := solveFromPage(t, tb, "1")
	var lots lotsJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/lots", nil, &lots); code != 200 || lots.Overlapping < 2 {
		t.Fatalf("lots of the pinned run %s: %d, %d overlapping; want at least the two pinned lots", runID, code, lots.Overlapping)
	}
	tb.waitFor(t, `window.tabane.stats().lots_overlapping !== null`)
	var st struct {
		Overlapping int `json:"lots_overlapping"`
	}
	tb.eval(t, `window.tabane.stats()`, &st)
	cells := lotCells(t, tb)
	pairs := 0
	for _, l := range lots.Items {
		var with []string
		for _, o := range l.Overlaps {
			with = append(with, o.Lot)
			pairs++
		}
		if len(with) > 0 && cells[l.Lot][2] != "⚠ "+strings.Join(with, "、") {
			t.Errorf("lot %s: overlap cell %q, want ⚠ %s", l.Lot, cells[l.Lot][2], strings.Join(with, "、"))
		}
	}
	var notes []string
	tb.eval(t, `[...document.querySelectorAll('#lots-overlaps li')].map((e) => e.textContent)`, &notes)
	if st.Overlapping != lots.Overlapping || len(notes) != pairs/2 {
		t.Errorf("page: %d overlapping lots, %d notes; the API has %d lots and %d pairs", st.Overlapping, len(notes), lots.Overlapping, pairs/2)
	}
	for _, n := range notes {
		if !strings.Contains(n, " の範囲が ") || !strings.Contains(n, "km² 重なっています: ") {
			t.Errorf("overlap note %q does not say which lots overlap by how much and why", n)
		}
	}
	var marked int
	tb.eval(t, `document.querySelectorAll('#map .lot-label.overlap').length`, &marked)
	if marked != lots.Overlapping {
		t.Errorf("%d lot labels marked as overlapping on the map, want %d", marked, lots.Overlapping)
	}
	tb.screenshot(t, "lots-overlap")
	tb.noProblems(t)
}
