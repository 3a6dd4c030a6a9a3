package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Dissolve returns the outline of the union of polygonal geometries (a group's member
// municipalities) by shared-edge removal: vertices closer than toleranceM metres are
// snapped together, vertices lying within toleranceM of another ring's edge split that
// edge, every edge that also appears in the opposite direction (a border between two
// members) is removed, and the edges left are chained into rings. Counter-clockwise
// rings are outer rings, clockwise ones holes; holes thinner than about 2·toleranceM
// (gaps between outlines that do not quite meet) are dropped.
//
// This is exact for outlines that share their border vertices (topology-preserving
// simplification, as the N03 files used here) and a close approximation when they
// nearly do. Members that overlap widely are not merged correctly; callers that need
// a guaranteed outline can use ConvexHull or ConcaveHull of the members' vertices.
func Dissolve(geoms []orb.Geometry, toleranceM float64) (orb.MultiPolygon, error) {
	var polys []orb.Polygon
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for i, g := range geoms {
		ps := polygons(g)
		if len(ps) == 0 {
			return nil, fmt.Errorf("dissolve: geometry %d is not a Polygon or MultiPolygon", i)
		}
		for _, p := range ps {
			if len(p) > 0 && len(p[0]) > 0 {
				polys = append(polys, p)
				b = b.Union(p.Bound())
			}
		}
	}
	if len(polys) == 0 {
		return nil, fmt.Errorf("dissolve: no polygons")
	}
	if toleranceM < 0 {
		toleranceM = 0
	}
	pr := projectionFor(b)

	// Snap vertices: a grid of cells toleranceM wide finds earlier vertices nearby.
	var ll, xy []orb.Point
	cell := math.Max(toleranceM, 1e-3)
	grid := map[[2]int64][]int{}
	vertex := func(p orb.Point) int {
		q := pr.Forward(p)
		cx, cy := int64(math.Floor(q[0]/cell)), int64(math.Floor(q[1]/cell))
		best, bestD := -1, math.Inf(1)
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for _, v := range grid[[2]int64{cx + dx, cy + dy}] {
					if d := math.Hypot(xy[v][0]-q[0], xy[v][1]-q[1]); d <= toleranceM && d < bestD {
						best, bestD = v, d
					}
				}
			}
		}
		if best >= 0 {
			return best
		}
		grid[[2]int64{cx, cy}] = append(grid[[2]int64{cx, cy}], len(xy))
		ll = append(ll, p)
		xy = append(xy, q)
		return len(xy) - 1
	}
	var rings [][]int
	for _, p := range polys {
		for k, r := range p {
			ids := make([]int, 0, len(r))
			for _, q := range r {
				v := vertex(q)
				if len(ids) == 0 || ids[len(ids)-1] != v {
					ids = append(ids, v)
				}
			}
			if len(ids) > 1 && ids[0] == ids[len(ids)-1] {
				ids = ids[:len(ids)-1]
			}
			if len(ids) < 3 {
				continue
			}
			// Outer rings counter-clockwise, holes clockwise.
			if a := signedArea(xy, ids); (k == 0) != (a > 0) {
				for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
					ids[i], ids[j] = ids[j], ids[i]
				}
			}
			rings = append(rings, ids)
		}
	}
	// Split edges at vertices that lie on them (T-junctions).
	type dirEdge struct{ a, b int }
	count := map[dirEdge]int{}
	var order []dirEdge
	for _, ids := range rings {
		for k := range ids {
			a, c := ids[k], ids[(k+1)%len(ids)]
			chain := splitEdge(xy, a, c, toleranceM)
			for m := 0; m+1 < len(chain); m++ {
				e := dirEdge{chain[m], chain[m+1]}
				if count[e] == 0 {
					order = append(order, e)
				}
				count[e]++
			}
		}
	}
	// Cancel edges that appear in both directions.
	for _, e := range order {
		r := dirEdge{e.b, e.a}
		for count[e] > 0 && count[r] > 0 {
			count[e]--
			count[r]--
		}
	}
	out := map[int][]int{}
	remaining := 0
	for _, e := range order {
		for c := 0; c < count[e]; c++ {
			out[e.a] = append(out[e.a], e.b)
			remaining++
		}
	}
	var outers, holes [][]int
	for _, start := range order {
		for count[start] > 0 {
			e := start
			// Trace a ring from e, turning as far left as possible at every junction.
			ring := []int{e.a}
			prev, cur := e.a, e.b
			removeOut(out, e.a, e.b)
			count[e]--
			for steps := 0; cur != e.a; steps++ {
				if steps > remaining {
					return nil, fmt.Errorf("dissolve: could not close an outline ring near %v", ll[e.a])
				}
				ring = append(ring, cur)
				nexts := out[cur]
				if len(nexts) == 0 {
					return nil, fmt.Errorf("dissolve: outline is open at %v", ll[cur])
				}
				best, bestAng := -1, math.Inf(-1)
				din := orb.Point{xy[cur][0] - xy[prev][0], xy[cur][1] - xy[prev][1]}
				for _, nx := range nexts {
					dout := orb.Point{xy[nx][0] - xy[cur][0], xy[nx][1] - xy[cur][1]}
					ang := math.Atan2(din[0]*dout[1]-din[1]*dout[0], din[0]*dout[0]+din[1]*dout[1])
					if ang > bestAng {
						best, bestAng = nx, ang
					}
				}
				removeOut(out, cur, best)
				count[dirEdge{cur, best}]--
				prev, cur = cur, best
			}
			if len(ring) < 3 {
				continue
			}
			a := signedArea(xy, ring)
			switch {
			case a > 0:
				outers = append(outers, ring)
			case a < 0 && -a > toleranceM*ringPerimeter(xy, ring):
				holes = append(holes, ring)
			}
		}
	}
	if len(outers) == 0 {
		return nil, fmt.Errorf("dissolve: no outer ring left")
	}
	sort.SliceStable(outers, func(i, j int) bool { return signedArea(xy, outers[i]) > signedArea(xy, outers[j]) })
	mp := make(orb.MultiPolygon, len(outers))
	toRing := func(ids []int) orb.Ring {
		r := make(orb.Ring, 0, len(ids)+1)
		for _, v := range ids {
			r = append(r, ll[v])
		}
		return append(r, ll[ids[0]])
	}
	for i, o := range outers {
		mp[i] = orb.Polygon{toRing(o)}
	}
	for _, h := range holes {
		hr := toRing(h)
		best := -1
		for i := len(mp) - 1; i >= 0; i-- { // smallest outer first
			inside := true
			for _, q := range hr {
				if !planar.RingContains(mp[i][0], q) {
					inside = false
					break
				}
			}
			if inside {
				best = i
				break
			}
		}
		if best >= 0 {
			mp[best] = append(mp[best], hr)
		}
	}
	return mp, nil
}

func removeOut(out map[int][]int, a, b int) {
	l := out[a]
	for i, v := range l {
		if v == b {
			out[a] = append(l[:i:i], l[i+1:]...)
			return
		}
	}
}

// splitEdge returns a, then the vertices within tol of the inside of segment ac in
// order along it, then c.
func splitEdge(xy []orb.Point, a, c int, tol float64) []int {
	p, q := xy[a], xy[c]
	seg := orb.Bound{Min: p, Max: p}.Extend(q).Pad(tol)
	dx, dy := q[0]-p[0], q[1]-p[1]
	l2 := dx*dx + dy*dy
	type on struct {
		v int
		t float64
	}
	var ons []on
	if l2 > 0 {
		for v, r := range xy {
			if v == a || v == c || !seg.Contains(r) {
				continue
			}
			t := ((r[0]-p[0])*dx + (r[1]-p[1])*dy) / l2
			if t <= 0 || t >= 1 {
				continue
			}
			if math.Hypot(p[0]+t*dx-r[0], p[1]+t*dy-r[1]) <= tol {
				ons = append(ons, on{v, t})
			}
		}
	}
	sort.Slice(ons, func(i, j int) bool { return ons[i].t < ons[j].t })
	chain := []int{a}
	for _, o := range ons {
		chain = append(chain, o.v)
	}
	return append(chain, c)
}

// signedArea is the shoelace area of the closed ring ids (positive counter-clockwise).
func signedArea(xy []orb.Point, ids []int) float64 {
	s := 0.0
	for k := range ids {
		p, q := xy[ids[k]], xy[ids[(k+1)%len(ids)]]
		s += p[0]*q[1] - q[0]*p[1]
	}
	return s / 2
}

func ringPerimeter(xy []orb.Point, ids []int) float64 {
	s := 0.0
	for k := range ids {
		p, q := xy[ids[k]], xy[ids[(k+1)%len(ids)]]
		s += math.Hypot(q[0]-p[0], q[1]-p[1])
	}
	return s
}
