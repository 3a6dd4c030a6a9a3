package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// phaseProgramme is the progress phase of a programme run before the solver's first report.
const phaseProgramme = "programme"

// solveProgramme runs one version-2 run to its end and records it: the report is a
// solver.ProgrammeSolveReport. While the solve runs, subscribers get the solver's reports
// (phases construct and search, with the best cost and the bound) and, every ProgressEvery,
// the latest again with the elapsed time; the last one, "done", carries the plan's cost and bound.
func (q *Queue) solveProgramme(ctx context.Context, j *job, req Request) {
	bg := context.WithoutCancel(ctx)
	q.log.Info("programme run started", slog.Int64("run", j.id), slog.Float64("time_limit_s", req.TimeLimit.Seconds()), slog.Int64("seed", req.Seed))
	start := time.Now()
	p, ok := compiledInstance(bg, q, j, solver.CompileProgramme)
	if !ok {
		return
	}
	record := q.progressRecorder(bg, j)
	// The solver's reports (construct, search, each better plan with the bound) and a
	// ticker's, which repeats the latest with the elapsed time between them (a programme's
	// construction or its year-by-year planning can run long without a report), take turns
	// under mu: the recorder's calls must not overlap.
	var mu sync.Mutex
	latest := data.RunProgress{Phase: phaseProgramme}
	progress := func(rp data.RunProgress) {
		mu.Lock()
		defer mu.Unlock()
		latest = rp
		record(rp)
	}
	progress(latest)
	ticking := make(chan struct{})
	ticked := make(chan struct{})
	go func() {
		defer close(ticked)
		tick := time.NewTicker(q.opt.ProgressEvery)
		defer tick.Stop()
		for {
			select {
			case <-ticking:
				return
			case <-tick.C:
				mu.Lock()
				rp := latest
				rp.ElapsedS = time.Since(start).Seconds()
				record(rp)
				mu.Unlock()
			}
		}
	}()
	opt := solver.SolveOptions{TimeLimit: req.TimeLimit, Seed: req.Seed, Threads: q.opt.Threads, MaxIterations: req.MaxIterations}
	sopt := opt
	sopt.Progress = func(sp solver.Progress) {
		if sp.Phase == "done" {
			return // the run's own "done" below comes after the year-by-year planning
		}
		progress(sp.Report())
	}
	res, err := solver.SolveProgramme(ctx, p, sopt)
	var yearly *solver.YearlyComparison
	if err == nil && req.CompareYearly && ctx.Err() == nil {
		yearly, err = solver.CompareYearly(ctx, p, opt)
	}
	close(ticking)
	<-ticked
	out := programmeRunResult(p, res, yearly, opt, err, ctx.Err() != nil, context.Cause(ctx))
	last := data.RunProgress{ElapsedS: time.Since(start).Seconds(), Phase: "done"}
	if out.Summary != nil {
		last.BestCost, last.LowerBound, last.Gap, last.Feasible = out.Cost, out.Bound, out.Summary.Gap, out.Summary.Feasible
	}
	progress(last)
	out.Progress = &last
	q.finish(j, func() { q.recordRun(j, out) })
}

// programmeRunResult is the final state of a programme run whose solve returned res and
// err; stopped says the run's context ended (cancel or shutdown, cause stop), in which
// case the plan found so far is kept and the run ends cancelled.
func programmeRunResult(p *solver.Programme, res *solver.ProgrammeResult, yearly *solver.YearlyComparison,
	opt solver.SolveOptions, err error, stopped bool, stop error) data.RunResult {
	var out data.RunResult
	switch {
	case err != nil:
		out.Status, out.Error = data.RunFailed, err.Error()
		return out
	case res.Evaluation == nil && !stopped:
		msgs := []string{res.StopReason}
		if len(res.Infeasible) > 0 {
			msgs = msgs[:0]
			for _, r := range res.Infeasible {
				msgs = append(msgs, r.Message)
			}
		}
		out.Status, out.Error = data.RunFailed, "no programme plan: "+strings.Join(msgs, "; ")
		return out
	}
	out.Status = data.RunDone
	if stopped {
		out.Status = data.RunCancelled
		res.StopReason = "cancelled"
		if errors.Is(stop, errStopShutdown) {
			out.Error = "stopped by the server's shutdown; the best plan found so far is kept"
		}
		if res.Evaluation == nil {
			out.Error = strings.TrimPrefix(out.Error+"; no plan had been found yet", "; ")
			return out
		}
	}
	rep := solver.NewProgrammeSolveReport(p, res, opt, yearly)
	b, err := json.Marshal(rep)
	if err != nil {
		return data.RunResult{Status: data.RunFailed, Error: "plan: " + err.Error()}
	}
	out.Plan, out.Summary = b, ProgrammeSummary(&rep)
	out.Cost, out.Bound = rep.Cost, rep.LowerBound
	return out
}

// ProgrammeSummary is the run summary of a programme report: the totals over the
// horizon; Bundles counts the lots, Assets the inspections planned.
func ProgrammeSummary(r *solver.ProgrammeSolveReport) *data.RunSummary {
	s := &data.RunSummary{Cost: solver.OrZero(r.Cost), StandaloneTotal: solver.OrZero(r.StandaloneTotal),
		Saving: solver.OrZero(r.Saving), SavingPct: solver.OrZero(r.SavingPct), LowerBound: r.LowerBound, Gap: r.Gap,
		Bundles: len(r.Bundles), IRViolations: []string{}, Feasible: r.Feasible, StopReason: r.StopReason}
	for _, b := range r.Bundles {
		s.Assets += len(b.Assets)
	}
	if r.Evaluation != nil {
		s.IRViolations = r.Evaluation.IRViolations
	}
	return s
}
