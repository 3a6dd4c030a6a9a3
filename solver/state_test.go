package solver

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// optModel loads a public instance from testdata (copies of the public benchmark instances).
func optModel(t testing.TB, name string) *Model {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	inst, err := ParseInstance(data)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return m
}

// checkState compares every depot's incremental cost with Model.BundleCost on its
// members, and the totals with their sums.
func checkState(t *testing.T, s *state, step int) {
	t.Helper()
	members := s.members()
	total, viol := 0.0, 0.0
	for j := 0; j < s.J; j++ {
		want := s.m.BundleCost(j, members[j]).Total
		got := s.bundleCost(j)
		if math.Abs(got-want) > 1e-6*math.Max(1, want) {
			t.Fatalf("step %d: depot %d: incremental cost %.6f, BundleCost %.6f", step, j, got, want)
		}
		if int(s.n[j]) != len(members[j]) {
			t.Fatalf("step %d: depot %d: count %d, members %d", step, j, s.n[j], len(members[j]))
		}
		total += want
		viol += s.bundleViolation(j)
	}
	if math.Abs(s.cost-total) > 1e-6*math.Max(1, total) {
		t.Fatalf("step %d: total %.6f, Σ BundleCost %.6f", step, s.cost, total)
	}
	if math.Abs(s.viol-viol) > 1e-6*math.Max(1, viol) {
		t.Fatalf("step %d: violation %.6f, recomputed %.6f", step, s.viol, viol)
	}
}

// TestStateMatchesBundleCost replays random adds, removes and moves (with the deltas
// predicted before each) against the one cost formula, on an instance that mixes
// disciplines and one with region lock and no mixing; then undoes the journal.
func TestStateMatchesBundleCost(t *testing.T) {
	for _, name := range []string{"p-small", "p-small-strict"} {
		t.Run(name, func(t *testing.T) {
			m := optModel(t, name)
			c := newCandidates(m, 8)
			s := newState(m, c)
			rng := rand.New(rand.NewPCG(7, 11))
			parts := m.Participating
			// Half the assets in, at random allowed depots.
			for _, a := range parts {
				if rng.IntN(2) == 0 {
					continue
				}
				r := c.reach[a]
				j := int(r[rng.IntN(len(r))].j)
				if tm, ok := s.allowed(a, j); ok {
					s.add(a, j, tm)
				}
			}
			checkState(t, s, -1)
			before := append([]int32(nil), s.assign...)
			costBefore := s.cost
			s.mark()
			moves := 0
			for step := 0; step < 3000; step++ {
				a := parts[rng.IntN(len(parts))]
				if s.assign[a] >= 0 && rng.IntN(3) == 0 {
					dc, dv := s.deltaRemove(a)
					c0, v0 := s.cost, s.viol
					s.remove(a)
					if math.Abs(s.cost-c0-dc) > 1e-6*math.Max(1, c0) || math.Abs(s.viol-v0-dv) > 1e-6*math.Max(1, v0) {
						t.Fatalf("step %d: remove delta (%.4f, %.4f), actual (%.4f, %.4f)", step, dc, dv, s.cost-c0, s.viol-v0)
					}
				} else {
					r := c.reach[a]
					j := int(r[rng.IntN(len(r))].j)
					if int(s.assign[a]) == j {
						continue
					}
					old := int(s.assign[a])
					if old >= 0 {
						s.remove(a)
					}
					tm, ok := s.allowed(a, j)
					if !ok {
						if old >= 0 {
							t0, _ := s.allowed(a, old)
							s.add(a, old, t0)
						}
						continue
					}
					dc, dv := s.deltaAdd(a, j, tm)
					c0, v0 := s.cost, s.viol
					s.add(a, j, tm)
					if math.Abs(s.cost-c0-dc) > 1e-6*math.Max(1, c0) || math.Abs(s.viol-v0-dv) > 1e-6*math.Max(1, v0) {
						t.Fatalf("step %d: add delta (%.4f, %.4f), actual (%.4f, %.4f)", step, dc, dv, s.cost-c0, s.viol-v0)
					}
					moves++
				}
				if step%97 == 0 {
					checkState(t, s, step)
				}
			}
			checkState(t, s, 3000)
			if moves < 500 {
				t.Fatalf("only %d moves were allowed; the replay tests too little", moves)
			}
			s.undo()
			for a := range before {
				if s.assign[a] != before[a] {
					t.Fatalf("undo: asset %d at depot %d, was %d", a, s.assign[a], before[a])
				}
			}
			if math.Abs(s.cost-costBefore) > 1e-6*costBefore {
				t.Fatalf("undo: cost %.4f, was %.4f", s.cost, costBefore)
			}
			checkState(t, s, -2)
		})
	}
}

// TestStateHandComputed prices a two-asset bundle by hand: F 2,000,000; two bridges of
// ¥300,000 and ¥500,000, one needing a snooper truck (¥500,000) and both traffic control
// (¥80,000, paid once); one discipline, so no surcharge; depot on the first asset, the
// second 0.01° of latitude north: 1.3 × 1.11195 km × ¥400 = ¥578.21.
func TestStateHandComputed(t *testing.T) {
	s := 1_000_000.0
	inst := &Instance{Version: 1, Name: "hand",
		Params: Params{ContractFixedCost: 2_000_000, TravelCostPerKm: 400, MixedDisciplineSurcharge: &s,
			Equipment: map[string]float64{"snooper_truck": 500_000, "traffic_control": 80_000}},
		Municipalities: []Municipality{{Code: "1", Name: "A", Office: Point{135, 34}}},
		Depots:         []Depot{{ID: "d", Lon: 135, Lat: 34}},
		Assets: []Asset{
			{ID: "a", Municipality: "1", Kind: "bridge", Lon: 135, Lat: 34, Cost: 300_000, Workload: 1, Equipment: []string{"traffic_control"}},
			{ID: "b", Municipality: "1", Kind: "bridge", Lon: 135, Lat: 34.01, Cost: 500_000, Workload: 2, Equipment: []string{"snooper_truck", "traffic_control"}},
		}}
	m, err := Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	st := newState(m, newCandidates(m, 4))
	st.add(0, 0, m.AssetTerm(0, 0))
	if got, want := st.bundleCost(0), 2_000_000.0+80_000+300_000; got != want {
		t.Fatalf("one asset: %.2f, want %.2f", got, want)
	}
	dc, _ := st.deltaAdd(1, 0, m.AssetTerm(0, 1))
	st.add(1, 0, m.AssetTerm(0, 1))
	want := 2_000_000.0 + 80_000 + 500_000 + 300_000 + 500_000 + 578.21
	if math.Abs(st.bundleCost(0)-want) > 0.01 {
		t.Fatalf("two assets: %.2f, want %.2f", st.bundleCost(0), want)
	}
	if math.Abs(dc-(500_000+500_000+578.21)) > 0.01 {
		t.Fatalf("delta of adding b: %.2f, want 1,000,578.21", dc)
	}
}

// TestStateSwapDelta: deltaReplace on both depots predicts the exchange of two assets
// exactly (as applied through remove/add), on a plan from the construction.
func TestStateSwapDelta(t *testing.T) {
	m := optModel(t, "p-nara")
	c := newCandidates(m, 8)
	s := newState(m, c)
	construct(s, false)
	rng := rand.New(rand.NewPCG(1, 2))
	tried := 0
	for it := 0; it < 5000; it++ {
		a := m.Participating[rng.IntN(len(m.Participating))]
		b := int(c.near[a][rng.IntN(len(c.near[a]))])
		ja, jb := int(s.assign[a]), int(s.assign[b])
		if ja == jb {
			continue
		}
		ta, ok1 := c.term(s.J, jb, a)
		tb, ok2 := c.term(s.J, ja, b)
		if !ok1 || !ok2 {
			continue
		}
		dc1, dv1 := s.deltaReplace(ja, a, b, tb)
		dc2, dv2 := s.deltaReplace(jb, b, a, ta)
		c0, v0 := s.cost, s.viol
		s.remove(a)
		s.remove(b)
		s.add(a, jb, ta)
		s.add(b, ja, tb)
		if math.Abs(s.cost-c0-dc1-dc2) > 1e-4 || math.Abs(s.viol-v0-dv1-dv2) > 1e-4 {
			t.Fatalf("swap %d↔%d: predicted (%.4f, %.4f), actual (%.4f, %.4f)", a, b, dc1+dc2, dv1+dv2, s.cost-c0, s.viol-v0)
		}
		tried++
	}
	if tried < 500 {
		t.Fatalf("only %d swaps tried", tried)
	}
	checkState(t, s, tried)
}

// BenchmarkStateRelocateDelta prices moving every asset of p-nara's constructed plan to
// each depot that may take it (deltaRemove + deltaAdd), the inner loop of the search.
func BenchmarkStateRelocateDelta(b *testing.B) {
	m := optModel(b, "p-nara")
	c := newCandidates(m, 8)
	s := newState(m, c)
	construct(s, false)
	b.ResetTimer()
	sum := 0.0
	for i := 0; i < b.N; i++ {
		for _, a := range m.Participating {
			rc, _ := s.deltaRemove(a)
			for _, d := range c.reach[a] {
				if t, ok := s.allowed(a, int(d.j)); ok {
					dc, _ := s.deltaAdd(a, int(d.j), t)
					sum += rc + dc
				}
			}
		}
	}
	if math.IsNaN(sum) {
		b.Fatal("NaN delta")
	}
}
