package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestSolveProgrammeNowHoldsASlot: a programme solve waits for a slot of the stateless
// solves like a one-year one: with every slot taken it gives up when its context ends,
// without solving; once a slot is free it solves pp-tiny and frees the slot again.
func TestSolveProgrammeNowHoldsASlot(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "solver", "testdata", "pp-tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := solver.ParseInstance(raw)
	if err != nil {
		t.Fatal(err)
	}
	p, err := solver.CompileProgramme(inst)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, filepath.Join(t.TempDir(), "direct.db"))
	defer s.Close()
	q := New(s, Options{})
	defer q.Close()
	slots := cap(q.direct)
	for range slots {
		q.direct <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := q.SolveProgrammeNow(ctx, p, solver.SolveOptions{Threads: 1, MaxIterations: 10}); !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("every slot taken: result %v, error %v; want context.Canceled", res, err)
	}
	<-q.direct
	res, err := q.SolveProgrammeNow(context.Background(), p, solver.SolveOptions{Threads: 1, MaxIterations: 10})
	if err != nil || res.Evaluation == nil || len(res.Plan.Schedule) != 95 {
		t.Fatalf("a slot free: error %v, result %+v", err, res)
	}
	if len(q.direct) != slots-1 {
		t.Errorf("after the solve %d slot(s) taken, want %d", len(q.direct), slots-1)
	}
}
