package solver

import (
	"math"
	"sort"
)

// The destroy operators of the ALNS (alns.go): each takes a set of assets out of the
// plan (worker.take) for the repair operators (repair.go) to place again, and may name
// a depot the repair must try first. Every random choice is drawn from the worker's own
// source, in a fixed order, so a worker's run depends on its seed alone.

// size of a removal: between 2 and about 60 assets, at most a third of the instance.
func (w *worker) q() int {
	n := len(w.s.m.Participating)
	hi := min(60, max(2, n/3))
	lo := min(hi, 4)
	return lo + w.rng.IntN(hi-lo+1)
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
		return w.destroyMergeNeighbours()
	case opEquipment:
		w.destroyEquipment()
	case opMoveDepot:
		return w.destroyMoveDepot()
	case opOpenDepot:
		return w.destroyOpenDepot()
	case opFeature:
		w.destroyFeature()
	case opGather:
		return w.destroyGather()
	case opConsolidate:
		return w.destroyConsolidate()
	case opMunicipality:
		return w.destroyMunicipality()
	}
	return -1
}

// destroyMergeNeighbours empties the smaller of a random asset's bundle and the nearest
// other bundle among its neighbours, and names the larger one's depot for the repair.
func (w *worker) destroyMergeNeighbours() int {
	s := w.s
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
}

// destroyEquipment picks a piece of equipment of a random asset (one of 8 tries that
// needs some) and removes, among its nearest assets, those needing it from bundles where
// at most 3 assets need it: the repair may pay it once instead of in several bundles.
func (w *worker) destroyEquipment() {
	s := w.s
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
		return
	}
	e := eq[w.rng.IntN(len(eq))]
	w.buf = s.c.nearestK(a, 4*w.q(), w.buf[:0])
	for _, b := range w.buf {
		if j := s.assign[b]; j >= 0 && s.equipCnt[int(j)*s.nE+e] <= 3 && hasEquip(s.m.Assets[b].Equip, e) {
			w.take(b)
		}
	}
}

// destroyMoveDepot empties a random bundle and names a free depot that reaches one of
// its assets for the repair: the bundle moves there (or, when that depot is taken, only
// the asset leaves).
func (w *worker) destroyMoveDepot() int {
	s := w.s
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
}

// destroyOpenDepot names a free depot that reaches a random asset and removes up to
// three removal sizes of the assets it reaches (nearest first), to open a bundle there.
func (w *worker) destroyOpenDepot() int {
	s := w.s
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
}

// destroyMunicipality removes every asset of a municipality that breaks individual
// rationality (else of a random asset's), and half the time names a free depot for
// them: a contract of its own.
func (w *worker) destroyMunicipality() int {
	s := w.s
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
	return -1
}

// pickFeature picks one of the fixed charges bundle j pays: a piece of equipment e or,
// when j mixes disciplines, a discipline g, with probability ∝ 1/(assets of j that bring
// it), so rare ones (cheap to move out) come first. It returns e or g (the other −1),
// or −1, −1 when j pays no such charge (then without a draw from the worker's source).
func (w *worker) pickFeature(j int) (e, g int) {
	s := w.s
	wt := w.features.weights
	clear(wt)
	for k := 0; k < s.nE; k++ {
		if c := s.equipCnt[j*s.nE+k]; c > 0 {
			wt[k] = 1 / float64(c)
		}
	}
	if s.nd[j] > 1 {
		for k := 0; k < s.nG; k++ {
			if c := s.discCnt[j*s.nG+k]; c > 0 {
				wt[s.nE+k] = 1 / float64(c)
			}
		}
	}
	switch k := w.features.spin(w.rng); {
	case k < 0:
		return -1, -1
	case k < s.nE:
		return k, -1
	default:
		return -1, k - s.nE
	}
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
	e, g := w.pickFeature(j)
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
	e, g := w.pickFeature(j2)
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
