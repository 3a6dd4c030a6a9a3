package api

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// smallRun solves the four basin towns (smallFilter) for one second and returns the
// server, the run, its plan report and the scenario's instance.
func smallRun(t *testing.T) (*httptest.Server, data.Run, solver.Report, solver.Instance) {
	t.Helper()
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "hand", "fiscal_year": 2027,
		"filter": map[string]any{"municipalities": smallFilter}})
	run := doneRun(t, follow(t, srv, startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "seed": 3}).ID))
	var rep solver.Report
	return srv, run, rep, planAndInstance(t, srv, run.ID, sc.ID, &rep)
}

// planAndInstance reads run runID's plan report into plan and returns scenario scID's
// instance.
func planAndInstance(t *testing.T, srv *httptest.Server, runID, scID int64, plan any) solver.Instance {
	t.Helper()
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", runID), nil, plan)
	wantStatus(t, "plan", resp, raw, 200)
	var inst solver.Instance
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", scID), nil, &inst)
	wantStatus(t, "instance", resp, raw, 200)
	return inst
}

// freeDepot is a depot of the instance that runs no lot of the report.
func freeDepot(t *testing.T, inst solver.Instance, rep solver.Report) string {
	t.Helper()
	used := map[string]bool{}
	for _, b := range rep.Bundles {
		used[b.Depot] = true
	}
	for _, d := range inst.Depots {
		if !used[d.ID] {
			return d.ID
		}
	}
	t.Fatal("every depot runs a lot")
	return ""
}

// evaluateCost is POST /api/v1/evaluate's verdict on plan.
func evaluateCost(t *testing.T, srv *httptest.Server, inst solver.Instance, plan *solver.Plan) solver.Evaluation {
	t.Helper()
	var ev solver.Evaluation
	resp, raw := call(t, srv, "POST", "/api/v1/evaluate", map[string]any{"instance": inst, "plan": plan}, &ev)
	wantStatus(t, "evaluate", resp, raw, 200)
	return ev
}

// TestRunMoves moves an asset of a solved run into a new lot: the answer's cost is
// exactly POST /evaluate's on the edited plan, the change is against the run's own cost,
// the shares change by the evaluator's shares; keep saves a "hand edit" run of the same
// scenario whose plan is the edited one, and "why" explains it.
func TestRunMoves(t *testing.T) {
	srv, run, rep, inst := smallRun(t)
	asset := rep.Bundles[0].Assets[0]
	depot := freeDepot(t, inst, rep)
	moves := map[string]any{"moves": []map[string]string{{"asset": asset, "to_lot": "new", "depot": depot}}}
	path := fmt.Sprintf("/api/v1/runs/%d/moves", run.ID)

	var me movesResponse
	resp, raw := call(t, srv, "POST", path, moves, &me)
	wantStatus(t, "moves", resp, raw, 200)
	ev := evaluateCost(t, srv, inst, me.Plan)
	if me.Run != run.ID || me.Cost != ev.Cost || me.CostBefore != *rep.Cost || me.Delta != me.Cost-me.CostBefore || me.Saved != nil {
		t.Errorf("moves: run %d cost %v (evaluate %v) before %v (run %v) delta %v, saved %v", me.Run, me.Cost, ev.Cost, me.CostBefore, *rep.Cost, me.Delta, me.Saved)
	}
	last := me.Plan.Bundles[len(me.Plan.Bundles)-1]
	if last.Depot != depot || !slices.Equal(last.Assets, []string{asset}) || slices.Contains(me.Plan.Bundles[0].Assets, asset) {
		t.Errorf("edited plan %+v: %s should be alone in a new lot at %s", me.Plan.Bundles, asset, depot)
	}
	// A one-asset lot carries a whole fixed cost: it is below min_value, a new violation.
	if me.Feasible || !slices.ContainsFunc(me.NewViolations, func(v solver.Violation) bool { return v.Rule == "min_value" && v.Bundle == last.ID }) ||
		len(me.Violations) != len(ev.Violations) {
		t.Errorf("violations %+v new %+v, evaluate %+v", me.Violations, me.NewViolations, ev.Violations)
	}
	for _, s := range me.Shares {
		if s.After != ev.Shares[s.Municipality] || s.Before != rep.Shares[s.Municipality] || s.Delta != s.After-s.Before || s.Name == "" {
			t.Errorf("share %+v, evaluate %v, run %v", s, ev.Shares[s.Municipality], rep.Shares[s.Municipality])
		}
	}
	if len(me.Shares) != len(ev.Shares) {
		t.Errorf("%d share changes for %d municipalities", len(me.Shares), len(ev.Shares))
	}

	// Keep: a run of its own.
	moves["keep"] = true
	var kept movesResponse
	resp, raw = call(t, srv, "POST", path, moves, &kept)
	wantStatus(t, "keep", resp, raw, 201)
	saved := kept.Saved
	if saved == nil || kept.Cost != me.Cost {
		t.Fatalf("kept %s", raw)
	}
	if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/runs/%d", saved.ID) {
		t.Errorf("Location %q for run %d", loc, saved.ID)
	}
	var got data.Run
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d", saved.ID), nil, &got)
	if got.Label != data.LabelHandEdit || got.ParentRun == nil || *got.ParentRun != run.ID || got.Status != data.RunDone ||
		!got.HasPlan || *got.ScenarioID != *run.ScenarioID || got.Summary == nil || got.Summary.Cost != me.Cost ||
		got.Summary.Bundles != len(me.Plan.Bundles) || got.Summary.Feasible || got.Summary.StopReason != data.LabelHandEdit {
		t.Errorf("saved run %+v summary %+v", got, got.Summary)
	}
	var gotParent data.Run
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d", run.ID), nil, &gotParent)
	if gotParent.Label != "" || gotParent.ParentRun != nil {
		t.Errorf("a solve's run has label %q parent %v", gotParent.Label, gotParent.ParentRun)
	}
	var savedRep solver.Report
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", saved.ID), nil, &savedRep)
	if *savedRep.Cost != me.Cost || len(savedRep.Bundles) != len(me.Plan.Bundles) || savedRep.Bundles[len(savedRep.Bundles)-1].Depot != depot ||
		savedRep.LowerBound == nil || *savedRep.LowerBound != *rep.LowerBound || savedRep.Gap == nil ||
		!relClose(*savedRep.Gap, (me.Cost-*rep.LowerBound)/me.Cost) {
		t.Errorf("saved plan: cost %v bound %v gap %v, %d lots", savedRep.Cost, savedRep.LowerBound, savedRep.Gap, len(savedRep.Bundles))
	}

	// Why here, on the saved run: the moved asset's other lots are the run's other lots.
	var why solver.AssetWhy
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/why?asset=%s", saved.ID, asset), nil, &why)
	wantStatus(t, "why asset", resp, raw, 200)
	if why.Lot != last.ID || why.Depot != depot || len(why.Options) != len(savedRep.Bundles)-1 {
		t.Fatalf("why %s", raw)
	}
	// Moving it back to its old lot undoes the edit: the evaluator's delta, and the
	// rule it broke (min_value of its lot of one) is not among that option's reasons.
	home := rep.Bundles[0].ID
	for _, o := range why.Options {
		if o.Lot != home {
			continue
		}
		if o.Delta != *rep.Cost-me.Cost && !relClose(o.Delta, *rep.Cost-me.Cost) {
			t.Errorf("back to %s: delta %v, want %v", home, o.Delta, *rep.Cost-me.Cost)
		}
		if slices.Contains(o.Rules, "min_value") && len(o.Violations) > 0 && o.Violations[0].Bundle == last.ID {
			t.Errorf("back to %s: %+v", home, o)
		}
	}
	var lot solver.LotWhy
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/why?lot=%s", saved.ID, home), nil, &lot)
	wantStatus(t, "why lot", resp, raw, 200)
	if lot.Breakdown.Total != savedRep.Bundles[0].Breakdown.Total || len(lot.Costliest) != min(solver.WhyLotAssets, lot.AssetCount) ||
		lot.Costliest[0].Cost < lot.Costliest[len(lot.Costliest)-1].Cost {
		t.Errorf("why lot %s", raw)
	}
}

// TestRunMovesErrors: a bad move names itself; a missing run or lot is 404; why takes
// exactly one of asset and lot.
func TestRunMovesErrors(t *testing.T) {
	srv, run, rep, _ := smallRun(t)
	path := fmt.Sprintf("/api/v1/runs/%d/moves", run.ID)
	asset := rep.Bundles[0].Assets[0]
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		typ, errPath, msg  string
	}{
		{"unknown lot", "POST", path, map[string]any{"moves": []map[string]string{{"asset": asset, "to_lot": "Z99"}}},
			422, ProblemInvalid, "moves[0].to_lot", `lot "Z99" is not in the plan`},
		{"unknown asset", "POST", path, map[string]any{"moves": []map[string]string{{"asset": "nope", "to_lot": rep.Bundles[0].ID}}},
			422, ProblemInvalid, "moves[0].asset", `asset "nope" is not in the plan's instance`},
		{"no moves", "POST", path, map[string]any{"moves": []any{}}, 422, ProblemInvalid, "moves", "at least one move"},
		{"unknown field", "POST", path, map[string]any{"moves": []any{}, "kep": true}, 422, ProblemInvalid, "kep", "unknown field"},
		{"no run", "POST", "/api/v1/runs/999/moves", map[string]any{"moves": []map[string]string{{"asset": asset, "to_lot": "new", "depot": "x"}}},
			404, ProblemNotFound, "", ""},
		{"why both", "GET", fmt.Sprintf("/api/v1/runs/%d/why?asset=%s&lot=B01", run.ID, asset), nil, 400, ProblemInvalidParameter, "asset", "exactly one"},
		{"why neither", "GET", fmt.Sprintf("/api/v1/runs/%d/why", run.ID), nil, 400, ProblemInvalidParameter, "asset", "exactly one"},
		{"why unknown asset", "GET", fmt.Sprintf("/api/v1/runs/%d/why?asset=nope", run.ID), nil, 404, ProblemNotFound, "", ""},
		{"why unknown lot", "GET", fmt.Sprintf("/api/v1/runs/%d/why?lot=Z99", run.ID), nil, 404, ProblemNotFound, "", ""},
	} {
		resp, raw := call(t, srv, c.method, c.path, c.body, nil)
		p := problemOf(t, c.name, resp, raw, c.status, c.typ)
		if c.errPath != "" && !hasError(p, c.errPath, c.msg) {
			t.Errorf("%s: %s, want %s: …%s…", c.name, raw, c.errPath, c.msg)
		}
		if c.errPath == "" && c.msg != "" && !strings.Contains(p.Detail, c.msg) {
			t.Errorf("%s: %s", c.name, raw)
		}
	}

	// A programme run's lots span years: why refuses it; a move to a lot id of the
	// one-year kind is not in its plan.
	sc := createScenario(t, srv, map[string]any{"name": "programme", "filter": map[string]any{"municipalities": smallFilter},
		"programme": map[string]any{"first_fy": 2026, "years": 5}})
	prog := doneRun(t, follow(t, srv, startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "seed": 1}).ID))
	path = fmt.Sprintf("/api/v1/runs/%d/why?asset=%s", prog.ID, asset)
	resp, raw := call(t, srv, "GET", path, nil, nil)
	if p := problemOf(t, path, resp, raw, 409, ProblemConflict); !strings.Contains(p.Detail, "programme") {
		t.Errorf("GET %s: %s", path, raw)
	}
	path = fmt.Sprintf("/api/v1/runs/%d/moves", prog.ID)
	resp, raw = call(t, srv, "POST", path, map[string]any{"moves": []map[string]string{{"asset": asset, "to_lot": "B01"}}}, nil)
	if p := problemOf(t, path, resp, raw, 422, ProblemInvalid); !hasError(p, "moves[0].to_lot", `lot "B01" is not in the plan`) {
		t.Errorf("POST %s: %s", path, raw)
	}
}
