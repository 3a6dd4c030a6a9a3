package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// Request is what a client asks of a run.
type Request struct {
	TimeLimit time.Duration // 0 = DefaultTimeLimit
	Seed      int64
	// MaxIterations caps the search (solver.SolveOptions.MaxIterations; 0: no cap), so
	// that a run is reproducible whatever the machine's load.
	MaxIterations int
	// CompareYearly (programmes only) also plans each due year alone, with the same time
	// limit again, so that the report holds the saving against year-by-year planning.
	CompareYearly bool
}

// Submit validates inst (a *solver.ValidationError lists its problems), stores a queued
// run of the scenario holding the instance, and queues it. A version-2 instance (a
// programme, docs/programme.md) is solved by solver.SolveProgramme and its report is a
// solver.ProgrammeSolveReport; version 1 by solver.Solve with a solver.Report. A full
// queue is a fault.Limit error (max_queued_runs), a closed one ErrClosed.
func (q *Queue) Submit(ctx context.Context, scenarioID int64, req Request, inst *solver.Instance) (data.Run, error) {
	if req.TimeLimit == 0 {
		req.TimeLimit = DefaultTimeLimit
	}
	if req.TimeLimit < 0 || req.TimeLimit > MaxTimeLimit {
		return data.Run{}, &solver.ValidationError{Problems: []solver.InputError{{Path: "time_limit_s",
			Msg: fmt.Sprintf("must be > 0 and ≤ %g, found %g", MaxTimeLimit.Seconds(), req.TimeLimit.Seconds())}}}
	}
	if req.MaxIterations < 0 {
		return data.Run{}, &solver.ValidationError{Problems: []solver.InputError{{Path: "max_iterations",
			Msg: fmt.Sprintf("must be ≥ 0 (0: no cap), found %d", req.MaxIterations)}}}
	}
	programme := inst.Version == 2
	var err error
	if programme {
		_, err = solver.CompileProgramme(inst)
	} else {
		_, err = solver.Compile(inst)
	}
	if err != nil {
		return data.Run{}, err
	}
	instJSON, err := json.Marshal(inst)
	if err != nil {
		return data.Run{}, fmt.Errorf("submit: %w", err)
	}
	params, _ := json.Marshal(map[string]any{"time_limit_s": req.TimeLimit.Seconds(), "seed": req.Seed,
		"max_iterations": req.MaxIterations})
	if programme {
		// "programme" marks the run as one (data.Run.Programme) without reading its instance.
		params, _ = json.Marshal(map[string]any{"time_limit_s": req.TimeLimit.Seconds(), "seed": req.Seed,
			"max_iterations": req.MaxIterations, "compare_yearly": req.CompareYearly, "programme": true})
	}
	var run data.Run
	j := &job{kind: KindRun, subs: map[chan data.RunProgress]struct{}{}}
	j.markRunning = func(ctx context.Context) (bool, error) { return q.store.StartRun(ctx, j.id) }
	j.exec = func(ctx context.Context, j *job) { q.solve(ctx, j, req) }
	if programme {
		j.exec = func(ctx context.Context, j *job) { q.solveProgramme(ctx, j, req) }
	}
	j.endQueued = func(status, reason string) { q.recordRun(j, data.RunResult{Status: status, Error: reason}) }
	err = q.submit(ctx, j, func() (int64, error) {
		var err error
		run, err = q.store.CreateRun(ctx, data.NewRun{ScenarioID: scenarioID, Seed: req.Seed,
			TimeLimitS: req.TimeLimit.Seconds(), Params: params, Instance: instJSON})
		return run.ID, err
	})
	return run, err
}

// solve runs one run to its end and records it.
func (q *Queue) solve(ctx context.Context, j *job, req Request) {
	bg := context.WithoutCancel(ctx)
	q.log.Info("run started", slog.Int64("run", j.id), slog.Float64("time_limit_s", req.TimeLimit.Seconds()), slog.Int64("seed", req.Seed))
	m, ok := compiledInstance(bg, q, j, solver.Compile)
	if !ok {
		return
	}
	progress := q.progressRecorder(bg, j)
	var last data.RunProgress
	res, err := solver.Solve(ctx, m, solver.SolveOptions{TimeLimit: req.TimeLimit, Seed: req.Seed, Threads: q.opt.Threads,
		MaxIterations: req.MaxIterations, Progress: func(p solver.Progress) {
			last = p.Report()
			progress(last)
		}})
	out := runResult(res, err, context.Cause(ctx))
	out.Progress = &last
	q.finish(j, func() { q.recordRun(j, out) })
}

// progressRecorder returns what a run calls with each progress snapshot: every snapshot
// goes to the subscribers, one at most every ProgressEvery to the database. Calls must
// not overlap.
func (q *Queue) progressRecorder(ctx context.Context, j *job) func(data.RunProgress) {
	var lastSaved time.Time
	return func(rp data.RunProgress) {
		q.publish(j, rp)
		if time.Since(lastSaved) >= q.opt.ProgressEvery {
			lastSaved = time.Now()
			if err := q.store.SaveRunProgress(ctx, j.id, rp); err != nil {
				q.log.Warn("run progress not saved", slog.Int64("run", j.id), slog.Any("err", err))
			}
		}
	}
}

// compiledInstance reads the instance frozen in run j and compiles it; when either
// fails, the run ends failed and ok is false.
func compiledInstance[T any](ctx context.Context, q *Queue, j *job, compile func(*solver.Instance) (T, error)) (out T, ok bool) {
	raw, err := q.store.RunInstance(ctx, j.id)
	if err == nil {
		var inst *solver.Instance
		if inst, err = solver.ParseInstance(raw); err == nil {
			out, err = compile(inst)
		}
	}
	if err != nil {
		q.finish(j, func() { q.recordRun(j, data.RunResult{Status: data.RunFailed, Error: "instance: " + err.Error()}) })
		return out, false
	}
	return out, true
}

// runResult is the final state of a run whose solve returned res and err; stop is why
// the run's context ended (nil when it did not).
func runResult(res *solver.Result, err, stop error) data.RunResult {
	var out data.RunResult
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
			if errors.Is(stop, errStopShutdown) {
				out.Error = "stopped by the server's shutdown; the best plan found so far is kept"
			}
			if res.Plan == nil {
				out.Error = strings.TrimPrefix(out.Error+"; no feasible plan had been found yet", "; ")
			}
		}
		if res.Plan != nil {
			rep := solver.NewReport(res.Plan.Instance, res)
			b, err := json.Marshal(rep)
			if err != nil {
				return data.RunResult{Status: data.RunFailed, Error: "plan: " + err.Error()}
			}
			out.Plan, out.Summary = b, Summary(rep)
			out.Cost, out.Bound = rep.Cost, rep.LowerBound
		}
	}
	return out
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

// recordRun stores a run's final state.
func (q *Queue) recordRun(j *job, res data.RunResult) {
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
}

// Cancel stops a run: a queued run is cancelled at once; a running one stops and keeps
// the best plan found so far. Cancel returns when the run's final state is stored. A run
// that already ended gives a fault.Conflict error; an unknown one data.ErrNotFound.
func (q *Queue) Cancel(ctx context.Context, id int64) (data.Run, error) {
	held, err := q.cancel(ctx, KindRun, id)
	if err != nil {
		return data.Run{}, err
	}
	run, err := q.store.Run(ctx, id)
	if err != nil || held {
		return run, err
	}
	return run, fmt.Errorf("run %d has already ended (%s); nothing to cancel: %w", id, run.Status, data.ErrConflict)
}

// Subscribe follows a run's progress: the channel receives progress snapshots (the
// latest one at once, if any) and is closed when the run has ended and its final state
// is stored; for a run that already ended it is closed at once. Call stop when no longer
// reading.
func (q *Queue) Subscribe(id int64) (ch <-chan data.RunProgress, stop func()) {
	c := make(chan data.RunProgress, 64)
	q.mu.Lock()
	defer q.mu.Unlock()
	j := q.active[jobKey{KindRun, id}]
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
	if j := q.active[jobKey{KindRun, id}]; j != nil && j.last != nil {
		p := *j.last
		return &p
	}
	return nil
}

// Active reports whether a run is queued or running in this queue.
func (q *Queue) Active(id int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active[jobKey{KindRun, id}] != nil
}

// Summary is the run summary of a plan report.
func Summary(r *solver.Report) *data.RunSummary {
	return &data.RunSummary{Cost: solver.OrZero(r.Cost), StandaloneTotal: solver.OrZero(r.StandaloneTotal), Saving: solver.OrZero(r.Saving),
		SavingPct: solver.OrZero(r.SavingPct), LowerBound: r.LowerBound, Gap: r.Gap, Bundles: len(r.Bundles), Assets: r.AssetCount(),
		IRViolations: r.IRViolations, Feasible: r.Feasible, StopReason: r.StopReason}
}
