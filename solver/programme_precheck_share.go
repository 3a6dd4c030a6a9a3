package solver

import (
	"slices"
	"sort"
)

// shareFloor bounds from below the letting and equipment parts of a municipality's year
// shares (docs/programme.md, Shares) that every plan must pay, beyond the direct terms of
// its assets. Two facts make the bound:
//
//   - who can share a charge: a lot in year y holds only municipalities with a programme
//     asset whose window contains y, so a municipality pays at least F/(L·N_y) of the
//     letting cost in each year it has a lot (N_y: how many there are), and at least
//     M_e/n_{e,y} for each lot-year in which it needs equipment e (n_{e,y}: how many
//     have an e-asset whose window contains y);
//   - how many years it needs: two of its assets whose direct terms together exceed its
//     budget in every year both windows share cannot be inspected in one year, so a set
//     of such pairwise clashing assets (found greedily, largest first) needs as many
//     distinct years, each a lot-year of its own with its own letting share (L = 1) and
//     its own mobilisation of every piece of equipment they all need.
//
// The mixing surcharge's shares are left out (a lot of one discipline pays none).
type shareFloor struct {
	p     *Programme
	least []float64
	// munis[k], equip[e][k]: N and n_e for year first_fy+k, as above.
	munis []int
	equip [][]int
	// blockMunis[b]: how many municipalities have a window meeting block b (L > 1).
	blockMunis []int
}

// shareFloorResult is one municipality's floor over first_fy … Y.
type shareFloorResult struct {
	letting, equipment  float64
	lots, mobilisations int
}

func (p *Programme) newShareFloor(least []float64) *shareFloor {
	f := &shareFloor{p: p, least: least, munis: make([]int, p.Years), equip: make([][]int, len(p.EquipPrice)),
		blockMunis: make([]int, p.Years/p.ContractYears)}
	for e := range f.equip {
		f.equip[e] = make([]int, p.Years)
	}
	// seen[mu] and seenE[e][mu] mark, per year, the municipalities already counted.
	type key struct{ mu, e, k int }
	seen := map[key]bool{}
	count := func(kk key, n *int) {
		if !seen[kk] {
			seen[kk] = true
			*n++
		}
	}
	for _, a := range p.Planned {
		mu := p.Assets[a].Muni
		lo, hi := p.Window(a)
		for y := lo; y <= hi; y++ {
			k := y - p.FirstFY
			count(key{mu, -1, k}, &f.munis[k])
			for _, e := range p.Assets[a].Equip {
				count(key{mu, e, k}, &f.equip[e][k])
			}
			count(key{mu, -2, k / p.ContractYears}, &f.blockMunis[k/p.ContractYears])
		}
	}
	return f
}

// of is the floor for municipality mu's assets due by FY Y, under its yearly budgets caps.
func (f *shareFloor) of(mu, Y int, caps []float64) shareFloorResult {
	p := f.p
	var assets []int
	for _, a := range p.Planned {
		if p.Assets[a].Muni == mu && p.Due[a] <= Y {
			assets = append(assets, a)
		}
	}
	var r shareFloorResult
	if len(assets) == 0 {
		return r
	}
	// Largest direct term first (then instance order), so the greedy set is stable.
	sort.SliceStable(assets, func(i, j int) bool { return f.least[assets[i]] > f.least[assets[j]] })
	last := Y - p.FirstFY // the years first_fy … Y by offset
	L := p.ContractYears
	if L == 1 {
		years := f.clique(assets, caps)
		r.lots = years
		r.letting = smallest(years, last, func(k int) float64 { return p.F / float64(f.munis[k]) })
	} else {
		// One lot at least, in a block that starts by Y; its letting share is spread
		// evenly over the block's years, of which only those up to Y count here.
		r.lots, r.letting = 1, -1 // −1 until a block is seen
		for b := 0; b*L <= last; b++ {
			inside := min(last, (b+1)*L-1) - b*L + 1
			if f.blockMunis[b] == 0 {
				continue // no window meets the block: none of the assets is there
			}
			if x := float64(inside) * p.F / float64(L*f.blockMunis[b]); r.letting < 0 || x < r.letting {
				r.letting = x
			}
		}
		r.letting = max(0, r.letting)
	}
	for e, price := range p.EquipPrice {
		var need []int
		for _, a := range assets {
			if slices.Contains(p.Assets[a].Equip, e) {
				need = append(need, a)
			}
		}
		if len(need) == 0 {
			continue
		}
		n := f.clique(need, caps)
		r.mobilisations += n
		r.equipment += smallest(n, last, func(k int) float64 { return price / float64(f.equip[e][k]) })
	}
	return r
}

// clique is the size of a set of the assets (sorted, largest direct term first) no two
// of which can share a year: in every year of both windows their direct terms together
// exceed the budget. Greedy, so a lower bound on the years the assets need.
func (f *shareFloor) clique(assets []int, caps []float64) int {
	var in []int
	for _, a := range assets {
		if !slices.ContainsFunc(in, func(b int) bool { return !f.clash(a, b, caps) }) {
			in = append(in, a)
		}
	}
	return len(in)
}

// clash reports whether a and b cannot be inspected in one year within the budgets.
func (f *shareFloor) clash(a, b int, caps []float64) bool {
	loA, hiA := f.p.Window(a)
	loB, hiB := f.p.Window(b)
	for y := max(loA, loB); y <= min(hiA, hiB); y++ {
		if !valueAbove(f.least[a]+f.least[b], caps[y-f.p.FirstFY]) {
			return false
		}
	}
	return true
}

// smallest sums the n smallest of share(k) over the year offsets 0 … last: n distinct
// years each pay at least their own share. A year no one can share (+Inf: no window
// contains it) holds none of the assets and is skipped.
func smallest(n, last int, share func(k int) float64) float64 {
	xs := make([]float64, 0, last+1)
	for k := 0; k <= last; k++ {
		if x := share(k); finite(x) {
			xs = append(xs, x)
		}
	}
	slices.Sort(xs)
	total := 0.0
	for _, x := range xs[:min(n, len(xs))] {
		total += x
	}
	return total
}
