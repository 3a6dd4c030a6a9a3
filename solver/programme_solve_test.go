package solver

import (
	"context"
	"testing"
	"time"
)

// TestSolveProgrammeFeasible: the first programme solver returns plans that pass the
// evaluator on the public programme instances whose constraints it plans for (yearly
// lots, five-year lots), bringing inspections forward where a year alone cannot reach
// min_value (pp-tiny: FY2030's assets are worth ¥2.8M, below min_value ¥8M).
func TestSolveProgrammeFeasible(t *testing.T) {
	for _, name := range []string{"pp-tiny", "pp-multi"} {
		p := testdataProgramme(t, name)
		res, err := SolveProgramme(context.Background(), p, SolveOptions{TimeLimit: time.Hour, MaxIterations: 300, Threads: 1, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Plan == nil || !res.Evaluation.Feasible {
			t.Fatalf("%s: no feasible plan: %+v %+v", name, res.Blocks, res.Evaluation)
		}
		t.Logf("%s: cost %.2f, standalone %.2f, %d lots, %d moved", name, res.Evaluation.Cost, res.Evaluation.StandaloneTotal, len(res.Plan.Bundles), res.Moved)
	}
}
