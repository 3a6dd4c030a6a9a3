package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/geo"
	"github.com/tabane/tabane/solver"
)

// storedPlan is the part of a stored plan report (jobs.PlanReport) the plan formats read.
type storedPlan struct {
	Instance        string             `json:"instance"`
	Bundles         []planBundle       `json:"bundles"`
	Cost            float64            `json:"cost"`
	Standalone      map[string]float64 `json:"standalone"`
	StandaloneTotal float64            `json:"standalone_total"`
	Shares          map[string]float64 `json:"shares"`
	IRViolations    []string           `json:"ir_violations"`
}

// planBundle is a bundle of a stored plan report, with a programme lot's fiscal year.
type planBundle struct {
	solver.BundleReport
	FY *int `json:"fy,omitempty"`
}

// runPlanData loads a run's plan report and its instance.
func (s *Server) runPlanData(c echo.Context, param string) (data.Run, *storedPlan, *solver.Instance, error) {
	run, err := s.runParam(c, param)
	if err != nil {
		return run, nil, nil, err
	}
	ctx := c.Request().Context()
	raw, err := s.store.RunPlan(ctx, run.ID)
	if err != nil {
		return run, nil, nil, planningError(err)
	}
	var p storedPlan
	if err := json.Unmarshal(raw, &p); err != nil {
		return run, nil, nil, fmt.Errorf("plan of run %d: %w", run.ID, err)
	}
	instRaw, err := s.store.RunInstance(ctx, run.ID)
	if err != nil {
		return run, nil, nil, planningError(err)
	}
	inst, err := solver.ParseInstance(instRaw)
	if err != nil {
		return run, nil, nil, fmt.Errorf("instance of run %d: %w", run.ID, err)
	}
	return run, &p, inst, nil
}

// runPlan: GET /api/v1/runs/{id}/plan — the plan report as the run saved it; 404 when the
// run has no plan (queued, running, failed, or cancelled before the first plan).
func (s *Server) runPlan(c echo.Context) error {
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	raw, err := s.store.RunPlan(c.Request().Context(), run.ID)
	if err != nil {
		return planningError(err)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, raw)
}

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

// runPlanGeoJSON: GET /api/v1/runs/{id}/plan.geojson — an RFC 7946 FeatureCollection: one
// outline Polygon per bundle (role "outline"), the depots that run a bundle (role
// "depot"), and every asset of the instance (role "asset"; bundle null when the asset is
// in no bundle, e.g. of a municipality that does not take part).
func (s *Server) runPlanGeoJSON(c echo.Context) error {
	run, p, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return err
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
	for _, b := range p.Bundles {
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
			fc.Append(f)
		}
	}
	for _, b := range p.Bundles {
		if d, ok := depots[b.Depot]; ok {
			f := geojson.NewFeature(orb.Point{d.Lon, d.Lat})
			f.ID = "depot-" + d.ID
			f.Properties = geojson.Properties{"id": d.ID, "role": "depot", "bundle": b.ID, "name": d.Name}
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
		fc.Append(f)
	}
	b, err := fc.MarshalJSON()
	if err != nil {
		return fmt.Errorf("plan.geojson of run %d: %w", run.ID, err)
	}
	attachment(c, fmt.Sprintf("run-%d-plan.geojson", run.ID))
	return c.Blob(http.StatusOK, "application/geo+json", b)
}

// planCSVColumns are the columns of plan.csv: one row per asset in a lot (bundle), for a
// spreadsheet or a GIS (lon, lat as WGS84 degrees).
var planCSVColumns = []string{"asset_id", "name", "municipality", "municipality_name", "kind", "lon", "lat", "cost", "fy", "lot", "depot"}

// runPlanCSV: GET /api/v1/runs/{id}/plan.csv[?bom=true] — one row per asset in a lot:
// planCSVColumns. cost is the asset's estimated direct cost in the run's instance; fy is
// the lot's fiscal year (a programme lot's block) or the scenario's; bom=true writes a
// UTF-8 byte-order mark for Excel.
func (s *Server) runPlanCSV(c echo.Context) error {
	run, p, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return err
	}
	byID := map[string]*solver.Asset{}
	for i := range inst.Assets {
		byID[inst.Assets[i].ID] = &inst.Assets[i]
	}
	muniName := map[string]string{}
	for _, m := range inst.Municipalities {
		muniName[m.Code] = m.Name
	}
	scenarioFY := ""
	if run.ScenarioID != nil {
		if sc, err := s.store.Scenario(c.Request().Context(), *run.ScenarioID); err == nil {
			scenarioFY = strconv.Itoa(sc.FiscalYear)
		} // a deleted scenario leaves fy empty rather than failing the download
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	var rows [][]string
	for _, b := range p.Bundles {
		fy := scenarioFY
		if b.FY != nil {
			fy = strconv.Itoa(*b.FY)
		}
		for _, id := range b.Assets {
			a := byID[id]
			if a == nil {
				rows = append(rows, []string{id, "", "", "", "", "", "", "", fy, b.ID, b.Depot})
				continue
			}
			name := ""
			if raw, ok := a.Extra["name"]; ok {
				_ = json.Unmarshal(raw, &name)
			}
			rows = append(rows, []string{id, name, a.Municipality, muniName[a.Municipality], a.Kind,
				num(a.Lon), num(a.Lat), num(a.Cost), fy, b.ID, b.Depot})
		}
	}
	return writeCSV(c, fmt.Sprintf("run-%d-plan", run.ID), planCSVColumns, rows)
}

// shareRow is one municipality's line of GET /api/v1/runs/{id}/shares.
type shareRow struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Standalone  float64 `json:"standalone"`
	Share       float64 `json:"share"`
	Saving      float64 `json:"saving"`
	SavingPct   float64 `json:"saving_pct"`
	IRViolation bool    `json:"ir_violation"`
}

// runShares: GET /api/v1/runs/{id}/shares — per municipality in the plan: its standalone
// cost, its Shapley share of the bundles it is in, the saving and whether the share breaks
// individual rationality. Sorted by code; the shares add up to the plan's cost.
func (s *Server) runShares(c echo.Context) error {
	_, p, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return err
	}
	q := c.QueryParams()
	limit, err := intParam(q, "limit", MaxPageSize, 1, MaxPageSize)
	if err != nil {
		return err
	}
	offset, err := intParam(q, "offset", 0, 0, -1)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, m := range inst.Municipalities {
		names[m.Code] = m.Name
	}
	ir := map[string]bool{}
	for _, code := range p.IRViolations {
		ir[code] = true
	}
	codes := map[string]bool{}
	for k := range p.Shares {
		codes[k] = true
	}
	for k := range p.Standalone {
		codes[k] = true
	}
	rows := make([]shareRow, 0, len(codes))
	for code := range codes {
		r := shareRow{Code: code, Name: names[code], Standalone: p.Standalone[code], Share: p.Shares[code], IRViolation: ir[code]}
		r.Saving = r.Standalone - r.Share
		if r.Standalone > 0 {
			r.SavingPct = 100 * r.Saving / r.Standalone
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Code < rows[j].Code })
	total := len(rows)
	rows = rows[min(offset, total):min(offset+limit, total)]
	out := page[shareRow]{Items: rows, Total: total, Limit: limit, Offset: offset}
	if offset+len(rows) < total {
		out.Next = c.Request().URL.Path + "?limit=" + strconv.Itoa(limit) + "&offset=" + strconv.Itoa(offset+limit)
	}
	return c.JSON(http.StatusOK, out)
}

// compareSide is one run's totals in a comparison.
type compareSide struct {
	Run int64 `json:"run"`
	*data.RunSummary
}

// moved is an asset whose contract differs between two plans: another depot, or in one
// plan only (from or to null).
type moved struct {
	Asset     string  `json:"asset"`
	From      *string `json:"from"`
	To        *string `json:"to"`
	FromDepot *string `json:"from_depot"`
	ToDepot   *string `json:"to_depot"`
}

// compareRuns: GET /api/v1/runs/{a}/compare/{b} — both runs' totals, and the assets that
// changed contract. Bundle ids are labels local to a plan, so an asset moved when the
// depot running its bundle differs (or it is in one plan only).
func (s *Server) compareRuns(c echo.Context) error {
	ra, pa, _, err := s.runPlanData(c, "a")
	if err != nil {
		return err
	}
	rb, pb, _, err := s.runPlanData(c, "b")
	if err != nil {
		return err
	}
	type where struct{ bundle, depot string }
	place := func(p *storedPlan) map[string]where {
		m := map[string]where{}
		for _, b := range p.Bundles {
			for _, a := range b.Assets {
				m[a] = where{b.ID, b.Depot}
			}
		}
		return m
	}
	wa, wb := place(pa), place(pb)
	ids := map[string]bool{}
	for k := range wa {
		ids[k] = true
	}
	for k := range wb {
		ids[k] = true
	}
	var list []string
	for k := range ids {
		list = append(list, k)
	}
	sort.Strings(list)
	out := struct {
		A          compareSide `json:"a"`
		B          compareSide `json:"b"`
		Moved      []moved     `json:"moved"`
		MovedCount int         `json:"moved_count"`
	}{A: compareSide{ra.ID, ra.Summary}, B: compareSide{rb.ID, rb.Summary}, Moved: []moved{}}
	str := func(s string) *string { return &s }
	for _, id := range list {
		x, inA := wa[id]
		y, inB := wb[id]
		if inA && inB && x.depot == y.depot {
			continue
		}
		m := moved{Asset: id}
		if inA {
			m.From, m.FromDepot = str(x.bundle), str(x.depot)
		}
		if inB {
			m.To, m.ToDepot = str(y.bundle), str(y.depot)
		}
		out.Moved = append(out.Moved, m)
	}
	out.MovedCount = len(out.Moved)
	return c.JSON(http.StatusOK, out)
}
