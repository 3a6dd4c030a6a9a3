package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/geo"
)

func (s *Server) registerMunicipalities(g *echo.Group) {
	g.GET("/municipalities", s.listMunicipalities)
	g.POST("/municipalities", s.createMunicipality, bodyLimit(inventoryBodyLimit))
	g.GET("/municipalities/:code", s.getMunicipality)
	g.PATCH("/municipalities/:code", s.patchMunicipality, bodyLimit(inventoryBodyLimit))
	g.DELETE("/municipalities/:code", s.deleteMunicipality)
	// The inventory's other routes are registered here too, so that server.go's list of
	// resources stays as it is.
	s.registerImports(g)
	s.registerCostModel(g)
	s.registerGroups(g)
}

// office is a municipality's office (町役場, 市役所): the depot office-<code> stands there.
type office struct {
	Name string  `json:"name"`
	Lon  float64 `json:"lon"`
	Lat  float64 `json:"lat"`
}

// municipalityView is a municipality as the API shows it (docs/api-contract.md).
type municipalityView struct {
	Code         string          `json:"code"`
	Code6        string          `json:"code6"`
	Name         string          `json:"name"`
	Prefecture   string          `json:"prefecture"`
	Region       string          `json:"region"`
	Participates bool            `json:"participates"`
	Office       office          `json:"office"`
	AssetCount   int             `json:"asset_count"`
	Boundary     json.RawMessage `json:"boundary,omitempty"`
}

func viewMunicipality(m data.Municipality, assets int) municipalityView {
	return municipalityView{Code: m.Code, Code6: data.SixDigitCode(m.Code), Name: m.Name, Prefecture: m.Prefecture,
		Region: m.Region, Participates: m.Participates, Office: office{Name: m.OfficeName, Lon: m.OfficeLon, Lat: m.OfficeLat},
		AssetCount: assets, Boundary: m.Boundary}
}

// listMunicipalities: GET /api/v1/municipalities[?region=&participates=&bbox=&boundary=true
// &format=json|geojson|csv&limit=&offset=]. bbox keeps municipalities whose office lies in
// it. JSON leaves the boundaries out unless boundary=true (they are most of the bytes);
// GeoJSON answers one feature per municipality with its boundary (its office point when
// it has none) and the JSON item as properties.
func (s *Server) listMunicipalities(c echo.Context) error {
	q := c.QueryParams()
	format, err := listFormat(c)
	if err != nil {
		return err
	}
	limit, offset, err := paging(q, format)
	if err != nil {
		return err
	}
	withBoundary, err := boolParam(q, "boundary")
	if err != nil {
		return err
	}
	participates, err := boolParam(q, "participates")
	if err != nil {
		return err
	}
	bbox, err := parseBBox(q.Get("bbox"))
	if err != nil {
		return err
	}
	region := q.Get("region")
	ctx := c.Request().Context()
	ms, err := s.store.Municipalities(ctx, format == formatGeoJSON || (withBoundary != nil && *withBoundary))
	if err != nil {
		return err
	}
	counts, err := s.store.AssetCounts(ctx)
	if err != nil {
		return err
	}
	items := []municipalityView{}
	for _, m := range ms {
		if (region != "" && m.Region != region) || (participates != nil && m.Participates != *participates) ||
			!inBBox(bbox, m.OfficeLon, m.OfficeLat) {
			continue
		}
		items = append(items, viewMunicipality(m, counts[m.Code]))
	}
	total := len(items)
	items = window(items, limit, offset)
	switch format {
	case formatGeoJSON:
		fs := make([]feature, len(items))
		for i, m := range items {
			geom := m.Boundary
			if len(geom) == 0 {
				geom = pointGeometry(m.Office.Lon, m.Office.Lat)
			}
			m.Boundary = nil
			fs[i] = feature{Type: "Feature", ID: m.Code, Geometry: geom, Properties: m}
		}
		return writeGeoJSON(c, fs)
	case formatCSV:
		rows := make([][]string, len(items))
		for i, m := range items {
			rows[i] = []string{m.Code, m.Code6, m.Name, m.Prefecture, m.Region, strconv.FormatBool(m.Participates),
				m.Office.Name, strconv.FormatFloat(m.Office.Lon, 'f', -1, 64), strconv.FormatFloat(m.Office.Lat, 'f', -1, 64),
				strconv.Itoa(m.AssetCount)}
		}
		return writeCSV(c, "municipalities", []string{"code", "code6", "name", "prefecture", "region", "participates",
			"office_name", "office_lon", "office_lat", "asset_count"}, rows)
	}
	return c.JSON(http.StatusOK, pageOf(c, items, total, limit, offset))
}

// codeParam reads the path parameter code (5 or 6 digits).
func codeParam(c echo.Context) (string, error) {
	code, err := data.NormalizeMunicipalityCode(c.Param("code"))
	if err != nil {
		return "", invalidParameter("code", "%v", err)
	}
	return code, nil
}

// getMunicipality: GET /api/v1/municipalities/{code}, code with 5 or 6 digits; the
// answer includes the boundary.
func (s *Server) getMunicipality(c echo.Context) error {
	code, err := codeParam(c)
	if err != nil {
		return err
	}
	return s.answerMunicipality(c, code, http.StatusOK)
}

func (s *Server) answerMunicipality(c echo.Context, code string, status int) error {
	ctx := c.Request().Context()
	m, err := s.store.Municipality(ctx, code)
	if err != nil {
		return planningError(err)
	}
	counts, err := s.store.AssetCounts(ctx)
	if err != nil {
		return err
	}
	return c.JSON(status, viewMunicipality(m, counts[code]))
}

// applyMunicipality applies the members of a POST or PATCH body to m. A boundary must
// be a GeoJSON Polygon or MultiPolygon (null removes it).
func applyMunicipality(m *data.Municipality, body map[string]json.RawMessage, create bool) fieldErrors {
	var errs fieldErrors
	for k, raw := range body {
		switch k {
		case "code":
			if !create {
				errs.add("code", "cannot be changed (delete and create the municipality instead)")
				continue
			}
			var v string
			if decodeField(&errs, k, raw, &v) {
				if c, err := data.NormalizeMunicipalityCode(v); err != nil {
					errs.add("code", "%v", err)
				} else {
					m.Code = c
				}
			}
		case "name", "prefecture", "region":
			var v string
			if decodeField(&errs, k, raw, &v) {
				v = strings.TrimSpace(v)
				switch k {
				case "name":
					if v == "" {
						errs.add("name", "must not be empty")
					}
					m.Name = v
				case "prefecture":
					m.Prefecture = v
				case "region":
					m.Region = v
				}
			}
		case "participates":
			decodeField(&errs, k, raw, &m.Participates)
		case "office":
			var o struct {
				Name *string  `json:"name"`
				Lon  *float64 `json:"lon"`
				Lat  *float64 `json:"lat"`
			}
			if !decodeField(&errs, k, raw, &o) {
				continue
			}
			if o.Lon == nil || o.Lat == nil {
				errs.add("office", "needs lon and lat (WGS84 degrees)")
				continue
			}
			if !geo.ValidLonLat(*o.Lon, *o.Lat) {
				errs.add("office", "lon %g, lat %g are not WGS84 degrees", *o.Lon, *o.Lat)
			}
			m.OfficeLon, m.OfficeLat = *o.Lon, *o.Lat
			if o.Name != nil {
				m.OfficeName = *o.Name
			}
		case "boundary":
			if isJSONNull(raw) {
				m.Boundary = nil
				continue
			}
			g, err := geojson.UnmarshalGeometry(raw)
			if err != nil {
				errs.add("boundary", "not a GeoJSON geometry: %v", err)
				continue
			}
			if err := data.CheckBoundary(g.Geometry()); err != nil {
				errs.add("boundary", "%v (found %s)", err, g.Geometry().GeoJSONType())
				continue
			}
			b, _ := json.Marshal(g)
			m.Boundary = b
		default:
			errs.add(k, "unknown field (code, name, prefecture, region, participates, office, boundary)")
		}
	}
	return errs
}

// createMunicipality: POST /api/v1/municipalities {code, name, prefecture?, region?,
// participates? (true), office? {name, lon, lat}, boundary?} → 201. Without an office, a
// point inside the boundary stands for it. Its office depot office-<code> is created.
func (s *Server) createMunicipality(c echo.Context) error {
	body, err := bodyMembers(c)
	if err != nil {
		return err
	}
	m := data.Municipality{Participates: true}
	errs := applyMunicipality(&m, body, true)
	if _, ok := body["code"]; !ok {
		errs.add("code", "is required (5 digits, or 6 with the check digit)")
	}
	if _, ok := body["name"]; !ok {
		errs.add("name", "is required")
	}
	if _, ok := body["office"]; !ok {
		if len(m.Boundary) == 0 {
			errs.add("office", "is required without a boundary ({lon, lat})")
		} else if g, err := geojson.UnmarshalGeometry(m.Boundary); err == nil {
			p := geo.InteriorPoint(g.Geometry())
			m.OfficeLon, m.OfficeLat = p[0], p[1]
		}
	}
	if m.OfficeName == "" {
		m.OfficeName = m.Name
	}
	if err := errs.problem("municipality"); err != nil {
		return err
	}
	if err := s.store.CreateMunicipality(c.Request().Context(), m); err != nil {
		return planningError(err)
	}
	c.Response().Header().Set(echo.HeaderLocation, c.Request().URL.Path+"/"+m.Code)
	return s.answerMunicipality(c, m.Code, http.StatusCreated)
}

// patchMunicipality: PATCH /api/v1/municipalities/{code} with any subset of {name,
// prefecture, region, participates, office, boundary}; the office depot follows the office.
func (s *Server) patchMunicipality(c echo.Context) error {
	code, err := codeParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := s.store.Municipality(ctx, code)
	if err != nil {
		return planningError(err)
	}
	body, err := bodyMembers(c)
	if err != nil {
		return err
	}
	if err := applyMunicipality(&m, body, false).problem("municipality"); err != nil {
		return err
	}
	if err := s.store.UpdateMunicipality(ctx, m); err != nil {
		return planningError(err)
	}
	return s.answerMunicipality(c, code, http.StatusOK)
}

// deleteMunicipality: DELETE /api/v1/municipalities/{code}[?cascade=true] → 204. A
// municipality that owns assets is a 409 unless cascade=true (its assets go with it).
func (s *Server) deleteMunicipality(c echo.Context) error {
	code, err := codeParam(c)
	if err != nil {
		return err
	}
	cascade, err := boolParam(c.QueryParams(), "cascade")
	if err != nil {
		return err
	}
	if err := s.store.DeleteMunicipality(c.Request().Context(), code, cascade != nil && *cascade); err != nil {
		return planningError(err)
	}
	return c.NoContent(http.StatusNoContent)
}
