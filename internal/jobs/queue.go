// Package jobs runs solves in the background: a queue of runs persisted in SQLite
// (data.Store's runs table), solved a bounded number at a time, with their progress fanned
// out to subscribers (the API's Server-Sent Events), cancellation that keeps the best plan
// found so far, and the plan saved in one transaction with the run's final status.
//
// Life cycle of a run: queued → running → done | failed | cancelled. A run the server did
// not finish (a crash, a restart) is marked interrupted when the queue opens again; it is
// not resumed — start a new run.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// Options configure a Queue.
type Options struct {
	// Concurrency is how many runs are solved at once; 0 means 1. Further runs wait,
	// queued, in submission order.
	Concurrency int
	// Threads is the number of search workers of each solve; 0 means
	// GOMAXPROCS / Concurrency (at least 1).
	Threads int
	// ProgressEvery is the least time between two progress snapshots written to the
	// database (subscribers get every snapshot); 0 means one second.
	ProgressEvery time.Duration
	// Logger receives one line per run start and end; nil discards.
	Logger *slog.Logger
}

// Limits of a run request.
const (
	DefaultTimeLimit = 10 * time.Second
	MaxTimeLimit     = time.Hour
)

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("the run queue is closed (the server is shutting down)")

// Queue is the run queue of one server. It is safe for concurrent use.
type Queue struct {
	store *data.Store
	opt   Options
	log   *slog.Logger

	mu      sync.Mutex
	closed  bool
	pending []*job         // queued, in order
	active  map[int64]*job // queued or running
	running int
	wg      sync.WaitGroup
}

// job is the in-memory side of an active run.
type job struct {
	id      int64
	limit   time.Duration
	seed    int64
	started bool
	cancel  context.CancelFunc // set once running
	stopBy  string             // "", "user" or "shutdown": why the run was asked to stop
	last    *data.RunProgress
	subs    map[chan data.RunProgress]struct{}
	done    chan struct{} // closed when the run's final state is in the database
}

// Open marks every run a previous server left queued or running as interrupted and
// returns a queue ready to take runs.
func Open(ctx context.Context, store *data.Store, opt Options) (*Queue, error) {
	q := New(store, opt)
	n, err := store.InterruptRuns(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		q.log.Warn("runs interrupted by the previous shutdown", slog.Int("runs", n))
	}
	return q, nil
}

// New returns a queue without looking at runs left by a previous server (see Open).
func New(store *data.Store, opt Options) *Queue {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 1
	}
	if opt.Threads <= 0 {
		opt.Threads = max(1, runtime.GOMAXPROCS(0)/opt.Concurrency)
	}
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = time.Second
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Queue{store: store, opt: opt, log: log, active: map[int64]*job{}}
}

// Request is what a client asks of a run.
type Request struct {
	TimeLimit time.Duration // 0 = DefaultTimeLimit
	Seed      int64
}

// Submit validates inst (a *solver.ValidationError lists its problems), stores a queued
// run of the scenario holding the instance, and queues it.
func (q *Queue) Submit(ctx context.Context, scenarioID int64, req Request, inst *solver.Instance) (data.Run, error) {
	if req.TimeLimit == 0 {
		req.TimeLimit = DefaultTimeLimit
	}
	if req.TimeLimit < 0 || req.TimeLimit > MaxTimeLimit {
		return data.Run{}, &solver.ValidationError{Problems: []solver.InputError{{Path: "time_limit_s",
			Msg: fmt.Sprintf("must be > 0 and ≤ %g, found %g", MaxTimeLimit.Seconds(), req.TimeLimit.Seconds())}}}
	}
	if _, err := solver.Compile(inst); err != nil {
		return data.Run{}, err
	}
	instJSON, err := json.Marshal(inst)
	if err != nil {
		return data.Run{}, fmt.Errorf("submit: %w", err)
	}
	params, _ := json.Marshal(map[string]any{"time_limit_s": req.TimeLimit.Seconds(), "seed": req.Seed})
	q.mu.Lock()
	closed := q.closed
	q.mu.Unlock()
	if closed {
		return data.Run{}, ErrClosed
	}
	run, err := q.store.CreateRun(ctx, data.NewRun{ScenarioID: scenarioID, Seed: req.Seed,
		TimeLimitS: req.TimeLimit.Seconds(), Params: params, Instance: instJSON})
	if err != nil {
		return data.Run{}, err
	}
	j := &job{id: run.ID, limit: req.TimeLimit, seed: req.Seed, subs: map[chan data.RunProgress]struct{}{}, done: make(chan struct{})}
	q.mu.Lock()
	if q.closed {
		// Close came in between: the run never starts.
		q.mu.Unlock()
		q.finishQueued(j, data.RunInterrupted, "the server shut down before the run started; start a new run")
		return data.Run{}, ErrClosed
	}
	q.active[run.ID] = j
	q.pending = append(q.pending, j)
	q.pumpLocked()
	q.mu.Unlock()
	return run, nil
}

// pumpLocked starts queued runs while there is room. q.mu is held.
func (q *Queue) pumpLocked() {
	for !q.closed && q.running < q.opt.Concurrency && len(q.pending) > 0 {
		j := q.pending[0]
		q.pending = q.pending[1:]
		j.started = true
		q.running++
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			q.solve(j)
			q.mu.Lock()
			q.running--
			q.pumpLocked()
			q.mu.Unlock()
		}()
	}
}

// solve runs one job to its end and records it.
func (q *Queue) solve(j *job) {
	bg := context.Background()
	ok, err := q.store.StartRun(bg, j.id)
	if err != nil || !ok {
		q.end(j, data.RunResult{Status: data.RunFailed, Error: fmt.Sprintf("the run could not start: %v", err)})
		return
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	q.mu.Lock()
	j.cancel = cancel
	if j.stopBy != "" {
		cancel()
	}
	q.mu.Unlock()
	q.log.Info("run started", slog.Int64("run", j.id), slog.Float64("time_limit_s", j.limit.Seconds()), slog.Int64("seed", j.seed))

	raw, err := q.store.RunInstance(bg, j.id)
	var m *solver.Model
	if err == nil {
		var inst *solver.Instance
		if inst, err = solver.ParseInstance(raw); err == nil {
			m, err = solver.Compile(inst)
		}
	}
	if err != nil {
		q.end(j, data.RunResult{Status: data.RunFailed, Error: "instance: " + err.Error()})
		return
	}
	var lastSaved time.Time
	var last data.RunProgress
	res, err := solver.Solve(ctx, m, solver.SolveOptions{TimeLimit: j.limit, Seed: j.seed, Threads: q.opt.Threads,
		Progress: func(p solver.Progress) {
			rp := progressOf(p)
			last = rp
			q.publish(j, rp)
			if time.Since(lastSaved) >= q.opt.ProgressEvery {
				lastSaved = time.Now()
				if err := q.store.SaveRunProgress(bg, j.id, rp); err != nil {
					q.log.Warn("run progress not saved", slog.Int64("run", j.id), slog.Any("err", err))
				}
			}
		}})
	q.mu.Lock()
	stopBy := j.stopBy
	q.mu.Unlock()
	var out data.RunResult
	out.Progress = &last
	switch {
	case err != nil:
		out.Status, out.Error = data.RunFailed, err.Error()
	case res.Plan == nil && len(res.Infeasible) > 0 && res.StopReason != "cancelled":
		msgs := make([]string, len(res.Infeasible))
		for i, r := range res.Infeasible {
			msgs[i] = r.Message
		}
		out.Status, out.Error = data.RunFailed, "no feasible plan: "+strings.Join(msgs, "; ")
	default:
		out.Status = data.RunDone
		if res.StopReason == "cancelled" {
			out.Status = data.RunCancelled
			if stopBy == "shutdown" {
				out.Error = "stopped by the server's shutdown; the best plan found so far is kept"
			}
			if res.Plan == nil {
				out.Error = strings.TrimPrefix(out.Error+"; no feasible plan had been found yet", "; ")
			}
		}
		if res.Plan != nil {
			rep := NewPlanReport(res)
			b, err := json.Marshal(rep)
			if err != nil {
				out = data.RunResult{Status: data.RunFailed, Error: "plan: " + err.Error(), Progress: &last}
				break
			}
			out.Plan, out.Summary = b, rep.Summary()
			out.Cost, out.Bound = &rep.Cost, rep.LowerBound
		}
	}
	q.end(j, out)
}

// publish hands a progress snapshot to every subscriber; one that is behind misses it.
func (q *Queue) publish(j *job, p data.RunProgress) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j.last = &p
	for ch := range j.subs {
		select {
		case ch <- p:
		default:
		}
	}
}

// end records the run's final state, then tells its subscribers and forgets it.
func (q *Queue) end(j *job, res data.RunResult) {
	run, err := q.store.FinishRun(context.Background(), j.id, res)
	if err != nil && !errors.Is(err, data.ErrConflict) {
		// The plan could not be stored (a full disk, a locked database): record the
		// failure without it rather than leave the run "running" for ever.
		q.log.Error("run end not recorded", slog.Int64("run", j.id), slog.Any("err", err))
		run, err = q.store.FinishRun(context.Background(), j.id, data.RunResult{Status: data.RunFailed,
			Error: "the run ended but its result could not be stored: " + err.Error(), Progress: res.Progress})
		if err != nil && !errors.Is(err, data.ErrConflict) {
			q.log.Error("run failure not recorded", slog.Int64("run", j.id), slog.Any("err", err))
		}
	}
	q.log.Info("run ended", slog.Int64("run", j.id), slog.String("status", run.Status), slog.String("error", res.Error))
	q.mu.Lock()
	for ch := range j.subs {
		close(ch)
	}
	j.subs = nil
	delete(q.active, j.id)
	q.mu.Unlock()
	close(j.done)
}

// finishQueued ends a run that never started.
func (q *Queue) finishQueued(j *job, status, reason string) {
	q.end(j, data.RunResult{Status: status, Error: reason})
}

// Cancel stops a run: a queued run is cancelled at once; a running one stops and keeps
// the best plan found so far. Cancel returns when the run's final state is stored. A run
// that already ended gives data.ErrConflict; an unknown one data.ErrNotFound.
func (q *Queue) Cancel(ctx context.Context, id int64) (data.Run, error) {
	q.mu.Lock()
	j := q.active[id]
	if j == nil {
		q.mu.Unlock()
		run, err := q.store.Run(ctx, id)
		if err != nil {
			return run, err
		}
		return run, fmt.Errorf("run %d has already ended (%s); nothing to cancel: %w", id, run.Status, data.ErrConflict)
	}
	if j.stopBy == "" {
		j.stopBy = "user"
	}
	if !j.started {
		for i, p := range q.pending {
			if p == j {
				q.pending = append(q.pending[:i:i], q.pending[i+1:]...)
				break
			}
		}
		q.mu.Unlock()
		q.finishQueued(j, data.RunCancelled, "")
		return q.store.Run(ctx, id)
	}
	if j.cancel != nil {
		j.cancel()
	}
	q.mu.Unlock()
	select {
	case <-j.done:
	case <-ctx.Done():
		return data.Run{}, ctx.Err()
	}
	return q.store.Run(ctx, id)
}

// Subscribe follows a run's progress: the channel receives progress snapshots (the
// latest one at once, if any) and is closed when the run has ended and its final state
// is stored; for a run that already ended it is closed at once. Call stop when no longer
// reading.
func (q *Queue) Subscribe(id int64) (ch <-chan data.RunProgress, stop func()) {
	c := make(chan data.RunProgress, 64)
	q.mu.Lock()
	defer q.mu.Unlock()
	j := q.active[id]
	if j == nil {
		close(c)
		return c, func() {}
	}
	if j.last != nil {
		c <- *j.last
	}
	j.subs[c] = struct{}{}
	return c, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		if _, ok := j.subs[c]; ok {
			delete(j.subs, c)
			close(c)
		}
	}
}

// Progress is the latest progress of an active run (fresher than the database's copy,
// which is written at most every ProgressEvery); nil when there is none.
func (q *Queue) Progress(id int64) *data.RunProgress {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j := q.active[id]; j != nil && j.last != nil {
		p := *j.last
		return &p
	}
	return nil
}

// Active reports whether a run is queued or running in this queue.
func (q *Queue) Active(id int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active[id] != nil
}

// Close stops the queue: queued runs are marked interrupted, running ones are cancelled
// and keep their best plans (status cancelled); Close returns when every run's final
// state is stored. Submit fails afterwards.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.wg.Wait()
		return nil
	}
	q.closed = true
	queued := q.pending
	q.pending = nil
	for _, j := range q.active {
		j.stopBy = "shutdown"
		if j.cancel != nil {
			j.cancel()
		}
	}
	q.mu.Unlock()
	for _, j := range queued {
		q.finishQueued(j, data.RunInterrupted, "the server shut down before the run started; start a new run")
	}
	q.wg.Wait()
	return nil
}
