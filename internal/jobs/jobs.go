// Package jobs is tabane's one job system: solver runs and what-if batches (and, next,
// programme runs) share one queue with one life cycle, persisted in SQLite (data.Store's
// runs and batches tables):
//
//	queued → running → done | failed | cancelled | interrupted
//
// A kind of job has its own solver slots (Options.Concurrency runs, one batch at a
// time) and its own bound on the jobs that wait (Options.MaxQueuedRuns,
// BatchOptions.MaxQueued); a submission beyond the bound is refused with a fault.Limit
// error, and the check and the insert are one step, so the bound holds under any number
// of concurrent submissions. Cancel stops a job and keeps what it found (a run's best
// plan, a batch's finished rows). Close ends the queue: running runs stop keeping their
// best plans (cancelled), a running batch keeps its rows (interrupted), queued jobs end
// interrupted. A job a previous process did not finish (a crash, a restart) is marked
// interrupted when the queue opens again (Open); it is not resumed.
//
// Runs fan their progress out to subscribers (the API's Server-Sent Events) and save
// their plan report (solver.Report) in one transaction with the final status.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/fault"
	"github.com/tabane/tabane/solver"
)

// Kind is the kind of a job.
type Kind string

// Kinds of jobs.
const (
	KindRun   Kind = "run"
	KindBatch Kind = "batch"
)

// Options configure a Queue.
type Options struct {
	// Concurrency is how many runs are solved at once; 0 means 1. Further runs wait,
	// queued, in submission order.
	Concurrency int
	// Threads is the number of search workers of each run; 0 means
	// GOMAXPROCS / Concurrency (at least 1).
	Threads int
	// MaxQueuedRuns bounds the runs waiting for a solver slot (also those a previous
	// process left queued); 0 means DefaultMaxQueuedRuns.
	MaxQueuedRuns int
	// ProgressEvery is the least time between two progress snapshots written to the
	// database (subscribers get every snapshot); 0 means one second.
	ProgressEvery time.Duration
	// Batches configure the what-if batches.
	Batches BatchOptions
	// Logger receives one line per job start and end; nil discards.
	Logger *slog.Logger
}

// Defaults of the limits.
const (
	DefaultTimeLimit        = 10 * time.Second
	MaxTimeLimit            = time.Hour
	DefaultMaxQueuedRuns    = 100
	DefaultMaxQueuedBatches = 16
)

// ErrClosed is returned by the submissions after Close.
var ErrClosed error = fault.New(fault.Unavailable, "the job queue is closed (the server is shutting down)")

// Causes of a job's stop, given to its context.
var (
	errStopUser     = errors.New("cancelled")
	errStopShutdown = errors.New("the server is shutting down")
)

// Queue is the job queue of one server. It is safe for concurrent use.
type Queue struct {
	store *data.Store
	opt   Options
	log   *slog.Logger

	// admit serialises a submission's limit check with its insert, and a job's move
	// from queued to running in the database with the lane's count of it: the count of
	// waiting jobs a submission reads is then always exact.
	admit sync.Mutex

	// direct bounds the synchronous solves (SolveNow) running at once.
	direct chan struct{}

	mu     sync.Mutex
	closed bool
	lanes  map[Kind]*lane
	active map[jobKey]*job // queued or running
	wg     sync.WaitGroup
}

// lane is one kind's slots and waiting jobs.
type lane struct {
	slots, maxQueued int
	limitName        string // the limit's name in a refusal (max_queued_runs)
	pending          []*job // queued, in order
	running          int    // started, not yet ended
	// starting counts started jobs whose database row still says queued.
	starting int
	// queuedInStore counts the lane's queued jobs in the database, also those of
	// another process.
	queuedInStore func(context.Context) (int, error)
	// describe says how many wait, for the refusal ("3 runs are waiting …").
	describe func(n int) string
}

type jobKey struct {
	kind Kind
	id   int64
}

// job is the in-memory side of an active job. kind-specific behaviour is in exec and
// endQueued; the life cycle is the queue's.
type job struct {
	kind    Kind
	id      int64
	started bool
	cancel  context.CancelCauseFunc // set once running
	stopBy  error                   // nil, errStopUser or errStopShutdown
	// markRunning moves the job's row to running; false when it is no longer queued.
	markRunning func(context.Context) (bool, error)
	// exec does the work and records the final state.
	exec func(ctx context.Context, j *job)
	// endQueued records the end of a job that never started.
	endQueued func(status, reason string)

	// Runs: the latest progress and its subscribers.
	last *data.RunProgress
	subs map[chan data.RunProgress]struct{}
	done chan struct{} // closed when the job's final state is in the database
}

// Open marks every job a previous process left queued or running as interrupted and
// returns a queue ready to take jobs.
func Open(ctx context.Context, store *data.Store, opt Options) (*Queue, error) {
	q := New(store, opt)
	n, err := store.InterruptRuns(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		q.log.Warn("runs interrupted by the previous shutdown", slog.Int("runs", n))
	}
	if n, err = store.InterruptBatches(ctx, BatchInterrupted); err != nil {
		return nil, err
	}
	if n > 0 {
		q.log.Warn("batches interrupted by the previous shutdown", slog.Int("batches", n))
	}
	return q, nil
}

// New returns a queue without looking at jobs left by a previous process (see Open).
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
	if opt.MaxQueuedRuns <= 0 {
		opt.MaxQueuedRuns = DefaultMaxQueuedRuns
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := &Queue{store: store, opt: opt, log: log, active: map[jobKey]*job{},
		direct: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}
	q.lanes = map[Kind]*lane{
		KindRun: {slots: opt.Concurrency, maxQueued: opt.MaxQueuedRuns, limitName: "max_queued_runs",
			queuedInStore: func(ctx context.Context) (int, error) {
				_, n, err := store.Runs(ctx, data.RunFilter{Status: data.RunQueued, Limit: 1})
				return n, err
			},
			describe: func(n int) string {
				return fmt.Sprintf("max_queued_runs: %d runs are waiting for a solver slot, the most this server queues; retry later or cancel some", n)
			}},
		KindBatch: {slots: 1, limitName: "max_queued_batches",
			queuedInStore: func(ctx context.Context) (int, error) {
				_, n, err := store.Batches(ctx, data.BatchFilter{Status: data.RunQueued, Limit: 1})
				return n, err
			},
			describe: func(n int) string {
				return fmt.Sprintf("too many batches are waiting: %d batches wait behind the running one; cancel one or try again later", n)
			}},
	}
	q.setBatchOptionsLocked(opt.Batches)
	return q
}

// submit stores a new job (create inserts its queued row and returns its id) and queues
// it, unless the queue is closed or its kind's lane is full. The limit check and the
// insert are one step under q.admit.
func (q *Queue) submit(ctx context.Context, j *job, create func() (int64, error)) error {
	q.admit.Lock()
	defer q.admit.Unlock()
	if err := q.room(ctx, j.kind); err != nil {
		return err
	}
	id, err := create()
	if err != nil {
		return err
	}
	j.id = id
	j.done = make(chan struct{})
	q.mu.Lock()
	if q.closed {
		// Close came in between: the job never starts.
		q.mu.Unlock()
		q.finish(j, func() { j.endQueued(data.RunInterrupted, interruptedReason(j.kind)) })
		return ErrClosed
	}
	q.active[jobKey{j.kind, id}] = j
	l := q.lanes[j.kind]
	l.pending = append(l.pending, j)
	q.pumpLocked()
	q.mu.Unlock()
	return nil
}

// SolveNow solves m at once, in the caller's goroutine, for a client that waits for the
// answer (the API's stateless POST /solve): at most half the CPUs' worth of such solves
// run at a time, the others wait for a slot while ctx lasts.
func (q *Queue) SolveNow(ctx context.Context, m *solver.Model, opt solver.SolveOptions) (*solver.Result, error) {
	return holdDirect(ctx, q, func() (*solver.Result, error) { return solver.Solve(ctx, m, opt) })
}

// SolveProgrammeNow is SolveNow for a version-2 programme: it holds a slot of the
// same bound, so programme and one-year stateless solves share it.
func (q *Queue) SolveProgrammeNow(ctx context.Context, p *solver.Programme, opt solver.SolveOptions) (*solver.ProgrammeResult, error) {
	return holdDirect(ctx, q, func() (*solver.ProgrammeResult, error) { return solver.SolveProgramme(ctx, p, opt) })
}

// holdDirect runs solve while holding a slot of q.direct, waiting for one while ctx lasts.
func holdDirect[R any](ctx context.Context, q *Queue, solve func() (*R, error)) (*R, error) {
	select {
	case q.direct <- struct{}{}:
		defer func() { <-q.direct }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return solve()
}

// Room says whether a job of kind would be taken now: ErrClosed, a fault.Limit error
// when its lane is full, or nil. It lets a caller refuse before costly work (building
// an instance); the submission checks again, in one step with its insert.
func (q *Queue) Room(ctx context.Context, kind Kind) error {
	q.admit.Lock()
	defer q.admit.Unlock()
	return q.room(ctx, kind)
}

// room is Room with q.admit held.
func (q *Queue) room(ctx context.Context, kind Kind) error {
	q.mu.Lock()
	closed := q.closed
	l := q.lanes[kind]
	starting, maxQueued := l.starting, l.maxQueued
	q.mu.Unlock()
	if closed {
		return ErrClosed
	}
	inStore, err := l.queuedInStore(ctx)
	if err != nil {
		return err
	}
	if waiting := inStore - starting; waiting >= maxQueued {
		return &fault.Error{Code: fault.Limit, Message: l.describe(waiting), Limit: l.limitName, Max: maxQueued}
	}
	return nil
}

// pumpLocked starts queued jobs while their lanes have free slots. q.mu is held.
func (q *Queue) pumpLocked() {
	for _, l := range q.lanes {
		for !q.closed && l.running < l.slots && len(l.pending) > 0 {
			j := l.pending[0]
			l.pending = l.pending[1:]
			j.started = true
			l.running++
			l.starting++
			q.wg.Add(1)
			go q.execute(l, j)
		}
	}
}

// execute runs a started job to its end, then frees its slot.
func (q *Queue) execute(l *lane, j *job) {
	defer q.wg.Done()
	bg := context.Background()
	q.admit.Lock()
	ok, err := j.markRunning(bg)
	q.mu.Lock()
	l.starting--
	q.mu.Unlock()
	q.admit.Unlock()
	switch {
	case err != nil:
		q.finish(j, func() { j.endQueued(data.RunFailed, fmt.Sprintf("the %s could not start: %v", j.kind, err)) })
	case !ok:
		q.finish(j, func() {}) // cancelled (or gone) while it waited
	default:
		ctx, cancel := context.WithCancelCause(bg)
		q.mu.Lock()
		j.cancel = cancel
		if j.stopBy != nil {
			cancel(j.stopBy)
		}
		q.mu.Unlock()
		j.exec(ctx, j)
		cancel(nil)
	}
	q.mu.Lock()
	l.running--
	q.pumpLocked()
	q.mu.Unlock()
}

// finish records a job's end (record), then tells its subscribers and forgets it.
func (q *Queue) finish(j *job, record func()) {
	record()
	q.mu.Lock()
	for ch := range j.subs {
		close(ch)
	}
	j.subs = nil
	delete(q.active, jobKey{j.kind, j.id})
	q.mu.Unlock()
	close(j.done)
}

// cancel stops an active job of this queue: a queued one ends cancelled at once, a
// running one stops keeping what it found, and cancel returns when its final state is
// stored (or ctx ends). held is false when the queue does not hold the job.
func (q *Queue) cancel(ctx context.Context, kind Kind, id int64) (held bool, err error) {
	q.mu.Lock()
	j := q.active[jobKey{kind, id}]
	if j == nil {
		q.mu.Unlock()
		return false, nil
	}
	if j.stopBy == nil {
		j.stopBy = errStopUser
	}
	if !j.started {
		l := q.lanes[kind]
		for i, p := range l.pending {
			if p == j {
				l.pending = append(l.pending[:i:i], l.pending[i+1:]...)
				break
			}
		}
		q.mu.Unlock()
		q.finish(j, func() { j.endQueued(data.RunCancelled, "") })
		return true, nil
	}
	if j.cancel != nil {
		j.cancel(j.stopBy)
	}
	q.mu.Unlock()
	select {
	case <-j.done:
		return true, nil
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

// Close stops the queue: queued jobs end interrupted, running runs stop and keep their
// best plans (cancelled), a running batch stops and keeps its rows (interrupted); Close
// returns when every job's final state is stored. Submissions fail afterwards.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.wg.Wait()
		return nil
	}
	q.closed = true
	var queued []*job
	for _, l := range q.lanes {
		queued = append(queued, l.pending...)
		l.pending = nil
	}
	for _, j := range q.active {
		j.stopBy = errStopShutdown
		if j.cancel != nil {
			j.cancel(errStopShutdown)
		}
	}
	q.mu.Unlock()
	for _, j := range queued {
		q.finish(j, func() { j.endQueued(data.RunInterrupted, interruptedReason(j.kind)) })
	}
	q.wg.Wait()
	return nil
}

// interruptedReason is the error of a job the server did not finish.
func interruptedReason(kind Kind) string {
	if kind == KindBatch {
		return BatchInterrupted
	}
	return "the server shut down before the run started; start a new run"
}
