package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/solver"
)

// Shared by the inventory lists (municipalities, depots, assets): the answer format
// (JSON page, GeoJSON FeatureCollection or CSV), paging, the bbox parameter and the
// single-resource body helpers.

// Page sizes of the inventory lists (docs/api-contract.md).
const (
	DefaultPageSize = 100
	MaxPageSize     = 10000
)

// Body limit of the inventory's POST and PATCH bodies (a municipality's boundary can be
// a few hundred kB).
const inventoryBodyLimit = "8M"

// Answer formats of a list.
const (
	formatJSON    = "json"
	formatGeoJSON = "geojson"
	formatCSV     = "csv"
)

// GeoJSONContentType is the media type of RFC 7946.
const GeoJSONContentType = "application/geo+json"

// listFormat reads ?format=json|geojson|csv, else the Accept header
// (application/geo+json, text/csv), else JSON.
func listFormat(c echo.Context) (string, error) {
	switch f := strings.ToLower(c.QueryParam("format")); f {
	case formatJSON, formatGeoJSON, formatCSV:
		return f, nil
	case "":
	default:
		return "", invalidParameter("format", "must be json, geojson or csv, found %q", f)
	}
	accept := c.Request().Header.Get(echo.HeaderAccept)
	switch {
	case strings.Contains(accept, GeoJSONContentType):
		return formatGeoJSON, nil
	case strings.Contains(accept, "text/csv"):
		return formatCSV, nil
	}
	return formatJSON, nil
}

// paging reads limit and offset. JSON pages default to DefaultPageSize; GeoJSON and CSV
// are unlimited by default (limit still applies when given).
func paging(q url.Values, format string) (limit, offset int, err error) {
	def := DefaultPageSize
	if format != formatJSON {
		def = 0
	}
	if limit, err = intParam(q, "limit", def, 1, MaxPageSize); err != nil {
		return 0, 0, err
	}
	if offset, err = intParam(q, "offset", 0, 0, -1); err != nil {
		return 0, 0, err
	}
	return limit, offset, nil
}

// window returns items[offset : offset+limit] (limit 0: to the end).
func window[T any](items []T, limit, offset int) []T {
	if offset >= len(items) {
		return []T{}
	}
	items = items[offset:]
	if limit > 0 && limit < len(items) {
		items = items[:limit]
	}
	return items
}

// pageOf builds the JSON envelope; when more items follow, next repeats the request's
// query with the following offset (also sent as a Link header).
func pageOf[T any](c echo.Context, items []T, total, limit, offset int) page[T] {
	out := page[T]{Items: items, Total: total, Limit: limit, Offset: offset}
	if limit > 0 && offset+len(items) < total {
		q := url.Values{}
		for k, v := range c.QueryParams() {
			q[k] = v
		}
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(offset+limit))
		out.Next = c.Request().URL.Path + "?" + q.Encode()
		c.Response().Header().Set("Link", "<"+out.Next+`>; rel="next"`)
	}
	return out
}

// parseBBox reads bbox=minLon,minLat,maxLon,maxLat (WGS84 degrees); "" is nil.
func parseBBox(v string) (*[4]float64, error) {
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return nil, invalidParameter("bbox", "must be minLon,minLat,maxLon,maxLat, found %q", v)
	}
	var b [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, invalidParameter("bbox", "%q is not a finite number", p)
		}
		b[i] = x
	}
	if b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
		return nil, invalidParameter("bbox", "must satisfy -180 ≤ minLon ≤ maxLon ≤ 180 and -90 ≤ minLat ≤ maxLat ≤ 90, found %q", v)
	}
	return &b, nil
}

func inBBox(b *[4]float64, lon, lat float64) bool {
	return b == nil || (lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3])
}

// feature and featureCollection write RFC 7946 GeoJSON with a geometry kept as stored.
type feature struct {
	Type       string          `json:"type"`
	ID         string          `json:"id,omitempty"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties any             `json:"properties"`
}

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

func pointGeometry(lon, lat float64) json.RawMessage {
	return json.RawMessage(`{"type":"Point","coordinates":[` + strconv.FormatFloat(lon, 'f', -1, 64) + "," +
		strconv.FormatFloat(lat, 'f', -1, 64) + "]}")
}

func writeGeoJSON(c echo.Context, features []feature) error {
	return streamGeoJSON(c, each(features))
}

// writeCSV answers a CSV with a header row (streamCSV).
func writeCSV(c echo.Context, name string, header []string, rows [][]string) error {
	return streamCSV(c, name, header, each(rows))
}

// defuseFormula prefixes ' to a text cell that a spreadsheet would run as a formula
// (=, +, -, @ first, OWASP's CSV injection advice); numbers stay as they are. The import
// drops the prefix again, so an export still imports back unchanged.
func defuseFormula(cell string) string {
	if cell == "" || !strings.ContainsRune("=+-@", rune(cell[0])) {
		return cell
	}
	if _, err := strconv.ParseFloat(cell, 64); err == nil {
		return cell
	}
	return "'" + cell
}

func fmtFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func fmtInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// boolParam parses an optional boolean query parameter.
func boolParam(q url.Values, name string) (*bool, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, invalidParameter(name, "must be true or false, found %q", v)
	}
	return &b, nil
}

// fieldErrors collects the problems of a request body by field path.
type fieldErrors []solver.InputError

func (e *fieldErrors) add(path, format string, args ...any) {
	*e = append(*e, solver.InputError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// problem is a 422 listing every problem, or nil.
func (e fieldErrors) problem(what string) error {
	if len(e) == 0 {
		return nil
	}
	msgs := make([]string, 0, 4)
	for i, p := range e {
		if i == 3 {
			msgs = append(msgs, fmt.Sprintf("… %d more", len(e)-3))
			break
		}
		msgs = append(msgs, p.Path+": "+p.Msg)
	}
	return invalid("invalid "+what+": "+strings.Join(msgs, "; "), e...)
}

// decodeField decodes one member of a body object into dst; a type error is recorded
// under the field's name.
func decodeField(errs *fieldErrors, name string, raw json.RawMessage, dst any) bool {
	if err := json.Unmarshal(raw, dst); err != nil {
		errs.add(name, "expected %s, found %s", kindOfValue(dst), strings.TrimSpace(string(raw)))
		return false
	}
	return true
}

func kindOfValue(dst any) string {
	return kindOf(strings.TrimLeft(fmt.Sprintf("%T", dst), "*"))
}

// bodyMembers reads a JSON object body as its members (unknown members are the
// caller's to refuse).
func bodyMembers(c echo.Context) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := decodeBody(c, &m, false); err != nil {
		return nil, err
	}
	return m, nil
}

func isJSONNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }
