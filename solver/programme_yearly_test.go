package solver

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestCompareYearlyPPTiny: planned year by year, pp-tiny has no plan for FY2028 and
// FY2030 (the instances' README: their assets cannot reach min_value ¥8M alone —
// FY2028's ten are worth at most ¥7,997,063 from office-29019), while FY2026, 2027 and
// 2029 have one lot each.
func TestCompareYearlyPPTiny(t *testing.T) {
	p := testdataProgramme(t, "pp-tiny")
	c, err := CompareYearly(context.Background(), p, SolveOptions{TimeLimit: time.Hour, MaxIterations: 100, Threads: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Feasible || len(c.Years) != 5 {
		t.Fatalf("feasible %v with %d years", c.Feasible, len(c.Years))
	}
	total := 0.0
	for _, y := range c.Years {
		wantFeasible := y.FY != 2028 && y.FY != 2030
		if y.Feasible != wantFeasible {
			t.Errorf("FY%d: feasible %v, want %v (%v)", y.FY, y.Feasible, wantFeasible, y.Why)
		}
		if !y.Feasible && (len(y.Why) == 0 || !strings.Contains(y.Why[0], "below min_value ¥8,000,000")) {
			t.Errorf("FY%d: reasons %q, want the min_value proof", y.FY, y.Why)
		}
		if y.Feasible {
			total += y.Cost
			if y.Lots != 1 || y.Cost <= 0 {
				t.Errorf("FY%d: %d lots, cost %.2f", y.FY, y.Lots, y.Cost)
			}
		}
	}
	if c.Total != total {
		t.Errorf("total %.2f, want the feasible years' %.2f", c.Total, total)
	}
	if !strings.Contains(c.Years[2].Why[0], "¥7,997,063") {
		t.Errorf("FY2028: %q", c.Years[2].Why[0])
	}
}
