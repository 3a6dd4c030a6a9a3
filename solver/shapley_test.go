package solver

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteForceShapley is the Shapley value by its definition: municipality m pays the
// average, over all orders of joining, of the cost it adds; with coalition S paying
// cost(own assets of S, from depot j) and the empty coalition nothing,
//
//	φ_m = Σ_{S ⊆ N∖{m}} |S|!·(n−|S|−1)!/n! · (c(S∪{m}) − c(S)).
func bruteForceShapley(m *Model, j int, assets []int) map[int]float64 {
	var members []int
	pos := map[int]int{}
	for _, a := range assets {
		mu := m.Assets[a].Muni
		if _, ok := pos[mu]; !ok {
			pos[mu] = len(members)
			members = append(members, mu)
		}
	}
	n := len(members)
	cost := make([]float64, 1<<n) // coalition bit mask → c(S)
	for s := 1; s < 1<<n; s++ {
		var own []int
		for _, a := range assets {
			if s&(1<<pos[m.Assets[a].Muni]) != 0 {
				own = append(own, a)
			}
		}
		cost[s] = m.BundleCost(j, own).Total
	}
	fact := func(k int) float64 {
		f := 1.0
		for i := 2; i <= k; i++ {
			f *= float64(i)
		}
		return f
	}
	out := map[int]float64{}
	for i, mu := range members {
		var phi float64
		for s := 0; s < 1<<n; s++ {
			if s&(1<<i) != 0 {
				continue
			}
			k := 0
			for x := s; x != 0; x &= x - 1 {
				k++
			}
			phi += fact(k) * fact(n-k-1) / fact(n) * (cost[s|1<<i] - cost[s])
		}
		out[mu] = phi
	}
	return out
}

// randomBundle picks 1..maxMunis municipalities that own assets and 1..4 of each one's
// assets, and a random depot.
func randomBundle(m *Model, rng *rand.Rand, maxMunis int) (int, []int) {
	byMuni := map[int][]int{}
	for a := range m.Assets {
		byMuni[m.Assets[a].Muni] = append(byMuni[m.Assets[a].Muni], a)
	}
	var owners []int
	for mu := range m.Munis {
		if len(byMuni[mu]) > 0 {
			owners = append(owners, mu)
		}
	}
	rng.Shuffle(len(owners), func(x, y int) { owners[x], owners[y] = owners[y], owners[x] })
	var assets []int
	for _, mu := range owners[:1+rng.IntN(min(maxMunis, len(owners)))] {
		own := byMuni[mu]
		for range 1 + rng.IntN(4) {
			assets = append(assets, own[rng.IntN(len(own))])
		}
	}
	rng.Shuffle(len(assets), func(x, y int) { assets[x], assets[y] = assets[y], assets[x] })
	return rng.IntN(len(m.Depots)), uniqueAssets(assets)
}

func uniqueAssets(xs []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// TestShapleyClosedFormMatchesBruteForce compares the closed form with the definition on
// random bundles of up to 7 municipalities, on instances with mixing allowed (p-nara,
// p-ir) and forbidden (p-small-strict), and checks that the shares add up to the cost
// and that a reused ShapleySplitter gives the same shares.
func TestShapleyClosedFormMatchesBruteForce(t *testing.T) {
	for _, name := range []string{"p-nara", "p-ir", "p-small-strict"} {
		m := testdataModel(t, name)
		rng := rand.New(rand.NewPCG(3, 5))
		sawMixed, sawLarge := false, false
		splitter := NewShapleySplitter(m) // reused across trials, as callers do
		for trial := range 60 {
			j, assets := randomBundle(m, rng, 7)
			closed := ShapleyShares(m, j, assets)
			munis, shares := splitter.Shares(j, assets)
			for k, mu := range munis {
				if shares[k] != closed[mu] || len(munis) != len(closed) {
					t.Errorf("%s #%d: splitter gives %s %.6f, ShapleyShares %.6f", name, trial, m.Munis[mu].Code, shares[k], closed[mu])
				}
			}
			brute := bruteForceShapley(m, j, assets)
			total := m.BundleCost(j, assets).Total
			if len(closed) != len(brute) {
				t.Fatalf("%s #%d: %d shares, want %d", name, trial, len(closed), len(brute))
			}
			var sum float64
			for mu, want := range brute {
				got, ok := closed[mu]
				if !ok || math.Abs(got-want) > 1e-6*max(1, math.Abs(want)) {
					t.Errorf("%s #%d: municipality %s share %.6f, brute force %.6f", name, trial, m.Munis[mu].Code, got, want)
				}
				sum += got
			}
			if math.Abs(sum-total) > 1e-6*total {
				t.Errorf("%s #%d: shares add up to %.6f, cost is %.6f", name, trial, sum, total)
			}
			if m.BundleCost(j, assets).Surcharge > 0 {
				sawMixed = true
			}
			if len(brute) >= 6 {
				sawLarge = true
			}
		}
		if m.MixAllowed && !sawMixed || !sawLarge {
			t.Errorf("%s: the random bundles missed a case (mixed %v, ≥6 members %v)", name, sawMixed, sawLarge)
		}
	}
}

// TestShapleyHandChecked is the split computed in TestEvaluateHandChecked's comment:
// X 1,940,000 and Y 3,010,015.114442 of the hub bundle, and a lone municipality pays all.
func TestShapleyHandChecked(t *testing.T) {
	m, _ := handModel(t, nil)
	hub, x, y := m.DepotIndex["hub"], m.MuniIndex["X"], m.MuniIndex["Y"]
	all := []int{m.AssetIndex["a1"], m.AssetIndex["a2"], m.AssetIndex["a3"]}
	s := ShapleyShares(m, hub, all)
	if len(s) != 2 || !evNear(s[x], 1940000, 1e-6) || !evNear(s[y], 3010015.114442, 1e-6) {
		t.Errorf("shares = %v, want X 1,940,000 and Y 3,010,015.114442", s)
	}
	s = ShapleyShares(m, hub, all[1:])
	if len(s) != 1 || !evNear(s[y], 4050015.114442, 1e-6) {
		t.Errorf("Y alone: shares = %v, want all of 4,050,015.114442", s)
	}
	if s := ShapleyShares(m, hub, nil); len(s) != 0 {
		t.Errorf("empty bundle: shares = %v", s)
	}
}

func BenchmarkShapleySplitter(b *testing.B) {
	m := testdataModel(b, "p-nara")
	p := nearestDepotPlan(m)
	type bundle struct {
		j      int
		assets []int
	}
	var bundles []bundle
	for _, bd := range p.Bundles {
		var as []int
		for _, id := range bd.Assets {
			as = append(as, m.AssetIndex[id])
		}
		bundles = append(bundles, bundle{m.DepotIndex[bd.Depot], as})
	}
	sp := NewShapleySplitter(m)
	b.ReportAllocs()
	for b.Loop() {
		for _, bd := range bundles {
			sp.Shares(bd.j, bd.assets)
		}
	}
}
