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
//	        subject to Σ w_a x_a ≤ max_workload, Σ x_a ≤ max_assets,
//	                   Σ t_a x_a ≤ max_value − K0, x_a ∈ {0,1} for the admitted assets,
//
// with r_a = t_a − λ_a. Relaxing x to [0,1] and then the three capacities to one
// surrogate constraint Σ (π·g_a) x_a ≤ π·cap (any π ≥ 0) leaves a fractional knapsack
// that the greedy rule by ratio r_a/(π·g_a) solves exactly; the best of a few π is
// kept. Each step relaxes, so the result is a valid lower bound. Equipment kinds
// beyond the maxExactEquip dearest are treated as free (a relaxation too), and so is
// the surcharge when a depot sees more than maxExactDisc disciplines.

const (
	maxExactEquip = 8
	maxExactDisc  = 3
)

// depotCands are the assets depot j may take (admissible alone), in a fixed order.
type depotCands struct {
	j      int
	p      []int32 // positions into boundData.asset
	t      []float64
	w      []float64
	eq     []uint16 // exact-equipment mask
	region []int32
	disc   []int32
}

// subSolution is a depot's best configuration: its bound and the fractional x.
type subSolution struct {
	lb   float64 // min(0, bound) — 0 means "no bundle" is at least as good
	take []int32 // candidate indices k with x_k > 0
	frac []float64
	conf string
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

func buildDepotCands(bd *boundData, em equipModel) []depotCands {
	m := bd.m
	out := make([]depotCands, len(m.Depots))
	for j := range m.Depots {
		dc := depotCands{j: j}
		for p, a := range bd.asset {
			t, ok := m.admissible(j, a)
			if !ok {
				continue
			}
			ai := &m.Assets[a]
			dc.p = append(dc.p, int32(p))
			dc.t = append(dc.t, t)
			dc.w = append(dc.w, ai.Workload)
			dc.eq = append(dc.eq, em.mask(ai.Equip))
			dc.region = append(dc.region, int32(m.Munis[ai.Muni].Region))
			dc.disc = append(dc.disc, int32(ai.Discipline))
		}
		out[j] = dc
	}
	return out
}

// surrogate weights π over the normalised capacities (workload/W, value/V, count/K).
var surrogates = [...][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 0}, {1, 1, 1}}

// subScratch is a worker's reusable memory.
type subScratch struct {
	neg   []int32
	r     []float64
	order [][]int32 // per surrogate: neg sorted by ratio
	ratio []float64
	key   []float64
	masks []uint16
	conf  []uint16
	seen  []bool
	take  []int32
	frac  []float64
}

// solveDepot computes the subproblem bound of depot dc under multipliers lam.
func solveDepot(m *Model, em equipModel, dc *depotCands, lam []float64, sc *subScratch, out *subSolution) {
	out.lb, out.take, out.frac, out.conf = 0, out.take[:0], out.frac[:0], ""
	sc.neg = sc.neg[:0]
	if cap(sc.r) < len(dc.p) {
		sc.r = make([]float64, len(dc.p))
	}
	r := sc.r[:len(dc.p)]
	for k, p := range dc.p {
		r[k] = dc.t[k] - lam[p]
		if r[k] < 0 {
			sc.neg = append(sc.neg, int32(k))
		}
	}
	if len(sc.neg) == 0 {
		return
	}
	W, K, V := m.MaxWorkload, float64(m.MaxAssets), m.MaxValue
	hasW, hasK, hasV := !math.IsInf(W, 1), m.MaxAssets < math.MaxInt, !math.IsInf(V, 1)
	// Sort the negative candidates once per surrogate by r/(π·g).
	if len(sc.order) < len(surrogates) {
		sc.order = make([][]int32, len(surrogates))
	}
	if cap(sc.key) < len(dc.p) {
		sc.key = make([]float64, len(dc.p))
	}
	key := sc.key[:len(dc.p)]
	var active [len(surrogates)]bool
	for s, pi := range surrogates {
		pw, pv, pk := pi[0], pi[1], pi[2]
		if !hasW {
			pw = 0
		}
		if !hasV {
			pv = 0
		}
		if !hasK {
			pk = 0
		}
		if pw == 0 && pv == 0 && pk == 0 {
			continue
		}
		active[s] = true
		for _, k := range sc.neg {
			g := 0.0
			if pw > 0 {
				g += pw * dc.w[k] / W
			}
			if pv > 0 {
				g += pv * dc.t[k] / V
			}
			if pk > 0 {
				g += pk / K
			}
			if g > 0 {
				key[k] = r[k] / g
			} else {
				key[k] = math.Inf(-1)
			}
		}
		o := append(sc.order[s][:0], sc.neg...)
		slices.SortFunc(o, func(a, b int32) int {
			if key[a] < key[b] {
				return -1
			}
			if key[a] > key[b] {
				return 1
			}
			return int(a - b)
		})
		sc.order[s] = o
	}

	// Configurations: region (if locked) × discipline set × equipment closure.
	var regions []int32
	if m.RegionLocked {
		for _, k := range sc.neg {
			if !slices.Contains(regions, dc.region[k]) {
				regions = append(regions, dc.region[k])
			}
		}
		slices.Sort(regions)
	} else {
		regions = []int32{-1}
	}
	var discs []int32
	for _, k := range sc.neg {
		if !slices.Contains(discs, dc.disc[k]) {
			discs = append(discs, dc.disc[k])
		}
	}
	slices.Sort(discs)
	type dset struct {
		mask      uint64 // bit per index into discs
		surcharge float64
	}
	var dsets []dset
	switch {
	case !m.MixAllowed || len(discs) == 1:
		for i := range discs {
			dsets = append(dsets, dset{mask: 1 << i})
		}
	case len(discs) <= maxExactDisc:
		for mask := uint64(1); mask < 1<<len(discs); mask++ {
			n := 0
			for x := mask; x != 0; x &= x - 1 {
				n++
			}
			dsets = append(dsets, dset{mask: mask, surcharge: m.Surcharge * float64(n-1)})
		}
	default: // relaxed: any mix, surcharge dropped
		dsets = append(dsets, dset{mask: 1<<len(discs) - 1})
	}
	discBit := func(d int32) uint64 {
		i, _ := slices.BinarySearch(discs, d)
		return 1 << i
	}

	best := math.Inf(1)
	bestS, bestR, bestD := -1, int32(0), dset{}
	var bestE uint16
	if cap(sc.seen) < 1<<maxExactEquip {
		sc.seen = make([]bool, 1<<maxExactEquip)
	}
	for _, reg := range regions {
		for _, ds := range dsets {
			// equipment masks present in this cell, then their union closure
			sc.masks = sc.masks[:0]
			for _, k := range sc.neg {
				if (reg >= 0 && dc.region[k] != reg) || discBit(dc.disc[k])&ds.mask == 0 {
					continue
				}
				if !slices.Contains(sc.masks, dc.eq[k]) {
					sc.masks = append(sc.masks, dc.eq[k])
				}
			}
			if len(sc.masks) == 0 {
				continue
			}
			seen := sc.seen[:1<<maxExactEquip]
			clear(seen)
			sc.conf = append(sc.conf[:0], 0)
			seen[0] = true
			for _, x := range sc.masks {
				n := len(sc.conf)
				for i := 0; i < n; i++ {
					u := sc.conf[i] | x
					if !seen[u] {
						seen[u] = true
						sc.conf = append(sc.conf, u)
					}
				}
			}
			for _, E := range sc.conf {
				k0 := m.F + em.cost(E) + ds.surcharge
				vcap := V - k0
				if vcap < 0 {
					continue
				}
				cfgBest := math.Inf(-1)
				cfgS := -1
				for s, pi := range surrogates {
					if !active[s] {
						continue
					}
					pw, pv, pk := pi[0], pi[1], pi[2]
					if !hasW {
						pw = 0
					}
					if !hasV {
						pv = 0
					}
					if !hasK {
						pk = 0
					}
					capacity := pw + pk
					if pv > 0 {
						capacity += pv * vcap / V
					}
					val := k0
					for _, k := range sc.order[s] {
						if (reg >= 0 && dc.region[k] != reg) || discBit(dc.disc[k])&ds.mask == 0 || dc.eq[k]&^E != 0 {
							continue
						}
						g := 0.0
						if pw > 0 {
							g += pw * dc.w[k] / W
						}
						if pv > 0 {
							g += pv * dc.t[k] / V
						}
						if pk > 0 {
							g += pk / K
						}
						if g <= capacity {
							val += r[k]
							capacity -= g
							continue
						}
						val += r[k] * capacity / g
						break
					}
					if val > cfgBest {
						cfgBest, cfgS = val, s
					}
				}
				if cfgS < 0 { // no limits at all: take every admitted negative asset
					cfgBest = k0
					for _, k := range sc.neg {
						if (reg >= 0 && dc.region[k] != reg) || discBit(dc.disc[k])&ds.mask == 0 || dc.eq[k]&^E != 0 {
							continue
						}
						cfgBest += r[k]
					}
				}
				if cfgBest < best {
					best, bestS, bestR, bestD, bestE = cfgBest, cfgS, reg, ds, E
				}
			}
		}
	}
	if best >= 0 {
		return
	}
	out.lb = best
	// Recover the fractional x of the best configuration for the subgradient.
	admit := func(k int32) bool {
		return !((bestR >= 0 && dc.region[k] != bestR) || discBit(dc.disc[k])&bestD.mask == 0 || dc.eq[k]&^bestE != 0)
	}
	if bestS < 0 {
		for _, k := range sc.neg {
			if admit(k) {
				out.take = append(out.take, k)
				out.frac = append(out.frac, 1)
			}
		}
		return
	}
	pi := surrogates[bestS]
	pw, pv, pk := pi[0], pi[1], pi[2]
	if !hasW {
		pw = 0
	}
	if !hasV {
		pv = 0
	}
	if !hasK {
		pk = 0
	}
	k0 := m.F + em.cost(bestE) + bestD.surcharge
	capacity := pw + pk
	if pv > 0 {
		capacity += pv * (V - k0) / V
	}
	for _, k := range sc.order[bestS] {
		if !admit(k) {
			continue
		}
		g := 0.0
		if pw > 0 {
			g += pw * dc.w[k] / W
		}
		if pv > 0 {
			g += pv * dc.t[k] / V
		}
		if pk > 0 {
			g += pk / K
		}
		if g <= capacity {
			out.take = append(out.take, k)
			out.frac = append(out.frac, 1)
			capacity -= g
			continue
		}
		out.take = append(out.take, k)
		out.frac = append(out.frac, capacity/g)
		break
	}
}
