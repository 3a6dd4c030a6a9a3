package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/geo"
	"github.com/tabane/tabane/solver"
)

func (s *Server) registerGroups(g *echo.Group) {
	g.POST("/groups", s.postGroups, bodyLimit("64K"))
}

// groupsRequest is the body of POST /api/v1/groups.
type groupsRequest struct {
	// K asks for exactly K groups balanced by weight; Floor (and Cap) for as many groups
	// as possible, each weighing at least Floor (at most Cap). Exactly one of K, Floor.
	K     *int     `json:"k"`
	Floor *float64 `json:"floor"`
	Cap   *float64 `json:"cap"`
	// By is the weight: workload (person-days, default), value (direct cost, yen) or
	// assets (count) of the assets that fall due in FiscalYear (all assets when absent).
	By         string `json:"by"`
	FiscalYear *int   `json:"fiscal_year"`
	Seed       uint64 `json:"seed"`
	Attempts   int    `json:"attempts"`
	// Compactness weighs compactness against balance with k (default 0.1; 0 balance only).
	Compactness *float64 `json:"compactness"`
	// Outline of a group: dissolve (union of the members' boundaries, default), convex or
	// concave (hulls of their vertices).
	Outline string `json:"outline"`
	// ToleranceM: boundaries closer than this are neighbours (default 25).
	ToleranceM *float64 `json:"tolerance_m"`
	// Islands: connect (islands and exclaves to their nearest neighbour, default) or leave.
	Islands string `json:"islands"`
	// Municipalities restricts the grouping to these codes (default: every participating one).
	Municipalities []string `json:"municipalities"`
	// SaveAsScenario writes the groups as the regions of that scenario (code → group
	// id); its participation, filter and fiscal year (unless given) choose the weights.
	SaveAsScenario *int64 `json:"save_as_scenario"`
	// LockRegions, with SaveAsScenario, also sets the scenario's params.region_locked, so
	// that every contract stays inside one group.
	LockRegions bool `json:"lock_regions"`
}

// postGroups: POST /api/v1/groups → a GeoJSON FeatureCollection with one feature per
// regional group (地域インフラ群): its members (codes and names), weight and outline.
// Infeasible requests are a 422 naming every reason.
func (s *Server) postGroups(c echo.Context) error {
	var req groupsRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	var errs fieldErrors
	if (req.K == nil) == (req.Floor == nil) {
		errs.add("k", "give exactly one of k (number of groups) or floor (least weight of a group, with an optional cap)")
	}
	if req.K != nil && *req.K < 1 {
		errs.add("k", "must be at least 1, found %d", *req.K)
	}
	if req.Floor != nil && (*req.Floor < 0 || math.IsInf(*req.Floor, 0)) {
		errs.add("floor", "must be a finite number ≥ 0, found %g", *req.Floor)
	}
	if req.Cap != nil && (*req.Cap < 0 || (req.Floor != nil && *req.Cap > 0 && *req.Cap < *req.Floor)) {
		errs.add("cap", "must be ≥ floor (0: no cap), found %g", *req.Cap)
	}
	if req.Cap != nil && req.K != nil {
		errs.add("cap", "goes with floor, not with k")
	}
	if req.By == "" {
		req.By = "workload"
	}
	if _, err := data.ParseWeightBy(req.By); err != nil {
		errs.add("by", "%v", err)
	}
	if req.Outline == "" {
		req.Outline = "dissolve"
	}
	if req.Outline != "dissolve" && req.Outline != "convex" && req.Outline != "concave" {
		errs.add("outline", "must be dissolve, convex or concave, found %q", req.Outline)
	}
	islands := geo.IslandsConnect
	switch req.Islands {
	case "", "connect":
	case "leave":
		islands = geo.IslandsLeave
	default:
		errs.add("islands", "must be connect or leave, found %q", req.Islands)
	}
	tol := 25.0
	if req.ToleranceM != nil {
		if *req.ToleranceM < 0 || *req.ToleranceM > 10_000 {
			errs.add("tolerance_m", "must be between 0 and 10000 metres, found %g", *req.ToleranceM)
		}
		tol = *req.ToleranceM
	}
	if req.FiscalYear != nil && (*req.FiscalYear < 1989 || *req.FiscalYear > 2200) {
		errs.add("fiscal_year", "must be between 1989 and 2200, found %d", *req.FiscalYear)
	}
	only := map[string]bool{}
	for i, code := range req.Municipalities {
		c, err := data.NormalizeMunicipalityCode(code)
		if err != nil {
			errs.add(fmt.Sprintf("municipalities[%d]", i), "%v", err)
		}
		only[c] = true
	}
	if err := errs.problem("groups request"); err != nil {
		return err
	}

	ctx := c.Request().Context()
	var inst *solver.Instance
	var sc data.Scenario
	var err error
	if req.SaveAsScenario != nil {
		if sc, err = s.store.Scenario(ctx, *req.SaveAsScenario); err != nil {
			return planningError(err)
		}
		if req.FiscalYear != nil {
			sc.FiscalYear = *req.FiscalYear
		}
		inst, err = s.store.ScenarioInstance(ctx, sc)
	} else {
		opt := data.InstanceOptions{AllAssets: req.FiscalYear == nil}
		if req.FiscalYear != nil {
			opt.FiscalYear = *req.FiscalYear
		}
		inst, err = s.store.Instance(ctx, opt)
	}
	if err != nil {
		return planningError(err)
	}
	regions, err := s.groupRegions(c, inst, req.By, only)
	if err != nil {
		return err
	}
	g, _, err := geo.Adjacency(regions, geo.AdjacencyOptions{Method: geo.MethodAuto, ToleranceM: tol, Islands: islands})
	if err != nil {
		return invalid(err.Error())
	}
	opt := geo.GroupOptions{Seed: req.Seed, Attempts: req.Attempts}
	if req.Compactness != nil {
		opt.Compactness = *req.Compactness
		if opt.Compactness == 0 {
			opt.Compactness = -1 // balance only
		}
	}
	var res geo.Grouping
	if req.K != nil {
		res, err = geo.GroupsK(regions, g, *req.K, opt)
	} else {
		capW := 0.0
		if req.Cap != nil {
			capW = *req.Cap
		}
		res, err = geo.GroupsMaxP(regions, g, *req.Floor, capW, opt)
	}
	var inf *geo.InfeasibleError
	if errors.As(err, &inf) {
		p := &Problem{Type: ProblemInfeasible, Title: "No grouping meets the request", Status: http.StatusUnprocessableEntity,
			Detail: inf.Error()}
		for _, msg := range inf.Problems {
			p.Errors = append(p.Errors, solver.InputError{Path: "groups", Msg: msg})
		}
		return p
	}
	if err != nil {
		return invalid(err.Error())
	}

	fc := geojson.NewFeatureCollection()
	total := 0.0
	for _, grp := range res.Groups {
		total += grp.Weight
	}
	regionsOf := map[string]string{}
	for gi, grp := range res.Groups {
		id := fmt.Sprintf("G%02d", gi+1)
		f := geojson.NewFeature(groupGeometry(regions, grp, req.Outline, tol))
		f.ID = id
		names := make([]string, len(grp.Members))
		for m, u := range grp.Members {
			names[m] = regions[u].Name
			regionsOf[regions[u].Code] = id
		}
		share := 0.0
		if total > 0 {
			share = grp.Weight / total
		}
		f.Properties["id"] = id
		f.Properties["members"] = grp.Codes
		f.Properties["names"] = names
		f.Properties["weight"] = grp.Weight
		f.Properties["weight_share"] = share
		f.Properties["center"] = []float64{grp.Center[0], grp.Center[1]}
		f.Properties["rms_radius_km"] = math.Sqrt(grp.SpreadKm2 / float64(len(grp.Members)))
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"weight_by": req.By, "groups": len(res.Groups), "total_weight": total,
		"max_imbalance": res.MaxImbalance, "outline": req.Outline, "neighbour_pairs": len(g.Edges)}
	if req.FiscalYear != nil {
		fc.ExtraMembers["fiscal_year"] = *req.FiscalYear
	}
	if req.SaveAsScenario != nil {
		sc.Regions = regionsOf
		if req.LockRegions {
			sc.Params.RegionLocked = true
		}
		if _, err := s.store.UpdateScenario(ctx, sc); err != nil {
			return planningError(err)
		}
		fc.ExtraMembers["scenario"] = sc.ID
		fc.ExtraMembers["fiscal_year"] = sc.FiscalYear
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, GeoJSONContentType, b)
}

// groupRegions are the participating municipalities of the instance (restricted to
// only when given), with their boundaries and offices, weighted by their assets.
func (s *Server) groupRegions(c echo.Context, inst *solver.Instance, by string, only map[string]bool) ([]geo.Region, error) {
	munis, err := s.store.Municipalities(c.Request().Context(), true)
	if err != nil {
		return nil, err
	}
	boundary := map[string]orb.Geometry{}
	for _, m := range munis {
		if len(m.Boundary) == 0 {
			continue
		}
		g, err := geojson.UnmarshalGeometry(m.Boundary)
		if err != nil {
			return nil, fmt.Errorf("municipality %s: boundary: %w", m.Code, err)
		}
		boundary[m.Code] = g.Geometry()
	}
	weight, err := data.RegionWeights(inst, by)
	if err != nil {
		return nil, invalidParameter("by", "%v", err)
	}
	var regions []geo.Region
	seen := map[string]bool{}
	for _, m := range inst.Municipalities {
		if !m.Participating() || (len(only) > 0 && !only[m.Code]) {
			continue
		}
		seen[m.Code] = true
		regions = append(regions, geo.Region{Code: m.Code, Name: m.Name, Geometry: boundary[m.Code],
			Office: orb.Point{m.Office.Lon, m.Office.Lat}, Weight: weight[m.Code]})
	}
	var missing []string
	for code := range only {
		if !seen[code] {
			missing = append(missing, code)
		}
	}
	sort.Strings(missing)
	var errs fieldErrors
	for _, code := range missing {
		errs.add("municipalities", "%s is not a participating municipality of the inventory (or scenario)", code)
	}
	if err := errs.problem("groups request"); err != nil {
		return nil, err
	}
	if len(regions) == 0 {
		return nil, invalid("no participating municipality to group")
	}
	return regions, nil
}

// groupGeometry is a group's outline: the dissolved union of its members' boundaries
// (a failed dissolve falls back to the convex hull), or a hull of their vertices; without
// boundaries, the members' offices (a Point or MultiPoint).
func groupGeometry(regions []geo.Region, grp geo.Group, method string, tolM float64) orb.Geometry {
	var geoms []orb.Geometry
	var pts, offices []orb.Point
	for _, u := range grp.Members {
		offices = append(offices, regions[u].Anchor())
		switch t := regions[u].Geometry.(type) {
		case orb.Polygon:
			geoms = append(geoms, t)
			pts = append(pts, t[0]...)
		case orb.MultiPolygon:
			geoms = append(geoms, t)
			for _, p := range t {
				pts = append(pts, p[0]...)
			}
		}
	}
	if len(geoms) < len(grp.Members) {
		if len(offices) == 1 {
			return offices[0]
		}
		return orb.MultiPoint(offices)
	}
	switch method {
	case "dissolve":
		if mp, err := geo.Dissolve(geoms, math.Min(tolM, 1)); err == nil {
			if len(mp) == 1 {
				return mp[0]
			}
			return mp
		}
	case "concave":
		return orb.Polygon{geo.ConcaveHull(pts, geo.ConcaveOptions{})}
	}
	return orb.Polygon{geo.ConvexHull(pts)}
}
