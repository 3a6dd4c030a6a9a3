package solver

import (
	"math"
	"sync"
	"time"
)

// programmeProgress reports a programme solve's progress in the one shape of Solve's
// (Progress): a line when a phase starts (construct, search, done) and one for each
// better feasible plan, with the bound as far as it has got. The bound runs on its own
// goroutine and only records its value here; every report comes from the solve's own
// goroutine, so a caller's Progress sees the reports in order.
type programmeProgress struct {
	start time.Time
	emit  func(Progress) // nil: no reports, every method a no-op
	mu    sync.Mutex
	lb    float64 // the bound so far (0 before it reports: every cost is ≥ 0)
	best  float64 // the best feasible cost reported, +Inf before one
}

func newProgrammeProgress(start time.Time, emit func(Progress)) *programmeProgress {
	return &programmeProgress{start: start, emit: emit, best: math.Inf(1)}
}

// setLB records a better bound; safe from the bound's goroutine.
func (pp *programmeProgress) setLB(lb float64) {
	pp.mu.Lock()
	pp.lb = max(pp.lb, lb)
	pp.mu.Unlock()
}

// bound is the best bound recorded so far.
func (pp *programmeProgress) bound() float64 {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return pp.lb
}

// report writes one line for phase with the best feasible cost so far.
func (pp *programmeProgress) report(phase string) {
	if pp.emit == nil {
		return
	}
	pp.mu.Lock()
	lb := pp.lb
	pp.mu.Unlock()
	pp.emit(Progress{Elapsed: time.Since(pp.start), BestCost: pp.best, LowerBound: lb, Gap: gapOf(pp.best, lb),
		Feasible: !math.IsInf(pp.best, 1), Phase: phase})
}

// feasible reports a feasible plan of this cost when it is better than the last one.
func (pp *programmeProgress) feasible(cost float64, phase string) {
	if cost < pp.best-1e-6*max(1, cost) {
		pp.best = cost
		pp.report(phase)
	}
}

// done writes the last line: the plan the solve returns and its final bound.
func (pp *programmeProgress) done(res *ProgrammeResult) {
	if ev := res.Evaluation; ev != nil && ev.Feasible {
		pp.best = ev.Cost
	} else {
		pp.best = math.Inf(1)
	}
	pp.setLB(res.LowerBound)
	pp.report("done")
}
