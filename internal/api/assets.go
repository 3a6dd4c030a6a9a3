package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

func (s *Server) registerAssets(g *echo.Group) {
	g.GET("/assets", s.listAssets)
	g.POST("/assets", s.createAsset, bodyLimit(inventoryBodyLimit))
	g.GET("/assets/:id", s.getAsset)
	g.PATCH("/assets/:id", s.patchAsset, bodyLimit(inventoryBodyLimit))
	g.DELETE("/assets/:id", s.deleteAsset)
}

// derived is what the cost model makes of an asset: the cost, workload and equipment
// the solver gets (explicit inventory values win) and why.
type derived struct {
	Cost      *float64 `json:"cost"`
	Workload  *float64 `json:"workload"`
	Equipment []string `json:"equipment"`
	Why       []string `json:"why"`
	// WhyCodes are the same reasons as stable codes with their figures, for a reader
	// that says them in another language (the page in Japanese).
	WhyCodes []data.Reason `json:"why_codes"`
}

// assetView is an asset as the API shows it (docs/api-contract.md). health is the
// 健全性 rating 1–4 (= I–IV); cost, workload and equipment are the inventory's explicit
// values (absent or null: estimated), derived what the model uses.
type assetView struct {
	ID               string    `json:"id"`
	Municipality     string    `json:"municipality"`
	Kind             string    `json:"kind"`
	Name             string    `json:"name"`
	Lon              float64   `json:"lon"`
	Lat              float64   `json:"lat"`
	LengthM          *float64  `json:"length_m"`
	WidthM           *float64  `json:"width_m"`
	YearBuilt        *int      `json:"year_built"`
	Health           *int      `json:"health"`
	LastInspectionFY *int      `json:"last_inspection_fy"`
	DueFY            *int      `json:"due_fy"`
	OverRail         bool      `json:"over_rail"`
	OverWater        bool      `json:"over_water"`
	Cost             *float64  `json:"cost,omitempty"`
	Workload         *float64  `json:"workload,omitempty"`
	Equipment        *[]string `json:"equipment,omitempty"` // absent: estimated; []: explicitly none
	Derived          derived   `json:"derived"`
}

func viewAsset(a data.Asset, cm *data.CostModel) assetView {
	v := assetView{ID: a.ID, Municipality: a.Municipality, Kind: a.Kind, Name: a.Name, Lon: a.Lon, Lat: a.Lat,
		LengthM: finiteOrNil(a.LengthM), WidthM: finiteOrNil(a.WidthM), YearBuilt: a.YearBuilt, Health: a.Rating,
		LastInspectionFY: a.LastInspectionFY, OverRail: a.OverRail, OverWater: a.OverWater,
		Cost: finiteOrNil(a.Cost), Workload: finiteOrNil(a.Workload)}
	if a.Equipment != nil {
		eq := a.Equipment
		v.Equipment = &eq
	}
	if a.LastInspectionFY != nil {
		due := *a.LastInspectionFY + cm.InspectionCycleYears
		v.DueFY = &due
	}
	e, why, codes, err := cm.ExplainCoded(a)
	if err != nil {
		code := data.Reason{Part: "error", Code: "invalid_figures"}
		if _, known := cm.Kinds[a.Kind]; !known {
			code = data.Reason{Part: "error", Code: "unpriced_kind", Args: map[string]any{"kind": a.Kind}}
		}
		v.Derived = derived{Equipment: []string{}, Why: []string{err.Error()}, WhyCodes: []data.Reason{code}}
		return v
	}
	if e.Equipment == nil {
		e.Equipment = []string{}
	}
	v.Derived = derived{Cost: &e.Cost, Workload: &e.Workload, Equipment: e.Equipment, Why: why, WhyCodes: codes}
	return v
}

// assetColumns are the CSV export's columns; the import reads the same names back.
var assetCSVColumns = []string{"id", "municipality", "kind", "name", "lon", "lat", "length_m", "width_m", "year_built",
	"health", "last_inspection_fy", "over_rail", "over_water", "cost", "workload", "equipment",
	"derived_cost", "derived_workload", "derived_equipment"}

func assetCSVRow(v assetView) []string {
	equip := ""
	if v.Equipment != nil {
		equip = strings.Join(*v.Equipment, ";")
		if equip == "" {
			equip = "none"
		}
	}
	return []string{v.ID, v.Municipality, v.Kind, v.Name, strconv.FormatFloat(v.Lon, 'f', -1, 64),
		strconv.FormatFloat(v.Lat, 'f', -1, 64), fmtFloat(v.LengthM), fmtFloat(v.WidthM), fmtInt(v.YearBuilt),
		fmtInt(v.Health), fmtInt(v.LastInspectionFY), strconv.FormatBool(v.OverRail), strconv.FormatBool(v.OverWater),
		fmtFloat(v.Cost), fmtFloat(v.Workload), equip, fmtFloat(v.Derived.Cost), fmtFloat(v.Derived.Workload),
		strings.Join(v.Derived.Equipment, ";")}
}

// listAssets: GET /api/v1/assets?municipality=29201&kind=bridge&bbox=minLon,minLat,maxLon,maxLat
// &due=2027&limit=100&offset=0[&format=geojson|csv]. municipality takes 5 or 6 digits;
// due keeps the assets that fall due in that fiscal year under the cost model's cycle.
// The JSON page carries the total and, when more assets follow, a next link (also a
// Link header, rel="next").
func (s *Server) listAssets(c echo.Context) error {
	q := c.QueryParams()
	format, err := listFormat(c)
	if err != nil {
		return err
	}
	f := data.AssetFilter{}
	if f.Kind, err = assetKindParam(q.Get("kind")); err != nil {
		return err
	}
	if v := q.Get("municipality"); v != "" {
		code, err := data.NormalizeMunicipalityCode(v)
		if err != nil {
			return invalidParameter("municipality", "%v", err)
		}
		f.Municipality = code
	}
	if f.Limit, f.Offset, err = paging(q, format); err != nil {
		return err
	}
	if f.BBox, err = parseBBox(q.Get("bbox")); err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, err := s.store.CostModel(ctx)
	if err != nil {
		return err
	}
	if v := q.Get("due"); v != "" {
		if f.DueFY, err = intParam(q, "due", 0, 1900, 2200); err != nil {
			return err
		}
		f.DueCycle = stored.Model.InspectionCycleYears
	}
	switch format { // streamed from a cursor: constant memory at any inventory size
	case formatGeoJSON:
		return streamGeoJSON(c, func(emit func(feature) error) error {
			return s.store.EachAsset(ctx, f, func(a data.Asset) error {
				v := viewAsset(a, stored.Model)
				return emit(feature{Type: "Feature", ID: v.ID, Geometry: pointGeometry(v.Lon, v.Lat), Properties: v})
			})
		})
	case formatCSV:
		return streamCSV(c, "assets", assetCSVColumns, func(emit func([]string) error) error {
			return s.store.EachAsset(ctx, f, func(a data.Asset) error { return emit(assetCSVRow(viewAsset(a, stored.Model))) })
		})
	}
	assets, total, err := s.store.Assets(ctx, f)
	if err != nil {
		return err
	}
	views := make([]assetView, len(assets))
	for i, a := range assets {
		views[i] = viewAsset(a, stored.Model)
	}
	if f.Municipality != "" {
		c.QueryParams().Set("municipality", f.Municipality) // next links carry the 5-digit code
	}
	return c.JSON(http.StatusOK, pageOf(c, views, total, f.Limit, f.Offset))
}

// getAsset: GET /api/v1/assets/{id}.
func (s *Server) getAsset(c echo.Context) error {
	return s.answerAsset(c, c.Param("id"), http.StatusOK)
}

func (s *Server) answerAsset(c echo.Context, id string, status int) error {
	ctx := c.Request().Context()
	a, err := s.store.Asset(ctx, id)
	if err != nil {
		return planningError(err)
	}
	stored, err := s.store.CostModel(ctx)
	if err != nil {
		return err
	}
	return c.JSON(status, viewAsset(a, stored.Model))
}

// assetFields are the members of an asset body.
var assetFields = []string{"id", "municipality", "kind", "name", "lon", "lat", "length_m", "width_m", "year_built",
	"health", "last_inspection_fy", "over_rail", "over_water", "cost", "workload", "equipment"}

// applyAsset applies the members of a POST or PATCH body to a. null clears an optional
// field (equipment null: estimate; []: explicitly none); health is 1–4 or "I"–"IV".
func applyAsset(a *data.Asset, body map[string]json.RawMessage, create bool) fieldErrors {
	var errs fieldErrors
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	optFloat := func(k string, raw json.RawMessage, dst **float64) {
		if isJSONNull(raw) {
			*dst = nil
			return
		}
		var x float64
		if decodeField(&errs, k, raw, &x) {
			*dst = &x // ranges: data.ValidateAsset, as for every entrance
		}
	}
	optInt := func(k string, raw json.RawMessage, dst **int) {
		if isJSONNull(raw) {
			*dst = nil
			return
		}
		var x int
		if decodeField(&errs, k, raw, &x) {
			*dst = &x
		}
	}
	for _, k := range keys {
		raw := body[k]
		switch k {
		case "id":
			if !create {
				errs.add("id", "cannot be changed (delete and create the asset instead)")
				continue
			}
			decodeField(&errs, k, raw, &a.ID)
		case "municipality":
			var v string
			if decodeField(&errs, k, raw, &v) {
				if code, err := data.NormalizeMunicipalityCode(v); err != nil {
					errs.add(k, "%v", err)
				} else {
					a.Municipality = code
				}
			}
		case "kind":
			decodeField(&errs, k, raw, &a.Kind)
		case "name":
			decodeField(&errs, k, raw, &a.Name)
		case "lon", "lat":
			var x float64
			if decodeField(&errs, k, raw, &x) {
				if k == "lon" {
					a.Lon = x
				} else {
					a.Lat = x
				}
			}
		case "length_m":
			optFloat(k, raw, &a.LengthM)
		case "width_m":
			optFloat(k, raw, &a.WidthM)
		case "cost":
			optFloat(k, raw, &a.Cost)
		case "workload":
			optFloat(k, raw, &a.Workload)
		case "year_built":
			optInt(k, raw, &a.YearBuilt)
		case "last_inspection_fy":
			optInt(k, raw, &a.LastInspectionFY)
		case "health":
			if isJSONNull(raw) {
				a.Rating = nil
				continue
			}
			var n int
			var r string
			if json.Unmarshal(raw, &n) != nil {
				if json.Unmarshal(raw, &r) != nil {
					errs.add(k, "must be 1–4 or \"I\"–\"IV\", found %s", raw)
					continue
				}
				n = map[string]int{"I": 1, "II": 2, "III": 3, "IV": 4}[strings.ToUpper(strings.TrimSpace(r))]
			}
			if n < 1 || n > 4 {
				errs.add(k, "must be 1–4 or \"I\"–\"IV\", found %s", raw)
				continue
			}
			a.Rating = &n
		case "over_rail":
			decodeField(&errs, k, raw, &a.OverRail)
		case "over_water":
			decodeField(&errs, k, raw, &a.OverWater)
		case "equipment":
			if isJSONNull(raw) {
				a.Equipment = nil
				continue
			}
			var eq []string
			if decodeField(&errs, k, raw, &eq) {
				a.Equipment = eq
			}
		default:
			errs.add(k, "unknown field (%s)", strings.Join(assetFields, ", "))
		}
	}
	return errs
}

// createAsset: POST /api/v1/assets {id?, municipality, kind, lon, lat, …} → 201 with
// Location. Without an id the asset gets the stable id of an import (code and a hash of
// kind, name and position). An existing id is a 409, an unknown municipality a 422.
func (s *Server) createAsset(c echo.Context) error {
	body, err := bodyMembers(c)
	if err != nil {
		return err
	}
	var a data.Asset
	errs := applyAsset(&a, body, true)
	for _, k := range []string{"municipality", "kind", "lon", "lat"} {
		if _, ok := body[k]; !ok {
			errs.add(k, "is required")
		}
	}
	if a.ID == "" {
		a.ID = data.StableAssetID(a.Municipality, a.Kind, a.Name, a.Lon, a.Lat)
	}
	ctx := c.Request().Context()
	stored, err := s.store.CostModel(ctx)
	if err != nil {
		return err
	}
	errs.also(data.ValidateAsset(a, stored.Model))
	if err := errs.problem("asset"); err != nil {
		return err
	}
	if err := s.store.CheckInventoryRoom(ctx, 1, s.maxInventory()); err != nil {
		if refused, werr := refuseImportLimit(c, err); refused {
			return werr
		}
		return err
	}
	if err := s.store.CreateAsset(ctx, a); err != nil {
		return inventoryWriteError(err, "municipality")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/assets/"+url.PathEscape(a.ID))
	return s.answerAsset(c, a.ID, http.StatusCreated)
}

// patchAsset: PATCH /api/v1/assets/{id} with any subset of the asset's fields but id.
func (s *Server) patchAsset(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.store.Asset(ctx, c.Param("id"))
	if err != nil {
		return planningError(err)
	}
	body, err := bodyMembers(c)
	if err != nil {
		return err
	}
	errs := applyAsset(&a, body, false)
	stored, err := s.store.CostModel(ctx)
	if err != nil {
		return err
	}
	errs.also(data.ValidateAsset(a, stored.Model))
	if err := errs.problem("asset"); err != nil {
		return err
	}
	if err := s.store.UpdateAsset(ctx, a); err != nil {
		return inventoryWriteError(err, "municipality")
	}
	return s.answerAsset(c, a.ID, http.StatusOK)
}

// deleteAsset: DELETE /api/v1/assets/{id} → 204.
func (s *Server) deleteAsset(c echo.Context) error {
	if err := s.store.DeleteAsset(c.Request().Context(), c.Param("id")); err != nil {
		return planningError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// inventoryWriteError maps a write's errors: an unknown referenced municipality is a 422
// on field; a missing resource 404; an existing id 409.
func inventoryWriteError(err error, field string) error {
	var ve *solver.ValidationError
	if errors.As(err, &ve) {
		return fieldErrors(ve.Problems).problem("record")
	}
	if errors.Is(err, data.ErrUnknownMunicipality) {
		return invalid(err.Error(), fieldErrors{{Path: field, Msg: "unknown municipality: create it first"}}...)
	}
	return planningError(err)
}

// intParam parses an optional integer query parameter within [lo, hi] (hi < 0: no upper bound).
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidParameter(name, "must be an integer, found %q", v)
	}
	if n < lo || (hi >= 0 && n > hi) {
		if hi < 0 {
			return 0, invalidParameter(name, "must be at least %d, found %d", lo, n)
		}
		return 0, invalidParameter(name, "must be between %d and %d, found %d", lo, hi, n)
	}
	return n, nil
}
