package solver

// StandaloneCosts is docs/model.md's baseline: for every participating municipality that owns
// assets, what it pays going alone — one contract per discipline present among its
// assets, run from its own office, priced by the cost formula with no limit applied.
// The result maps municipality index → standalone cost.
func StandaloneCosts(m *Model) map[int]float64 {
	out := map[int]float64{}
	m.standalone(func(mu int, _ int, b Breakdown) { out[mu] += b.Total })
	return out
}

// StandaloneContracts lists the contracts of the baseline, one per participating
// municipality and discipline present among its assets, in municipality then
// discipline order.
func StandaloneContracts(m *Model) []StandaloneContract {
	var out []StandaloneContract
	m.standalone(func(mu, g int, b Breakdown) {
		out = append(out, StandaloneContract{Municipality: m.Munis[mu].Code, Discipline: m.Disciplines[g], Breakdown: b})
	})
	return out
}

// StandaloneContract is one contract of the baseline.
type StandaloneContract struct {
	Municipality string    `json:"municipality"`
	Discipline   string    `json:"discipline"`
	Breakdown    Breakdown `json:"breakdown"`
}

// standalone calls fn for every (municipality, discipline) contract of the baseline in
// municipality then discipline order.
func (m *Model) standalone(fn func(mu, g int, b Breakdown)) { m.standaloneOf(m.Participating, fn) }

// standaloneOf prices the assets (indices) as the baseline does: one contract per
// municipality and discipline, from the municipality's office. The programme's baseline
// calls it once per due year. Assets are bucketed by a counting sort, not maps.
func (m *Model) standaloneOf(assets []int, fn func(mu, g int, b Breakdown)) {
	nG := len(m.Disciplines)
	start := make([]int, len(m.Munis)*nG+1)
	for _, a := range assets {
		ai := &m.Assets[a]
		start[ai.Muni*nG+ai.Discipline+1]++
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	sorted := make([]int, len(assets))
	next := append([]int(nil), start[:len(start)-1]...)
	for _, a := range assets {
		ai := &m.Assets[a]
		key := ai.Muni*nG + ai.Discipline
		sorted[next[key]] = a
		next[key]++
	}
	for key := 0; key+1 < len(start); key++ {
		if start[key] == start[key+1] {
			continue
		}
		mu, g := key/nG, key%nG
		fn(mu, g, m.costAt(m.Munis[mu].Office, sorted[start[key]:start[key+1]]))
	}
}
