package solver

import (
	"math"
	"slices"
	"sort"
)

// The depot subproblem of the Lagrangian bound. For depot j and multipliers λ it
// bounds from below
//
//	min { cost(B) − Σ_{a∈B} λ_a : B a feasible bundle at depot j }
//
// (min_value dropped, which only widens the set). Every feasible B lives in one
// configuration (region r when region_locked, discipline set D, equipment set E) with
// D ⊇ D(B) and E ⊇ E(B); in that configuration cost(B) ≤ K0 + Σ_{a∈B} t_a with
// K0 = F + Σ_{e∈E} M_e + S·(|D|−1) and t_a = c_a + τ·d(j,a), with equality for
// D = D(B), E = E(B). So
//
//	min_B … = min over configurations of  K0 + min Σ_a r_a·x_a
//	        subject to Σ (w_a/W) x_a ≤ 1, Σ (t_a/V) x_a ≤ (V − K0)/V, Σ (1/K) x_a ≤ 1,
//	                   x_a ∈ {0,1} for the admitted assets,
//
// with r_a = t_a − λ_a, W = max_workload, V = max_value, K = max_assets. Relaxing x
// to [0,1] gives a linear programme; two relaxations of it bound it from below:
//
//   - surrogate: the three capacities folded into one, Σ (π·g_a) x_a ≤ π·cap for a
//     weight vector π ≥ 0; the greedy rule by ratio r_a/(π·g_a) solves that
//     fractional knapsack exactly;
//   - Lagrangian: for any ν ≥ 0, K0 − ν·cap + Σ_a min(0, r_a + ν·g_a) (weak duality).
//
// The Lagrangian form is cheap for every configuration at once (sums per class of
// assets), so it ranks the configurations (rankConfigurations); the surrogate form
// (surrogateBound) and, for few candidates, the exact knapsack (exactKnapsackBound)
// refine them in that order until no unrefined configuration can be below the best
// one. solveDepot lists the steps. Equipment kinds
// beyond the maxExactEquip dearest are treated as free and the surcharge is dropped
// when a depot sees more than maxExactDisc disciplines: relaxations again. Every
// step relaxes, so the result is a valid lower bound.

const (
	maxExactEquip = 8
	maxExactDisc  = 3
)

// depotCands are the assets depot j may take (admissible alone), in a fixed order,
// with their class (region, discipline, equipment mask) and normalised weights.
type depotCands struct {
	j     int
	p     []int32 // positions into boundData.asset
	t     []float64
	w     []float64
	g     [][3]float64 // (w/W, t/V, 1/K), 0 where the limit is absent
	cls   []uint16
	class []assetClass
	cell  []int32 // class → cell of boundData (the group a bundle of it belongs to)
}

type assetClass struct {
	region int32 // −1 unless region_locked
	disc   int32
	eq     uint16
}

// subSolution is a depot's best configuration: its bound and the fractional x.
type subSolution struct {
	lb      float64 // min(0, bound − μ_cell): 0 means "no bundle" is at least as good
	cell    int32   // the cell of the chosen configuration (when lb < 0)
	take    []int32 // candidate indices k with x_k > 0
	frac    []float64
	refined int // configurations refined (statistics)
}

// equipModel maps the model's equipment onto exact mask bits.
type equipModel struct {
	bit   []int // equipment index → bit (−1 when treated as free)
	price []float64
}

func newEquipModel(m *Model) equipModel {
	idx := make([]int, len(m.EquipPrice))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return m.EquipPrice[idx[a]] > m.EquipPrice[idx[b]] })
	em := equipModel{bit: make([]int, len(m.EquipPrice))}
	for i := range em.bit {
		em.bit[i] = -1
	}
	for r, e := range idx {
		if r >= maxExactEquip || m.EquipPrice[e] <= 0 {
			continue
		}
		em.bit[e] = len(em.price)
		em.price = append(em.price, m.EquipPrice[e])
	}
	return em
}

func (em equipModel) mask(equip []int) uint16 {
	var x uint16
	for _, e := range equip {
		if b := em.bit[e]; b >= 0 {
			x |= 1 << b
		}
	}
	return x
}

func (em equipModel) cost(mask uint16) float64 {
	s := 0.0
	for b := range em.price {
		if mask&(1<<b) != 0 {
			s += em.price[b]
		}
	}
	return s
}

// limits are the normalising capacities; a zero inverse means the limit is absent.
type limits struct {
	invW, invV, invK float64
	V                float64
}

func newLimits(m *Model) limits {
	var l limits
	if !math.IsInf(m.MaxWorkload, 1) && m.MaxWorkload > 0 {
		l.invW = 1 / m.MaxWorkload
	}
	if !math.IsInf(m.MaxValue, 1) && m.MaxValue > 0 {
		l.invV, l.V = 1/m.MaxValue, m.MaxValue
	}
	if m.MaxAssets < math.MaxInt {
		l.invK = 1 / float64(m.MaxAssets)
	}
	return l
}

// capacity is cap of the normalised constraints for a configuration with fixed part k0.
func (l limits) capacity(k0 float64) [3]float64 {
	c := [3]float64{}
	if l.invW > 0 {
		c[0] = 1
	}
	if l.invV > 0 {
		c[1] = (l.V - k0) * l.invV
	}
	if l.invK > 0 {
		c[2] = 1
	}
	return c
}

func buildDepotCands(bd *boundData, idx *latIndex, j int) depotCands {
	m, em, lim := bd.m, bd.em, bd.lim
	dc := depotCands{j: j}
	var ps []int
	idx.near(m, bd.asset, m.Depots[j].At, func(p int) { ps = append(ps, p) })
	sort.Ints(ps)
	classOf := map[assetClass]uint16{}
	for _, p := range ps {
		a := bd.asset[p]
		t, ok := m.admissible(j, a)
		if !ok {
			continue
		}
		ai := &m.Assets[a]
		c := assetClass{region: -1, disc: int32(ai.Discipline), eq: em.mask(ai.Equip)}
		if m.RegionLocked {
			c.region = int32(m.Munis[ai.Muni].Region)
		}
		id, ok := classOf[c]
		if !ok {
			id = uint16(len(dc.class))
			classOf[c] = id
			dc.class = append(dc.class, c)
			ck := [2]int{int(c.region), -1}
			if !m.MixAllowed {
				ck[1] = int(c.disc)
			}
			dc.cell = append(dc.cell, int32(bd.cellKey[ck]))
		}
		dc.p = append(dc.p, int32(p))
		dc.t = append(dc.t, t)
		dc.w = append(dc.w, ai.Workload)
		dc.g = append(dc.g, [3]float64{ai.Workload * lim.invW, t * lim.invV, lim.invK})
		dc.cls = append(dc.cls, id)
	}
	return dc
}

const maxSurrogates = 2

// surrogates picks the weight vectors π over the normalised capacities for the limits
// that exist: the first maxSurrogates distinct ones of a list in order of usefulness
// on the instances we know (the value cap binds most).
func (l limits) surrogates() [][3]float64 {
	candidates := [...][3]float64{{0, 1, 0}, {1, 1, 0}, {1, 0, 0}, {0, 0, 1}, {1, 1, 1}}
	mask := capacityMask(l)
	var out [][3]float64
	for _, pi := range candidates {
		q := [3]float64{pi[0] * mask[0], pi[1] * mask[1], pi[2] * mask[2]}
		if q == ([3]float64{}) || slices.Contains(out, q) {
			continue
		}
		if out = append(out, q); len(out) == maxSurrogates {
			break
		}
	}
	return out
}

type config struct {
	cell   int32
	region int32
	dmask  uint64 // over the depot's discipline list
	eq     uint16
	k0     float64
	cheap  float64
}

// subScratch is a worker's reusable memory.
type subScratch struct {
	neg      []int32
	r        []float64
	gs       [maxSurrogates][]float64 // π·g per candidate
	order    [maxSurrogates][]uint64  // negative candidates by ratio: float32 key ‖ index
	mus      [][3]float64
	sums     [][]float64 // per μ, per class: Σ min(0, r + μ·g)
	present  []bool
	allowed  []bool
	configs  []config
	masks    []uint16
	conf     []uint16
	seen     []bool
	regions  []int32
	discs    []int32
	dsets    []dset
	ks       knapsack
	radix    []uint64
	classMin []float64
	classArg []int32
	exact    []int32 // the best configuration's set when the exact knapsack decided it
}

// dset is a discipline set D of a configuration (a mask over the depot's present
// disciplines) and its surcharge S·(|D| − 1).
type dset struct {
	mask      uint64
	surcharge float64
}

// exactS marks a configuration whose value came from the exact knapsack.
const exactS = -2

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// sortKey maps a float32 onto a uint32 with the same order.
func sortKey(f float32) uint64 {
	u := math.Float32bits(f)
	if u&(1<<31) != 0 {
		u = ^u
	} else {
		u |= 1 << 31
	}
	return uint64(u)
}

// critical walks the candidates of one surrogate by ratio, admitting those whose class
// is allowed, until capacity c is full; it returns the multiplier ν ≥ 0 of the
// fractional knapsack (minus the ratio of the item that does not fit) and calls take
// for every item of the greedy solution with its fraction. The order only needs to be
// about right: the bound is computed from ν by weak duality, valid for any ν ≥ 0.
func critical(order []uint64, r, gs []float64, cls []uint16, allowed []bool, c float64, take func(k int32, x float64)) float64 {
	for _, o := range order {
		k := int32(uint32(o))
		if allowed != nil && !allowed[cls[k]] {
			continue
		}
		g := gs[k]
		if g <= c {
			c -= g
			if take != nil {
				take(k, 1)
			}
			continue
		}
		if take != nil && c > 0 {
			take(k, c/g)
		}
		return math.Max(0, -r[k]/g)
	}
	return 0
}

// radixSortHigh sorts a by its high 32 bits, stably (entries with equal keys keep
// their order: ascending candidate index, as they were appended), in four byte passes;
// passes in which every entry has the same byte are skipped. buf is scratch.
func radixSortHigh(a, buf []uint64) []uint64 {
	if cap(buf) < len(a) {
		buf = make([]uint64, len(a))
	}
	buf = buf[:len(a)]
	if len(a) < 2 {
		return buf
	}
	src, dst := a, buf
	for shift := uint(32); shift < 64; shift += 8 {
		var count [257]int
		for _, x := range src {
			count[(x>>shift)&0xff+1]++
		}
		if count[(src[0]>>shift)&0xff+1] == len(src) {
			continue
		}
		for i := 1; i < 257; i++ {
			count[i] += count[i-1]
		}
		for _, x := range src {
			b := (x >> shift) & 0xff
			dst[count[b]] = x
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
	return buf
}

// criticalDual is the surrogate knapsack's bound Σ_{allowed} min(0, r + ν·g) − ν·c
// with ν from the greedy walk (critical). Only the walked prefix and the items tied
// with the critical one (same float32 key) can have r + ν·g < 0: every later item has
// a larger float32 key, hence (rounding is monotone) a larger exact key r/g > −ν.
func criticalDual(order []uint64, r, gs []float64, cls []uint16, allowed []bool, c float64) float64 {
	left := c
	ic := len(order)
	nu := 0.0
	for i, o := range order {
		k := int32(uint32(o))
		if !allowed[cls[k]] {
			continue
		}
		if g := gs[k]; g <= left {
			left -= g
			continue
		}
		ic, nu = i, math.Max(0, -r[int32(uint32(o))]/gs[k])
		break
	}
	v := -nu * c
	end := len(order)
	if ic < len(order) {
		end = ic + 1
		for end < len(order) && order[end]>>32 == order[ic]>>32 {
			end++
		}
	}
	for _, o := range order[:end] {
		k := int32(uint32(o))
		if !allowed[cls[k]] {
			continue
		}
		if x := r[k] + nu*gs[k]; x < 0 {
			v += x
		}
	}
	return v
}

// solveDepot bounds from below the subproblem of depot j = dc.j under the multipliers
// λ (lam, one per participating position) and μ (mu, one per cell: "cell c needs at
// least N_c bundles", so every bundle of cell c earns μ_c):
//
//	LB_j(λ, μ) ≤ min(0, min { cost(B) − Σ_{a∈B} λ_a − μ_{cell(B)} : B feasible at j })
//
// It stacks the relaxations below, cheapest first, and stops as soon as the cheap ones
// prove that no configuration can beat the best bundle found so far:
//
//  1. reducedCosts: r_a = t_a − λ_a for every candidate (t_a = c_a + τ·d(j,a));
//  2. singleAssetBound: bundles without a candidate of r_a < 0, exactly;
//  3. the screening bound F + Σ_{r_a<0} r_a − max_c μ_c (no capacity, no charge but F):
//     when it is no lower than 2, no other bundle can matter;
//  4. rankConfigurations: every configuration (region, D, E) bounded by the
//     Lagrangian relaxation of its capacities on a small grid of multipliers ν;
//  5. refineConfiguration, best-ranked first: the surrogate relaxation
//     (surrogateBound) and, when few candidates are admitted, the exact 0-1 knapsack
//     (exactKnapsackBound);
//  6. fractionalSolution: the x of the winning configuration, for the subgradient.
//
// out receives the bound and that x; sc is the calling worker's scratch memory.
func (bd *boundData) solveDepot(dc *depotCands, lam, mu []float64, sc *subScratch, out *subSolution) {
	m := bd.m
	out.lb, out.take, out.frac, out.refined = 0, out.take[:0], out.frac[:0], 0
	sumNeg := sc.reducedCosts(dc, lam)
	single, singleK := bd.singleAssetBound(dc, mu, sc)
	maxMu := 0.0
	for _, x := range mu {
		maxMu = math.Max(maxMu, x)
	}
	if len(sc.neg) == 0 || m.F+sumNeg-maxMu >= single {
		out.setSingle(dc, single, singleK)
		return
	}
	bd.rankConfigurations(dc, mu, sc, single)
	best := single // "no bundle", or a bundle without negative candidates
	bestCf, bestS := -1, -1
	for ci := range sc.configs {
		cf := &sc.configs[ci]
		if cf.cheap >= best {
			break // ranked: no later configuration can be lower
		}
		out.refined++
		if val, s := bd.refineConfiguration(dc, cf, mu[cf.cell], best, sc); val < best {
			best, bestCf, bestS = val, ci, s
			if s == exactS {
				sc.exact = append(sc.exact[:0], sc.ks.bestSet...)
			}
		}
	}
	if bestCf < 0 {
		out.setSingle(dc, single, singleK)
		return
	}
	out.lb = best
	out.cell = sc.configs[bestCf].cell
	bd.fractionalSolution(dc, &sc.configs[bestCf], bestS, sc, out)
}

// reducedCosts sets sc.r[k] = r_a = t_a − λ_a for every candidate k (asset a), lists
// the candidates with r_a < 0 in sc.neg (only those can lower a bundle's value: every
// other one is dropped from the bundle without raising it) and, per asset class, the
// candidate of least r_a ≥ 0 (sc.classMin, sc.classArg). It returns Σ_{r_a<0} r_a.
func (sc *subScratch) reducedCosts(dc *depotCands, lam []float64) float64 {
	n := len(dc.p)
	if cap(sc.r) < n {
		sc.r = make([]float64, n)
		for s := range sc.gs {
			sc.gs[s] = make([]float64, n)
		}
	}
	sc.r = sc.r[:n]
	r := sc.r
	nc := len(dc.class)
	sc.classMin, sc.classArg = resize(sc.classMin, nc), resize(sc.classArg, nc)
	classMin, classArg := sc.classMin, sc.classArg
	for c := range classMin {
		classMin[c] = math.Inf(1)
	}
	sc.neg = sc.neg[:0]
	sumNeg := 0.0
	for k, p := range dc.p {
		r[k] = dc.t[k] - lam[p]
		if r[k] < 0 {
			sc.neg = append(sc.neg, int32(k))
			sumNeg += r[k]
		}
		if c := dc.cls[k]; r[k] >= 0 && r[k] < classMin[c] {
			classMin[c], classArg[c] = r[k], int32(k)
		}
	}
	return sumNeg
}

// singleAssetBound is the exact value of the bundles whose assets all have r_a ≥ 0:
// such a bundle of class (region, discipline g, equipment E_a) is worth at least
//
//	F + Σ_{e∈E_a} M_e + r_a − μ_{cell}
//
// for its cheapest asset a (the others only add r ≥ 0, more equipment and surcharge),
// which that asset alone attains, being admissible alone. It returns the least such
// value below 0 (0, "no bundle", otherwise) and the candidate that attains it (−1).
func (bd *boundData) singleAssetBound(dc *depotCands, mu []float64, sc *subScratch) (float64, int32) {
	single, singleK := 0.0, int32(-1)
	for c, x := range sc.classMin {
		if math.IsInf(x, 1) {
			continue
		}
		if v := bd.m.F + bd.em.cost(dc.class[c].eq) + x - mu[dc.cell[c]]; v < single {
			single, singleK = v, sc.classArg[c]
		}
	}
	return single, singleK
}

// setSingle records the single-asset bundle of singleAssetBound as the depot's solution
// (nothing when "no bundle", singleK < 0, is at least as good).
func (out *subSolution) setSingle(dc *depotCands, single float64, singleK int32) {
	if singleK >= 0 {
		out.lb, out.cell = single, dc.cell[dc.cls[singleK]]
		out.take = append(out.take, singleK)
		out.frac = append(out.frac, 1)
	}
}

// multiplierGrid prepares the Lagrangian relaxation of the capacities. For every
// surrogate weight vector π (bd.sur) it orders the negative candidates by ratio
// r_a / (π·g_a) (sc.order, sc.gs) and walks that order through the widest
// configuration (every candidate, K0 = F) to the critical multiplier ν of its
// fractional knapsack; ν·π scaled by muFactors, with ν = 0, make the grid sc.mus.
// For every grid point ν it sums per class Σ_a min(0, r_a + ν·g_a) (sc.sums), so that
// a configuration's Lagrangian bound is a sum over the classes it admits.
func (bd *boundData) multiplierGrid(dc *depotCands, sc *subScratch) {
	muFactors := [...]float64{0.8, 1, 1.25} // scale each surrogate's critical ν into the grid
	n, nc := len(dc.p), len(dc.class)
	r := sc.r
	capF := bd.lim.capacity(bd.m.F)
	sc.mus = append(sc.mus[:0], [3]float64{})
	for s, pi := range bd.sur {
		gs := sc.gs[s][:n]
		o := sc.order[s][:0]
		for _, k := range sc.neg {
			g := dot(pi, dc.g[k])
			gs[k] = g
			key := float32(math.Inf(-1))
			if g > 0 {
				key = float32(r[k] / g)
			}
			o = append(o, sortKey(key)<<32|uint64(k))
		}
		sc.radix = radixSortHigh(o, sc.radix)
		sc.order[s] = o
		if nu := critical(o, r, gs, dc.cls, nil, dot(pi, capF), nil); nu > 0 {
			for _, f := range muFactors {
				sc.mus = append(sc.mus, [3]float64{f * nu * pi[0], f * nu * pi[1], f * nu * pi[2]})
			}
		}
	}
	for len(sc.sums) < len(sc.mus) {
		sc.sums = append(sc.sums, nil)
	}
	for i, nu := range sc.mus {
		if cap(sc.sums[i]) < nc {
			sc.sums[i] = make([]float64, nc)
		}
		sum := sc.sums[i][:nc]
		clear(sum)
		for _, k := range sc.neg {
			if v := r[k] + dot(nu, dc.g[k]); v < 0 {
				sum[dc.cls[k]] += v
			}
		}
		sc.sums[i] = sum
	}
}

// rankConfigurations lists in sc.configs every configuration (region r when
// region_locked, discipline set D, equipment set E closed under the classes present)
// that may hold a bundle of negative candidates, with its fixed part
//
//	K0 = F + Σ_{e∈E} M_e + S·(|D| − 1)
//
// and its Lagrangian bound over the grid of multipliers ν ≥ 0 (multiplierGrid):
//
//	cheap = max_ν ( K0 − ν·cap(K0) + Σ_{admitted a} min(0, r_a + ν·g_a) ) − μ_{cell}
//
// a valid lower bound on the configuration's value by weak duality. It keeps those
// below single (the others cannot beat "no bundle" or the single-asset bundle) sorted
// by cheap, ties by region, D, E. With more than maxExactDisc disciplines mixing is
// relaxed to one configuration of every discipline without surcharge.
func (bd *boundData) rankConfigurations(dc *depotCands, mu []float64, sc *subScratch, single float64) {
	nc := len(dc.class)
	sc.present, sc.allowed = resize(sc.present, nc), resize(sc.allowed, nc)
	clear(sc.present)
	for _, k := range sc.neg {
		sc.present[dc.cls[k]] = true
	}
	bd.multiplierGrid(dc, sc)
	// Configurations: region (if locked) × discipline set × equipment closure.
	sc.regions, sc.discs = sc.regions[:0], sc.discs[:0]
	for c, cl := range dc.class {
		if !sc.present[c] {
			continue
		}
		if !slices.Contains(sc.regions, cl.region) {
			sc.regions = append(sc.regions, cl.region)
		}
		if !slices.Contains(sc.discs, cl.disc) {
			sc.discs = append(sc.discs, cl.disc)
		}
	}
	slices.Sort(sc.regions)
	slices.Sort(sc.discs)
	bd.disciplineSets(sc)
	sc.configs = sc.configs[:0]
	for _, reg := range sc.regions {
		for _, ds := range sc.dsets {
			sc.equipmentClosure(dc, reg, ds.mask)
			for _, E := range sc.conf {
				k0 := bd.m.F + bd.em.cost(E) + ds.surcharge
				if bd.lim.invV > 0 && k0 > bd.lim.V {
					continue
				}
				cf := config{region: reg, dmask: ds.mask, eq: E, k0: k0, cheap: math.Inf(-1)}
				if bd.lagrangeRank(dc, &cf, mu, sc) {
					sc.configs = append(sc.configs, cf)
				}
			}
		}
	}
	// rank: only configurations below "no bundle" can matter
	kept := sc.configs[:0]
	for _, cf := range sc.configs {
		if cf.cheap < single {
			kept = append(kept, cf)
		}
	}
	sc.configs = kept
	slices.SortFunc(sc.configs, func(a, b config) int {
		switch {
		case a.cheap < b.cheap:
			return -1
		case a.cheap > b.cheap:
			return 1
		case a.region != b.region:
			return int(a.region - b.region)
		case a.dmask != b.dmask:
			return int(int64(a.dmask) - int64(b.dmask))
		}
		return int(a.eq) - int(b.eq)
	})
}

// disciplineSets lists in sc.dsets the discipline sets D a configuration may take over
// the disciplines present (sc.discs), each with its surcharge S·(|D| − 1): one
// discipline each when mixing is forbidden (or only one is present), every non-empty
// subset up to maxExactDisc disciplines, beyond that one set of all of them without
// surcharge (a relaxation).
func (bd *boundData) disciplineSets(sc *subScratch) {
	discs := sc.discs
	sc.dsets = sc.dsets[:0]
	switch {
	case !bd.m.MixAllowed || len(discs) == 1:
		for i := range discs {
			sc.dsets = append(sc.dsets, dset{mask: 1 << i})
		}
	case len(discs) <= maxExactDisc:
		for mask := uint64(1); mask < 1<<len(discs); mask++ {
			cnt := 0
			for x := mask; x != 0; x &= x - 1 {
				cnt++
			}
			sc.dsets = append(sc.dsets, dset{mask: mask, surcharge: bd.m.Surcharge * float64(cnt-1)})
		}
	default: // relaxed: any mix, surcharge dropped
		sc.dsets = append(sc.dsets, dset{mask: 1<<len(discs) - 1})
	}
}

// equipmentClosure lists in sc.conf the equipment sets E worth a configuration of
// region reg and discipline set dmask: the unions of the equipment masks of the
// classes present there (the empty set first), each once. Any other E costs more
// than the smallest union that admits the same classes.
func (sc *subScratch) equipmentClosure(dc *depotCands, reg int32, dmask uint64) {
	sc.masks = sc.masks[:0]
	for c, cl := range dc.class {
		if sc.present[c] && cl.region == reg && sc.discBit(cl.disc)&dmask != 0 && !slices.Contains(sc.masks, cl.eq) {
			sc.masks = append(sc.masks, cl.eq)
		}
	}
	sc.conf = sc.conf[:0]
	if len(sc.masks) == 0 {
		return
	}
	sc.seen = resize(sc.seen, 1<<maxExactEquip)
	clear(sc.seen)
	sc.conf = append(sc.conf, 0)
	sc.seen[0] = true
	for _, x := range sc.masks {
		cnt := len(sc.conf)
		for i := 0; i < cnt; i++ {
			if u := sc.conf[i] | x; !sc.seen[u] {
				sc.seen[u] = true
				sc.conf = append(sc.conf, u)
			}
		}
	}
}

// lagrangeRank sets cf.cell and cf.cheap, the Lagrangian bound of rankConfigurations,
// from the per-class sums of multiplierGrid. It reports false for a configuration
// that admits no asset: it holds no bundle (an empty one would earn μ).
func (bd *boundData) lagrangeRank(dc *depotCands, cf *config, mu []float64, sc *subScratch) bool {
	sc.setAllowed(dc, cf)
	cf.cell = -1
	for c := range sc.allowed {
		if sc.allowed[c] {
			cf.cell = dc.cell[c]
			break
		}
	}
	if cf.cell < 0 {
		return false
	}
	capC := bd.lim.capacity(cf.k0)
	for i, nu := range sc.mus {
		v := cf.k0 - dot(nu, capC)
		for c, sum := range sc.sums[i] {
			if sc.allowed[c] {
				v += sum
			}
		}
		cf.cheap = math.Max(cf.cheap, v)
	}
	cf.cheap -= mu[cf.cell]
	return true
}

// resize returns x with length n, reusing its memory when it is large enough (the
// contents are then stale: callers overwrite them).
func resize[T any](x []T, n int) []T {
	if cap(x) < n {
		return make([]T, n)
	}
	return x[:n]
}

// discBit is the bit of discipline d in a configuration's mask over sc.discs.
func (sc *subScratch) discBit(d int32) uint64 {
	i, _ := slices.BinarySearch(sc.discs, d)
	return 1 << i
}

// setAllowed marks in sc.allowed the asset classes configuration cf admits: present
// among the negative candidates, of its region, of a discipline in D, with equipment
// within E.
func (sc *subScratch) setAllowed(dc *depotCands, cf *config) {
	for c, cl := range dc.class {
		sc.allowed[c] = sc.present[c] && cl.region == cf.region && sc.discBit(cl.disc)&cf.dmask != 0 && cl.eq&^cf.eq == 0
	}
}

// refineConfiguration tightens the ranking bound of configuration cf (cf.cheap) by the
// surrogate relaxation and, while it still beats best, by the exact knapsack. It
// returns the configuration's value after μ_cell (muc) is taken off, and which bound
// gave it: the index of the surrogate, −1 for the ranking bound, exactS for the exact
// knapsack. It leaves sc.allowed set for cf.
func (bd *boundData) refineConfiguration(dc *depotCands, cf *config, muc, best float64, sc *subScratch) (float64, int) {
	sc.setAllowed(dc, cf)
	// val is compared with "no bundle" (0) after the cell's μ is taken off
	val, sBest := cf.cheap+muc, -1
	if len(bd.sur) == 0 { // no capacity at all: every admitted negative candidate
		val = bd.lagrangeDual(dc, cf, [3]float64{}, sc)
	}
	if v, s := bd.surrogateBound(dc, cf, sc); s >= 0 && v > val {
		val, sBest = v, s
	}
	if len(bd.sur) > 0 && val-muc < best {
		if ex, ok := bd.exactKnapsackBound(dc, cf, bd.sur[max(sBest, 0)], sc); ok && cf.k0+ex > val {
			val, sBest = cf.k0+ex, exactS
		}
	}
	return val - muc, sBest
}

// lagrangeDual is the weak-duality bound of configuration cf for capacity multipliers
// ν ≥ 0: K0 − ν·cap(K0) + Σ_{admitted a, r_a<0} min(0, r_a + ν·g_a).
func (bd *boundData) lagrangeDual(dc *depotCands, cf *config, nu [3]float64, sc *subScratch) float64 {
	v := cf.k0 - dot(nu, bd.lim.capacity(cf.k0))
	for _, k := range sc.neg {
		if sc.allowed[dc.cls[k]] {
			if x := sc.r[k] + dot(nu, dc.g[k]); x < 0 {
				v += x
			}
		}
	}
	return v
}

// surrogateBound is the surrogate relaxation of configuration cf: for every weight
// vector π of bd.sur the three capacities fold into Σ_a (π·g_a) x_a ≤ π·cap(K0), a
// fractional knapsack the greedy walk by ratio solves (criticalDual), worth
//
//	K0 + Σ_{admitted a} min(0, r_a + ν_π·(π·g_a)) − ν_π·(π·cap(K0))
//
// It returns the largest over π and its index (−1 without surrogates: no capacity).
func (bd *boundData) surrogateBound(dc *depotCands, cf *config, sc *subScratch) (float64, int) {
	best, sBest := math.Inf(-1), -1
	capC := bd.lim.capacity(cf.k0)
	for s, pi := range bd.sur {
		if v := cf.k0 + criticalDual(sc.order[s], sc.r, sc.gs[s], dc.cls, sc.allowed, dot(pi, capC)); v > best {
			best, sBest = v, s
		}
	}
	return best, sBest
}

// exactKnapsackBound solves configuration cf's 0-1 knapsack exactly by branch and bound
// (bound_knapsack.go), pruned by the surrogate π:
//
//	min Σ_a r_a·x_a  s.t.  Σ w_a x_a ≤ max_workload, Σ x_a ≤ max_assets, Σ t_a x_a ≤ max_value − K0
//
// over the admitted negative candidates, when there are at most bd.exactItems of them
// (none when it is 0). It returns the minimum and whether the search finished within its
// node limit (only then is the value a bound). The capacities are widened by a hair: a
// relaxation, so rounding cannot cut a bundle the evaluator would accept.
func (bd *boundData) exactKnapsackBound(dc *depotCands, cf *config, pi [3]float64, sc *subScratch) (float64, bool) {
	lim := bd.lim
	ks := &sc.ks
	ks.items = ks.items[:0]
	for _, k := range sc.neg {
		if sc.allowed[dc.cls[k]] {
			if len(ks.items) == bd.exactItems {
				ks.items = ks.items[:0]
				break
			}
			ks.items = append(ks.items, bbItem{r: sc.r[k], w: dc.w[k], t: dc.t[k], g: dot(pi, dc.g[k]), k: k})
		}
	}
	if len(ks.items) == 0 {
		return 0, false
	}
	ks.pi, ks.invW, ks.invV, ks.invK = pi, lim.invW, lim.invV, lim.invK
	capV := math.Inf(1)
	if lim.invV > 0 {
		capV = lim.V - cf.k0 + 1e-7*lim.V
	}
	return ks.solveExact(bd.m.MaxWorkload*(1+1e-9), float64(bd.m.MaxAssets), capV)
}

// fractionalSolution writes into out the x of the winning configuration cf, which the
// subgradient needs: every admitted negative candidate without capacities, the exact
// knapsack's set when that decided (bestS == exactS), else the greedy fractional
// solution of its best surrogate (of the first one when the ranking bound won).
func (bd *boundData) fractionalSolution(dc *depotCands, cf *config, bestS int, sc *subScratch, out *subSolution) {
	sc.setAllowed(dc, cf)
	if len(bd.sur) == 0 {
		for _, k := range sc.neg {
			if sc.allowed[dc.cls[k]] {
				out.take = append(out.take, k)
				out.frac = append(out.frac, 1)
			}
		}
		return
	}
	if bestS == exactS {
		for _, k := range sc.exact {
			out.take = append(out.take, k)
			out.frac = append(out.frac, 1)
		}
		return
	}
	if bestS < 0 {
		bestS = 0
	}
	critical(sc.order[bestS], sc.r, sc.gs[bestS], dc.cls, sc.allowed, dot(bd.sur[bestS], bd.lim.capacity(cf.k0)), func(k int32, x float64) {
		out.take = append(out.take, k)
		out.frac = append(out.frac, x)
	})
}

// capacityMask has a 1 for every limit that binds.
func capacityMask(l limits) [3]float64 {
	var c [3]float64
	if l.invW > 0 {
		c[0] = 1
	}
	if l.invV > 0 {
		c[1] = 1
	}
	if l.invK > 0 {
		c[2] = 1
	}
	return c
}
