package solver

import (
	"container/heap"
	"math"
	"sort"
)

// construct builds a first plan by capacitated clustering around depots (a lazy greedy
// "open and fill"): every closed depot's fill is the set of its nearest unassigned
// reachable assets it can take without breaking max_value, max_workload, max_assets,
// mixing or the region lock; the depot with the largest fill (by value, ties to the
// lower index) is opened with it, and fills only shrink as assets are taken, so the
// heap is re-evaluated lazily. Assets left over (every depot that reaches them is
// taken or full) go to their cheapest position, limits priced by the penalty; the
// search then repairs min_value and any excess.
func construct(s *state, pure bool) {
	m := s.m
	fs := newFiller(s)
	fs.pure = pure
	h := &fillHeap{}
	for j := 0; j < s.J; j++ {
		if len(s.c.byDepot[j]) == 0 {
			continue
		}
		v, _ := fs.fill(j, nil)
		if v > 0 {
			heap.Push(h, fillItem{j: j, value: v})
		}
	}
	var taken []int
	for h.Len() > 0 {
		top := heap.Pop(h).(fillItem)
		if s.n[top.j] > 0 {
			continue
		}
		v, _ := fs.fill(top.j, nil)
		if v <= 0 {
			continue
		}
		if h.Len() > 0 && v < (*h)[0].value {
			heap.Push(h, fillItem{j: top.j, value: v})
			continue
		}
		taken = taken[:0]
		_, taken = fs.fill(top.j, taken)
		for _, a := range taken {
			t, _ := s.c.term(s.J, top.j, a)
			s.add(a, top.j, t)
		}
	}
	// Leftovers: a feasible place in a running bundle, else the nearest free depot,
	// else the cheapest penalised place; an asset no depot may take (mixing or region
	// lock) evicts the smallest bundle it can reach, whose assets go elsewhere.
	var pending []int
	for _, a := range m.Participating {
		if s.assign[a] >= 0 || insertFeasible(s, a) {
			continue
		}
		opened := false
		for _, d := range s.c.reach[a] {
			if s.n[d.j] == 0 {
				s.add(a, int(d.j), d.term)
				opened = true
				break
			}
		}
		if !opened && !insertBest(s, a, 1, true) {
			pending = append(pending, a)
		}
	}
	for budget := 4*len(pending) + 8; len(pending) > 0 && budget > 0; budget-- {
		a := pending[0]
		pending = pending[1:]
		if s.assign[a] >= 0 || insertBest(s, a, 1, true) {
			continue
		}
		j := -1
		for _, d := range s.c.reach[a] {
			if j < 0 || s.n[d.j] < s.n[j] {
				j = int(d.j)
			}
		}
		if j < 0 {
			continue
		}
		var evicted []int
		for _, b := range s.c.byDepot[j] {
			if int(s.assign[b]) == j {
				evicted = append(evicted, int(b))
			}
		}
		for _, b := range evicted {
			s.remove(b)
		}
		t, _ := s.allowed(a, j)
		s.add(a, j, t)
		for _, b := range evicted {
			if !insertBest(s, b, 1, true) {
				pending = append(pending, b)
			}
		}
	}
}

// filler computes depot fills with scratch counters.
type filler struct {
	s                 *state
	equipCnt, discCnt []int32
	pure              bool // fills keep to one discipline even when mixing is allowed
}

func newFiller(s *state) *filler {
	return &filler{s: s, equipCnt: make([]int32, s.nE), discCnt: make([]int32, s.nG)}
}

// fill returns the value (Σ terms) of depot j's fill and, if out is not nil, appends its
// assets to out.
func (f *filler) fill(j int, out []int) (float64, []int) {
	s, m := f.s, f.s.m
	clear(f.equipCnt)
	clear(f.discCnt)
	nd := 0
	cost := m.F
	work := 0.0
	n := 0
	disc, region := -1, -1
	value := 0.0
	terms := s.c.byDepotT[j]
	for i, a32 := range s.c.byDepot[j] {
		a := int(a32)
		if s.assign[a] >= 0 {
			continue
		}
		ai := &m.Assets[a]
		if (!m.MixAllowed || f.pure) && disc >= 0 && ai.Discipline != disc {
			continue
		}
		r := m.Munis[ai.Muni].Region
		if m.RegionLocked && region >= 0 && r != region {
			continue
		}
		if work+ai.Workload > m.MaxWorkload {
			continue
		}
		t := terms[i]
		add := t
		for _, e := range ai.Equip {
			if f.equipCnt[e] == 0 {
				add += m.EquipPrice[e]
			}
		}
		if f.discCnt[ai.Discipline] == 0 && nd > 0 {
			add += m.Surcharge
		}
		if cost+add > m.MaxValue {
			continue
		}
		for _, e := range ai.Equip {
			f.equipCnt[e]++
		}
		if f.discCnt[ai.Discipline] == 0 {
			nd++
		}
		f.discCnt[ai.Discipline]++
		if disc < 0 {
			disc = ai.Discipline
		}
		if region < 0 {
			region = r
		}
		cost += add
		work += ai.Workload
		value += t
		n++
		if out != nil {
			out = append(out, a)
		}
		if n >= m.MaxAssets {
			break
		}
	}
	if m.MinValue > 0 && cost < m.MinValue {
		// Too small to be a contract on its own: still a fill, but ranked last.
		value *= 1e-3
	}
	return value, out
}

type fillItem struct {
	j     int
	value float64
}

type fillHeap []fillItem

func (h fillHeap) Len() int { return len(h) }
func (h fillHeap) Less(a, b int) bool {
	if h[a].value != h[b].value {
		return h[a].value > h[b].value
	}
	return h[a].j < h[b].j
}
func (h fillHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *fillHeap) Push(x any)   { *h = append(*h, x.(fillItem)) }
func (h *fillHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// insertFeasible puts unassigned asset a in the running bundle where it adds least
// cost without breaking a limit; it reports whether there was one.
func insertFeasible(s *state, a int) bool {
	bestJ, bestD, bestT := -1, math.Inf(1), 0.0
	for _, d := range s.c.reach[a] {
		j := int(d.j)
		if s.n[j] == 0 {
			continue
		}
		t, ok := s.allowed(a, j)
		if !ok {
			continue
		}
		dc, dv := s.deltaAdd(a, j, t)
		if dv <= 0 && s.bundleViolation(j)+dv <= 1e-6 && dc < bestD {
			bestJ, bestD, bestT = j, dc, t
		}
	}
	if bestJ < 0 {
		return false
	}
	s.add(a, bestJ, bestT)
	return true
}

// insertBest puts unassigned asset a at its cheapest allowed depot by cost + λ·violation;
// with mayOpen false only depots that already run a bundle are considered. It reports
// whether a place was found (reach, mixing and region lock can leave none).
func insertBest(s *state, a int, lambda float64, mayOpen bool) bool {
	return insertBestExcept(s, a, lambda, mayOpen, -1)
}

// insertBestExcept is insertBest that never chooses depot except.
func insertBestExcept(s *state, a int, lambda float64, mayOpen bool, except int) bool {
	bestJ, bestD, bestT := -1, math.Inf(1), 0.0
	for _, d := range s.c.reach[a] {
		j := int(d.j)
		if (!mayOpen && s.n[j] == 0) || j == except {
			continue
		}
		t, ok := s.allowed(a, j)
		if !ok {
			continue
		}
		dc, dv := s.deltaAdd(a, j, t)
		if v := dc + lambda*dv; v < bestD {
			bestJ, bestD, bestT = j, v, t
		}
	}
	if bestJ < 0 {
		if mayOpen {
			return false
		}
		return insertBestExcept(s, a, lambda, true, except)
	}
	s.add(a, bestJ, bestT)
	return true
}

// consolidate closes bundles while that pays: smallest bundles first, each asset of a
// bundle moves to its cheapest other running bundle with a penalty weight so high that
// only moves without new violations survive. Construction leaves many small bundles
// where fills overlapped; this is the greedy pass that merges them.
func consolidate(s *state, lambda float64) {
	type jv struct {
		j int
		v float64
	}
	var scratch []int
	for pass := 0; pass < 3; pass++ {
		var order []jv
		for j := 0; j < s.J; j++ {
			if s.n[j] > 0 {
				order = append(order, jv{j, s.bundleCost(j)})
			}
		}
		sort.Slice(order, func(x, y int) bool {
			if order[x].v != order[y].v {
				return order[x].v < order[y].v
			}
			return order[x].j < order[y].j
		})
		closed := 0
		for _, o := range order {
			if s.n[o.j] > 0 && dissolve(s, o.j, lambda, scratch) {
				closed++
			}
		}
		if closed == 0 {
			break
		}
	}
}
