package solver

import (
	"math"
	"sort"
)

// The repair side of the ALNS (alns.go): put the assets the destroy operators (destroy.go)
// took out back into bundles, then polish the neighbourhood by local search
// (localsearch.go) and, while no feasible plan is known, push excesses out of violating
// bundles.

// repair re-inserts the removed assets. With a forced depot, the assets that may go
// there go there first (opening or moving a bundle); the rest by greedy or regret-2.
// An asset that no depot may take (mixing and region lock with every reachable depot
// running another group's bundle) evicts the bundle of a random reachable depot, whose
// assets are then re-inserted in turn, a bounded number of times.
func (w *worker) repair(forced int) {
	s := w.s
	rest := w.removed
	if forced >= 0 {
		first := w.removed
		if len(w.gathered) > 0 {
			first = w.gathered
		}
		for _, a := range first {
			if t, ok := s.allowed(a, forced); ok {
				s.add(a, forced, t)
			}
		}
		rest = rest[:0:0]
		for _, a := range w.removed {
			if s.assign[a] < 0 {
				rest = append(rest, a)
			}
		}
	}
	if len(rest) == 0 {
		return
	}
	switch w.rng.IntN(3) {
	case 0:
		w.rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
		for _, a := range rest {
			insertBest(s, a, w.lambda, true)
		}
	case 1:
		// Dearest first: large assets are hardest to place.
		sort.SliceStable(rest, func(i, j int) bool {
			ci, cj := s.m.Assets[rest[i]].Cost, s.m.Assets[rest[j]].Cost
			if ci != cj {
				return ci > cj
			}
			return rest[i] < rest[j]
		})
		for _, a := range rest {
			insertBest(s, a, w.lambda, true)
		}
	default:
		w.regret(rest)
	}
	if s.unassigned == 0 {
		return
	}
	var pending []int
	for _, a := range w.removed {
		if s.assign[a] < 0 {
			pending = append(pending, a)
		}
	}
	for budget := 4 * len(pending); len(pending) > 0 && budget > 0; budget-- {
		a := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		if s.assign[a] >= 0 || insertBest(s, a, w.lambda, true) {
			continue
		}
		r := s.c.reach[a]
		if len(r) == 0 {
			continue
		}
		j := int(r[w.rng.IntN(len(r))].j)
		w.buf = w.bundleAssets(j, w.buf[:0])
		for _, b := range w.buf {
			w.take(b)
		}
		t, _ := s.allowed(a, j)
		s.add(a, j, t)
		for _, b := range w.buf {
			if !insertBest(s, b, w.lambda, true) {
				pending = append(pending, b)
			}
		}
	}
}

// regret inserts, one at a time, the asset whose best and second-best insertions differ
// most. O(q²·|reach|), so it is used on small removals only; larger ones fall back to
// greedy order.
func (w *worker) regret(rest []int) {
	s := w.s
	pending := append([]int(nil), rest...)
	for len(pending) > 0 {
		if len(pending) > 40 {
			for _, a := range pending {
				insertBest(s, a, w.lambda, true)
			}
			return
		}
		bestK, bestReg := -1, math.Inf(-1)
		bestJ, bestT := -1, 0.0
		for k, a := range pending {
			b1, b2 := math.Inf(1), math.Inf(1)
			j1, t1 := -1, 0.0
			for _, d := range s.c.reach[a] {
				j := int(d.j)
				t, ok := s.allowed(a, j)
				if !ok {
					continue
				}
				dc, dv := s.deltaAdd(a, j, t)
				v := dc + w.lambda*dv
				if v < b1 {
					b2, b1, j1, t1 = b1, v, j, t
				} else if v < b2 {
					b2 = v
				}
			}
			reg := b2 - b1
			if j1 < 0 {
				reg = math.Inf(1) // nowhere to go: decide it first (it stays out)
			}
			if reg > bestReg {
				bestK, bestReg, bestJ, bestT = k, reg, j1, t1
			}
		}
		a := pending[bestK]
		if bestJ >= 0 {
			s.add(a, bestJ, bestT)
		}
		pending[bestK] = pending[len(pending)-1]
		pending = pending[:len(pending)-1]
	}
}

// polish runs local search on the re-inserted assets and their nearest neighbours, and
// after a depot was opened or moved there, on the assets around it (nearest first) so
// that neighbouring bundles can give it what it now serves best.
func (w *worker) polish(forced int) {
	s := w.s
	w.focus = w.focus[:0]
	if len(w.gathered) > 0 {
		// A gathered bundle is judged as gathered: relocation, blind to the surcharge or
		// equipment its members will save together, would scatter them straight back.
		for _, a := range w.gathered {
			w.inFocus[a] = true
		}
	} else if forced >= 0 {
		for k, a := range s.c.byDepot[forced] {
			if k == 300 {
				break
			}
			if !w.inFocus[a] {
				w.inFocus[a] = true
				w.focus = append(w.focus, int(a))
			}
		}
	}
	for _, a := range w.removed {
		if !w.inFocus[a] {
			w.inFocus[a] = true
			w.focus = append(w.focus, a)
		}
		near := s.c.near[a]
		if len(near) > 4 {
			near = near[:4]
		}
		for _, b := range near {
			if !w.inFocus[b] {
				w.inFocus[b] = true
				w.focus = append(w.focus, int(b))
			}
		}
	}
	for _, a := range w.focus {
		w.inFocus[a] = false
	}
	for _, a := range w.gathered {
		w.inFocus[a] = false
	}
	improve(s, w.focus, w.lambda, 2)
	if math.IsInf(w.bestCost, 1) {
		// Until the worker holds a feasible plan, feasibility comes first; afterwards
		// the penalty alone steers (pushing every excess out at once narrows the search).
		w.rebalance()
	}
}

// rebalance pushes assets out of bundles that break a limit, with a high penalty
// weight so that feasibility comes first: each round runs relocate/swap over every asset
// of every violating bundle this iteration touched, so an excess travels along a chain
// of neighbouring bundles (A gives to B, B to C) over the rounds. The work is bounded by
// the bundles the iteration touched, never the whole plan.
func (w *worker) rebalance() {
	s := w.s
	lam := math.Max(w.lambda, 4)
	w.touched = w.touched[:0]
	for _, e := range s.journal {
		for _, j := range [2]int32{e.from, s.assign[e.a]} {
			if j >= 0 && !w.isTouched[j] {
				w.isTouched[j] = true
				w.touched = append(w.touched, int(j))
			}
		}
	}
	for round := 0; round < 4; round++ {
		w.focus = w.focus[:0]
		for _, j := range w.touched {
			if s.n[j] > 0 && s.bundleViolation(j) > 1e-3 && len(w.focus) < 4000 {
				w.focus = w.bundleAssets(j, w.focus)
			}
		}
		if len(w.focus) == 0 {
			break
		}
		n0 := len(s.journal)
		if !improve(s, w.focus, lam, 1) {
			break
		}
		for _, e := range s.journal[n0:] {
			if j := s.assign[e.a]; j >= 0 && !w.isTouched[j] {
				w.isTouched[j] = true
				w.touched = append(w.touched, int(j))
			}
		}
	}
	for _, j := range w.touched {
		w.isTouched[j] = false
	}
}
