package api

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// TestRunMovesProgramme moves an inspection of a programme run to the other year of its
// window: the answer prices exactly what POST /evaluate says of the edited plan
// and its years add up to that cost; keep saves a programme "hand edit" run whose /years
// add up to the same plan, whose /lots, /budgets and plan.geojson read it, and which takes
// moves itself; a year outside the asset's window is a 422 naming moves[0].fy.
func TestRunMovesProgramme(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "programme moves", "filter": map[string]any{"municipalities": smallFilter},
		"programme": map[string]any{"first_fy": 2026, "years": 5, "advance_max_years": 1}})
	run := doneRun(t, follow(t, srv, startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "seed": 3}).ID))
	var plan solver.ProgrammeSolveReport
	inst := planAndInstance(t, srv, run.ID, sc.ID, &plan)
	p, err := solver.CompileProgramme(&inst)
	if err != nil {
		t.Fatal(err)
	}
	// An asset due after 2026 (window [due−1, due]: advance_max_years 1) moves to the
	// other year of its window: into that year's lot when the plan has one (yearly lots:
	// contract_years 1), else into a new lot then. The solve is timed, so the plan may
	// be either.
	lotIn := map[int]string{}
	for _, b := range plan.Bundles {
		lotIn[*b.FY] = b.ID
	}
	var asset, home string // home: the asset's lot
	for _, b := range plan.Bundles {
		for _, id := range b.Assets {
			if asset == "" && p.Due[p.AssetIndex[id]] > 2026 {
				asset, home = id, b.ID
			}
		}
	}
	if asset == "" {
		t.Fatalf("no asset of the plan is due after 2026: %+v", plan.Bundles)
	}
	due, from := p.Due[p.AssetIndex[asset]], plan.Schedule[asset]
	year := due - 1
	if from == due-1 {
		year = due
	}
	move := map[string]any{"asset": asset, "to_lot": "new", "depot": inst.Depots[0].ID, "fy": year}
	target := lotIn[year]
	if target != "" {
		move = map[string]any{"asset": asset, "to_lot": target, "fy": year}
	}
	path := fmt.Sprintf("/api/v1/runs/%d/moves", run.ID)

	var me movesResponse
	resp, raw := call(t, srv, "POST", path, map[string]any{"moves": []any{move}}, &me)
	wantStatus(t, "moves", resp, raw, 200)
	ev := evaluateCost(t, srv, inst, me.Plan)
	if me.Run != run.ID || me.Cost != ev.Cost || me.CostBefore != *plan.Cost || me.Delta != me.Cost-me.CostBefore ||
		me.Feasible != ev.Feasible || len(me.Violations) != len(ev.Violations) || me.Saved != nil {
		t.Errorf("moves: cost %v (evaluate %v) before %v (run %v) delta %v feasible %v (evaluate %v), %d violations (evaluate %d)",
			me.Cost, ev.Cost, me.CostBefore, *plan.Cost, me.Delta, me.Feasible, ev.Feasible, len(me.Violations), len(ev.Violations))
	}
	if me.Plan.Schedule[asset] != year || len(me.Plan.Schedule) != len(plan.Schedule) {
		t.Errorf("schedule: %s in %d (want %d), %d scheduled (want %d)", asset, me.Plan.Schedule[asset], year,
			len(me.Plan.Schedule), len(plan.Schedule))
	}
	for _, b := range me.Plan.Bundles {
		if in := slices.Contains(b.Assets, asset); in && *b.FY != year || in && target != "" && b.ID != target || !in && b.ID == target {
			t.Errorf("lot %s (FY%d) %v: %s should be in %q (FY%d) only", b.ID, *b.FY, b.Assets, asset, target, year)
		}
	}
	var value, before float64
	for k := range me.Years {
		value += me.Years[k].Value
		before += me.YearsBefore[k].Value
	}
	if len(me.Years) != 5 || len(me.YearsBefore) != 5 || !relClose(value, me.Cost) || !relClose(before, me.CostBefore) || len(me.Budgets) == 0 {
		t.Errorf("years: %d after adding to %v (cost %v), %d before adding to %v (cost %v), %d budget rows",
			len(me.Years), value, me.Cost, len(me.YearsBefore), before, me.CostBefore, len(me.Budgets))
	}

	// keep: a programme run of its own.
	var kept movesResponse
	resp, raw = call(t, srv, "POST", path, map[string]any{"moves": []any{move}, "keep": true}, &kept)
	wantStatus(t, "keep", resp, raw, 201)
	saved := kept.Saved
	if saved == nil || !saved.Programme || saved.Label != data.LabelHandEdit || saved.ParentRun == nil || *saved.ParentRun != run.ID ||
		saved.Status != data.RunDone || saved.Summary == nil || saved.Summary.Cost != me.Cost ||
		resp.Header.Get("Location") != fmt.Sprintf("/api/v1/runs/%d", saved.ID) {
		t.Fatalf("saved run %+v, Location %q", saved, resp.Header.Get("Location"))
	}
	var years yearsBody
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/years", saved.ID), nil, &years)
	wantStatus(t, "years of the hand edit", resp, raw, 200)
	inspections := map[int]int{}
	for _, y := range me.Plan.Schedule {
		inspections[y]++
	}
	value = 0
	for _, y := range years.Years {
		value += y.Value
		if y.Assets != inspections[y.FY] {
			t.Errorf("FY%d of the hand edit: %d inspections, the edited schedule has %d", y.FY, y.Assets, inspections[y.FY])
		}
	}
	if len(years.Years) != 5 || !relClose(value, me.Cost) {
		t.Errorf("hand edit's years add up to %v, its cost is %v: %s", value, me.Cost, raw)
	}
	var lots lotsAnswer
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/lots", saved.ID), nil, &lots)
	wantStatus(t, "lots of the hand edit", resp, raw, 200)
	if len(lots.Items) != len(me.Plan.Bundles) {
		t.Errorf("lots of the hand edit: %d, the edited plan has %d", len(lots.Items), len(me.Plan.Bundles))
	}
	for _, u := range []string{"budgets", "plan.geojson"} {
		resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/%s", saved.ID, u), nil, nil)
		wantStatus(t, u+" of the hand edit", resp, raw, 200)
	}
	// The hand edit takes moves: moving the asset back to its lot (without fy: the only
	// year of that lot's block) restores the run's cost.
	back := map[string]any{"moves": []any{map[string]any{"asset": asset, "to_lot": home}}}
	var undo movesResponse
	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/runs/%d/moves", saved.ID), back, &undo)
	wantStatus(t, "moves on the hand edit", resp, raw, 200)
	if undo.CostBefore != me.Cost || !relClose(undo.Cost, *plan.Cost) || undo.Plan.Schedule[asset] != from {
		t.Errorf("undo: before %v (want %v), after %v (want the run's %v), %s in %d (want %d)",
			undo.CostBefore, me.Cost, undo.Cost, *plan.Cost, asset, undo.Plan.Schedule[asset], from)
	}

	// A year outside the asset's window [due−1, due]; a new lot needs the first year of a
	// block of the horizon 2026–2030.
	depot := inst.Depots[0].ID
	for _, c := range []struct {
		move       map[string]any
		path, text string
	}{
		{map[string]any{"asset": asset, "to_lot": home, "fy": due + 1}, "moves[0].fy",
			fmt.Sprintf("%d is outside asset %s's window [%d, %d]", due+1, asset, due-1, due)},
		{map[string]any{"asset": asset, "to_lot": "new", "depot": depot}, "moves[0].fy", "is required with to_lot \"new\""},
		{map[string]any{"asset": asset, "to_lot": "new", "depot": depot, "fy": 2031}, "moves[0].fy",
			"2031 does not start a block of the horizon (blocks start in 2026, 2027, 2028, 2029, 2030)"},
	} {
		resp, raw = call(t, srv, "POST", path, map[string]any{"moves": []any{c.move}}, nil)
		if pr := problemOf(t, c.path, resp, raw, 422, ProblemInvalid); !hasError(pr, c.path, c.text) {
			t.Errorf("%v: %s, want %s: …%s…", c.move, raw, c.path, c.text)
		}
	}
}
