package jobs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/fault"
	"github.com/tabane/tabane/internal/whatif"
	"github.com/tabane/tabane/solver"
)

// TestBatchLifeCycle: batches share the queue's life cycle — one solves while the next
// waits, one more is refused by the batch lane's limit (max_queued_batches), a queued
// one is cancelled at once, Close interrupts the running one keeping its state, and a
// new queue marks the batches a previous process left active as interrupted.
func TestBatchLifeCycle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "batches.db")
	s := openStore(t, path)
	scID, inst := demoInstance(t, s)
	b, err := whatif.Parse([]byte(fmt.Sprintf("base: {scenario: %d}\nvariations: [{name: a}, {name: b}]\n", scID)), "batch")
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.Expand(inst)
	if err != nil {
		t.Fatal(err)
	}
	// Every variation solves until it is stopped.
	solving := make(chan struct{}, len(vars))
	hold := func(ctx context.Context, m *solver.Model, opt solver.SolveOptions) (*solver.Result, error) {
		solving <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	q, err := Open(ctx, s, Options{Batches: BatchOptions{Parallel: 1, NoCache: true, MaxQueued: 1, Solve: hold}})
	if err != nil {
		t.Fatal(err)
	}
	submit := func(name string) (data.Batch, error) {
		return q.SubmitBatch(ctx, data.NewBatch{Name: name, ScenarioID: scID, Spec: []byte(`{}`), Total: len(vars)}, vars)
	}
	running, err := submit("running")
	if err != nil {
		t.Fatal(err)
	}
	<-solving
	waiting, err := submit("waiting")
	if err != nil || waiting.Status != data.RunQueued {
		t.Fatalf("second batch %+v %v", waiting, err)
	}
	_, err = submit("refused")
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Code != fault.Limit || fe.Limit != "max_queued_batches" || fe.Max != 1 ||
		fe.Error() != "too many batches are waiting: 1 batches wait behind the running one; cancel one or try again later" {
		t.Fatalf("third batch: %v (%+v)", err, fe)
	}
	if _, total, _ := s.Batches(ctx, data.BatchFilter{}); total != 2 {
		t.Errorf("%d batches stored, want 2 (the refused one is not)", total)
	}
	if err := q.CancelBatch(ctx, waiting.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Batch(ctx, waiting.ID); err != nil || got.Status != data.RunCancelled || got.StartedAt != nil {
		t.Errorf("cancelled queued batch %+v %v", got, err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Batch(ctx, running.ID)
	if err != nil || got.Status != data.RunInterrupted || got.Error == nil || *got.Error != BatchInterrupted {
		t.Errorf("running batch after Close %+v %v", got, err)
	}
	if _, err := submit("late"); !errors.Is(err, ErrClosed) || fault.Code(err) != fault.Unavailable {
		t.Errorf("submit after Close: %v", err)
	}

	// A "crash": batches left queued and running in the database.
	left, err := s.CreateBatch(ctx, data.NewBatch{Name: "left running", ScenarioID: scID, Spec: []byte(`{}`), Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.StartBatch(ctx, left.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	queued, err := s.CreateBatch(ctx, data.NewBatch{Name: "left queued", ScenarioID: scID, Spec: []byte(`{}`), Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openStore(t, path)
	defer s.Close()
	q, err = Open(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for _, id := range []int64{left.ID, queued.ID} {
		if got, err := s.Batch(ctx, id); err != nil || got.Status != data.RunInterrupted || *got.Error != BatchInterrupted {
			t.Errorf("batch %d after reopen %+v %v", id, got, err)
		}
	}
}
