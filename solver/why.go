package solver

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// AssetWhy explains where a plan puts one asset: what its place costs, what every other
// lot of the plan would cost instead, and the rules that keep it out of the others. Every
// number comes from Evaluate and BundleCost, the one cost formula.
type AssetWhy struct {
	Asset        string  `json:"asset"`
	Municipality string  `json:"municipality"`
	Lot          string  `json:"lot"` // "" when the plan puts it in no lot
	Depot        string  `json:"depot"`
	DistanceKm   float64 `json:"distance_km"` // d(depot, asset)
	// CostHere is what the asset adds to its lot, cost(B) − cost(B ∖ a): its own cost,
	// its travel, and the equipment and surcharge only it brings.
	CostHere float64 `json:"cost_here"`
	// Options holds every other lot: first those it could join without breaking a rule
	// the plan keeps, cheapest first, then the others, each with the rules it would break.
	Options []LotOption `json:"options"`
}

// LotOption is one other lot an asset could be moved to.
type LotOption struct {
	Lot        string  `json:"lot"`
	Depot      string  `json:"depot"`
	DistanceKm float64 `json:"distance_km"`
	// Delta is the plan's cost change if the asset moved there: Evaluate(after).Cost −
	// Evaluate(before).Cost.
	Delta   float64 `json:"delta"`
	Allowed bool    `json:"allowed"`
	// Rules are the short names of the rules the move would break (in the order
	// Evaluate reports them, without repeats); Violations the evaluator's full reports.
	Rules      []string    `json:"rules"`
	Violations []Violation `json:"violations"`
}

// WhyAsset explains asset id's place in plan p (which must hold it in at most one lot
// for the explanation to be meaningful; a second listing is ignored).
func WhyAsset(m *Model, p *Plan, id string) (*AssetWhy, error) {
	a, ok := m.AssetIndex[id]
	if !ok {
		return nil, fmt.Errorf("asset %q is not in the plan's instance", id)
	}
	ai := &m.Assets[a]
	w := &AssetWhy{Asset: id, Municipality: m.Munis[ai.Muni].Code, Options: []LotOption{}}
	home := -1
	for bi, b := range p.Bundles {
		for _, x := range b.Assets {
			if x == id {
				home = bi
				break
			}
		}
		if home >= 0 {
			break
		}
	}
	if home >= 0 {
		b := p.Bundles[home]
		w.Lot, w.Depot = b.ID, b.Depot
		if j, ok := m.DepotIndex[b.Depot]; ok {
			w.DistanceKm = m.DepotAssetDist(j, a)
			idx := m.knownAssets(b.Assets)
			w.CostHere = m.BundleCost(j, idx).Total - m.BundleCost(j, allBut(nil, idx, a)).Total
		}
	}
	before := Evaluate(m, p)
	for bi, b := range p.Bundles {
		if bi == home {
			continue
		}
		moved, err := ApplyMoves(m, p, []Move{{Asset: id, ToLot: b.ID}})
		if err != nil {
			return nil, fmt.Errorf("move %s to lot %s: %w", id, b.ID, err)
		}
		me := compareEvaluations(m, moved, before, Evaluate(m, moved))
		opt := LotOption{Lot: b.ID, Depot: b.Depot, Delta: me.Delta, Allowed: len(me.NewViolations) == 0,
			Rules: []string{}, Violations: me.NewViolations}
		if j, ok := m.DepotIndex[b.Depot]; ok {
			opt.DistanceKm = m.DepotAssetDist(j, a)
		}
		for _, v := range me.NewViolations {
			if !slices.Contains(opt.Rules, v.Rule) {
				opt.Rules = append(opt.Rules, v.Rule)
			}
		}
		w.Options = append(w.Options, opt)
	}
	sort.SliceStable(w.Options, func(i, k int) bool {
		oi, ok := w.Options[i], w.Options[k]
		if oi.Allowed != ok.Allowed {
			return oi.Allowed
		}
		return oi.Delta < ok.Delta
	})
	return w, nil
}

// knownAssets are the indices of the ids the model knows, in order.
func (m *Model) knownAssets(ids []string) []int {
	idx := make([]int, 0, len(ids))
	for _, id := range ids {
		if a, ok := m.AssetIndex[id]; ok {
			idx = append(idx, a)
		}
	}
	return idx
}

// allBut writes idx without a into buf (reused) and returns it: B ∖ a.
func allBut(buf, idx []int, a int) []int {
	buf = buf[:0]
	for _, x := range idx {
		if x != a {
			buf = append(buf, x)
		}
	}
	return buf
}

// LotWhy explains one lot of a plan: its cost by the terms of the formula, how close it
// is to each limit, the rules it breaks, and the assets that cost most to keep in it.
type LotWhy struct {
	Lot        string    `json:"lot"`
	Depot      string    `json:"depot"`
	Breakdown  Breakdown `json:"breakdown"`
	Workload   float64   `json:"workload"`
	AssetCount int       `json:"asset_count"`
	// MaxDistanceKm is the farthest asset's distance from the depot.
	MaxDistanceKm float64   `json:"max_distance_km"`
	Limits        LotLimits `json:"limits"`
	// Violations are the rules Evaluate finds this lot breaking.
	Violations []Violation `json:"violations"`
	// Costliest are the assets with the largest cost(B) − cost(B ∖ a), at most
	// WhyLotAssets of them, costliest first.
	Costliest []AssetCost `json:"costliest"`
}

// LotLimits are the limits of docs/model.md a lot is held to; null when the instance
// leaves one open.
type LotLimits struct {
	MinValue      float64  `json:"min_value"`
	MaxValue      *float64 `json:"max_value"`
	MaxWorkload   *float64 `json:"max_workload"`
	MaxAssets     *int     `json:"max_assets"`
	MaxDistanceKm *float64 `json:"max_distance_km"`
}

// AssetCost is what one asset adds to its lot: Cost = cost(B) − cost(B ∖ a) = Own (c_a)
// + Travel (τ·d) + Shared (the equipment and discipline surcharge no other asset of the
// lot needs).
type AssetCost struct {
	Asset        string  `json:"asset"`
	Municipality string  `json:"municipality"`
	DistanceKm   float64 `json:"distance_km"`
	Cost         float64 `json:"cost"`
	Own          float64 `json:"own"`
	Travel       float64 `json:"travel"`
	Alone        float64 `json:"alone"` // equipment and surcharge only this asset brings
}

// WhyLotAssets is how many of a lot's costliest assets WhyLot lists.
const WhyLotAssets = 10

// WhyLot explains the lot with id lot of plan p.
func WhyLot(m *Model, p *Plan, lot string) (*LotWhy, error) {
	bi := -1
	for i, b := range p.Bundles {
		if b.ID == lot {
			bi = i
			break
		}
	}
	if bi < 0 {
		return nil, fmt.Errorf("lot %q is not in the plan (its lots: %s)", lot, lotIDs(p.Bundles))
	}
	b := p.Bundles[bi]
	ev := Evaluate(m, p)
	rep := ev.Bundles[bi]
	w := &LotWhy{Lot: b.ID, Depot: b.Depot, Breakdown: rep.Breakdown, Workload: rep.Workload, AssetCount: rep.AssetCount,
		MaxDistanceKm: rep.MaxDistanceKm, Violations: []Violation{}, Costliest: []AssetCost{},
		Limits: LotLimits{MinValue: m.MinValue, MaxValue: Finite(m.MaxValue), MaxWorkload: Finite(m.MaxWorkload),
			MaxDistanceKm: Finite(m.MaxDistanceKm)}}
	if m.MaxAssets < int(^uint(0)>>1) {
		n := m.MaxAssets
		w.Limits.MaxAssets = &n
	}
	name := b.ID
	if name == "" {
		name = fmt.Sprintf("bundles[%d]", bi)
	}
	for _, v := range ev.Violations {
		if v.Bundle == name {
			w.Violations = append(w.Violations, v)
		}
	}
	j, ok := m.DepotIndex[b.Depot]
	if !ok {
		return w, nil
	}
	idx := m.knownAssets(b.Assets)
	var rest []int
	for _, a := range idx {
		ai := &m.Assets[a]
		d := m.DepotAssetDist(j, a)
		rest = allBut(rest, idx, a)
		c := rep.Breakdown.Total - m.BundleCost(j, rest).Total
		travel := m.Tau * d
		// What is left of c after its own cost and travel is equipment and surcharge, a sum of
		// prices; rounding leaves a few 1e-10 yen where there is none.
		alone := c - ai.Cost - travel
		if math.Abs(alone) < 1e-6 {
			alone = 0
		}
		w.Costliest = append(w.Costliest, AssetCost{Asset: ai.ID, Municipality: m.Munis[ai.Muni].Code, DistanceKm: d,
			Cost: c, Own: ai.Cost, Travel: travel, Alone: alone})
	}
	sort.SliceStable(w.Costliest, func(i, k int) bool { return w.Costliest[i].Cost > w.Costliest[k].Cost })
	if len(w.Costliest) > WhyLotAssets {
		w.Costliest = w.Costliest[:WhyLotAssets]
	}
	return w, nil
}
