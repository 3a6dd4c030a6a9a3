package data

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
	"github.com/wroge/wgs84"
)

// planeZone is one of the 19 zones of the Japan Plane Rectangular Coordinate System
// (平面直角座標系, the MLIT notice of 2002 as amended): the origin's latitude and the
// central meridian, in degrees. The scale on the meridian is 0.9999 and the origin has
// no false easting or northing in every zone.
type planeZone struct {
	roman    string
	lat, lon float64
}

var planeZones = [19]planeZone{
	{"I", 33, 129.5}, {"II", 33, 131}, {"III", 36, 132 + 10.0/60}, {"IV", 33, 133.5},
	{"V", 36, 134 + 20.0/60}, {"VI", 36, 136}, {"VII", 36, 137 + 10.0/60}, {"VIII", 36, 138.5},
	{"IX", 36, 139 + 50.0/60}, {"X", 40, 140 + 50.0/60}, {"XI", 44, 140.25}, {"XII", 44, 142.25},
	{"XIII", 44, 144.25}, {"XIV", 26, 142}, {"XV", 26, 127.5}, {"XVI", 26, 124},
	{"XVII", 26, 131}, {"XVIII", 20, 136}, {"XIX", 26, 154},
}

// EPSG codes of the geographic CRSs and the first zone (I) of each datum's plane
// rectangular series; zone n is first+n-1.
const (
	epsgWGS84         = 4326
	epsgJGD2011       = 6668
	epsgJGD2000       = 4612
	epsgTokyo         = 4301
	epsgJGD2011PlaneI = 6669 // … 6687
	epsgJGD2000PlaneI = 2443 // … 2461
	epsgTokyoPlaneI   = 30161
	maxPlaneOffsetM   = 1_000_000 // farther from a zone's origin is not a position in it
)

// ImportCRS turns a file's positions into WGS84 [lon, lat]. The zero value (and nil)
// is WGS84 or a datum that agrees with it within a metre (JGD2011, JGD2000).
type ImportCRS struct {
	Name string // as the file said it, e.g. "urn:ogc:def:crs:EPSG::6674"
	// Title says what it is: "EPSG:6674 (JGD2011 / Japan Plane Rectangular CS VI)".
	Title string
	// toLonLat converts [easting, northing] in metres; nil for a geographic CRS.
	toLonLat func(east, north float64) (lon, lat float64)
}

// ParseImportCRS reads a GeoJSON "crs" member (the 2008 GeoJSON form GDAL and QGIS still
// write: {"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::6674"}}; the name
// may also be "EPSG:6674"). Absent or null is RFC 7946's WGS84. Accepted: WGS84 (4326,
// OGC CRS84), JGD2011 (6668) and JGD2000 (4612) geographic, and the 19 plane
// rectangular zones of JGD2011 (6669–6687) and JGD2000 (2443–2461). JGD2000 is taken as
// JGD2011, as EPSG's transformation between them does outside the areas the 2011 Tohoku
// earthquake moved (up to about 5 m there, see docs). The Tokyo datum (4301,
// 30161–30179) is refused: it is several hundred metres off and its shift to JGD2011 is
// a grid (TKY2JGD) the projection library does not carry. Anything else is refused
// naming the CRS.
func ParseImportCRS(raw json.RawMessage) (*ImportCRS, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var crs struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &crs); err != nil {
		return nil, fmt.Errorf(`crs: expected {"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::6674"}}: %v`, err)
	}
	if crs.Type != "name" {
		return nil, fmt.Errorf(`crs: type %q is not supported (only "name", e.g. urn:ogc:def:crs:EPSG::6674)`, crs.Type)
	}
	name := strings.TrimSpace(crs.Properties.Name)
	code, ok := epsgCode(name)
	if !ok {
		return nil, fmt.Errorf("crs %q is not supported: use WGS84, JGD2011 or JGD2000 degrees or a Japan Plane Rectangular zone (EPSG:6669–6687, 2443–2461)", name)
	}
	c := &ImportCRS{Name: name}
	switch {
	case code == epsgWGS84:
		c.Title = "WGS84"
	case code == epsgJGD2011:
		c.Title = "EPSG:6668 (JGD2011)"
	case code == epsgJGD2000:
		c.Title = "EPSG:4612 (JGD2000)"
	case code >= epsgJGD2011PlaneI && code < epsgJGD2011PlaneI+19:
		c.setPlane("JGD2011", code, planeZones[code-epsgJGD2011PlaneI])
	case code >= epsgJGD2000PlaneI && code < epsgJGD2000PlaneI+19:
		c.setPlane("JGD2000", code, planeZones[code-epsgJGD2000PlaneI])
	case code == epsgTokyo || code >= epsgTokyoPlaneI && code < epsgTokyoPlaneI+19:
		return nil, fmt.Errorf("crs %q (Tokyo datum) is not supported: its shift to JGD2011 (several hundred metres) needs the TKY2JGD grid; convert the file to JGD2011 first (e.g. with GSI's TKY2JGD or ogr2ogr)", name)
	default:
		return nil, fmt.Errorf("crs %q (EPSG:%d) is not supported: use WGS84, JGD2011 or JGD2000 degrees or a Japan Plane Rectangular zone (EPSG:6669–6687, 2443–2461)", name, code)
	}
	return c, nil
}

// epsgCode reads the EPSG code of a CRS name: urn:ogc:def:crs:EPSG::6674,
// urn:ogc:def:crs:EPSG:6.3:6674, EPSG:6674; urn:ogc:def:crs:OGC:1.3:CRS84 is 4326.
func epsgCode(name string) (int, bool) {
	up := strings.ToUpper(name)
	if up == "URN:OGC:DEF:CRS:OGC:1.3:CRS84" || up == "URN:OGC:DEF:CRS:OGC::CRS84" || up == "CRS84" {
		return epsgWGS84, true
	}
	var rest string
	switch {
	case strings.HasPrefix(up, "URN:OGC:DEF:CRS:EPSG:"):
		rest = up[len("URN:OGC:DEF:CRS:EPSG:"):]
		i := strings.IndexByte(rest, ':') // the version, often empty
		if i < 0 {
			return 0, false
		}
		rest = rest[i+1:]
	case strings.HasPrefix(up, "EPSG:"):
		rest = up[len("EPSG:"):]
	default:
		return 0, false
	}
	code, err := strconv.Atoi(rest)
	return code, err == nil && code > 0
}

// setPlane makes c the plane rectangular zone z of a GRS80 datum. JGD2011 and JGD2000
// both use GRS80; wgs84.Helmert with no shift is that ellipsoid with WGS84's axes.
func (c *ImportCRS) setPlane(datum string, code int, z planeZone) {
	c.Title = fmt.Sprintf("EPSG:%d (%s / Japan Plane Rectangular CS %s)", code, datum, z.roman)
	grs80 := wgs84.Helmert(6378137, 298.257222101, 0, 0, 0, 0, 0, 0, 0)
	to := grs80.TransverseMercator(z.lon, z.lat, 0.9999, 0, 0).To(grs80.LonLat())
	c.toLonLat = func(east, north float64) (float64, float64) {
		lon, lat, _ := to(east, north, 0)
		return lon, lat
	}
}

// Geometry converts g's positions to WGS84 [lon, lat]; the second result says why it
// cannot ("" if it can). GeoJSON positions are [x, y]: for a plane rectangular zone that
// is [easting, northing] — the survey Y then X (the Japanese X axis points north), the
// order GDAL and QGIS write.
func (c *ImportCRS) Geometry(g orb.Geometry) (orb.Geometry, string) {
	if c == nil || c.toLonLat == nil {
		return g, ""
	}
	why := ""
	out := project.Geometry(orb.Clone(g), func(p orb.Point) orb.Point {
		if why != "" {
			return p
		}
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.Abs(p[0]) > maxPlaneOffsetM || math.Abs(p[1]) > maxPlaneOffsetM {
			why = fmt.Sprintf("position [%v, %v] is not [easting, northing] metres within %d km of the origin of %s",
				p[0], p[1], maxPlaneOffsetM/1000, c.Title)
			return p
		}
		lon, lat := c.toLonLat(p[0], p[1])
		return orb.Point{lon, lat}
	})
	return out, why
}
