package solver

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// TestLowerBoundReport prints the bound on the file named by TABANE_BOUND_FILE (a
// development aid; without the variable it bounds p-nara with 20 iterations).
func TestLowerBoundReport(t *testing.T) {
	path := os.Getenv("TABANE_BOUND_FILE")
	it := 0
	if path == "" {
		path, it = sharedInstances+"/p-nara.json", 20
	}
	m := loadModel(t, path)
	ub, _ := strconv.ParseFloat(os.Getenv("TABANE_BOUND_UB"), 64)
	r := LowerBound(context.Background(), m, BoundOptions{MaxIter: it, UpperBound: ub, Log: func(s string) {
		if os.Getenv("TABANE_BOUND_LOG") != "" {
			t.Log(s)
		}
	}})
	t.Logf("%s: %.2f %s", path, r.LowerBound, r.Method)
}
