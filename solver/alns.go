package solver

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Adaptive large neighbourhood search (ruin and recreate) with simulated-annealing
// acceptance on the penalised objective
//
//	f = Σ cost(B) + λ·Σ violation(B) [+ λ_IR·Σ_m max(0, share_m − standalone_m)]
//
// Each iteration removes a set of assets chosen by one of the destroy operators below
// (picked by roulette on adaptive weights), re-inserts them greedily (cheapest or
// regret-2), polishes the touched assets with relocate/swap, and accepts or undoes the
// change from the state's journal. A worker is a single goroutine with its own random
// source: its sequence of decisions depends on its seed and on the plans it is handed
// at synchronisation points only, never on the clock.

const (
	opRandom = iota
	opRelated
	opBundle
	opMergeNeighbours
	opEquipment
	opMoveDepot
	opOpenDepot
	opMunicipality
	opFeature
	opGather
	opConsolidate
	nOps
)

type worker struct {
	s      *state
	rng    *rand.Rand
	lambda float64
	ir     *irPenalty // nil unless require_individual_rationality
	curF   float64

	weights [nOps]float64
	score   [nOps]float64
	uses    [nOps]int

	t0, t1    float64 // temperature at the start and the end of a cooling cycle
	cycleLen  int
	it        int // iterations done
	feasCount int

	best     []int32 // best feasible assignment
	bestCost float64 // +Inf when none

	unassignedYen float64 // violation charged for an asset that no depot may take now

	removed   []int
	hot       []int // assets of violating bundles while no feasible plan is known
	gathered  []int // when set, only these go to the forced depot first
	focus     []int
	touched   []int
	isTouched []bool
	inFocus   []bool
	buf       []int
}

func newWorker(s *state, seed uint64, ir *irPenalty, cycleLen int) *worker {
	w := &worker{s: s, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), lambda: 1, ir: ir,
		bestCost: math.Inf(1), best: make([]int32, len(s.assign)), inFocus: make([]bool, len(s.assign)),
		isTouched: make([]bool, s.J),
		cycleLen:  cycleLen, unassignedYen: 10 * (s.m.F + s.countYen)}
	for k := range w.weights {
		w.weights[k] = 1
	}
	if ir == nil {
		w.weights[opMunicipality] = 0
	}
	open := 0
	for j := 0; j < s.J; j++ {
		if s.n[j] > 0 {
			open++
		}
	}
	scale := s.cost / float64(max(open, 1))
	// Tuned on p-nara: hot enough to leave the 7-bundle plans that mix sewer into every
	// bundle (the sewer-only bundle needs several uphill steps), cool at the cycle's end.
	w.t0, w.t1 = 0.01*scale, 0.00002*scale
	w.curF = w.objective()
	w.offerBest()
	w.refreshHot()
	return w
}

func (w *worker) objective() float64 {
	f := w.s.cost + w.lambda*(w.s.viol+float64(w.s.unassigned)*w.unassignedYen)
	if w.ir != nil {
		// Individual rationality is a hard rule that local moves cannot see (a share
		// depends on the whole bundle): a steep price keeps the search on fair plans.
		f += 100 * math.Max(w.lambda, 1) * w.ir.excess(w.s)
	}
	return f
}

// offerBest stores the current plan if it is feasible and cheaper than the best.
func (w *worker) offerBest() bool {
	s := w.s
	if s.unassigned != 0 || s.viol > 1e-3 || s.cost >= w.bestCost-1e-7 {
		return false
	}
	if !s.feasible() || (w.ir != nil && w.ir.excess(s) > 0) {
		return false
	}
	copy(w.best, s.assign)
	w.bestCost = s.cost
	return true
}

// adopt makes the worker continue from the given assignment.
func (w *worker) adopt(assign []int32, cost float64) {
	w.s.loadAssignment(assign)
	w.curF = w.objective()
	if cost < w.bestCost {
		copy(w.best, assign)
		w.bestCost = cost
	}
}

func (w *worker) temperature() float64 {
	frac := float64(w.it%w.cycleLen) / float64(w.cycleLen)
	return w.t0 * math.Pow(w.t1/w.t0, frac)
}

func (w *worker) pickOp() int {
	total := 0.0
	for _, x := range w.weights {
		total += x
	}
	r := w.rng.Float64() * total
	for k, x := range w.weights {
		if r < x {
			return k
		}
		r -= x
	}
	return opRandom
}

// iterate runs n ALNS iterations.
func (w *worker) iterate(n int) {
	s := w.s
	for k := 0; k < n; k++ {
		op := w.pickOp()
		s.mark()
		w.removed = w.removed[:0]
		w.gathered = w.gathered[:0]
		forced := w.destroy(op)
		w.repair(forced)
		if op != opMunicipality || forced < 0 {
			// A municipality moved to a contract of its own is judged as it is: local
			// search, blind to shares, would merge it straight back.
			w.polish(forced)
		}
		f := w.objective()
		T := w.temperature()
		score := 0.0
		if f < w.curF-improveEps || (T > 0 && w.rng.Float64() < math.Exp(-(f-w.curF)/T)) {
			// An accepted change scores; a destroy and repair that put the plan back
			// as it was does not (rewarding it let the operators that achieve nothing
			// outweigh the ones that move the plan).
			if f < w.curF-improveEps {
				score = 9
			} else if f > w.curF+improveEps {
				score = 3
			}
			s.commit()
			w.curF = f
			if w.offerBest() {
				score = 33
			}
		} else {
			s.undo()
		}
		w.score[op] += score
		w.uses[op]++
		w.it++
		if s.unassigned == 0 && s.viol <= 1e-3 {
			w.feasCount++
		}
		if w.it%100 == 0 {
			w.adapt()
			w.refreshHot()
		}
		if w.it%1000 == 0 {
			s.refresh()
			w.curF = w.objective()
		}
	}
}

// adapt updates the operator weights and the penalty weight λ.
func (w *worker) adapt() {
	for k := range w.weights {
		if w.uses[k] > 0 {
			w.weights[k] = 0.8*w.weights[k] + 0.2*math.Max(w.score[k]/float64(w.uses[k]), 0.05)
		}
		w.score[k], w.uses[k] = 0, 0
	}
	if w.ir == nil {
		w.weights[opMunicipality] = 0
	}
	frac := float64(w.feasCount) / 100
	w.feasCount = 0
	old := w.lambda
	if frac < 0.3 {
		w.lambda = math.Min(w.lambda*1.3, 1000)
	} else if frac > 0.7 {
		w.lambda = math.Max(w.lambda/1.3, 0.5)
	}
	if w.lambda != old {
		w.curF = w.objective()
	}
}

// size of a removal: between 2 and about 60 assets, at most a third of the instance.
func (w *worker) q() int {
	n := len(w.s.m.Participating)
	hi := min(60, max(2, n/3))
	lo := min(hi, 4)
	return lo + w.rng.IntN(hi-lo+1)
}

func (w *worker) take(a int) {
	if w.s.assign[a] >= 0 {
		w.s.remove(a)
		w.removed = append(w.removed, a)
	}
}

// randomAsset returns a random participating asset; while the worker has no feasible
// plan, half the time one of a bundle that breaks a limit, so that the search works
// where the trouble is.
func (w *worker) randomAsset() int {
	if len(w.hot) > 0 && w.rng.IntN(2) == 0 {
		return w.hot[w.rng.IntN(len(w.hot))]
	}
	p := w.s.m.Participating
	return p[w.rng.IntN(len(p))]
}

// refreshHot lists the assets of bundles that break a limit (only while no feasible
// plan is known; empty afterwards).
func (w *worker) refreshHot() {
	w.hot = w.hot[:0]
	s := w.s
	if !math.IsInf(w.bestCost, 1) || s.viol <= 1e-3 {
		return
	}
	for j := 0; j < s.J; j++ {
		if s.n[j] > 0 && s.bundleViolation(j) > 1e-3 {
			w.hot = w.bundleAssets(j, w.hot)
		}
	}
}

// randomOpen returns a random depot that runs a bundle, or -1, found by sampling assets
// (so the choice is proportional to bundle size and costs O(1) on any instance).
func (w *worker) randomOpen() int {
	a := w.randomAsset()
	return int(w.s.assign[a])
}

// bundleAssets appends the assets of depot j.
func (w *worker) bundleAssets(j int, out []int) []int {
	for _, a := range w.s.c.byDepot[j] {
		if int(w.s.assign[a]) == j {
			out = append(out, int(a))
		}
	}
	return out
}

// destroy removes assets by operator op. It returns a depot the repair must try first
// (-1 for none).
func (w *worker) destroy(op int) int {
	s := w.s
	if len(s.m.Participating) == 0 {
		return -1
	}
	switch op {
	case opRandom:
		q := w.q()
		for i := 0; i < q; i++ {
			w.take(w.randomAsset())
		}
	case opRelated:
		w.buf = s.c.nearestK(w.randomAsset(), w.q(), w.buf[:0])
		for _, a := range w.buf {
			w.take(a)
		}
	case opBundle:
		if j := w.randomOpen(); j >= 0 {
			w.buf = w.bundleAssets(j, w.buf[:0])
			for _, a := range w.buf {
				w.take(a)
			}
		}
	case opMergeNeighbours:
		a := w.randomAsset()
		ja := int(s.assign[a])
		jb := -1
		for _, b := range s.c.near[a] {
			if j := int(s.assign[b]); j >= 0 && j != ja {
				jb = j
				break
			}
		}
		if ja < 0 || jb < 0 {
			w.take(a)
			return -1
		}
		// Empty the smaller of the two bundles into the larger one's neighbourhood.
		if s.n[ja] > s.n[jb] {
			ja, jb = jb, ja
		}
		w.buf = w.bundleAssets(ja, w.buf[:0])
		for _, x := range w.buf {
			w.take(x)
		}
		return jb
	case opEquipment:
		var a int
		for tries := 0; tries < 8; tries++ {
			a = w.randomAsset()
			if len(s.m.Assets[a].Equip) > 0 {
				break
			}
		}
		eq := s.m.Assets[a].Equip
		if len(eq) == 0 {
			w.take(a)
			return -1
		}
		e := eq[w.rng.IntN(len(eq))]
		w.buf = s.c.nearestK(a, 4*w.q(), w.buf[:0])
		for _, b := range w.buf {
			if j := s.assign[b]; j >= 0 && s.equipCnt[int(j)*s.nE+e] <= 3 && hasEquip(s.m.Assets[b].Equip, e) {
				w.take(b)
			}
		}
	case opMoveDepot:
		j := w.randomOpen()
		if j < 0 {
			return -1
		}
		w.buf = w.bundleAssets(j, w.buf[:0])
		a := w.buf[w.rng.IntN(len(w.buf))]
		r := s.c.reach[a]
		k := int(r[w.rng.IntN(len(r))].j)
		if s.n[k] != 0 {
			w.take(a)
			return -1
		}
		for _, x := range w.buf {
			w.take(x)
		}
		return k
	case opOpenDepot:
		a := w.randomAsset()
		r := s.c.reach[a]
		if len(r) == 0 {
			return -1
		}
		k := int(r[w.rng.IntN(len(r))].j)
		if s.n[k] != 0 {
			w.take(a)
			return -1
		}
		q := w.q() * 3
		for _, b := range s.c.byDepot[k] {
			if q == 0 {
				break
			}
			w.take(int(b))
			q--
		}
		return k
	case opFeature:
		w.destroyFeature()
	case opGather:
		return w.destroyGather()
	case opConsolidate:
		return w.destroyConsolidate()
	case opMunicipality:
		mu := -1
		if w.ir != nil {
			mu = w.ir.randomViolator(w.rng)
		}
		if mu < 0 {
			mu = s.m.Assets[w.randomAsset()].Muni
		}
		own := w.ir.muniAssets[mu]
		if len(own) == 0 {
			return -1
		}
		for _, a := range own {
			w.take(a)
		}
		// Half the time the municipality gets a contract of its own at the cheapest free
		// depot for its first asset: the way out of a bundle that makes it pay too much.
		if w.rng.IntN(2) == 0 {
			for _, d := range s.c.reach[own[0]] {
				if s.n[d.j] == 0 {
					return int(d.j)
				}
			}
		}
	}
	return -1
}

// destroyFeature empties a bundle of the assets that bring it one of its fixed charges:
// a piece of equipment or (when it mixes) a discipline, rare ones more likely. Re-inserted
// elsewhere they save M_e or S where that charge is already paid.
func (w *worker) destroyFeature() {
	s := w.s
	j := w.randomOpen()
	if j < 0 {
		return
	}
	total := 0.0
	for e := 0; e < s.nE; e++ {
		if c := s.equipCnt[j*s.nE+e]; c > 0 {
			total += 1 / float64(c)
		}
	}
	if s.nd[j] > 1 {
		for g := 0; g < s.nG; g++ {
			if c := s.discCnt[j*s.nG+g]; c > 0 {
				total += 1 / float64(c)
			}
		}
	}
	if total == 0 {
		return
	}
	r := w.rng.Float64() * total
	e, g := -1, -1
	for k := 0; k < s.nE && e < 0; k++ {
		if c := s.equipCnt[j*s.nE+k]; c > 0 {
			if r -= 1 / float64(c); r < 0 {
				e = k
			}
		}
	}
	if e < 0 && s.nd[j] > 1 {
		for k := 0; k < s.nG && g < 0; k++ {
			if c := s.discCnt[j*s.nG+k]; c > 0 {
				if r -= 1 / float64(c); r < 0 {
					g = k
				}
			}
		}
	}
	if e < 0 && g < 0 {
		return
	}
	w.buf = w.bundleAssets(j, w.buf[:0])
	for _, a := range w.buf {
		ai := &s.m.Assets[a]
		if (e >= 0 && hasEquip(ai.Equip, e)) || (g >= 0 && ai.Discipline == g) {
			w.take(a)
		}
	}
}

// destroyGather builds a bundle around one fixed charge: it picks an asset, one of its
// features (its discipline, or a piece of its equipment) and a depot that reaches it,
// empties that depot of assets without the feature and gathers there, nearest first
// and within the limits, the assets with it. A sewer-only or a railway-only bundle
// saves the surcharge or the equipment charge in every bundle they leave.
func (w *worker) destroyGather() int {
	s := w.s
	m := s.m
	a := w.randomAsset()
	ai := &m.Assets[a]
	g, e := -1, -1
	if m.MixAllowed && len(m.Disciplines) > 1 && (len(ai.Equip) == 0 || w.rng.IntN(2) == 0) {
		g = ai.Discipline
	} else if len(ai.Equip) > 0 {
		e = ai.Equip[w.rng.IntN(len(ai.Equip))]
	} else {
		return -1
	}
	has := func(b int) bool {
		bi := &m.Assets[b]
		return (g >= 0 && bi.Discipline == g) || (e >= 0 && hasEquip(bi.Equip, e))
	}
	// The depot: most often the one (of up to 8 sampled among those reaching a) that
	// reaches the most value with the feature, else a random one.
	r := s.c.reach[a]
	k := int(r[w.rng.IntN(len(r))].j)
	if w.rng.IntN(4) != 0 {
		bestV := -1.0
		for try := 0; try < min(8, len(r)); try++ {
			j := int(r[w.rng.IntN(len(r))].j)
			v := 0.0
			for _, b := range s.c.byDepot[j] {
				if has(int(b)) {
					v += m.Assets[b].Cost
				}
			}
			if v > bestV {
				bestV, k = v, j
			}
		}
	}
	w.buf = w.bundleAssets(k, w.buf[:0])
	for _, b := range w.buf {
		if !has(b) {
			w.take(b)
		}
	}
	value, work := m.F+m.Surcharge, 0.0
	for _, p := range m.EquipPrice {
		value += p // a bound on what the bundle pays beside its assets
	}
	n := 0
	for _, b32 := range s.c.byDepot[k] {
		b := int(b32)
		if !has(b) {
			continue
		}
		t, _ := s.c.term(s.J, k, b)
		bi := &m.Assets[b]
		if value+t > m.MaxValue || work+bi.Workload > m.MaxWorkload || n+1 > m.MaxAssets {
			break
		}
		value += t
		work += bi.Workload
		n++
		if int(s.assign[b]) != k {
			w.take(b)
			w.gathered = append(w.gathered, b)
		}
	}
	return k
}

// destroyConsolidate moves one fixed charge out of a bundle into another bundle that
// already pays it, and makes room there: it picks a bundle j2 and one of its features (a
// piece of equipment or, when j2 mixes, a discipline; rare ones more likely), a bundle
// j1 that already has the feature (most often the one with most assets having it), sends
// j2's assets with the feature to j1 first, and takes out of j1 about as much value and
// workload of assets without the feature, those that j2 serves most cheaply relative
// to j1, for the repair to place (mostly in j2). Two bundles trade assets so that the
// charge is paid once: a chain that single moves cannot climb when j1 sits at a limit.
func (w *worker) destroyConsolidate() int {
	s := w.s
	m := s.m
	j2 := w.randomOpen()
	if j2 < 0 {
		return -1
	}
	total := 0.0
	for e := 0; e < s.nE; e++ {
		if c := s.equipCnt[j2*s.nE+e]; c > 0 {
			total += 1 / float64(c)
		}
	}
	if s.nd[j2] > 1 {
		for g := 0; g < s.nG; g++ {
			if c := s.discCnt[j2*s.nG+g]; c > 0 {
				total += 1 / float64(c)
			}
		}
	}
	if total == 0 {
		return -1
	}
	r := w.rng.Float64() * total
	e, g := -1, -1
	for k := 0; k < s.nE && e < 0; k++ {
		if c := s.equipCnt[j2*s.nE+k]; c > 0 {
			if r -= 1 / float64(c); r < 0 {
				e = k
			}
		}
	}
	if e < 0 && s.nd[j2] > 1 {
		for k := 0; k < s.nG && g < 0; k++ {
			if c := s.discCnt[j2*s.nG+k]; c > 0 {
				if r -= 1 / float64(c); r < 0 {
					g = k
				}
			}
		}
	}
	if e < 0 && g < 0 {
		return -1
	}
	has := func(b int) bool {
		bi := &m.Assets[b]
		return (g >= 0 && bi.Discipline == g) || (e >= 0 && hasEquip(bi.Equip, e))
	}
	cnt := func(j int) int32 {
		if e >= 0 {
			return s.equipCnt[j*s.nE+e]
		}
		return s.discCnt[j*s.nG+g]
	}
	w.buf = w.bundleAssets(j2, w.buf[:0])
	first := -1
	for _, b := range w.buf {
		if has(b) {
			first = b
			break
		}
	}
	if first < 0 {
		return -1
	}
	// j1: among the bundles with the feature that may take j2's first asset with it,
	// the one with most such assets, or (a quarter of the time) a random one.
	j1, bestC, seen := -1, int32(0), 0
	pickRandom := w.rng.IntN(4) == 0
	for _, d := range s.c.reach[first] {
		j := int(d.j)
		if j == j2 || s.n[j] == 0 {
			continue
		}
		c := cnt(j)
		if c == 0 {
			continue
		}
		if _, ok := s.allowed(first, j); !ok {
			continue
		}
		seen++
		if pickRandom {
			if w.rng.IntN(seen) == 0 {
				j1 = j
			}
		} else if c > bestC {
			j1, bestC = j, c
		}
	}
	if j1 < 0 {
		return -1
	}
	inV, inW := 0.0, 0.0
	for _, b := range w.buf {
		if !has(b) {
			continue
		}
		if t, ok := s.allowed(b, j1); ok {
			inV += t
			inW += m.Assets[b].Workload
		}
		w.take(b)
		w.gathered = append(w.gathered, b)
	}
	if inV == 0 {
		return j1
	}
	// Room in j1: its assets without the feature, cheapest to serve from j2 (relative to
	// j1) first, up to the incoming value and workload scaled by a random factor.
	type cand struct {
		a int
		d float64
	}
	var out []cand
	for _, b32 := range s.c.byDepot[j1] {
		b := int(b32)
		if int(s.assign[b]) != j1 || has(b) {
			continue
		}
		t1, _ := s.c.term(s.J, j1, b)
		d := math.Inf(1)
		if t2, ok := s.c.term(s.J, j2, b); ok {
			d = t2 - t1
		}
		out = append(out, cand{b, d})
	}
	sort.Slice(out, func(i, k int) bool {
		if out[i].d != out[k].d {
			return out[i].d < out[k].d
		}
		return out[i].a < out[k].a
	})
	f := 0.5 + w.rng.Float64()
	outV, outW := 0.0, 0.0
	for _, c := range out {
		if outV >= f*inV && (m.MaxWorkload <= 0 || outW >= f*inW) {
			break
		}
		t1, _ := s.c.term(s.J, j1, c.a)
		outV += t1
		outW += m.Assets[c.a].Workload
		w.take(c.a)
	}
	return j1
}

func hasEquip(list []int, e int) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

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
