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
// the penalised objective.
func swap(s *state, a int, lambda float64, k int) bool {
	ja := int(s.assign[a])
	if ja < 0 {
		return false
	}
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
		if _, ok := s.c.term(s.J, jb, a); !ok {
			continue
		}
		if _, ok := s.c.term(s.J, ja, b); !ok {
			continue
		}
		before := s.cost + lambda*s.viol
		s.remove(a)
		s.remove(b)
		ta, okA := s.allowed(a, jb)
		tb, okB := s.allowed(b, ja)
		if okA && okB {
			s.add(a, jb, ta)
			s.add(b, ja, tb)
			if s.cost+lambda*s.viol < before-improveEps {
				return true
			}
			s.remove(a)
			s.remove(b)
		}
		t1, _ := s.c.term(s.J, ja, a)
		s.add(a, ja, t1)
		t2, _ := s.c.term(s.J, jb, b)
		s.add(b, jb, t2)
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
