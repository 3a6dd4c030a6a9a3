package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// EdgeKind says why two regions are neighbours.
type EdgeKind int

const (
	// BorderEdge: the boundaries share at least AdjacencyOptions.MinSharedM of border.
	BorderEdge EdgeKind = iota
	// CornerEdge: the boundaries only touch (less shared border than MinSharedM); made
	// an edge only with AdjacencyOptions.CornerTouches.
	CornerEdge
	// PointEdge: an edge of the Delaunay triangulation of the office points.
	PointEdge
	// BridgeEdge: added to connect an island or exclave component to its nearest
	// neighbouring component (IslandsConnect).
	BridgeEdge
)

func (k EdgeKind) String() string {
	switch k {
	case BorderEdge:
		return "border"
	case CornerEdge:
		return "corner"
	case PointEdge:
		return "point"
	case BridgeEdge:
		return "bridge"
	}
	return fmt.Sprintf("EdgeKind(%d)", int(k))
}

// Edge joins regions A < B (indices into the regions given to Adjacency).
type Edge struct {
	A, B int
	Kind EdgeKind
	// SharedM is the measured shared border in metres (boundaries only).
	SharedM float64
	// DistanceKm is the gap a BridgeEdge spans, or the length of a PointEdge.
	DistanceKm float64
}

// Graph is an undirected contiguity graph over regions; node i is regions[i].
type Graph struct {
	Codes []string
	// Adj[i] lists the neighbours of i in increasing order.
	Adj   [][]int
	Edges []Edge
}

// Adjacent reports whether i and j are neighbours.
func (g Graph) Adjacent(i, j int) bool {
	a := g.Adj[i]
	k := sort.SearchInts(a, j)
	return k < len(a) && a[k] == j
}

// Index returns the node of a code, or -1.
func (g Graph) Index(code string) int {
	for i, c := range g.Codes {
		if c == code {
			return i
		}
	}
	return -1
}

// Components returns the connected components, each sorted, ordered by first node.
func (g Graph) Components() [][]int {
	seen := make([]bool, len(g.Adj))
	var comps [][]int
	for s := range g.Adj {
		if seen[s] {
			continue
		}
		comp := []int{s}
		seen[s] = true
		for q := 0; q < len(comp); q++ {
			for _, v := range g.Adj[comp[q]] {
				if !seen[v] {
					seen[v] = true
					comp = append(comp, v)
				}
			}
		}
		sort.Ints(comp)
		comps = append(comps, comp)
	}
	return comps
}

// newGraph builds a graph from deduplicated edges.
func newGraph(codes []string, edges []Edge) Graph {
	sort.Slice(edges, func(a, b int) bool {
		if edges[a].A != edges[b].A {
			return edges[a].A < edges[b].A
		}
		return edges[a].B < edges[b].B
	})
	g := Graph{Codes: codes, Adj: make([][]int, len(codes))}
	for k, e := range edges {
		if k > 0 && edges[k-1].A == e.A && edges[k-1].B == e.B {
			continue
		}
		g.Edges = append(g.Edges, e)
		g.Adj[e.A] = append(g.Adj[e.A], e.B)
		g.Adj[e.B] = append(g.Adj[e.B], e.A)
	}
	for i := range g.Adj {
		sort.Ints(g.Adj[i])
	}
	return g
}

// AdjacencyMethod chooses where neighbourhoods come from.
type AdjacencyMethod int

const (
	// MethodAuto uses boundaries when every region has a polygonal geometry, else points.
	MethodAuto AdjacencyMethod = iota
	// MethodBoundaries uses shared borders; regions without geometry have no border
	// neighbours (they become islands, see IslandMode).
	MethodBoundaries
	// MethodPoints uses the Delaunay triangulation of the regions' anchors (offices).
	MethodPoints
)

// IslandMode says what to do with a graph of several connected components
// (islands, exclaves cut off by simplification, regions without geometry).
type IslandMode int

const (
	// IslandsConnect joins the components by a minimum spanning tree over the
	// component-to-component gaps: each added BridgeEdge links the two nearest regions.
	IslandsConnect IslandMode = iota
	// IslandsLeave keeps the components apart and lists them in the report.
	IslandsLeave
)

// AdjacencyOptions tune Adjacency; the zero value is usable.
type AdjacencyOptions struct {
	Method AdjacencyMethod
	// ToleranceM: boundary pieces within this distance (metres) of the other region
	// count as shared (simplified outlines of neighbours do not coincide exactly).
	// Zero means 25 m.
	ToleranceM float64
	// MinSharedM: the shared border needed for neighbours (rook contiguity); pairs that
	// touch with less are corner touches. Zero means 4 × ToleranceM.
	MinSharedM float64
	// CornerTouches makes corner touches neighbours too (queen contiguity).
	CornerTouches bool
	// MaxEdgeKm drops Delaunay edges longer than this (points method); 0 keeps all.
	MaxEdgeKm float64
	Islands   IslandMode
}

// AdjacencyReport explains the graph Adjacency built.
type AdjacencyReport struct {
	Method string // "boundaries" or "points"
	// NoGeometry lists regions without polygonal geometry (boundaries method).
	NoGeometry []string
	// CornerTouches lists touching pairs below MinSharedM, as codes.
	CornerTouches [][2]string
	// Components lists the connected components before islands were handled, when
	// there is more than one (codes, largest first).
	Components [][]string
	// Bridges are the edges IslandsConnect added.
	Bridges []Edge
}

// Adjacency builds the contiguity graph of regions. Codes must be unique and anchors
// (offices or geometry centroids) valid WGS84.
func Adjacency(regions []Region, opt AdjacencyOptions) (Graph, AdjacencyReport, error) {
	var rep AdjacencyReport
	codes := make([]string, len(regions))
	seen := map[string]int{}
	for i, r := range regions {
		if r.Code == "" {
			return Graph{}, rep, fmt.Errorf("adjacency: region %d has no code", i)
		}
		if j, ok := seen[r.Code]; ok {
			return Graph{}, rep, fmt.Errorf("adjacency: code %s appears twice (regions %d and %d)", r.Code, j, i)
		}
		seen[r.Code] = i
		codes[i] = r.Code
		if !r.hasPlace() {
			return Graph{}, rep, fmt.Errorf("adjacency: region %s has neither a polygon nor an office", r.Code)
		}
		if a := r.Anchor(); !ValidLonLat(a[0], a[1]) {
			return Graph{}, rep, fmt.Errorf("adjacency: region %s: anchor %v is not WGS84 degrees", r.Code, a)
		}
	}
	if opt.ToleranceM <= 0 {
		opt.ToleranceM = 25
	}
	if opt.MinSharedM <= 0 {
		opt.MinSharedM = 4 * opt.ToleranceM
	}
	method := opt.Method
	withGeom := 0
	for _, r := range regions {
		if len(polygons(r.Geometry)) > 0 {
			withGeom++
		}
	}
	if method == MethodAuto {
		method = MethodPoints
		if withGeom == len(regions) && withGeom > 0 {
			method = MethodBoundaries
		}
	}
	var edges []Edge
	switch method {
	case MethodBoundaries:
		rep.Method = "boundaries"
		for _, r := range regions {
			if len(polygons(r.Geometry)) == 0 {
				rep.NoGeometry = append(rep.NoGeometry, r.Code)
			}
		}
		for _, e := range borderEdges(regions, opt.ToleranceM) {
			if e.SharedM >= opt.MinSharedM {
				e.Kind = BorderEdge
				edges = append(edges, e)
				continue
			}
			rep.CornerTouches = append(rep.CornerTouches, [2]string{codes[e.A], codes[e.B]})
			if opt.CornerTouches {
				e.Kind = CornerEdge
				edges = append(edges, e)
			}
		}
	case MethodPoints:
		rep.Method = "points"
		edges = pointEdges(regions, opt.MaxEdgeKm)
	default:
		return Graph{}, rep, fmt.Errorf("adjacency: unknown method %d", method)
	}
	g := newGraph(codes, edges)
	comps := g.Components()
	if len(comps) > 1 {
		sort.SliceStable(comps, func(a, b int) bool { return len(comps[a]) > len(comps[b]) })
		for _, c := range comps {
			cc := make([]string, len(c))
			for k, i := range c {
				cc[k] = codes[i]
			}
			rep.Components = append(rep.Components, cc)
		}
		if opt.Islands == IslandsConnect {
			rep.Bridges = bridgeComponents(regions, comps)
			g = newGraph(codes, append(g.Edges, rep.Bridges...))
		}
	}
	return g, rep, nil
}

// borderEdges measures, for every pair of regions whose padded bounds meet, the
// border they share within tol metres; pairs with any contact are returned with
// SharedM set (possibly 0 for an exact corner).
func borderEdges(regions []Region, tol float64) []Edge {
	type item struct {
		i int
		b orb.Bound
	}
	var items []item
	for i, r := range regions {
		if len(polygons(r.Geometry)) == 0 {
			continue
		}
		b := r.Geometry.Bound()
		dlat := tol / (EarthRadiusKm * 1000) * 180 / math.Pi
		maxLat := math.Min(89, math.Max(math.Abs(b.Min[1]), math.Abs(b.Max[1])))
		dlon := dlat / math.Cos(maxLat*math.Pi/180)
		b.Min[0] -= dlon
		b.Max[0] += dlon
		b.Min[1] -= dlat
		b.Max[1] += dlat
		items = append(items, item{i, b})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].b.Min[0] < items[b].b.Min[0] })
	var edges []Edge
	for x := range items {
		for y := x + 1; y < len(items) && items[y].b.Min[0] <= items[x].b.Max[0]; y++ {
			if !items[x].b.Intersects(items[y].b) {
				continue
			}
			a, b := items[x].i, items[y].i
			if a > b {
				a, b = b, a
			}
			shared, touch := sharedBorder(regions[a].Geometry, regions[b].Geometry, tol)
			if touch {
				edges = append(edges, Edge{A: a, B: b, SharedM: shared})
			}
		}
	}
	return edges
}

// sharedBorder returns min(len(∂A near B), len(∂B near A)) in metres, where "near"
// means within tol of B's boundary or inside B, and whether the two touch at all.
func sharedBorder(ga, gb orb.Geometry, tol float64) (float64, bool) {
	pr := projectionFor(ga.Bound().Union(gb.Bound()))
	pa, pb := projectPolys(pr, polygons(ga)), projectPolys(pr, polygons(gb))
	ab, tab := borderNear(pa, pb, tol)
	ba, tba := borderNear(pb, pa, tol)
	return math.Min(ab, ba), tab || tba
}

func projectPolys(pr Projection, polys []orb.Polygon) []orb.Polygon {
	out := make([]orb.Polygon, len(polys))
	for i, p := range polys {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			q := make(orb.Ring, len(r))
			for k, v := range r {
				q[k] = pr.Forward(v)
			}
			out[i][j] = q
		}
	}
	return out
}

// borderNear measures the length of the boundary of a lying within tol of b's
// boundary or inside b (planar metres); touch is true when any part of it does.
// b's edges are bucketed by y (segIndex), so each edge of a meets only the edges of b
// at its height: outlines with thousands of vertices stay fast.
func borderNear(a, b []orb.Polygon, tol float64) (length float64, touch bool) {
	bb := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, p := range b {
		bb = bb.Union(p.Bound())
	}
	bb = bb.Pad(tol)
	ix := newSegIndex(b, tol)
	var iv [][2]float64
	var ts []float64
	for _, p := range a {
		for _, r := range p {
			for k := 0; k+1 < len(r); k++ {
				s, e := r[k], r[k+1]
				sb := orb.Bound{Min: s, Max: s}.Extend(e)
				if !sb.Intersects(bb) {
					continue
				}
				segLen := math.Hypot(e[0]-s[0], e[1]-s[1])
				if segLen == 0 {
					continue
				}
				iv, ts = iv[:0], append(ts[:0], 0, 1)
				ix.near(sb.Min[1]-tol, sb.Max[1]+tol, func(m int) {
					q, w := ix.a[m], ix.b[m]
					if math.Max(q[0], w[0]) < sb.Min[0]-tol || math.Min(q[0], w[0]) > sb.Max[0]+tol {
						return
					}
					if lo, hi, ok := capsuleInterval(s, e, q, w, tol); ok {
						iv = append(iv, [2]float64{lo, hi})
					}
					if t, ok := segmentCross(s, e, q, w); ok {
						ts = append(ts, t)
					}
				})
				// Pieces between crossings of b's boundary are wholly inside or outside b.
				sort.Float64s(ts)
				for m := 0; m+1 < len(ts); m++ {
					if ts[m+1]-ts[m] < 1e-12 {
						continue
					}
					t := (ts[m] + ts[m+1]) / 2
					if ix.contains(orb.Point{s[0] + t*(e[0]-s[0]), s[1] + t*(e[1]-s[1])}) {
						iv = append(iv, [2]float64{ts[m], ts[m+1]})
					}
				}
				if len(iv) == 0 {
					continue
				}
				touch = true
				length += unionLength(iv) * segLen
			}
		}
	}
	return length, touch
}

// capsuleInterval returns the parameters t ∈ [0, 1] of s + t(e − s) within distance
// tol of segment qr (the capsule around qr is convex, so they form one interval).
func capsuleInterval(s, e, q, r orb.Point, tol float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	dx, dy := e[0]-s[0], e[1]-s[1]
	disk := func(c orb.Point) {
		fx, fy := s[0]-c[0], s[1]-c[1]
		A := dx*dx + dy*dy
		B := 2 * (fx*dx + fy*dy)
		C := fx*fx + fy*fy - tol*tol
		disc := B*B - 4*A*C
		if disc < 0 {
			return
		}
		sq := math.Sqrt(disc)
		t0, t1 := (-B-sq)/(2*A), (-B+sq)/(2*A)
		lo, hi = math.Min(lo, t0), math.Max(hi, t1)
	}
	disk(q)
	disk(r)
	ex, ey := r[0]-q[0], r[1]-q[1]
	L := math.Hypot(ex, ey)
	if L > 0 {
		ux, uy := ex/L, ey/L
		// u(t) = (s − q)·û + t d·û ∈ [0, L];  v(t) = (s − q)×û + t d×û ∈ [−tol, tol]
		u0, u1 := (s[0]-q[0])*ux+(s[1]-q[1])*uy, dx*ux+dy*uy
		v0, v1 := (s[0]-q[0])*uy-(s[1]-q[1])*ux, dx*uy-dy*ux
		a, b := slab(u0, u1, 0, L)
		c, d := slab(v0, v1, -tol, tol)
		a, b = math.Max(a, c), math.Min(b, d)
		if a <= b {
			lo, hi = math.Min(lo, a), math.Max(hi, b)
		}
	}
	lo, hi = math.Max(lo, 0), math.Min(hi, 1)
	return lo, hi, lo <= hi
}

// slab returns the t with min ≤ x0 + t·x1 ≤ max (an interval, possibly empty or infinite).
func slab(x0, x1, min, max float64) (float64, float64) {
	if x1 == 0 {
		if x0 >= min && x0 <= max {
			return math.Inf(-1), math.Inf(1)
		}
		return 1, 0
	}
	t0, t1 := (min-x0)/x1, (max-x0)/x1
	if t0 > t1 {
		t0, t1 = t1, t0
	}
	return t0, t1
}

// segmentCross returns the parameter t on se where it crosses qr, if they cross.
func segmentCross(s, e, q, r orb.Point) (float64, bool) {
	dx, dy := e[0]-s[0], e[1]-s[1]
	ex, ey := r[0]-q[0], r[1]-q[1]
	den := dx*ey - dy*ex
	if den == 0 {
		return 0, false
	}
	fx, fy := q[0]-s[0], q[1]-s[1]
	t := (fx*ey - fy*ex) / den
	u := (fx*dy - fy*dx) / den
	if t < 0 || t > 1 || u < 0 || u > 1 {
		return 0, false
	}
	return t, true
}

// unionLength is the total length of a union of intervals (sorted in place).
func unionLength(iv [][2]float64) float64 {
	sort.Slice(iv, func(a, b int) bool { return iv[a][0] < iv[b][0] })
	total, lo, hi := 0.0, iv[0][0], iv[0][1]
	for _, x := range iv[1:] {
		if x[0] > hi {
			total += hi - lo
			lo, hi = x[0], x[1]
		} else if x[1] > hi {
			hi = x[1]
		}
	}
	return total + hi - lo
}

// pointEdges are the Delaunay edges between the regions' anchors, projected to metres.
// Regions at the same point are all linked to the first of them, which alone takes part
// in the triangulation.
func pointEdges(regions []Region, maxEdgeKm float64) []Edge {
	n := len(regions)
	if n < 2 {
		return nil
	}
	anchors := make([]orb.Point, n)
	for i, r := range regions {
		anchors[i] = r.Anchor()
	}
	pr := projectionFor(orb.MultiPoint(anchors).Bound())
	first := map[orb.Point]int{}
	var uniq []orb.Point
	var uniqOf []int // unique index of each region
	uniqOf = make([]int, n)
	members := [][]int{}
	for i, a := range anchors {
		if k, ok := first[a]; ok {
			uniqOf[i] = k
			members[k] = append(members[k], i)
			continue
		}
		first[a] = len(uniq)
		uniqOf[i] = len(uniq)
		uniq = append(uniq, pr.Forward(a))
		members = append(members, []int{i})
	}
	var edges []Edge
	add := func(i, j int) {
		if i > j {
			i, j = j, i
		}
		d := HaversineKm(anchors[i][0], anchors[i][1], anchors[j][0], anchors[j][1])
		if maxEdgeKm > 0 && d > maxEdgeKm {
			return
		}
		edges = append(edges, Edge{A: i, B: j, Kind: PointEdge, DistanceKm: d})
	}
	for _, m := range members {
		for k := 1; k < len(m); k++ {
			add(m[0], m[k])
		}
	}
	tris := Delaunay(uniq)
	if len(tris) == 0 && len(uniq) > 1 {
		// Collinear (or two) points: chain them along the line.
		idx := make([]int, len(uniq))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool {
			pa, pb := uniq[idx[a]], uniq[idx[b]]
			if pa[0] != pb[0] {
				return pa[0] < pb[0]
			}
			return pa[1] < pb[1]
		})
		for k := 1; k < len(idx); k++ {
			add(members[idx[k-1]][0], members[idx[k]][0])
		}
		return edges
	}
	for _, t := range tris {
		for k := 0; k < 3; k++ {
			add(members[t[k]][0], members[t[(k+1)%3]][0])
		}
	}
	return edges
}
