package geo

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// Region is one municipality (or any areal unit) for adjacency and grouping.
// Geometry is an orb.Polygon or orb.MultiPolygon in WGS84 degrees, or nil when only the
// office point is known. Office is the point groups are measured from; a zero Office
// falls back to the centroid of Geometry (see Anchor). Weight is the quantity groups
// are balanced by (workload, value, asset count …); it must be finite and non-negative.
type Region struct {
	Code     string
	Name     string
	Geometry orb.Geometry
	Office   orb.Point
	Weight   float64
}

// hasPlace reports whether the region has a geometry or a non-zero office.
func (r Region) hasPlace() bool {
	return r.Office != (orb.Point{}) || len(polygons(r.Geometry)) > 0
}

// Anchor is the point that stands for the region in distances: its office, or the
// area centroid of its geometry when the office is the zero point.
func (r Region) Anchor() orb.Point {
	if r.Office != (orb.Point{}) || r.Geometry == nil {
		return r.Office
	}
	c, _ := planar.CentroidArea(r.Geometry)
	return c
}

// polygons returns the polygons of a Polygon or MultiPolygon geometry (nil otherwise).
func polygons(g orb.Geometry) []orb.Polygon {
	switch t := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{t}
	case orb.MultiPolygon:
		return []orb.Polygon(t)
	case orb.Bound:
		return []orb.Polygon{t.ToPolygon()}
	}
	return nil
}

// containsPoint reports whether p lies in the polygonal geometry g (boundary included).
func containsPoint(g orb.Geometry, p orb.Point) bool {
	for _, poly := range polygons(g) {
		if len(poly) > 0 && planar.PolygonContains(poly, p) {
			return true
		}
	}
	return false
}

// Projection is a local equirectangular projection to metres around (Lon0, Lat0).
// Within a prefecture (a few hundred km) its scale error is far below the tolerances
// used here; it preserves straight lines, so planar geometry on it is consistent.
type Projection struct {
	Lon0, Lat0 float64
	kx, ky     float64
}

// NewProjection centres a projection at (lon0, lat0) in degrees.
func NewProjection(lon0, lat0 float64) Projection {
	const rad = math.Pi / 180
	ky := EarthRadiusKm * 1000 * rad
	return Projection{Lon0: lon0, Lat0: lat0, kx: ky * math.Cos(lat0*rad), ky: ky}
}

// projectionFor centres a projection on the middle of bound b.
func projectionFor(b orb.Bound) Projection {
	c := b.Center()
	return NewProjection(c[0], c[1])
}

// Forward maps a WGS84 point to metres east and north of the centre.
func (p Projection) Forward(q orb.Point) orb.Point {
	return orb.Point{(q[0] - p.Lon0) * p.kx, (q[1] - p.Lat0) * p.ky}
}

// Inverse maps metres back to WGS84 degrees.
func (p Projection) Inverse(q orb.Point) orb.Point {
	return orb.Point{q[0]/p.kx + p.Lon0, q[1]/p.ky + p.Lat0}
}

// ParseN03 reads a GeoJSON FeatureCollection of N03 administrative boundaries
// (国土数値情報 行政区域データ): N03_007 is the 5-digit municipality code and N03_004
// its name. Features that share a code (islands, exclaves) are merged into one
// MultiPolygon; a code with a single polygon stays an orb.Polygon. Features without a
// code are skipped and counted in skipped (unnamed sea areas carry none). Regions come
// out in order of first appearance; Office is left zero and Weight 0.
func ParseN03(data []byte) (regions []Region, skipped int, err error) {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, 0, fmt.Errorf("N03 GeoJSON: %w", err)
	}
	index := map[string]int{}
	var parts [][]orb.Polygon
	for i, f := range fc.Features {
		code := propString(f.Properties, "N03_007")
		if code == "" {
			skipped++
			continue
		}
		polys := polygons(f.Geometry)
		if f.Geometry == nil || (len(polys) == 0) {
			t := "null"
			if f.Geometry != nil {
				t = f.Geometry.GeoJSONType()
			}
			return nil, 0, fmt.Errorf("N03 GeoJSON: feature %d (code %s): geometry %s is not a Polygon or MultiPolygon", i, code, t)
		}
		for j, p := range polys {
			if len(p) == 0 || len(p[0]) < 4 {
				return nil, 0, fmt.Errorf("N03 GeoJSON: feature %d (code %s): polygon %d has an outer ring of fewer than 4 positions", i, code, j)
			}
			for _, ring := range p {
				for _, q := range ring {
					if !ValidLonLat(q[0], q[1]) {
						return nil, 0, fmt.Errorf("N03 GeoJSON: feature %d (code %s): position %v is not WGS84 degrees", i, code, q)
					}
				}
			}
		}
		k, ok := index[code]
		if !ok {
			k = len(regions)
			index[code] = k
			regions = append(regions, Region{Code: code, Name: propString(f.Properties, "N03_004")})
			parts = append(parts, nil)
		}
		if regions[k].Name == "" {
			regions[k].Name = propString(f.Properties, "N03_004")
		}
		parts[k] = append(parts[k], polys...)
	}
	for k := range regions {
		if len(parts[k]) == 1 {
			regions[k].Geometry = parts[k][0]
		} else {
			regions[k].Geometry = orb.MultiPolygon(parts[k])
		}
	}
	return regions, skipped, nil
}

// propString reads a string property, accepting numbers too (some N03 exports write
// the code as a number).
func propString(p geojson.Properties, key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case float64:
		return fmt.Sprintf("%05.0f", v)
	case json.Number:
		return v.String()
	}
	return ""
}
