package solver

import "math/rand/v2"

// irPenalty measures how far a plan is from individual rationality: Σ over
// municipalities of max(0, share − standalone), shares by the closed form of
// ShapleyShares (its allocation-free scratch) on every bundle
// and standalone costs by StandaloneCosts. It is recomputed from the assignment (O(n))
// because a share depends on every member of a bundle.
type irPenalty struct {
	m          *Model
	standalone []float64 // municipality → standalone cost
	muniAssets [][]int   // municipality → its participating assets
	share      []float64
	violators  []int
	members    [][]int
	scratch    shapleyScratch
}

func newIRPenalty(m *Model) *irPenalty {
	p := &irPenalty{m: m, standalone: make([]float64, len(m.Munis)), muniAssets: make([][]int, len(m.Munis)),
		share: make([]float64, len(m.Munis))}
	for mu, c := range StandaloneCosts(m) {
		p.standalone[mu] = c
	}
	for _, a := range m.Participating {
		mu := m.Assets[a].Muni
		p.muniAssets[mu] = append(p.muniAssets[mu], a)
	}
	return p
}

// excess returns Σ_m max(0, share_m − standalone_m) (beyond the evaluator's relative
// tolerance) and records the violators.
func (p *irPenalty) excess(s *state) float64 {
	clear(p.share)
	if len(p.members) != s.J {
		p.members = make([][]int, s.J)
	}
	for j := range p.members {
		p.members[j] = p.members[j][:0]
	}
	for _, a := range p.m.Participating {
		if j := s.assign[a]; j >= 0 {
			p.members[j] = append(p.members[j], a)
		}
	}
	for j, as := range p.members {
		if len(as) == 0 {
			continue
		}
		mus, shares := p.scratch.shares(p.m, p.m.Depots[j].At, as)
		for k, mu := range mus {
			p.share[mu] += shares[k]
		}
	}
	p.violators = p.violators[:0]
	total := 0.0
	for mu, sh := range p.share {
		if len(p.muniAssets[mu]) == 0 {
			continue
		}
		if x := sh - p.standalone[mu]; x > irRelEps*max(1, p.standalone[mu]) {
			total += x
			p.violators = append(p.violators, mu)
		}
	}
	return total
}

// randomViolator returns a municipality that broke IR at the last excess call, or -1.
func (p *irPenalty) randomViolator(r *rand.Rand) int {
	if len(p.violators) == 0 {
		return -1
	}
	return p.violators[r.IntN(len(p.violators))]
}
