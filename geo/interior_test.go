package geo

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// TestInteriorPoint, worked by hand:
//   - C shape: the 3×3 square less the notch [1,3]×[1,2]; area 9 − 2 = 7, centroid
//     x = (9·1.5 − 2·2)/7 = 9.5/7 ≈ 1.357, y = 1.5, which lies in the notch. The line
//     y = 1.5 crosses the left edge at x = 0 and the notch's edge at x = 1: the one inside
//     stretch is [0, 1], its middle (0.5, 1.5).
//   - A convex square keeps its centroid (1, 1).
//   - A MultiPolygon takes its largest part (the square, not the small triangle listed
//     first), and its order is left as given.
//   - A square with a square hole around its centroid: the line y = 2 crosses x = 0, 1, 3,
//     4; the stretches [0, 1] and [3, 4] are equally wide, the first wins: (0.5, 2).
func TestInteriorPoint(t *testing.T) {
	c := orb.Polygon{{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}, {0, 0}}}
	if centroid, _ := planar.CentroidArea(c); planar.PolygonContains(c, centroid) {
		t.Fatalf("the C shape's centroid %v should lie outside it", centroid)
	}
	square := orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}}
	small := orb.Polygon{{{10, 10}, {10.1, 10}, {10.1, 10.1}, {10, 10}}}
	multi := orb.MultiPolygon{small, square}
	holed := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}, {{1, 1}, {1, 3}, {3, 3}, {3, 1}, {1, 1}}}
	for _, tc := range []struct {
		name string
		g    orb.Geometry
		want orb.Point
	}{
		{"C shape", c, orb.Point{0.5, 1.5}},
		{"square", square, orb.Point{1, 1}},
		{"multipolygon", multi, orb.Point{1, 1}},
		{"square with a hole", holed, orb.Point{0.5, 2}},
		{"point", orb.Point{5, 5}, orb.Point{}},
		{"nil", nil, orb.Point{}},
	} {
		if got := InteriorPoint(tc.g); got != tc.want {
			t.Errorf("%s: InteriorPoint = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !planar.PolygonContains(c, InteriorPoint(c)) {
		t.Error("the C shape's interior point is outside it")
	}
	if multi[0][0][0] != (orb.Point{10, 10}) {
		t.Errorf("InteriorPoint reordered its MultiPolygon: %v", multi)
	}
}
