package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func randomPoints(n int, seed uint64) []orb.Point {
	rng := rand.New(rand.NewPCG(seed, 7))
	ps := make([]orb.Point, n)
	for i := range ps {
		ps[i] = orb.Point{rng.Float64() * 10000, rng.Float64() * 10000}
	}
	return ps
}

func TestDelaunayEmptyCircumcircle(t *testing.T) {
	for _, n := range []int{3, 10, 300} {
		ps := randomPoints(n, uint64(n))
		tris := Delaunay(ps)
		h := len(ConvexHull(ps)) - 1
		// A triangulation of n points with h on the hull has 2n − 2 − h triangles.
		if len(tris) != 2*n-2-h {
			t.Errorf("n=%d: %d triangles, want %d", n, len(tris), 2*n-2-h)
		}
		area := 0.0
		for _, tr := range tris {
			a, b, c := ps[tr[0]], ps[tr[1]], ps[tr[2]]
			if orient(a, b, c) <= 0 {
				t.Fatalf("triangle %v is not counter-clockwise", tr)
			}
			area += orient(a, b, c) / 2
			cx, cy, r2 := circumcircle(a, b, c)
			for i, p := range ps {
				if i == tr[0] || i == tr[1] || i == tr[2] {
					continue
				}
				if d2 := (p[0]-cx)*(p[0]-cx) + (p[1]-cy)*(p[1]-cy); d2 < r2*(1-1e-9) {
					t.Fatalf("n=%d: point %d lies inside the circumcircle of %v", n, i, tr)
				}
			}
		}
		// The triangles tile the convex hull.
		if hullArea := planar.Area(orb.Polygon{ConvexHull(ps)}); math.Abs(area-hullArea) > 1e-6*hullArea {
			t.Errorf("n=%d: triangles cover %.3f, hull %.3f", n, area, hullArea)
		}
	}
	// A square grid is as cocircular as it gets: any triangulation of its 121 points, 40
	// of them on the boundary, has 2·121 − 2 − 40 = 200 triangles covering 100 cells.
	var grid []orb.Point
	for x := 0; x <= 10; x++ {
		for y := 0; y <= 10; y++ {
			grid = append(grid, orb.Point{float64(x) * 1000, float64(y) * 1000})
		}
	}
	tris := Delaunay(grid)
	area := 0.0
	for _, tr := range tris {
		o := orient(grid[tr[0]], grid[tr[1]], grid[tr[2]])
		if o <= 0 {
			t.Fatalf("grid triangle %v not counter-clockwise", tr)
		}
		area += o / 2
	}
	if len(tris) != 200 || math.Abs(area-1e8) > 1e-3 {
		t.Errorf("grid: %d triangles, area %.6f; want 200 and 1e8", len(tris), area)
	}
	if tris := Delaunay([]orb.Point{{0, 0}, {1, 1}, {2, 2}, {3, 3}}); len(tris) != 0 {
		t.Errorf("collinear points gave triangles %v", tris)
	}
	// Duplicates are ignored: a square with a repeated corner still has two triangles.
	if tris := Delaunay([]orb.Point{{0, 0}, {2, 0}, {2, 1}, {0, 1}, {2, 0}}); len(tris) != 2 {
		t.Errorf("square with a duplicate: %v", tris)
	}
}

func TestConvexHullDegenerate(t *testing.T) {
	eq := func(a, b orb.Ring) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	for _, tc := range []struct {
		name string
		in   []orb.Point
		want orb.Ring
	}{
		{"none", nil, nil},
		{"one", []orb.Point{{1, 2}}, orb.Ring{{1, 2}, {1, 2}}},
		{"one repeated", []orb.Point{{1, 2}, {1, 2}, {1, 2}}, orb.Ring{{1, 2}, {1, 2}}},
		{"two", []orb.Point{{3, 1}, {1, 2}}, orb.Ring{{1, 2}, {3, 1}, {1, 2}}},
		{"collinear", []orb.Point{{2, 2}, {0, 0}, {3, 3}, {1, 1}, {1, 1}}, orb.Ring{{0, 0}, {3, 3}, {0, 0}}},
		{"square with inner, edge and duplicate points", []orb.Point{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {1, 1}, {1, 0}, {2, 2}, {0, 1}},
			orb.Ring{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {0, 0}}},
		{"triangle", []orb.Point{{0, 0}, {4, 0}, {0, 3}, {1, 1}}, orb.Ring{{0, 0}, {4, 0}, {0, 3}, {0, 0}}},
	} {
		got := ConvexHull(tc.in)
		if !eq(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		for _, p := range tc.in {
			if !planar.RingContains(got, p) {
				t.Errorf("%s: %v not in hull %v", tc.name, p, got)
			}
		}
	}
}

func TestConvexHullRandom(t *testing.T) {
	ps := randomPoints(500, 3)
	h := ConvexHull(ps)
	if h[0] != h[len(h)-1] {
		t.Fatal("ring not closed")
	}
	for i := 0; i+2 < len(h); i++ {
		if orient(h[i], h[i+1], h[i+2]) <= 0 {
			t.Fatalf("not a strictly convex counter-clockwise ring at %d", i)
		}
	}
	for _, p := range ps {
		if !planar.RingContains(h, p) {
			t.Fatalf("%v outside the hull", p)
		}
	}
}

// isSimple reports whether no two non-adjacent edges of a closed ring meet.
func isSimple(r orb.Ring) bool {
	n := len(r) - 1
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if j == i+1 || (i == 0 && j == n-1) {
				continue
			}
			if _, ok := segmentCross(r[i], r[i+1], r[j], r[j+1]); ok {
				return false
			}
		}
	}
	return true
}

func TestConcaveHull(t *testing.T) {
	// An L of points, 1 km apart in a local projection: the concave hull cuts out the
	// empty quadrant that the convex hull covers.
	pr := NewProjection(135.8, 34.5)
	var ps []orb.Point
	for x := 0; x <= 10; x++ {
		for y := 0; y <= 10; y++ {
			if x <= 3 || y <= 3 {
				ps = append(ps, pr.Inverse(orb.Point{float64(x) * 1000, float64(y) * 1000}))
			}
		}
	}
	convex := ConvexHull(ps)
	concave := ConcaveHull(ps, ConcaveOptions{MaxEdgeKm: 1.5})
	ca, cc := planar.Area(orb.Polygon{convex}), planar.Area(orb.Polygon{concave})
	if !(cc < 0.75*ca) {
		t.Errorf("concave area %.6g not well below convex %.6g", cc, ca)
	}
	if orb.Polygon([]orb.Ring{concave}).Bound() != orb.Polygon([]orb.Ring{convex}).Bound() || !isSimple(concave) {
		t.Error("concave hull lost an extreme point or is not simple")
	}
	if concave.Orientation() != orb.CCW {
		t.Error("concave hull not counter-clockwise")
	}
	for _, p := range ps {
		if !planar.RingContains(concave, p) {
			t.Errorf("%v outside the concave hull", p)
		}
	}
	// The inner corner of the L is dug out: a point in the empty quadrant is outside.
	if planar.RingContains(concave, pr.Inverse(orb.Point{7000, 7000})) {
		t.Error("the empty quadrant is still inside")
	}
	// Random points, default χ: contains all points, simple, no larger than convex.
	rnd := randomPoints(400, 11)
	for i := range rnd {
		rnd[i] = pr.Inverse(rnd[i])
	}
	h := ConcaveHull(rnd, ConcaveOptions{})
	if !isSimple(h) || planar.Area(orb.Polygon{h}) > planar.Area(orb.Polygon{ConvexHull(rnd)})*(1+1e-12) {
		t.Error("random concave hull not simple or larger than convex")
	}
	for _, p := range rnd {
		if !planar.RingContains(h, p) {
			t.Fatalf("%v outside the concave hull", p)
		}
	}
	// χ = 1 keeps the convex hull; degenerate inputs fall back to it.
	if got, want := planar.Area(orb.Polygon{ConcaveHull(rnd, ConcaveOptions{Chi: 1})}), planar.Area(orb.Polygon{ConvexHull(rnd)}); math.Abs(got-want) > 1e-12*want {
		t.Error("χ = 1 is not the convex hull")
	}
	if got := ConcaveHull([]orb.Point{{0, 0}, {1, 1}, {2, 2}}, ConcaveOptions{}); len(got) != 3 {
		t.Errorf("collinear concave hull %v", got)
	}
}
