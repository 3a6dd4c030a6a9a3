package solver

// Breakdown is cost(B) of MODEL.md split into its terms:
//
//	cost(B) = F + Σ_{e∈E(B)} M_e + S·(|D(B)|−1) + Σ_{a∈B} (c_a + τ·d(j,a))
//
// Fixed = F, Equipment = Σ M_e, Surcharge = S·(|D(B)|−1), Assets = Σ c_a, Travel = Σ τ·d(j,a).
type Breakdown struct {
	Fixed     float64 `json:"fixed"`
	Equipment float64 `json:"equipment"`
	Surcharge float64 `json:"surcharge"`
	Assets    float64 `json:"assets"`
	Travel    float64 `json:"travel"`
	Total     float64 `json:"total"`
}

// BundleCost is the one implementation of MODEL.md's cost formula: the cost of the
// assets (indices into m.Assets) as one contract run from depot j. Everything that
// prices a bundle, a standalone contract or a coalition calls it or its incremental
// form in the optimizer, which is tested against it.
func (m *Model) BundleCost(j int, assets []int) Breakdown {
	return m.costAt(m.Depots[j].At, assets)
}

// costAt prices assets run from an arbitrary point (a depot, or a municipality's office
// for the standalone baseline).
func (m *Model) costAt(at Point, assets []int) Breakdown {
	var b Breakdown
	if len(assets) == 0 {
		return b
	}
	b.Fixed = m.F
	var equip [64]bool
	var equipMore map[int]bool
	discs := map[int]bool{}
	for _, a := range assets {
		ai := &m.Assets[a]
		b.Assets += ai.Cost
		b.Travel += m.Tau * m.Dist(at, ai.At)
		discs[ai.Discipline] = true
		for _, e := range ai.Equip {
			if e < len(equip) {
				if !equip[e] {
					equip[e] = true
					b.Equipment += m.EquipPrice[e]
				}
				continue
			}
			if equipMore == nil {
				equipMore = map[int]bool{}
			}
			if !equipMore[e] {
				equipMore[e] = true
				b.Equipment += m.EquipPrice[e]
			}
		}
	}
	b.Surcharge = m.Surcharge * float64(len(discs)-1)
	b.Total = b.Fixed + b.Equipment + b.Surcharge + b.Assets + b.Travel
	return b
}
