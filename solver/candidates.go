package solver

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/spatial/kdtree"
)

// earthRadiusKm matches geo.HaversineKm's sphere; the projection only guides searches,
// every distance a decision uses is Model.Dist.
const earthRadiusKm = 6371.0088

// projection maps lon/lat to a local equirectangular plane in km (x east, y north),
// true to scale on the mean latitude of the instance. Candidate searches run on it with
// a safety margin and are then confirmed with the exact distance.
type projection struct{ lon0, lat0, kx float64 }

func newProjection(pts []Point) projection {
	var slon, slat float64
	for _, p := range pts {
		slon += p.Lon
		slat += p.Lat
	}
	n := float64(max(len(pts), 1))
	lat0 := slat / n
	return projection{lon0: slon / n, lat0: lat0, kx: math.Cos(lat0 * math.Pi / 180)}
}

func (p projection) xy(q Point) (x, y float64) {
	const deg = math.Pi / 180 * earthRadiusKm
	return (q.Lon - p.lon0) * deg * p.kx, (q.Lat - p.lat0) * deg
}

// kdPoint is a projected point with the index it stands for.
type kdPoint struct {
	x, y float64
	id   int32
}

func (p kdPoint) Compare(c kdtree.Comparable, d kdtree.Dim) float64 {
	q := c.(kdPoint)
	if d == 0 {
		return p.x - q.x
	}
	return p.y - q.y
}
func (p kdPoint) Dims() int { return 2 }
func (p kdPoint) Distance(c kdtree.Comparable) float64 {
	q := c.(kdPoint)
	dx, dy := p.x-q.x, p.y-q.y
	return dx*dx + dy*dy
}

// kdPoints is a kdtree.Interface whose pivot is chosen deterministically (gonum's
// default pivot samples the global random source), so the tree, and therefore the
// order of every search, is the same on every run.
type kdPoints []kdPoint

func (p kdPoints) Index(i int) kdtree.Comparable   { return p[i] }
func (p kdPoints) Len() int                        { return len(p) }
func (p kdPoints) Slice(s, e int) kdtree.Interface { return p[s:e] }
func (p kdPoints) Pivot(d kdtree.Dim) int {
	sort.Slice(p, func(i, j int) bool {
		a, b := p[i], p[j]
		if d == 0 && a.x != b.x {
			return a.x < b.x
		}
		if d == 1 && a.y != b.y {
			return a.y < b.y
		}
		return a.id < b.id
	})
	return len(p) / 2
}

// depotCand is a depot that may serve an asset and the asset's term there.
type depotCand struct {
	j    int32
	term float64 // c_a + τ·d(j,a)
}

// candidates are the spatial lists the search works on: for each participating asset
// the depots within max_distance_km (sorted by the asset's term, then index) and its
// nearest participating neighbours; for each depot the assets it can reach.
type candidates struct {
	proj     projection
	reach    [][]depotCand // asset → reachable depots, cheapest term first
	near     [][]int32     // asset → nearest participating assets (without itself)
	byDepot  [][]int32     // depot → assets that can reach it, nearest first
	byDepotT [][]float64   // the assets' terms at that depot, parallel to byDepot
	// byJ and byJTerm are each asset's reachable depots sorted by index, for term lookups
	// by binary search on instances too large for the dense table.
	byJ      [][]int32
	byJTerm  [][]float64
	assetXY  []kdPoint
	assetIdx *kdtree.Tree
	dense    []float64 // asset*J+depot → term, NaN when unreachable; only for small instances
}

// newCandidates builds the lists with k-d trees on projected coordinates. nNear is the
// number of neighbours kept per asset.
func newCandidates(m *Model, nNear int) *candidates {
	maxReach := len(m.Depots)
	if len(m.Participating) > 50_000 {
		maxReach = 40
	}
	J := len(m.Depots)
	pts := make([]Point, 0, len(m.Participating)+J)
	for _, a := range m.Participating {
		pts = append(pts, m.Assets[a].At)
	}
	for _, d := range m.Depots {
		pts = append(pts, d.At)
	}
	c := &candidates{proj: newProjection(pts), reach: make([][]depotCand, len(m.Assets)),
		near: make([][]int32, len(m.Assets)), byDepot: make([][]int32, J), byDepotT: make([][]float64, J),
		assetXY: make([]kdPoint, len(m.Assets))}
	dps := make(kdPoints, J)
	for j, d := range m.Depots {
		x, y := c.proj.xy(d.At)
		dps[j] = kdPoint{x, y, int32(j)}
	}
	depotTree := kdtree.New(append(kdPoints(nil), dps...), false)
	aps := make(kdPoints, 0, len(m.Participating))
	for _, a := range m.Participating {
		x, y := c.proj.xy(m.Assets[a].At)
		c.assetXY[a] = kdPoint{x, y, int32(a)}
		aps = append(aps, c.assetXY[a])
	}
	// Great-circle km from a projected radius: the projection's scale error across an
	// instance a few hundred km wide stays well under 15 %, plus 1 km for rounding.
	radius := math.Inf(1)
	if !math.IsInf(m.MaxDistanceKm, 1) && m.Circuity > 0 {
		radius = m.MaxDistanceKm/m.Circuity*1.15 + 1
	}
	type depotAsset struct {
		a      int32
		travel float64
	}
	byDepot := make([][]depotAsset, J)
	// Each asset's list is independent: two halves in parallel, merged in asset order.
	parallelChunks(len(m.Participating), func(lo, hi int) {
		for _, a := range m.Participating[lo:hi] {
			var list []depotCand
			if math.IsInf(radius, 1) || J <= 64 {
				for j := 0; j < J; j++ {
					if m.Reachable(j, a) {
						list = append(list, depotCand{int32(j), m.AssetTerm(j, a)})
					}
				}
			} else {
				k := kdtree.NewDistKeeper(radius * radius)
				depotTree.NearestSet(k, c.assetXY[a])
				for _, cd := range k.Heap {
					if cd.Comparable == nil {
						continue
					}
					j := int(cd.Comparable.(kdPoint).id)
					if m.Reachable(j, a) {
						list = append(list, depotCand{int32(j), m.AssetTerm(j, a)})
					}
				}
			}
			sort.Slice(list, func(x, y int) bool {
				if list[x].term != list[y].term {
					return list[x].term < list[y].term
				}
				return list[x].j < list[y].j
			})
			if m.pins != nil {
				list = pinnedReach(m, a, list)
			}
			if len(list) > maxReach {
				// Beyond the cheapest maxReach depots an asset is never placed in a good
				// plan; the cap keeps the lists (and every scan of them) small when
				// max_distance_km covers dozens of depots.
				list = list[:maxReach:maxReach]
			}
			c.reach[a] = list
		}
	})
	for _, a := range m.Participating {
		for _, d := range c.reach[a] {
			byDepot[d.j] = append(byDepot[d.j], depotAsset{int32(a), d.term - m.Assets[a].Cost})
		}
	}
	for j, l := range byDepot {
		sort.Slice(l, func(x, y int) bool {
			if l[x].travel != l[y].travel {
				return l[x].travel < l[y].travel
			}
			return l[x].a < l[y].a
		})
		c.byDepot[j] = make([]int32, len(l))
		c.byDepotT[j] = make([]float64, len(l))
		for i, e := range l {
			c.byDepot[j][i] = e.a
			c.byDepotT[j][i] = e.travel + m.Assets[e.a].Cost
		}
	}
	if len(aps) > 0 {
		c.assetIdx = kdtree.New(append(kdPoints(nil), aps...), false)
		if nNear > len(aps)-1 {
			nNear = len(aps) - 1
		}
		parallelChunks(len(m.Participating), func(lo, hi int) {
			for _, a := range m.Participating[lo:hi] {
				if nNear <= 0 {
					break
				}
				k := kdtree.NewNKeeper(nNear + 1)
				c.assetIdx.NearestSet(k, c.assetXY[a])
				type nd struct {
					d  float64
					id int32
				}
				ns := make([]nd, 0, len(k.Heap))
				for _, cd := range k.Heap {
					if cd.Comparable == nil {
						continue
					}
					id := cd.Comparable.(kdPoint).id
					if int(id) != a {
						ns = append(ns, nd{cd.Dist, id})
					}
				}
				sort.Slice(ns, func(x, y int) bool {
					if ns[x].d != ns[y].d {
						return ns[x].d < ns[y].d
					}
					return ns[x].id < ns[y].id
				})
				if len(ns) > nNear {
					ns = ns[:nNear]
				}
				out := make([]int32, len(ns))
				for i, n := range ns {
					out[i] = n.id
				}
				c.near[a] = out
			}
		})
	}
	c.byJ, c.byJTerm = make([][]int32, len(m.Assets)), make([][]float64, len(m.Assets))
	for _, a := range m.Participating {
		r := append([]depotCand(nil), c.reach[a]...)
		sort.Slice(r, func(x, y int) bool { return r[x].j < r[y].j })
		c.byJ[a], c.byJTerm[a] = make([]int32, len(r)), make([]float64, len(r))
		for i, d := range r {
			c.byJ[a][i], c.byJTerm[a][i] = d.j, d.term
		}
	}
	if n := len(m.Assets) * J; n <= 4_000_000 {
		c.dense = make([]float64, n)
		for i := range c.dense {
			c.dense[i] = math.NaN()
		}
		for _, a := range m.Participating {
			for _, d := range c.reach[a] {
				c.dense[a*J+int(d.j)] = d.term
			}
		}
	}
	return c
}

// pinnedReach keeps the depots the pins allow asset a: its pinned depot alone (even
// when the reach cap would drop it), else the reachable depots that are neither
// forbidden to it nor closed by a lot pin. A closed lot then holds exactly its assets:
// they can go nowhere else and no other asset can go there.
func pinnedReach(m *Model, a int, list []depotCand) []depotCand {
	ps := m.pins
	if j := ps.depot[a]; j >= 0 {
		return []depotCand{{j, m.AssetTerm(int(j), a)}}
	}
	out := list[:0]
	for _, d := range list {
		if ps.allowed(a, int(d.j)) {
			out = append(out, d)
		}
	}
	return out
}

// term returns c_a + τ·d(j,a) and whether depot j may serve asset a.
func (c *candidates) term(J, j, a int) (float64, bool) {
	if c.dense != nil {
		t := c.dense[a*J+j]
		return t, !math.IsNaN(t)
	}
	js := c.byJ[a]
	lo, hi := 0, len(js)
	for lo < hi {
		mid := (lo + hi) / 2
		if int(js[mid]) < j {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(js) && int(js[lo]) == j {
		return c.byJTerm[a][lo], true
	}
	return 0, false
}

// parallelChunks runs fn on [0,n) split in two halves on two goroutines (the machine
// this targets has two cores); fn must only write per-index results.
func parallelChunks(n int, fn func(lo, hi int)) {
	if n < 2048 {
		fn(0, n)
		return
	}
	half := n / 2
	done := make(chan struct{})
	go func() {
		fn(0, half)
		close(done)
	}()
	fn(half, n)
	<-done
}

// withinKm returns the participating assets whose projected position lies within r km
// of asset a's (a included), nearest first.
func (c *candidates) withinKm(a int, r float64) []int32 {
	if c.assetIdx == nil {
		return nil
	}
	k := kdtree.NewDistKeeper(r * r)
	c.assetIdx.NearestSet(k, c.assetXY[a])
	out := make([]int32, 0, len(k.Heap))
	for _, cd := range k.Heap {
		if cd.Comparable != nil {
			out = append(out, cd.Comparable.(kdPoint).id)
		}
	}
	return out
}

// nearestK appends to out the k participating assets nearest to asset a (a included),
// nearest first.
func (c *candidates) nearestK(a, k int, out []int) []int {
	if c.assetIdx == nil || k <= 0 {
		return out
	}
	keep := kdtree.NewNKeeper(k)
	c.assetIdx.NearestSet(keep, c.assetXY[a])
	for _, cd := range keep.Heap {
		if cd.Comparable != nil {
			out = append(out, int(cd.Comparable.(kdPoint).id))
		}
	}
	return out
}
