package solver

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// ProgrammeResult is the outcome of SolveProgramme.
type ProgrammeResult struct {
	Plan       *Plan       `json:"plan"`       // nil when no block could be planned
	Evaluation *Evaluation `json:"evaluation"` // EvaluateProgramme on Plan
	// Moved counts the inspections brought forward: scheduled before their due year.
	Moved int `json:"moved"`
	// Blocks is one entry per block of the horizon, in order.
	Blocks     []BlockResult `json:"blocks"`
	StopReason string        `json:"stop_reason"` // done, infeasible (some block has no plan), cancelled
	// LowerBound is ProgrammeLowerBound's (valid for every feasible plan; +Inf when it
	// proves there is none); Gap = (cost − bound)/cost of a feasible plan, else +Inf.
	LowerBound  float64 `json:"lower_bound"`
	BoundMethod string  `json:"bound_method"`
	Gap         float64 `json:"gap"`
	// Infeasible holds ProgrammePrecheck's proofs that no feasible plan exists (the
	// search still returns its least-violating plan).
	Infeasible []Infeasibility `json:"infeasible,omitempty"`
	// SearchRounds counts the improvement search's rounds (programme_search.go).
	SearchRounds int           `json:"search_rounds"`
	Elapsed      time.Duration `json:"-"`
}

// BlockResult is how one block of the programme was planned.
type BlockResult struct {
	FY         int             `json:"fy"`
	Assets     int             `json:"assets"`
	Lots       int             `json:"lots"`
	Cost       float64         `json:"cost"` // the one-year solver's cost (equipment once per lot)
	StopReason string          `json:"stop_reason"`
	Infeasible []Infeasibility `json:"infeasible,omitempty"`
	// short: the closest plan's lots below L·min_value when the block has no plan
	// (programme asset indices).
	short []shortBundle
	// key names the block's inspections and their years; bundles are its lots when it
	// has a plan: a later planBlocks with the same key reuses them.
	key     string
	bundles []Bundle
}

// SolveProgramme is a first programme solver (docs/programme.md). It schedules every asset in
// its due year (levelled under the year caps when there are some); a block whose assets
// cannot be feasible on their own (Precheck: a group that cannot reach L·min_value, …)
// hands the assets that may go earlier to the block before, latest block first; a block
// still short pulls assets due later whose window reaches it. Then it plans each
// block's lots with the one-year solver (Solve) on the block's assets, with the yearly
// limits scaled by L for multi-year lots (a relaxation: the evaluator checks each
// year), and judges the whole plan with EvaluateProgramme; inspections in a year over a
// cap or a budget are then moved one at a time while that helps. The bring-forward
// charge is additive per asset, so it does not change which lots are best once the
// years are fixed. Budgets are repaired, not planned for from the start. The time limit
// is shared among the attempts and blocks.
func SolveProgramme(ctx context.Context, p *Programme, opt SolveOptions) (*ProgrammeResult, error) {
	start := time.Now()
	if opt.TimeLimit <= 0 {
		opt.TimeLimit = DefaultTimeLimit
	}
	deadline := start.Add(opt.TimeLimit)
	prog := newProgrammeProgress(start, opt.Progress)
	prog.report("construct")
	// The bound runs beside the search on one thread, until its own end or the deadline.
	type boundOut struct {
		res BoundResult
		err error
	}
	boundDone := make(chan boundOut, 1)
	boundCtx, stopBound := context.WithCancel(ctx)
	defer stopBound()
	// Beyond a few hundred assets the Lagrangian bound runs one trajectory, whose default
	// 500 iterations stop far from convergence (pp-nara: ¥427.3M; ¥429.8M converged after
	// about 1,200, 22 s on the loaded 2-core machine); the deadline still ends it.
	boundIter := 0
	if len(p.Planned) > 300 {
		boundIter = 2000
	}
	if p.part {
		boundDone <- boundOut{res: BoundResult{Method: "none (a part)"}}
	} else {
		go func() {
			r, err := ProgrammeLowerBound(boundCtx, p, BoundOptions{Threads: 1, Deadline: deadline, Progress: prog.setLB, MaxIter: boundIter})
			boundDone <- boundOut{r, err}
		}()
	}
	// The construction below gets a quarter of the time, the improvement search the rest.
	full := opt.TimeLimit
	opt.TimeLimit = full / 4
	if len(p.Planned) > largeProgramme {
		// On a national programme each block is a large version-1 instance whose first
		// feasible plan is the hard part, and the (year, lot) search moves one asset at a
		// time: the construction gets three quarters.
		opt.TimeLimit = full * 3 / 4
	}
	// Without year caps every asset starts in its due year. With caps the schedule is
	// levelled under them, less a margin for what the levelling does not see (letting
	// costs, equipment, travel from the depot). Each schedule is tried with both orders of
	// reaching min_value (see reachMinValue); while the plan breaks a cap, the next
	// schedule widens every year's margin by 5 % of the cap and an over-cap year's by the
	// excess too.
	attempts := 1
	capV, capW := make([]float64, p.Years), make([]float64, p.Years)
	for k := range capV {
		capV[k], capW[k] = 0.95*p.YearMaxValue, p.YearMaxWorkload
	}
	if finite(p.YearMaxValue) || finite(p.YearMaxWorkload) {
		attempts = 6
	}
	var best *ProgrammeResult
	var bestYear []int
	if p.decomposable() {
		// The parts get most of the time; the proofs and the evaluation of the whole
		// take the rest (seconds on a national programme).
		attempts = 0
		var err error
		if best, err = p.solveParts(ctx, opt, start.Add(full*85/100)); err != nil {
			return nil, err
		}
		if ev := best.Evaluation; ev != nil && ev.Feasible {
			prog.feasible(ev.Cost, "construct")
		}
	}
	for k := range attempts {
		year := p.levelledYears(capV, capW)
		// Reaching min_value costs a pass over a block per check: on large programmes it
		// gets an eighth of the time; small ones finish in milliseconds, unbounded, so
		// that every attempt reaches it whatever the load.
		var reachBy time.Time
		switch {
		case len(p.Planned) > largeProgramme:
			reachBy = start.Add(full / 8)
		case p.part:
			reachBy = start.Add(full / 4)
		}
		p.reachMinValue(year, capV, capW, k%2 == 1, reachBy)
		p.pinYears(year)
		aopt := opt
		aopt.TimeLimit = max(p.blockFloor(), (opt.TimeLimit-time.Since(start))/time.Duration(attempts-k))
		res, err := p.planBlocks(ctx, year, aopt, nil)
		if err != nil {
			return nil, err
		}
		if res.Evaluation != nil && !res.Evaluation.Feasible {
			p.repairYearCaps(ctx, res, deadline)
		}
		if best == nil || betterProgramme(res, best) {
			best, bestYear = res, year
		}
		if ev := res.Evaluation; ev != nil && ev.Feasible {
			prog.feasible(ev.Cost, "construct")
		}
		if res.Evaluation == nil || res.Evaluation.Feasible || ctx.Err() != nil {
			break
		}
		if k%2 == 0 {
			continue // the same caps, the other order of reaching min_value
		}
		for i, y := range res.Evaluation.Years {
			capV[i] -= 0.05 * p.YearMaxValue
			if over := y.Value - p.YearMaxValue; over > 0 {
				capV[i] -= over
			}
			if over := y.Workload - p.YearMaxWorkload; over > 0 {
				capW[i] -= over + 0.01*p.YearMaxWorkload
			}
		}
	}
	// A block whose version-1 solve found no plan names the lots of its closest plan below
	// L·min_value: move inspections between years around them (fixShort) and plan again,
	// until three quarters of the time (the search needs a feasible plan to start from).
	retryBy := start.Add(full * 3 / 4)
	cur, curYear := best, bestYear
	for retry := 0; retry < 8 && cur != nil && curYear != nil && ctx.Err() == nil; retry++ {
		if ev := best.Evaluation; ev != nil && ev.Feasible {
			break
		}
		left := time.Until(retryBy)
		if left < p.blockFloor() {
			break
		}
		year := slices.Clone(curYear)
		if !p.fixShort(year, cur.Blocks) {
			break
		}
		p.pinYears(year)
		aopt := opt
		aopt.TimeLimit = max(p.blockFloor(), left/time.Duration(min(3, 8-retry)))
		aopt.Seed = opt.Seed + int64(retry) + 1 // another search where the block stays as it was
		res, err := p.planBlocks(ctx, year, aopt, cur.Blocks)
		if err != nil {
			return nil, err
		}
		if res.Evaluation != nil && !res.Evaluation.Feasible {
			p.repairYearCaps(ctx, res, deadline)
		}
		if betterProgramme(res, best) {
			best, bestYear = res, year
			if ev := res.Evaluation; ev != nil && ev.Feasible {
				prog.feasible(ev.Cost, "construct")
			}
		}
		cur, curYear = res, year
	}
	// The proofs first, while the bound runs: they take a pass over the assets and the
	// depots near each, seconds on a national programme.
	// A feasible plan of a programme planned in parts needs none (there is nothing to
	// prove), and they take half a minute on a national programme under load.
	var infeasible []Infeasibility
	if ev := best.Evaluation; !p.part && (!p.decomposable() || ev == nil || !ev.Feasible) {
		infeasible = ProgrammePrecheck(p)
	}
	prog.report("search")
	if !p.decomposable() {
		best = p.improveParallel(ctx, best, deadline, opt, prog)
	}
	best.Infeasible = infeasible
	// The bound stops improving at the deadline, but building its data does not look at
	// the clock (minutes on a national programme under load): past the deadline the
	// solve takes the best bound it reported so far (every report is valid), or none,
	// rather than wait. A programme planned in parts waits until a twentieth of the time
	// before the deadline, so that the whole solve ends within the time limit.
	waitUntil := deadline.Add(time.Second)
	if p.decomposable() {
		waitUntil = deadline.Add(-full / 20)
	}
	var bo boundOut
	select {
	case bo = <-boundDone:
	case <-time.After(time.Until(waitUntil)):
		stopBound()
		bo.res = BoundResult{Method: "none within the time limit"}
		if lb := prog.bound(); lb > 0 {
			bo.res = BoundResult{LowerBound: lb, Method: "the best the bound had reached at the time limit"}
		}
	}
	if bo.err != nil {
		return nil, bo.err
	}
	best.LowerBound, best.BoundMethod, best.Gap = bo.res.LowerBound, bo.res.Method, math.Inf(1)
	if ev := best.Evaluation; ev != nil && ev.Feasible && ev.Cost > 0 {
		best.Gap = max(0, (ev.Cost-best.LowerBound)/ev.Cost)
	}
	if best.Plan != nil {
		for id, y := range best.Plan.Schedule {
			if y < p.Due[p.AssetIndex[id]] {
				best.Moved++
			}
		}
	}
	best.Elapsed = time.Since(start)
	prog.done(best)
	return best, nil
}

// improveParallel runs the improvement search from best on opt.Threads threads at once,
// each with its own seed (opt.Seed, opt.Seed+1, …), and keeps the plan the evaluator
// prefers, the lowest thread first on a tie: the searches are independent, so a run
// capped by MaxIterations stays reproducible. Only the first reports progress. The bound
// runs beside them; on a small programme it is done within a second.
func (p *Programme) improveParallel(ctx context.Context, best *ProgrammeResult, deadline time.Time, opt SolveOptions, prog *programmeProgress) *ProgrammeResult {
	n := max(1, opt.Threads)
	out := make([]*ProgrammeResult, n)
	var wg sync.WaitGroup
	for k := range n {
		r := *best
		out[k] = &r
		kopt, kprog := opt, prog
		if k > 0 {
			kopt.Seed = opt.Seed + int64(k)
			kprog = newProgrammeProgress(prog.start, nil)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[k].SearchRounds = p.improveProgramme(ctx, out[k], deadline, kopt, kprog)
		}()
	}
	wg.Wait()
	res, rounds := out[0], 0
	for _, r := range out {
		rounds += r.SearchRounds
		if betterProgramme(r, res) {
			res = r
		}
	}
	res.SearchRounds = rounds
	return res
}

// blockFloor is the least time a block's version-1 solve gets: a second, or a twentieth
// of that in a part of a programme planned in parts (its blocks have a few hundred
// assets, and many parts share the clock).
func (p *Programme) blockFloor() time.Duration {
	if p.part {
		return 50 * time.Millisecond
	}
	return time.Second
}

// largeProgramme is the number of planned assets above which the construction gets most
// of the time.
const largeProgramme = 20000

// betterProgramme prefers a plan to none, a feasible plan, fewer violations, then the
// lower cost.
func betterProgramme(a, b *ProgrammeResult) bool {
	if (a.Evaluation == nil) != (b.Evaluation == nil) {
		return a.Evaluation != nil
	}
	if a.Evaluation == nil {
		return false
	}
	ea, eb := a.Evaluation, b.Evaluation
	if ea.Feasible != eb.Feasible {
		return ea.Feasible
	}
	if len(ea.Violations) != len(eb.Violations) {
		return len(ea.Violations) < len(eb.Violations)
	}
	return ea.Cost < eb.Cost
}

// levelledYears schedules every programme asset, in order of due year, in the latest
// year of its window where the year's estimated value and workload stay within capV and
// capW (one per year of the horizon; +Inf: every asset in its due year), or else in the
// least loaded year of its window. An asset's estimated value is c_a + pen +
// τ·(distance from its municipality's office).
func (p *Programme) levelledYears(capV, capW []float64) []int {
	year := make([]int, len(p.Assets))
	order := slices.Clone(p.Planned)
	slices.SortStableFunc(order, func(x, y int) int { return p.Due[x] - p.Due[y] })
	value, work := make([]float64, p.Years), make([]float64, p.Years)
	for _, a := range order {
		ai := &p.Assets[a]
		est := func(y int) float64 { return p.estimatedValue(a, y) }
		lo, hi := p.Window(a)
		chosen := -1
		for y := hi; y >= lo && chosen < 0; y-- {
			k := y - p.FirstFY
			if value[k]+est(y) <= capV[k] && work[k]+ai.Workload <= capW[k] {
				chosen = y
			}
		}
		if chosen < 0 {
			chosen = hi
			for y := hi - 1; y >= lo; y-- {
				if value[y-p.FirstFY]-capV[y-p.FirstFY] < value[chosen-p.FirstFY]-capV[chosen-p.FirstFY] {
					chosen = y
				}
			}
		}
		year[a] = chosen
		value[chosen-p.FirstFY] += est(chosen)
		work[chosen-p.FirstFY] += ai.Workload
	}
	return year
}

// estimatedValue is what inspecting asset a in year y adds to the year's value, as
// far as the schedule can tell before the lots are made: c_a + pen + τ·(distance from
// its municipality's office).
func (p *Programme) estimatedValue(a, y int) float64 {
	ai := &p.Assets[a]
	return ai.Cost + p.Tau*p.Dist(p.Munis[ai.Muni].Office, ai.At) + p.BringForward(a, y)
}

// reachMinValue changes year so that every block can be feasible on its own where
// bringing forward allows. A block is short when Precheck proves its assets cannot be
// planned alone (a group that cannot reach L·min_value, …) or when some of its assets
// are stranded (see stranded). Latest block first, a short block hands to the block
// before the assets that may go earlier: all of them when Precheck fails, else the
// stranded ones. Then, earliest block first, a block still short pulls assets due
// later whose window reaches it, nearest due first: any such asset when Precheck fails,
// else those a depot of a stranded asset reaches. Under year caps, an asset handed
// back goes to the latest earlier block of its window with estimated room.
// It stops at deadline (none when zero), leaving the rest of the schedule as it is.
func (p *Programme) reachMinValue(year []int, capV, capW []float64, pullFirst bool, deadline time.Time) {
	L := p.ContractYears
	blocks := p.Years / L
	band := newDepotBand(p.Model)
	late := func() bool { return !deadline.IsZero() && time.Now().After(deadline) }
	// check returns whether block b is short and, when Precheck passes, its stranded assets.
	check := func(b int) (bool, []int) {
		assets := p.blockAssets(year, b)
		if len(assets) == 0 {
			return false, nil
		}
		sub, err := p.blockModel(assets)
		if err != nil || len(Precheck(sub)) > 0 {
			return true, nil
		}
		st := p.stranded(band, p.FirstFY+b*L, assets, year)
		return len(st) > 0, st
	}
	handBack := func() {
		for b := blocks - 1; b >= 1 && !late(); b-- {
			isShort, st := check(b)
			if !isShort {
				continue
			}
			if st == nil {
				st = p.blockAssets(year, b)
			}
			// Each goes to the last year of the latest earlier block of its window with
			// room under capV and capW, or else of the block just before.
			value, work := make([]float64, p.Years), make([]float64, p.Years)
			for _, a := range p.Planned {
				value[year[a]-p.FirstFY] += p.estimatedValue(a, year[a])
				work[year[a]-p.FirstFY] += p.Assets[a].Workload
			}
			for _, a := range st {
				lo, _ := p.Window(a)
				to := p.FirstFY + b*L - 1
				for y := to; y >= lo; y -= L {
					k := y - p.FirstFY
					if value[k]+p.estimatedValue(a, y) <= capV[k] && work[k]+p.Assets[a].Workload <= capW[k] {
						to = y
						break
					}
				}
				if to >= lo {
					value[to-p.FirstFY] += p.estimatedValue(a, to)
					work[to-p.FirstFY] += p.Assets[a].Workload
					year[a] = to
				}
			}
		}
	}
	pull := func() {
		for b := 0; b < blocks && !late(); b++ {
			isShort, st := check(b)
			if !isShort {
				continue
			}
			end := p.FirstFY + (b+1)*L - 1
			reaches := map[int]bool{} // the depots of the stranded assets
			for _, a := range st {
				p.eachReaching(band, a, func(j int) { reaches[j] = true })
			}
			var later []int
			for _, a := range p.Planned {
				if lo, _ := p.Window(a); year[a] > end && lo <= end && (st == nil || p.nearAny(band, a, reaches)) {
					later = append(later, a)
				}
			}
			slices.SortStableFunc(later, func(x, y int) int { return year[x] - year[y] })
			// One asset at a time on small programmes; on large ones a check costs a pass
			// over the block, so at most about 64 of them.
			step := max(1, len(later)/64)
			for k, a := range later {
				year[a] = end
				if (k+1)%step != 0 && k+1 < len(later) {
					continue
				}
				if late() {
					break
				}
				if isShort, st = check(b); !isShort {
					break
				}
			}
		}
	}
	// Merging a short block into the one before saves a lot's letting cost; but under
	// year caps that block may have no room, and pulling later inspections into the
	// short block first may fit.
	if pullFirst {
		pull()
	}
	handBack()
	pull()
}

// fixShort changes year around the lots below L·min_value that the blocks' version-1
// solves were left with (BlockResult.short), earliest block first. A short lot at depot j
// pulls into its block inspections due later that j reaches and whose window reaches the
// block — those of short lots of later blocks first, then the nearest to j — until its
// estimated cost clears L·min_value by 5 %. If it still falls short, the pulled
// inspections stay where they were and each of the lot's own goes elsewhere in its
// window: to the block before; else to a later block with a short lot at the same depot
// (joining it there); else to its due year. Each inspection moves at most once. It
// reports whether anything moved.
func (p *Programme) fixShort(year []int, blocks []BlockResult) bool {
	L := p.ContractYears
	need := float64(L) * p.MinValue
	moved := map[int]bool{}
	laterShort := map[int]int{} // asset → the block start of its short lot
	for _, br := range blocks {
		for _, sb := range br.short {
			for _, a := range sb.assets {
				laterShort[a] = br.FY
			}
		}
	}
	type slot struct{ depot, fy int }
	shortAt := map[slot]bool{}
	for _, br := range blocks {
		for _, sb := range br.short {
			shortAt[slot{sb.depot, br.FY}] = true
		}
	}
	pushed := map[slot][]int{} // inspections pushed into a later short lot of the same depot
	changed := false
	for _, br := range blocks {
		fy, end := br.FY, br.FY+L-1
		for _, sb := range br.short {
			j := sb.depot
			// The lot: its inspections still in this block, and those pushed into it.
			var lot, yrs []int
			for _, a := range append(slices.Clone(sb.assets), pushed[slot{j, fy}]...) {
				if year[a] >= fy && year[a] <= end {
					lot, yrs = append(lot, a), append(yrs, year[a])
				}
			}
			worth := func() float64 { return p.LotCost(j, fy, lot, yrs).Total }
			if len(lot) == 0 || worth() >= need {
				continue
			}
			// Pull inspections due later into this block.
			var cands []int
			for _, a := range p.Planned {
				if lo, _ := p.Window(a); year[a] > end && lo <= end && !moved[a] && p.Reachable(j, a) {
					cands = append(cands, a)
				}
			}
			slices.SortStableFunc(cands, func(x, y int) int {
				_, sx := laterShort[x]
				_, sy := laterShort[y]
				if sx != sy {
					if sx {
						return -1
					}
					return 1
				}
				return cmp.Compare(p.DepotAssetDist(j, x), p.DepotAssetDist(j, y))
			})
			own := len(lot)
			was := map[int]int{}
			for _, a := range cands {
				if worth() >= 1.05*need {
					break
				}
				was[a] = year[a]
				year[a], moved[a] = end, true
				lot, yrs = append(lot, a), append(yrs, end)
			}
			if worth() >= need {
				changed = changed || len(was) > 0
				continue
			}
			for a, y := range was { // not enough: the pulled inspections stay where they were
				year[a], moved[a] = y, false
			}
			// Else each of its own inspections goes elsewhere in its window: to the block
			// before, or to a later block with a short lot at the same depot, or to the
			// block of its due year.
			for _, a := range lot[:own] {
				if moved[a] {
					continue
				}
				lo, hi := p.Window(a)
				switch {
				case fy > p.FirstFY && lo <= fy-1:
					year[a], moved[a], changed = fy-1, true, true
				case hi > end:
					to := hi
					for b := fy + L; b <= hi; b += L {
						if shortAt[slot{j, b}] {
							to = min(hi, b+L-1)
							pushed[slot{j, b}] = append(pushed[slot{j, b}], a)
							break
						}
					}
					year[a], moved[a], changed = to, true, true
				}
			}
		}
	}
	return changed
}

// stranded lists the assets of the block starting fy (scheduled by year) that no lot
// can carry up to L·min_value: from every depot that reaches such an asset, the lot of
// all the block's assets that depot reaches costs less than that. The search cannot
// plan them; bringing inspections forward can. Depots are found near each asset (band),
// so the work grows with the assets times the depots within reach, not all depots.
func (p *Programme) stranded(band *depotBand, fy int, assets, year []int) []int {
	need := float64(p.ContractYears) * p.MinValue
	if need <= 0 {
		return nil
	}
	reach := map[int][]int{} // depot → the block's assets it reaches, in order
	var depots []int
	for _, a := range assets {
		p.eachReaching(band, a, func(j int) {
			if reach[j] == nil {
				depots = append(depots, j)
			}
			reach[j] = append(reach[j], a)
		})
	}
	best := make(map[int]float64, len(assets))
	var yrs []int
	for _, j := range depots {
		yrs = yrs[:0]
		for _, a := range reach[j] {
			yrs = append(yrs, year[a])
		}
		v := p.LotCost(j, fy, reach[j], yrs).Total
		for _, a := range reach[j] {
			best[a] = max(best[a], v)
		}
	}
	var out []int
	for _, a := range assets {
		if valueBelow(best[a], need) {
			out = append(out, a)
		}
	}
	return out
}

// eachReaching calls fn for every depot that reaches asset a (Reachable).
func (p *Programme) eachReaching(band *depotBand, a int, fn func(j int)) {
	band.near(p.Assets[a].At, p.MaxDistanceKm+1e-9, func(j int, _ float64) bool {
		if p.Reachable(j, a) {
			fn(j)
		}
		return true
	})
}

// nearAny reports whether some depot reaches both a and one of the assets whose
// depots are marked in reaches.
func (p *Programme) nearAny(band *depotBand, a int, reaches map[int]bool) bool {
	found := false
	p.eachReaching(band, a, func(j int) { found = found || reaches[j] })
	return found
}

// blockAssets lists the programme assets whose year lies in block b (0-based).
func (p *Programme) blockAssets(year []int, b int) []int {
	var out []int
	for _, a := range p.Planned {
		if (year[a]-p.FirstFY)/p.ContractYears == b {
			out = append(out, a)
		}
	}
	return out
}

// planBlocks plans each block's lots with the one-year solver on the block's assets and
// judges the whole plan. The time limit is shared among the blocks. A block with the
// same inspections in the same years as in prev (a plan of an earlier schedule; nil for
// none) keeps prev's lots, and the time goes to the others.
func (p *Programme) planBlocks(ctx context.Context, year []int, opt SolveOptions, prev []BlockResult) (*ProgrammeResult, error) {
	start := time.Now()
	L := p.ContractYears
	blocks := p.Years / L
	res := &ProgrammeResult{StopReason: "done"}
	plan := &Plan{Instance: p.Inst.Name, Bundles: []Bundle{}, Schedule: map[string]int{}}
	assetsOf, keys := make([][]int, blocks), make([]string, blocks)
	reuse := make([]bool, blocks)
	toSolve := 0
	for b := range blocks {
		assetsOf[b] = p.blockAssets(year, b)
		var sb strings.Builder
		for _, a := range assetsOf[b] {
			fmt.Fprintf(&sb, "%d:%d,", a, year[a])
		}
		keys[b] = sb.String()
		reuse[b] = b < len(prev) && prev[b].key == keys[b] && prev[b].bundles != nil
		if len(assetsOf[b]) > 0 && !reuse[b] {
			toSolve++
		}
	}
	for b := range blocks {
		if err := ctx.Err(); err != nil {
			res.StopReason = "cancelled"
			break
		}
		fy := p.FirstFY + b*L
		assets := assetsOf[b]
		br := BlockResult{FY: fy, Assets: len(assets), key: keys[b]}
		if len(assets) == 0 {
			br.StopReason = "empty"
			res.Blocks = append(res.Blocks, br)
			continue
		}
		if reuse[b] {
			br = prev[b]
		} else {
			sub, err := p.pinnedBlockModel(assets, fy, year)
			if err != nil {
				return nil, fmt.Errorf("programme block %d: %w", fy, err)
			}
			sopt := opt
			// What is left of the time, shared evenly among the blocks still to plan.
			sopt.TimeLimit = max(p.blockFloor(), (opt.TimeLimit-time.Since(start))/time.Duration(max(1, toSolve)))
			toSolve--
			sopt.Progress = nil
			r, err := Solve(ctx, sub, sopt)
			if err != nil {
				return nil, fmt.Errorf("programme block %d: %w", fy, err)
			}
			br.StopReason, br.Infeasible = r.StopReason, r.Infeasible
			for _, sb := range r.short {
				as := make([]int, len(sb.assets))
				for k, x := range sb.assets {
					as[k] = assets[x]
				}
				br.short = append(br.short, shortBundle{depot: sb.depot, assets: as})
			}
			if r.Plan != nil {
				br.Lots, br.Cost = len(r.Plan.Bundles), r.Evaluation.Cost
				br.bundles = []Bundle{}
				for k, bu := range r.Plan.Bundles {
					fyCopy := fy
					br.bundles = append(br.bundles, Bundle{ID: fmt.Sprintf("FY%d-L%02d", fy, k+1), Depot: bu.Depot, FY: &fyCopy, Assets: bu.Assets})
				}
			}
		}
		if br.bundles == nil {
			res.StopReason = "infeasible"
			res.Blocks = append(res.Blocks, br)
			continue
		}
		for _, bu := range br.bundles {
			fyCopy := *bu.FY
			bu.FY, bu.Assets = &fyCopy, slices.Clone(bu.Assets) // the plan's own: repairs edit it
			plan.Bundles = append(plan.Bundles, bu)
			for _, id := range bu.Assets {
				plan.Schedule[id] = year[p.AssetIndex[id]]
			}
		}
		res.Blocks = append(res.Blocks, br)
	}
	if len(plan.Bundles) > 0 {
		res.Plan = plan
		res.Evaluation = EvaluateProgramme(p, plan)
	}
	return res, nil
}

// blockModel is the one-year model of a block's assets: the instance's prices, places
// and rules with only these assets, version 1, the value, workload and size limits
// scaled by the block's length L (max_distance_km is not).
func (p *Programme) blockModel(assets []int) (*Model, error) {
	return p.subModel(assets, p.ContractYears)
}

// subModel is the one-year model of the assets with the value, workload and size limits
// scaled by L.
func (p *Programme) subModel(assets []int, contractYears int) (*Model, error) {
	return Compile(p.subInstance(assets, contractYears))
}

// subInstance is subModel's instance. It carries no pins: a pin naming an asset of
// another block would not compile here (pinnedBlockModel gives a block its own).
func (p *Programme) subInstance(assets []int, contractYears int) *Instance {
	inst := *p.Inst
	inst.Version, inst.Programme, inst.Pins = 1, nil, nil
	inst.Assets = make([]Asset, len(assets))
	for k, a := range assets {
		inst.Assets[k] = p.Inst.Assets[a]
	}
	if L := float64(contractYears); L > 1 {
		lim := inst.Params.Limits
		scale := func(x *float64) *float64 {
			if x == nil {
				return nil
			}
			y := *x * L
			return &y
		}
		lim.MinValue, lim.MaxValue, lim.MaxWorkload = scale(lim.MinValue), scale(lim.MaxValue), scale(lim.MaxWorkload)
		if lim.MaxAssets != nil {
			n := *lim.MaxAssets * contractYears
			lim.MaxAssets = &n
		}
		inst.Params.Limits = lim
	}
	return &inst
}

// repairYearCaps moves single inspections out of a year over a cap of year_limits, or
// out of a municipality's year over its budget, into a lot of another year of their
// window whose depot reaches them: first improvement, largest inspections first. A move
// stands when it leaves no more violations and less excess over caps and budgets,
// judged by EvaluateProgramme. Lot assignments inside the other years stay as they are.
// Yearly lots only. Every try re-evaluates the whole programme (Shapley year shares
// included), so the repair stops at the solve's deadline or cancel with the best plan so far:
// on the demo with budgets binding everywhere it would otherwise run for minutes.
func (p *Programme) repairYearCaps(ctx context.Context, res *ProgrammeResult, deadline time.Time) {
	if p.ContractYears > 1 {
		return // a lot spans its block: moving a year inside it is another repair
	}
	plan := res.Plan
	excess := func(ev *Evaluation) float64 {
		x := 0.0
		for _, y := range ev.Years {
			x += max(0, y.Value-p.YearMaxValue) + max(0, y.Workload-p.YearMaxWorkload)*1e3
		}
		for _, b := range ev.Budgets {
			if b.Budget != nil {
				x += max(0, b.Share-*b.Budget)
			}
		}
		return x
	}
	// overFor reports whether asset a in year y stands in a year over a cap or in its
	// municipality's year over budget.
	overFor := func(ev *Evaluation, a, y int) bool {
		yr := ev.Years[y-p.FirstFY]
		if yr.Value > p.YearMaxValue*(1+irRelEps) || yr.Workload > p.YearMaxWorkload+limitEps {
			return true
		}
		mu := p.Assets[a].Muni
		if caps := p.Budgets[mu]; caps != nil {
			for _, b := range ev.Budgets {
				if b.FY == y && b.Municipality == p.Munis[mu].Code {
					return b.Share > caps[y-p.FirstFY]*(1+irRelEps)+1e-6
				}
			}
		}
		return false
	}
	byCost := func(x, y string) int {
		cx, cy := p.Assets[p.AssetIndex[x]].Cost, p.Assets[p.AssetIndex[y]].Cost
		switch {
		case cx > cy:
			return -1
		case cx < cy:
			return 1
		}
		return 0
	}
	ev := res.Evaluation
	// try moves asset id from src into dst (in dst's year); it keeps the move when it helps.
	out := func() bool { return ctx.Err() != nil || !time.Now().Before(deadline) }
	try := func(src, dst *Bundle, id string) bool {
		from := plan.Schedule[id]
		srcBefore, dstLen := src.Assets, len(dst.Assets)
		src.Assets = slices.DeleteFunc(slices.Clone(src.Assets), func(x string) bool { return x == id })
		dst.Assets = append(dst.Assets, id)
		plan.Schedule[id] = *dst.FY
		if len(src.Assets) > 0 {
			next := EvaluateProgramme(p, plan)
			if len(next.Violations) <= len(ev.Violations) && excess(next) < excess(ev) {
				ev = next
				return true
			}
		}
		src.Assets, dst.Assets, plan.Schedule[id] = srcBefore, dst.Assets[:dstLen], from
		return false
	}
	for range 200 { // moves at most: each one re-evaluates the plan
		if excess(ev) <= 0 || out() {
			break
		}
		improved := false
		for bi := 0; bi < len(plan.Bundles) && !improved; bi++ {
			src := &plan.Bundles[bi]
			assets := slices.Clone(src.Assets)
			slices.SortStableFunc(assets, byCost)
			for _, id := range assets {
				a := p.AssetIndex[id]
				if !overFor(ev, a, plan.Schedule[id]) {
					continue
				}
				lo, hi := p.Window(a)
				for ti := range plan.Bundles {
					if out() {
						break
					}
					dst := &plan.Bundles[ti]
					if y := *dst.FY; y < lo || y > hi || y == plan.Schedule[id] || !p.Reachable(p.DepotIndex[dst.Depot], a) {
						continue
					}
					if improved = try(src, dst, id); improved {
						break
					}
				}
				if improved {
					break
				}
			}
		}
		if !improved {
			break
		}
	}
	res.Evaluation = ev
}
