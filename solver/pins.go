package solver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Pins are a planner's hand decisions that travel with the instance (docs/model.md, Pins):
// an asset kept in the lot of a depot, a lot that holds at least (closed: exactly) some
// assets, an asset kept out of a depot's lot. A feasible plan honours every pin (rule 6).
type Pins struct {
	Assets map[string]AssetPin `json:"assets,omitempty"`
	Lots   []LotPin            `json:"lots,omitempty"`
	Forbid []ForbidPin         `json:"forbid,omitempty"`
}

// AssetPin keeps an asset in the lot run from Depot. In JSON it is the depot id, or
// {"depot": …, "fy": …} where fy is the inspection year of version 2 (version 1 ignores it).
type AssetPin struct {
	Depot string
	FY    *int
}

// UnmarshalJSON accepts "depot" or {"depot": "…", "fy": 2027}.
func (p *AssetPin) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*p = AssetPin{}
		return json.Unmarshal(b, &p.Depot)
	}
	var w struct {
		Depot string `json:"depot"`
		FY    *int   `json:"fy"`
	}
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("an asset pin is a depot id or {\"depot\": …, \"fy\": …}, found %s", b)
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = AssetPin{Depot: w.Depot, FY: w.FY}
	return nil
}

// MarshalJSON writes the short form (the depot id) when there is no fy.
func (p AssetPin) MarshalJSON() ([]byte, error) {
	if p.FY == nil {
		return json.Marshal(p.Depot)
	}
	return json.Marshal(struct {
		Depot string `json:"depot"`
		FY    int    `json:"fy"`
	}{p.Depot, *p.FY})
}

// LotPin keeps assets together in the lot run from Depot; Closed means no other asset
// may join it. FY names the block of a version-2 programme (ignored in version 1).
type LotPin struct {
	Depot  string   `json:"depot"`
	Assets []string `json:"assets"`
	Closed bool     `json:"closed,omitempty"`
	FY     *int     `json:"fy,omitempty"`
}

// ForbidPin keeps Asset out of the lot run from Depot.
type ForbidPin struct {
	Asset string `json:"asset"`
	Depot string `json:"depot"`
}

// Empty reports whether p holds no pin at all.
func (p *Pins) Empty() bool {
	return p == nil || (len(p.Assets) == 0 && len(p.Lots) == 0 && len(p.Forbid) == 0)
}

// pinRule is one compiled pin, in the order pins are reported: pins.assets by id, then
// pins.lots, then pins.forbid.
type pinRule struct {
	path   string // pins.assets.A000001, pins.lots[2], pins.forbid[0]
	kind   string // asset, lot, forbid
	depot  int
	assets []int
	closed bool
}

// pinSet is the compiled form of an instance's pins, nil when it has none.
type pinSet struct {
	rules []pinRule
	// depot[a] is the depot asset a must be in (by an asset or a lot pin), −1 when free.
	depot []int32
	// from[a] is the path of the first pin that put asset a at depot[a].
	from map[int]string
	// closed[j] is the path of the closed lot pin on depot j ("" when none): only the
	// assets pinned to j may go there.
	closed []string
	// forbid[a] lists the depots asset a must stay out of.
	forbid map[int][]int32
}

// allowed reports whether the pins let asset a go to depot j.
func (ps *pinSet) allowed(a, j int) bool {
	if d := ps.depot[a]; d >= 0 {
		return int(d) == j
	}
	return ps.closed[j] == "" && !slices.Contains(ps.forbid[a], int32(j))
}

// compilePins checks the pins against the instance and each other and records them in
// m.pins. Every problem is named by the pin's path.
func compilePins(m *Model, p *Pins, v *ValidationError) {
	if p.Empty() {
		return
	}
	ps := &pinSet{depot: make([]int32, len(m.Assets)), from: map[int]string{},
		closed: make([]string, len(m.Depots)), forbid: map[int][]int32{}}
	for i := range ps.depot {
		ps.depot[i] = -1
	}
	refs := pinRefs{m, v}
	depotOf, assetOf := refs.depot, refs.asset
	// place pins asset a to depot j, reporting a second depot, a non-participating
	// owner or a depot beyond max_distance_km.
	place := func(path string, a, j int) {
		id := m.Assets[a].ID
		if !m.Munis[m.Assets[a].Muni].Participates {
			v.add(path, "%s belongs to %s, which does not participate: it is in no lot", id, m.Munis[m.Assets[a].Muni].Code)
			return
		}
		if d := m.DepotAssetDist(j, a); d > m.MaxDistanceKm+limitEps {
			v.add(path, "%s is %.2f km from depot %s, beyond max_distance_km %g", id, d, m.Depots[j].ID, m.MaxDistanceKm)
			return
		}
		if d := ps.depot[a]; d >= 0 && int(d) != j {
			v.add(path, "%s is also pinned to depot %s by %s", id, m.Depots[d].ID, ps.from[a])
			return
		}
		if ps.depot[a] < 0 {
			ps.depot[a], ps.from[a] = int32(j), path
		}
	}
	ids := make([]string, 0, len(p.Assets))
	for id := range p.Assets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		path := "pins.assets." + id
		if p.Assets[id].Depot == "" {
			v.add(path, "names no depot")
			continue
		}
		a, okA := assetOf(path, id)
		j, okJ := depotOf(path, p.Assets[id].Depot)
		if okA && okJ {
			place(path, a, j)
			ps.rules = append(ps.rules, pinRule{path: path, kind: "asset", depot: j, assets: []int{a}})
		}
	}
	closedSet := make([]map[int]bool, len(m.Depots))
	for k, lot := range p.Lots {
		path := fmt.Sprintf("pins.lots[%d]", k)
		j, okJ := depotOf(path+".depot", lot.Depot)
		if len(lot.Assets) == 0 && !lot.Closed {
			v.add(path+".assets", "is empty: a lot pin names at least one asset (closed: true with no assets keeps the depot without a lot)")
			continue
		}
		r := pinRule{path: path, kind: "lot", depot: j, closed: lot.Closed}
		eachLotAsset(v, path, lot.Assets, assetOf, func(ap string, a int) {
			if okJ {
				place(ap, a, j)
				r.assets = append(r.assets, a)
			}
		})
		if !okJ {
			continue
		}
		if lot.Closed {
			set := map[int]bool{}
			for _, a := range r.assets {
				set[a] = true
			}
			if prev := ps.closed[j]; prev != "" && !mapsEqual(set, closedSet[j]) {
				v.add(path, "closes the lot of depot %s with other assets than %s", lot.Depot, prev)
			} else if prev == "" {
				ps.closed[j], closedSet[j] = path, set
			}
		}
		ps.rules = append(ps.rules, r)
	}
	// A closed lot takes no asset that another pin puts at its depot.
	for a, d := range ps.depot {
		if d >= 0 && ps.closed[d] != "" && !closedSet[d][a] {
			v.add(ps.from[a], "%s is pinned to depot %s, whose lot %s closes without it", m.Assets[a].ID, m.Depots[d].ID, ps.closed[d])
		}
	}
	for k, f := range p.Forbid {
		path := fmt.Sprintf("pins.forbid[%d]", k)
		a, okA := assetOf(path+".asset", f.Asset)
		j, okJ := depotOf(path+".depot", f.Depot)
		if !okA || !okJ {
			continue
		}
		if d := ps.depot[a]; int(d) == j {
			v.add(path, "%s may not be in the lot of depot %s, but %s pins it there", f.Asset, f.Depot, ps.from[a])
			continue
		}
		if !slices.Contains(ps.forbid[a], int32(j)) {
			ps.forbid[a] = append(ps.forbid[a], int32(j))
		}
		ps.rules = append(ps.rules, pinRule{path: path, kind: "forbid", depot: j, assets: []int{a}})
	}
	m.pins = ps
}

// pinRefs resolves the asset and depot ids a pin names, reporting an unknown one at the
// pin's path (versions 1 and 2 alike).
type pinRefs struct {
	m *Model
	v *ValidationError
}

func (r pinRefs) depot(path, id string) (int, bool) {
	j, ok := r.m.DepotIndex[id]
	if !ok {
		r.v.add(path, "depot %q is not among the instance's depots", id)
	}
	return j, ok
}

func (r pinRefs) asset(path, id string) (int, bool) {
	a, ok := r.m.AssetIndex[id]
	if !ok {
		r.v.add(path, "asset %q is not in the instance", id)
	}
	return a, ok
}

// eachLotAsset resolves a lot pin's assets in order, reporting a repeated one, and calls
// keep with each known asset's path (pins.lots[0].assets[2]) and index.
func eachLotAsset(v *ValidationError, path string, ids []string, asset func(path, id string) (int, bool), keep func(path string, a int)) {
	seen := map[string]int{}
	for i, id := range ids {
		ap := fmt.Sprintf("%s.assets[%d]", path, i)
		if prev, dup := seen[id]; dup {
			v.add(ap, "%s repeats %s.assets[%d]", id, path, prev)
			continue
		}
		seen[id] = i
		if a, ok := asset(ap, id); ok {
			keep(ap, a)
		}
	}
}

func mapsEqual(a, b map[int]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// PinReport says whether a plan holds one pin.
type PinReport struct {
	Pin  string `json:"pin"`  // its path: pins.assets.A000001, pins.lots[0], pins.forbid[1]
	Kind string `json:"kind"` // asset, lot, forbid
	Held bool   `json:"held"`
}

// evaluatePins checks rule 6 as the referee does: at[a] is the depot of the (last)
// bundle listing asset a, −1 when none does. It returns one report per pin and the
// violations.
func evaluatePins(m *Model, at []int32) ([]PinReport, []Violation) {
	ps := m.pins
	if ps == nil {
		return []PinReport{}, nil
	}
	var out []Violation
	reps := make([]PinReport, 0, len(ps.rules))
	where := func(a int) string {
		if at[a] < 0 {
			return "in no lot"
		}
		return "in the lot of depot " + m.Depots[at[a]].ID
	}
	for _, r := range ps.rules {
		held := true
		dep := m.Depots[r.depot].ID
		switch r.kind {
		case "asset", "lot":
			for _, a := range r.assets {
				if int(at[a]) != r.depot {
					held = false
					out = append(out, Violation{Rule: "pin", Asset: m.Assets[a].ID,
						Message: fmt.Sprintf("%s: %s must be in the lot of depot %s, the plan has it %s", r.path, m.Assets[a].ID, dep, where(a))})
				}
			}
			if r.closed {
				var extra []string
				for a, j := range at {
					if int(j) == r.depot && !slices.Contains(r.assets, a) {
						extra = append(extra, m.Assets[a].ID)
					}
				}
				if len(extra) > 0 {
					held = false
					out = append(out, Violation{Rule: "pin", Asset: extra[0], Count: len(extra),
						Message: fmt.Sprintf("%s: the lot of depot %s is closed, but the plan adds %s", r.path, dep, strings.Join(extra, ", "))})
				}
			}
		case "forbid":
			a := r.assets[0]
			if int(at[a]) == r.depot {
				held = false
				out = append(out, Violation{Rule: "pin", Asset: m.Assets[a].ID,
					Message: fmt.Sprintf("%s: %s must not be in the lot of depot %s", r.path, m.Assets[a].ID, dep)})
			}
		}
		reps = append(reps, PinReport{Pin: r.path, Kind: r.kind, Held: held})
	}
	return reps, out
}

// precheckPins proves pins impossible under the rules: the assets pinned to one depot
// share its one lot, so together they must fit max_value, max_workload and max_assets
// (a lot's cost only grows with its assets), be of one discipline when mixing is
// forbidden and of one region when region_locked; a closed lot must also reach
// min_value; and every free asset needs a depot the pins leave open to it.
func precheckPins(m *Model, band *depotBand) []Infeasibility {
	ps := m.pins
	if ps == nil {
		return nil
	}
	var out []Infeasibility
	byDepot := make([][]int, len(m.Depots))
	for _, a := range m.Participating {
		if j := ps.depot[a]; j >= 0 {
			byDepot[j] = append(byDepot[j], a)
		}
	}
	for j, as := range byDepot {
		if len(as) == 0 {
			continue
		}
		pin := ps.from[as[0]]
		if ps.closed[j] != "" {
			pin = ps.closed[j]
		}
		dep := m.Depots[j].ID
		fail := func(rule string, value, limit float64, format string, args ...any) {
			out = append(out, Infeasibility{Rule: rule, Pin: pin, Asset: m.Assets[as[0]].ID, Value: value, Limit: limit,
				Message: pin + ": " + fmt.Sprintf(format, args...)})
		}
		c := m.BundleCost(j, as).Total
		if valueAbove(c, m.MaxValue) {
			fail("max_value", c, m.MaxValue, "the %d asset(s) pinned to depot %s cost %s together, above max_value %s", len(as), dep, FormatYen(c), FormatYen(m.MaxValue))
		}
		if ps.closed[j] != "" && valueBelow(c, m.MinValue) {
			fail("min_value", c, m.MinValue, "the closed lot of depot %s costs %s, below min_value %s", dep, FormatYen(c), FormatYen(m.MinValue))
		}
		w, discs, regions := groupTraits(m, as)
		if w > m.MaxWorkload+limitEps {
			fail("max_workload", w, m.MaxWorkload, "the %d asset(s) pinned to depot %s need %.2f person-days, more than max_workload %g", len(as), dep, w, m.MaxWorkload)
		}
		if len(as) > m.MaxAssets {
			fail("max_assets", float64(len(as)), float64(m.MaxAssets), "%d assets are pinned to depot %s, more than max_assets %d", len(as), dep, m.MaxAssets)
		}
		if !m.MixAllowed && len(discs) > 1 {
			fail("mixed_discipline", 0, 0, "the assets pinned to depot %s mix disciplines, but mixed_discipline_surcharge is null", dep)
		}
		if m.RegionLocked && len(regions) > 1 {
			fail("region_lock", 0, 0, "the assets pinned to depot %s span regions, but region_locked is set", dep)
		}
	}
	hasClosed := slices.ContainsFunc(ps.closed, func(s string) bool { return s != "" })
	for _, a := range m.Participating {
		if ps.depot[a] >= 0 || (!hasClosed && len(ps.forbid[a]) == 0) {
			continue
		}
		ok := false
		band.near(m.Assets[a].At, m.MaxDistanceKm+limitEps, func(j int, d float64) bool {
			if d <= m.MaxDistanceKm+limitEps && ps.allowed(a, j) {
				ok = true
				return false
			}
			return true
		})
		if !ok {
			id := m.Assets[a].ID
			pin := "pins.forbid"
			for _, r := range ps.rules {
				if r.kind == "forbid" && r.assets[0] == a {
					pin = r.path
					break
				}
			}
			if len(ps.forbid[a]) == 0 {
				pin = "pins.lots"
			}
			out = append(out, Infeasibility{Rule: "pin", Pin: pin, Asset: id,
				Message: fmt.Sprintf("%s: every depot within max_distance_km of %s is forbidden to it or closed by a lot pin", pin, id)})
		}
	}
	return out
}
