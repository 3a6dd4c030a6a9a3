package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
)

func (s *Server) registerDepots(g *echo.Group) {
	g.GET("/depots", s.listDepots)
	g.POST("/depots", s.createDepot, bodyLimit(inventoryBodyLimit))
	g.GET("/depots/:id", s.getDepot)
	g.PATCH("/depots/:id", s.patchDepot, bodyLimit(inventoryBodyLimit))
	g.DELETE("/depots/:id", s.deleteDepot)
}

// listDepots: GET /api/v1/depots[?municipality=&kind=office|district|other&bbox=&format=
// &limit=&offset=] — municipal offices first, then district offices and other places.
func (s *Server) listDepots(c echo.Context) error {
	q := c.QueryParams()
	format, err := listFormat(c)
	if err != nil {
		return err
	}
	limit, offset, err := paging(q, format)
	if err != nil {
		return err
	}
	bbox, err := parseBBox(q.Get("bbox"))
	if err != nil {
		return err
	}
	muni := ""
	if v := q.Get("municipality"); v != "" {
		if muni, err = data.NormalizeMunicipalityCode(v); err != nil {
			return invalidParameter("municipality", "%v", err)
		}
	}
	kind, err := depotKindParam(q.Get("kind"))
	if err != nil {
		return err
	}
	ds, err := s.store.Depots(c.Request().Context())
	if err != nil {
		return err
	}
	items := []data.Depot{}
	for _, d := range ds {
		if (muni != "" && d.Municipality != muni) || (kind != "" && d.Kind != kind) || !inBBox(bbox, d.Lon, d.Lat) {
			continue
		}
		items = append(items, d)
	}
	total := len(items)
	items = window(items, limit, offset)
	switch format {
	case formatGeoJSON:
		fs := make([]feature, len(items))
		for i, d := range items {
			fs[i] = feature{Type: "Feature", ID: d.ID, Geometry: pointGeometry(d.Lon, d.Lat), Properties: d}
		}
		return writeGeoJSON(c, fs)
	case formatCSV:
		rows := make([][]string, len(items))
		for i, d := range items {
			rows[i] = []string{d.ID, d.Name, d.Kind, d.Municipality, strconv.FormatFloat(d.Lon, 'f', -1, 64),
				strconv.FormatFloat(d.Lat, 'f', -1, 64)}
		}
		return writeCSV(c, "depots", []string{"id", "name", "kind", "municipality", "lon", "lat"}, rows)
	}
	return c.JSON(http.StatusOK, pageOf(c, items, total, limit, offset))
}

// getDepot: GET /api/v1/depots/{id}.
func (s *Server) getDepot(c echo.Context) error {
	d, err := s.store.Depot(c.Request().Context(), c.Param("id"))
	if err != nil {
		return planningError(err)
	}
	return c.JSON(http.StatusOK, d)
}

var depotKinds = map[string]bool{data.DepotOffice: true, data.DepotDistrict: true, data.DepotOther: true}

// applyDepot applies the members of a POST or PATCH body to d.
func applyDepot(d *data.Depot, body map[string]json.RawMessage, create bool) fieldErrors {
	var errs fieldErrors
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		raw := body[k]
		switch k {
		case "id":
			if !create {
				errs.add("id", "cannot be changed (delete and create the depot instead)")
			} else {
				decodeField(&errs, k, raw, &d.ID) // its form: data.ValidateDepot below
			}
		case "name":
			decodeField(&errs, k, raw, &d.Name)
		case "kind":
			if decodeField(&errs, k, raw, &d.Kind) && !depotKinds[d.Kind] {
				errs.add(k, "must be office, district or other, found %q", d.Kind)
			}
		case "municipality":
			if isJSONNull(raw) {
				d.Municipality = ""
				continue
			}
			var v string
			if decodeField(&errs, k, raw, &v) {
				if v == "" {
					d.Municipality = ""
				} else if code, err := data.NormalizeMunicipalityCode(v); err != nil {
					errs.add(k, "%v", err)
				} else {
					d.Municipality = code
				}
			}
		case "lon":
			decodeField(&errs, k, raw, &d.Lon)
		case "lat":
			decodeField(&errs, k, raw, &d.Lat)
		default:
			errs.add(k, "unknown field (id, name, kind, municipality, lon, lat)")
		}
	}
	if d.Kind == data.DepotOffice && d.Municipality == "" {
		errs.add("municipality", "is required for an office depot")
	}
	errs.also(data.ValidateDepot(*d)) // the rules of every entrance (data/validate.go)
	return errs
}

// createDepot: POST /api/v1/depots {id, name?, kind? (other), municipality?, lon, lat} → 201.
func (s *Server) createDepot(c echo.Context) error {
	body, err := bodyMembers(c)
	if err != nil {
		return err
	}
	d := data.Depot{Kind: data.DepotOther}
	errs := applyDepot(&d, body, true)
	for _, k := range []string{"id", "lon", "lat"} {
		if _, ok := body[k]; !ok {
			errs.add(k, "is required")
		}
	}
	if err := errs.problem("depot"); err != nil {
		return err
	}
	if err := s.store.CreateDepot(c.Request().Context(), d); err != nil {
		return inventoryWriteError(err, "municipality")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/depots/"+url.PathEscape(d.ID))
	return c.JSON(http.StatusCreated, d)
}

// patchDepot: PATCH /api/v1/depots/{id} with any subset of {name, kind, municipality, lon, lat}.
func (s *Server) patchDepot(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.store.Depot(ctx, c.Param("id"))
	if err != nil {
		return planningError(err)
	}
	body, err := bodyMembers(c)
	if err != nil {
		return err
	}
	if err := applyDepot(&d, body, false).problem("depot"); err != nil {
		return err
	}
	if err := s.store.UpdateDepot(ctx, d); err != nil {
		return inventoryWriteError(err, "municipality")
	}
	return c.JSON(http.StatusOK, d)
}

// deleteDepot: DELETE /api/v1/depots/{id} → 204.
func (s *Server) deleteDepot(c echo.Context) error {
	if err := s.store.DeleteDepot(c.Request().Context(), c.Param("id")); err != nil {
		return planningError(err)
	}
	return c.NoContent(http.StatusNoContent)
}
