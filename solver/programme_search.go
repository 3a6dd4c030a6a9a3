package solver

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// The programme's improvement search: local search over (year, lot) on a plan of
// SolveProgramme, with the lots priced by LotCost and LotShares (the evaluator's own
// formulas) so that a move is judged by recomputing only the lots it touches. The
// objective is the plan's cost plus searchPenalty times how far it is from feasible:
// each lot's distance from L·min_value and L·max_value and its yearly workload and size
// over the limits, each year over year_limits, each municipality's year over its budget.
// So a move may trade cost for feasibility on caps and budgets, and a feasible plan never
// becomes infeasible. Moves: relocate one asset to another lot (and year of that lot's
// block inside its window) or to another year of its own lot, and swap two assets of
// different lots. Descent by first improvement in a fixed order, then rounds of a few
// random relocations followed by descent, keeping the best; random by Seed, rounds capped
// by MaxIterations, stopped by the deadline.

// searchStall ends the search after this many rounds without a better plan: the
// iteration count, not the clock, so a run that ends by it is reproducible.
const searchStall = 1000

// searchPenalty weighs a yen of infeasibility against a yen of cost at first. When the
// search has not improved for searchSoften rounds, the weight drops to
// searchPenaltyLow, so that it crosses slightly infeasible plans (the cheapest plan
// without penalty is kept apart). Measured: pp-level's caps ¥67.4M with 10 throughout,
// ¥66.5M with 2; pp-nara-level ¥439.4M with 10, ¥447.6M with 2 throughout.
const (
	searchPenalty    = 10
	searchPenaltyLow = 2
	searchSoften     = 200
)

type searchLot struct {
	depot, fy     int
	assets, years []int
	cost, pen     float64
	yearValue     []float64         // cost_y, offset in the block
	yearWork      []float64         // workload in each year of the block
	shares        map[int][]float64 // only with budgets
}

type programmeSearch struct {
	p      *Programme
	lots   []searchLot
	lotOf  []int // asset → lot index (−1: not in the programme)
	wScale float64
	pw     float64 // the penalty weight in use
	budget bool
	// value, work: the programme's year totals; share: municipality × year shares.
	value, work []float64
	share       [][]float64
}

// price fills a lot's cost, penalty, yearly parts and shares from its assets and years.
func (s *programmeSearch) price(l *searchLot) {
	p, L := s.p, s.p.ContractYears
	l.yearValue, l.yearWork, l.shares = make([]float64, L), make([]float64, L), nil
	l.cost, l.pen = 0, 0
	if len(l.assets) == 0 {
		return
	}
	lp := p.LotCost(l.depot, l.fy, l.assets, l.years)
	l.cost = lp.Total
	copy(l.yearValue, lp.Years)
	count := make([]int, L)
	for i, a := range l.assets {
		l.yearWork[l.years[i]-l.fy] += p.Assets[a].Workload
		count[l.years[i]-l.fy]++
	}
	fl := float64(L)
	l.pen = max(0, fl*p.MinValue-l.cost) + max(0, l.cost-fl*p.MaxValue)
	for k := range L {
		l.pen += max(0, l.yearWork[k]-p.MaxWorkload)*s.wScale + float64(max(0, count[k]-p.MaxAssets))*p.F
	}
	if s.budget {
		l.shares = p.LotShares(l.depot, l.fy, l.assets, l.years)
	}
}

// addLot adds (sign +1) or removes (−1) a lot's part of the year totals and shares.
func (s *programmeSearch) addLot(l *searchLot, sign float64) {
	for k := range l.yearValue {
		y := l.fy - s.p.FirstFY + k
		s.value[y] += sign * l.yearValue[k]
		s.work[y] += sign * l.yearWork[k]
	}
	for mu, ys := range l.shares {
		for k, v := range ys {
			s.share[mu][l.fy-s.p.FirstFY+k] += sign * v
		}
	}
}

// globalPen is the excess over year_limits and budgets of the current totals.
func (s *programmeSearch) globalPen() float64 {
	p := s.p
	x := 0.0
	for y := range s.value {
		x += max(0, s.value[y]-p.YearMaxValue) + max(0, s.work[y]-p.YearMaxWorkload)*s.wScale
	}
	if s.budget {
		for mu, caps := range p.Budgets {
			for y, c := range caps {
				x += max(0, s.share[mu][y]-c)
			}
		}
	}
	return x
}

func (s *programmeSearch) objective() float64 {
	cost, pen := s.costPen()
	return cost + s.pw*pen
}

// costPen is the plan's cost and its distance from feasibility (0: every lot, cap and
// budget rule the search sees holds).
func (s *programmeSearch) costPen() (cost, pen float64) {
	pen = s.globalPen()
	for i := range s.lots {
		cost += s.lots[i].cost
		pen += s.lots[i].pen
	}
	return cost, pen
}

// allowed reports whether asset a may join lot l in year y: its depot reaches it, the
// year lies in a's window and l's block, the pins allow it, and the mixing and region
// rules hold (with the asset skip, which leaves the lot, left out).
func (s *programmeSearch) allowed(l *searchLot, a, y, skip int) bool {
	p := s.p
	lo, hi := p.Window(a)
	if y < lo || y > hi || y < l.fy || y >= l.fy+p.ContractYears || !p.Reachable(l.depot, a) {
		return false
	}
	if p.pins != nil && !p.pinAllows(a, l.depot, l.fy, y) {
		return false
	}
	for _, b := range l.assets {
		if b == skip {
			continue
		}
		if !p.MixAllowed && p.Assets[b].Discipline != p.Assets[a].Discipline {
			return false
		}
		if p.RegionLocked && p.Munis[p.Assets[b].Muni].Region != p.Munis[p.Assets[a].Muni].Region {
			return false
		}
	}
	return true
}

// change replaces lots i (and j, unless −1) by the given contents when that lowers the
// objective; it reports whether it did.
func (s *programmeSearch) change(i int, ni searchLot, j int, nj searchLot) bool {
	before := s.globalPen()
	old := s.lots[i].cost + s.pw*s.lots[i].pen
	s.price(&ni)
	s.addLot(&s.lots[i], -1)
	s.addLot(&ni, 1)
	now := ni.cost + s.pw*ni.pen
	if j >= 0 {
		old += s.lots[j].cost + s.pw*s.lots[j].pen
		s.price(&nj)
		s.addLot(&s.lots[j], -1)
		s.addLot(&nj, 1)
		now += nj.cost + s.pw*nj.pen
	}
	delta := now - old + s.pw*(s.globalPen()-before)
	if delta < -1e-6*max(1, math.Abs(old)) {
		s.lots[i] = ni
		if j >= 0 {
			s.lots[j] = nj
		}
		return true
	}
	s.addLot(&ni, -1)
	s.addLot(&s.lots[i], 1)
	if j >= 0 {
		s.addLot(&nj, -1)
		s.addLot(&s.lots[j], 1)
	}
	return false
}

// without is lot l's contents less asset a; with adds a in year y.
func without(l searchLot, a int) searchLot {
	k := slices.Index(l.assets, a)
	l.assets = slices.Delete(slices.Clone(l.assets), k, k+1)
	l.years = slices.Delete(slices.Clone(l.years), k, k+1)
	return l
}

func with(l searchLot, a, y int) searchLot {
	l.assets = append(slices.Clone(l.assets), a)
	l.years = append(slices.Clone(l.years), y)
	return l
}

// relocate tries moving asset a to every other (lot, year); first improvement.
func (s *programmeSearch) relocate(a int) bool {
	p := s.p
	from := s.lotOf[a]
	src := s.lots[from]
	cur := src.years[slices.Index(src.assets, a)]
	lo, hi := p.Window(a)
	for t := range s.lots {
		dst := &s.lots[t]
		if len(dst.assets) == 0 || dst.fy+p.ContractYears <= lo || dst.fy > hi {
			continue
		}
		for y := min(hi, dst.fy+p.ContractYears-1); y >= max(lo, dst.fy); y-- {
			if t == from {
				if y == cur || !s.allowed(dst, a, y, a) {
					continue
				}
				if s.change(from, with(without(src, a), a, y), -1, searchLot{}) {
					return true
				}
				continue
			}
			if !s.allowed(dst, a, y, -1) {
				continue
			}
			if s.change(from, without(src, a), t, with(*dst, a, y)) {
				s.lotOf[a] = t
				return true
			}
		}
	}
	return false
}

// swap tries exchanging asset a with an asset of another lot, each taking the latest
// year of its window in the other's block; first improvement.
func (s *programmeSearch) swap(a int) bool {
	p := s.p
	i := s.lotOf[a]
	for _, b := range p.Planned {
		j := s.lotOf[b]
		if j == i {
			continue
		}
		li, lj := &s.lots[i], &s.lots[j]
		ya, yb := s.latestIn(a, lj.fy), s.latestIn(b, li.fy)
		if ya < 0 || yb < 0 || !s.allowed(lj, a, ya, b) || !s.allowed(li, b, yb, a) {
			continue
		}
		if s.change(i, with(without(*li, a), b, yb), j, with(without(*lj, b), a, ya)) {
			s.lotOf[a], s.lotOf[b] = j, i
			return true
		}
	}
	return false
}

// latestIn is the latest year of a's window in the block starting fy, or −1.
func (s *programmeSearch) latestIn(a, fy int) int {
	lo, hi := s.p.Window(a)
	y := min(hi, fy+s.p.ContractYears-1)
	if y < max(lo, fy) {
		return -1
	}
	return y
}

// split tries moving the assets of lot i that an empty slot's depot of the same block
// reaches, and reaches more cheaply than lot i's depot, into a new lot there.
func (s *programmeSearch) split(i int) bool {
	l := s.lots[i]
	p := s.p
	for j := range s.lots {
		e := s.lots[j]
		if j == i || len(e.assets) > 0 || e.fy != l.fy {
			continue
		}
		rest, part := searchLot{depot: l.depot, fy: l.fy}, searchLot{depot: e.depot, fy: e.fy}
		for k, a := range l.assets {
			if p.Reachable(e.depot, a) && p.DepotAssetDist(e.depot, a) < p.DepotAssetDist(l.depot, a) && s.allowed(&part, a, l.years[k], -1) {
				part = with(part, a, l.years[k])
			} else {
				rest = with(rest, a, l.years[k])
			}
		}
		if len(part.assets) == 0 || len(rest.assets) == 0 {
			continue
		}
		if s.change(i, rest, j, part) {
			for _, a := range part.assets {
				s.lotOf[a] = j
			}
			return true
		}
	}
	return false
}

// merge tries moving every asset of lot i into another lot j, each in the latest year
// of its window in j's block: into a lot, it saves a letting cost where relocating one
// asset at a time only meets a lot below min_value; into an empty slot, it moves the
// whole lot to another depot or block.
func (s *programmeSearch) merge(i int) bool {
	src := s.lots[i]
	if len(src.assets) == 0 {
		return false
	}
	for j := range s.lots {
		dst := s.lots[j]
		if j == i {
			continue
		}
		nj, ok := dst, true
		for _, a := range src.assets {
			y := s.latestIn(a, dst.fy)
			if y < 0 || !s.allowed(&nj, a, y, -1) {
				ok = false
				break
			}
			nj = with(nj, a, y)
		}
		if ok && s.change(i, searchLot{depot: src.depot, fy: src.fy}, j, nj) {
			for _, a := range src.assets {
				s.lotOf[a] = j
			}
			return true
		}
	}
	return false
}

// moveGroup tries moving, for each piece of equipment e (or discipline) and year y of
// lot i, all the assets of lot i in y that need e (or are of that discipline) to another
// lot, each in the latest year of its window there: moving them one at a time saves
// nothing while the others still need e's mobilisation in y (or keep the lot mixed).
func (s *programmeSearch) moveGroup(i int) bool {
	p := s.p
	src := s.lots[i]
	type key struct{ e, y int }
	groups := map[key][]int{}
	var keys []key
	add := func(kk key, a int) {
		if groups[kk] == nil {
			keys = append(keys, kk)
		}
		groups[kk] = append(groups[kk], a)
	}
	for k, a := range src.assets {
		for _, e := range p.Assets[a].Equip {
			add(key{e, src.years[k]}, a)
		}
		// −1−g: the assets of discipline g, whose leaving may drop the mixing surcharge.
		add(key{-1 - p.Assets[a].Discipline, src.years[k]}, a)
	}
	for _, kk := range keys {
		g := groups[kk]
		if len(g) < 2 || len(g) == len(src.assets) {
			continue // one asset: relocate; all of them: merge
		}
		for t := range s.lots {
			dst := s.lots[t]
			if t == i || len(dst.assets) == 0 {
				continue
			}
			ni, nj, ok := src, dst, true
			for _, a := range g {
				y := s.latestIn(a, dst.fy)
				if y < 0 || !s.allowed(&nj, a, y, -1) {
					ok = false
					break
				}
				ni, nj = without(ni, a), with(nj, a, y)
			}
			if ok && s.change(i, ni, t, nj) {
				for _, a := range g {
					s.lotOf[a] = t
				}
				return true
			}
		}
	}
	return false
}

// descend applies improving merges, splits, relocations and swaps until none is left
// or the deadline.
func (s *programmeSearch) descend(ctx context.Context, deadline time.Time, swaps bool) {
	for improved := true; improved; {
		improved = false
		for i := range s.lots {
			if ctx.Err() != nil || time.Now().After(deadline) {
				return
			}
			if len(s.lots[i].assets) > 0 && (s.merge(i) || s.split(i) || s.moveGroup(i)) {
				improved = true
			}
		}
		for _, a := range s.p.Planned {
			if ctx.Err() != nil || time.Now().After(deadline) {
				return
			}
			if s.relocate(a) || swaps && s.swap(a) {
				improved = true
			}
		}
	}
}

// plan writes the state as a Plan, lots in order of block then depot.
func (s *programmeSearch) plan(name string) *Plan {
	lots := make([]int, 0, len(s.lots))
	for i := range s.lots {
		if len(s.lots[i].assets) > 0 {
			lots = append(lots, i)
		}
	}
	slices.SortStableFunc(lots, func(x, y int) int {
		if d := s.lots[x].fy - s.lots[y].fy; d != 0 {
			return d
		}
		return s.lots[x].depot - s.lots[y].depot
	})
	plan := &Plan{Instance: name, Bundles: []Bundle{}, Schedule: map[string]int{}}
	n := map[int]int{}
	for _, i := range lots {
		l := &s.lots[i]
		fy := l.fy
		n[fy]++
		b := Bundle{ID: fmt.Sprintf("FY%d-L%02d", fy, n[fy]), Depot: s.p.Depots[l.depot].ID, FY: &fy}
		for k, a := range l.assets {
			b.Assets = append(b.Assets, s.p.Assets[a].ID)
			plan.Schedule[s.p.Assets[a].ID] = l.years[k]
		}
		plan.Bundles = append(plan.Bundles, b)
	}
	return plan
}

// newProgrammeSearch reads a plan that covers every programme asset once (as
// planBlocks writes it); it returns nil for any other.
func newProgrammeSearch(p *Programme, plan *Plan) *programmeSearch {
	s := &programmeSearch{p: p, lotOf: make([]int, len(p.Assets)), wScale: 1e4, pw: searchPenalty,
		value: make([]float64, p.Years), work: make([]float64, p.Years), share: make([][]float64, len(p.Munis))}
	if finite(p.MaxValue) && p.MaxWorkload > 0 && finite(p.MaxWorkload) {
		s.wScale = p.MaxValue / p.MaxWorkload
	}
	for mu := range s.share {
		s.share[mu] = make([]float64, p.Years)
		s.budget = s.budget || p.Budgets[mu] != nil
	}
	for a := range s.lotOf {
		s.lotOf[a] = -1
	}
	for _, b := range plan.Bundles {
		j, ok := p.DepotIndex[b.Depot]
		if !ok || b.FY == nil || !p.IsBlockStart(*b.FY) {
			return nil
		}
		l := searchLot{depot: j, fy: *b.FY}
		for _, id := range b.Assets {
			a, ok := p.AssetIndex[id]
			if !ok || !p.InProgramme[a] || s.lotOf[a] >= 0 {
				return nil
			}
			y, ok := plan.Schedule[id]
			if !ok {
				return nil
			}
			s.lotOf[a] = len(s.lots)
			l.assets, l.years = append(l.assets, a), append(l.years, y)
		}
		s.price(&l)
		s.addLot(&l, 1)
		s.lots = append(s.lots, l)
	}
	for _, a := range p.Planned {
		if s.lotOf[a] < 0 {
			return nil
		}
	}
	// An empty slot for every (depot, block) without a lot: merges and splits open lots
	// there.
	used := map[[2]int]bool{}
	for _, l := range s.lots {
		used[[2]int{l.depot, l.fy}] = true
	}
	for fy := p.FirstFY; fy <= p.LastFY(); fy += p.ContractYears {
		for j := range p.Depots {
			if !used[[2]int{j, fy}] {
				s.lots = append(s.lots, searchLot{depot: j, fy: fy, yearValue: make([]float64, p.ContractYears), yearWork: make([]float64, p.ContractYears)})
			}
		}
	}
	return s
}

// snapshot copies the lots and assignment (the totals follow from them).
func (s *programmeSearch) snapshot() ([]searchLot, []int) {
	return slices.Clone(s.lots), slices.Clone(s.lotOf)
}

func (s *programmeSearch) restore(lots []searchLot, lotOf []int) {
	s.lots, s.lotOf = slices.Clone(lots), slices.Clone(lotOf)
	for y := range s.value {
		s.value[y], s.work[y] = 0, 0
	}
	for mu := range s.share {
		clear(s.share[mu])
	}
	for i := range s.lots {
		s.addLot(&s.lots[i], 1)
	}
}

// force moves asset a into lot t, in the latest year of its window in t's block, when
// the move keeps the rules a lot cannot break (reach, window, mixing, region), whatever
// it costs.
func (s *programmeSearch) force(a, t int) {
	from := s.lotOf[a]
	y := s.latestIn(a, s.lots[t].fy)
	if t == from || y < 0 || !s.allowed(&s.lots[t], a, y, -1) {
		return
	}
	ni, nj := without(s.lots[from], a), with(s.lots[t], a, y)
	s.price(&ni)
	s.price(&nj)
	s.addLot(&s.lots[from], -1)
	s.addLot(&s.lots[t], -1)
	s.addLot(&ni, 1)
	s.addLot(&nj, 1)
	s.lots[from], s.lots[t], s.lotOf[a] = ni, nj, t
}

// shift moves lot i's assets into lot or slot t where their windows allow, and each
// of the others into the lot of the latest block its window allows (the years of a
// lot move together: a lot in FY2027 becomes one in FY2028, its assets due in 2027
// going to FY2026's lot), whatever it costs.
func (s *programmeSearch) shift(i, t int) {
	if i == t {
		return
	}
	for _, a := range slices.Clone(s.lots[i].assets) {
		if y := s.latestIn(a, s.lots[t].fy); y >= 0 && s.allowed(&s.lots[t], a, y, -1) {
			s.force(a, t)
			continue
		}
		best := -1
		for u := range s.lots {
			if u == i || len(s.lots[u].assets) == 0 || (best >= 0 && s.lots[u].fy <= s.lots[best].fy) {
				continue
			}
			if y := s.latestIn(a, s.lots[u].fy); y >= 0 && s.allowed(&s.lots[u], a, y, -1) {
				best = u
			}
		}
		if best >= 0 {
			s.force(a, best)
		}
	}
}

// improveProgramme runs the search on res's plan until deadline and replaces the plan
// when the evaluator prefers the result (betterProgramme). It returns the rounds run.
func (p *Programme) improveProgramme(ctx context.Context, res *ProgrammeResult, deadline time.Time, opt SolveOptions) int {
	if res.Plan == nil {
		return 0
	}
	s := newProgrammeSearch(p, res.Plan)
	if s == nil {
		return 0
	}
	s.descend(ctx, deadline, true)
	best := s.objective()
	bestLots, bestOf := s.snapshot()
	// The penalty lets the search cross infeasible plans, so the best plan by objective
	// may break a rule: the cheapest plan without penalty is kept too.
	feasCost, feasLots, feasOf := math.Inf(1), []searchLot(nil), []int(nil)
	keepFeasible := func() {
		if cost, pen := s.costPen(); pen <= 0 && cost < feasCost {
			feasCost = cost
			feasLots, feasOf = s.snapshot()
		}
	}
	keepFeasible()
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x9e3779b97f4a7c15))
	rounds, lastBetter := 0, 0
	for ; ctx.Err() == nil && time.Now().Before(deadline) && (opt.MaxIterations <= 0 || rounds < opt.MaxIterations); rounds++ {
		// Kick, cost aside, in turn: a few random assets, each to a random lot; one
		// municipality's cohort (its assets in one year of a lot) to another lot or
		// empty slot; a whole lot to another lot or slot (shift); then descend again.
		switch rounds % 3 {
		case 0:
			for range 2 + rng.IntN(3) {
				a := p.Planned[rng.IntN(len(p.Planned))]
				if t := rng.IntN(len(s.lots)); len(s.lots[t].assets) > 0 {
					s.force(a, t)
				}
			}
		case 1:
			a := p.Planned[rng.IntN(len(p.Planned))]
			l := &s.lots[s.lotOf[a]]
			y := l.years[slices.Index(l.assets, a)]
			var cohort []int
			for k, b := range l.assets {
				if l.years[k] == y && p.Assets[b].Muni == p.Assets[a].Muni {
					cohort = append(cohort, b)
				}
			}
			t := rng.IntN(len(s.lots))
			for _, b := range cohort {
				s.force(b, t)
			}
		default:
			s.shift(s.lotOf[p.Planned[rng.IntN(len(p.Planned))]], rng.IntN(len(s.lots)))
		}
		s.descend(ctx, deadline, rounds%4 == 3)
		keepFeasible()
		if obj := s.objective(); obj < best-1e-6*max(1, best) {
			best, lastBetter = obj, rounds
			bestLots, bestOf = s.snapshot()
		} else {
			if rounds-lastBetter >= searchStall {
				break
			}
			s.restore(bestLots, bestOf)
		}
		// The state is now the best one: soften its penalty once the search stalls.
		if rounds-lastBetter >= searchSoften && s.pw > searchPenaltyLow {
			s.pw = searchPenaltyLow
			best, lastBetter = s.objective(), rounds
		}
	}
	type state struct {
		lots  []searchLot
		lotOf []int
	}
	for _, c := range []state{{bestLots, bestOf}, {feasLots, feasOf}} {
		if c.lots == nil {
			continue
		}
		s.restore(c.lots, c.lotOf)
		next := &ProgrammeResult{Plan: s.plan(p.Inst.Name)}
		next.Evaluation = EvaluateProgramme(p, next.Plan)
		if betterProgramme(next, res) {
			res.Plan, res.Evaluation = next.Plan, next.Evaluation
		}
	}
	return rounds
}
