package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// TestProgrammeRun: a five-year programme scenario on the demo's four basin towns, run
// through the job queue like a one-year run; /years adds up to the plan's cost and its
// inspections, each year's /budgets shares add up to that year's value, the CSV has a
// BOM and the English header, and plan.geojson and plan.csv carry each asset's year.
func TestProgrammeRun(t *testing.T) {
	srv, store, _ := planningServer(t)
	const capValue = 400_000_000.0
	// FY2026: 1 yen, surely broken (an inspection due in the first year cannot move).
	budget29343 := []float64{1, 20_000_000, 20_000_000, 20_000_000, 20_000_000}
	sc := createScenario(t, srv, map[string]any{
		"name":   "basin programme",
		"filter": map[string]any{"municipalities": smallFilter},
		"programme": map[string]any{"first_fy": 2026, "years": 5, "advance_max_years": 1,
			"year_limits": map[string]any{"max_value": capValue},
			// 奈良市 is left out by the filter: its budget caps nothing and is dropped.
			"budgets": map[string]any{"293431": budget29343, "29342": 50_000_000, "29201": 1}},
	})
	// fiscal_year defaults to first_fy; the 6-digit code is stored as 5 digits.
	if sc.FiscalYear != 2026 || sc.Programme == nil || *sc.Programme.Years != 5 || *sc.Programme.AdvanceMaxYears != 1 {
		t.Fatalf("scenario %+v", sc)
	}
	if _, ok := sc.Programme.Budgets["29343"]; !ok || len(sc.Programme.Budgets) != 3 {
		t.Errorf("budgets %v, want codes 29201, 29342 and 29343", sc.Programme.Budgets)
	}
	var got data.Scenario
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), nil, &got)
	wantStatus(t, "get scenario", resp, raw, 200)
	if !bytes.Equal(mustJSON(t, got.Programme), mustJSON(t, sc.Programme)) {
		t.Errorf("GET programme %s, created %s", mustJSON(t, got.Programme), mustJSON(t, sc.Programme))
	}

	// The instance: version 2, every asset of the four towns with its last inspection.
	var inst solver.Instance
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)
	wantStatus(t, "instance", resp, raw, 200)
	due := map[string]int{} // docs/programme.md: last + 5, or 2026 when earlier
	total := 0
	for _, code := range smallFilter {
		inventory, n, err := store.Assets(t.Context(), data.AssetFilter{Municipality: code})
		if err != nil {
			t.Fatal(err)
		}
		total += n
		for _, a := range inventory {
			due[a.ID] = max(2026, *a.LastInspectionFY+5)
		}
	}
	if inst.Version != 2 || inst.Programme == nil || inst.Name != fmt.Sprintf("scenario-%d-fy2026-2030", sc.ID) ||
		len(inst.Assets) != total || total < 40 {
		t.Fatalf("instance %s version %d: %d assets, the towns have %d", inst.Name, inst.Version, len(inst.Assets), total)
	}
	if _, ok := inst.Programme.Budgets["29201"]; ok || len(inst.Programme.Budgets) != 2 {
		t.Errorf("instance budgets %v, want 29342 and 29343 only", inst.Programme.Budgets)
	}

	// Before any run: the standalone baseline, municipality × year, of the assets due.
	var alone standaloneBody
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/standalone", sc.ID), nil, &alone)
	wantStatus(t, "standalone", resp, raw, 200)
	dueIn := map[string]int{} // "29342/2026" → assets due
	for id, y := range due {
		dueIn[id[:5]+"/"+strconv.Itoa(y)]++
	}
	if alone.FirstFY != 2026 || alone.Years != 5 || len(alone.Rows) != 4*5 {
		t.Fatalf("standalone %s", raw)
	}
	for i, r := range alone.Rows {
		if r.Municipality != smallFilter[i/5] || r.FY != 2026+i%5 || r.Assets != dueIn[r.Municipality+"/"+strconv.Itoa(r.FY)] ||
			(r.Standalone > 0) != (r.Assets > 0) || r.Name == "" {
			t.Errorf("standalone row %d %+v: want %s FY%d with %d assets due", i, r, smallFilter[i/5], 2026+i%5,
				dueIn[smallFilter[i/5]+"/"+strconv.Itoa(2026+i%5)])
		}
	}

	run := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 2, "seed": 3, "max_iterations": 20})
	final := doneRun(t, follow(t, srv, run.ID))
	if final.Status != data.RunDone || !final.HasPlan || !final.Programme || final.Summary == nil || final.Progress == nil || final.Progress.Phase != "done" {
		t.Fatalf("final run %+v", final)
	}
	var plan solver.ProgrammeSolveReport
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", run.ID), nil, &plan)
	wantStatus(t, "plan", resp, raw, 200)
	if plan.Cost == nil || *plan.Cost != final.Summary.Cost || len(plan.Schedule) != total || final.Summary.Assets != total ||
		final.Summary.Bundles != len(plan.Bundles) {
		t.Fatalf("plan: cost %v (summary %v), %d scheduled, summary %+v; want all %d assets", plan.Cost, final.Summary.Cost,
			len(plan.Schedule), final.Summary, total)
	}

	// /years adds up to the plan.
	var years yearsBody
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/years", run.ID), nil, &years)
	wantStatus(t, "years", resp, raw, 200)
	if len(years.Years) != 5 {
		t.Fatalf("years %s", raw)
	}
	inspections, forward := map[int]int{}, map[int]int{}
	for id, y := range plan.Schedule {
		inspections[y]++
		if y < due[id] {
			forward[y]++
		}
	}
	lots := map[int]int{}
	for _, b := range plan.Bundles {
		lots[*b.FY]++
	}
	var value float64
	for k, y := range years.Years {
		value += y.Value
		if y.FY != 2026+k || y.Assets != inspections[y.FY] || y.BroughtForward != forward[y.FY] || y.Lots != lots[y.FY] ||
			y.CapValue == nil || *y.CapValue != capValue || y.CapWorkload != nil || (y.Workload > 0) != (y.Assets > 0) {
			t.Errorf("year %+v: want fy %d, %d inspections (%d brought forward), %d lots, cap %v", y, 2026+k,
				inspections[y.FY], forward[y.FY], lots[y.FY], capValue)
		}
	}
	if !relClose(value, *plan.Cost) {
		t.Errorf("Σ years' value %v, plan cost %v", value, *plan.Cost)
	}

	// /lots: every lot with its block's year; overlaps only within a block.
	var lotsBody lotsAnswer
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/lots", run.ID), nil, &lotsBody)
	wantStatus(t, "lots", resp, raw, 200)
	if len(lotsBody.Items) != len(plan.Bundles) {
		t.Fatalf("lots: %d items, want %d", len(lotsBody.Items), len(plan.Bundles))
	}
	fyOfLot := map[string]int{}
	for _, b := range plan.Bundles {
		fyOfLot[b.ID] = *b.FY
	}
	for _, l := range lotsBody.Items {
		if l.FY == nil || *l.FY != fyOfLot[l.Lot] {
			t.Errorf("lot %s: fy %v, want %d", l.Lot, l.FY, fyOfLot[l.Lot])
		}
		for _, o := range l.Overlaps {
			if fyOfLot[o.Lot] != fyOfLot[l.Lot] {
				t.Errorf("lot %s (FY%d) overlaps %s of FY%d", l.Lot, fyOfLot[l.Lot], o.Lot, fyOfLot[o.Lot])
			}
		}
	}

	// /budgets: each year's shares add up to its value; budgets and headroom as set.
	var budgets budgetsBody
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/budgets", run.ID), nil, &budgets)
	wantStatus(t, "budgets", resp, raw, 200)
	if budgets.FirstFY != 2026 || budgets.Years != 5 || len(budgets.Rows) != 5*4 {
		t.Fatalf("budgets: first %d, %d years, %d rows; want 2026, 5, 20", budgets.FirstFY, budgets.Years, len(budgets.Rows))
	}
	// The run's evaluation prices the same baseline.
	for i, b := range plan.Evaluation.Budgets {
		if r := alone.Rows[i]; b.Municipality != r.Municipality || b.FY != r.FY || b.Standalone != r.Standalone {
			t.Errorf("evaluation's budgets[%d] %+v, standalone row %+v", i, b, r)
		}
	}
	shareByYear := map[int]float64{}
	for i, r := range budgets.Rows {
		shareByYear[r.FY] += r.Share
		if want := smallFilter[i/5]; r.Municipality != want || r.FY != 2026+i%5 {
			t.Errorf("row %d: %s FY%d, want %s FY%d (by code, then year)", i, r.Municipality, r.FY, want, 2026+i%5)
		}
		var wantBudget *float64
		switch r.Municipality {
		case "29342":
			wantBudget = &[]float64{50_000_000}[0]
		case "29343":
			wantBudget = &budget29343[r.FY-2026]
		}
		switch {
		case wantBudget == nil && (r.Budget != nil || r.Headroom != nil || r.Over):
			t.Errorf("row %+v: no budget was set", r)
		case wantBudget != nil && (r.Budget == nil || *r.Budget != *wantBudget || *r.Headroom != *wantBudget-r.Share ||
			r.Over != (r.Share > *wantBudget*(1+1e-9)+1e-6)):
			t.Errorf("row %+v: budget %v", r, *wantBudget)
		}
		if r.Name == "" {
			t.Errorf("row %+v has no name", r)
		}
	}
	// 三郷町 (29343) pays a few million yen a year: over its 1-yen budget of FY2026 only;
	// the plan breaks that rule and says so.
	for _, r := range budgets.Rows[5:10] {
		if r.Municipality != "29343" || r.Over != (r.FY == 2026) || (r.FY == 2026 && r.Share < 1_000_000) {
			t.Errorf("29343 FY%d: share %v, over %v; want over in FY2026 only", r.FY, r.Share, r.Over)
		}
	}
	if final.Summary.Feasible || plan.Feasible {
		t.Errorf("a plan over a budget is reported feasible")
	}
	for _, y := range years.Years {
		if !relClose(shareByYear[y.FY], y.Value) {
			t.Errorf("FY%d: Σ shares %v, value %v", y.FY, shareByYear[y.FY], y.Value)
		}
	}

	// ?format=csv: a BOM, the English header, one row per municipality × year.
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/budgets?format=csv", run.ID), nil, nil)
	wantStatus(t, "budgets.csv", resp, raw, 200)
	if !bytes.HasPrefix(raw, []byte("\uFEFF")) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), fmt.Sprintf("run-%d-budgets.csv", run.ID)) {
		t.Fatalf("budgets.csv: %s %q, starts %q", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), raw[:min(len(raw), 20)])
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "municipality,name,fy,share,budget,headroom,over" || len(recs) != 1+len(budgets.Rows) {
		t.Fatalf("budgets.csv header %v, %d lines", recs[0], len(recs))
	}
	for i, r := range budgets.Rows {
		rec := recs[1+i]
		share, _ := strconv.ParseFloat(rec[3], 64)
		if rec[0] != r.Municipality || rec[1] != r.Name || rec[2] != strconv.Itoa(r.FY) || share != r.Share ||
			(rec[4] == "") != (r.Budget == nil) || rec[6] != strconv.FormatBool(r.Over) {
			t.Errorf("csv line %d %v, JSON %+v", i+1, rec, r)
		}
	}

	// plan.geojson: every asset has its inspection year; plan.csv's fy is that year.
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan.geojson", run.ID), nil, nil)
	wantStatus(t, "plan.geojson", resp, raw, 200)
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	assetFeatures := 0
	for _, f := range fc.Features {
		switch f.Properties["role"] {
		case "asset":
			assetFeatures++
			id := f.Properties["id"].(string)
			if fy, ok := f.Properties["fy"].(float64); !ok || int(fy) != plan.Schedule[id] {
				t.Errorf("asset %s: fy %v, scheduled %d", id, f.Properties["fy"], plan.Schedule[id])
			}
		case "outline":
			var lotFY int
			for _, b := range plan.Bundles {
				if b.ID == f.Properties["bundle"] {
					lotFY = *b.FY
				}
			}
			if fy, _ := f.Properties["fy"].(float64); int(fy) != lotFY {
				t.Errorf("outline %v: fy %v, lot in %d", f.Properties["bundle"], f.Properties["fy"], lotFY)
			}
		}
	}
	if assetFeatures != total {
		t.Errorf("%d asset features, want %d", assetFeatures, total)
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan.csv", run.ID), nil, nil)
	wantStatus(t, "plan.csv", resp, raw, 200)
	recs, err = csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+total || recs[0][8] != "fy" {
		t.Fatalf("plan.csv: %d lines, header %v", len(recs), recs[0])
	}
	for _, rec := range recs[1:] {
		if rec[8] != strconv.Itoa(plan.Schedule[rec[0]]) {
			t.Errorf("plan.csv %s: fy %s, scheduled %d", rec[0], rec[8], plan.Schedule[rec[0]])
		}
	}
	// The one-year formats read the programme's lots: shares add up to the plan's cost.
	var shares page[shareRow]
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/shares", run.ID), nil, &shares)
	wantStatus(t, "shares", resp, raw, 200)
	var shareSum float64
	for _, r := range shares.Items {
		shareSum += r.Share
	}
	if shares.Total != 4 || !relClose(shareSum, *plan.Cost) {
		t.Errorf("shares: %d rows summing to %v, plan cost %v", shares.Total, shareSum, *plan.Cost)
	}
}

// TestProgrammeRoutesRefuseOneYearRuns: /years and /budgets of a one-year run are 409.
func TestProgrammeRoutesRefuseOneYearRuns(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "one year", "fiscal_year": 2026,
		"filter": map[string]any{"municipalities": smallFilter}})
	run := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "max_iterations": 50})
	if final := doneRun(t, follow(t, srv, run.ID)); final.Status != data.RunDone || final.Programme {
		t.Fatalf("run %+v", final)
	}
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/standalone", sc.ID), nil, nil)
	if p := problemOf(t, "standalone of a one-year scenario", resp, raw, 409, ProblemConflict); !strings.HasPrefix(p.Detail,
		fmt.Sprintf("scenario %d is a one-year scenario", sc.ID)) {
		t.Errorf("standalone: detail %q", p.Detail)
	}
	for _, route := range []string{"years", "budgets", "budgets?format=csv"} {
		resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/%s", run.ID, route), nil, nil)
		p := problemOf(t, route, resp, raw, 409, ProblemConflict)
		if !strings.HasPrefix(p.Detail, fmt.Sprintf("run %d is a one-year plan", run.ID)) {
			t.Errorf("%s: detail %q", route, p.Detail)
		}
	}
	resp, raw = call(t, srv, "GET", "/api/v1/runs/999/years", nil, nil)
	problemOf(t, "unknown run", resp, raw, 404, ProblemNotFound)
}

// TestProgrammeScenarioValidation: every problem of a programme is named by its path.
func TestProgrammeScenarioValidation(t *testing.T) {
	srv, _, _ := planningServer(t)
	base := func(programme any) map[string]any {
		return map[string]any{"name": "bad", "fiscal_year": 2026, "programme": programme}
	}
	cases := []struct {
		name      string
		programme any
		path, msg string
	}{
		{"negative budget", map[string]any{"first_fy": 2026, "years": 5,
			"budgets": map[string]any{"29201": []float64{1, 2, 3, -4, 5}}}, "programme.budgets.29201[3]", "≥ 0"},
		{"short budget list", map[string]any{"first_fy": 2026, "years": 5,
			"budgets": map[string]any{"29201": []float64{1, 2, 3, 4}}}, "programme.budgets.29201", "4 values for 5 years"},
		{"unknown municipality", map[string]any{"first_fy": 2026, "years": 5,
			"budgets": map[string]any{"29999": 5}}, "programme.budgets.29999", "no municipality 29999"},
		{"years past the cycle", map[string]any{"first_fy": 2026, "years": 6}, "programme.years", "must lie in [1, cycle_years = 5]"},
		{"no first year", map[string]any{"years": 5}, "programme.first_fy", "is required"},
		{"lot length", map[string]any{"first_fy": 2026, "years": 5, "contract_years": 2}, "programme.contract_years", "does not divide years 5"},
		{"negative cap", map[string]any{"first_fy": 2026, "years": 5, "year_limits": map[string]any{"max_value": -1}},
			"programme.year_limits.max_value", "≥ 0"},
		{"wrong type", map[string]any{"first_fy": "2026", "years": 5}, "programme.first_fy", "expected an integer"},
		{"unknown field", map[string]any{"first_fy": 2026, "years": 5, "horizon": 5}, "programme.horizon", "unknown field"},
	}
	for _, c := range cases {
		resp, raw := call(t, srv, "POST", "/api/v1/scenarios", base(c.programme), nil)
		p := problemOf(t, c.name, resp, raw, 422, ProblemInvalid)
		if !hasError(p, c.path, c.msg) {
			t.Errorf("%s: errors %+v, want %s: …%s…", c.name, p.Errors, c.path, c.msg)
		}
	}
	sc := createScenario(t, srv, base(map[string]any{"first_fy": 2027, "years": 3}))
	// A programme reads pins in its years: an asset pin's fy must lie in the asset's window
	// (advance_max_years 0: its due year alone); the instance carries the pins.
	var asset struct {
		ID               string `json:"id"`
		LastInspectionFY int    `json:"last_inspection_fy"`
	}
	call(t, srv, "GET", "/api/v1/assets/29342-BR0001", nil, &asset)
	due := max(2027, asset.LastInspectionFY+5)
	if due > 2029 {
		t.Fatalf("29342-BR0001 is due in %d, after the scenario's horizon 2027–29", due)
	}
	pin := func(fy int) string {
		return fmt.Sprintf(`{"assets": {"29342-BR0001": {"depot": "office-29342", "fy": %d}}}`, fy)
	}
	resp, raw := call(t, srv, "PUT", fmt.Sprintf("/api/v1/scenarios/%d/pins", sc.ID), pin(due+1), nil)
	if p := problemOf(t, "pin outside the window", resp, raw, 422, ProblemInvalid); !hasError(p, "pins.assets.29342-BR0001.fy", "outside") {
		t.Errorf("pin outside the window: %+v", p.Errors)
	}
	resp, raw = call(t, srv, "PUT", fmt.Sprintf("/api/v1/scenarios/%d/pins", sc.ID), pin(due), nil)
	wantStatus(t, "pin in the window", resp, raw, 200)
	var pinned solver.Instance
	call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &pinned)
	if pinned.Version != 2 || pinned.Pins == nil || pinned.Pins.Assets["29342-BR0001"].FY == nil ||
		*pinned.Pins.Assets["29342-BR0001"].FY != due {
		t.Errorf("programme instance pins %s", mustJSON(t, pinned.Pins))
	}
	// PATCH programme null makes a programme scenario a one-year one again.
	var patched data.Scenario
	resp, raw = call(t, srv, "PATCH", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), `{"programme": null}`, &patched)
	wantStatus(t, "patch", resp, raw, 200)
	var inst solver.Instance
	call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)
	if patched.Programme != nil || inst.Version != 1 || inst.Programme != nil {
		t.Errorf("after PATCH programme null: %s, instance version %d", mustJSON(t, patched.Programme), inst.Version)
	}
}
