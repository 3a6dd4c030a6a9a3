package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/whatif"
)

// What-if batches (issue 7) as jobs: one batch solves at a time, its variations side by
// side (BatchOptions.Parallel); each finished variation is stored as a row at once, so a
// reader sees the rows so far and a cancelled or interrupted batch keeps them. Results
// are cached by whatif's content hash in BatchOptions.CacheDir, so a batch posted again
// solves only what changed.

// BatchOptions tune the what-if batches.
type BatchOptions struct {
	// CacheDir holds the cached results of solved variations; "" is the folder
	// <database file>.whatif-cache next to the database (the user's cache folder
	// tabane/whatif for a database without a file).
	CacheDir string
	// NoCache turns the cache off: every variation solves.
	NoCache bool
	// Parallel is how many variations of a batch solve at once; 0 is half the CPUs
	// (at least 1), leaving room for the runs.
	Parallel int
	// MaxQueued is how many batches may wait behind the running one; 0 is
	// DefaultMaxQueuedBatches. One more is refused with a fault.Limit error
	// (max_queued_batches).
	MaxQueued int
	// Solve replaces solver.Solve (nil = solver.Solve): a hook to observe or hold the
	// real solver.
	Solve whatif.SolveFunc
}

// BatchInterrupted is the error of a batch the server did not finish.
const BatchInterrupted = "the server stopped before the batch finished; its finished rows are kept — post the batch again to finish it (finished variations come from the cache)"

// ConfigureBatches sets the options of the batches that start from now on; a running
// batch keeps the cache and parallelism it started with.
func (q *Queue) ConfigureBatches(opt BatchOptions) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.setBatchOptionsLocked(opt)
}

func (q *Queue) setBatchOptionsLocked(opt BatchOptions) {
	q.opt.Batches = opt
	if l := q.lanes[KindBatch]; l != nil {
		l.maxQueued = opt.MaxQueued
		if l.maxQueued <= 0 {
			l.maxQueued = DefaultMaxQueuedBatches
		}
	}
}

// SubmitBatch stores a queued batch (nb) whose variations are vars, and queues it. A
// full queue is a fault.Limit error (max_queued_batches), a closed one ErrClosed.
func (q *Queue) SubmitBatch(ctx context.Context, nb data.NewBatch, vars []whatif.Variation) (data.Batch, error) {
	var b data.Batch
	j := &job{kind: KindBatch}
	j.markRunning = func(ctx context.Context) (bool, error) { return q.store.StartBatch(ctx, j.id) }
	j.exec = func(ctx context.Context, j *job) {
		q.mu.Lock()
		opt := q.opt.Batches
		q.mu.Unlock()
		status, msg := q.runBatch(ctx, j.id, vars, opt)
		q.finish(j, func() { q.recordBatch(j.id, status, msg) })
	}
	j.endQueued = func(status, reason string) { q.recordBatch(j.id, status, reason) }
	err := q.submit(ctx, j, func() (int64, error) {
		var err error
		b, err = q.store.CreateBatch(ctx, nb)
		return b.ID, err
	})
	return b, err
}

// runBatch solves a batch, storing each row as it finishes, and says how it ended:
// done, cancelled (Cancel), interrupted (Close) or failed.
func (q *Queue) runBatch(ctx context.Context, id int64, vars []whatif.Variation, opt BatchOptions) (status, msg string) {
	// The store outlives the batch's context: rows and the final state are written
	// also after a cancel.
	bg := context.WithoutCancel(ctx)
	parallel := opt.Parallel
	if parallel <= 0 {
		parallel = max(1, runtime.GOMAXPROCS(0)/2)
	}
	var storeErr error
	_, runErr := whatif.Run(ctx, vars, whatif.RunOptions{
		Parallel: parallel,
		CacheDir: batchCacheDir(opt, q.store.Path()),
		Solve:    opt.Solve,
		OnRow: func(row whatif.Row) {
			if err := q.storeRow(bg, id, row); err != nil && storeErr == nil {
				storeErr = err
				q.log.Error("batch row not stored", slog.Int64("batch", id), slog.Int("variation", row.Index), slog.Any("err", err))
			}
		},
	})
	switch cause := context.Cause(ctx); {
	case storeErr != nil:
		return data.RunFailed, "store the rows: " + storeErr.Error()
	case runErr != nil && errors.Is(cause, errStopUser):
		return data.RunCancelled, ""
	case runErr != nil && errors.Is(cause, errStopShutdown):
		return data.RunInterrupted, BatchInterrupted
	case runErr != nil:
		return data.RunFailed, runErr.Error()
	}
	return data.RunDone, ""
}

func (q *Queue) recordBatch(id int64, status, msg string) {
	if _, err := q.store.FinishBatch(context.Background(), id, status, msg); err != nil {
		q.log.Error("batch end not recorded", slog.Int64("batch", id), slog.String("status", status), slog.Any("err", err))
	}
}

// storeRow writes a row (whatif.Row JSON) and its plan.
func (q *Queue) storeRow(ctx context.Context, id int64, row whatif.Row) error {
	rowJSON, err := json.Marshal(row)
	if err != nil {
		return err
	}
	var plan []byte
	if row.Plan != nil {
		if plan, err = json.Marshal(row.Plan); err != nil {
			return err
		}
	}
	return q.store.AddBatchRow(ctx, id, row.Index, rowJSON, plan)
}

// CancelBatch stops batch id: a queued one ends at once, a running one stops its solves
// and ends when its finished rows are stored (CancelBatch waits for that, or for ctx).
// A batch active in the database but held by no queue of this process ends cancelled
// there.
func (q *Queue) CancelBatch(ctx context.Context, id int64) error {
	held, err := q.cancel(ctx, KindBatch, id)
	if err != nil || held {
		return err
	}
	_, err = q.store.FinishBatch(ctx, id, data.RunCancelled, "")
	return err
}

// batchCacheDir is the cache folder of opt for the store's database ("" when off).
func batchCacheDir(opt BatchOptions, dbPath string) string {
	switch {
	case opt.NoCache:
		return ""
	case opt.CacheDir != "":
		return opt.CacheDir
	case dbPath != "" && dbPath != ":memory:" && !strings.HasPrefix(dbPath, "file:"):
		return dbPath + ".whatif-cache"
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "tabane", "whatif")
	}
	return filepath.Join(os.TempDir(), "tabane-whatif-cache")
}
