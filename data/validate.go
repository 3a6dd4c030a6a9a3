package data

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tabane/tabane/geo"
	"github.com/tabane/tabane/solver"
)

// One validation for every way a record enters the inventory: the API's POST, PUT and
// PATCH, each import format (CSV, GeoJSON, xROAD) and the cost model's PUT all call the
// functions of this file, so that the same bad value gets the same field path and the
// same message from every entrance. A value is refused when a read, an export or a run
// could not handle it: a number that is not finite or beyond a sane range (1e308 metres
// makes every estimate +Inf, which JSON cannot carry), equipment that no price list
// knows, a kind the cost model does not price (the solver refuses both), an id a route
// cannot serve, a text without bound.

// Bounds of the inventory's figures. They are far above any real asset (the longest road
// tunnel of Japan is 18 km, the widest bridge deck well under 100 m) and far below where
// a sum of thousands of assets could lose precision or overflow.
const (
	MaxLengthM    = 100_000 // metres
	MaxWidthM     = 1_000   // metres
	MaxCostYen    = 1e10    // one asset's inspection, or one figure of the cost model
	MaxWorkload   = 100_000 // person-days
	MaxIDLen      = 128     // characters of an asset or depot id
	MaxTextLen    = 200     // characters of a name
	MaxDamaged    = 10      // cost model damaged_factor
	MinYearBuilt  = 1800
	MaxYear       = 2200
	MinLastFY     = 1950
	maxEquipments = 32 // equipment names of one asset or kind
)

// KnownEquipment is the equipment that has a mobilisation price (DefaultEquipmentPrices,
// docs/model.md): an asset or a kind of the cost model may name these only, since a run
// refuses equipment without a price.
func KnownEquipment() []string { return sortedKeys(DefaultEquipmentPrices()) }

// KnownKinds are the asset kinds the solver has a discipline for (solver.DefaultDisciplines):
// the cost model may price these only.
func KnownKinds() []string { return sortedKeys(solver.DefaultDisciplines()) }

// figure prints a number of a message: as written up to 15 digits (10000000000, 0.5),
// in exponent form beyond (1e+308), never 309 digits.
func figure(x float64) string {
	if math.Abs(x) < 1e15 {
		return num(x)
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// problems collects field-path errors.
type problems []solver.InputError

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, solver.InputError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// number checks a finite number in [lo, hi] (unit names the unit for the message).
func (p *problems) number(path string, x, lo, hi float64, unit string) {
	if math.IsNaN(x) || math.IsInf(x, 0) || x < lo || x > hi {
		p.add(path, "must be a finite number from %s to %s%s, found %s", figure(lo), figure(hi), unit, figure(x))
	}
}

// assetFigureBounds are the ranges of an asset's optional figures.
var assetFigureBounds = map[string]struct {
	hi   float64
	unit string
}{"length_m": {MaxLengthM, " m"}, "width_m": {MaxWidthM, " m"}, "cost": {MaxCostYen, " yen"}, "workload": {MaxWorkload, " person-days"}}

// FigureProblem is what is wrong with the value of an asset's figure (length_m, width_m,
// cost, workload), or "": the importers say it as soon as they read the value, in the
// words ValidateAsset uses.
func FigureProblem(name string, x float64) string {
	b := assetFigureBounds[name]
	var p problems
	p.number(name, x, 0, b.hi, b.unit)
	if len(p) == 0 {
		return ""
	}
	return p[0].Msg
}

func (p *problems) optInt(path string, x *int, lo, hi int) {
	if x != nil && (*x < lo || *x > hi) {
		p.add(path, "must be between %d and %d, found %d", lo, hi, *x)
	}
}

// text checks a bounded text without control characters.
func (p *problems) text(path, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		p.add(path, "must be at most %d characters, found %d", max, n)
	}
	if !utf8.ValidString(s) {
		p.add(path, "must be valid UTF-8")
	} else if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		p.add(path, "must not contain control characters, found %q at byte %d", r, i)
	}
}

// ValidID checks an asset or depot id: 1–MaxIDLen characters, no control characters,
// spaces, or / \ ; ? # % (every stored id must be servable as one path segment of
// /api/v1/assets/{id} and one CSV/equipment-list field). nil: valid.
func ValidID(id string) *solver.InputError {
	var p problems
	p.id("id", id)
	if len(p) > 0 {
		return &p[0]
	}
	return nil
}

func (p *problems) id(path, id string) {
	switch {
	case id == "":
		p.add(path, "is required")
	case utf8.RuneCountInString(id) > MaxIDLen:
		p.add(path, "must be at most %d characters, found %d", MaxIDLen, utf8.RuneCountInString(id))
	case !utf8.ValidString(id):
		p.add(path, "must be valid UTF-8")
	default:
		if strings.IndexFunc(id, badIDRune) >= 0 {
			p.add(path, "must not contain spaces, control characters or any of / \\ ; ? # %%, found %q", id)
		}
	}
}

func badIDRune(r rune) bool {
	return unicode.IsControl(r) || unicode.IsSpace(r) || strings.ContainsRune(`/\;?#%`, r)
}

// ValidateAsset lists the problems of an asset as it would be stored (nil: valid),
// against the cost model in force: the id, the name, the position, the figures within
// their bounds, a kind the cost model prices and equipment with a price.
func ValidateAsset(a Asset, cm *CostModel) []solver.InputError {
	var p problems
	p.id("id", a.ID)
	if _, err := NormalizeMunicipalityCode(a.Municipality); err != nil {
		p.add("municipality", "%v", err)
	}
	p.text("name", a.Name, MaxTextLen)
	p = append(p, assetFigures(a, cm)...)
	return p
}

// assetFigures are the checks a run needs (ValidateAsset without the text rules): the
// instance build applies them to stored rows, which may predate the rules.
func assetFigures(a Asset, cm *CostModel) problems {
	var p problems
	if _, priced := cm.Kinds[a.Kind]; !priced {
		p.add("kind", "%q is not a kind the cost model prices (%s)", a.Kind, strings.Join(sortedKeys(cm.Kinds), ", "))
	}
	if !geo.ValidLonLat(a.Lon, a.Lat) || math.IsInf(a.Lon, 0) || math.IsInf(a.Lat, 0) {
		p.add("lon", "lon %s, lat %s are not WGS84 degrees (lon -180…180, lat -90…90)", figure(a.Lon), figure(a.Lat))
	}
	for _, f := range []struct {
		name string
		x    *float64
	}{{"length_m", a.LengthM}, {"width_m", a.WidthM}, {"cost", a.Cost}, {"workload", a.Workload}} {
		if f.x != nil {
			if msg := FigureProblem(f.name, *f.x); msg != "" {
				p.add(f.name, "%s", msg)
			}
		}
	}
	p.optInt("year_built", a.YearBuilt, MinYearBuilt, MaxYear)
	p.optInt("last_inspection_fy", a.LastInspectionFY, MinLastFY, MaxYear)
	p.optInt("health", a.Rating, 1, 4)
	p.equipment("equipment", a.Equipment)
	return p
}

// equipment checks a list of equipment names: each with a price, none twice.
func (p *problems) equipment(path string, names []string) {
	if len(names) > maxEquipments {
		p.add(path, "must list at most %d names, found %d", maxEquipments, len(names))
		return
	}
	prices := DefaultEquipmentPrices()
	seen := map[string]bool{}
	for i, e := range names {
		switch {
		case prices[e] == 0:
			p.add(fmt.Sprintf("%s[%d]", path, i), "%q is not equipment with a price (%s)", e, strings.Join(KnownEquipment(), ", "))
		case seen[e]:
			p.add(fmt.Sprintf("%s[%d]", path, i), "%q is listed twice", e)
		}
		seen[e] = true
	}
}

// ValidateDepot lists the problems of a depot (nil: valid).
func ValidateDepot(d Depot) []solver.InputError {
	var p problems
	p.id("id", d.ID)
	p.text("name", d.Name, MaxTextLen)
	switch d.Kind {
	case "", DepotOffice, DepotDistrict, DepotOther:
	default:
		p.add("kind", "must be office, district or other, found %q", d.Kind)
	}
	if d.Municipality != "" {
		if _, err := NormalizeMunicipalityCode(d.Municipality); err != nil {
			p.add("municipality", "%v", err)
		}
	}
	if !geo.ValidLonLat(d.Lon, d.Lat) {
		p.add("lon", "lon %s, lat %s are not WGS84 degrees (lon -180…180, lat -90…90)", figure(d.Lon), figure(d.Lat))
	}
	return p
}

// ValidateMunicipality lists the problems of a municipality's row (nil: valid); the
// boundary is checked where it is parsed.
func ValidateMunicipality(m Municipality) []solver.InputError {
	var p problems
	if _, err := NormalizeMunicipalityCode(m.Code); err != nil {
		p.add("code", "%v", err)
	}
	p.text("name", m.Name, MaxTextLen)
	p.text("prefecture", m.Prefecture, MaxTextLen)
	p.text("region", m.Region, MaxTextLen)
	p.text("office_name", m.OfficeName, MaxTextLen)
	if !geo.ValidLonLat(m.OfficeLon, m.OfficeLat) {
		p.add("office_lon", "lon %s, lat %s are not WGS84 degrees (lon -180…180, lat -90…90)", figure(m.OfficeLon), figure(m.OfficeLat))
	}
	return p
}

// ValidateCostModel lists the problems of a cost model (nil: valid): every figure finite,
// non-negative and within the bounds of the inventory (a per-metre price up to MaxCostYen,
// so that any estimate stays finite), a cycle of 1–100 years, a damaged factor in
// (0, MaxDamaged] (below 1 is a discount, allowed), at least one kind, only kinds the
// solver knows (KnownKinds), only equipment with a price (KnownEquipment).
func ValidateCostModel(cm *CostModel) []solver.InputError {
	var p problems
	cost := func(path string, x float64) { p.number(path, x, 0, MaxCostYen, " yen") }
	work := func(path string, x float64) { p.number(path, x, 0, MaxWorkload, " person-days") }
	length := func(path string, x float64) { p.number(path, x, 0, MaxLengthM, " m") }
	if cm.InspectionCycleYears < 1 || cm.InspectionCycleYears > 100 {
		p.add("inspection_cycle_years", "must be between 1 and 100 years, found %d", cm.InspectionCycleYears)
	}
	if !(cm.DamagedFactor > 0) || cm.DamagedFactor > MaxDamaged {
		p.add("damaged_factor", "must be a finite number above 0 and at most %d, found %s", MaxDamaged, figure(cm.DamagedFactor))
	}
	cost("over_rail_base", cm.OverRailBase)
	cost("over_rail_per_metre", cm.OverRailPerMetre)
	cost("over_rail_max", cm.OverRailMax)
	work("over_rail_workload", cm.OverRailWorkload)
	length("snooper_min_length_m", cm.SnooperMinLength)
	length("boat_min_length_m", cm.BoatMinLength)
	length("rope_access_min_length_m", cm.RopeAccessMinLength)
	p.number("traffic_control_min_width_m", cm.TrafficControlMinWidth, 0, MaxWidthM, " m")
	if len(cm.Kinds) == 0 {
		p.add("kinds", "must price at least one kind")
	}
	kinds := make([]string, 0, len(cm.Kinds))
	for k := range cm.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	disciplines := solver.DefaultDisciplines()
	for _, k := range kinds {
		kc := cm.Kinds[k]
		path := "kinds." + k
		if _, known := disciplines[k]; !known {
			p.add(path, "%q is not a kind the solver knows (%s)", k, strings.Join(KnownKinds(), ", "))
		}
		cost(path+".base", kc.Base)
		cost(path+".per_metre", kc.PerMetre)
		work(path+".workload", kc.Workload)
		work(path+".workload_per_metre", kc.WorkloadPerMetre)
		p.equipment(path+".equipment", kc.Equipment)
	}
	return p
}

// invalid is the error of a write that breaks the rules: nil when probs is empty.
func invalid(probs []solver.InputError) error {
	if len(probs) == 0 {
		return nil
	}
	return &solver.ValidationError{Problems: probs}
}

// validateAssets checks assets against the stored cost model, the path of each problem
// naming the asset (assets[RT-1].length_m); figuresOnly applies the checks a run needs.
func (s *Store) validateAssets(ctx context.Context, assets []Asset, figuresOnly bool) error {
	stored, err := s.CostModel(ctx)
	if err != nil {
		return err
	}
	return validateAssetsWith(assets, stored.Model, figuresOnly, len(assets) > 1)
}

func validateAssetsWith(assets []Asset, cm *CostModel, figuresOnly, named bool) error {
	var all []solver.InputError
	for _, a := range assets {
		probs := assetFigures(a, cm)
		if !figuresOnly {
			probs = ValidateAsset(a, cm)
		}
		for _, p := range probs {
			if named {
				p.Path = "assets[" + a.ID + "]." + p.Path
			}
			all = append(all, p)
		}
	}
	return invalid(all)
}
