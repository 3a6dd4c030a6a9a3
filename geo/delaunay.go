package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// Triangle holds three indices into the point slice given to Delaunay, counter-clockwise.
type Triangle [3]int

// Delaunay triangulates planar points (Bowyer–Watson, swept in x so that triangles
// whose circumcircle lies wholly left of the sweep are retired: about O(n^1.5) time and
// O(n) memory). Points must be distinct; duplicates are ignored beyond the first. With
// fewer than three points, or all points collinear, there are no triangles.
//
// The points should be planar (projected) coordinates: the Delaunay property is not
// invariant under the unequal axis scales of raw longitude and latitude.
func Delaunay(pts []orb.Point) []Triangle {
	n := len(pts)
	if n < 3 {
		return nil
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		pa, pb := pts[order[a]], pts[order[b]]
		if pa[0] != pb[0] {
			return pa[0] < pb[0]
		}
		if pa[1] != pb[1] {
			return pa[1] < pb[1]
		}
		return order[a] < order[b]
	})
	b := orb.MultiPoint(pts).Bound()
	dx, dy := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	d := math.Max(dx, dy)
	if d == 0 {
		return nil
	}
	// The super-triangle lies far away so that its circumcircles hug the hull edges;
	// the vertices n, n+1, n+2 are appended to a private copy of the points.
	c := b.Center()
	const far = 1e5
	all := make([]orb.Point, n, n+3)
	copy(all, pts)
	all = append(all,
		orb.Point{c[0] - far*d, c[1] - far*d},
		orb.Point{c[0] + far*d, c[1] - far*d},
		orb.Point{c[0], c[1] + far*d})

	type tri struct {
		v          [3]int
		cx, cy, r2 float64
	}
	mk := func(a, b, c int) tri {
		if orient(all[a], all[b], all[c]) < 0 {
			b, c = c, b
		}
		cx, cy, r2 := circumcircle(all[a], all[b], all[c])
		return tri{v: [3]int{a, b, c}, cx: cx, cy: cy, r2: r2}
	}
	active := []tri{mk(n, n+1, n+2)}
	var done []tri
	var edges []edge
	var cavity []tri
	var last orb.Point
	for k, i := range order {
		p := all[i]
		if k > 0 && p == last {
			continue
		}
		last = p
		edges = edges[:0]
		cavity = cavity[:0]
		keep := active[:0]
		for _, t := range active {
			dxp := p[0] - t.cx
			if dxp > 0 && dxp*dxp > t.r2 {
				done = append(done, t)
				continue
			}
			dyp := p[1] - t.cy
			if dxp*dxp+dyp*dyp < t.r2 {
				edges = append(edges, edge{t.v[0], t.v[1]}, edge{t.v[1], t.v[2]}, edge{t.v[2], t.v[0]})
				cavity = append(cavity, t)
				continue
			}
			keep = append(keep, t)
		}
		// Floating-point in-circle tests on (nearly) cocircular points can pick a cavity
		// that is not star-shaped from p; give back triangles behind any boundary edge
		// that p does not see strictly on its left until the cavity is a proper star.
		for {
			bad := -1
			for x, e := range edges {
				if !edgeShared(edges, x) && orient(all[e.a], all[e.b], p) <= 0 {
					bad = x / 3
					break
				}
			}
			if bad < 0 {
				break
			}
			keep = append(keep, cavity[bad])
			cavity = append(cavity[:bad], cavity[bad+1:]...)
			edges = append(edges[:3*bad], edges[3*bad+3:]...)
		}
		active = keep
		for x, e := range edges {
			if !edgeShared(edges, x) {
				active = append(active, mk(e.a, e.b, i))
			}
		}
	}
	done = append(done, active...)
	var out []Triangle
	for _, t := range done {
		if t.v[0] >= n || t.v[1] >= n || t.v[2] >= n {
			continue
		}
		if orient(all[t.v[0]], all[t.v[1]], all[t.v[2]]) == 0 {
			continue
		}
		out = append(out, Triangle(t.v))
	}
	sort.Slice(out, func(a, b int) bool {
		for k := 0; k < 3; k++ {
			if out[a][k] != out[b][k] {
				return out[a][k] < out[b][k]
			}
		}
		return false
	})
	return out
}

type edge struct{ a, b int }

// edgeShared reports whether edges[x] appears reversed elsewhere in edges.
func edgeShared(edges []edge, x int) bool {
	e := edges[x]
	for y := range edges {
		if y != x && edges[y].a == e.b && edges[y].b == e.a {
			return true
		}
	}
	return false
}

// orient is twice the signed area of (a, b, c): > 0 counter-clockwise, < 0 clockwise.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// circumcircle returns the centre and squared radius of the circle through a, b, c.
func circumcircle(a, b, c orb.Point) (cx, cy, r2 float64) {
	bx, by := b[0]-a[0], b[1]-a[1]
	qx, qy := c[0]-a[0], c[1]-a[1]
	d := 2 * (bx*qy - by*qx)
	if d == 0 {
		return a[0], a[1], math.Inf(1)
	}
	b2, q2 := bx*bx+by*by, qx*qx+qy*qy
	ux := (qy*b2 - by*q2) / d
	uy := (bx*q2 - qx*b2) / d
	return a[0] + ux, a[1] + uy, ux*ux + uy*uy
}
