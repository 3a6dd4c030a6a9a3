package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/geo"
)

// parseGeoJSON reads a FeatureCollection: Point features are assets (properties named
// as the CSV columns; the id from the feature's id or properties.id), Polygon and
// MultiPolygon features are municipality boundaries (国土数値情報 N03: N03_007 code,
// N03_004 name, N03_003 county or city, N03_001 prefecture; features of one code are
// merged). Features are numbered from 1 in the report. A "crs" member other than WGS84
// converts the positions first (ParseImportCRS). With codes (5-digit codes, not empty)
// only the boundaries of those municipalities are taken and a code the file does not
// have is refused by name: one municipality out of a prefecture's N03 file.
func parseGeoJSON(body []byte, maxRecords int, codes map[string]bool) (*parsed, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	var fc struct {
		Type     string            `json:"type"`
		CRS      json.RawMessage   `json:"crs"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil {
		return nil, &ImportFileError{Format: FormatGeoJSON, Msg: "not JSON: " + err.Error()}
	}
	if fc.Type != "FeatureCollection" {
		return nil, &ImportFileError{Format: FormatGeoJSON, Msg: fmt.Sprintf("type is %q, expected a FeatureCollection", fc.Type)}
	}
	if err := checkRecordCount(len(fc.Features), maxRecords); err != nil {
		return nil, err
	}
	crs, err := ParseImportCRS(fc.CRS)
	if err != nil {
		return nil, &ImportFileError{Format: FormatGeoJSON, Msg: err.Error()}
	}
	p := &parsed{encoding: "utf-8", records: len(fc.Features)}
	if crs != nil {
		p.crs = crs.Title
	}
	inFile := map[string]string{} // every municipality code of the file, with its name
	muniIndex := map[string]int{}
	var muniParts [][]orb.Polygon
	for i, raw := range fc.Features {
		n := i + 1
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			p.rejected = append(p.rejected, ImportIssue{Feature: n, Field: "geometry", Reason: "not a GeoJSON feature: " + err.Error()})
			continue
		}
		if f.Geometry == nil {
			p.rejected = append(p.rejected, ImportIssue{Feature: n, Field: "geometry", Reason: "no geometry (a Point for an asset, a Polygon for a municipality)"})
			continue
		}
		g, why := crs.Geometry(f.Geometry)
		if why != "" {
			p.rejected = append(p.rejected, ImportIssue{Feature: n, Field: "geometry.coordinates", Reason: why})
			continue
		}
		switch g := g.(type) {
		case orb.Point:
			values := map[string]string{}
			for k, v := range f.Properties {
				c, ok := importColumns[foldColumn(k)]
				if !ok {
					continue
				}
				values[c] = propText(v)
			}
			if _, ok := values["id"]; !ok && f.ID != nil {
				values["id"] = propText(f.ID)
			}
			values["lon"] = strconv.FormatFloat(g[0], 'f', -1, 64)
			values["lat"] = strconv.FormatFloat(g[1], 'f', -1, 64)
			ar, issues := assetFromValues(values)
			ar.feature = n
			if len(issues) > 0 {
				for _, is := range issues {
					is.Feature, is.Asset = n, ar.a.ID
					if is.Field == "lon" || is.Field == "lat" {
						is.Field = "geometry.coordinates"
					} else {
						is.Field = "properties." + is.Field
					}
					p.rejected = append(p.rejected, is)
				}
				continue
			}
			p.assets = append(p.assets, ar)
		case orb.Polygon, orb.MultiPolygon:
			raw := propText(f.Properties["N03_007"])
			if raw == "" {
				raw = propText(f.Properties["code"])
			}
			if raw == "" {
				p.skipped = append(p.skipped, ImportIssue{Feature: n, Field: "properties.N03_007",
					Reason: "no municipality code (e.g. 所属未定地, an area no municipality owns)"})
				continue
			}
			code, err := NormalizeMunicipalityCode(raw)
			if err != nil {
				p.rejected = append(p.rejected, ImportIssue{Feature: n, Field: "properties.N03_007", Reason: err.Error()})
				continue
			}
			if _, seen := inFile[code]; !seen {
				inFile[code] = n03Name(f.Properties)
			}
			if len(codes) > 0 && !codes[code] {
				p.notSelected++
				continue
			}
			if reason := checkPolygons(polygonsOf(g)); reason != "" {
				p.rejected = append(p.rejected, ImportIssue{Feature: n, Field: "geometry", Reason: reason})
				continue
			}
			k, seen := muniIndex[code]
			if !seen {
				k = len(p.munis)
				muniIndex[code] = k
				p.munis = append(p.munis, muniRecord{feature: n, code: code, name: n03Name(f.Properties),
					pref: propText(f.Properties["N03_001"])})
				muniParts = append(muniParts, nil)
			}
			muniParts[k] = append(muniParts[k], polygonsOf(g)...)
		default:
			p.rejected = append(p.rejected, ImportIssue{Feature: n, Field: "geometry",
				Reason: fmt.Sprintf("%s: expected a Point (asset) or a Polygon/MultiPolygon (municipality boundary)", f.Geometry.GeoJSONType())})
		}
	}
	if err := checkSelectedCodes(codes, inFile); err != nil {
		return nil, err
	}
	for k := range p.munis {
		if len(muniParts[k]) == 1 {
			p.munis[k].geom = muniParts[k][0]
		} else {
			p.munis[k].geom = orb.MultiPolygon(muniParts[k])
		}
		if p.munis[k].name == "" {
			p.munis[k].name = p.munis[k].code
		}
	}
	return p, nil
}

// n03Name is the municipality's name: N03_004, or with a designated city's ward, the
// city and the ward (大阪市北区), or properties.name.
func n03Name(props geojson.Properties) string {
	name := propText(props["N03_004"])
	city := propText(props["N03_003"])
	if strings.HasSuffix(name, "区") && strings.HasSuffix(city, "市") {
		return city + name
	}
	if name == "" {
		name = propText(props["name"])
	}
	return name
}

// propText renders a property value as the text a CSV cell would hold.
func propText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = propText(x)
		}
		if len(parts) == 0 {
			return "none"
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}

func polygonsOf(g orb.Geometry) []orb.Polygon {
	switch t := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{t}
	case orb.MultiPolygon:
		return t
	}
	return nil
}

// checkPolygons returns why polygons cannot be a boundary ("" if they can).
func checkPolygons(polys []orb.Polygon) string {
	if len(polys) == 0 {
		return "empty MultiPolygon"
	}
	for j, poly := range polys {
		if len(poly) == 0 || len(poly[0]) < 4 {
			return fmt.Sprintf("polygon %d has an outer ring of fewer than 4 positions", j)
		}
		for _, ring := range poly {
			if ring[0] != ring[len(ring)-1] {
				return fmt.Sprintf("polygon %d has a ring that is not closed (RFC 7946 §3.1.6)", j)
			}
			for _, q := range ring {
				if !geo.ValidLonLat(q[0], q[1]) {
					return fmt.Sprintf("polygon %d: position %v is not WGS84 degrees [lon, lat]", j, q)
				}
			}
		}
	}
	return ""
}

// CheckBoundary says why a geometry cannot be a municipality's boundary (nil if it can):
// a Polygon or MultiPolygon of closed rings of at least 4 WGS84 positions.
func CheckBoundary(g orb.Geometry) error {
	polys := polygonsOf(g)
	if polys == nil {
		return fmt.Errorf("must be a Polygon or MultiPolygon")
	}
	if reason := checkPolygons(polys); reason != "" {
		return errors.New(reason)
	}
	return nil
}

// checkSelectedCodes refuses a selected municipality code the file does not have,
// naming it and the file's codes (the first few), so that a wrong prefecture's file or a
// mistyped code is said at once rather than importing nothing.
func checkSelectedCodes(codes map[string]bool, inFile map[string]string) error {
	var missing []string
	for c := range codes {
		if _, ok := inFile[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	have := make([]string, 0, len(inFile))
	for c := range inFile {
		have = append(have, c)
	}
	sort.Strings(have)
	const shown = 5
	list := make([]string, 0, shown+1)
	for i, c := range have {
		if i == shown {
			list = append(list, fmt.Sprintf("… %d more", len(have)-shown))
			break
		}
		list = append(list, strings.TrimSpace(c+" "+inFile[c]))
	}
	return &ImportFileError{Format: FormatGeoJSON, Msg: fmt.Sprintf("codes: %s not in the file (it has %d municipalities: %s)",
		strings.Join(missing, ", "), len(have), strings.Join(list, ", "))}
}
