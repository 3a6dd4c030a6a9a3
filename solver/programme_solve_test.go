package solver

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// TestSolveProgrammeFeasible: the first programme solver returns plans that pass the
// evaluator on the public programme instances whose constraints it plans for (yearly
// lots, five-year lots, a yearly value cap), bringing inspections forward where a year
// alone cannot reach min_value (pp-tiny: FY2030's assets are worth ¥2.8M, below
// min_value ¥8M) or a year would break the cap (pp-level: ¥21M a year).
func TestSolveProgrammeFeasible(t *testing.T) {
	for _, name := range []string{"pp-tiny", "pp-multi", "pp-level"} {
		p := testdataProgramme(t, name)
		res, err := SolveProgramme(context.Background(), p, SolveOptions{TimeLimit: time.Hour, MaxIterations: 300, Threads: 1, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Plan == nil || !res.Evaluation.Feasible {
			t.Fatalf("%s: no feasible plan: %+v %+v", name, res.Blocks, res.Evaluation)
		}
		early := 0
		for id, y := range res.Plan.Schedule {
			if lo, hi := p.Window(p.AssetIndex[id]); y < lo || y > hi {
				t.Errorf("%s: %s in %d, outside its window [%d, %d]", name, id, y, lo, hi)
			} else if y < hi {
				early++
			}
		}
		if early != res.Moved || len(res.Plan.Schedule) != len(p.Planned) || (name != "pp-multi" && early == 0) {
			t.Errorf("%s: %d brought forward, reported %d; %d of %d scheduled", name, early, res.Moved, len(res.Plan.Schedule), len(p.Planned))
		}
		for k, y := range res.Evaluation.Years {
			if y.Value > p.YearMaxValue {
				t.Errorf("%s: FY%d value %.2f over the cap", name, 2026+k, y.Value)
			}
		}
		t.Logf("%s: cost %.2f, standalone %.2f, %d lots, %d moved", name, res.Evaluation.Cost, res.Evaluation.StandaloneTotal, len(res.Plan.Bundles), res.Moved)
	}
}

// TestSolveProgrammeBudgets: with budgets that bind but fit, the solve's plan passes the
// evaluator with no violation. pp-budget as it is has no feasible plan (29009 needs at
// least ¥14,307,019 by FY2027, TestProgrammePrecheckPPBudget); with 29009's budget at
// ¥9,000,000 a year it has. The budgets bind: pp-tiny's levelled plan (the same assets,
// feasible without budgets) breaks some of them; the plan costs more than pp-tiny's
// optimum ¥64,718,059.13, a valid lower bound here.
func TestSolveProgrammeBudgets(t *testing.T) {
	p := testdataProgramme(t, "pp-budget")
	mu := p.MuniIndex["29009"]
	for k := range p.Budgets[mu] {
		p.Budgets[mu][k] = 9e6
	}
	opt := SolveOptions{TimeLimit: time.Hour, MaxIterations: 100, Threads: 1, Seed: 1}
	res, err := SolveProgramme(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan == nil || !res.Evaluation.Feasible || len(res.Infeasible) != 0 {
		t.Fatalf("no feasible plan: %+v, proofs %+v", res.Evaluation, res.Infeasible)
	}
	ev := EvaluateProgramme(p, res.Plan) // afresh, from the plan alone
	if !ev.Feasible || len(ev.Violations) != 0 || ev.Cost != res.Evaluation.Cost {
		t.Fatalf("the plan re-evaluated: feasible %v, %+v, cost %.2f (solve said %.2f)", ev.Feasible, ev.Violations, ev.Cost, res.Evaluation.Cost)
	}
	for _, b := range ev.Budgets {
		if b.Budget != nil && b.Share > *b.Budget {
			t.Errorf("%s FY%d: share %.2f over %.2f", b.Municipality, b.FY, b.Share, *b.Budget)
		}
	}
	if ev.Cost < 64718059.13 {
		t.Errorf("cost %.2f below pp-tiny's optimum", ev.Cost)
	}
	var tiny Plan
	if err := json.Unmarshal(readTestdata(t, "pp-tiny.levelled-plan"), &tiny); err != nil {
		t.Fatal(err)
	}
	broken := 0
	for _, v := range EvaluateProgramme(p, &tiny).Violations {
		if v.Rule == "budget" {
			broken++
		}
	}
	if broken == 0 {
		t.Errorf("pp-tiny's levelled plan keeps every budget: they do not bind")
	}
	t.Logf("cost %.2f; pp-tiny's plan breaks %d budget(s)", ev.Cost, broken)
}
