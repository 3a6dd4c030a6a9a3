package api

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestStatelessProgramme: a version-2 instance goes through POST /solve and /evaluate as
// through `tabane solve`/`evaluate`. pp-tiny (95 assets, FY2026–FY2030, 8 municipalities)
// is solved at its optimum ¥64,718,059.13 (CBC; the CLI test reaches it with the same 200
// iterations, one thread, seed 1) with a schedule of every asset, five year rows and
// 8×5 budget rows, at the cost EvaluateProgramme gives the returned plan. The levelled
// plan is judged feasible at the independent referee's ¥65,024,774.34337022, FY2026's
// workload 65.43 days. A bad programme is a 422 whose errors name programme fields.
func TestStatelessProgramme(t *testing.T) {
	srv, _, _ := planningServer(t)
	inst := json.RawMessage(readSecTestdata(t, "pp-tiny.json"))

	var out struct {
		Instance   string             `json:"instance"`
		Feasible   bool               `json:"feasible"`
		Cost       float64            `json:"cost"`
		Bundles    []solver.Bundle    `json:"bundles"`
		Schedule   map[string]int     `json:"schedule"`
		Evaluation *solver.Evaluation `json:"evaluation"`
		Seed       int64              `json:"seed"`
		Threads    int                `json:"threads"`
	}
	resp, raw := call(t, srv, "POST", "/api/v1/solve", map[string]any{"instance": inst, "max_iterations": 200, "seed": 1}, &out)
	wantStatus(t, "solve pp-tiny", resp, raw, 200)
	ev := out.Evaluation
	if !out.Feasible || ev == nil || math.Abs(out.Cost-64718059.13) > 0.005 || len(out.Bundles) != 3 || len(out.Schedule) != 95 ||
		out.Bundles[0].FY == nil || out.Seed != 1 || out.Threads != 1 {
		t.Fatalf("solve pp-tiny: feasible %v cost %.2f, %d lots, %d scheduled, seed %d threads %d", out.Feasible, out.Cost,
			len(out.Bundles), len(out.Schedule), out.Seed, out.Threads)
	}
	if len(ev.Years) != 5 || ev.Years[0].FY != 2026 || ev.Years[4].FY != 2030 || len(ev.Budgets) != 8*5 {
		t.Errorf("solve pp-tiny: years %+v, %d budget rows", ev.Years, len(ev.Budgets))
	}
	parsed, err := solver.ParseInstance(inst)
	if err != nil {
		t.Fatal(err)
	}
	p, err := solver.CompileProgramme(parsed)
	if err != nil {
		t.Fatal(err)
	}
	plan := &solver.Plan{Instance: out.Instance, Bundles: out.Bundles, Schedule: out.Schedule}
	if again := solver.EvaluateProgramme(p, plan); !again.Feasible || again.Cost != out.Cost {
		t.Errorf("EvaluateProgramme of the returned plan: feasible %v cost %.8f, the solve said %.8f", again.Feasible, again.Cost, out.Cost)
	}

	var judged solver.Evaluation
	resp, raw = call(t, srv, "POST", "/api/v1/evaluate", map[string]any{"instance": inst,
		"plan": json.RawMessage(readSecTestdata(t, "pp-tiny.levelled-plan.json"))}, &judged)
	wantStatus(t, "evaluate the levelled plan", resp, raw, 200)
	if !judged.Feasible || math.Abs(judged.Cost-65024774.34337022) > 1e-6 || judged.ProgrammeReport == nil ||
		len(judged.Years) != 5 || judged.Years[0].Workload != 65.43 || len(judged.Budgets) != 8*5 {
		t.Errorf("evaluate the levelled plan: feasible %v cost %.8f years %+v", judged.Feasible, judged.Cost, judged.Years)
	}

	var bad map[string]any
	if err := json.Unmarshal(inst, &bad); err != nil {
		t.Fatal(err)
	}
	prog := bad["programme"].(map[string]any)
	prog["budgets"] = map[string]any{"29001": []float64{1, 2, 3, 4}}
	prog["contract_years"] = 2
	for route, body := range map[string]map[string]any{"/api/v1/solve": {"instance": bad},
		"/api/v1/evaluate": {"instance": bad, "plan": map[string]any{}}} {
		resp, raw = call(t, srv, "POST", route, body, nil)
		pr := problemOf(t, route+" of a bad programme", resp, raw, 422, ProblemInvalid)
		if len(pr.Errors) != 2 || !hasError(pr, "instance.programme.contract_years", "2 does not divide years 5") ||
			!hasError(pr, "instance.programme.budgets.29001", "4 values for 5 years") {
			t.Errorf("%s of a bad programme: errors %+v", route, pr.Errors)
		}
	}
	resp, raw = call(t, srv, "POST", "/api/v1/solve", map[string]any{"instance": inst, "max_iterations": -1}, nil)
	if pr := problemOf(t, "negative max_iterations", resp, raw, 422, ProblemInvalid); !hasError(pr, "max_iterations", "must be ≥ 0") {
		t.Errorf("negative max_iterations: errors %+v", pr.Errors)
	}
}
