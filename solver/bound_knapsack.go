package solver

import (
	"math"
	"slices"
)

// Exact 0-1 knapsack for small depot configurations. When few assets are admitted, the
// linear relaxation of the depot subproblem is loose (a bundle of five assets cannot
// take 0.4 of a sixth); solving the knapsack exactly by branch and bound makes the
// Lagrangian dual equal to the linear programme over all feasible bundles, which is
// much tighter on small instances. It is used only when it finishes: a search cut by
// its node limit leaves the relaxation's value in place (an unfinished search's best
// set is an upper bound, never a valid lower one).

// bbNodeLimit caps one search. The largest admitted set solved exactly is
// BoundTuning.ExactKnapsackItems.
const bbNodeLimit = 5000

type bbItem struct {
	r, w, t float64 // reduced cost, workload, term c_a + τ·d
	g       float64 // surrogate weight π·(w/W, t/V, 1/K)
	k       int32
}

type knapsack struct {
	items            []bbItem
	invW, invV, invK float64
	pi               [3]float64
	nodes            int
	best             float64
	bestSet, cur     []int32
	byR              []int // item positions by r ascending, for the count bound
}

// lpBound bounds from below min Σ r x over items[i:] under the remaining capacities, by
// weak duality on the surrogate constraint (valid for any multiplier; the greedy picks
// the optimal one because the items are sorted by r/g).
func (ks *knapsack) lpBound(i int, capW, capK, capV float64) float64 {
	c := 0.0
	if ks.pi[0] > 0 {
		c += ks.pi[0] * capW * ks.invW
	}
	if ks.pi[1] > 0 {
		c += ks.pi[1] * capV * ks.invV
	}
	if ks.pi[2] > 0 {
		c += ks.pi[2] * capK * ks.invK
	}
	nu, left := 0.0, c
	for j := i; j < len(ks.items); j++ {
		it := &ks.items[j]
		if it.g <= left {
			left -= it.g
			continue
		}
		nu = math.Max(0, -it.r/it.g)
		break
	}
	v := -nu * c
	for j := i; j < len(ks.items); j++ {
		if x := ks.items[j].r + nu*ks.items[j].g; x < 0 {
			v += x
		}
	}
	// max_assets alone: at most ⌊capK⌋ more items, so no less than the sum of the
	// ⌊capK⌋ most negative r among items[i:] (every r is negative)
	if capK < float64(len(ks.items)-i) {
		cnt, sum := 0.0, 0.0
		for _, j := range ks.byR {
			if j < i {
				continue
			}
			if cnt >= capK {
				break
			}
			sum += ks.items[j].r
			cnt++
		}
		v = math.Max(v, sum)
	}
	return v
}

func (ks *knapsack) dfs(i int, val, capW, capK, capV float64) {
	if val < ks.best {
		ks.best = val
		ks.bestSet = append(ks.bestSet[:0], ks.cur...)
	}
	if i == len(ks.items) {
		return
	}
	ks.nodes++
	if ks.nodes > bbNodeLimit {
		return
	}
	b := val + ks.lpBound(i, capW, capK, capV)
	if b >= ks.best-1e-9*(math.Abs(b)+1) {
		return
	}
	it := &ks.items[i]
	if it.w <= capW && capK >= 1 && it.t <= capV {
		ks.cur = append(ks.cur, it.k)
		ks.dfs(i+1, val+it.r, capW-it.w, capK-1, capV-it.t)
		ks.cur = ks.cur[:len(ks.cur)-1]
	}
	ks.dfs(i+1, val, capW, capK, capV)
}

// solveExact returns min Σ r x over 0-1 x with Σ w x ≤ capW, Σ x ≤ capK, Σ t x ≤ capV
// (the empty set gives 0) and whether the search finished; ks.bestSet holds the
// minimising set's candidate indices.
func (ks *knapsack) solveExact(capW, capK, capV float64) (float64, bool) {
	slices.SortFunc(ks.items, func(a, b bbItem) int {
		ka, kb := math.Inf(-1), math.Inf(-1)
		if a.g > 0 {
			ka = a.r / a.g
		}
		if b.g > 0 {
			kb = b.r / b.g
		}
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		}
		return int(a.k - b.k)
	})
	ks.byR = ks.byR[:0]
	for j := range ks.items {
		ks.byR = append(ks.byR, j)
	}
	slices.SortFunc(ks.byR, func(a, b int) int {
		ra, rb := ks.items[a].r, ks.items[b].r
		switch {
		case ra < rb:
			return -1
		case ra > rb:
			return 1
		}
		return a - b
	})
	ks.nodes, ks.best = 0, 0
	ks.bestSet, ks.cur = ks.bestSet[:0], ks.cur[:0]
	ks.dfs(0, 0, capW, capK, capV)
	return ks.best, ks.nodes <= bbNodeLimit
}
