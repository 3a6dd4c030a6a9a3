// Package planout writes a solved plan (solver.Report with its instance) in the forms
// people and other tools read — an RFC 7946 GeoJSON map, a CSV of assets and contracts,
// each municipality's share — and compares two plans. It is the HTTP API's plan formats
// (GET /runs/{id}/plan.geojson, plan.csv, shares, compare) without HTTP, so that the
// CLI can write the same files.
package planout

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/geo"
	"github.com/tabane/tabane/solver"
)

// outlineEps is how far (degrees, about 50 m) a bundle's outline reaches around its assets
// when they are too few or in a line to span an area.
const outlineEps = 0.0005

// bundleOutline is the convex hull of a bundle's assets: a closed counter-clockwise ring
// of at least four positions (RFC 7946), widened around degenerate sets.
func bundleOutline(pts []orb.Point) orb.Polygon {
	ring := geo.ConvexHull(pts)
	if len(ring) < 4 {
		var wide []orb.Point
		for _, p := range pts {
			wide = append(wide, orb.Point{p[0] - outlineEps, p[1] - outlineEps}, orb.Point{p[0] + outlineEps, p[1] - outlineEps},
				orb.Point{p[0] + outlineEps, p[1] + outlineEps}, orb.Point{p[0] - outlineEps, p[1] + outlineEps})
		}
		ring = geo.ConvexHull(wide)
	}
	return orb.Polygon{ring}
}

// GeoJSON is the plan as an RFC 7946 FeatureCollection: one outline Polygon per bundle
// (role "outline"), the depots that run a bundle (role "depot"), and every asset of the
// instance (role "asset"; bundle null when the asset is in no bundle, e.g. of a
// municipality that does not take part). An instance without depots runs its bundles
// from the municipalities' offices (data.OfficeDepotID).
func GeoJSON(rep *solver.Report, inst *solver.Instance) ([]byte, error) {
	return geoJSON(rep, inst, nil)
}

// ProgrammeYears are the years of a programme plan (docs/programme.md): Lots maps a lot
// to the first year of its block, Schedule an asset to its inspection year.
type ProgrammeYears struct {
	Lots     map[string]int
	Schedule map[string]int
}

// ProgrammeGeoJSON is GeoJSON for a programme plan (its evaluation's bundles as rep): every
// feature also has "fy" — an outline's and a depot's the first year of the lot's block,
// an asset's its inspection year (null when it is in no lot: due after the horizon, or of
// a municipality that does not take part).
func ProgrammeGeoJSON(rep *solver.Report, inst *solver.Instance, years ProgrammeYears) ([]byte, error) {
	return geoJSON(rep, inst, &years)
}

// geoJSON writes GeoJSON's FeatureCollection, with the fy members when years is not nil.
func geoJSON(rep *solver.Report, inst *solver.Instance, years *ProgrammeYears) ([]byte, error) {
	fy := func(m map[string]int, id string) any {
		if y, ok := m[id]; ok {
			return y
		}
		return nil
	}
	assetAt := map[string]int{}
	for i, a := range inst.Assets {
		assetAt[a.ID] = i
	}
	depots := map[string]solver.Depot{}
	for _, d := range inst.Depots {
		depots[d.ID] = d
	}
	if len(inst.Depots) == 0 {
		for _, m := range inst.Municipalities {
			depots[data.OfficeDepotID(m.Code)] = solver.Depot{ID: data.OfficeDepotID(m.Code), Name: m.Name, Lon: m.Office.Lon, Lat: m.Office.Lat}
		}
	}
	fc := geojson.NewFeatureCollection()
	bundleOf := map[string]string{}
	for _, b := range rep.Bundles {
		var pts []orb.Point
		for _, id := range b.Assets {
			bundleOf[id] = b.ID
			if i, ok := assetAt[id]; ok {
				pts = append(pts, orb.Point{inst.Assets[i].Lon, inst.Assets[i].Lat})
			}
		}
		if len(pts) > 0 {
			f := geojson.NewFeature(bundleOutline(pts))
			f.ID = "outline-" + b.ID
			f.Properties = geojson.Properties{"bundle": b.ID, "role": "outline", "depot": b.Depot, "cost": b.Breakdown.Total,
				"asset_count": b.AssetCount, "municipalities": b.Municipalities}
			if years != nil {
				f.Properties["fy"] = fy(years.Lots, b.ID)
			}
			fc.Append(f)
		}
	}
	for _, b := range rep.Bundles {
		if d, ok := depots[b.Depot]; ok {
			f := geojson.NewFeature(orb.Point{d.Lon, d.Lat})
			f.ID = "depot-" + d.ID
			f.Properties = geojson.Properties{"id": d.ID, "role": "depot", "bundle": b.ID, "name": d.Name}
			if years != nil {
				f.Properties["fy"] = fy(years.Lots, b.ID)
			}
			fc.Append(f)
		}
	}
	for _, a := range inst.Assets {
		f := geojson.NewFeature(orb.Point{a.Lon, a.Lat})
		f.ID = a.ID
		var bundle any
		if b, ok := bundleOf[a.ID]; ok {
			bundle = b
		}
		name := ""
		if raw, ok := a.Extra["name"]; ok {
			_ = json.Unmarshal(raw, &name)
		}
		f.Properties = geojson.Properties{"id": a.ID, "role": "asset", "bundle": bundle, "kind": a.Kind,
			"municipality": a.Municipality, "name": name, "cost": a.Cost}
		if years != nil {
			f.Properties["fy"] = fy(years.Schedule, a.ID)
		}
		fc.Append(f)
	}
	return fc.MarshalJSON()
}

// CSVColumns are the columns of the plan CSV: one row per asset in a lot (bundle), for a
// spreadsheet or a GIS (lon, lat in WGS84 degrees; cost the asset's estimated direct cost
// in the instance; fy the fiscal year of the asset's inspection).
var CSVColumns = []string{"asset_id", "name", "municipality", "municipality_name", "kind", "lon", "lat", "cost", "fy", "lot", "depot"}

// CSVRows are the rows of the plan CSV (CSVColumns) in plan order. fy gives the fiscal
// year of an asset in a lot (nil: empty): the caller knows it (a programme's schedule, or
// the scenario's year). An id the instance does not have keeps its lot and depot, the rest
// empty.
func CSVRows(rep *solver.Report, inst *solver.Instance, fy func(lot, asset string) string) [][]string {
	byID := map[string]*solver.Asset{}
	for i := range inst.Assets {
		byID[inst.Assets[i].ID] = &inst.Assets[i]
	}
	muniName := map[string]string{}
	for _, m := range inst.Municipalities {
		muniName[m.Code] = m.Name
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	var rows [][]string
	for _, b := range rep.Bundles {
		for _, id := range b.Assets {
			year := ""
			if fy != nil {
				year = fy(b.ID, id)
			}
			a := byID[id]
			if a == nil {
				rows = append(rows, []string{id, "", "", "", "", "", "", "", year, b.ID, b.Depot})
				continue
			}
			name := ""
			if raw, ok := a.Extra["name"]; ok {
				_ = json.Unmarshal(raw, &name)
			}
			rows = append(rows, []string{id, name, a.Municipality, muniName[a.Municipality], a.Kind,
				num(a.Lon), num(a.Lat), num(a.Cost), year, b.ID, b.Depot})
		}
	}
	return rows
}

// WriteCSV writes the plan CSV: CSVColumns, then CSVRows.
func WriteCSV(w io.Writer, rep *solver.Report, inst *solver.Instance, fy func(lot, asset string) string) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(CSVColumns)
	_ = cw.WriteAll(CSVRows(rep, inst, fy))
	cw.Flush()
	return cw.Error()
}

// Share is one municipality's line of a plan's shares.
type Share struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Standalone  float64 `json:"standalone"`
	Share       float64 `json:"share"`
	Saving      float64 `json:"saving"`
	SavingPct   float64 `json:"saving_pct"`
	IRViolation bool    `json:"ir_violation"`
}

// Shares are, per municipality in the plan, its standalone cost, its Shapley share of
// the bundles it is in, the saving and whether the share breaks individual
// rationality; sorted by code. The shares add up to the plan's cost.
func Shares(rep *solver.Report, inst *solver.Instance) []Share {
	names := map[string]string{}
	for _, m := range inst.Municipalities {
		names[m.Code] = m.Name
	}
	ir := map[string]bool{}
	for _, code := range rep.IRViolations {
		ir[code] = true
	}
	codes := map[string]bool{}
	for k := range rep.Shares {
		codes[k] = true
	}
	for k := range rep.Standalone {
		codes[k] = true
	}
	rows := make([]Share, 0, len(codes))
	for code := range codes {
		r := Share{Code: code, Name: names[code], Standalone: rep.Standalone[code], Share: rep.Shares[code], IRViolation: ir[code]}
		r.Saving = r.Standalone - r.Share
		if r.Standalone > 0 {
			r.SavingPct = 100 * r.Saving / r.Standalone
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Code < rows[j].Code })
	return rows
}

// Moved is an asset whose contract differs between two plans: another depot, or in one
// plan only (from or to null).
type Moved struct {
	Asset     string  `json:"asset"`
	From      *string `json:"from"`
	To        *string `json:"to"`
	FromDepot *string `json:"from_depot"`
	ToDepot   *string `json:"to_depot"`
}

// Compare lists, by asset id, the assets that changed contract from plan a to plan b.
// Bundle ids are labels local to a plan, so an asset moved when the depot running its
// bundle differs (or it is in one plan only).
func Compare(a, b *solver.Report) []Moved {
	type where struct{ bundle, depot string }
	place := func(p *solver.Report) map[string]where {
		m := map[string]where{}
		for _, b := range p.Bundles {
			for _, a := range b.Assets {
				m[a] = where{b.ID, b.Depot}
			}
		}
		return m
	}
	wa, wb := place(a), place(b)
	ids := map[string]bool{}
	for k := range wa {
		ids[k] = true
	}
	for k := range wb {
		ids[k] = true
	}
	list := make([]string, 0, len(ids))
	for k := range ids {
		list = append(list, k)
	}
	sort.Strings(list)
	out := []Moved{}
	str := func(s string) *string { return &s }
	for _, id := range list {
		x, inA := wa[id]
		y, inB := wb[id]
		if inA && inB && x.depot == y.depot {
			continue
		}
		m := Moved{Asset: id}
		if inA {
			m.From, m.FromDepot = str(x.bundle), str(x.depot)
		}
		if inB {
			m.To, m.ToDepot = str(y.bundle), str(y.depot)
		}
		out = append(out, m)
	}
	return out
}
