package solver

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestSolveProgrammeProgress: a programme solve reports in Solve's shape: "construct"
// first with no plan, each better feasible plan once (costs strictly falling), "search"
// when the improvement search starts, and "done" last with the returned plan's cost and
// bound. On pp-tiny (seed 1, 200 rounds) the construction's plan costs ¥65,014,631 and
// the search reaches the CBC optimum ¥64,718,059.13.
func TestSolveProgrammeProgress(t *testing.T) {
	p := testdataProgramme(t, "pp-tiny")
	var got []Progress
	res, err := SolveProgramme(context.Background(), p, SolveOptions{TimeLimit: time.Hour, MaxIterations: 200, Threads: 1, Seed: 1,
		Progress: func(pr Progress) { got = append(got, pr) }})
	if err != nil {
		t.Fatal(err)
	}
	type line struct {
		phase string
		cost  float64 // rounded to the yen; +Inf: no feasible plan yet
	}
	want := []line{{"construct", math.Inf(1)}, {"construct", 65014631}, {"search", 65014631}, {"search", 64718059}, {"done", 64718059}}
	if len(got) != len(want) {
		t.Fatalf("%d progress reports, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Phase != w.phase || math.Round(g.BestCost) != w.cost || g.Feasible == math.IsInf(w.cost, 1) {
			t.Errorf("report %d: %s best %.2f feasible %v, want %s %.0f", i, g.Phase, g.BestCost, g.Feasible, w.phase, w.cost)
		}
		if i > 0 && g.Elapsed < got[i-1].Elapsed {
			t.Errorf("report %d: elapsed %v before the previous %v", i, g.Elapsed, got[i-1].Elapsed)
		}
	}
	last := got[len(got)-1]
	if last.BestCost != res.Evaluation.Cost || last.LowerBound != res.LowerBound || !near(last.Gap, res.Gap) {
		t.Errorf("done: best %.2f bound %.2f gap %g; the result has %.2f, %.2f, %g",
			last.BestCost, last.LowerBound, last.Gap, res.Evaluation.Cost, res.LowerBound, res.Gap)
	}
}
