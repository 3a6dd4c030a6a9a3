package solver

import (
	"context"
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
