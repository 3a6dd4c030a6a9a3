package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func adjacentCodes(g Graph, a, b string) bool {
	i, j := g.Index(a), g.Index(b)
	return i >= 0 && j >= 0 && g.Adjacent(i, j)
}

func TestAdjacencyNaraKnownPairs(t *testing.T) {
	rs := loadNara(t)
	g, rep, err := Adjacency(rs, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Method != "boundaries" {
		t.Errorf("method %q, want boundaries", rep.Method)
	}
	for _, p := range []struct {
		a, b string
		adj  bool
	}{
		{"29201", "29203", true},  // 奈良市–大和郡山市
		{"29201", "29204", true},  // 奈良市–天理市
		{"29449", "29447", true},  // 十津川村–野迫川村
		{"29201", "29209", true},  // 奈良市–生駒市
		{"29201", "29322", true},  // 奈良市–山添村
		{"29207", "29449", true},  // 五條市–十津川村
		{"29212", "29385", true},  // 宇陀市–曽爾村
		{"29449", "29450", true},  // 十津川村–下北山村
		{"29209", "29344", true},  // 生駒市–斑鳩町: only 134 m of border in the 1 % outline
		{"29201", "29449", false}, // 奈良市–十津川村
		{"29201", "29207", false}, // 奈良市–五條市
		{"29201", "29202", false}, // 奈良市–大和高田市
		{"29209", "29449", false}, // 生駒市–十津川村
		{"29386", "29342", false}, // 御杖村–平群町
	} {
		if got := adjacentCodes(g, p.a, p.b); got != p.adj {
			t.Errorf("%s–%s adjacent = %v, want %v", p.a, p.b, got, p.adj)
		}
	}
	// 94 pairs share at least one whole edge of the topology-preserving outlines
	// (counted independently from the raw coordinates); two more only touch at a vertex.
	if len(g.Edges) != 94 {
		t.Errorf("%d edges, want 94", len(g.Edges))
	}
	wantCorners := map[[2]string]bool{{"29401", "29441"}: true, {"29402", "29442"}: true}
	if len(rep.CornerTouches) != 2 || !wantCorners[rep.CornerTouches[0]] || !wantCorners[rep.CornerTouches[1]] {
		t.Errorf("corner touches %v, want 高取町–吉野町 and 明日香村–大淀町", rep.CornerTouches)
	}
	if adjacentCodes(g, "29401", "29441") {
		t.Error("a corner touch is adjacent by default")
	}
	if len(g.Components()) != 1 || len(rep.Bridges) != 0 || len(rep.Components) != 0 {
		t.Errorf("Nara should be one component without bridges: %v %v", rep.Components, rep.Bridges)
	}
	for _, e := range g.Edges {
		if e.A >= e.B || e.Kind != BorderEdge || e.SharedM < 100 {
			t.Errorf("edge %+v", e)
		}
	}

	q, rep2, err := Adjacency(rs, AdjacencyOptions{CornerTouches: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Edges) != 96 || !adjacentCodes(q, "29401", "29441") || !adjacentCodes(q, "29402", "29442") {
		t.Errorf("queen contiguity: %d edges, want 96 with both corner touches", len(q.Edges))
	}
	if len(rep2.CornerTouches) != 2 {
		t.Errorf("corner touches still reported: %v", rep2.CornerTouches)
	}
}

// squareAt is an axis-aligned rectangle given in metres around centre c.
func rectM(pr Projection, x0, y0, x1, y1 float64) orb.Polygon {
	r := orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	for i, p := range r {
		r[i] = pr.Inverse(p)
	}
	return orb.Polygon{r}
}

func TestSharedBorderTolerance(t *testing.T) {
	pr := NewProjection(135.8, 34.5)
	// A and B are 1 km squares 10 m apart: A's right edge runs 10 m from B's left edge.
	a := rectM(pr, -1005, -500, -5, 500)
	b := rectM(pr, 5, -500, 1005, 500)
	shared, touch := sharedBorder(a, b, 25)
	// The 1000 m edge, plus 15 m of the top and of the bottom edge within 25 m of B.
	if !touch || math.Abs(shared-1030) > 1e-3 {
		t.Errorf("tol 25: shared %.6f touch %v, want 1030 true", shared, touch)
	}
	if shared, touch := sharedBorder(a, b, 5); touch || shared != 0 {
		t.Errorf("tol 5: shared %v touch %v, want 0 false", shared, touch)
	}
	// Overlapping outlines: B reaches 20 m into A; A's edge inside B counts.
	c := rectM(pr, -25, -500, 1005, 500)
	shared, _ = sharedBorder(a, c, 10)
	// A's right edge (1000) + 20 m inside B + 10 m tolerance on top and bottom = 1060 each way
	// for A; B's left edge inside A (1000) + 10 m beyond A on top and bottom... B's top and
	// bottom edges lie on A's for 20 m and then 10 m more within tolerance: 1000 + 2·30.
	if math.Abs(shared-1060) > 1e-3 {
		t.Errorf("overlap: shared %.6f, want 1060", shared)
	}
	// Corner to corner: the contact is far below MinSharedM.
	d := rectM(pr, -5, 500, 995, 1500)
	regions := []Region{{Code: "A", Geometry: a}, {Code: "D", Geometry: d}}
	g, rep, err := Adjacency(regions, AdjacencyOptions{ToleranceM: 25, Islands: IslandsLeave})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Edges) != 0 || len(rep.CornerTouches) != 1 || len(rep.Components) != 2 {
		t.Errorf("corner: edges %v, report %+v", g.Edges, rep)
	}
}

func TestAdjacencyIslands(t *testing.T) {
	pr := NewProjection(135.8, 34.5)
	regions := []Region{
		{Code: "A", Geometry: rectM(pr, 0, 0, 1000, 1000)},
		{Code: "B", Geometry: rectM(pr, 1000, 0, 2000, 1000)},
		{Code: "C", Geometry: rectM(pr, 2000, 0, 3000, 1000)},
		{Code: "I", Geometry: rectM(pr, 2500, 5000, 2800, 5300)}, // island 4 km north of C
		{Code: "J", Geometry: rectM(pr, -9000, 0, -8000, 1000)},  // island 8 km west of A
		{Code: "N", Office: orb.Point{135.9, 34.6}},              // no boundary at all
	}
	g, rep, err := Adjacency(regions, AdjacencyOptions{Method: MethodBoundaries, Islands: IslandsLeave})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Components()) != 4 || len(rep.Components) != 4 || strings.Join(rep.Components[0], ",") != "A,B,C" {
		t.Fatalf("components %v", rep.Components)
	}
	if len(rep.NoGeometry) != 1 || rep.NoGeometry[0] != "N" {
		t.Errorf("no geometry %v", rep.NoGeometry)
	}
	g, rep, err = Adjacency(regions, AdjacencyOptions{Method: MethodBoundaries})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Components()) != 1 || len(rep.Bridges) != 3 {
		t.Fatalf("bridges %+v", rep.Bridges)
	}
	if !adjacentCodes(g, "C", "I") || !adjacentCodes(g, "A", "J") || adjacentCodes(g, "A", "I") {
		t.Errorf("islands bridged to the wrong neighbours: %+v", rep.Bridges)
	}
	for _, e := range rep.Bridges {
		if g.Codes[e.A] == "C" && g.Codes[e.B] == "I" && math.Abs(e.DistanceKm-4) > 1e-3 {
			t.Errorf("C–I gap %.6f km, want 4", e.DistanceKm)
		}
		if g.Codes[e.A] == "A" && g.Codes[e.B] == "J" && math.Abs(e.DistanceKm-8) > 1e-3 {
			t.Errorf("A–J gap %.6f km, want 8", e.DistanceKm)
		}
	}
}

func TestAdjacencyPoints(t *testing.T) {
	// A square of four offices around a centre: Delaunay gives the four sides and the
	// four spokes, never the diagonals.
	pr := NewProjection(135.8, 34.5)
	at := func(x, y float64) orb.Point { return pr.Inverse(orb.Point{x, y}) }
	regions := []Region{
		{Code: "SW", Office: at(-1000, -1000)}, {Code: "SE", Office: at(1000, -1000)},
		{Code: "NE", Office: at(1000, 1000)}, {Code: "NW", Office: at(-1000, 1000)},
		{Code: "C", Office: at(0, 0)}, {Code: "C2", Office: at(0, 0)},
	}
	g, rep, err := Adjacency(regions, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Method != "points" {
		t.Errorf("method %s", rep.Method)
	}
	for _, p := range [][2]string{{"SW", "SE"}, {"SE", "NE"}, {"NE", "NW"}, {"NW", "SW"}, {"C", "SW"}, {"C", "NE"}, {"C", "C2"}} {
		if !adjacentCodes(g, p[0], p[1]) {
			t.Errorf("%s–%s not adjacent", p[0], p[1])
		}
	}
	if adjacentCodes(g, "SW", "NE") || adjacentCodes(g, "SE", "NW") || len(g.Edges) != 9 {
		t.Errorf("edges %+v", g.Edges)
	}
	// Collinear offices are chained in order along the line.
	line := []Region{{Code: "c", Office: at(2000, 0)}, {Code: "a", Office: at(0, 0)}, {Code: "b", Office: at(1000, 0)}}
	g, _, err = Adjacency(line, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Edges) != 2 || !adjacentCodes(g, "a", "b") || !adjacentCodes(g, "b", "c") {
		t.Errorf("collinear chain %+v", g.Edges)
	}
	// MaxEdgeKm cuts long edges; IslandsConnect then joins the pieces at their nearest pair.
	far := append(append([]Region(nil), regions[:5]...), Region{Code: "X", Office: at(30000, -1000)}, Region{Code: "Y", Office: at(31000, -1000)})
	g, rep, err = Adjacency(far, AdjacencyOptions{MaxEdgeKm: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Components) != 2 || len(rep.Bridges) != 1 || !adjacentCodes(g, "X", "SE") {
		t.Errorf("components %v bridges %+v", rep.Components, rep.Bridges)
	}
	x, se := at(30000, -1000), at(1000, -1000)
	if e, want := rep.Bridges[0], HaversineKm(x[0], x[1], se[0], se[1]); math.Abs(e.DistanceKm-want) > 1e-9 || g.Codes[e.A] != "SE" || g.Codes[e.B] != "X" {
		t.Errorf("bridge %+v, want SE–X of %.6f km", e, want)
	}
}

func TestAdjacencyErrors(t *testing.T) {
	for _, tc := range []struct {
		regions []Region
		want    string
	}{
		{[]Region{{Code: "1", Office: orb.Point{135, 34}}, {Code: "1", Office: orb.Point{136, 34}}}, "code 1 appears twice"},
		{[]Region{{Office: orb.Point{135, 34}}}, "region 0 has no code"},
		{[]Region{{Code: "x", Office: orb.Point{235, 34}}}, "region x: anchor"},
		{[]Region{{Code: "y"}}, "region y has neither a polygon nor an office"},
	} {
		_, _, err := Adjacency(tc.regions, AdjacencyOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

// densify splits every edge of the regions' polygons into n equal parts.
func densify(rs []Region, n int) []Region {
	out := make([]Region, len(rs))
	for i, r := range rs {
		var mp orb.MultiPolygon
		for _, p := range polygons(r.Geometry) {
			var q orb.Polygon
			for _, ring := range p {
				var d orb.Ring
				for k := 0; k+1 < len(ring); k++ {
					a, b := ring[k], ring[k+1]
					for j := 0; j < n; j++ {
						t := float64(j) / float64(n)
						d = append(d, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
					}
				}
				q = append(q, append(d, ring[len(ring)-1]))
			}
			mp = append(mp, q)
		}
		out[i] = r
		out[i].Geometry = mp
	}
	return out
}

func TestAdjacencyDensifiedOutlines(t *testing.T) {
	// The same outlines with 8× the vertices give the same neighbours and shared lengths.
	rs := loadNara(t)
	g := naraGraph(t, rs, AdjacencyOptions{})
	d := naraGraph(t, densify(rs, 8), AdjacencyOptions{})
	if len(d.Edges) != len(g.Edges) {
		t.Fatalf("%d edges, want %d", len(d.Edges), len(g.Edges))
	}
	for k, e := range g.Edges {
		f := d.Edges[k]
		if f.A != e.A || f.B != e.B || math.Abs(f.SharedM-e.SharedM) > 1e-6*e.SharedM+0.01 {
			t.Errorf("edge %d: %+v, want %+v", k, f, e)
		}
	}
}

func TestBridgesAreMinimumSpanningTree(t *testing.T) {
	// 40 offices without boundaries: every region is its own piece, and the bridges
	// must form a minimum spanning tree of the haversine distances (checked by Prim).
	rng := rand.New(rand.NewPCG(8, 8))
	var rs []Region
	for i := 0; i < 40; i++ {
		rs = append(rs, Region{Code: fmt.Sprint(i), Office: orb.Point{135 + rng.Float64(), 34 + rng.Float64()}})
	}
	g, rep, err := Adjacency(rs, AdjacencyOptions{Method: MethodBoundaries})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Bridges) != 39 || len(g.Components()) != 1 {
		t.Fatalf("%d bridges, %d components", len(rep.Bridges), len(g.Components()))
	}
	got := 0.0
	for _, e := range rep.Bridges {
		got += e.DistanceKm
	}
	d := func(i, j int) float64 {
		return HaversineKm(rs[i].Office[0], rs[i].Office[1], rs[j].Office[0], rs[j].Office[1])
	}
	in := make([]bool, len(rs))
	dist := make([]float64, len(rs))
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	dist[0] = 0
	want := 0.0
	for range rs {
		u := -1
		for v := range rs {
			if !in[v] && (u < 0 || dist[v] < dist[u]) {
				u = v
			}
		}
		in[u] = true
		want += dist[u]
		for v := range rs {
			if !in[v] {
				dist[v] = math.Min(dist[v], d(u, v))
			}
		}
	}
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("bridges total %.9f km, minimum spanning tree %.9f km", got, want)
	}
}
