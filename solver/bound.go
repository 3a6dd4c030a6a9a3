package solver

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// BoundOptions steer LowerBound.
type BoundOptions struct {
	Threads    int       // 0 = runtime.GOMAXPROCS
	Deadline   time.Time // stop improving at this time (zero = no deadline besides ctx)
	UpperBound float64   // best known plan cost if any (0 = unknown): step sizes and early stop
	// UpperBoundFunc, if set, is polled every iteration for the best plan cost found so
	// far (0 = none yet); the smaller of it and UpperBound steers the steps and the
	// early stop. It is called from the bound's goroutine: make it safe for that.
	UpperBoundFunc func() float64
	Progress       func(lb float64) // optional, called when the bound improves
	MaxIter        int              // 0 = default; caps the subgradient iterations
	Log            func(msg string) // optional trace of the iterations (benchmarks, debugging)
	Tuning         BoundTuning      // sizes of the relaxations; the zero value is the default
}

// BoundTuning sizes the Lagrangian bound's data and depot subproblems. Each zero field
// means its documented default, so BoundTuning{} is the tuning every run uses; tests
// set other values to reach the code paths that only huge or dense instances take.
type BoundTuning struct {
	// MaxPairs caps the depot–asset pairs whose candidate lists the Lagrangian bound
	// stores (about 50 bytes a pair); beyond it only the counting bound runs.
	// 0 = DefaultMaxBoundPairs.
	MaxPairs int
	// ExactKnapsackItems is the largest set of admitted negative candidates a depot
	// configuration solves as an exact 0-1 knapsack (branch and bound) instead of by its
	// linear relaxation alone. 0 = DefaultExactKnapsackItems; negative = never.
	ExactKnapsackItems int
}

// Defaults of BoundTuning.
const (
	DefaultMaxBoundPairs      = 30_000_000 // about 1.5 GB of candidate lists
	DefaultExactKnapsackItems = 40
)

// BoundResult is a proven lower bound on the cost of every feasible plan of a model.
type BoundResult struct {
	LowerBound float64 // valid: ≤ cost of every feasible plan (+Inf when none exists)
	Method     string  // how it was obtained, e.g. "lagrangian(subgradient, 120 it)"
	Iterations int
	// Multipliers holds λ per asset (index into m.Assets; 0 for non-participating):
	// the price at which the best Lagrangian bound lets an asset be covered.
	Multipliers []float64
	// Infeasible names why no feasible plan exists when LowerBound is +Inf.
	Infeasible string
}

// safety shaves a relative 1e-9 off every reported bound so that floating-point
// rounding in sums over hundreds of thousands of terms can never make it invalid.
const boundSafety = 1e-9

func shave(lb float64) float64 {
	if math.IsInf(lb, 0) {
		return lb
	}
	return lb - math.Abs(lb)*boundSafety - 1e-6
}

// LowerBound proves a lower bound on the cost of every feasible plan of m. It never
// returns a value above the optimum (validity beats tightness); it returns the best
// bound found when ctx is cancelled or the deadline passes.
//
// Two bounds are combined, the larger is reported:
//
//  1. the counting bound: every asset pays at least its cheapest admissible term
//     c_a + τ·d(j,a); every group of assets that must be bundled apart (one region when
//     region_locked, one discipline when mixing is forbidden) needs at least
//     ⌈Σw/max_workload⌉, ⌈n/max_assets⌉ and ⌈value/(max_value−F)⌉ contracts, each paying
//     F, and pays every piece of equipment it needs at least once;
//  2. the Lagrangian relaxation of "every participating asset in exactly one bundle"
//     (one multiplier λ_a per asset) and of "group c has at least N_c bundles" (N_c
//     from the counting bound, one μ_c ≥ 0 per group): one subproblem per depot, the
//     cheapest bundle it may host at reduced cost, bounded from below by enumerating
//     region, discipline set and equipment set and solving the capacity knapsack
//     exactly when few assets are admitted, by its linear relaxation otherwise
//     (bound_sub.go, bound_knapsack.go); λ and μ follow the volume algorithm
//     (bound_lagrange.go). min_value and individual rationality are dropped, which only
//     admits more plans, so the bound stays valid with them.
//
// Pins (docs/model.md rule 6) enter both bounds through the depot–asset pairs they leave
// (Model.admissible): a pinned asset is priced at its pinned depot alone, forbidden and
// closed depots are left out. Lot pins' "these assets together" is dropped (relaxed).
//
// With an upper bound (UpperBound, UpperBoundFunc) the steps aim at it and the search
// stops once the bound is within 1e-7 of it. The result depends only on the model
// and the options, not on the thread count, unless a deadline or ctx cuts it short.
func LowerBound(ctx context.Context, m *Model, opt BoundOptions) BoundResult {
	if opt.Threads <= 0 {
		opt.Threads = runtime.GOMAXPROCS(0)
	}
	bd := newBoundData(m, opt.Threads, opt.Tuning)
	res := BoundResult{Multipliers: make([]float64, len(m.Assets))}
	if bd.infeasible != "" {
		res.LowerBound, res.Method, res.Infeasible = math.Inf(1), "infeasible", bd.infeasible
		return res
	}
	cnt, why := bd.counting, bd.countingWhy
	if why != "" {
		res.LowerBound, res.Method, res.Infeasible = math.Inf(1), "infeasible", why
		return res
	}
	res.LowerBound, res.Method = shave(cnt), "counting"
	for _, a := range m.Participating {
		res.Multipliers[a] = bd.tmin[bd.pos[a]]
	}
	if opt.Progress != nil {
		opt.Progress(res.LowerBound)
	}
	if bd.cands == nil {
		res.Method = fmt.Sprintf("counting (%d depot–asset pairs in reach: too many for the Lagrangian)", bd.pairs)
		return res
	}
	lagrangian(ctx, bd, opt, &res)
	return res
}

// boundData is the part of the model the bounds look at: the participating assets
// (dense positions p = 0..n-1) and, for each depot, the assets it may take alone.
type boundData struct {
	m     *Model
	n     int
	asset []int // p → index into m.Assets
	pos   []int // index into m.Assets → p (−1 when not participating)
	tmin  []float64
	// cell groups the assets that can never share a bundle with assets of another cell.
	cell    []int
	ncells  int
	cellKey map[[2]int]int // (region or −1, discipline or −1) → cell
	// cellBundles is the counting bound's number of bundles each cell needs at least.
	cellBundles []float64

	em    equipModel
	lim   limits
	sur   [][3]float64 // the surrogate weight vectors π of the depot subproblems
	cands []depotCands // nil when there are too many pairs (pairs > maxPairs)
	pairs int
	// exactItems is BoundTuning.ExactKnapsackItems resolved: 0 = never exact.
	exactItems int

	infeasible string
	// counting is bound 1 of LowerBound; countingWhy proves infeasibility when set.
	counting    float64
	countingWhy string
}

// admissible reports whether asset a may be in some feasible bundle at depot j when
// it is alone with respect to every limit: reach, workload, count, and max_value with
// its own equipment. It returns t = c_a + τ·d(j,a).
//
// A pin that keeps a out of depot j (another depot pinned, j forbidden to it, or j's lot
// closed without it, docs/model.md rule 6) makes the pair inadmissible: no feasible plan
// uses it, so the bound only drops plans that break a pin and stays valid.
func (m *Model) admissible(j, a int) (float64, bool) {
	if m.pins != nil && !m.pins.allowed(a, j) {
		return 0, false
	}
	d := m.DepotAssetDist(j, a)
	if !(d <= m.MaxDistanceKm+1e-9) { // the test of Model.Reachable
		return 0, false
	}
	ai := &m.Assets[a]
	if ai.Workload > m.MaxWorkload {
		return 0, false
	}
	t := ai.Cost + m.Tau*d // Model.AssetTerm
	if m.pairTerm != nil {
		extra, ok := m.pairTerm(j, a)
		if !ok {
			return 0, false
		}
		t += extra
	}
	v := m.F + t
	for _, e := range ai.Equip {
		v += m.EquipPrice[e]
	}
	if v > m.MaxValue {
		return 0, false
	}
	return t, true
}

func newBoundData(m *Model, threads int, tune BoundTuning) *boundData {
	maxPairs := tune.MaxPairs
	if maxPairs <= 0 {
		maxPairs = DefaultMaxBoundPairs
	}
	bd := &boundData{m: m, n: len(m.Participating), asset: m.Participating, pos: make([]int, len(m.Assets))}
	switch {
	case tune.ExactKnapsackItems < 0:
		bd.exactItems = 0
	case tune.ExactKnapsackItems == 0:
		bd.exactItems = DefaultExactKnapsackItems
	default:
		bd.exactItems = tune.ExactKnapsackItems
	}
	for i := range bd.pos {
		bd.pos[i] = -1
	}
	for p, a := range bd.asset {
		bd.pos[a] = p
	}
	bd.em, bd.lim = newEquipModel(m), newLimits(m)
	bd.sur = bd.lim.surrogates()
	// Cells: region when region-locked, discipline when mixing is forbidden.
	key := map[[2]int]int{}
	bd.cellKey = key
	bd.cell = make([]int, bd.n)
	for p, a := range bd.asset {
		k := [2]int{-1, -1}
		if m.RegionLocked {
			k[0] = m.Munis[m.Assets[a].Muni].Region
		}
		if !m.MixAllowed {
			k[1] = m.Assets[a].Discipline
		}
		c, ok := key[k]
		if !ok {
			c = len(key)
			key[k] = c
		}
		bd.cell[p] = c
	}
	bd.ncells = len(key)
	idx := newLatIndex(m, bd.asset)
	bd.tmin = make([]float64, bd.n)
	for p := range bd.tmin {
		bd.tmin[p] = math.Inf(1)
	}
	// The depot candidate lists take about 50 bytes a pair; beyond maxPairs
	// (no or a very wide max_distance_km on a large instance) they are not built and
	// only the counting bound runs, its cheapest terms found by a streaming pass.
	band := make([]int, len(m.Depots))
	parallelFor(threads, len(m.Depots), func(j int) {
		idx.near(m, bd.asset, m.Depots[j].At, func(int) { band[j]++ })
	})
	pairs := 0
	for _, x := range band {
		pairs += x
	}
	if pairs > maxPairs {
		bd.pairs = pairs
		// one min array per worker over a contiguous share of the depots; min does not
		// depend on the order, so the merged result does not depend on the threads
		workers := max(1, min(threads, len(m.Depots)))
		local := make([][]float64, workers)
		var wg sync.WaitGroup
		for w := range local {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				mins := make([]float64, bd.n)
				for p := range mins {
					mins[p] = math.Inf(1)
				}
				for j := w * len(m.Depots) / workers; j < (w+1)*len(m.Depots)/workers; j++ {
					idx.near(m, bd.asset, m.Depots[j].At, func(p int) {
						if t, ok := m.admissible(j, bd.asset[p]); ok && t < mins[p] {
							mins[p] = t
						}
					})
				}
				local[w] = mins
			}(w)
		}
		wg.Wait()
		for _, mins := range local {
			for p, t := range mins {
				bd.tmin[p] = math.Min(bd.tmin[p], t)
			}
		}
	} else {
		bd.cands = make([]depotCands, len(m.Depots))
		parallelFor(threads, len(m.Depots), func(j int) {
			bd.cands[j] = buildDepotCands(bd, idx, j)
		})
		for j := range bd.cands {
			dc := &bd.cands[j]
			for k, p := range dc.p {
				bd.tmin[p] = math.Min(bd.tmin[p], dc.t[k])
			}
		}
	}
	for p, a := range bd.asset {
		if math.IsInf(bd.tmin[p], 1) {
			bd.infeasible = fmt.Sprintf("asset %s (assets[%d]) fits in no bundle: no depot within max_distance_km %v can take it alone under max_workload and max_value",
				m.Assets[a].ID, a, m.MaxDistanceKm)
			break
		}
	}
	bd.counting, bd.countingWhy = bd.countingBound()
	return bd
}

// parallelFor runs f(0..n-1) on up to threads goroutines.
func parallelFor(threads, n int, f func(i int)) {
	if threads > n {
		threads = n
	}
	if threads <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// ceilSafe is ⌈x⌉ that never rounds a value a hair above an integer up to the next one.
func ceilSafe(x float64) float64 { return math.Ceil(x - 1e-9*math.Max(1, math.Abs(x))) }

// minBundles is a lower bound on the number of bundles a group of assets needs, given
// its total workload, count and the lower bound val on Σ(c_a+τ·d) + Σ M_e.
func (m *Model) minBundles(work float64, count int, val float64) float64 {
	if count == 0 {
		return 0
	}
	nb := 1.0
	if m.MaxWorkload > 0 && !math.IsInf(m.MaxWorkload, 1) {
		nb = math.Max(nb, ceilSafe(work/m.MaxWorkload))
	}
	if m.MaxAssets < math.MaxInt {
		nb = math.Max(nb, ceilSafe(float64(count)/float64(m.MaxAssets)))
	}
	if !math.IsInf(m.MaxValue, 1) && m.MaxValue > m.F {
		nb = math.Max(nb, ceilSafe(val/(m.MaxValue-m.F)))
	}
	return nb
}

// countingBound is bound 1 of LowerBound. why is non-empty when the counts alone
// prove that no feasible plan exists.
func (bd *boundData) countingBound() (lb float64, why string) {
	m := bd.m
	type agg struct {
		t, w  float64
		n     int
		equip []bool
	}
	cells := make([]agg, bd.ncells)
	for p, a := range bd.asset {
		c := &cells[bd.cell[p]]
		ai := &m.Assets[a]
		c.t += bd.tmin[p]
		c.w += ai.Workload
		c.n++
		if c.equip == nil {
			c.equip = make([]bool, len(m.EquipPrice))
		}
		for _, e := range ai.Equip {
			c.equip[e] = true
		}
	}
	total := 0.0
	bd.cellBundles = make([]float64, len(cells))
	for ci, c := range cells {
		eq := 0.0
		for e, used := range c.equip {
			if used {
				eq += m.EquipPrice[e]
			}
		}
		nb := m.minBundles(c.w, c.n, c.t+eq)
		bd.cellBundles[ci] = nb
		total += nb
		lb += c.t + eq + nb*m.F
	}
	if total > float64(len(m.Depots)) {
		return math.Inf(1), fmt.Sprintf("the assets need at least %v bundles (workload, count and value limits) but there are only %d depots, each hosting at most one", total, len(m.Depots))
	}
	return lb, ""
}
