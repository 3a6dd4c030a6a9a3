package solver

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tabane/tabane/geo"
)

// DefaultCircuity is the road-to-crow-flight factor docs/model.md uses when params.circuity is absent.
const DefaultCircuity = 1.3

// DefaultDisciplines maps the asset kinds of docs/model.md onto their disciplines. Every call
// returns a new map, so a caller that changes its copy changes no one else's model.
func DefaultDisciplines() map[string]string {
	return map[string]string{
		"bridge": "road", "tunnel": "road", "culvert": "road", "footbridge": "road",
		"road_furniture": "road", "sewer_plant": "sewer", "pump_station": "sewer",
	}
}

// Model is a validated instance compiled into dense indices for the evaluator, the
// optimizer and the bound. Every slice index is stable: asset i is Instance.Assets[i].
type Model struct {
	Inst *Instance

	F, Tau, Circuity float64 // contract_fixed_cost, travel_cost_per_km, circuity
	// MixAllowed is false when mixed_discipline_surcharge is null; Surcharge is S (0 when null).
	MixAllowed bool
	Surcharge  float64

	// Limits with absent ones opened up: MinValue 0, the others +Inf (MaxAssets MaxInt).
	MinValue, MaxValue, MaxWorkload, MaxDistanceKm float64
	MaxAssets                                      int
	RegionLocked, RequireIR                        bool

	EquipNames  []string  // equipment index e → name, sorted
	EquipPrice  []float64 // M_e
	Disciplines []string  // discipline index g → name, sorted
	Regions     []string  // region index → name, sorted

	Munis  []MuniInfo
	Depots []DepotInfo
	Assets []AssetInfo

	// Participating lists the indices of the assets a plan must cover, in instance order.
	Participating []int

	AssetIndex map[string]int
	DepotIndex map[string]int
	MuniIndex  map[string]int

	// pairTerm, when set, adds to asset a's term at depot j (and may forbid the pair) in
	// the lower bound's subproblems: the programme bound (programme_bound.go) uses it for
	// the window and the bring-forward charge of a depot copy's block. nil in every
	// model Compile builds.
	pairTerm func(j, a int) (extra float64, ok bool)

	// pins are the instance's compiled pins, nil when it has none.
	pins *pinSet
}

// MuniInfo is a compiled municipality.
type MuniInfo struct {
	Code, Name   string
	Region       int
	Participates bool
	Office       Point
}

// DepotInfo is a compiled depot.
type DepotInfo struct {
	ID, Name string
	At       Point
}

// AssetInfo is a compiled asset.
type AssetInfo struct {
	ID         string
	Muni       int
	Discipline int
	At         Point
	Cost       float64
	Workload   float64
	Equip      []int // indices into EquipNames, sorted, without repeats
}

// Dist is d(p, q) of docs/model.md: circuity × great-circle km.
func (m *Model) Dist(p, q Point) float64 {
	return m.Circuity * geo.HaversineKm(p.Lon, p.Lat, q.Lon, q.Lat)
}

// DepotAssetDist is d(j, a).
func (m *Model) DepotAssetDist(j, a int) float64 { return m.Dist(m.Depots[j].At, m.Assets[a].At) }

// AssetTerm is the additive part of asset a in a bundle run from depot j: c_a + τ·d(j, a).
func (m *Model) AssetTerm(j, a int) float64 {
	return m.Assets[a].Cost + m.Tau*m.DepotAssetDist(j, a)
}

// Reachable reports whether depot j may serve asset a under max_distance_km.
func (m *Model) Reachable(j, a int) bool {
	return m.DepotAssetDist(j, a) <= m.MaxDistanceKm+1e-9
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Compile validates inst against every rule of docs/model.md and builds its Model. A
// *ValidationError lists every problem, each with its path (assets[17].equipment[1]).
func Compile(inst *Instance) (*Model, error) {
	v := &ValidationError{}
	switch inst.Version {
	case 1:
	case 0:
		v.add("version", "is required: 1 (docs/model.md, version 1)")
	case 2:
		v.add("version", "must be 1 here (docs/model.md, version 1); 2 is a five-year programme (docs/programme.md): compile it with CompileProgramme")
	default:
		v.add("version", "must be 1 (docs/model.md, version 1), found %d", inst.Version)
	}
	m := compileModel(inst, v)
	if err := v.orNil(); err != nil {
		return nil, err
	}
	return m, nil
}

// compileModel validates and compiles everything docs/model.md defines, adding problems to
// v; version 1 and the programme (version 2) share it. The model is complete only when
// v holds no problem.
func compileModel(inst *Instance, v *ValidationError) *Model {
	p := inst.Params
	m := &Model{Inst: inst, F: p.ContractFixedCost, Tau: p.TravelCostPerKm, Circuity: DefaultCircuity,
		RegionLocked: p.RegionLocked, RequireIR: p.RequireIndividualRationality,
		AssetIndex: make(map[string]int, len(inst.Assets)), DepotIndex: map[string]int{}, MuniIndex: map[string]int{}}
	nonNeg := func(path string, x float64) {
		if !finite(x) || x < 0 {
			v.add(path, "must be a finite number ≥ 0, found %v", x)
		}
	}
	nonNeg("params.contract_fixed_cost", p.ContractFixedCost)
	nonNeg("params.travel_cost_per_km", p.TravelCostPerKm)
	if p.Circuity != nil {
		m.Circuity = *p.Circuity
		if !finite(m.Circuity) || m.Circuity <= 0 {
			v.add("params.circuity", "must be a finite number > 0, found %v", m.Circuity)
		}
	}
	if p.MixedDisciplineSurcharge != nil {
		m.MixAllowed, m.Surcharge = true, *p.MixedDisciplineSurcharge
		nonNeg("params.mixed_discipline_surcharge", m.Surcharge)
	}
	for name := range p.Equipment {
		m.EquipNames = append(m.EquipNames, name)
	}
	sort.Strings(m.EquipNames)
	equipIndex := map[string]int{}
	for i, name := range m.EquipNames {
		equipIndex[name] = i
		m.EquipPrice = append(m.EquipPrice, p.Equipment[name])
		nonNeg("params.equipment."+name, p.Equipment[name])
	}
	kindDisc := DefaultDisciplines()
	for k, d := range p.Disciplines {
		if d == "" {
			v.add("params.disciplines."+k, "discipline name is empty")
		}
		kindDisc[k] = d
	}
	knownKinds := make([]string, 0, len(kindDisc))
	for k := range kindDisc {
		knownKinds = append(knownKinds, k)
	}
	sort.Strings(knownKinds)

	lim := p.Limits
	m.MinValue, m.MaxValue, m.MaxWorkload, m.MaxDistanceKm, m.MaxAssets = 0, math.Inf(1), math.Inf(1), math.Inf(1), math.MaxInt
	if lim.MinValue != nil {
		m.MinValue = *lim.MinValue
		nonNeg("params.limits.min_value", m.MinValue)
	}
	if lim.MaxValue != nil {
		m.MaxValue = *lim.MaxValue
		nonNeg("params.limits.max_value", m.MaxValue)
	}
	if lim.MaxWorkload != nil {
		m.MaxWorkload = *lim.MaxWorkload
		nonNeg("params.limits.max_workload", m.MaxWorkload)
	}
	if lim.MaxDistanceKm != nil {
		m.MaxDistanceKm = *lim.MaxDistanceKm
		nonNeg("params.limits.max_distance_km", m.MaxDistanceKm)
	}
	if lim.MaxAssets != nil {
		m.MaxAssets = *lim.MaxAssets
		if m.MaxAssets < 1 {
			v.add("params.limits.max_assets", "must be at least 1, found %d", m.MaxAssets)
		}
	}
	if m.MinValue > m.MaxValue {
		v.add("params.limits.min_value", "%v exceeds max_value %v", m.MinValue, m.MaxValue)
	}

	regionIndex := map[string]int{}
	for _, mu := range inst.Municipalities {
		if _, ok := regionIndex[mu.Region]; !ok {
			regionIndex[mu.Region] = 0
			m.Regions = append(m.Regions, mu.Region)
		}
	}
	sort.Strings(m.Regions)
	for i, r := range m.Regions {
		regionIndex[r] = i
	}
	if len(inst.Municipalities) == 0 {
		v.add("municipalities", "is empty: an instance needs at least one municipality")
	}
	for i, mu := range inst.Municipalities {
		path := fmt.Sprintf("municipalities[%d]", i)
		if mu.Code == "" {
			v.add(path+".code", "is empty")
		} else if prev, dup := m.MuniIndex[mu.Code]; dup {
			v.add(path+".code", "%q repeats municipalities[%d]", mu.Code, prev)
		} else {
			m.MuniIndex[mu.Code] = i
		}
		if mu.officeAbsent {
			v.add(path+".office", "is required: the position {\"lon\": …, \"lat\": …} of the town hall, in WGS84 degrees")
		} else if !geo.ValidLonLat(mu.Office.Lon, mu.Office.Lat) {
			v.add(path+".office", "(lon %v, lat %v) is not a WGS84 position: lon must lie in [-180, 180] and lat in [-90, 90]", mu.Office.Lon, mu.Office.Lat)
		}
		m.Munis = append(m.Munis, MuniInfo{Code: mu.Code, Name: mu.Name, Region: regionIndex[mu.Region],
			Participates: mu.Participating(), Office: mu.Office})
	}

	depots := inst.Depots
	if len(depots) == 0 {
		for _, mu := range inst.Municipalities {
			depots = append(depots, Depot{ID: "office-" + mu.Code, Name: mu.Name, Lon: mu.Office.Lon, Lat: mu.Office.Lat})
		}
	}
	for i, d := range depots {
		path := fmt.Sprintf("depots[%d]", i)
		if d.ID == "" {
			v.add(path+".id", "is empty")
		} else if prev, dup := m.DepotIndex[d.ID]; dup {
			v.add(path+".id", "%q repeats depots[%d]", d.ID, prev)
		} else {
			m.DepotIndex[d.ID] = i
		}
		if d.posAbsent {
			v.add(path, "lon and lat are required: the depot's position in WGS84 degrees")
		} else if !geo.ValidLonLat(d.Lon, d.Lat) {
			v.add(path, "(lon %v, lat %v) is not a WGS84 position: lon must lie in [-180, 180] and lat in [-90, 90]", d.Lon, d.Lat)
		}
		m.Depots = append(m.Depots, DepotInfo{ID: d.ID, Name: d.Name, At: Point{d.Lon, d.Lat}})
	}

	discIndex := map[string]int{}
	for _, d := range kindDisc {
		discIndex[d] = 0
	}
	for d := range discIndex {
		m.Disciplines = append(m.Disciplines, d)
	}
	sort.Strings(m.Disciplines)
	for i, d := range m.Disciplines {
		discIndex[d] = i
	}
	m.Assets = make([]AssetInfo, len(inst.Assets))
	for i := range inst.Assets {
		a := &inst.Assets[i]
		// Paths are built only when a problem is found: most assets have none.
		path := func() string { return "assets[" + strconv.Itoa(i) + "]" }
		label := func() string {
			if a.ID == "" {
				return path()
			}
			return path() + " (" + a.ID + ")"
		}
		if a.ID == "" {
			v.add(path()+".id", "is empty")
		} else if prev, dup := m.AssetIndex[a.ID]; dup {
			v.add(path()+".id", "%q repeats assets[%d]", a.ID, prev)
		} else {
			m.AssetIndex[a.ID] = i
		}
		mi, ok := m.MuniIndex[a.Municipality]
		switch {
		case a.Municipality == "":
			v.add(path()+".municipality", "is required: the code of the municipality that owns %s", label())
		case !ok:
			v.add(path()+".municipality", "%q is not among the instance's municipalities (%s)", a.Municipality, label())
		}
		disc, ok := kindDisc[a.Kind]
		switch {
		case a.Kind == "":
			v.add(path()+".kind", "is required (%s): one of %s, or a kind added in params.disciplines", label(), strings.Join(knownKinds, ", "))
		case !ok:
			v.add(path()+".kind", "%q is not a known kind (%s): use one of %s, or map it to a discipline in params.disciplines",
				a.Kind, label(), strings.Join(knownKinds, ", "))
		}
		for _, f := range []struct{ name, what string }{
			{"lon", "longitude in WGS84 degrees"}, {"lat", "latitude in WGS84 degrees"},
			{"cost", "direct inspection cost in yen"}, {"workload", "workload in person-days"},
		} {
			if a.missing(f.name) {
				v.add(path()+"."+f.name, "is required: the asset's %s (%s)", f.what, label())
			}
		}
		if !a.missing("lon") && !a.missing("lat") && !geo.ValidLonLat(a.Lon, a.Lat) {
			v.add(path(), "(lon %v, lat %v) is not a WGS84 position: lon must lie in [-180, 180] and lat in [-90, 90] (%s)", a.Lon, a.Lat, label())
		}
		if !finite(a.Cost) || a.Cost < 0 {
			v.add(path()+".cost", "must be a finite number ≥ 0, found %v (%s)", a.Cost, label())
		}
		if !finite(a.Workload) || a.Workload < 0 {
			v.add(path()+".workload", "must be a finite number ≥ 0, found %v (%s)", a.Workload, label())
		}
		info := AssetInfo{ID: a.ID, Muni: mi, Discipline: discIndex[disc], At: Point{a.Lon, a.Lat}, Cost: a.Cost, Workload: a.Workload}
		for k, e := range a.Equipment {
			ei, ok := equipIndex[e]
			if !ok {
				v.add(fmt.Sprintf("%s.equipment[%d]", path(), k), "%q has no price in params.equipment", e)
				continue
			}
			info.Equip = append(info.Equip, ei)
		}
		sort.Ints(info.Equip)
		info.Equip = uniqInts(info.Equip)
		m.Assets[i] = info
	}
	if len(v.Problems) > 0 {
		return m // indices may point nowhere: nothing below is safe
	}
	// Pins name assets and depots: checked only once those are known to be sound.
	if inst.Version != 2 {
		// A programme's pins name years: CompileProgramme compiles them (programme_pins.go).
		compilePins(m, inst.Pins, v)
	}
	if len(v.Problems) > 0 {
		return m
	}
	for i, a := range m.Assets {
		if m.Munis[a.Muni].Participates {
			m.Participating = append(m.Participating, i)
		}
	}
	return m
}

func uniqInts(xs []int) []int {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
