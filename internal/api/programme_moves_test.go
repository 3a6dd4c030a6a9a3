package api

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// TestRunMovesProgramme moves an inspection of a programme run one year earlier, into a
// lot of that year: the answer prices exactly what POST /evaluate says of the edited plan
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
	// An asset inspected in its due year y > 2026 (window [y−1, y]) and a lot of year y−1
	// (yearly lots: contract_years 1).
	lotIn := map[int]solver.Bundle{}
	for _, b := range plan.Bundles {
		lotIn[*b.FY] = b
	}
	var asset, home string // home: the asset's lot
	var target solver.Bundle
	for _, b := range plan.Bundles {
		for _, id := range b.Assets {
			y := plan.Schedule[id]
			if to, ok := lotIn[y-1]; ok && asset == "" && y == p.Due[p.AssetIndex[id]] && y > 2026 {
				asset, home, target = id, b.ID, to
			}
		}
	}
	if asset == "" {
		t.Fatalf("no asset of the plan can move a year earlier into a lot: %+v", plan.Bundles)
	}
	due := plan.Schedule[asset]
	path := fmt.Sprintf("/api/v1/runs/%d/moves", run.ID)
	move := map[string]any{"asset": asset, "to_lot": target.ID, "fy": due - 1}

	var me movesResponse
	resp, raw := call(t, srv, "POST", path, map[string]any{"moves": []any{move}}, &me)
	wantStatus(t, "moves", resp, raw, 200)
	ev := evaluateCost(t, srv, inst, me.Plan)
	if me.Run != run.ID || me.Cost != ev.Cost || me.CostBefore != *plan.Cost || me.Delta != me.Cost-me.CostBefore ||
		me.Feasible != ev.Feasible || len(me.Violations) != len(ev.Violations) || me.Saved != nil {
		t.Errorf("moves: cost %v (evaluate %v) before %v (run %v) delta %v feasible %v (evaluate %v), %d violations (evaluate %d)",
			me.Cost, ev.Cost, me.CostBefore, *plan.Cost, me.Delta, me.Feasible, ev.Feasible, len(me.Violations), len(ev.Violations))
	}
	if me.Plan.Schedule[asset] != due-1 || len(me.Plan.Schedule) != len(plan.Schedule) {
		t.Errorf("schedule: %s in %d (want %d), %d scheduled (want %d)", asset, me.Plan.Schedule[asset], due-1,
			len(me.Plan.Schedule), len(plan.Schedule))
	}
	for _, b := range me.Plan.Bundles {
		if slices.Contains(b.Assets, asset) != (b.ID == target.ID) {
			t.Errorf("lot %s (FY%d) %v: %s should be in %s only", b.ID, *b.FY, b.Assets, asset, target.ID)
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
	// The hand edit takes moves: moving the asset back to its year restores the run's cost.
	back := map[string]any{"moves": []any{map[string]any{"asset": asset, "to_lot": home}}}
	var undo movesResponse
	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/runs/%d/moves", saved.ID), back, &undo)
	wantStatus(t, "moves on the hand edit", resp, raw, 200)
	if undo.CostBefore != me.Cost || !relClose(undo.Cost, *plan.Cost) || undo.Plan.Schedule[asset] != due {
		t.Errorf("undo: before %v (want %v), after %v (want the run's %v), %s in %d (want %d)",
			undo.CostBefore, me.Cost, undo.Cost, *plan.Cost, asset, undo.Plan.Schedule[asset], due)
	}

	// A year outside the asset's window [due−1, due].
	bad := map[string]any{"moves": []any{map[string]any{"asset": asset, "to_lot": home, "fy": due + 1}}}
	resp, raw = call(t, srv, "POST", path, bad, nil)
	if pr := problemOf(t, "bad fy", resp, raw, 422, ProblemInvalid); !hasError(pr, "moves[0].fy",
		fmt.Sprintf("%d is outside asset %s's window [%d, %d]", due+1, asset, due-1, due)) {
		t.Errorf("bad fy: %s", raw)
	}
}
