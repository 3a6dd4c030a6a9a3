package planout

import (
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/tabane/tabane/geo"
	"github.com/tabane/tabane/solver"
)

// Lot is a lot's spread on the map — how far it reaches and how much ground its outline
// covers — and the other lots whose outlines overlap it, each with why the two are not one
// lot (GET /api/v1/runs/{id}/lots). A planner defends a plan at the council by these: a lot
// that reaches 30 km or shares its ground with another needs a reason.
type Lot struct {
	Lot   string `json:"lot"`
	Depot string `json:"depot"`
	// FarthestKm is the farthest asset from the depot, d(j, a) of docs/model.md (circuity ×
	// great-circle km), the distance max_distance_km limits: the evaluator's max_distance_km.
	FarthestKm float64 `json:"farthest_km"`
	// OutlineKm2 is the area of the lot's outline as the map draws it (plan.geojson): the
	// convex hull of its assets, widened by about 50 m around fewer than three points or a line.
	OutlineKm2 float64 `json:"outline_km2"`
	// Label is where the map writes the lot's id: geo.InteriorPoint of its outline, [lon, lat].
	Label       [2]float64 `json:"label"`
	Regions     []string   `json:"regions"`
	Disciplines []string   `json:"disciplines"`
	Equipment   []string   `json:"equipment"` // the equipment its assets need, sorted
	Overlaps    []Overlap  `json:"overlaps"`
	// FY is the first year of a programme lot's block (ProgrammeLots); absent for one year.
	FY *int `json:"fy,omitempty"`
}

// Overlap is another lot whose outline shares ground with this one.
type Overlap struct {
	Lot     string          `json:"lot"`
	AreaKm2 float64         `json:"area_km2"`
	Reasons []OverlapReason `json:"reasons"`
}

// OverlapReason says why two overlapping lots are two, in a stable form the page words in its
// own language. Codes:
//   - equipment: one lot needs equipment the other does not (Here: only this lot's, There:
//     only the other's) — e.g. one snooper-truck lot for the whole area, mobilised once;
//   - discipline: they hold different disciplines (mixing is surcharged or forbidden);
//   - limit: the two as one lot would break these rules from either depot (Limits: the
//     evaluator's rule names, e.g. max_value, max_distance, region_lock);
//   - merge: one lot from Depot would be allowed and cost Delta yen more (Delta > 0) than
//     the two, or less (Delta < 0: the search has not found it).
type OverlapReason struct {
	Code   string   `json:"code"`
	Here   []string `json:"here,omitempty"`
	There  []string `json:"there,omitempty"`
	Limits []string `json:"limits,omitempty"`
	Depot  string   `json:"depot,omitempty"`
	Delta  *float64 `json:"delta,omitempty"`
}

// overlapMinKm2 is the least shared area (1 m²) counted as an overlap: outlines that only
// touch share none, up to rounding.
const overlapMinKm2 = 1e-6

// lotShape is a lot's outline, in degrees for the map and in metres for its areas.
type lotShape struct {
	outline orb.Polygon // lon/lat
	metres  orb.Ring    // the outline on the plan's projection
	areaKm2 float64
	label   orb.Point
}

// lotShapes are the outlines of the plan's lots by lot id (lots without a known asset have
// none), measured on one local projection centred on the plan, so that areas and overlaps of
// different lots are comparable.
func lotShapes(rep *solver.Report, inst *solver.Instance) map[string]lotShape {
	at := map[string]orb.Point{}
	for _, a := range inst.Assets {
		at[a.ID] = orb.Point{a.Lon, a.Lat}
	}
	pts := map[string][]orb.Point{}
	var all orb.MultiPoint
	for _, b := range rep.Bundles {
		for _, id := range b.Assets {
			if p, ok := at[id]; ok {
				pts[b.ID] = append(pts[b.ID], p)
				all = append(all, p)
			}
		}
	}
	shapes := map[string]lotShape{}
	if len(all) == 0 {
		return shapes
	}
	c := all.Bound().Center()
	pr := geo.NewProjection(c[0], c[1])
	for id, ps := range pts {
		outline := bundleOutline(ps)
		m := make(orb.Ring, len(outline[0]))
		for i, p := range outline[0] {
			m[i] = pr.Forward(p)
		}
		shapes[id] = lotShape{outline: outline, metres: m, areaKm2: planar.Area(orb.Polygon{m}) / 1e6,
			label: geo.InteriorPoint(outline)}
	}
	return shapes
}

// overlapKm2 is the ground two lots' outlines share, 0 below overlapMinKm2.
func overlapKm2(a, b lotShape) float64 {
	r := geo.ConvexIntersection(a.metres, b.metres)
	if r == nil {
		return 0
	}
	if km2 := planar.Area(orb.Polygon{r}) / 1e6; km2 >= overlapMinKm2 {
		return km2
	}
	return 0
}

// lotOverlap is lot i's outline sharing km2 of ground with lot j's (indices of rep.Bundles).
type lotOverlap struct {
	i, j int
	km2  float64
}

// lotOverlaps lists every ordered pair of overlapping lots, i then j in plan order.
func lotOverlaps(rep *solver.Report, shapes map[string]lotShape) []lotOverlap {
	var out []lotOverlap
	for i := range rep.Bundles {
		si, ok := shapes[rep.Bundles[i].ID]
		if !ok {
			continue
		}
		for j := range rep.Bundles {
			sj, ok := shapes[rep.Bundles[j].ID]
			if i == j || !ok {
				continue
			}
			if km2 := overlapKm2(si, sj); km2 > 0 {
				out = append(out, lotOverlap{i, j, km2})
			}
		}
	}
	return out
}

// Lots are the plan's lots in plan order with their spread and overlaps. The reasons that
// weigh a merge (limit, merge) need the version-1 model; for an instance that does not
// compile as one (a programme) they are left out.
func Lots(rep *solver.Report, inst *solver.Instance) []Lot {
	return lots(rep, inst, nil)
}

// ProgrammeLots is Lots for a programme plan (its evaluation's bundles as rep): each lot
// has the first year of its block, and only lots of one block overlap — lots of
// different years share ground by design (the same bridges are inspected every five
// years, each year's lots around the same depots).
func ProgrammeLots(rep *solver.Report, inst *solver.Instance, years ProgrammeYears) []Lot {
	return lots(rep, inst, &years)
}

func lots(rep *solver.Report, inst *solver.Instance, years *ProgrammeYears) []Lot {
	shapes := lotShapes(rep, inst)
	equip := map[string][]string{}
	for _, a := range inst.Assets {
		equip[a.ID] = a.Equipment
	}
	m, err := solver.Compile(inst)
	if err != nil {
		m = nil
	}
	out := make([]Lot, len(rep.Bundles))
	for i, b := range rep.Bundles {
		set := map[string]bool{}
		for _, id := range b.Assets {
			for _, e := range equip[id] {
				set[e] = true
			}
		}
		l := Lot{Lot: b.ID, Depot: b.Depot, FarthestKm: b.MaxDistanceKm, Regions: nonNil(b.Regions),
			Disciplines: nonNil(b.Disciplines), Equipment: sortedSet(set), Overlaps: []Overlap{}}
		if s, ok := shapes[b.ID]; ok {
			l.OutlineKm2, l.Label = s.areaKm2, [2]float64{s.label[0], s.label[1]}
		}
		if years != nil {
			if fy, ok := years.Lots[b.ID]; ok {
				l.FY = &fy
			}
		}
		out[i] = l
	}
	for _, o := range lotOverlaps(rep, shapes) {
		i, j := o.i, o.j
		if years != nil && (out[i].FY == nil || out[j].FY == nil || *out[i].FY != *out[j].FY) {
			continue
		}
		out[i].Overlaps = append(out[i].Overlaps, Overlap{Lot: out[j].Lot, AreaKm2: o.km2,
			Reasons: overlapReasons(m, &rep.Bundles[i], &rep.Bundles[j], &out[i], &out[j])})
	}
	return out
}

// overlapReasons says why lots a and b (their reports ba, bb) are two lots: every reason that
// holds, in the order of OverlapReason's codes. Whether one lot could hold both, and at what
// cost, is asked of the evaluator (solver.Evaluate), so no rule is written twice.
func overlapReasons(m *solver.Model, ba, bb *solver.BundleReport, a, b *Lot) []OverlapReason {
	var rs []OverlapReason
	if here, there := minus(a.Equipment, b.Equipment), minus(b.Equipment, a.Equipment); len(here)+len(there) > 0 {
		rs = append(rs, OverlapReason{Code: "equipment", Here: here, There: there})
	}
	if !sameSet(a.Disciplines, b.Disciplines) {
		rs = append(rs, OverlapReason{Code: "discipline", Here: a.Disciplines, There: b.Disciplines})
	}
	if m == nil {
		return rs
	}
	union := append(append([]string{}, ba.Assets...), bb.Assets...)
	// The better of the two depots: allowed before not, then the cheaper, then a's; of two
	// that are not allowed, the one breaking fewer rules.
	var best *OverlapReason
	var bestBroken []string
	for _, depot := range []string{ba.Depot, bb.Depot} {
		total, broken := mergedLot(m, depot, union)
		delta := total - ba.Breakdown.Total - bb.Breakdown.Total
		switch {
		case len(broken) == 0 && (best == nil || *best.Delta > delta):
			best = &OverlapReason{Code: "merge", Depot: depot, Delta: &delta}
		case len(broken) > 0 && best == nil && (bestBroken == nil || len(broken) < len(bestBroken)):
			bestBroken = broken
		}
	}
	switch {
	case best != nil:
		rs = append(rs, *best)
	case bestBroken != nil:
		rs = append(rs, OverlapReason{Code: "limit", Limits: bestBroken})
	}
	return rs
}

// mergedLot is what the evaluator says of the assets as one lot from depot: its cost and the
// rules of that lot it breaks (max_value, max_workload, max_assets, max_distance,
// mixed_discipline, region_lock, a pin …), sorted. The rest of the plan is absent from this
// one-lot plan, so the coverage, min_value and individual-rationality findings, which
// concern the whole plan, are not the lot's.
func mergedLot(m *solver.Model, depot string, assets []string) (float64, []string) {
	const id = "merged"
	ev := solver.Evaluate(m, &solver.Plan{Instance: m.Inst.Name, Bundles: []solver.Bundle{{ID: id, Depot: depot, Assets: assets}}})
	set := map[string]bool{}
	for _, v := range ev.Violations {
		if v.Bundle == id && v.Rule != "min_value" {
			set[v.Rule] = true
		}
	}
	total := 0.0
	if len(ev.Bundles) == 1 {
		total = ev.Bundles[0].Breakdown.Total
	}
	return total, sortedSet(set)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// minus is the sorted a without the elements of b.
func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	return len(minus(a, b)) == 0 && len(minus(b, a)) == 0
}
