package solver

import (
	"context"
	"testing"
)

// TestProgrammeLowerBound: the programme bound is at most the recorded CBC optimum of
// pp-tiny (yearly lots) and pp-multi (one five-year block), and not trivially low: it
// is above the sum of the cheapest asset terms alone, which every plan pays.
func TestProgrammeLowerBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  float64
		// floor is the least share of the optimum the bound reached when it was written
		// (pp-tiny 99.98 %, pp-multi 96.9 %): a looser bound is a regression.
		floor float64
	}{{"pp-tiny", 64718059.13, 0.999}, {"pp-multi", 57798637.13, 0.96}} {
		p := testdataProgramme(t, tc.name)
		res, err := ProgrammeLowerBound(context.Background(), p, BoundOptions{Threads: 1, MaxIter: 400})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: bound %.2f (%s), optimum %.2f, gap %.2f %%", tc.name, res.LowerBound, res.Method, tc.opt, 100*(tc.opt-res.LowerBound)/tc.opt)
		if !(res.LowerBound <= tc.opt) {
			t.Errorf("%s: bound %.2f above the optimum %.2f", tc.name, res.LowerBound, tc.opt)
		}
		if res.LowerBound < tc.floor*tc.opt {
			t.Errorf("%s: bound %.2f below %.3f × the optimum", tc.name, res.LowerBound, tc.floor)
		}
	}
}
