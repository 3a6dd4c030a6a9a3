package solver

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestPrecheckPInfeasible: region R2's only sewer asset (pump station A000174) makes at
// most ¥2,307,021.39 — from office-29019, the farthest depot within 35 km — and region R3's
// two (A000246, S00006) at most ¥4,253,339.40 from office-29003; both are below min_value
// ¥8,000,000, and with region_locked and mixing forbidden they cannot join anything else.
// (testdata/README.md: "≈¥2.31M" and "≈¥4.25M"; recomputed with the independent referee.)
func TestPrecheckPInfeasible(t *testing.T) {
	m := testdataModel(t, "p-infeasible")
	got := Precheck(m)
	if len(got) != 2 {
		t.Fatalf("Precheck = %+v, want two reasons", got)
	}
	want := []struct {
		region string
		value  float64
		depot  string
		n      string
	}{{"R2", 2307021.3886, "office-29019", "1 asset"}, {"R3", 4253339.4004, "office-29003", "2 asset"}}
	for i, w := range want {
		f := got[i]
		if f.Rule != "min_value" || f.Region != w.region || f.Discipline != "sewer" || math.Abs(f.Value-w.value) > 1e-3 || f.Limit != 8e6 {
			t.Errorf("reason %d = %+v, want min_value for %s sewer at %.4f", i, f, w.region, w.value)
		}
		for _, part := range []string{"region " + w.region, "sewer", w.depot, w.n, "min_value ¥8,000,000", "region_locked", "mixed_discipline_surcharge"} {
			if !strings.Contains(f.Message, part) {
				t.Errorf("reason %d message lacks %q: %s", i, part, f.Message)
			}
		}
	}
}

// TestPrecheckMinValueBoundary moves min_value across R2's ¥2,307,021.3886 with the
// referee's tolerance: a bundle fails min_value only below min_value − 1e-6·cost, so the
// proof needs 2,307,021.3886 + 2.3070 = 2,307,023.6956 < min_value.
func TestPrecheckMinValueBoundary(t *testing.T) {
	for _, c := range []struct {
		min  float64
		want int
	}{{2307024, 1}, {2307023, 0}, {4253339.4004 + 4.2534 + 0.01, 2}, {4253339.4004 + 4.2534 - 0.01, 1}} {
		data := readTestdata(t, "p-infeasible")
		inst, err := ParseInstance(data)
		if err != nil {
			t.Fatal(err)
		}
		inst.Params.Limits.MinValue = evFloat(c.min)
		m, err := Compile(inst)
		if err != nil {
			t.Fatal(err)
		}
		if got := Precheck(m); len(got) != c.want {
			t.Errorf("min_value %.4f: %d reasons, want %d: %+v", c.min, len(got), c.want, got)
		}
	}
}

func TestPrecheckFeasibleInstances(t *testing.T) {
	for _, name := range []string{"p-tiny", "p-small", "p-small-strict", "p-ir", "p-nara"} {
		if got := Precheck(testdataModel(t, name)); len(got) != 0 {
			t.Errorf("%s: Precheck = %+v, want nothing (the instance has feasible plans)", name, got)
		}
	}
}

// TestPrecheckHand covers each rule on handInstance (arithmetic in TestEvaluateHandChecked).
func TestPrecheckHand(t *testing.T) {
	cases := []struct {
		name  string
		tweak func(*Instance)
		want  []string // rule:asset or rule:region for each reason, in order
		value []float64
	}{
		{"as is", nil, nil, nil},
		// a3 at 36°N: 1.5° from the nearest depot "far" = 15 × 16.679262035 km.
		{"unreachable", func(in *Instance) { in.Assets[2].Lat = 36 }, []string{"max_distance:a3"}, []float64{250.188931}},
		// a1 alone costs 2,980,000 from the hub; a3 2,800,000 + 0.2° (13,343.409628).
		{"max value", func(in *Instance) { in.Params.Limits.MaxValue = evFloat(2.5e6); in.Params.Limits.MinValue = nil },
			[]string{"max_value:a1", "max_value:a3"}, []float64{2980000, 2813343.409628}},
		{"max value, just past tolerance", func(in *Instance) { in.Params.Limits.MaxValue = evFloat(2979996); in.Params.Limits.MinValue = nil },
			[]string{"max_value:a1"}, []float64{2980000}},
		{"max value within tolerance", func(in *Instance) { in.Params.Limits.MaxValue = evFloat(2979998); in.Params.Limits.MinValue = nil }, nil, nil},
		{"max workload", func(in *Instance) { in.Params.Limits.MaxWorkload = evFloat(2.5) }, []string{"max_workload:a1"}, []float64{3}},
		{"non-participant ignored", func(in *Instance) { in.Assets[3].Lat = 40; in.Assets[3].Workload = 99 }, nil, nil},
		// All three from y-office: 4,930,000 + 400·(16.679262 + 0 + 50.037786) = 4,956,686.819256;
		// the hub gives 4,950,015.114442 and "far" reaches none.
		{"min value, no locks", func(in *Instance) { in.Params.Limits.MinValue = evFloat(6e6) },
			[]string{"min_value:"}, []float64{4956686.819256}},
		// Region north is a1 alone: 2,986,671.704814 from y-office. South reaches 4,050,015.11.
		{"min value, region locked", func(in *Instance) { in.Params.RegionLocked = true },
			[]string{"min_value:north"}, []float64{2986671.704814}},
		// Road {a1, a2} from y-office: 2,000,000 + 580,000 + 550,000 + 6,671.704814; sewer {a3}
		// from y-office (0.3°): 2,800,000 + 20,015.114442.
		{"min value, no mixing", func(in *Instance) {
			in.Params.MixedDisciplineSurcharge = nil
			in.Params.Limits.MinValue = evFloat(3.2e6)
		},
			[]string{"min_value:road", "min_value:sewer"}, []float64{3136671.704814, 2820015.114442}},
		// Without y-office, the hub is the only depot within 60 km of a1, a2 and a3 ("far"
		// reaches none), so they share the hub's one bundle.
		{"too few depots for max_assets", func(in *Instance) { in.Depots = in.Depots[:2]; in.Params.Limits.MaxAssets = evInt(1) },
			[]string{"max_assets:", "max_assets:a1"}, []float64{3, 3}},
		{"too few depots for max_workload", func(in *Instance) { in.Depots = in.Depots[:1]; in.Params.Limits.MaxWorkload = evFloat(3) },
			[]string{"max_workload:", "max_workload:a1"}, []float64{6, 6}},
		{"only depot over max_value", func(in *Instance) { in.Depots = in.Depots[:2]; in.Params.Limits.MaxValue = evFloat(4.9e6) },
			[]string{"max_value:a1"}, []float64{4950015.114442}},
		{"only depot mixes disciplines", func(in *Instance) {
			in.Depots = in.Depots[:2]
			in.Params.MixedDisciplineSurcharge = nil
			in.Params.Limits.MinValue = nil
		}, []string{"mixed_discipline:a1"}, []float64{2}},
		{"only depot spans regions", func(in *Instance) {
			in.Depots = in.Depots[:2]
			in.Params.RegionLocked = true
			in.Params.Limits.MinValue = nil
		}, []string{"region_lock:a1"}, []float64{2}},
		{"two depots in reach", func(in *Instance) { in.Params.Limits.MaxValue = evFloat(4.9e6) }, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, _ := handModel(t, c.tweak)
			got := Precheck(m)
			var keys []string
			for _, f := range got {
				k := f.Rule + ":" + f.Asset
				if f.Rule == "min_value" {
					k = f.Rule + ":" + f.Region + f.Discipline
				}
				keys = append(keys, k)
				if f.Message == "" {
					t.Errorf("reason without a message: %+v", f)
				}
			}
			if strings.Join(keys, " ") != strings.Join(c.want, " ") {
				t.Fatalf("reasons %v, want %v\n%+v", keys, c.want, got)
			}
			for i, v := range c.value {
				if !evNear(got[i].Value, v, 1e-5) {
					t.Errorf("reason %d value %.6f, want %.6f", i, got[i].Value, v)
				}
			}
		})
	}
}

// TestDepotBandFindsEveryNearDepot: the latitude band never misses a depot within the
// radius (it may offer farther ones, which callers filter).
func TestDepotBandFindsEveryNearDepot(t *testing.T) {
	m := testdataModel(t, "p-nara")
	band := newDepotBand(m)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		a := &m.Assets[rng.IntN(len(m.Assets))]
		p := Point{a.At.Lon + rng.NormFloat64()*0.05, a.At.Lat + rng.NormFloat64()*0.05}
		r := rng.Float64() * 60
		var want, got []int
		for j := range m.Depots {
			if m.Dist(m.Depots[j].At, p) <= r {
				want = append(want, j)
			}
		}
		band.near(p, r, func(j int, d float64) bool {
			if d != m.Dist(m.Depots[j].At, p) {
				t.Fatalf("band distance %v for depot %d, want %v", d, j, m.Dist(m.Depots[j].At, p))
			}
			if d <= r {
				got = append(got, j)
			}
			return true
		})
		sort.Ints(got)
		if !slices.Equal(got, want) {
			t.Fatalf("near %v within %.2f km: %v, want %v", p, r, got, want)
		}
	}
}

// TestDepotBandHighLatitudeAndAntimeridian: the longitude filter stays valid near a pole
// and across ±180°.
func TestDepotBandHighLatitudeAndAntimeridian(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	inst := &Instance{Version: 1, Params: Params{Circuity: evFloat(1.3)},
		Municipalities: []Municipality{{Code: "N", Office: Point{Lon: 179.5, Lat: 80}}}}
	for i := range 400 {
		lon := 170 + rng.Float64()*20
		if lon > 180 {
			lon -= 360
		}
		inst.Depots = append(inst.Depots, Depot{ID: fmt.Sprint("d", i), Lon: lon, Lat: 60 + rng.Float64()*30})
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	band := newDepotBand(m)
	for range 300 {
		lon := 170 + rng.Float64()*20
		if lon > 180 {
			lon -= 360
		}
		p := Point{lon, 60 + rng.Float64()*30}
		r := rng.Float64() * 800
		var want, got []int
		for j := range m.Depots {
			if m.Dist(m.Depots[j].At, p) <= r {
				want = append(want, j)
			}
		}
		band.near(p, r, func(j int, d float64) bool {
			if d <= r {
				got = append(got, j)
			}
			return true
		})
		sort.Ints(got)
		if !slices.Equal(got, want) {
			t.Fatalf("near %v within %.2f km: %v, want %v", p, r, got, want)
		}
	}
}

func BenchmarkPrecheck(b *testing.B) {
	m := testdataModel(b, "p-infeasible")
	for b.Loop() {
		Precheck(m)
	}
}

// TestPrecheckMinValueTriangleBound: without max_distance_km and past the pair budget,
// travel is bounded through the group's first asset c (a1 at 34.0°N):
// Σ_a d(j,a) ≤ 3·d(j,c) + Σ_a d(c,a). From "far" that is 3 × 0.5° + 0.3° = 1.8°, so the
// bound is 4,930,000 + 18 × 6,671.704814 = 5,050,090.686652, above the exact best (also
// "far": 0.5° + 0.4° + 0.7° = 1.6°, 4,930,000 + 106,747.277024 = 5,036,747.277024).
func TestPrecheckMinValueTriangleBound(t *testing.T) {
	m, _ := handModel(t, func(in *Instance) {
		in.Params.Limits.MaxDistanceKm = nil
		in.Params.Limits.MinValue = evFloat(6e6)
	})
	band := newDepotBand(m)
	for _, c := range []struct {
		budget int
		want   float64
	}{{exactPairBudget, 5036747.277024}, {0, 5050090.686652}} {
		got := precheckMinValue(m, band, c.budget)
		if len(got) != 1 || !evNear(got[0].Value, c.want, 1e-5) || !strings.Contains(got[0].Message, "depot far") {
			t.Errorf("budget %d: %+v, want one reason worth %.6f from depot far", c.budget, got, c.want)
		}
	}
	// Between the two values the exact sum proves infeasibility and the bound cannot.
	m.MinValue = 5.04e6
	if got := precheckMinValue(m, band, exactPairBudget); len(got) != 1 {
		t.Errorf("exact, min_value 5,040,000: %+v", got)
	}
	if got := precheckMinValue(m, band, 0); len(got) != 0 {
		t.Errorf("bound, min_value 5,040,000: %+v", got)
	}
}
