package geo

import (
	"container/heap"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// ConvexHull returns the convex hull of points (Andrew's monotone chain) as a closed
// counter-clockwise ring without collinear vertices. Degenerate inputs give degenerate
// closed rings: nil for no points, [p p] for one distinct point, [a b a] for collinear
// points (a and b the extremes). The hull is affine-invariant, so it may be taken
// directly on longitude and latitude.
func ConvexHull(points []orb.Point) orb.Ring {
	if len(points) == 0 {
		return nil
	}
	ps := append([]orb.Point(nil), points...)
	sort.Slice(ps, func(i, j int) bool {
		if ps[i][0] != ps[j][0] {
			return ps[i][0] < ps[j][0]
		}
		return ps[i][1] < ps[j][1]
	})
	uniq := ps[:1]
	for _, p := range ps[1:] {
		if p != uniq[len(uniq)-1] {
			uniq = append(uniq, p)
		}
	}
	ps = uniq
	if len(ps) == 1 {
		return orb.Ring{ps[0], ps[0]}
	}
	hull := make([]orb.Point, 0, 2*len(ps))
	for _, p := range ps { // lower chain
		for len(hull) >= 2 && orient(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	lower := len(hull) + 1
	for i := len(ps) - 2; i >= 0; i-- { // upper chain
		p := ps[i]
		for len(hull) >= lower && orient(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	// hull ends with ps[0] again: it is closed. Collinear input gives [a b a].
	return orb.Ring(hull)
}

// ConcaveOptions tune ConcaveHull.
type ConcaveOptions struct {
	// MaxEdgeKm: boundary edges longer than this are dug into. When zero, Chi is used.
	MaxEdgeKm float64
	// Chi sets the threshold relative to the longest edge of the Delaunay triangulation
	// (0 < Chi ≤ 1; 1 gives the convex hull). Zero means 0.3.
	Chi float64
}

// ConcaveHull returns a tighter outline than the convex hull: the χ-shape of Duckham
// et al. (2008). Starting from the Delaunay triangulation it repeatedly removes the
// boundary triangle behind the longest boundary edge while that edge is longer than
// the threshold and the triangle's third point is not yet on the boundary, so the
// outline stays a simple polygon through or around every point. Fewer than three
// distinct points, collinear points, or a failed check that every point is inside
// give the convex hull. The ring is closed and counter-clockwise.
func ConcaveHull(points []orb.Point, opt ConcaveOptions) orb.Ring {
	convex := ConvexHull(points)
	if len(convex) < 4 {
		return convex
	}
	uniqMap := map[orb.Point]int{}
	var ll []orb.Point
	for _, p := range points {
		if _, ok := uniqMap[p]; !ok {
			uniqMap[p] = len(ll)
			ll = append(ll, p)
		}
	}
	pr := projectionFor(orb.MultiPoint(ll).Bound())
	xy := make([]orb.Point, len(ll))
	for i, p := range ll {
		xy[i] = pr.Forward(p)
	}
	tris := Delaunay(xy)
	if len(tris) == 0 {
		return convex
	}
	type ek struct{ a, b int } // undirected key a < b
	key := func(a, b int) ek {
		if a > b {
			a, b = b, a
		}
		return ek{a, b}
	}
	edgeTris := map[ek][]int{}
	longest := 0.0
	length := func(a, b int) float64 { return math.Hypot(xy[a][0]-xy[b][0], xy[a][1]-xy[b][1]) }
	for t, tr := range tris {
		for k := 0; k < 3; k++ {
			e := key(tr[k], tr[(k+1)%3])
			if len(edgeTris[e]) == 0 {
				longest = math.Max(longest, length(e.a, e.b))
			}
			edgeTris[e] = append(edgeTris[e], t)
		}
	}
	threshold := opt.MaxEdgeKm * 1000
	if threshold <= 0 {
		chi := opt.Chi
		if chi <= 0 || chi > 1 {
			chi = 0.3
		}
		threshold = chi * longest
	}
	alive := make([]bool, len(tris))
	for t := range alive {
		alive[t] = true
	}
	onBoundary := make([]bool, len(xy))
	h := &edgeHeap{}
	for e, ts := range edgeTris {
		if len(ts) == 1 {
			onBoundary[e.a], onBoundary[e.b] = true, true
			heap.Push(h, heapEdge{a: e.a, b: e.b, t: ts[0], len: length(e.a, e.b)})
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		top := heap.Pop(h).(heapEdge)
		if top.len <= threshold {
			break
		}
		if !alive[top.t] {
			continue
		}
		tr := tris[top.t]
		c := tr[0] + tr[1] + tr[2] - top.a - top.b
		if onBoundary[c] {
			continue
		}
		alive[top.t] = false
		onBoundary[c] = true
		for _, o := range []int{top.a, top.b} {
			for _, t2 := range edgeTris[key(o, c)] {
				if t2 != top.t && alive[t2] {
					heap.Push(h, heapEdge{a: o, b: c, t: t2, len: length(o, c)})
				}
			}
		}
	}
	// Trace the boundary: directed edges of live (counter-clockwise) triangles whose
	// other side is dead or absent.
	next := map[int]int{}
	count := 0
	for t, tr := range tris {
		if !alive[t] {
			continue
		}
		for k := 0; k < 3; k++ {
			a, b := tr[k], tr[(k+1)%3]
			other := false
			for _, t2 := range edgeTris[key(a, b)] {
				if t2 != t && alive[t2] {
					other = true
				}
			}
			if !other {
				if _, dup := next[a]; dup {
					return convex
				}
				next[a] = b
				count++
			}
		}
	}
	start := -1
	for a := range next {
		if start < 0 || a < start {
			start = a
		}
	}
	ring := orb.Ring{ll[start]}
	for v, steps := next[start], 1; ; v, steps = next[v], steps+1 {
		ring = append(ring, ll[v])
		if v == start {
			break
		}
		if steps > count {
			return convex
		}
	}
	if len(ring)-1 != count {
		return convex
	}
	for _, p := range ll {
		if !planar.RingContains(ring, p) {
			return convex
		}
	}
	return ring
}

type heapEdge struct {
	a, b, t int
	len     float64
}

// edgeHeap is a max-heap of boundary edges by length (ties by vertices, for determinism).
type edgeHeap []heapEdge

func (h edgeHeap) Len() int { return len(h) }
func (h edgeHeap) Less(i, j int) bool {
	if h[i].len != h[j].len {
		return h[i].len > h[j].len
	}
	if h[i].a != h[j].a {
		return h[i].a < h[j].a
	}
	return h[i].b < h[j].b
}
func (h edgeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *edgeHeap) Push(x any)   { *h = append(*h, x.(heapEdge)) }
func (h *edgeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
