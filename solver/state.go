package solver

import "math"

// state is a plan under construction as an assignment asset → depot (each depot hosts
// at most one bundle, so a depot with assets is a bundle) with, per depot, the sums
// that make cost(B) of docs/model.md O(1) to read and O(|E(a)|) to update:
//
//	cost(j) = F + Σ_{e: cnt[j,e]>0} M_e + S·(|D(j)|−1) + Σ_{a∈j} (c_a + τ·d(j,a))
//
// The terms c_a + τ·d(j,a) come from Model.AssetTerm (through the candidate lists) and
// the prices from the Model, so the state is Model.BundleCost kept up to date; the
// tests replay random moves against BundleCost.
//
// Limits other than reach, mixing and region lock are soft here: every bundle carries a
// violation in yen (over max_value, under min_value, workload and count over their limits
// converted to yen), which the search prices with a penalty weight.
type state struct {
	m          *Model
	c          *candidates
	J, nE, nG  int
	nR         int
	assign     []int32 // asset → depot, -1 when unassigned (and for non-participating assets)
	n          []int32 // assets per depot
	nd         []int32 // disciplines present per depot
	nr         []int32 // regions present per depot (region_locked only)
	work       []float64
	terms      []float64 // Σ c_a + τ·d(j,a)
	equip      []float64 // Σ_{e present} M_e
	equipCnt   []int32   // depot*nE + e
	discCnt    []int32   // depot*nG + g
	regionCnt  []int32   // depot*nR + r, region_locked only
	cost, viol float64   // Σ cost(j), Σ violation(j) over the depots
	unassigned int       // participating assets without a depot

	workYen, countYen float64 // prices that turn a workload or count excess into yen

	journal []journalEntry
	logging bool
}

type journalEntry struct{ a, from int32 }

func newState(m *Model, c *candidates) *state {
	J, nE, nG := len(m.Depots), len(m.EquipNames), len(m.Disciplines)
	s := &state{m: m, c: c, J: J, nE: nE, nG: nG, assign: make([]int32, len(m.Assets)),
		n: make([]int32, J), nd: make([]int32, J), work: make([]float64, J), terms: make([]float64, J),
		equip: make([]float64, J), equipCnt: make([]int32, J*nE), discCnt: make([]int32, J*nG)}
	if m.RegionLocked {
		s.nR = len(m.Regions)
		s.nr = make([]int32, J)
		s.regionCnt = make([]int32, J*s.nR)
	}
	for i := range s.assign {
		s.assign[i] = -1
	}
	s.unassigned = len(m.Participating)
	var sc, sw float64
	for _, a := range m.Participating {
		sc += m.Assets[a].Cost
		sw += m.Assets[a].Workload
	}
	np := float64(max(len(m.Participating), 1))
	s.countYen = math.Max(sc/np, 1)
	s.workYen = s.countYen
	if sw > 0 {
		s.workYen = math.Max(sc/sw, 1)
	}
	return s
}

// bundleCost is cost(j) from the sums; 0 for a depot without assets.
func (s *state) bundleCost(j int) float64 {
	if s.n[j] == 0 {
		return 0
	}
	return s.m.F + s.equip[j] + s.m.Surcharge*float64(s.nd[j]-1) + s.terms[j]
}

// violation is the yen-equivalent by which a bundle with these totals breaks the soft limits.
func (s *state) violation(n int32, cost, work float64) float64 {
	if n == 0 {
		return 0
	}
	m := s.m
	v := 0.0
	if cost > m.MaxValue {
		v += cost - m.MaxValue
	}
	if cost < m.MinValue {
		v += m.MinValue - cost
	}
	if work > m.MaxWorkload {
		v += (work - m.MaxWorkload) * s.workYen
	}
	if int(n) > m.MaxAssets {
		v += float64(int(n)-m.MaxAssets) * s.countYen
	}
	return v
}

func (s *state) bundleViolation(j int) float64 {
	return s.violation(s.n[j], s.bundleCost(j), s.work[j])
}

// allowed reports whether asset a may join depot j under the hard rules: reach, no
// mixing when the surcharge is null, one region when region_locked. term is c_a + τ·d(j,a).
func (s *state) allowed(a, j int) (term float64, ok bool) {
	term, ok = s.c.term(s.J, j, a)
	if !ok {
		return 0, false
	}
	ai := &s.m.Assets[a]
	if !s.m.MixAllowed && s.nd[j] > 0 && s.discCnt[j*s.nG+ai.Discipline] == 0 {
		return 0, false
	}
	if s.m.RegionLocked && s.nr[j] > 0 && s.regionCnt[j*s.nR+s.m.Munis[ai.Muni].Region] == 0 {
		return 0, false
	}
	return term, true
}

// deltaAdd is the change of (cost, violation) if asset a (unassigned or elsewhere)
// joins depot j with the given term; it changes nothing.
func (s *state) deltaAdd(a, j int, term float64) (dc, dv float64) {
	ai := &s.m.Assets[a]
	eq := s.equip[j]
	base := j * s.nE
	for _, e := range ai.Equip {
		if s.equipCnt[base+e] == 0 {
			eq += s.m.EquipPrice[e]
		}
	}
	nd := s.nd[j]
	if s.discCnt[j*s.nG+ai.Discipline] == 0 {
		nd++
	}
	newCost := s.m.F + eq + s.m.Surcharge*float64(nd-1) + s.terms[j] + term
	oldCost := s.bundleCost(j)
	dc = newCost - oldCost
	dv = s.violation(s.n[j]+1, newCost, s.work[j]+ai.Workload) - s.violation(s.n[j], oldCost, s.work[j])
	return dc, dv
}

// deltaRemove is the change of (cost, violation) if asset a leaves its depot.
func (s *state) deltaRemove(a int) (dc, dv float64) {
	j := int(s.assign[a])
	if j < 0 {
		return 0, 0
	}
	ai := &s.m.Assets[a]
	oldCost := s.bundleCost(j)
	oldViol := s.violation(s.n[j], oldCost, s.work[j])
	if s.n[j] == 1 {
		return -oldCost, -oldViol
	}
	eq := s.equip[j]
	base := j * s.nE
	for _, e := range ai.Equip {
		if s.equipCnt[base+e] == 1 {
			eq -= s.m.EquipPrice[e]
		}
	}
	nd := s.nd[j]
	if s.discCnt[j*s.nG+ai.Discipline] == 1 {
		nd--
	}
	term, _ := s.c.term(s.J, j, a)
	newCost := s.m.F + eq + s.m.Surcharge*float64(nd-1) + s.terms[j] - term
	return newCost - oldCost, s.violation(s.n[j]-1, newCost, s.work[j]-ai.Workload) - oldViol
}

// deltaReplace is the change of (cost, violation) of depot j if its asset out leaves
// and asset in (from elsewhere, term termIn here) joins; it changes nothing.
func (s *state) deltaReplace(j, out, in int, termIn float64) (dc, dv float64) {
	m := s.m
	ao, ai := &m.Assets[out], &m.Assets[in]
	base := j * s.nE
	eq := s.equip[j]
	for _, e := range ao.Equip {
		if s.equipCnt[base+e] == 1 && !hasEquip(ai.Equip, e) {
			eq -= m.EquipPrice[e]
		}
	}
	for _, e := range ai.Equip {
		if s.equipCnt[base+e] == 0 {
			eq += m.EquipPrice[e]
		}
	}
	nd := s.nd[j]
	if ao.Discipline != ai.Discipline {
		if s.discCnt[j*s.nG+ao.Discipline] == 1 {
			nd--
		}
		if s.discCnt[j*s.nG+ai.Discipline] == 0 {
			nd++
		}
	}
	termOut, _ := s.c.term(s.J, j, out)
	oldCost := s.bundleCost(j)
	newCost := m.F + eq + m.Surcharge*float64(nd-1) + s.terms[j] - termOut + termIn
	dc = newCost - oldCost
	dv = s.violation(s.n[j], newCost, s.work[j]-ao.Workload+ai.Workload) - s.violation(s.n[j], oldCost, s.work[j])
	return dc, dv
}

// add puts unassigned asset a into depot j (term = c_a + τ·d(j,a)).
func (s *state) add(a, j int, term float64) {
	oldCost, oldViol := s.bundleCost(j), s.bundleViolation(j)
	ai := &s.m.Assets[a]
	base := j * s.nE
	for _, e := range ai.Equip {
		if s.equipCnt[base+e] == 0 {
			s.equip[j] += s.m.EquipPrice[e]
		}
		s.equipCnt[base+e]++
	}
	if s.discCnt[j*s.nG+ai.Discipline] == 0 {
		s.nd[j]++
	}
	s.discCnt[j*s.nG+ai.Discipline]++
	if s.m.RegionLocked {
		r := j*s.nR + s.m.Munis[ai.Muni].Region
		if s.regionCnt[r] == 0 {
			s.nr[j]++
		}
		s.regionCnt[r]++
	}
	s.n[j]++
	s.work[j] += ai.Workload
	s.terms[j] += term
	s.assign[a] = int32(j)
	s.unassigned--
	s.cost += s.bundleCost(j) - oldCost
	s.viol += s.bundleViolation(j) - oldViol
	if s.logging {
		s.journal = append(s.journal, journalEntry{int32(a), -1})
	}
}

// remove takes asset a out of its depot.
func (s *state) remove(a int) {
	j := int(s.assign[a])
	if j < 0 {
		return
	}
	oldCost, oldViol := s.bundleCost(j), s.bundleViolation(j)
	ai := &s.m.Assets[a]
	base := j * s.nE
	for _, e := range ai.Equip {
		s.equipCnt[base+e]--
		if s.equipCnt[base+e] == 0 {
			s.equip[j] -= s.m.EquipPrice[e]
		}
	}
	s.discCnt[j*s.nG+ai.Discipline]--
	if s.discCnt[j*s.nG+ai.Discipline] == 0 {
		s.nd[j]--
	}
	if s.m.RegionLocked {
		r := j*s.nR + s.m.Munis[ai.Muni].Region
		s.regionCnt[r]--
		if s.regionCnt[r] == 0 {
			s.nr[j]--
		}
	}
	term, _ := s.c.term(s.J, j, a)
	s.n[j]--
	s.work[j] -= ai.Workload
	s.terms[j] -= term
	if s.n[j] == 0 {
		// An empty depot starts from exact zeros again, so rounding never accumulates
		// across openings.
		s.work[j], s.terms[j], s.equip[j] = 0, 0, 0
	}
	s.assign[a] = -1
	s.unassigned++
	s.cost += s.bundleCost(j) - oldCost
	s.viol += s.bundleViolation(j) - oldViol
	if s.logging {
		s.journal = append(s.journal, journalEntry{int32(a), int32(j)})
	}
}

// move relocates asset a to depot j (a may be unassigned).
func (s *state) move(a, j int) {
	s.remove(a)
	t, _ := s.c.term(s.J, j, a)
	s.add(a, j, t)
}

// mark starts a journal; undo returns to the state at the mark.
func (s *state) mark() {
	s.journal = s.journal[:0]
	s.logging = true
}

func (s *state) undo() {
	s.logging = false
	for k := len(s.journal) - 1; k >= 0; k-- {
		e := s.journal[k]
		if e.from < 0 { // was an add
			s.remove(int(e.a))
		} else {
			t, _ := s.c.term(s.J, int(e.from), int(e.a))
			s.add(int(e.a), int(e.from), t)
		}
	}
	s.journal = s.journal[:0]
}

func (s *state) commit() {
	s.logging = false
	s.journal = s.journal[:0]
}

// refresh recomputes every sum from the assignment, wiping the rounding that
// incremental updates accumulate. The order of the sums is fixed (asset index), so the
// result is deterministic.
func (s *state) refresh() {
	for j := 0; j < s.J; j++ {
		s.terms[j], s.work[j] = 0, 0
	}
	for _, a := range s.m.Participating {
		if j := s.assign[a]; j >= 0 {
			t, _ := s.c.term(s.J, int(j), a)
			s.terms[j] += t
			s.work[j] += s.m.Assets[a].Workload
		}
	}
	s.cost, s.viol = 0, 0
	for j := 0; j < s.J; j++ {
		s.equip[j] = 0
		for e := 0; e < s.nE; e++ {
			if s.equipCnt[j*s.nE+e] > 0 {
				s.equip[j] += s.m.EquipPrice[e]
			}
		}
		s.cost += s.bundleCost(j)
		s.viol += s.bundleViolation(j)
	}
}

// copyFrom makes s an exact copy of o (same model and candidates).
func (s *state) copyFrom(o *state) {
	copy(s.assign, o.assign)
	copy(s.n, o.n)
	copy(s.nd, o.nd)
	copy(s.nr, o.nr)
	copy(s.work, o.work)
	copy(s.terms, o.terms)
	copy(s.equip, o.equip)
	copy(s.equipCnt, o.equipCnt)
	copy(s.discCnt, o.discCnt)
	copy(s.regionCnt, o.regionCnt)
	s.cost, s.viol, s.unassigned = o.cost, o.viol, o.unassigned
	s.journal = s.journal[:0]
	s.logging = false
}

func (s *state) clone() *state {
	t := newState(s.m, s.c)
	t.copyFrom(s)
	return t
}

// loadAssignment rebuilds the state from an assignment (asset → depot, -1 unassigned).
func (s *state) loadAssignment(assign []int32) {
	for i := range s.assign {
		s.assign[i] = -1
	}
	clear(s.n)
	clear(s.nd)
	clear(s.nr)
	clear(s.work)
	clear(s.terms)
	clear(s.equip)
	clear(s.equipCnt)
	clear(s.discCnt)
	clear(s.regionCnt)
	s.cost, s.viol = 0, 0
	s.unassigned = len(s.m.Participating)
	s.logging = false
	for _, a := range s.m.Participating {
		if j := assign[a]; j >= 0 {
			t, _ := s.c.term(s.J, int(j), a)
			s.add(a, int(j), t)
		}
	}
	s.refresh()
}

// members lists the assets of every depot, in asset order.
func (s *state) members() [][]int {
	out := make([][]int, s.J)
	for _, a := range s.m.Participating {
		if j := s.assign[a]; j >= 0 {
			out[j] = append(out[j], a)
		}
	}
	return out
}

// feasible reports whether every participating asset is assigned and no soft limit is
// broken by more than the evaluator's tolerances.
func (s *state) feasible() bool {
	if s.unassigned != 0 {
		return false
	}
	for j := 0; j < s.J; j++ {
		if s.n[j] == 0 {
			continue
		}
		c := s.bundleCost(j)
		if valueAbove(c, s.m.MaxValue) || (s.m.MinValue > 0 && valueBelow(c, s.m.MinValue)) ||
			s.work[j] > s.m.MaxWorkload+limitEps || int(s.n[j]) > s.m.MaxAssets {
			return false
		}
	}
	return true
}
