package solver

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// boundSharedDir holds the public benchmark instances (copied into testdata).
const boundSharedDir = "testdata"

func boundLoadModel(t testing.TB, path string) *Model {
	t.Helper()
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

func boundModelFromJSON(t testing.TB, v any) *Model {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := ParseInstance(data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return m
}

// TestLowerBoundPublicOptima: the bound never exceeds the optimum that CBC/HiGHS proved
// (testdata/README.md) and, given that cost as the upper bound (as Solve
// gives its best plan's), proves it to within 0.01 %.
func TestLowerBoundPublicOptima(t *testing.T) {
	cases := []struct {
		file    string
		optimum float64
	}{
		{"p-tiny.json", 31279239.68},
		{"p-small.json", 75327721.56},
		{"p-small-strict.json", 118329041.78},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m := boundLoadModel(t, filepath.Join(boundSharedDir, c.file))
			// as Solve runs it once its plan is optimal: the plan's cost steers the steps
			r := LowerBound(context.Background(), m, BoundOptions{Threads: 2, UpperBound: c.optimum})
			gap := (c.optimum - r.LowerBound) / c.optimum
			t.Logf("bound %.2f (%s), optimum %.2f, gap %.2e", r.LowerBound, r.Method, c.optimum, gap)
			if !(r.LowerBound <= c.optimum) {
				t.Fatalf("bound %.2f exceeds the optimum %.2f", r.LowerBound, c.optimum)
			}
			if gap > 1e-4 {
				t.Fatalf("bound %.2f is %.4f %% below the optimum %.2f; want ≤ 0.01 %%", r.LowerBound, 100*gap, c.optimum)
			}
			if len(r.Multipliers) != len(m.Assets) {
				t.Fatalf("%d multipliers for %d assets", len(r.Multipliers), len(m.Assets))
			}
			for a, lam := range r.Multipliers {
				if !m.Munis[m.Assets[a].Muni].Participates && lam != 0 {
					t.Fatalf("non-participating asset %s has λ = %v", m.Assets[a].ID, lam)
				}
			}
		})
	}
}

// generatedOptima reads testdata/bound/optima.json: small generated instances and their
// optimum proven by CBC (see testdata/bound/README.md for how they were made).
func generatedOptima(t *testing.T) map[string]struct {
	Optimum *float64 `json:"optimum"`
	Status  string   `json:"status"`
} {
	data, err := os.ReadFile("testdata/bound/optima.json")
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]struct {
		Optimum *float64 `json:"optimum"`
		Status  string   `json:"status"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) < 8 {
		t.Fatalf("optima.json lists %d instances, want 8", len(out))
	}
	return out
}

// TestLowerBoundGeneratedOptima checks validity and tightness against CBC's proven
// optima on instances whose limits bind hard (several bundles, tight value, workload
// and count caps, region lock, no mixing, dear equipment, dear travel).
func TestLowerBoundGeneratedOptima(t *testing.T) {
	for name, o := range generatedOptima(t) {
		if o.Status != "optimal" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel() // one thread each: ten depots do not need two
			m := boundLoadModel(t, filepath.Join("testdata/bound", name+".json"))
			opt := *o.Optimum
			// no upper bound: the steps aim a little above the best bound so far
			r := LowerBound(context.Background(), m, BoundOptions{Threads: 1, MaxIter: 250})
			gap := (opt - r.LowerBound) / opt
			t.Logf("bound %.2f (%s), optimum %.2f, gap %.3f %%", r.LowerBound, r.Method, opt, 100*gap)
			if r.LowerBound > opt+1e-5 { // the optimum is stored to 1e-6
				t.Fatalf("bound %.6f exceeds the CBC optimum %.6f", r.LowerBound, opt)
			}
			if gap > 0.025 {
				t.Fatalf("bound %.2f is %.3f %% below the optimum %.2f; want ≤ 2.5 %%", r.LowerBound, 100*gap, opt)
			}
		})
	}
}

// TestLowerBoundInfeasibleAsset: g8 has an asset heavier than max_workload; no plan
// exists, the bound is +Inf and says which asset and why.
func TestLowerBoundInfeasibleAsset(t *testing.T) {
	if o := generatedOptima(t)["g8"]; o.Status != "infeasible" {
		t.Fatalf("g8 is recorded as %q, want infeasible", o.Status)
	}
	m := boundLoadModel(t, "testdata/bound/g8.json")
	r := LowerBound(context.Background(), m, BoundOptions{Threads: 2})
	if !math.IsInf(r.LowerBound, 1) {
		t.Fatalf("bound %v, want +Inf", r.LowerBound)
	}
	// the first participating asset whose workload exceeds 30
	var heavy string
	for _, a := range m.Participating {
		if m.Assets[a].Workload > 30 {
			heavy = m.Assets[a].ID
			break
		}
	}
	if heavy == "" || !strings.Contains(r.Infeasible, heavy) || !strings.Contains(r.Infeasible, "max_workload") {
		t.Fatalf("reason %q should name asset %s and max_workload", r.Infeasible, heavy)
	}
}

// TestLagrangianEveryMultiplierIsValid: L(λ) is a lower bound for every λ, not only for
// the optimised one. Random λ around, above and far above the cheapest terms, random
// μ ≥ 0 on the bundle-count rows.
func TestLagrangianEveryMultiplierIsValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for name, o := range generatedOptima(t) {
		if o.Status != "optimal" {
			continue
		}
		m := boundLoadModel(t, filepath.Join("testdata/bound", name+".json"))
		bd := newBoundData(m, 2, BoundTuning{})
		ev := newLagrangeEval(bd, 2)
		lam := make([]float64, bd.n)
		mu := make([]float64, bd.ncells)
		for trial := 0; trial < 40; trial++ {
			spread := []float64{0.2, 0.6, 2, 10}[trial%4]
			for p := range lam {
				lam[p] = bd.tmin[p] * (1 + spread*(rng.Float64()-0.3))
			}
			for c := range mu {
				mu[c] = float64(trial%3) * m.F * rng.Float64() // 0 for a third of the trials
			}
			if L := ev.value(lam, mu); L > *o.Optimum+1e-5 {
				t.Fatalf("%s trial %d: L(λ) = %.4f exceeds the optimum %.4f", name, trial, L, *o.Optimum)
			}
		}
	}
}

// randomBoundInstance builds a small instance in which every depot reaches at most a
// dozen assets, so that the depot subproblem can be solved by enumeration.
//
// wide instances have 11 kinds of equipment and 4 disciplines: beyond what the
// subproblem enumerates exactly (maxExactEquip, maxExactDisc), so its relaxations run.
func randomBoundInstance(rng *rand.Rand, limits map[string]any, regionLocked, mix, wide bool) map[string]any {
	kinds := []string{"bridge", "bridge", "tunnel", "culvert", "pump_station", "sewer_plant"}
	equip := []string{"snooper_truck", "aerial_platform", "traffic_control", "boat"}
	prices := map[string]any{"snooper_truck": 500000, "aerial_platform": 150000, "traffic_control": 80000, "boat": 200000}
	if wide {
		kinds = append(kinds, "weir", "levee")
		equip = nil
		for e := 0; e < 11; e++ {
			equip = append(equip, fmt.Sprintf("e%d", e))
			prices[equip[e]] = 100000 * float64(e+1)
		}
	}
	var munis, depots, assets []map[string]any
	for i := 0; i < 3; i++ {
		lon, lat := 135.0+0.5*float64(i), 34.0 // 46 km apart: little overlap
		code := fmt.Sprintf("M%d", i)
		munis = append(munis, map[string]any{"code": code, "name": code, "region": fmt.Sprintf("R%d", i%2),
			"office": map[string]any{"lon": lon, "lat": lat}})
		depots = append(depots, map[string]any{"id": "D" + code, "lon": lon, "lat": lat})
		for k := 0; k < 4+rng.IntN(5); k++ {
			var eq []string
			for _, e := range equip {
				if rng.IntN(4) == 0 {
					eq = append(eq, e)
				}
			}
			// a few assets of a neighbour municipality sit near this office
			owner := code
			if rng.IntN(5) == 0 {
				owner = fmt.Sprintf("M%d", (i+1)%3)
			}
			assets = append(assets, map[string]any{
				"id": fmt.Sprintf("A%d_%d", i, k), "municipality": owner, "kind": kinds[rng.IntN(len(kinds))],
				"lon": lon + 0.1*(rng.Float64()-0.5), "lat": lat + 0.1*(rng.Float64()-0.5),
				"cost": 200000 + rng.Float64()*3e6, "workload": 1 + rng.Float64()*20, "equipment": eq,
			})
		}
	}
	params := map[string]any{"contract_fixed_cost": 2e6, "travel_cost_per_km": 400, "circuity": 1.3,
		"equipment":     prices,
		"limits":        limits,
		"region_locked": regionLocked,
	}
	if wide {
		params["disciplines"] = map[string]any{"weir": "river", "levee": "flood"}
	}
	if mix {
		params["mixed_discipline_surcharge"] = 1e6
	} else {
		params["mixed_discipline_surcharge"] = nil
	}
	return map[string]any{"version": 1, "name": "brute", "params": params,
		"municipalities": munis, "depots": depots, "assets": assets}
}

// bruteDepotMin is min over every feasible bundle B at depot j (min_value ignored) of
// cost(B) − Σ λ − μ of B's cell, and 0 for "no bundle".
func bruteDepotMin(m *Model, bd *boundData, j int, lam map[int]float64, mu []float64) float64 {
	var reach []int
	for _, a := range m.Participating {
		if m.Reachable(j, a) {
			reach = append(reach, a)
		}
	}
	best := 0.0
	for mask := 1; mask < 1<<len(reach); mask++ {
		var B []int
		work := 0.0
		regions, discs := map[int]bool{}, map[int]bool{}
		for i, a := range reach {
			if mask&(1<<i) != 0 {
				B = append(B, a)
				work += m.Assets[a].Workload
				regions[m.Munis[m.Assets[a].Muni].Region] = true
				discs[m.Assets[a].Discipline] = true
			}
		}
		if work > m.MaxWorkload || len(B) > m.MaxAssets || (m.RegionLocked && len(regions) > 1) || (!m.MixAllowed && len(discs) > 1) {
			continue
		}
		c := m.BundleCost(j, B).Total
		if c > m.MaxValue {
			continue
		}
		for _, a := range B {
			c -= lam[a]
		}
		key := [2]int{-1, -1}
		if m.RegionLocked {
			key[0] = m.Munis[m.Assets[B[0]].Muni].Region
		}
		if !m.MixAllowed {
			key[1] = m.Assets[B[0]].Discipline
		}
		c -= mu[bd.cellKey[key]]
		best = math.Min(best, c)
	}
	return best
}

// TestDepotSubproblemBruteForce compares the depot subproblem with enumeration of every
// subset. With the exact knapsack (every depot here admits at most a dozen assets) the
// two must agree; with the linear relaxation alone (ExactKnapsackItems < 0) the subproblem must
// never be above the enumeration, and agree when no capacity binds.
func TestDepotSubproblemBruteForce(t *testing.T) {
	variants := []struct {
		name        string
		limits      map[string]any
		region, mix bool
		free        bool // no capacity: the relaxation is exact too
		wide        bool // equipment and disciplines beyond the exact enumeration
	}{
		{"no-limits", map[string]any{"max_distance_km": 20}, false, true, true, false},
		{"no-limits-locked-nomix", map[string]any{"max_distance_km": 20}, true, false, true, false},
		{"value", map[string]any{"max_distance_km": 20, "max_value": 9e6}, false, true, false, false},
		{"workload-count", map[string]any{"max_distance_km": 20, "max_workload": 35, "max_assets": 3}, false, true, false, false},
		{"all-locked", map[string]any{"max_distance_km": 20, "max_value": 12e6, "max_workload": 40, "max_assets": 4}, true, false, false, false},
		{"all-mix", map[string]any{"max_distance_km": 20, "max_value": 7e6, "max_workload": 30, "max_assets": 5, "min_value": 3e6}, false, true, false, false},
		{"wide-mix", map[string]any{"max_distance_km": 20, "max_value": 9e6, "max_workload": 40}, false, true, false, true},
		{"wide-locked-nomix", map[string]any{"max_distance_km": 20, "max_value": 9e6}, true, false, false, true},
	}
	for _, exactKnapsack := range []bool{true, false} {
		tune := BoundTuning{}
		if !exactKnapsack {
			tune.ExactKnapsackItems = -1
		}
		rng := rand.New(rand.NewPCG(3, 5))
		checked, tight := 0, 0
		for _, v := range variants {
			for trial := 0; trial < 12; trial++ {
				m := boundModelFromJSON(t, randomBoundInstance(rng, v.limits, v.region, v.mix, v.wide))
				bd := newBoundData(m, 1, tune)
				var sc subScratch
				var sol subSolution
				lam := make([]float64, bd.n)
				lamOf := map[int]float64{}
				for p, a := range bd.asset {
					// from "few worth taking" to "all worth taking, capacities bind"
					lam[p] = m.Assets[a].Cost*(0.6+0.3*float64(trial%4)+0.4*rng.Float64()) + 1e5*float64(trial%3)
					lamOf[a] = lam[p]
				}
				mu := make([]float64, bd.ncells)
				for c := range mu {
					mu[c] = float64(trial%3) * 2.5e6 * rng.Float64() // up to 5,000,000 > F: bundles of r ≥ 0 assets pay
				}
				for j := range m.Depots {
					bd.solveDepot(&bd.cands[j], lam, mu, &sc, &sol)
					want := bruteDepotMin(m, bd, j, lamOf, mu)
					checked++
					if sol.lb > want+1e-6 {
						t.Fatalf("exact knapsack %v, %s trial %d depot %d: subproblem bound %.4f above the enumerated minimum %.4f", exactKnapsack, v.name, trial, j, sol.lb, want)
					}
					agree := math.Abs(sol.lb-want) <= 1e-6
					if ((exactKnapsack && !v.wide) || v.free) && !agree {
						t.Fatalf("exact knapsack %v, %s trial %d depot %d: subproblem %.4f, enumeration %.4f; they must agree", exactKnapsack, v.name, trial, j, sol.lb, want)
					}
					if agree {
						tight++
					}
				}
			}
		}
		t.Logf("exact knapsack %v: %d depot subproblems checked, %d equal to enumeration", exactKnapsack, checked, tight)
		if !exactKnapsack && tight == checked {
			t.Fatalf("the linear relaxation matched enumeration on all %d subproblems: the capacities should bind somewhere", checked)
		}
	}
}

// TestBoundsHandChecked: three municipalities, M2's office on M0's, M1's 92 km east.
//
//	a: M0, cost 5,000,000, workload 30, snooper (500,000)   at M0's office
//	b: M0, cost 4,000,000, workload 40                      at M0's office
//	c: M1, cost 1,000,000, workload 10, boat (200,000)      at M1's office
//
// F = 1,000,000, max_workload 60, max_distance 10 km: travel is 0 everywhere it is
// allowed. Counting bound: Σc 10,000,000 + ⌈80/60⌉ = 2 contracts + snooper + boat
// = 12,700,000. Optimum: a and b cannot share (70 > 60), c is reachable from M1's
// office only: {a}, {b}, {c} = 10,000,000 + 3 F + 700,000 = 13,700,000.
// With exact depot subproblems the Lagrangian dual is the LP over feasible bundles,
// and here it is the optimum. With the knapsack relaxed to its LP (ExactKnapsackItems < 0) a
// depot may take a and 0.75 b (workload 60): c's bundle 2,200,000; a and b need
// contract weight ≥ 1.25 (a needs snooper columns of weight ≥ 1 holding at most 0.75
// of b; the other 0.25 of b needs weight 0.25) and snooper weight ≥ 1: 9,000,000 +
// 1.25 F + 500,000 = 10,750,000; in all 12,950,000, which that bound must reach and
// cannot exceed (the bundle-count row, ≥ 2 bundles, does not bind: 2.25 are open).
func TestBoundsHandChecked(t *testing.T) {
	inst := map[string]any{"version": 1, "name": "hand", "params": map[string]any{
		"contract_fixed_cost": 1e6, "travel_cost_per_km": 400,
		"equipment":                  map[string]any{"snooper_truck": 500000, "boat": 200000},
		"mixed_discipline_surcharge": 0,
		"limits":                     map[string]any{"max_workload": 60, "max_distance_km": 10},
	},
		"municipalities": []map[string]any{
			{"code": "M0", "region": "R", "office": map[string]any{"lon": 135.0, "lat": 34.0}},
			{"code": "M1", "region": "R", "office": map[string]any{"lon": 136.0, "lat": 34.0}},
			{"code": "M2", "region": "R", "office": map[string]any{"lon": 135.0, "lat": 34.0}},
		},
		"assets": []map[string]any{
			{"id": "a", "municipality": "M0", "kind": "bridge", "lon": 135.0, "lat": 34.0, "cost": 5e6, "workload": 30, "equipment": []string{"snooper_truck"}},
			{"id": "b", "municipality": "M0", "kind": "bridge", "lon": 135.0, "lat": 34.0, "cost": 4e6, "workload": 40},
			{"id": "c", "municipality": "M1", "kind": "bridge", "lon": 136.0, "lat": 34.0, "cost": 1e6, "workload": 10, "equipment": []string{"boat"}},
		},
	}
	m := boundModelFromJSON(t, inst)
	bd := newBoundData(m, 1, BoundTuning{})
	cnt, why := bd.countingBound()
	if why != "" || cnt != 12.7e6 {
		t.Fatalf("counting bound %.2f (%q), want 12,700,000", cnt, why)
	}
	r := LowerBound(context.Background(), m, BoundOptions{Threads: 1})
	if r.LowerBound > 13.7e6 || r.LowerBound < 13.7e6*(1-1e-6) {
		t.Fatalf("bound %.2f (%s), want the optimum 13,700,000 within 1e-6 and never above", r.LowerBound, r.Method)
	}
	r = LowerBound(context.Background(), m, BoundOptions{Threads: 1, MaxIter: 3000, Tuning: BoundTuning{ExactKnapsackItems: -1}})
	if r.LowerBound > 12.95e6 || r.LowerBound < 12.95e6*(1-1e-4) {
		t.Fatalf("LP knapsack: bound %.2f (%s), want the LP value 12,950,000 within 1e-4 and never above", r.LowerBound, r.Method)
	}
	// Two depots only (M2 leaves): no plan exists, yet counting sees 2 contracts for 2
	// depots; the Lagrangian must climb past the three-depot optimum.
	inst["municipalities"] = inst["municipalities"].([]map[string]any)[:2]
	m = boundModelFromJSON(t, inst)
	r = LowerBound(context.Background(), m, BoundOptions{Threads: 1})
	if r.LowerBound <= 13.7e6 {
		t.Fatalf("two depots: bound %.2f (%s), want above 13,700,000: a and b cannot both be covered", r.LowerBound, r.Method)
	}
}

// TestLowerBoundDeterministic: same input, any thread count → the same bound and λ.
func TestLowerBoundDeterministic(t *testing.T) {
	m := boundLoadModel(t, filepath.Join(boundSharedDir, "p-small.json"))
	r1 := LowerBound(context.Background(), m, BoundOptions{Threads: 1, MaxIter: 60})
	r2 := LowerBound(context.Background(), m, BoundOptions{Threads: 2, MaxIter: 60})
	if r1.LowerBound != r2.LowerBound || r1.Iterations != r2.Iterations {
		t.Fatalf("1 thread: %v (%d it), 2 threads: %v (%d it)", r1.LowerBound, r1.Iterations, r2.LowerBound, r2.Iterations)
	}
	for a := range r1.Multipliers {
		if r1.Multipliers[a] != r2.Multipliers[a] {
			t.Fatalf("λ of %s differs: %v vs %v", m.Assets[a].ID, r1.Multipliers[a], r2.Multipliers[a])
		}
	}
}

// TestLowerBoundCancelled: a cancelled context still yields the valid counting bound.
func TestLowerBoundCancelled(t *testing.T) {
	m := boundLoadModel(t, filepath.Join(boundSharedDir, "p-small.json"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := LowerBound(ctx, m, BoundOptions{Threads: 2})
	cnt, _ := newBoundData(m, 1, BoundTuning{}).countingBound()
	if r.Method != "counting" || r.LowerBound != shave(cnt) || r.Iterations != 0 {
		t.Fatalf("cancelled: %v (%s, %d it), want the counting bound %v", r.LowerBound, r.Method, r.Iterations, shave(cnt))
	}
	if r.LowerBound > 75327721.56 {
		t.Fatalf("counting bound %v above the optimum", r.LowerBound)
	}
}

// TestLowerBoundUpperBoundStopsEarly: given the optimum as upper bound, the bound stops
// as soon as it reaches it (within 1e-7), well before the iteration cap, and
// UpperBoundFunc steers the same way.
func TestLowerBoundUpperBoundStopsEarly(t *testing.T) {
	m := boundLoadModel(t, filepath.Join(boundSharedDir, "p-tiny.json"))
	const opt = 31279239.68
	r := LowerBound(context.Background(), m, BoundOptions{Threads: 2, UpperBound: opt})
	if r.LowerBound > opt || r.LowerBound < opt*(1-1e-7)-1 {
		t.Fatalf("bound %.2f, want within 1e-7 of %.2f", r.LowerBound, opt)
	}
	if r.Iterations >= 500 {
		t.Fatalf("%d iterations: the upper bound should stop it early", r.Iterations)
	}
	calls := 0
	r2 := LowerBound(context.Background(), m, BoundOptions{Threads: 2, UpperBoundFunc: func() float64 { calls++; return opt }})
	if calls == 0 || r2.LowerBound != r.LowerBound || r2.Iterations != r.Iterations {
		t.Fatalf("UpperBoundFunc (%d calls): %.2f in %d it; UpperBound: %.2f in %d it", calls, r2.LowerBound, r2.Iterations, r.LowerBound, r.Iterations)
	}
}

// TestRadixSortHigh: the byte-wise sort orders by the high 32 bits exactly as a full
// sort does when the low halves ascend within equal keys (how solveDepot fills it).
func TestRadixSortHigh(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []uint64
	for _, n := range []int{0, 1, 2, 7, 300, 5000} {
		a := make([]uint64, n)
		for i := range a {
			key := sortKey(float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-6))))
			if rng.IntN(5) == 0 {
				key = sortKey(-1) // many ties
			}
			a[i] = key<<32 | uint64(i)
		}
		want := append([]uint64(nil), a...)
		slices.Sort(want)
		buf = radixSortHigh(a, buf)
		if !slices.Equal(a, want) {
			t.Fatalf("n=%d: radix order differs from the full sort", n)
		}
	}
	if sortKey(-2) >= sortKey(-1) || sortKey(-1) >= sortKey(0) || sortKey(0) >= sortKey(1e-30) || sortKey(float32(math.Inf(-1))) >= sortKey(-3e38) {
		t.Fatal("sortKey does not preserve the order of floats")
	}
}

// TestDepotCandidatesComplete: the latitude-band index never drops an asset a depot may
// take. For every depot of p-large, the candidates equal the admissible assets found by
// checking every participating asset.
func TestDepotCandidatesComplete(t *testing.T) {
	m := boundLoadModel(t, filepath.Join(boundSharedDir, "p-large.json"))
	bd := newBoundData(m, 2, BoundTuning{})
	total := 0
	for j := range m.Depots {
		var want []int32
		for p, a := range bd.asset {
			if _, ok := m.admissible(j, a); ok {
				want = append(want, int32(p))
			}
		}
		if !slices.Equal(bd.cands[j].p, want) {
			t.Fatalf("depot %s: %d candidates, %d admissible assets", m.Depots[j].ID, len(bd.cands[j].p), len(want))
		}
		total += len(want)
	}
	if total == 0 || total == len(m.Depots)*bd.n {
		t.Fatalf("%d depot–asset pairs: the test needs some in reach and some out", total)
	}
}

// TestLatIndexNearEverywhere: the band and longitude window hold every point within the
// reach radius, near the poles and across the antimeridian too.
func TestLatIndexNearEverywhere(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, centre := range []Point{{135, 34}, {179.9, 60}, {-179.95, -45}, {10, 84}, {0, -89}} {
		inst := map[string]any{"version": 1, "name": "band", "params": map[string]any{
			"contract_fixed_cost": 1, "travel_cost_per_km": 1, "limits": map[string]any{"max_distance_km": 60}},
			"municipalities": []map[string]any{{"code": "M", "office": map[string]any{"lon": centre.Lon, "lat": centre.Lat}}},
		}
		var assets []map[string]any
		for i := 0; i < 3000; i++ {
			lat := math.Max(-90, math.Min(90, centre.Lat+(rng.Float64()-0.5)*4))
			lon := math.Mod(centre.Lon+(rng.Float64()-0.5)*60+540, 360) - 180
			assets = append(assets, map[string]any{"id": fmt.Sprint(i), "municipality": "M", "kind": "bridge",
				"lon": lon, "lat": lat, "cost": 1, "workload": 1})
		}
		inst["assets"] = assets
		m := boundModelFromJSON(t, inst)
		idx := newLatIndex(m, m.Participating)
		for trial := 0; trial < 20; trial++ {
			at := Point{Lon: math.Mod(centre.Lon+(rng.Float64()-0.5)*20+540, 360) - 180, Lat: math.Max(-90, math.Min(90, centre.Lat+(rng.Float64()-0.5)*2))}
			got := map[int]bool{}
			idx.near(m, m.Participating, at, func(p int) { got[p] = true })
			inReach := 0
			for p, a := range m.Participating {
				if m.Dist(at, m.Assets[a].At) <= m.MaxDistanceKm+1e-9 {
					inReach++
					if !got[p] {
						t.Fatalf("centre %v, depot %v: asset %d at %v (%.3f km) is in reach but not in the band", centre, at, a, m.Assets[a].At, m.Dist(at, m.Assets[a].At))
					}
				}
			}
			if trial == 0 && inReach == 0 {
				t.Fatalf("centre %v: no asset in reach; the test checks nothing", centre)
			}
		}
	}
}

// bruteOptimum is the cheapest feasible plan of a tiny model, by giving every
// participating asset each depot in turn (+Inf when no plan is feasible). Plans that
// break a pin are judged by the evaluator's own pin check (evaluatePins).
func bruteOptimum(m *Model) float64 {
	P, D := m.Participating, len(m.Depots)
	assign := make([]int, len(P))
	best := math.Inf(1)
	bundles := make([][]int, D)
	at := make([]int32, len(m.Assets))
	var rec func(i int)
	rec = func(i int) {
		if i < len(P) {
			for j := 0; j < D; j++ {
				assign[i] = j
				rec(i + 1)
			}
			return
		}
		if m.pins != nil {
			for a := range at {
				at[a] = -1
			}
			for k, a := range P {
				at[a] = int32(assign[k])
			}
			if _, broken := evaluatePins(m, at); len(broken) > 0 {
				return
			}
		}
		for j := range bundles {
			bundles[j] = bundles[j][:0]
		}
		for k, a := range P {
			bundles[assign[k]] = append(bundles[assign[k]], a)
		}
		total := 0.0
		for j, B := range bundles {
			if len(B) == 0 {
				continue
			}
			work := 0.0
			regions, discs := map[int]bool{}, map[int]bool{}
			for _, a := range B {
				if !m.Reachable(j, a) {
					return
				}
				work += m.Assets[a].Workload
				regions[m.Munis[m.Assets[a].Muni].Region] = true
				discs[m.Assets[a].Discipline] = true
			}
			c := m.BundleCost(j, B).Total
			if work > m.MaxWorkload || len(B) > m.MaxAssets || c > m.MaxValue || c < m.MinValue ||
				(m.RegionLocked && len(regions) > 1) || (!m.MixAllowed && len(discs) > 1) {
				return
			}
			total += c
		}
		best = math.Min(best, total)
	}
	rec(0)
	return best
}

// tinyBoundInstance is trial's tiny random instance of the brute-force tests: seven
// assets, three depots 14 km apart whose reaches overlap, every rule of docs/model.md
// switched on in turn, 11 equipment kinds and 4 disciplines in some.
func tinyBoundInstance(rng *rand.Rand, trial int) map[string]any {
	limitSets := []map[string]any{
		{"max_distance_km": 25},
		{"max_distance_km": 25, "max_value": 9e6, "min_value": 4e6},
		{"max_distance_km": 25, "max_workload": 30, "max_assets": 3},
		{"max_distance_km": 25, "max_value": 8e6, "max_workload": 35, "max_assets": 4, "min_value": 3e6},
	}
	inst := randomBoundInstance(rng, limitSets[trial%4], trial%3 == 1, trial%2 == 0, trial%5 == 2)
	inst["assets"] = inst["assets"].([]map[string]any)[:7]
	for i, d := range inst["depots"].([]map[string]any) {
		d["lon"] = 135.0 + 0.15*float64(i)
	}
	for i, a := range inst["assets"].([]map[string]any) {
		a["lon"] = 135.0 + 0.3*rng.Float64()
		a["lat"] = 34.0 + 0.1*(rng.Float64()-0.5)
		a["municipality"] = fmt.Sprintf("M%d", i%3)
	}
	return inst
}

// TestLowerBoundBruteForcePlans: on tiny random instances (seven assets, three depots
// whose reaches overlap, every rule of docs/model.md switched on in turn, 11 equipment kinds
// and 4 disciplines in some) the bound never exceeds the optimum found by enumerating
// every plan.
func TestLowerBoundBruteForcePlans(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 34))
	feasible, closed := 0, 0
	for trial := 0; trial < 48; trial++ {
		m := boundModelFromJSON(t, tinyBoundInstance(rng, trial))
		opt := bruteOptimum(m)
		r := LowerBound(context.Background(), m, BoundOptions{Threads: 1, MaxIter: 200})
		if math.IsInf(opt, 1) {
			continue // any bound is valid when no plan exists
		}
		feasible++
		if r.LowerBound > opt+1e-6 {
			t.Fatalf("trial %d: bound %.4f (%s) exceeds the enumerated optimum %.4f", trial, r.LowerBound, r.Method, opt)
		}
		if r.LowerBound >= opt*(1-1e-6) {
			closed++
		}
	}
	t.Logf("%d feasible instances, bound within 1e-6 of the optimum on %d", feasible, closed)
	if feasible < 20 {
		t.Fatalf("only %d of 48 instances feasible: the test checks too little", feasible)
	}
}

// TestLowerBoundTooManyPairs: past MaxPairs no candidate lists are built; the
// streaming pass finds the same cheapest terms, and the counting bound is reported.
func TestLowerBoundTooManyPairs(t *testing.T) {
	m := boundLoadModel(t, filepath.Join(boundSharedDir, "p-small.json"))
	full := newBoundData(m, 2, BoundTuning{})
	capPairs := BoundTuning{MaxPairs: 100}
	for _, threads := range []int{1, 2, 5} {
		capped := newBoundData(m, threads, capPairs)
		if capped.cands != nil || capped.pairs <= 100 {
			t.Fatalf("threads %d: candidate lists built for %d pairs", threads, capped.pairs)
		}
		if !slices.Equal(capped.tmin, full.tmin) || capped.counting != full.counting {
			t.Fatalf("threads %d: streaming cheapest terms differ (counting %v vs %v)", threads, capped.counting, full.counting)
		}
	}
	r := LowerBound(context.Background(), m, BoundOptions{Threads: 2, Tuning: capPairs})
	if r.LowerBound != shave(full.counting) || !strings.HasPrefix(r.Method, "counting (") || r.Iterations != 0 {
		t.Fatalf("bound %v (%s, %d it), want the counting bound %v", r.LowerBound, r.Method, r.Iterations, shave(full.counting))
	}
}
