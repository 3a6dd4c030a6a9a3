package solver

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// A national programme (150,000 assets) is planned in parts. The whole-horizon method of
// SolveProgramme (one version-1 solve per block over the whole country, then a search
// over (year, lot)) spends its time on checks that each pass over a block of 30,000
// assets, and a block's version-1 solve ends with a lot below min_value somewhere more
// often than not: on gen --seed 17 --munis 1700 --assets 150000 --max-distance 60
// --programme 5 it had no feasible plan after 120 s (nor after 414 s).
//
// Instead, the depots are cut into compact parts by recursive coordinate bisection,
// weighted by the planned assets nearest to each, every asset goes with its nearest
// depot that reaches it, and each part is planned as a programme of its own by the same
// method (small enough for its checks and its search), the parts spread over the
// threads. Each depot lies in one part, so two parts never open a lot at one depot in
// one block, and the plans join into one plan of the whole. Rules of the whole are
// shared out: a year cap in proportion to each part's share of the estimated value
// (work) due, a municipality's budget in proportion to its value in each part; a plan
// that meets every part's share meets the whole. A lot never crosses a part's edge, a
// restriction: the lower bound of the whole (which runs beside) measures what it costs.

// partTarget is the number of planned assets a part aims at. On the national programme
// (136,000 planned assets, 120 s on two threads) parts of 3,000 left 7.1–7.4 % above the
// bound, parts of 6,000 6.9 %; parts of 12,000 left a part without a feasible plan.
const partTarget = 6000

// programmePart is one part: its depots and the planned assets that go with them.
type programmePart struct {
	depots, assets []int
}

// decomposable reports whether SolveProgramme plans p in parts: a large programme
// without pins (a pin may tie assets that fall in different parts).
func (p *Programme) decomposable() bool {
	return len(p.Planned) > largeProgramme && p.pins == nil
}

// partition cuts the depots into parts of about target planned assets each.
func (p *Programme) partition(target int) []programmePart {
	band := newDepotBand(p.Model)
	home := make(map[int][]int) // depot → the planned assets nearest to it among those reaching them
	for _, a := range p.Planned {
		best, bestD := -1, math.Inf(1)
		band.near(p.Assets[a].At, p.MaxDistanceKm+1e-9, func(j int, d float64) bool {
			if d < bestD && p.Reachable(j, a) {
				best, bestD = j, d
			}
			return true
		})
		if best < 0 { // no depot reaches it (Precheck says so): the nearest of all
			for j := range p.Depots {
				if d := p.DepotAssetDist(j, a); d < bestD {
					best, bestD = j, d
				}
			}
		}
		home[best] = append(home[best], a)
	}
	depots := make([]int, len(p.Depots))
	for j := range depots {
		depots[j] = j
	}
	var parts []programmePart
	var cut func(ds []int, k int)
	cut = func(ds []int, k int) {
		if k <= 1 || len(ds) <= 1 {
			pt := programmePart{depots: slices.Clone(ds)}
			for _, j := range ds {
				pt.assets = append(pt.assets, home[j]...)
			}
			slices.Sort(pt.assets)
			if len(pt.assets) > 0 {
				parts = append(parts, pt)
			}
			return
		}
		// Along the longer side (longitude shrunk by the cosine of the mean latitude),
		// at the weighted quantile k1/k.
		minLon, maxLon, minLat, maxLat := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, j := range ds {
			at := p.Depots[j].At
			minLon, maxLon = min(minLon, at.Lon), max(maxLon, at.Lon)
			minLat, maxLat = min(minLat, at.Lat), max(maxLat, at.Lat)
		}
		byLon := (maxLon-minLon)*math.Cos((minLat+maxLat)/2*math.Pi/180) > maxLat-minLat
		coord := func(j int) float64 {
			if byLon {
				return p.Depots[j].At.Lon
			}
			return p.Depots[j].At.Lat
		}
		ds = slices.Clone(ds)
		sort.SliceStable(ds, func(x, y int) bool { return coord(ds[x]) < coord(ds[y]) })
		total := 0
		for _, j := range ds {
			total += len(home[j])
		}
		k1 := k / 2
		want, acc, at := float64(total)*float64(k1)/float64(k), 0, 0
		for at < len(ds)-1 && float64(acc+len(home[ds[at]])) <= want {
			acc += len(home[ds[at]])
			at++
		}
		at = max(1, at)
		cut(ds[:at], k1)
		cut(ds[at:], k-k1)
	}
	cut(depots, max(1, (len(p.Planned)+target-1)/target))
	return parts
}

// partInstance is the version-2 instance of one part: the instance's prices, rules and
// municipalities with only the part's depots and assets, no pins, the year caps scaled
// by the part's shares of the estimated value and workload due, and each budget by the
// municipality's share of its own estimated value in the part.
func (p *Programme) partInstance(pt programmePart, valueShare, workShare float64, muniShare map[int]float64) (*Instance, error) {
	inst := *p.Inst
	inst.Pins = nil
	inst.Depots = make([]Depot, len(pt.depots))
	for k, j := range pt.depots {
		d := p.Depots[j]
		inst.Depots[k] = Depot{ID: d.ID, Name: d.Name, Lon: d.At.Lon, Lat: d.At.Lat}
	}
	inst.Assets = make([]Asset, len(pt.assets))
	for k, a := range pt.assets {
		inst.Assets[k] = p.Inst.Assets[a]
	}
	spec := *p.Inst.Programme
	if spec.YearLimits != nil {
		yl := YearLimits{}
		if finite(p.YearMaxValue) {
			v := p.YearMaxValue * valueShare
			yl.MaxValue = &v
		}
		if finite(p.YearMaxWorkload) {
			w := p.YearMaxWorkload * workShare
			yl.MaxWorkload = &w
		}
		spec.YearLimits = &yl
	}
	spec.Budgets = nil
	for mu, caps := range p.Budgets {
		f, ok := muniShare[mu]
		if caps == nil || !ok {
			continue
		}
		scaled := make([]float64, len(caps))
		for y, c := range caps {
			scaled[y] = c * f
		}
		raw, err := json.Marshal(scaled)
		if err != nil {
			return nil, err
		}
		if spec.Budgets == nil {
			spec.Budgets = map[string]json.RawMessage{}
		}
		spec.Budgets[p.Munis[mu].Code] = raw
	}
	inst.Programme = &spec
	return &inst, nil
}

// solveParts plans p part by part (see above) until deadline, opt.Threads parts at a
// time, each with one thread and a share of the time in proportion to its assets. A part
// left without a feasible plan after three quarters of the time (a sparse corner whose
// inspections the depots of its neighbours would take) is planned again joined with the
// parts whose depots reach the inspections of its lots below min_value. It returns the
// joined plan judged by EvaluateProgramme; Blocks sums the parts' blocks.
func (p *Programme) solveParts(ctx context.Context, opt SolveOptions, deadline time.Time) (*ProgrammeResult, error) {
	return p.solvePartsOf(ctx, p.partition(partTarget), opt, deadline)
}

// solvePartsOf is solveParts with the parts given.
func (p *Programme) solvePartsOf(ctx context.Context, parts []programmePart, opt SolveOptions, deadline time.Time) (*ProgrammeResult, error) {
	subs := make([]*Programme, len(parts))
	for k, pt := range parts {
		sp, err := p.partProgramme(pt)
		if err != nil {
			return nil, fmt.Errorf("programme part %d: %w", k+1, err)
		}
		subs[k] = sp
	}
	first := time.Now().Add(time.Until(deadline) * 3 / 4)
	results, err := p.runParts(ctx, subs, opt, first)
	if err != nil {
		return nil, err
	}
	failed := func(r *ProgrammeResult) bool { return r == nil || r.Evaluation == nil || !r.Evaluation.Feasible }
	// Join every failed part with the parts whose depots reach its short lots' inspections.
	group := make([]int, len(parts)) // union-find over parts
	for k := range group {
		group[k] = k
	}
	var find func(k int) int
	find = func(k int) int {
		if group[k] != k {
			group[k] = find(group[k])
		}
		return group[k]
	}
	partOfDepot := make(map[int]int, len(p.Depots))
	for k, pt := range parts {
		for _, j := range pt.depots {
			partOfDepot[j] = k
		}
	}
	band := newDepotBand(p.Model)
	anyFailed := false
	for k, r := range results {
		if !failed(r) || ctx.Err() != nil {
			continue
		}
		anyFailed = true
		var short []int
		if r != nil {
			for _, b := range r.Blocks {
				for _, sb := range b.short {
					for _, x := range sb.assets {
						short = append(short, p.AssetIndex[subs[k].Assets[x].ID])
					}
				}
			}
		}
		if len(short) == 0 {
			short = parts[k].assets
		}
		for _, a := range short {
			band.near(p.Assets[a].At, p.MaxDistanceKm+1e-9, func(j int, _ float64) bool {
				if q, ok := partOfDepot[j]; ok && p.Reachable(j, a) {
					group[find(q)] = find(k)
				}
				return true
			})
		}
	}
	if anyFailed && ctx.Err() == nil && time.Until(deadline) > 0 {
		members := map[int][]int{}
		var roots []int
		for k := range parts {
			r := find(k)
			if len(members[r]) == 0 {
				roots = append(roots, r)
			}
			members[r] = append(members[r], k)
		}
		var joined []programmePart
		var from [][]int
		for _, r := range roots {
			ks := members[r]
			if len(ks) < 2 {
				continue
			}
			var pt programmePart
			for _, k := range ks {
				pt.depots = append(pt.depots, parts[k].depots...)
				pt.assets = append(pt.assets, parts[k].assets...)
			}
			slices.Sort(pt.depots)
			slices.Sort(pt.assets)
			joined = append(joined, pt)
			from = append(from, ks)
		}
		if len(joined) > 0 {
			jsubs := make([]*Programme, len(joined))
			for g, pt := range joined {
				sp, err := p.partProgramme(pt)
				if err != nil {
					return nil, fmt.Errorf("programme joined part %d: %w", g+1, err)
				}
				jsubs[g] = sp
			}
			jres, err := p.runParts(ctx, jsubs, opt, deadline)
			if err != nil {
				return nil, err
			}
			for g, r := range jres {
				// A feasible joined plan replaces its members' plans.
				if failed(r) {
					continue
				}
				for _, k := range from[g] {
					results[k], subs[k] = nil, nil
				}
				results = append(results, r)
				subs = append(subs, jsubs[g])
				parts = append(parts, joined[g])
			}
		}
	}
	if ctx.Err() == nil && time.Until(deadline) > time.Second {
		p.polishParts(ctx, subs, results, opt, deadline)
	}
	res := &ProgrammeResult{StopReason: "done"}
	if ctx.Err() != nil {
		res.StopReason = "cancelled"
	}
	plan := &Plan{Instance: p.Inst.Name, Bundles: []Bundle{}, Schedule: map[string]int{}}
	blocks := map[int]*BlockResult{}
	for k, r := range results {
		if r == nil {
			continue
		}
		res.SearchRounds += r.SearchRounds
		for _, b := range r.Blocks {
			br := blocks[b.FY]
			if br == nil {
				br = &BlockResult{FY: b.FY, StopReason: "done"}
				blocks[b.FY] = br
			}
			br.Assets += b.Assets
			br.Lots += b.Lots
			br.Cost += b.Cost
			if len(b.Infeasible) > 0 {
				br.StopReason = b.StopReason
				for _, in := range b.Infeasible {
					in.Message = fmt.Sprintf("part %d of %d: %s", k+1, len(parts), in.Message)
					br.Infeasible = append(br.Infeasible, in)
				}
			}
		}
		if r.Plan == nil {
			res.StopReason = "infeasible"
			continue
		}
		plan.Bundles = append(plan.Bundles, r.Plan.Bundles...)
		for id, y := range r.Plan.Schedule {
			plan.Schedule[id] = y
		}
	}
	for fy := p.FirstFY; fy <= p.LastFY(); fy += p.ContractYears {
		if br := blocks[fy]; br != nil {
			res.Blocks = append(res.Blocks, *br)
		} else {
			res.Blocks = append(res.Blocks, BlockResult{FY: fy, StopReason: "empty"})
		}
	}
	if len(plan.Bundles) == 0 {
		return res, nil
	}
	// Lots in order of block then depot, numbered per block as planBlocks numbers them.
	slices.SortStableFunc(plan.Bundles, func(x, y Bundle) int {
		if d := *x.FY - *y.FY; d != 0 {
			return d
		}
		return p.DepotIndex[x.Depot] - p.DepotIndex[y.Depot]
	})
	n := map[int]int{}
	for i := range plan.Bundles {
		fy := *plan.Bundles[i].FY
		n[fy]++
		plan.Bundles[i].ID = fmt.Sprintf("FY%d-L%02d", fy, n[fy])
	}
	res.Plan = plan
	res.Evaluation = EvaluateProgramme(p, plan)
	return res, nil
}

// partProgramme compiles one part's programme (partInstance), with the year caps shared
// out by the part's estimated value and workload due, and each municipality's budget by
// its estimated value in the part.
func (p *Programme) partProgramme(pt programmePart) (*Programme, error) {
	in := make([]bool, len(p.Assets))
	for _, a := range pt.assets {
		in[a] = true
	}
	var vPart, wPart, vAll, wAll float64
	muniPart, muniAll := map[int]float64{}, map[int]float64{}
	for _, a := range p.Planned {
		v, w, mu := p.estimatedValue(a, p.Due[a]), p.Assets[a].Workload, p.Assets[a].Muni
		vAll += v
		wAll += w
		muniAll[mu] += v
		if in[a] {
			vPart += v
			wPart += w
			muniPart[mu] += v
		}
	}
	share := map[int]float64{}
	for mu, v := range muniPart {
		share[mu] = v / muniAll[mu]
	}
	inst, err := p.partInstance(pt, vPart/max(vAll, 1e-9), wPart/max(wAll, 1e-9), share)
	if err != nil {
		return nil, err
	}
	sp, err := CompileProgramme(inst)
	if err != nil {
		return nil, err
	}
	sp.part = true
	return sp, nil
}

// runParts solves the parts' programmes until deadline, opt.Threads at a time, largest
// first, each with one thread and its share of what is left of the time in proportion
// to its assets.
func (p *Programme) runParts(ctx context.Context, subs []*Programme, opt SolveOptions, deadline time.Time) ([]*ProgrammeResult, error) {
	results := make([]*ProgrammeResult, len(subs))
	errs := make([]error, len(subs))
	forParts(ctx, subs, opt.Threads, deadline, func(k int, tl time.Duration) {
		sopt := opt
		sopt.TimeLimit, sopt.Threads, sopt.Progress = tl, 1, nil
		sopt.Seed = opt.Seed + int64(k)
		results[k], errs[k] = SolveProgramme(ctx, subs[k], sopt)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// polishParts gives what is left of the time until deadline to more improvement search
// in every part with a feasible plan (the first wave ends at three quarters of the time
// in case a part must be joined with its neighbours; when none must, that quarter goes
// here), with another seed than the part's solve.
func (p *Programme) polishParts(ctx context.Context, subs []*Programme, results []*ProgrammeResult, opt SolveOptions, deadline time.Time) {
	todo := make([]*Programme, len(subs))
	for k, r := range results {
		if r != nil && r.Evaluation != nil && r.Evaluation.Feasible && subs[k] != nil {
			todo[k] = subs[k]
		}
	}
	forParts(ctx, todo, opt.Threads, deadline, func(k int, tl time.Duration) {
		sopt := opt
		sopt.Seed = opt.Seed + int64(k) + 1
		rounds := subs[k].improveProgramme(ctx, results[k], time.Now().Add(tl), sopt, newProgrammeProgress(time.Now(), nil))
		results[k].SearchRounds += rounds
	})
}

// forParts calls work(k, time) for every non-nil part, threads at a time, largest part
// first, each with its share of what is left of the time until deadline in proportion to
// its planned assets (at least 200 ms).
func forParts(ctx context.Context, subs []*Programme, threads int, deadline time.Time, work func(k int, tl time.Duration)) {
	var order []int
	total := 0
	for k, sp := range subs {
		if sp != nil {
			order = append(order, k)
			total += len(sp.Planned)
		}
	}
	sort.SliceStable(order, func(x, y int) bool { return len(subs[order[x]].Planned) > len(subs[order[y]].Planned) })
	threads = max(1, threads)
	var mu sync.Mutex
	next, left := 0, total
	take := func() (int, time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if next == len(order) {
			return -1, 0
		}
		k := order[next]
		next++
		n := len(subs[k].Planned)
		tl := time.Duration(float64(time.Until(deadline)) * float64(min(threads, len(order)-next+1)) * float64(n) / float64(max(1, left)))
		left -= n
		return k, min(max(tl, 200*time.Millisecond), max(time.Until(deadline), 200*time.Millisecond))
	}
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, tl := take()
				if k < 0 || ctx.Err() != nil {
					return
				}
				work(k, tl)
			}
		}()
	}
	wg.Wait()
}
