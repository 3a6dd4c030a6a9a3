package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// bridgeComponents links connected components by a minimum spanning tree over the
// component-to-component gaps (Borůvka: every round, each component takes its
// shortest link to another one); a gap is the smallest region-to-region gap
// (boundary distance when both have geometry, else anchor distance). Time is O(n²)
// region pairs per round at worst, with O(log components) rounds; memory is O(n).
func bridgeComponents(regions []Region, comps [][]int) []Edge {
	n := len(regions)
	parent := make([]int, len(comps))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	compOf := make([]int, n)
	for c, comp := range comps {
		for _, i := range comp {
			compOf[i] = c
		}
	}
	bounds := make([]orb.Bound, n)
	for i, r := range regions {
		a := r.Anchor()
		bounds[i] = orb.Bound{Min: a, Max: a}
		if len(polygons(r.Geometry)) > 0 {
			bounds[i] = r.Geometry.Bound()
		}
	}
	better := func(e, f Edge) bool { // e shorter than f, ties by regions
		if e.DistanceKm != f.DistanceKm {
			return e.DistanceKm < f.DistanceKm
		}
		if e.A != f.A {
			return e.A < f.A
		}
		return e.B < f.B
	}
	var out []Edge
	for left := len(comps); left > 1; {
		cheapest := make([]Edge, len(comps))
		has := make([]bool, len(comps))
		for i := 0; i < n; i++ {
			ci := find(compOf[i])
			for j := i + 1; j < n; j++ {
				cj := find(compOf[j])
				if ci == cj {
					continue
				}
				lb := boundGapKm(bounds[i], bounds[j])
				if has[ci] && has[cj] && lb > cheapest[ci].DistanceKm && lb > cheapest[cj].DistanceKm {
					continue
				}
				e := Edge{A: i, B: j, Kind: BridgeEdge, DistanceKm: regionGapKm(regions[i], regions[j])}
				for _, c := range []int{ci, cj} {
					if !has[c] || better(e, cheapest[c]) {
						cheapest[c], has[c] = e, true
					}
				}
			}
		}
		for c := range cheapest {
			if !has[c] {
				continue
			}
			e := cheapest[c]
			a, b := find(compOf[e.A]), find(compOf[e.B])
			if a == b {
				continue
			}
			parent[a] = b
			out = append(out, e)
			left--
		}
	}
	sort.Slice(out, func(a, b int) bool { return better(out[a], out[b]) })
	return out
}

// boundGapKm is a lower bound of the distance between anything inside two bounds.
func boundGapKm(a, b orb.Bound) float64 {
	dx := math.Max(0, math.Max(a.Min[0]-b.Max[0], b.Min[0]-a.Max[0]))
	dy := math.Max(0, math.Max(a.Min[1]-b.Max[1], b.Min[1]-a.Max[1]))
	lat := math.Max(math.Abs(a.Max[1]), math.Abs(a.Min[1]))
	lat = math.Max(lat, math.Max(math.Abs(b.Max[1]), math.Abs(b.Min[1])))
	kx := math.Cos(math.Min(89, lat)*math.Pi/180) * EarthRadiusKm * math.Pi / 180
	ky := EarthRadiusKm * math.Pi / 180
	return math.Hypot(dx*kx, dy*ky) * 0.99
}

// regionGapKm is the gap between two regions: the smallest distance between their
// boundaries when both have geometry (0 if they overlap), else between anchors.
func regionGapKm(a, b Region) float64 {
	pa, pb := polygons(a.Geometry), polygons(b.Geometry)
	if len(pa) == 0 || len(pb) == 0 {
		x, y := a.Anchor(), b.Anchor()
		return HaversineKm(x[0], x[1], y[0], y[1])
	}
	pr := projectionFor(a.Geometry.Bound().Union(b.Geometry.Bound()))
	qa, qb := projectPolys(pr, pa), projectPolys(pr, pb)
	best := math.Inf(1)
	for _, p := range qa {
		for _, r := range p {
			for _, v := range r {
				best = math.Min(best, distToPolys(v, qb))
			}
		}
	}
	for _, p := range qb {
		for _, r := range p {
			for _, v := range r {
				best = math.Min(best, distToPolys(v, qa))
			}
		}
	}
	return best / 1000
}

// distToPolys is the planar distance from v to the boundaries of polys.
func distToPolys(v orb.Point, polys []orb.Polygon) float64 {
	best := math.Inf(1)
	for _, p := range polys {
		for _, r := range p {
			for k := 0; k+1 < len(r); k++ {
				best = math.Min(best, pointSegDist(v, r[k], r[k+1]))
			}
		}
	}
	return best
}

// pointSegDist is the planar distance from p to segment ab.
func pointSegDist(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l2))
	}
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}
