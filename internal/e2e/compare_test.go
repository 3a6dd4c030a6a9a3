package e2e

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// wholeJa and signedJa write an amount as the compare tab's municipality table does: whole yen
// without the unit (1,234), a difference with its sign (+1,234, −5,782 with U+2212, ±0); a
// missing value is —.
func wholeJa(v *float64) string {
	if v == nil {
		return "—"
	}
	return grouped(int64(math.Round(*v)))
}

func signedJa(v *float64) string {
	if v == nil {
		return "—"
	}
	r := math.Round(*v)
	switch {
	case r > 0:
		return "+" + grouped(int64(r))
	case r < 0:
		return "−" + grouped(int64(-r))
	}
	return "±0"
}

type comparisonView struct {
	A, B struct {
		Run   int64  `json:"run"`
		Label string `json:"label"`
	}
	Changes []struct {
		Field string `json:"field"`
		Name  string `json:"name"`
		A     any    `json:"a"`
		B     any    `json:"b"`
	} `json:"changes"`
	Pins []struct {
		Change string `json:"change"`
		Kind   string `json:"kind"`
	} `json:"pins"`
	Municipalities []struct {
		Code       string   `json:"code"`
		Name       string   `json:"name"`
		ShareA     *float64 `json:"share_a"`
		ShareB     *float64 `json:"share_b"`
		ShareDiff  *float64 `json:"share_diff"`
		SavingDiff *float64 `json:"saving_diff"`
		Moved      int      `json:"moved"`
	} `json:"municipalities"`
	ByDepot []struct {
		Depot  string `json:"depot"`
		Left   int    `json:"left"`
		Joined int    `json:"joined"`
	} `json:"moves_by_depot"`
	MovedCount int `json:"moved_count"`
}

// TestCompareFromPage: solve the demo, then take 平群町 (29342) out and lock one lot, solve again,
// and compare the two runs on the compare tab. The page labels both runs as the API does, lists
// what differs (平群町's participation, the pin added), shows every municipality's shares and
// the share and saving differences exactly as the API computes them (平群町 only in A: — in B), counts the
// moves by depot, and highlights on the map exactly the assets whose depot changed — until the
// tab is left, and again when it is shown.
func TestCompareFromPage(t *testing.T) {
	s := startServer(t)
	tb := openPage(t, s)
	first := solvePinned(t, s, tb)
	runA := fmt.Sprint(tb.stats(t).Run)

	tb.click(t, "#tab-scenario")
	tb.click(t, "#participation summary")
	tb.waitFor(t, `document.getElementById('participation').open`)
	tb.click(t, "#part-29342")
	tb.waitFor(t, `document.getElementById('nonparticipants').textContent === '平群町'`)
	// lock a lot without 平群町's assets (ids 29342-…): the lock stays valid with 平群町 out
	locked := ""
	for _, b := range first.Bundles {
		if !strings.Contains(strings.Join(b.Assets, ","), "29342-") && locked == "" {
			locked = b.Depot
		}
	}
	if locked == "" {
		t.Fatal("every lot holds an asset of 平群町")
	}
	tb.click(t, "#tab-results")
	tb.click(t, fmt.Sprintf(`#bundles-table button.pin-lock[data-depot=%q]`, locked))
	tb.waitFor(t, `window.tabane.stats().pins === 1`)
	solvePinned(t, s, tb)
	runB := fmt.Sprint(tb.stats(t).Run)

	tb.click(t, "#tab-compare")
	tb.waitFor(t, fmt.Sprintf(`[...document.getElementById('cmp-b').options].some((o) => o.value === %q)`, runB))
	tb.eval(t, fmt.Sprintf(`(() => { document.getElementById('cmp-a').value = %q; document.getElementById('cmp-b').value = %q; })()`, runA, runB), nil)
	tb.click(t, "#cmp-go")
	tb.waitFor(t, `!document.getElementById('cmp-out').hidden`)

	var c comparisonView
	if code := s.do(t, "GET", "/api/v1/runs/"+runA+"/compare/"+runB, nil, &c); code != 200 {
		t.Fatalf("compare: %d", code)
	}
	if c.MovedCount == 0 || len(c.Municipalities) == 0 {
		t.Fatalf("the comparison shows nothing: %+v", c)
	}
	for side, want := range map[string]string{"A": c.A.Label, "B": c.B.Label} {
		if got := tb.textOf(t, fmt.Sprintf(`#cmp-labels li[data-side=%q] .cmp-label`, side)); got != want || !strings.HasSuffix(got, "#"+map[string]string{"A": runA, "B": runB}[side]) {
			t.Errorf("label of %s %q, want %q (the API's, ending in the run's number)", side, got, want)
		}
	}
	if got := tb.textOf(t, `#cmp-diffs li[data-field="municipalities.29342.participates"]`); got != "平群町 の参加: あり → なし" {
		t.Errorf("participation difference shown as %q", got)
	}
	if got := tb.textOf(t, `#cmp-diffs li[data-pin="added"]`); !strings.HasPrefix(got, "固定を追加: ") || !strings.Contains(got, "のロットを固定") {
		t.Errorf("pin difference shown as %q", got)
	}
	if len(c.Pins) != 1 || c.Pins[0].Change != "added" || c.Pins[0].Kind != "lot" {
		t.Errorf("the API's pin differences %+v, want one lot added", c.Pins)
	}

	// Every municipality's row, cell by cell, as the API computed it.
	var rows [][]string
	tb.eval(t, `[...document.querySelectorAll('#cmp-munis tbody tr')].map((tr) => [tr.dataset.code, ...[...tr.cells].map((c) => c.textContent)])`, &rows)
	if len(rows) != len(c.Municipalities) {
		t.Fatalf("%d municipality rows, the API has %d", len(rows), len(c.Municipalities))
	}
	sawHeguri := false
	for i, m := range c.Municipalities {
		want := []string{m.Code, m.Name, wholeJa(m.ShareA), wholeJa(m.ShareB), signedJa(m.ShareDiff),
			signedJa(m.SavingDiff), grouped(int64(m.Moved))}
		if strings.Join(rows[i], "|") != strings.Join(want, "|") {
			t.Errorf("row %d\n got %q\nwant %q", i, rows[i], want)
		}
		if m.Code == "29342" {
			sawHeguri = true
			if m.ShareB != nil || rows[i][3] != "—" || m.Moved == 0 {
				t.Errorf("平群町 takes no part in B: share B %v (shown %q), moved %d", m.ShareB, rows[i][3], m.Moved)
			}
		}
	}
	if !sawHeguri {
		t.Error("no row for 平群町")
	}
	var depotRows int
	tb.eval(t, `document.querySelectorAll('#cmp-by-depot tbody tr').length`, &depotRows)
	left := 0
	for _, d := range c.ByDepot {
		left += d.Left
	}
	if depotRows != len(c.ByDepot) || left > c.MovedCount {
		t.Errorf("%d depot rows (API %d), %d assets left a depot of %d moved", depotRows, len(c.ByDepot), left, c.MovedCount)
	}
	if got := tb.textOf(t, "#cmp-count"); got != grouped(int64(c.MovedCount)) {
		t.Errorf("moved count %q, want %d", got, c.MovedCount)
	}
	var href string
	tb.eval(t, `document.getElementById('cmp-csv').getAttribute('href')`, &href)
	if want := "/api/v1/runs/" + runA + "/compare/" + runB + "?format=csv&bom=true"; href != want {
		t.Errorf("CSV link %q, want %q", href, want)
	}
	tb.screenshot(t, "compare-council")

	marked := func() int {
		var n int
		tb.eval(t, `window.tabane.stats().marked_assets`, &n)
		return n
	}
	if n := marked(); n != c.MovedCount {
		t.Errorf("%d assets highlighted, %d changed depot", n, c.MovedCount)
	}
	tb.click(t, "#tab-results")
	if n := marked(); n != 0 {
		t.Errorf("%d assets still highlighted after leaving the compare tab", n)
	}
	tb.click(t, "#tab-compare")
	if n := marked(); n != c.MovedCount {
		t.Errorf("back on the compare tab: %d assets highlighted, want %d", n, c.MovedCount)
	}

	// 複製して新規 copies the scenario with its pin (the locked lot) and 平群町 still out.
	tb.click(t, "#tab-scenario")
	before := fmt.Sprint(tb.stats(t).Scenario)
	tb.click(t, "#scenario-new")
	tb.waitFor(t, fmt.Sprintf(`String(window.tabane.stats().scenario) !== %q && window.tabane.stats().pins === 1`, before))
	copyID := fmt.Sprint(tb.stats(t).Scenario)
	var pins struct {
		Lots []struct {
			Depot  string `json:"depot"`
			Closed bool   `json:"closed"`
		} `json:"lots"`
	}
	if code := s.do(t, "GET", "/api/v1/scenarios/"+copyID+"/pins", nil, &pins); code != 200 || len(pins.Lots) != 1 || pins.Lots[0].Depot != locked || !pins.Lots[0].Closed {
		t.Errorf("the copy's pins: %d %+v, want the lot of %s locked", code, pins, locked)
	}
	if got := participation(t, s, copyID); got["29342"] {
		t.Error("the copy takes 平群町 back in")
	}
	tb.noProblems(t)
}
