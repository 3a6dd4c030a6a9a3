package solver

// ShapleyShares splits cost(B) of the assets run from depot j among the municipalities
// that own them, by the closed form of docs/model.md: municipality m with members N(B) pays
//
//	F/|N(B)| + Σ_{e needed by m} M_e/|N_e| + S·(Σ_{g used by m} 1/|N_g| − 1/|N(B)|) + Σ_{a of m} (c_a + τ·d(j,a))
//
// It is the Shapley value of the game in which a coalition pays the cost formula on its
// own assets of the bundle, because every term is additive or a charge paid once by
// whoever needs it. The result maps municipality index → share; the shares add up to
// BundleCost(j, assets).Total.
func ShapleyShares(m *Model, j int, assets []int) map[int]float64 {
	var s shapleyScratch
	members, shares := s.shares(m, m.Depots[j].At, assets)
	out := make(map[int]float64, len(members))
	for k, mu := range members {
		out[mu] = shares[k]
	}
	return out
}

// ShapleySplitter computes the same shares as ShapleyShares over and over without
// allocating, for callers that split many bundles (an optimizer checking individual
// rationality). One splitter per goroutine.
type ShapleySplitter struct {
	m *Model
	s shapleyScratch
}

// NewShapleySplitter returns a splitter for m.
func NewShapleySplitter(m *Model) *ShapleySplitter { return &ShapleySplitter{m: m} }

// Shares returns the municipalities of the bundle (indices, in order of first
// appearance among assets) and their shares of cost(B) from depot j. Both slices belong
// to the splitter and are overwritten by the next call.
func (sp *ShapleySplitter) Shares(j int, assets []int) (munis []int, shares []float64) {
	return sp.s.shares(sp.m, sp.m.Depots[j].At, assets)
}

// shapleyScratch holds the buffers of the closed form, so that Evaluate prices
// thousands of bundles without allocating per asset. Not safe for concurrent use.
type shapleyScratch struct {
	local    []int32 // municipality index → 1 + member position, 0 when not a member
	members  []int
	additive []float64
	needE    []bool // member k needs equipment e: needE[k*len(EquipNames)+e]
	useG     []bool // member k has an asset of discipline g: useG[k*len(Disciplines)+g]
	countE   []int
	countG   []int
	shareBuf []float64
}

// shares returns the members of the bundle (in order of first appearance) and their shares.
// The returned slices are owned by s and overwritten by the next call.
func (s *shapleyScratch) shares(m *Model, at Point, assets []int) ([]int, []float64) {
	nE, nG := len(m.EquipNames), len(m.Disciplines)
	if len(s.local) < len(m.Munis) {
		s.local = make([]int32, len(m.Munis))
	}
	s.members = s.members[:0]
	s.additive = s.additive[:0]
	s.needE = s.needE[:0]
	s.useG = s.useG[:0]
	for _, a := range assets {
		ai := &m.Assets[a]
		if s.local[ai.Muni] == 0 {
			s.members = append(s.members, ai.Muni)
			s.local[ai.Muni] = int32(len(s.members))
			s.additive = append(s.additive, 0)
			for range nE {
				s.needE = append(s.needE, false)
			}
			for range nG {
				s.useG = append(s.useG, false)
			}
		}
		k := int(s.local[ai.Muni]) - 1
		s.additive[k] += ai.Cost + m.Tau*m.Dist(at, ai.At)
		for _, e := range ai.Equip {
			s.needE[k*nE+e] = true
		}
		s.useG[k*nG+ai.Discipline] = true
	}
	n := len(s.members)
	s.countE = resetInts(s.countE, nE)
	s.countG = resetInts(s.countG, nG)
	for k := range n {
		for e := range nE {
			if s.needE[k*nE+e] {
				s.countE[e]++
			}
		}
		for g := range nG {
			if s.useG[k*nG+g] {
				s.countG[g]++
			}
		}
	}
	s.shareBuf = s.shareBuf[:0]
	for k, mu := range s.members {
		sh := m.F / float64(n)
		for e := range nE {
			if s.needE[k*nE+e] {
				sh += m.EquipPrice[e] / float64(s.countE[e])
			}
		}
		var used float64
		for g := range nG {
			if s.useG[k*nG+g] {
				used += 1 / float64(s.countG[g])
			}
		}
		sh += m.Surcharge * (used - 1/float64(n))
		sh += s.additive[k]
		s.shareBuf = append(s.shareBuf, sh)
		s.local[mu] = 0
	}
	return s.members, s.shareBuf
}

func resetInts(xs []int, n int) []int {
	if cap(xs) < n {
		return make([]int, n)
	}
	xs = xs[:n]
	clear(xs)
	return xs
}
