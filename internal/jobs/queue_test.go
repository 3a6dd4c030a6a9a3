package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

func openStore(t *testing.T, path string) *data.Store {
	t.Helper()
	s, err := data.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOpenInterruptsLeftoverRuns: runs a crashed server left queued or running are
// interrupted when the queue opens again; finished runs keep their state and plan.
func TestOpenInterruptsLeftoverRuns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	s := openStore(t, path)
	sc, err := s.CreateScenario(ctx, data.Scenario{Name: "s", FiscalYear: 2027, Params: data.DefaultParams()})
	if err != nil {
		t.Fatal(err)
	}
	newRun := func() int64 {
		r, err := s.CreateRun(ctx, data.NewRun{ScenarioID: sc.ID, Seed: 1, TimeLimitS: 5, Instance: json.RawMessage(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	running, queued, done := newRun(), newRun(), newRun()
	for _, id := range []int64{running, done} {
		if ok, err := s.StartRun(ctx, id); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	cost := 10.0
	if _, err := s.FinishRun(ctx, done, data.RunResult{Status: data.RunDone, Plan: json.RawMessage(`{"bundles": []}`), Cost: &cost}); err != nil {
		t.Fatal(err)
	}
	s.Close() // the "crash": nothing marks the active runs

	s = openStore(t, path)
	defer s.Close()
	q, err := Open(ctx, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for id, want := range map[int64]string{running: data.RunInterrupted, queued: data.RunInterrupted, done: data.RunDone} {
		r, err := s.Run(ctx, id)
		if err != nil || r.Status != want || r.FinishedAt == nil {
			t.Errorf("run %d after reopen: %+v %v, want %s", id, r, err, want)
		}
		if want == data.RunInterrupted && (r.Error == nil || !strings.Contains(*r.Error, "start a new run")) {
			t.Errorf("interrupted run %d says %v", id, r.Error)
		}
	}
	if r, _ := s.Run(ctx, done); !r.HasPlan {
		t.Error("the finished run lost its plan")
	}
	// Following an interrupted run ends at once; cancelling it is a conflict.
	ch, stop := q.Subscribe(running)
	defer stop()
	if _, open := <-ch; open {
		t.Error("progress from an interrupted run")
	}
	if _, err := q.Cancel(ctx, running); !errors.Is(err, data.ErrConflict) {
		t.Errorf("cancel an interrupted run: %v", err)
	}
	if _, err := q.Cancel(ctx, 999); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("cancel a missing run: %v", err)
	}
}

// demoInstance is the instance of the demo's four northern cities: hundreds of assets,
// so that a run goes on until it is stopped.
func demoInstance(t *testing.T, s *data.Store) (int64, *solver.Instance) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	sc, err := s.CreateScenario(ctx, data.Scenario{Name: "north", FiscalYear: 2027, Params: data.DefaultParams(),
		Filter: &data.ScenarioFilter{Municipalities: []string{"29201", "29202", "29203", "29204"}}})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := s.ScenarioInstance(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	return sc.ID, inst
}

// waitFeasible reads progress until a feasible plan is reported.
func waitFeasible(t *testing.T, ch <-chan data.RunProgress) {
	t.Helper()
	for p := range ch {
		if p.Feasible {
			return
		}
	}
	t.Fatal("the run ended before a feasible plan")
}

// TestBoundedConcurrencyAndClose: with concurrency 2, a third run waits queued; Close
// stops the running ones keeping their best plans (cancelled, said to be the shutdown),
// marks the queued one interrupted, closes the progress streams, and refuses new runs.
func TestBoundedConcurrencyAndClose(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "close.db"))
	defer s.Close()
	scID, inst := demoInstance(t, s)
	q, err := Open(ctx, s, Options{Concurrency: 2, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var subs []<-chan data.RunProgress
	for range 3 {
		r, err := q.Submit(ctx, scID, Request{TimeLimit: 10 * time.Minute, Seed: 1}, inst)
		if err != nil {
			t.Fatal(err)
		}
		ch, stop := q.Subscribe(r.ID)
		defer stop()
		ids, subs = append(ids, r.ID), append(subs, ch)
	}
	waitFeasible(t, subs[0])
	waitFeasible(t, subs[1])
	if r, _ := s.Run(ctx, ids[2]); r.Status != data.RunQueued {
		t.Errorf("third run %s while two run (concurrency 2), want queued", r.Status)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids[:2] {
		r, _ := s.Run(ctx, id)
		if r.Status != data.RunCancelled || !r.HasPlan || r.Error == nil || !strings.Contains(*r.Error, "shutdown") {
			t.Errorf("running run %d after Close: %+v", i, r)
		}
		if _, err := s.RunPlan(ctx, id); err != nil {
			t.Errorf("plan of run %d: %v", id, err)
		}
	}
	if r, _ := s.Run(ctx, ids[2]); r.Status != data.RunInterrupted || r.HasPlan {
		t.Errorf("queued run after Close: %+v", r)
	}
	for _, ch := range subs {
		for range ch { // drains, then ends: Close closed every stream
		}
	}
	if _, err := q.Submit(ctx, scID, Request{}, inst); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close: %v", err)
	}
}

// TestSubmitRefusals: an invalid instance and an out-of-range time limit are refused
// with their problems before anything is stored.
func TestSubmitRefusals(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "refuse.db"))
	defer s.Close()
	q := New(s, Options{})
	defer q.Close()
	inst := &solver.Instance{Version: 3, Params: data.DefaultParams(), Municipalities: []solver.Municipality{}, Assets: []solver.Asset{}}
	var ve *solver.ValidationError
	if _, err := q.Submit(ctx, 0, Request{}, inst); !errors.As(err, &ve) || ve.Problems[0].Path != "version" {
		t.Errorf("invalid instance: %v", err)
	}
	// Version 2 is a programme (docs/programme.md), checked by its rules: it needs one.
	inst.Version = 2
	if _, err := q.Submit(ctx, 0, Request{}, inst); !errors.As(err, &ve) || ve.Problems[len(ve.Problems)-1].Path != "programme" {
		t.Errorf("programme without its programme object: %v", err)
	}
	inst.Version = 1
	if _, err := q.Submit(ctx, 0, Request{MaxIterations: -1}, inst); !errors.As(err, &ve) || ve.Problems[0].Path != "max_iterations" {
		t.Errorf("max_iterations: %v", err)
	}
	inst.Version = 1
	if _, err := q.Submit(ctx, 0, Request{TimeLimit: 2 * MaxTimeLimit}, inst); !errors.As(err, &ve) || ve.Problems[0].Path != "time_limit_s" {
		t.Errorf("time limit: %v", err)
	}
	if _, total, _ := s.Runs(ctx, data.RunFilter{}); total != 0 {
		t.Errorf("%d runs stored by refused submissions", total)
	}
}
