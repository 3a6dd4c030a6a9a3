package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// InteriorPoint is a point inside a Polygon or MultiPolygon, to stand for a
// municipality's office when only its boundary is known: the area centroid of its largest
// polygon when that lies inside, else the middle of the widest stretch of the horizontal
// line through the centroid that lies inside the polygon (a C-shaped town's centroid
// falls in its notch). The zero point for any other geometry. g is not modified.
func InteriorPoint(g orb.Geometry) orb.Point {
	var poly orb.Polygon
	largest := -1.0
	for _, p := range polygons(g) {
		// The first of equal largest areas, so that the choice follows the input order.
		if a := planar.Area(p); a > largest && len(p) > 0 && len(p[0]) > 0 {
			poly, largest = p, a
		}
	}
	if poly == nil {
		return orb.Point{}
	}
	c, _ := planar.CentroidArea(poly)
	if planar.PolygonContains(poly, c) {
		return c
	}
	y := c[1]
	var xs []float64
	for _, ring := range poly {
		for k := 0; k+1 < len(ring); k++ {
			a, b := ring[k], ring[k+1]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	sort.Float64s(xs)
	best, bestW := poly[0][0], -1.0
	for k := 0; k+1 < len(xs); k += 2 {
		if w := xs[k+1] - xs[k]; w > bestW {
			best, bestW = orb.Point{(xs[k] + xs[k+1]) / 2, y}, w
		}
	}
	if math.IsNaN(best[0]) {
		return poly[0][0]
	}
	return best
}
