package solver

import (
	"fmt"
	"sort"
	"strings"
)

// Evaluation is the verdict on a plan under docs/model.md.
type Evaluation struct {
	Feasible   bool        `json:"feasible"`
	Violations []Violation `json:"violations"` // every broken rule
	// Cost is Σ cost(B) over the bundles that can be priced (a known depot and at least
	// one known asset), as the referee counts it.
	Cost    float64        `json:"cost"`
	Bundles []BundleReport `json:"bundles"` // one per plan bundle, in plan order
	// Standalone maps municipality code → standalone cost, for participating
	// municipalities that own assets.
	Standalone      map[string]float64 `json:"standalone"`
	StandaloneTotal float64            `json:"standalone_total"`
	Saving          float64            `json:"saving"`     // StandaloneTotal − Cost
	SavingPct       float64            `json:"saving_pct"` // 100 · Saving / StandaloneTotal (0 when there is no baseline)
	// Shares maps municipality code → Σ of its Shapley shares over the bundles it is in.
	Shares map[string]float64 `json:"shares"`
	// IRViolations lists, sorted, the codes of municipalities whose share exceeds their
	// standalone cost (relative tolerance 1e-9). Always reported; a violation of the plan
	// only when require_individual_rationality is set.
	IRViolations []string `json:"ir_violations"`
	// Pins reports, for every pin of the instance (none: empty), whether the plan holds
	// it; a pin not held is also a violation (rule pin).
	Pins []PinReport `json:"pins"`
	// ProgrammeReport holds what a version-2 (programme) evaluation adds: years[],
	// budgets[], lots[] at the top level of the JSON. Nil in version 1.
	*ProgrammeReport
}

// Violation is one broken rule of docs/model.md. Rule is a short stable name: coverage,
// duplicate, unknown_asset, non_participating, unknown_depot, depot_reused,
// empty_bundle, min_value, max_value, max_workload, max_assets, max_distance,
// mixed_discipline, region_lock, individual_rationality, pin.
type Violation struct {
	Rule         string `json:"rule"`
	Bundle       string `json:"bundle,omitempty"`
	Asset        string `json:"asset,omitempty"`
	Municipality string `json:"municipality,omitempty"`
	Year         int    `json:"year,omitempty"` // the fiscal year a programme rule concerns
	// Count is how many assets the violation concerns when it groups several
	// (coverage, max_distance); Asset then names the first.
	Count   int    `json:"count,omitempty"`
	Message string `json:"message"`
}

// BundleReport describes one bundle of the plan as priced by the model.
type BundleReport struct {
	ID    string `json:"id"`
	Depot string `json:"depot"`
	// Assets are the bundle's known asset ids, in plan order.
	Assets         []string           `json:"assets"`
	Breakdown      Breakdown          `json:"breakdown"`
	Workload       float64            `json:"workload"`
	AssetCount     int                `json:"asset_count"`
	MaxDistanceKm  float64            `json:"max_distance_km"`
	Municipalities []string           `json:"municipalities"` // codes, sorted
	Disciplines    []string           `json:"disciplines"`    // sorted
	Regions        []string           `json:"regions"`        // regions of its municipalities, sorted
	Shares         map[string]float64 `json:"shares"`         // municipality code → Shapley share
	// Priced is false when the bundle names an unknown depot or holds no known asset:
	// it then adds nothing to the plan's cost.
	Priced bool `json:"priced"`
}

// Tolerances of the rules, the same as the referee's: a value limit is broken by more
// than valueEps·max(1, cost); workload and distance limits by more than limitEps;
// individual rationality by more than irRelEps relative.
const (
	valueEps = 1e-6
	limitEps = 1e-9
	irRelEps = 1e-9
)

// valueBelow reports whether cost c breaks min_value v (c < v − eps).
func valueBelow(c, v float64) bool { return c < v-valueEps*max(1, c) }

// valueAbove reports whether cost c breaks max_value v (c > v + eps).
func valueAbove(c, v float64) bool { return c > v+valueEps*max(1, c) }

// Evaluate judges a plan by docs/model.md alone; it never fails: bad references become
// violations. It agrees with the independent referee (its verdicts are recorded in
// testdata/referee) on cost, baseline, saving, feasibility and the number of
// individual-rationality violations for every plan, including broken ones: a bundle
// with an unknown depot or without a known asset adds no cost, and an asset listed in
// two bundles is priced in both.
func Evaluate(m *Model, p *Plan) *Evaluation {
	ev := &Evaluation{Violations: []Violation{}, Bundles: make([]BundleReport, 0, len(p.Bundles)),
		Standalone: map[string]float64{}, Shares: map[string]float64{}, IRViolations: []string{}}
	owner := make([]int32, len(m.Assets)) // 1 + index of the first bundle listing the asset
	depotHost := make([]int32, len(m.Depots))
	share := make([]float64, len(m.Munis))
	inBundle := make([]bool, len(m.Munis))
	discSeen := make([]bool, len(m.Disciplines))
	regionSeen := make([]bool, len(m.Regions))
	var scratch shapleyScratch
	var idx []int
	// at[a] is the depot of the last bundle with a known depot that lists asset a, as
	// the referee reads a plan for its pins; only kept when there are pins.
	var at []int32
	if m.pins != nil {
		at = make([]int32, len(m.Assets))
		for i := range at {
			at[i] = -1
		}
	}
	add := func(v Violation) { ev.Violations = append(ev.Violations, v) }
	bundleName := func(bi int) string {
		if id := p.Bundles[bi].ID; id != "" {
			return id
		}
		return fmt.Sprintf("bundles[%d]", bi)
	}

	for bi := range p.Bundles {
		b := &p.Bundles[bi]
		name := bundleName(bi)
		rep := BundleReport{ID: b.ID, Depot: b.Depot, Municipalities: []string{}, Disciplines: []string{},
			Regions: []string{}, Shares: map[string]float64{}}
		j, depotOK := m.DepotIndex[b.Depot]
		switch {
		case !depotOK:
			add(Violation{Rule: "unknown_depot", Bundle: name,
				Message: fmt.Sprintf("bundle %s: depot %q is not among the instance's depots", name, b.Depot)})
		case depotHost[j] != 0:
			add(Violation{Rule: "depot_reused", Bundle: name,
				Message: fmt.Sprintf("bundle %s: depot %q already hosts bundle %s (a depot hosts at most one bundle)",
					name, b.Depot, bundleName(int(depotHost[j])-1))})
		default:
			depotHost[j] = int32(bi + 1)
		}
		idx = idx[:0]
		allKnown := true
		for _, id := range b.Assets {
			a, ok := m.planAsset(id, bi, "bundle", owner, bundleName, add)
			if !ok {
				allKnown = false
				continue
			}
			if mu := &m.Munis[m.Assets[a].Muni]; !mu.Participates {
				add(Violation{Rule: "non_participating", Bundle: name, Asset: id, Municipality: mu.Code,
					Message: fmt.Sprintf("bundle %s: asset %s belongs to %s, which does not participate", name, id, mu.Code)})
			}
			idx = append(idx, a)
			if at != nil && depotOK {
				at[a] = int32(j)
			}
		}
		// A copy: the report must not change when the caller reuses the plan's slices.
		if allKnown {
			rep.Assets = append([]string{}, b.Assets...)
		} else {
			rep.Assets = make([]string, len(idx))
			for k, a := range idx {
				rep.Assets[k] = m.Assets[a].ID
			}
		}
		rep.AssetCount = len(idx)
		if len(idx) == 0 {
			add(Violation{Rule: "empty_bundle", Bundle: name,
				Message: fmt.Sprintf("bundle %s holds no known asset", name)})
		}
		if !depotOK || len(idx) == 0 {
			ev.Bundles = append(ev.Bundles, rep)
			continue
		}
		rep.Priced = true
		rep.Breakdown = m.BundleCost(j, idx)
		c := rep.Breakdown.Total
		ev.Cost += c
		if valueBelow(c, m.MinValue) {
			add(Violation{Rule: "min_value", Bundle: name,
				Message: fmt.Sprintf("bundle %s: cost %s is below min_value %s", name, FormatYen(c), FormatYen(m.MinValue))})
		}
		if valueAbove(c, m.MaxValue) {
			add(Violation{Rule: "max_value", Bundle: name,
				Message: fmt.Sprintf("bundle %s: cost %s is above max_value %s", name, FormatYen(c), FormatYen(m.MaxValue))})
		}
		for _, a := range idx {
			rep.Workload += m.Assets[a].Workload
		}
		if rep.Workload > m.MaxWorkload+limitEps {
			add(Violation{Rule: "max_workload", Bundle: name,
				Message: fmt.Sprintf("bundle %s: workload %.2f person-days exceeds max_workload %g", name, rep.Workload, m.MaxWorkload)})
		}
		if len(idx) > m.MaxAssets {
			add(Violation{Rule: "max_assets", Bundle: name,
				Message: fmt.Sprintf("bundle %s: %d assets exceed max_assets %d", name, len(idx), m.MaxAssets)})
		}
		m.checkWhole(&rep, j, idx, "bundle", name, discSeen, regionSeen, add)
		at := m.Depots[j].At
		members, shares := scratch.shares(m, at, idx)
		for k, mu := range members {
			code := m.Munis[mu].Code
			rep.Shares[code] = shares[k]
			rep.Municipalities = append(rep.Municipalities, code)
			share[mu] += shares[k]
			inBundle[mu] = true
		}
		sort.Strings(rep.Municipalities)
		ev.Bundles = append(ev.Bundles, rep)
	}

	m.coverage(m.Participating, owner, "asset(s) in no bundle", add)

	var pinViolations []Violation
	ev.Pins, pinViolations = evaluatePins(m, at)
	ev.Violations = append(ev.Violations, pinViolations...)

	base := StandaloneCosts(m)
	for mu := range m.Munis {
		if inBundle[mu] {
			ev.Shares[m.Munis[mu].Code] = share[mu]
		}
		bc, ok := base[mu]
		if !ok {
			continue
		}
		code := m.Munis[mu].Code
		ev.Standalone[code] = bc
		ev.StandaloneTotal += bc
		if share[mu] > bc*(1+irRelEps) {
			ev.IRViolations = append(ev.IRViolations, code)
		}
	}
	sort.Strings(ev.IRViolations)
	if m.RequireIR {
		for _, code := range ev.IRViolations {
			mu := m.MuniIndex[code]
			add(Violation{Rule: "individual_rationality", Municipality: code,
				Message: fmt.Sprintf("municipality %s pays %s in the plan, more than its standalone cost %s",
					code, FormatYen(share[mu]), FormatYen(base[mu]))})
		}
	}
	ev.Saving = ev.StandaloneTotal - ev.Cost
	if ev.StandaloneTotal != 0 {
		ev.SavingPct = 100 * ev.Saving / ev.StandaloneTotal
	}
	ev.Feasible = len(ev.Violations) == 0
	return ev
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// FormatYen writes a yen amount rounded to the yen with thousands separators: ¥12,345,678.
func FormatYen(x float64) string {
	neg := x < 0
	if neg {
		x = -x
	}
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("¥")
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// planAsset resolves asset id listed by plan bundle bi (a "bundle" or a "lot") and
// reports it when unknown or already in an earlier bundle; owner records the first
// bundle (1 + index) of every asset. The result is the asset's index and whether it is known.
func (m *Model) planAsset(id string, bi int, word string, owner []int32, nameOf func(int) string, add func(Violation)) (int, bool) {
	name := nameOf(bi)
	a, ok := m.AssetIndex[id]
	if !ok {
		add(Violation{Rule: "unknown_asset", Bundle: name, Asset: id,
			Message: fmt.Sprintf("%s %s: asset %q is not in the instance", word, name, id)})
		return 0, false
	}
	if prev := owner[a]; prev != 0 {
		add(Violation{Rule: "duplicate", Bundle: name, Asset: id,
			Message: fmt.Sprintf("asset %s is in %ss %s and %s (each asset belongs to exactly one %s)",
				id, word, nameOf(int(prev)-1), name, word)})
	} else {
		owner[a] = int32(bi + 1)
	}
	return a, true
}

// coverage reports the assets (indices) that no bundle holds (owner 0), grouped per
// municipality so that an empty plan does not list every asset.
func (m *Model) coverage(assets []int, owner []int32, what string, add func(Violation)) {
	missing := make([][]string, len(m.Munis))
	for _, a := range assets {
		if owner[a] == 0 {
			mu := m.Assets[a].Muni
			missing[mu] = append(missing[mu], m.Assets[a].ID)
		}
	}
	for mu, ids := range missing {
		if len(ids) == 0 {
			continue
		}
		eg, more := ids, ""
		if len(eg) > 5 {
			eg, more = eg[:5], ", …"
		}
		add(Violation{Rule: "coverage", Asset: ids[0], Municipality: m.Munis[mu].Code, Count: len(ids),
			Message: fmt.Sprintf("municipality %s: %d %s: %s%s", m.Munis[mu].Code, len(ids), what, strings.Join(eg, ", "), more)})
	}
}

// checkWhole fills a priced bundle's (or lot's) farthest distance, disciplines and
// regions and checks the rules that hold for its assets as a whole: max_distance, no
// mixing, region lock. discSeen and regionSeen are all-false scratch of
// len(m.Disciplines) and len(m.Regions), left all false.
func (m *Model) checkWhole(rep *BundleReport, j int, idx []int, word, name string, discSeen, regionSeen []bool, add func(Violation)) {
	far, firstFar := 0, -1
	at := m.Depots[j].At
	for _, a := range idx {
		ai := &m.Assets[a]
		d := m.Dist(at, ai.At)
		rep.MaxDistanceKm = max(rep.MaxDistanceKm, d)
		if d > m.MaxDistanceKm+limitEps {
			if far == 0 {
				firstFar = a
			}
			far++
		}
		discSeen[ai.Discipline] = true
		regionSeen[m.Munis[ai.Muni].Region] = true
	}
	if far > 0 {
		add(Violation{Rule: "max_distance", Bundle: name, Asset: m.Assets[firstFar].ID, Count: far,
			Message: fmt.Sprintf("%s %s: %d asset(s) farther than max_distance_km %g from depot %s, e.g. %s at %.2f km",
				word, name, far, m.MaxDistanceKm, m.Depots[j].ID, m.Assets[firstFar].ID, m.DepotAssetDist(j, firstFar))})
	}
	for g, seen := range discSeen {
		if seen {
			rep.Disciplines = append(rep.Disciplines, m.Disciplines[g])
			discSeen[g] = false
		}
	}
	for r, seen := range regionSeen {
		if seen {
			rep.Regions = append(rep.Regions, m.Regions[r])
			regionSeen[r] = false
		}
	}
	if !m.MixAllowed && len(rep.Disciplines) > 1 {
		add(Violation{Rule: "mixed_discipline", Bundle: name,
			Message: fmt.Sprintf("%s %s mixes disciplines %s, but mixed_discipline_surcharge is null (mixing forbidden)",
				word, name, strings.Join(rep.Disciplines, ", "))})
	}
	if m.RegionLocked && len(rep.Regions) > 1 {
		add(Violation{Rule: "region_lock", Bundle: name,
			Message: fmt.Sprintf("%s %s spans regions %s, but region_locked is set", word, name, quoteAll(rep.Regions))})
	}
}
