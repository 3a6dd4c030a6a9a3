package solver

// Local search on the penalised objective cost + λ·violation with incremental deltas.
// Every move keeps the hard rules (reach, mixing, region lock); deltas come from the
// state's sums, never from re-pricing a whole bundle.

const improveEps = 1e-6

// relocate moves asset a to its best open depot if that lowers the penalised objective.
func relocate(s *state, a int, lambda float64) bool {
	j1 := int(s.assign[a])
	if j1 < 0 {
		return false
	}
	rc, rv := s.deltaRemove(a)
	bestJ, best, bestT := -1, -improveEps, 0.0
	for _, d := range s.c.reach[a] {
		j := int(d.j)
		if j == j1 || s.n[j] == 0 {
			continue
		}
		t, ok := s.allowed(a, j)
		if !ok {
			continue
		}
		// With a leaving j1, "allowed" at j1 is unaffected; at j ≠ j1 it is exact.
		dc, dv := s.deltaAdd(a, j, t)
		if v := rc + dc + lambda*(rv+dv); v < best {
			bestJ, best, bestT = j, v, t
		}
	}
	if bestJ < 0 {
		return false
	}
	s.remove(a)
	s.add(a, bestJ, bestT)
	return true
}

// swap exchanges a with one of its nearest neighbours in another bundle if that lowers
// the penalised objective. The delta is computed without touching the state.
func swap(s *state, a int, lambda float64, k int) bool {
	ja := int(s.assign[a])
	if ja < 0 {
		return false
	}
	m := s.m
	aa := &m.Assets[a]
	near := s.c.near[a]
	if len(near) > k {
		near = near[:k]
	}
	for _, b32 := range near {
		b := int(b32)
		jb := int(s.assign[b])
		if jb < 0 || jb == ja {
			continue
		}
		ab := &m.Assets[b]
		// Mixing and region lock: exchanging like for like keeps both bundles as they are
		// (conservative: a lone asset of another discipline or region is moved by relocate).
		if !m.MixAllowed && aa.Discipline != ab.Discipline {
			continue
		}
		if m.RegionLocked && m.Munis[aa.Muni].Region != m.Munis[ab.Muni].Region {
			continue
		}
		ta, ok := s.c.term(s.J, jb, a)
		if !ok {
			continue
		}
		tb, ok := s.c.term(s.J, ja, b)
		if !ok {
			continue
		}
		dc1, dv1 := s.deltaReplace(ja, a, b, tb)
		dc2, dv2 := s.deltaReplace(jb, b, a, ta)
		if dc1+dc2+lambda*(dv1+dv2) < -improveEps {
			s.remove(a)
			s.remove(b)
			s.add(a, jb, ta)
			s.add(b, ja, tb)
			return true
		}
	}
	return false
}

// improve runs relocate and swap passes over the focus assets until none improves (at
// most maxPass passes). It returns whether anything changed.
func improve(s *state, focus []int, lambda float64, maxPass int) bool {
	changed := false
	for pass := 0; pass < maxPass; pass++ {
		any := false
		for _, a := range focus {
			if relocate(s, a, lambda) {
				any = true
			}
		}
		for _, a := range focus {
			if swap(s, a, lambda, 6) {
				any = true
			}
		}
		if !any {
			break
		}
		changed = true
	}
	return changed
}

// dissolve closes bundle j, moving each of its assets to its best other bundle, and
// keeps the result if the penalised objective falls. It is the move that fixes a bundle
// under min_value, where taking assets out one at a time only deepens the shortfall.
// members is scratch space; it returns whether the bundle was dissolved.
func dissolve(s *state, j int, lambda float64, members []int) bool {
	members = members[:0]
	for _, a := range s.c.byDepot[j] {
		if int(s.assign[a]) == j {
			members = append(members, int(a))
		}
	}
	if len(members) == 0 {
		return false
	}
	before := s.cost + lambda*s.viol
	placed := 0
	for _, a := range members {
		s.remove(a)
		if !insertBestExcept(s, a, lambda, false, j) {
			break
		}
		placed++
	}
	if placed == len(members) && s.cost+lambda*s.viol < before-improveEps {
		return true
	}
	for _, a := range members {
		t, _ := s.c.term(s.J, j, a)
		if s.assign[a] >= 0 {
			s.remove(a)
		}
		s.add(a, j, t)
	}
	return false
}

// repairAll drives a plan towards feasibility: relocate/swap over every bundle that
// breaks a limit and over the running bundles its assets can reach (so that an excess
// can pass along a chain), and dissolving bundles under min_value, with a rising
// penalty weight.
func repairAll(s *state) {
	var focus, scratch []int
	seen := make([]bool, s.J)
	var marked []int
	mark := func(j int) {
		if !seen[j] {
			seen[j] = true
			marked = append(marked, j)
		}
	}
	for _, lam := range []float64{10, 100, 1000} {
		for round := 0; round < 20 && s.viol > 1e-3; round++ {
			changed := false
			marked = marked[:0]
			for j := 0; j < s.J; j++ {
				if s.n[j] == 0 || s.bundleViolation(j) <= 1e-3 {
					continue
				}
				if s.bundleCost(j) < s.m.MinValue && dissolve(s, j, lam, scratch) {
					changed = true
					continue
				}
				if s.bundleCost(j) > s.m.MaxValue && openRelief(s, j, lam) {
					changed = true
				}
				mark(j)
				for _, a := range s.c.byDepot[j] {
					if int(s.assign[a]) == j {
						for _, d := range s.c.reach[a] {
							if s.n[d.j] > 0 {
								mark(int(d.j))
							}
						}
					}
				}
			}
			focus = focus[:0]
			for _, j := range marked {
				seen[j] = false
				for _, a := range s.c.byDepot[j] {
					if int(s.assign[a]) == j {
						focus = append(focus, int(a))
					}
				}
			}
			if improve(s, focus, lam, 2) {
				changed = true
			}
			if !changed {
				break
			}
		}
	}
}

// openRelief opens a free depot next to over-full bundle j and moves into it, nearest
// first, assets of over-full bundles that it can take within the limits. It keeps the
// new bundle if the penalised objective falls and reports whether it did.
func openRelief(s *state, j int, lambda float64) bool {
	tried := 0
	for _, a := range s.c.byDepot[j] {
		if int(s.assign[a]) != j {
			continue
		}
		for _, d := range s.c.reach[a] {
			k := int(d.j)
			if s.n[k] != 0 {
				continue
			}
			if tried++; tried > 6 {
				return false
			}
			before := s.cost + lambda*s.viol
			var moved []int
			var from []int32
			for _, b := range s.c.byDepot[k] {
				jb := s.assign[b]
				if jb < 0 || s.bundleCost(int(jb)) <= s.m.MaxValue && s.work[jb] <= s.m.MaxWorkload && int(s.n[jb]) <= s.m.MaxAssets {
					continue
				}
				t, ok := s.allowed(int(b), k)
				if !ok {
					continue
				}
				if dc, dv := s.deltaAdd(int(b), k, t); s.n[k] > 0 && (s.bundleCost(k)+dc > s.m.MaxValue || dv > 0 && s.bundleCost(k) >= s.m.MinValue) {
					continue
				}
				from = append(from, jb)
				moved = append(moved, int(b))
				s.remove(int(b))
				s.add(int(b), k, t)
			}
			if len(moved) > 0 && s.cost+lambda*s.viol < before-improveEps {
				return true
			}
			for i := len(moved) - 1; i >= 0; i-- {
				s.move(moved[i], int(from[i]))
			}
		}
	}
	return false
}
