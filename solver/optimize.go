package solver

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// SolveOptions steer Solve.
type SolveOptions struct {
	TimeLimit time.Duration // 0 = DefaultTimeLimit
	Seed      int64
	Threads   int // search workers; 0 = runtime.GOMAXPROCS(0)
	// MaxIterations caps the ALNS iterations of each worker (0 = no cap). A run that ends
	// by this cap (or by a closed gap) is reproducible: same model, seed, threads and cap
	// give the same plan, whatever the machine's speed.
	MaxIterations int
	Progress      func(Progress) // optional; called on improvement and about once a second
}

// DefaultTimeLimit is the search time when SolveOptions.TimeLimit is 0.
const DefaultTimeLimit = 30 * time.Second

// Progress is a snapshot of a running solve.
type Progress struct {
	Elapsed    time.Duration `json:"elapsed"`   // JSON: seconds
	BestCost   float64       `json:"best_cost"` // +Inf (JSON null) until a feasible plan is found
	LowerBound float64       `json:"lower_bound"`
	Gap        float64       `json:"gap"`
	Feasible   bool          `json:"feasible"`
	Phase      string        `json:"phase"` // construct, search, done
}

// MarshalJSON writes the one progress shape (ProgressReport): seconds, and null for
// the infinite cost, bound and gap of a solve that has not found them yet.
func (p Progress) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.Report())
}

// Timings are the wall-clock durations of a solve's phases (JSON: seconds).
type Timings struct {
	Construct time.Duration
	Search    time.Duration
	Bound     time.Duration
	Total     time.Duration
}

// MarshalJSON writes the durations in seconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]float64{"construct": t.Construct.Seconds(), "search": t.Search.Seconds(),
		"bound": t.Bound.Seconds(), "total": t.Total.Seconds()})
}

// Result is what Solve found.
type Result struct {
	Plan        *Plan           `json:"plan"`       // nil when no feasible plan was found
	Evaluation  *Evaluation     `json:"evaluation"` // Evaluate on Plan; nil without a plan
	LowerBound  float64         `json:"lower_bound"`
	BoundMethod string          `json:"bound_method"`
	Gap         float64         `json:"gap"` // (cost − bound)/cost; +Inf without a plan
	Infeasible  []Infeasibility `json:"infeasible"`
	Timings     Timings         `json:"timings"`
	Iterations  int             `json:"iterations"` // ALNS iterations over all workers
	// StopReason says why the search ended: gap_closed, time_limit, iteration_limit,
	// cancelled, infeasible.
	StopReason string `json:"stop_reason"`
	// short lists, when the search found no feasible plan, the bundles of the closest
	// plan worth less than min_value (SolveProgramme moves inspections between years
	// around them).
	short []shortBundle
}

// shortBundle is a bundle below min_value: its depot and assets (model indices).
type shortBundle struct {
	depot  int
	assets []int
}

// MarshalJSON writes infinite bounds and gaps (no plan, or a proven infeasibility) as null.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	type out struct {
		plain
		LowerBound *float64 `json:"lower_bound"`
		Gap        *float64 `json:"gap"`
	}
	return json.Marshal(out{plain: plain(r), LowerBound: Finite(r.LowerBound), Gap: Finite(r.Gap)})
}

// chunk is the number of iterations a worker runs between synchronisation points. The
// clock, the context and the bound are looked at only there, so the sequence of
// decisions inside a run is fixed by the seed.
const chunk = 64

// chunksPerCycle is how many chunks a cooling cycle lasts; at its end the workers
// restart from the best plan found by any of them.
const chunksPerCycle = 40

// Solve finds a low-cost feasible plan for m, with a lower bound computed alongside
// (LowerBound on its own goroutine). It stops at the time limit, when the gap is closed
// (cost − bound ≤ 0.5 yen or ≤ 1e-6 relative), at MaxIterations, or when ctx is
// cancelled; in every case it returns the best plan found so far, not an error.
//
// Determinism: workers run deterministic chunks of iterations with seeds derived from
// opt.Seed and exchange plans only between chunks, with ties broken by worker index;
// so two runs with the same model, seed, threads that stop after the same number of
// chunks return the same plan. Runs that end by MaxIterations or by a closed gap are
// therefore reproducible; a run cut by the clock depends on how many chunks fit.
//
// An instance with no feasible plan yields Result.Infeasible (Precheck's proven reasons,
// or the search's own report when it found nothing) and no plan.
func Solve(ctx context.Context, m *Model, opt SolveOptions) (*Result, error) {
	start := time.Now()
	if opt.TimeLimit <= 0 {
		opt.TimeLimit = DefaultTimeLimit
	}
	if opt.Threads <= 0 {
		opt.Threads = runtime.GOMAXPROCS(0)
	}
	// The search stops a twentieth early, so that evaluating and writing the plan fit in
	// the limit too (a few seconds on 150,000 assets).
	deadline := start.Add(opt.TimeLimit - opt.TimeLimit/20)
	res := &Result{Gap: math.Inf(1)}
	progress := func(p Progress) {
		if opt.Progress != nil {
			p.Elapsed = time.Since(start)
			opt.Progress(p)
		}
	}
	if reasons := Precheck(m); len(reasons) > 0 {
		res.Infeasible = reasons
		res.LowerBound = math.Inf(1)
		res.StopReason = "infeasible"
		res.Timings.Total = time.Since(start)
		progress(Progress{BestCost: math.Inf(1), LowerBound: math.Inf(1), Gap: math.Inf(1), Phase: "done"})
		return res, nil
	}

	// Lower bound on its own goroutine, from the start.
	boundCtx, stopBound := context.WithCancel(ctx)
	defer stopBound()
	var lbMu sync.Mutex
	lb := 0.0 // every cost is ≥ 0, so 0 is a valid bound before LowerBound reports
	setLB := func(x float64) {
		lbMu.Lock()
		if x > lb {
			lb = x
		}
		lbMu.Unlock()
	}
	getLB := func() float64 {
		lbMu.Lock()
		defer lbMu.Unlock()
		return lb
	}
	// The best feasible plan's cost, published for the bound (which aims its steps at it
	// and stops once it proves it); 0 until a feasible plan exists, as BoundOptions
	// expects. The bound reads it; the search never reads it back, so its decisions do
	// not depend on the bound's timing (only the stop on a closed gap does).
	var ubBits atomic.Uint64 // math.Float64bits of the cost; 0 bits = 0.0 = none yet
	publishUB := func(c float64) {
		if !math.IsInf(c, 0) && !math.IsNaN(c) && c > 0 {
			ubBits.Store(math.Float64bits(c))
		}
	}
	upperBound := func() float64 { return math.Float64frombits(ubBits.Load()) }
	boundDone := make(chan BoundResult, 1)
	boundStart := time.Now()
	var boundTime time.Duration
	go func() {
		r := LowerBound(boundCtx, m, BoundOptions{Threads: 1, Deadline: deadline, Progress: setLB, UpperBoundFunc: upperBound})
		setLB(r.LowerBound)
		boundTime = time.Since(boundStart)
		boundDone <- r
	}()

	progress(Progress{BestCost: math.Inf(1), Gap: math.Inf(1), Phase: "construct"})
	tc := time.Now()
	cands := newCandidates(m, 16)
	// Each phase of the construction checks ctx, so that a cancel during a long
	// construction (tens of seconds on 150,000 assets) returns promptly with whatever
	// feasible plan exists by then.
	build := func(pure bool) *state {
		s := newState(m, cands)
		construct(s, pure)
		if !pure && ctx.Err() == nil {
			// The pure start keeps its small discipline bundles: the search merges
			// them where that pays, from the other side of the landscape.
			consolidate(s, 1000)
		}
		if ctx.Err() == nil {
			passes := 3
			if len(m.Participating) > 50_000 {
				passes = 1 // the search polishes further; the clock matters more here
			}
			improve(s, m.Participating, 10, passes)
		}
		if ctx.Err() == nil {
			repairAll(s)
		}
		s.refresh()
		return s
	}
	s0 := build(false)
	// A second start for diversity where it is cheap: fills that keep disciplines apart
	// (a sewer-only bundle is a structure the search finds only by several uphill steps).
	var s1 *state
	if opt.Threads > 1 && m.MixAllowed && len(m.Disciplines) > 1 && len(m.Participating) <= 20000 && ctx.Err() == nil {
		s1 = build(true)
	}
	res.Timings.Construct = time.Since(tc)

	var ir *irPenalty
	if m.RequireIR {
		ir = newIRPenalty(m)
	}
	ts := time.Now()
	workers := make([]*worker, opt.Threads)
	for k := range workers {
		var s *state
		switch {
		case k == 0:
			s = s0
		case k == 1 && s1 != nil:
			s = s1
		default:
			s = s0.clone()
		}
		var wir *irPenalty
		if ir != nil {
			wir = newIRPenalty(m)
		}
		workers[k] = newWorker(s, deriveSeed(opt.Seed, k), wir, chunk*chunksPerCycle)
	}
	best := make([]int32, len(m.Assets))
	bestCost := math.Inf(1)
	merge := func() bool {
		improved := false
		for _, w := range workers {
			if w.bestCost < bestCost-1e-7 {
				bestCost = w.bestCost
				copy(best, w.best)
				improved = true
			}
		}
		if improved {
			publishUB(bestCost)
		}
		return improved
	}
	merge()
	gapClosed := func() bool {
		l := getLB()
		return !math.IsInf(bestCost, 1) && (l >= bestCost-0.5 || (bestCost-l)/bestCost <= 1e-6)
	}
	lastReport := time.Now()
	report := func(phase string) {
		l := getLB()
		progress(Progress{BestCost: bestCost, LowerBound: l, Gap: gapOf(bestCost, l),
			Feasible: !math.IsInf(bestCost, 1), Phase: phase})
		lastReport = time.Now()
	}
	report("search")
	stop := ""
	var boundRes *BoundResult
	for round := 1; ; round++ {
		if gapClosed() {
			stop = "gap_closed"
			break
		}
		if opt.MaxIterations > 0 && workers[0].it >= opt.MaxIterations {
			stop = "iteration_limit"
			break
		}
		if ctx.Err() != nil {
			stop = "cancelled"
			break
		}
		if !time.Now().Before(deadline) {
			stop = "time_limit"
			break
		}
		n := chunk
		if opt.MaxIterations > 0 {
			n = min(n, opt.MaxIterations-workers[0].it)
		}
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.iterate(n)
			}()
		}
		wg.Wait()
		if merge() || time.Since(lastReport) >= time.Second {
			report("search")
		}
		if round%chunksPerCycle == 0 && !math.IsInf(bestCost, 1) {
			for _, w := range workers {
				if w.bestCost > bestCost+1e-7 {
					w.adopt(best, bestCost)
				}
			}
		}
		select {
		case r := <-boundDone:
			boundRes = &r
		default:
		}
	}
	res.Timings.Search = time.Since(ts)
	for _, w := range workers {
		res.Iterations += w.it
	}
	res.StopReason = stop
	stopBound()
	if boundRes == nil {
		r := <-boundDone
		boundRes = &r
	}
	res.BoundMethod = boundRes.Method
	res.Timings.Bound = boundTime
	res.LowerBound = getLB()

	if math.IsInf(bestCost, 1) {
		res.Infeasible = append(res.Infeasible, searchFailure(workers[0].s, boundRes, stop))
		if s := workers[0].s; s.unassigned == 0 {
			for j, as := range s.members() {
				if len(as) > 0 && s.bundleCost(j) < m.MinValue {
					res.short = append(res.short, shortBundle{depot: j, assets: as})
				}
			}
		}
		res.Timings.Total = time.Since(start)
		report("done")
		return res, nil
	}
	res.Plan = planFrom(m, best)
	res.Evaluation = Evaluate(m, res.Plan)
	if !res.Evaluation.Feasible {
		// The state and the evaluator disagree: a defect, never a plan to hand out.
		return nil, fmt.Errorf("solver: internal error: the best plan breaks %d rule(s), first: %s",
			len(res.Evaluation.Violations), res.Evaluation.Violations[0].Message)
	}
	bestCost = res.Evaluation.Cost
	if res.LowerBound > bestCost {
		res.LowerBound = bestCost
	}
	res.Gap = gapOf(bestCost, res.LowerBound)
	res.Timings.Total = time.Since(start)
	report("done")
	return res, nil
}

func gapOf(cost, lb float64) float64 {
	if math.IsInf(cost, 1) || math.IsInf(lb, -1) || cost <= 0 {
		return math.Inf(1)
	}
	return math.Max(0, (cost-lb)/cost)
}

// deriveSeed gives worker k its own stream (splitmix64 of the seed and k).
func deriveSeed(seed int64, k int) uint64 {
	z := uint64(seed) + uint64(k+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// planFrom turns an assignment into a Plan: one bundle per depot with assets, in depot
// order, assets in instance order, ids B01, B02, ….
func planFrom(m *Model, assign []int32) *Plan {
	byDepot := make([][]string, len(m.Depots))
	for _, a := range m.Participating {
		if j := assign[a]; j >= 0 {
			byDepot[j] = append(byDepot[j], m.Assets[a].ID)
		}
	}
	p := &Plan{Instance: m.Inst.Name, Bundles: []Bundle{}}
	n := 0
	for _, ids := range byDepot {
		if len(ids) > 0 {
			n++
		}
	}
	width := len(fmt.Sprint(n))
	if width < 2 {
		width = 2
	}
	for j, ids := range byDepot {
		if len(ids) == 0 {
			continue
		}
		p.Bundles = append(p.Bundles, Bundle{ID: fmt.Sprintf("B%0*d", width, len(p.Bundles)+1), Depot: m.Depots[j].ID, Assets: ids})
	}
	return p
}

// searchFailure explains why the search found no feasible plan when Precheck found no
// proof: what the least-violating plan it reached still breaks.
func searchFailure(s *state, br *BoundResult, stop string) Infeasibility {
	if br != nil && br.Infeasible != "" {
		return Infeasibility{Rule: "bound", Message: br.Infeasible}
	}
	m := s.m
	msg := "no feasible plan was found within the time limit"
	switch stop {
	case "cancelled":
		msg = "the run was cancelled before a feasible plan was found"
	case "iteration_limit":
		msg = "no feasible plan was found within the iteration limit"
	}
	if s.unassigned > 0 {
		return Infeasibility{Rule: "search", Message: fmt.Sprintf("%s: %d asset(s) could not be placed under mixing and region rules", msg, s.unassigned)}
	}
	worst, wv := -1, 0.0
	for j := 0; j < s.J; j++ {
		if v := s.bundleViolation(j); v > wv {
			worst, wv = j, v
		}
	}
	if worst >= 0 {
		c := s.bundleCost(worst)
		switch {
		case c < m.MinValue:
			return Infeasibility{Rule: "min_value", Message: fmt.Sprintf("%s; the closest plan still has a bundle at depot %s worth %s, below min_value %s",
				msg, m.Depots[worst].ID, FormatYen(c), FormatYen(m.MinValue)), Value: c, Limit: m.MinValue}
		case c > m.MaxValue:
			return Infeasibility{Rule: "max_value", Message: fmt.Sprintf("%s; the closest plan still has a bundle at depot %s worth %s, above max_value %s",
				msg, m.Depots[worst].ID, FormatYen(c), FormatYen(m.MaxValue)), Value: c, Limit: m.MaxValue}
		case s.work[worst] > m.MaxWorkload:
			return Infeasibility{Rule: "max_workload", Message: fmt.Sprintf("%s; the closest plan still has a bundle at depot %s with workload %.2f > %.2f",
				msg, m.Depots[worst].ID, s.work[worst], m.MaxWorkload), Value: s.work[worst], Limit: m.MaxWorkload}
		default:
			return Infeasibility{Rule: "max_assets", Message: fmt.Sprintf("%s; the closest plan still has a bundle at depot %s with %d assets > %d",
				msg, m.Depots[worst].ID, s.n[worst], m.MaxAssets), Value: float64(s.n[worst]), Limit: float64(m.MaxAssets)}
		}
	}
	return Infeasibility{Rule: "search", Message: msg + " (individual rationality could not be met)"}
}
