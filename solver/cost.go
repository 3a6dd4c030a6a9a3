package solver

// Breakdown is cost(B) of docs/model.md split into its terms:
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

// BundleCost is the one implementation of docs/model.md's cost formula: the cost of the
// assets (indices into m.Assets) as one contract run from depot j. Everything that
// prices a bundle, a standalone contract or a coalition calls it (or CostFrom, the
// same formula run from an arbitrary point); the optimizer's incremental form is
// tested against it. No limit is applied here. An empty bundle costs nothing.
func (m *Model) BundleCost(j int, assets []int) Breakdown {
	return m.costAt(m.Depots[j].At, assets)
}

// CostFrom is the cost formula for assets run from an arbitrary point: a depot, or a
// municipality's office for the standalone baseline.
func (m *Model) CostFrom(at Point, assets []int) Breakdown { return m.costAt(at, assets) }

// costAt is the formula itself. Equipment and disciplines are tracked in bit sets while
// they fit in 64 bits, so pricing a bundle allocates nothing on ordinary instances.
func (m *Model) costAt(at Point, assets []int) Breakdown {
	var b Breakdown
	if len(assets) == 0 {
		return b
	}
	b.Fixed = m.F
	var equip, discs uint64
	var equipMore, discsMore []bool // only for instances with more than 64 of either
	nDiscs := 0
	for _, a := range assets {
		ai := &m.Assets[a]
		b.Assets += ai.Cost
		b.Travel += m.Tau * m.Dist(at, ai.At)
		if g := ai.Discipline; g < 64 {
			if discs&(1<<g) == 0 {
				discs |= 1 << g
				nDiscs++
			}
		} else {
			if discsMore == nil {
				discsMore = make([]bool, len(m.Disciplines))
			}
			if !discsMore[g] {
				discsMore[g] = true
				nDiscs++
			}
		}
		for _, e := range ai.Equip {
			if e < 64 {
				if equip&(1<<e) == 0 {
					equip |= 1 << e
					b.Equipment += m.EquipPrice[e]
				}
				continue
			}
			if equipMore == nil {
				equipMore = make([]bool, len(m.EquipNames))
			}
			if !equipMore[e] {
				equipMore[e] = true
				b.Equipment += m.EquipPrice[e]
			}
		}
	}
	b.Surcharge = m.Surcharge * float64(nDiscs-1)
	b.Total = b.Fixed + b.Equipment + b.Surcharge + b.Assets + b.Travel
	return b
}
