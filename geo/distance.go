// Package geo holds tabane's geometry on WGS84 coordinates: great-circle distances,
// a local planar projection for spatial indexes, hulls, boundaries, adjacency and the
// regional groups (地域インフラ群). It is pure: no I/O, and it never imports solver.
//
// The entry points: ParseN03 reads N03 boundary GeoJSON into Regions; Adjacency builds
// their contiguity Graph (shared borders within a tolerance, or the Delaunay
// triangulation of the offices, islands bridged or reported); GroupsK and GroupsMaxP
// partition the regions into contiguous groups (k balanced groups, or as many as
// possible within a floor and a cap); GroupOutline, GroupsGeoJSON and Dissolve draw
// them; ConvexHull and ConcaveHull outline bundles; CheckOwnership flags assets placed
// outside the municipality that claims them. Planar work happens in metres on a local
// equirectangular Projection.
package geo

import "math"

// EarthRadiusKm is the mean Earth radius used by docs/model.md (IUGG mean radius R1).
const EarthRadiusKm = 6371.0088

// HaversineKm is the great-circle distance in km between (lon1, lat1) and (lon2, lat2),
// in degrees, on a sphere of radius EarthRadiusKm.
func HaversineKm(lon1, lat1, lon2, lat2 float64) float64 {
	const rad = math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	dp, dl := p2-p1, (lon2-lon1)*rad
	sp, sl := math.Sin(dp/2), math.Sin(dl/2)
	h := sp*sp + math.Cos(p1)*math.Cos(p2)*sl*sl
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

// ValidLonLat reports whether lon and lat are finite WGS84 degrees.
func ValidLonLat(lon, lat float64) bool {
	return !math.IsNaN(lon) && !math.IsNaN(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}
