package geo

import "github.com/paulmach/orb"

// ConvexIntersection is the intersection of two convex rings (closed, counter-clockwise, as
// ConvexHull returns them) by Sutherland–Hodgman clipping of a by each edge of b: a closed
// counter-clockwise ring, or nil when they share no area (disjoint, touching along an edge
// or at a point, or either ring degenerate). Lot outlines are convex hulls, so this is
// exact for them; for a non-convex b the answer would be wrong, hence the name.
func ConvexIntersection(a, b orb.Ring) orb.Ring {
	if len(a) < 4 || len(b) < 4 {
		return nil
	}
	out := []orb.Point(a[:len(a)-1])
	for i := 0; i+1 < len(b) && len(out) > 0; i++ {
		p, q := b[i], b[i+1]
		in := out
		out = nil
		for k := range in {
			cur, next := in[k], in[(k+1)%len(in)]
			cin, nin := orient(p, q, cur) >= 0, orient(p, q, next) >= 0
			if cin {
				out = append(out, cur)
			}
			if cin != nin {
				out = append(out, lineCross(p, q, cur, next))
			}
		}
	}
	if len(out) < 3 {
		return nil
	}
	ring := append(orb.Ring(out), out[0])
	if ringArea2(ring) <= 0 {
		return nil
	}
	return ring
}

// lineCross is where segment c–d crosses the line through p and q (c and d on opposite
// sides of it).
func lineCross(p, q, c, d orb.Point) orb.Point {
	oc, od := orient(p, q, c), orient(p, q, d)
	s := oc / (oc - od)
	return orb.Point{c[0] + s*(d[0]-c[0]), c[1] + s*(d[1]-c[1])}
}

// ringArea2 is twice the signed shoelace area of a closed ring (positive counter-clockwise).
func ringArea2(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}
