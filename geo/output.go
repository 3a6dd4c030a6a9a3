package geo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// OutlineMethod chooses how a group's outline is drawn.
type OutlineMethod string

const (
	// OutlineDissolve is the union of the members' polygons (Dissolve); members
	// without geometry, or a failed dissolve, fall back to the convex hull.
	OutlineDissolve OutlineMethod = "dissolve"
	// OutlineConvex is the convex hull of the members' outer vertices (or offices).
	OutlineConvex OutlineMethod = "convex"
	// OutlineConcave is the concave hull (χ-shape) of the same points.
	OutlineConcave OutlineMethod = "concave"
)

// GroupID names group i (0-based) as G01, G02, …
func GroupID(i int) string { return fmt.Sprintf("G%02d", i+1) }

// GroupOutline draws the outline of a group: a Polygon, or a MultiPolygon when the
// dissolved members fall apart (exclaves, corner touches, bridged islands). Dissolve
// snaps vertices 1 m apart first (exact for topology-preserving outlines) and, when
// that leaves more pieces, toleranceM apart (outlines simplified independently).
func GroupOutline(regions []Region, grp Group, method OutlineMethod, toleranceM float64) orb.Geometry {
	var geoms []orb.Geometry
	var pts []orb.Point
	allPolys := true
	for _, u := range grp.Members {
		ps := polygons(regions[u].Geometry)
		if len(ps) == 0 {
			allPolys = false
			pts = append(pts, regions[u].Anchor())
			continue
		}
		geoms = append(geoms, regions[u].Geometry)
		for _, p := range ps {
			if len(p) > 0 {
				pts = append(pts, p[0]...)
			}
		}
	}
	if method == OutlineDissolve && allPolys {
		mp, err := Dissolve(geoms, math.Min(1, toleranceM))
		if len(mp) > 1 && toleranceM > 1 {
			if wide, werr := Dissolve(geoms, toleranceM); werr == nil && len(wide) < len(mp) {
				mp, err = wide, nil
			}
		}
		if err == nil {
			if len(mp) == 1 {
				return mp[0]
			}
			return mp
		}
	}
	var ring orb.Ring
	if method == OutlineConcave {
		ring = ConcaveHull(pts, ConcaveOptions{})
	} else {
		ring = ConvexHull(pts)
	}
	if len(ring) < 4 {
		// One office, or offices in a line: a polygon (RFC 7946: four positions or
		// more) around them, 100 m wide.
		var wide []orb.Point
		for _, p := range pts {
			dlat := 0.05 / (EarthRadiusKm * math.Pi / 180)
			dlon := dlat / math.Max(0.01, math.Cos(p[1]*math.Pi/180))
			wide = append(wide, orb.Point{p[0] - dlon, p[1] - dlat}, orb.Point{p[0] + dlon, p[1] - dlat},
				orb.Point{p[0] + dlon, p[1] + dlat}, orb.Point{p[0] - dlon, p[1] + dlat})
		}
		ring = ConvexHull(wide)
	}
	return orb.Polygon{ring}
}

// GroupsGeoJSON is the GeoJSON of a grouping: one feature per group (id G01, …) with
// its outline as geometry and properties id, members (codes), names, weight,
// weight_by, center [lon, lat], rms_radius_km (root mean square distance of the
// members' anchors from the centre) and outline (the method).
func GroupsGeoJSON(regions []Region, res Grouping, method OutlineMethod, toleranceM float64, weightBy string) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for gi, grp := range res.Groups {
		f := geojson.NewFeature(GroupOutline(regions, grp, method, toleranceM))
		f.ID = GroupID(gi)
		names := make([]string, len(grp.Members))
		for m, u := range grp.Members {
			names[m] = regions[u].Name
		}
		f.Properties["id"] = GroupID(gi)
		f.Properties["members"] = grp.Codes
		f.Properties["names"] = names
		f.Properties["weight"] = grp.Weight
		f.Properties["weight_by"] = weightBy
		f.Properties["center"] = []float64{grp.Center[0], grp.Center[1]}
		f.Properties["rms_radius_km"] = math.Sqrt(grp.SpreadKm2 / float64(len(grp.Members)))
		f.Properties["outline"] = string(method)
		fc.Append(f)
	}
	return fc
}
