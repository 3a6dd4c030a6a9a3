package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

type planJSON struct {
	Bundles []struct {
		ID     string   `json:"id"`
		Assets []string `json:"assets"`
	} `json:"bundles"`
	Cost            float64 `json:"cost"`
	StandaloneTotal float64 `json:"standalone_total"`
}

type runJSON struct {
	ID       any    `json:"id"`
	Status   string `json:"status"`
	Progress struct {
		BestCost float64 `json:"best_cost"`
	} `json:"progress"`
}

// yenJa formats like the page does in Japanese: digits grouped by thousands, then " 円".
func yenJa(v float64) string { return grouped(int64(math.Round(v))) + " 円" }

// grouped writes an integer with thousands separators, as Intl.NumberFormat('ja-JP') does.
func grouped(v int64) string {
	s := fmt.Sprintf("%d", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// solveFromPage presses Solve with the given time limit and waits until the run's results fill
// the tables; it returns the run id the page shows.
func solveFromPage(t *testing.T, tb *tab, timeLimit string) string {
	t.Helper()
	var prev string
	tb.eval(t, `String(window.tabane.stats().run)`, &prev)
	tb.run(t, chromedp.SetValue("#f-time", timeLimit, chromedp.ByQuery))
	tb.click(t, "#solve")
	tb.waitFor(t, fmt.Sprintf(`(() => { const s = window.tabane.stats();
		return !s.solving && s.run !== null && String(s.run) !== %q && s.bundles_rows > 0 && s.municipality_rows > 0; })()`, prev))
	var id string
	tb.eval(t, `String(window.tabane.stats().run)`, &id)
	return id
}

// TestSolveFromPage: Solve on the page runs the solver on the server, the progress arrives, and
// both tables fill with exactly the plan and the shares the API reports; the tables and the map are
// linked both ways; a second solve with a tighter limit can be compared with the first.
func TestSolveFromPage(t *testing.T) {
	s := startServer(t)
	tb := openPage(t, s)

	runID := solveFromPage(t, tb, "2")
	var run runJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID, nil, &run); code != 200 || run.Status != "done" {
		t.Fatalf("run %s: %d %q", runID, code, run.Status)
	}
	var plan planJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/plan", nil, &plan); code != 200 {
		t.Fatalf("plan: %d", code)
	}
	var shares struct {
		Items []map[string]any `json:"items"`
	}
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/shares", nil, &shares); code != 200 {
		t.Fatalf("shares: %d", code)
	}
	st := tb.stats(t)
	if st.BundlesRows != len(plan.Bundles) || st.MunicipalityRows != len(shares.Items) || st.Outlines != len(plan.Bundles) {
		t.Errorf("page shows %d bundle rows, %d municipality rows, %d outlines; the API has %d bundles and %d shares",
			st.BundlesRows, st.MunicipalityRows, st.Outlines, len(plan.Bundles), len(shares.Items))
	}
	inPlan := 0
	for _, b := range plan.Bundles {
		inPlan += len(b.Assets)
	}
	if st.AssetsInBundles != inPlan {
		t.Errorf("%d assets coloured by bundle, the plan holds %d", st.AssetsInBundles, inPlan)
	}
	if got := tb.textOf(t, "#t-plan"); got != yenJa(plan.Cost) {
		t.Errorf("plan cost shown %q, want %q", got, yenJa(plan.Cost))
	}
	if got := tb.textOf(t, "#t-standalone"); got != yenJa(plan.StandaloneTotal) {
		t.Errorf("standalone total shown %q, want %q", got, yenJa(plan.StandaloneTotal))
	}
	if got := tb.textOf(t, "#p-status"); got != "完了" {
		t.Errorf("progress status %q, want 完了", got)
	}
	if got := tb.textOf(t, "#bundles-table tbody tr th"); !strings.Contains(got, plan.Bundles[0].ID) {
		t.Errorf("first bundle row %q, want %s", got, plan.Bundles[0].ID)
	}
	tb.screenshot(t, "solved")

	// Exports: the links fetch the plan as GeoJSON and CSV.
	for sel, ctype := range map[string]string{"#exp-geojson": "geo+json", "#exp-csv": "text/csv"} {
		var href string
		tb.eval(t, `document.querySelector('`+sel+`').href`, &href)
		res, err := client.Get(href)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), ctype) || !strings.Contains(href, "/runs/"+runID+"/plan.") {
			t.Errorf("export %s → %s: %d %q", sel, href, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	// The printable summary: in print media the controls go, the results and the map stay.
	tb.run(t, emulation.SetEmulatedMedia().WithMedia("print"))
	var printed struct {
		Header, Tabs, Results, Map, Title string
	}
	tb.eval(t, `({header: getComputedStyle(document.querySelector('header.top')).display,
		tabs: getComputedStyle(document.querySelector('.tabs')).display,
		results: getComputedStyle(document.getElementById('pane-results')).display,
		map: getComputedStyle(document.getElementById('map')).display,
		title: getComputedStyle(document.getElementById('print-head')).display})`, &printed)
	if printed.Header != "none" || printed.Tabs != "none" || printed.Results == "none" || printed.Map == "none" || printed.Title == "none" {
		t.Errorf("print layout: %+v", printed)
	}
	tb.waitFor(t, `document.getElementById('print-meta').textContent.startsWith('シナリオ')`)
	tb.screenshot(t, "print-summary")
	var pdf []byte
	tb.run(t, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPrintBackground(true).Do(ctx)
		return err
	}))
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("printing gave %d bytes that are not a PDF", len(pdf))
	} else if err := os.WriteFile(filepath.Join("..", "..", "screenshots", "summary.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	tb.run(t, emulation.SetEmulatedMedia().WithMedia(""))

	// Table → map: a row click selects the bundle and highlights it on the map.
	last := plan.Bundles[len(plan.Bundles)-1].ID
	tb.click(t, fmt.Sprintf(`#bundles-table tbody tr[data-bundle="%s"]`, last))
	tb.waitFor(t, fmt.Sprintf(`window.tabane.stats().highlighted_bundle === %q`, last))
	if got := tb.textOf(t, "#bundles-table tbody tr.selected th"); !strings.Contains(got, last) {
		t.Errorf("selected row %q, want %s", got, last)
	}

	// Map → table: clicking an asset drawn on the canvas selects the row of its bundle.
	bundleOf := map[string]string{}
	for _, b := range plan.Bundles {
		for _, a := range b.Assets {
			bundleOf[a] = b.ID
		}
	}
	target := awayFromDepots(t, s, plan.Bundles[0].Assets)
	var pt *struct{ X, Y float64 }
	tb.eval(t, fmt.Sprintf(`window.tabane.focusAsset(%q, 18)`, target), &pt)
	if pt == nil {
		t.Fatalf("the page has no asset %s", target)
	}
	tb.run(t, chromedp.MouseClickXY(pt.X, pt.Y))
	tb.waitFor(t, `document.querySelector('.leaflet-popup') !== null`)
	var isAsset bool
	tb.eval(t, `document.querySelector('.leaflet-popup .asset-popup') !== null`, &isAsset)
	if !isAsset {
		t.Fatalf("clicking asset %s opened another popup: %q", target, tb.textOf(t, ".leaflet-popup"))
	}
	clicked := tb.textOf(t, ".asset-popup dl.kv dd") // the first attribute is the id
	want, ok := bundleOf[clicked]
	if !ok {
		t.Fatalf("the popup shows asset %q, which is in no bundle", clicked)
	}
	tb.waitFor(t, fmt.Sprintf(`window.tabane.stats().selected_bundle === %q`, want))
	if got := tb.textOf(t, ".asset-popup .bundle-line button"); got != want {
		t.Errorf("popup bundle %q, want %q", got, want)
	}
	tb.screenshot(t, "asset-selected")

	// Relax a limit (the first plan stays feasible), solve again, compare the two runs.
	tb.click(t, "#tab-scenario")
	tb.run(t, chromedp.SetValue("#f-max-value", "120000000", chromedp.ByQuery))
	run2 := solveFromPage(t, tb, "2")
	var sc struct {
		Params struct {
			Limits map[string]float64 `json:"limits"`
		} `json:"params"`
	}
	var scID string
	tb.eval(t, `String(window.tabane.stats().scenario)`, &scID)
	if code := s.do(t, "GET", "/api/v1/scenarios/"+scID, nil, &sc); code != 200 || sc.Params.Limits["max_value"] != 120000000 {
		t.Errorf("scenario %s after the edit: %d, max_value %v, want 120000000", scID, code, sc.Params.Limits["max_value"])
	}
	tb.click(t, "#tab-compare")
	tb.run(t,
		chromedp.SetValue("#cmp-a", runID, chromedp.ByQuery),
		chromedp.SetValue("#cmp-b", run2, chromedp.ByQuery))
	tb.click(t, "#cmp-go")
	tb.waitFor(t, `!document.getElementById('cmp-out').hidden`)
	var cmp struct {
		Moved      []map[string]any `json:"moved"`
		MovedCount int              `json:"moved_count"`
	}
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/compare/"+run2, nil, &cmp); code != 200 {
		t.Fatalf("compare: %d", code)
	}
	if got := tb.textOf(t, "#cmp-count"); got != grouped(int64(cmp.MovedCount)) {
		t.Errorf("moved count shown %q, the API says %d", got, cmp.MovedCount)
	}
	var rows int
	tb.eval(t, `document.querySelectorAll('#cmp-moved tbody tr').length`, &rows)
	if rows != min(len(cmp.Moved), 2000) {
		t.Errorf("%d moved rows, the API lists %d", rows, len(cmp.Moved))
	}
	tb.screenshot(t, "compared")
	tb.noProblems(t)
}

// awayFromDepots picks, of the given assets, the one farthest from every depot, so that a click on
// its point cannot land on a depot's marker drawn above it.
func awayFromDepots(t *testing.T, s *server, ids []string) string {
	t.Helper()
	var assets, depots featureCollection
	if code := s.do(t, "GET", "/api/v1/assets?format=geojson", nil, &assets); code != 200 {
		t.Fatalf("assets GeoJSON: %d", code)
	}
	if code := s.do(t, "GET", "/api/v1/depots?format=geojson", nil, &depots); code != 200 {
		t.Fatalf("depots GeoJSON: %d", code)
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	best, bestD := "", -1.0
	for _, a := range assets.Features {
		id, _ := a.Properties["id"].(string)
		ac := point(a.Geometry.Coordinates)
		if !want[id] || ac == nil {
			continue
		}
		d := math.Inf(1)
		for _, dp := range depots.Features {
			if dc := point(dp.Geometry.Coordinates); dc != nil {
				d = math.Min(d, math.Hypot(ac[0]-dc[0], ac[1]-dc[1]))
			}
		}
		if d > bestD {
			best, bestD = id, d
		}
	}
	if best == "" {
		t.Fatalf("none of the %d assets of the bundle is in the assets GeoJSON", len(ids))
	}
	return best
}
