package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// checkGrouping verifies, independently of the search code, that res partitions all
// regions into contiguous groups whose weights add up.
func checkGrouping(t *testing.T, regions []Region, g Graph, res Grouping) {
	t.Helper()
	seen := make([]bool, len(regions))
	for gi, grp := range res.Groups {
		if len(grp.Members) == 0 {
			t.Fatalf("group %d is empty", gi)
		}
		in := map[int]bool{}
		w := 0.0
		for k, u := range grp.Members {
			if seen[u] {
				t.Fatalf("region %s in two groups", regions[u].Code)
			}
			seen[u] = true
			in[u] = true
			w += regions[u].Weight
			if res.Of[u] != gi || grp.Codes[k] != regions[u].Code {
				t.Fatalf("group %d: Of/Codes disagree for %s", gi, regions[u].Code)
			}
		}
		if math.Abs(w-grp.Weight) > 1e-9*math.Max(1, w) {
			t.Errorf("group %d weight %v, members sum to %v", gi, grp.Weight, w)
		}
		// Breadth-first search inside the group reaches every member.
		reach := map[int]bool{grp.Members[0]: true}
		queue := []int{grp.Members[0]}
		for q := 0; q < len(queue); q++ {
			for _, v := range g.Adj[queue[q]] {
				if in[v] && !reach[v] {
					reach[v] = true
					queue = append(queue, v)
				}
			}
		}
		if len(reach) != len(grp.Members) {
			t.Errorf("group %d (%v) is not contiguous", gi, grp.Codes)
		}
	}
	for u, ok := range seen {
		if !ok {
			t.Errorf("region %s in no group", regions[u].Code)
		}
	}
}

func unitWeights(rs []Region) []Region {
	for i := range rs {
		rs[i].Weight = 1
	}
	return rs
}

func TestGroupsKNara(t *testing.T) {
	rs := unitWeights(loadNara(t))
	g := naraGraph(t, rs, AdjacencyOptions{})
	for _, k := range []int{1, 3, 5, 8, 39} {
		res, err := GroupsK(rs, g, k, GroupOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != k {
			t.Fatalf("k=%d: %d groups", k, len(res.Groups))
		}
		checkGrouping(t, rs, g, res)
		// 39 regions of weight 1 in k groups: sizes differ by at most one or two.
		lo, hi := math.Inf(1), 0.0
		for _, grp := range res.Groups {
			lo, hi = math.Min(lo, grp.Weight), math.Max(hi, grp.Weight)
		}
		if hi-lo > 2 {
			t.Errorf("k=%d: group weights from %v to %v", k, lo, hi)
		}
		if k == 3 && (lo != 13 || hi != 13) {
			t.Errorf("k=3: weights %v..%v, want 13 each", lo, hi)
		}
	}
	// Deterministic for a seed.
	a, _ := GroupsK(rs, g, 5, GroupOptions{Seed: 7})
	b, _ := GroupsK(rs, g, 5, GroupOptions{Seed: 7})
	if !reflect.DeepEqual(a.Of, b.Of) {
		t.Error("same seed, different groups")
	}
}

func TestGroupsKBalancesWeights(t *testing.T) {
	// A chain of 6 with weights 4 1 1 1 1 4 in two groups: 4 1 1 | 1 1 4 is the only
	// balanced split.
	var rs []Region
	pr := NewProjection(135.8, 34.5)
	for i, w := range []float64{4, 1, 1, 1, 1, 4} {
		rs = append(rs, Region{Code: string(rune('a' + i)), Office: pr.Inverse(orb.Point{float64(i) * 1000, 0}), Weight: w})
	}
	g, _, err := Adjacency(rs, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := GroupsK(rs, g, 2, GroupOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Of, []int{0, 0, 0, 1, 1, 1}) || res.MaxImbalance != 0 || res.Target != 6 {
		t.Errorf("of %v imbalance %v target %v", res.Of, res.MaxImbalance, res.Target)
	}
	checkGrouping(t, rs, g, res)
}

func TestGroupsMaxPNara(t *testing.T) {
	rs := unitWeights(loadNara(t))
	g := naraGraph(t, rs, AdjacencyOptions{})
	for _, b := range []struct {
		floor, cap float64
		p          int
	}{
		{4, 7, 9},   // ⌊39/4⌋ = 9 is the most groups the floor allows
		{10, 14, 3}, // ⌊39/10⌋ = 3
		{1, 1, 39},  // every municipality alone
		{6, 0, 6},   // no cap: ⌊39/6⌋ = 6
	} {
		res, err := GroupsMaxP(rs, g, b.floor, b.cap, GroupOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		checkGrouping(t, rs, g, res)
		if len(res.Groups) != b.p {
			t.Errorf("floor %v cap %v: %d groups, want %d", b.floor, b.cap, len(res.Groups), b.p)
		}
		for _, grp := range res.Groups {
			if grp.Weight < b.floor || (b.cap > 0 && grp.Weight > b.cap) {
				t.Errorf("floor %v cap %v: group %v weighs %v", b.floor, b.cap, grp.Codes, grp.Weight)
			}
		}
	}
}

func TestGroupsMaxPDeterministic(t *testing.T) {
	rs, g := gridRegions(t, 10, 10, 9)
	a, err := GroupsMaxP(rs, g, 30, 50, GroupOptions{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GroupsMaxP(rs, g, 30, 50, GroupOptions{Seed: 5})
	if !reflect.DeepEqual(a.Of, b.Of) || a.SpreadKm2 != b.SpreadKm2 {
		t.Error("same seed, different groups")
	}
	checkGrouping(t, rs, g, a)
}

func TestGroupsMaxPWeighted(t *testing.T) {
	// A 12×12 grid with random weights 0..10, floor 40, cap 60.
	rs, g := gridRegions(t, 12, 12, 5)
	res, err := GroupsMaxP(rs, g, 40, 60, GroupOptions{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkGrouping(t, rs, g, res)
	total := 0.0
	for _, r := range rs {
		total += r.Weight
	}
	for _, grp := range res.Groups {
		if grp.Weight < 40 || grp.Weight > 60 {
			t.Errorf("group weight %v outside [40, 60]", grp.Weight)
		}
	}
	if p, most := len(res.Groups), int(total/40); p < most*3/4 || p > most {
		t.Errorf("%d groups for total weight %v (at most %d)", p, total, most)
	}
}

// gridRegions is an nx × ny grid of 1 km cells (offices at the cell centres) with
// rook contiguity and seeded random integer weights 0..10.
func gridRegions(t testing.TB, nx, ny int, seed uint64) ([]Region, Graph) {
	pr := NewProjection(135.8, 34.5)
	rng := rand.New(rand.NewPCG(seed, 1))
	var rs []Region
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			rs = append(rs, Region{
				Code:     string(rune('A'+y%26)) + strings.Repeat("x", y/26) + "-" + string(rune('0'+x%10)) + strings.Repeat("y", x/10),
				Geometry: rectM(pr, float64(x)*1000, float64(y)*1000, float64(x+1)*1000, float64(y+1)*1000),
				Office:   pr.Inverse(orb.Point{float64(x)*1000 + 500, float64(y)*1000 + 500}),
				Weight:   float64(rng.IntN(11)),
			})
		}
	}
	g, _, err := Adjacency(rs, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rs, g
}

func TestGroupsInfeasible(t *testing.T) {
	pr := NewProjection(135.8, 34.5)
	at := func(x float64) orb.Point { return pr.Inverse(orb.Point{x * 1000, 0}) }
	rs := []Region{
		{Code: "a", Office: at(0), Weight: 3}, {Code: "b", Office: at(1), Weight: 9},
		{Code: "c", Office: at(2), Weight: 3}, {Code: "d", Office: at(3), Weight: 1},
	}
	g, _, err := Adjacency(rs, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var inf *InfeasibleError
	_, err = GroupsMaxP(rs, g, 2, 8, GroupOptions{})
	if !errors.As(err, &inf) || len(inf.Problems) != 1 || !strings.Contains(inf.Problems[0], "region b weighs 9, more than the cap 8") {
		t.Errorf("over cap: %v", err)
	}
	_, err = GroupsMaxP(rs, g, 10, 12, GroupOptions{})
	// Total 16: one group is under the floor... two groups of ≥ 10 are too heavy: 16 < 20,
	// and one group of 16 is over the cap 12.
	if !errors.As(err, &inf) || !strings.Contains(err.Error(), "2 groups are needed under the cap 12 but at most 1 reach the floor 10") {
		t.Errorf("floor/cap count: %v", err)
	}
	_, err = GroupsMaxP(rs, g, 20, 0, GroupOptions{})
	if !errors.As(err, &inf) || !strings.Contains(err.Error(), "{a b c d} weighs 16, less than the floor 20") {
		t.Errorf("light component: %v", err)
	}
	_, err = GroupsMaxP(rs, g, 5, 4, GroupOptions{})
	if !errors.As(err, &inf) || !strings.Contains(err.Error(), "cap 4 is below floor 5") {
		t.Errorf("cap below floor: %v", err)
	}
	// Islands left apart: k must cover every component.
	island := append(append([]Region(nil), rs...), Region{Code: "z", Office: at(50), Weight: 1})
	gi, _, err := Adjacency(island, AdjacencyOptions{MaxEdgeKm: 10, Islands: IslandsLeave})
	if err != nil {
		t.Fatal(err)
	}
	_, err = GroupsK(island, gi, 1, GroupOptions{})
	if !errors.As(err, &inf) || !strings.Contains(err.Error(), "k = 1 but the adjacency graph has 2 connected components") || !strings.Contains(err.Error(), "component 2: z") {
		t.Errorf("k below components: %v", err)
	}
	res, err := GroupsK(island, gi, 2, GroupOptions{})
	if err != nil || res.Of[4] == res.Of[0] || len(res.Groups) != 2 {
		t.Errorf("k = components: %v %v", res.Of, err)
	}
	// Feasible bounds that a chain cannot meet: 3 | 9 | 3 1 with floor 4 cap 9 would need
	// a to join b (12 > 9).
	_, err = GroupsMaxP(rs, g, 4, 9, GroupOptions{Attempts: 4})
	if !errors.As(err, &inf) || !strings.Contains(err.Error(), "no partition into contiguous groups within floor 4 and cap 9 found in 4 attempts") {
		t.Errorf("no partition: %v", err)
	}
	if _, err := GroupsK(rs, g, 1, GroupOptions{}); err != nil {
		t.Error(err)
	}
	// All weights 0: balanced by count, reported with weight 0.
	zero := append([]Region(nil), rs...)
	for i := range zero {
		zero[i].Weight = 0
	}
	res, err = GroupsK(zero, g, 2, GroupOptions{})
	if err != nil || !reflect.DeepEqual(res.Of, []int{0, 0, 1, 1}) || res.Groups[0].Weight != 0 || res.MaxImbalance != 0 {
		t.Errorf("zero weights: %+v %v", res, err)
	}
	bad := append([]Region(nil), rs...)
	bad[2].Weight = math.NaN()
	if _, err := GroupsK(bad, g, 2, GroupOptions{}); err == nil || !strings.Contains(err.Error(), "region c: weight NaN") {
		t.Errorf("NaN weight: %v", err)
	}
}

func TestGroups1700Points(t *testing.T) {
	rs := syntheticOffices(1700, 3)
	g, rep, err := Adjacency(rs, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Method != "points" || len(g.Components()) != 1 {
		t.Fatalf("method %s, %d components", rep.Method, len(g.Components()))
	}
	// A planar triangulation has at most 3n − 6 edges.
	if len(g.Edges) > 3*1700-6 || len(g.Edges) < 2*1700 {
		t.Errorf("%d Delaunay edges", len(g.Edges))
	}
	res, err := GroupsMaxP(rs, g, 2000, 3000, GroupOptions{Seed: 1, Attempts: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkGrouping(t, rs, g, res)
	for _, grp := range res.Groups {
		if grp.Weight < 2000 || grp.Weight > 3000 {
			t.Errorf("group weight %v outside [2000, 3000]", grp.Weight)
		}
	}
	k, err := GroupsK(rs, g, 30, GroupOptions{Seed: 1, Attempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkGrouping(t, rs, g, k)
	if len(k.Groups) != 30 || k.MaxImbalance > 0.25 {
		t.Errorf("%d groups, imbalance %.3f", len(k.Groups), k.MaxImbalance)
	}
}

func TestSplitHeavy(t *testing.T) {
	// A chain of seven regions of weight 1 in one group, floor 2: cut into three groups
	// of at least 2, each a contiguous run of the chain.
	pr := NewProjection(135.8, 34.5)
	var rs []Region
	for i := 0; i < 7; i++ {
		rs = append(rs, Region{Code: string(rune('a' + i)), Office: pr.Inverse(orb.Point{float64(i) * 1000, 0}), Weight: 1})
	}
	g, _, err := Adjacency(rs, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := []float64{1, 1, 1, 1, 1, 1, 1}
	p := newPartition(rs, g, w)
	p.reset(1)
	for u := range rs {
		p.add(u, 0)
	}
	if cuts := splitHeavy(p, 2, 3); cuts != 2 || len(p.size) != 3 {
		t.Fatalf("%d cuts, %d groups", cuts, len(p.size))
	}
	res := p.result(rs)
	checkGrouping(t, rs, g, res)
	for _, grp := range res.Groups {
		if grp.Weight < 2 || grp.Weight > 3 {
			t.Errorf("group %v weighs %v", grp.Codes, grp.Weight)
		}
	}
}

func TestGroupsKPrefersCompact(t *testing.T) {
	// A 4 × 2 grid of equal weights in two groups: two 2 × 2 blocks (spread 2 km² each)
	// beat two 4 × 1 strips (5 km² each) at the same perfect balance.
	rs, g := gridRegions(t, 4, 2, 1)
	for i := range rs {
		rs[i].Weight = 1
	}
	res, err := GroupsK(rs, g, 2, GroupOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Cells are numbered row by row: x = i % 4.
	for i := range rs {
		if want := res.Of[0]; (i%4 < 2) != (res.Of[i] == want) {
			t.Fatalf("of %v, want the left and right 2 × 2 blocks", res.Of)
		}
	}
	if math.Abs(res.SpreadKm2-4) > 1e-3 || res.MaxImbalance != 0 {
		t.Errorf("spread %.6f km², imbalance %v; want 4 and 0", res.SpreadKm2, res.MaxImbalance)
	}
}
