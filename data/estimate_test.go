package data

import (
	"reflect"
	"strings"
	"testing"
)

func TestEstimateHandChecked(t *testing.T) {
	cm := DefaultCostModel()
	f := func(x float64) *float64 { return &x }
	r := func(x int) *int { return &x }
	cases := []struct {
		name string
		a    Asset
		want Estimate
	}{
		// 250,000 + 8,000·8 = 314,000; 0.8 + 0.06·8 = 1.28; narrow and short: no equipment.
		{"short narrow bridge", Asset{Kind: "bridge", LengthM: f(8), WidthM: f(4), Rating: r(2)},
			Estimate{Cost: 314_000, Workload: 1.28, Equipment: []string{}}},
		// 250,000 + 8,000·20 = 410,000; 0.8 + 1.2 = 2.0; ≥ 15 m: snooper, which needs traffic guards.
		{"20 m bridge over water", Asset{Kind: "bridge", LengthM: f(20), WidthM: f(6), OverWater: true},
			Estimate{Cost: 410_000, Workload: 2, Equipment: []string{"snooper_truck", "traffic_control"}}},
		// (250,000 + 320,000)·1.15 = 655,500; (0.8 + 2.4)·1.15 = 3.68; ≥ 30 m over water: a boat too.
		{"40 m damaged river bridge", Asset{Kind: "bridge", LengthM: f(40), WidthM: f(5), OverWater: true, Rating: r(3)},
			Estimate{Cost: 655_500, Workload: 3.68, Equipment: []string{"snooper_truck", "boat", "traffic_control"}}},
		// 250,000 + 200,000 + (3,900,000 + 60,000·25) = 5,850,000; 0.8 + 1.5 + 2 = 4.3.
		{"25 m bridge over rail", Asset{Kind: "bridge", LengthM: f(25), WidthM: f(8), OverRail: true},
			Estimate{Cost: 5_850_000, Workload: 4.3, Equipment: []string{"snooper_truck", "traffic_control", "rail_coordination"}}},
		// 250,000 + 2,400,000 + min(14M, 3.9M + 18M) = 16,650,000; 0.8 + 18 + 2 = 20.8.
		{"300 m viaduct over rail", Asset{Kind: "bridge", LengthM: f(300), WidthM: f(10), OverRail: true},
			Estimate{Cost: 16_650_000, Workload: 20.8, Equipment: []string{"snooper_truck", "rope_access", "traffic_control", "rail_coordination"}}},
		// 500,000 + 2,500·180 = 950,000; 3 + 3.6 = 6.6.
		{"tunnel", Asset{Kind: "tunnel", LengthM: f(180)},
			Estimate{Cost: 950_000, Workload: 6.6, Equipment: []string{"aerial_platform", "traffic_control"}}},
		{"sewer plant", Asset{Kind: "sewer_plant"}, Estimate{Cost: 2_400_000, Workload: 25, Equipment: []string{}}},
		// Explicit figures win, the missing ones are estimated: workload 1.28 as above.
		{"explicit cost", Asset{Kind: "bridge", LengthM: f(8), WidthM: f(4), Cost: f(123_456)},
			Estimate{Cost: 123_456, Workload: 1.28, Equipment: []string{}}},
		{"explicit equipment", Asset{Kind: "bridge", LengthM: f(20), Equipment: []string{"aerial_platform"}},
			Estimate{Cost: 410_000, Workload: 2, Equipment: []string{"aerial_platform"}}},
		{"unknown kind, explicit figures", Asset{Kind: "park_toilet", Cost: f(50_000), Workload: f(0.5)},
			Estimate{Cost: 50_000, Workload: 0.5, Equipment: []string{}}},
	}
	for _, c := range cases {
		got, err := cm.Estimate(c.a)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got.Equipment == nil {
			got.Equipment = []string{}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Estimate = %+v, want %+v", c.name, got, c.want)
		}
	}
	_, err := cm.Estimate(Asset{ID: "P1", Kind: "park_toilet"})
	if err == nil || !strings.Contains(err.Error(), "asset P1") || !strings.Contains(err.Error(), `"park_toilet"`) {
		t.Errorf("unknown kind without figures: err = %v", err)
	}
}

func TestDue(t *testing.T) {
	cm := DefaultCostModel()
	y := func(x int) *int { return &x }
	for _, c := range []struct {
		last *int
		fy   int
		want bool
	}{{y(2021), 2026, true}, {y(2022), 2026, false}, {y(2019), 2026, true}, {nil, 2026, true}, {y(2026), 2026, false}} {
		if got := cm.Due(Asset{LastInspectionFY: c.last}, c.fy); got != c.want {
			t.Errorf("Due(last %v, FY%d) = %v, want %v", c.last, c.fy, got, c.want)
		}
	}
}

// The demo's bridges average within DOMAIN.md's ¥280k–570k a bridge.
func TestDemoBridgeCostsAreRealistic(t *testing.T) {
	cm := DefaultCostModel()
	sum, n := 0.0, 0
	for _, a := range generate(t).Assets {
		if a.Kind != "bridge" || a.OverRail {
			continue
		}
		e, err := cm.Estimate(a)
		if err != nil {
			t.Fatal(err)
		}
		sum += e.Cost
		n++
	}
	if mean := sum / float64(n); mean < 280_000 || mean > 570_000 {
		t.Errorf("mean bridge inspection cost ¥%.0f, want ¥280k–570k", mean)
	}
}
