package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// segIndex buckets the edges of some polygons by their y-extent, so that the edges
// near a segment, or crossing a horizontal line, are found without scanning them all.
// Memory is about O(edges); a query costs the edges in the buckets it spans.
type segIndex struct {
	a, b    []orb.Point // edge k runs from a[k] to b[k]
	y0, bh  float64
	buckets [][]int32
	seen    []uint32
	stamp   uint32
}

// newSegIndex indexes the edges of polys; pad widens every edge's y-extent.
func newSegIndex(polys []orb.Polygon, pad float64) *segIndex {
	ix := &segIndex{}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, p := range polys {
		for _, r := range p {
			for k := 0; k+1 < len(r); k++ {
				ix.a = append(ix.a, r[k])
				ix.b = append(ix.b, r[k+1])
				ymin = math.Min(ymin, math.Min(r[k][1], r[k+1][1]))
				ymax = math.Max(ymax, math.Max(r[k][1], r[k+1][1]))
			}
		}
	}
	n := len(ix.a)
	if n == 0 {
		return ix
	}
	ix.y0 = ymin - pad
	nb := max(1, n/2)
	ix.bh = (ymax + pad - ix.y0) / float64(nb)
	if ix.bh <= 0 {
		ix.bh, nb = 1, 1
	}
	ix.buckets = make([][]int32, nb)
	for k := range ix.a {
		lo := ix.bucket(math.Min(ix.a[k][1], ix.b[k][1]) - pad)
		hi := ix.bucket(math.Max(ix.a[k][1], ix.b[k][1]) + pad)
		for q := lo; q <= hi; q++ {
			ix.buckets[q] = append(ix.buckets[q], int32(k))
		}
	}
	ix.seen = make([]uint32, n)
	return ix
}

func (ix *segIndex) bucket(y float64) int {
	q := int(math.Floor((y - ix.y0) / ix.bh))
	return min(max(q, 0), len(ix.buckets)-1)
}

// near calls fn once for every edge whose padded y-extent meets [ymin, ymax].
func (ix *segIndex) near(ymin, ymax float64, fn func(k int)) {
	if len(ix.buckets) == 0 {
		return
	}
	ix.stamp++
	if ix.stamp == 0 { // wrapped: clear
		clear(ix.seen)
		ix.stamp = 1
	}
	for q := ix.bucket(ymin); q <= ix.bucket(ymax); q++ {
		for _, k := range ix.buckets[q] {
			if ix.seen[k] != ix.stamp {
				ix.seen[k] = ix.stamp
				fn(int(k))
			}
		}
	}
}

// contains reports whether p lies inside the indexed polygons (even–odd rule over all
// rings, so holes count as outside). Points exactly on an edge may go either way.
func (ix *segIndex) contains(p orb.Point) bool {
	if len(ix.buckets) == 0 {
		return false
	}
	in := false
	for _, k := range ix.buckets[ix.bucket(p[1])] {
		a, b := ix.a[k], ix.b[k]
		if (a[1] > p[1]) != (b[1] > p[1]) {
			x := a[0] + (p[1]-a[1])/(b[1]-a[1])*(b[0]-a[0])
			if x > p[0] {
				in = !in
			}
		}
	}
	return in
}
