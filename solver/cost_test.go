package solver

import (
	"fmt"
	"testing"
)

// TestBundleCostHandChecked prices three assets of handInstance from the hub by hand
// (distances along the meridian: 0.1° = 16.679262035 km with circuity 1.5, ¥6,671.704814):
//
//	a1 + a2 + a3: 2,000,000 + 780,000 + 1,000,000 + 1,150,000 + 400·(0 + 16.679262 + 33.358524)
//	            = 4,930,000 + 20,015.114442 = 4,950,015.114442
//	a2 + a3 from "far" (0.4° and 0.7°): 2,000,000 + 280,000 + 1,000,000 + 750,000 + 11 × 6,671.704814
//	            = 4,030,000 + 73,388.752954 = 4,103,388.752954
//	a1 alone from y-office (0.1°): 2,000,000 + 580,000 + 400,000 + 6,671.704814 = 2,986,671.704814
func TestBundleCostHandChecked(t *testing.T) {
	m, _ := handModel(t, nil)
	a1, a2, a3 := m.AssetIndex["a1"], m.AssetIndex["a2"], m.AssetIndex["a3"]
	cases := []struct {
		depot  string
		assets []int
		want   Breakdown
	}{
		{"hub", []int{a1, a2, a3}, Breakdown{2e6, 780000, 1e6, 1150000, 20015.114442, 4950015.114442}},
		{"hub", []int{a3, a1, a2}, Breakdown{2e6, 780000, 1e6, 1150000, 20015.114442, 4950015.114442}},
		{"far", []int{a2, a3}, Breakdown{2e6, 280000, 1e6, 750000, 73388.752954, 4103388.752954}},
		{"y-office", []int{a1}, Breakdown{2e6, 580000, 0, 400000, 6671.704814, 2986671.704814}},
		{"hub", nil, Breakdown{}},
	}
	for _, c := range cases {
		got := m.BundleCost(m.DepotIndex[c.depot], c.assets)
		for _, f := range []struct {
			name      string
			got, want float64
		}{{"fixed", got.Fixed, c.want.Fixed}, {"equipment", got.Equipment, c.want.Equipment},
			{"surcharge", got.Surcharge, c.want.Surcharge}, {"assets", got.Assets, c.want.Assets},
			{"travel", got.Travel, c.want.Travel}, {"total", got.Total, c.want.Total}} {
			if !evNear(f.got, f.want, 1e-6) {
				t.Errorf("%s %v: %s = %.6f, want %.6f", c.depot, c.assets, f.name, f.got, f.want)
			}
		}
		if from := m.CostFrom(m.Depots[m.DepotIndex[c.depot]].At, c.assets); from != got {
			t.Errorf("CostFrom the depot's point = %+v, BundleCost = %+v", from, got)
		}
	}
}

// TestBundleCostManyEquipmentAndDisciplines covers instances with more than 64 equipment
// names and disciplines, past the bit sets: each is still charged once.
func TestBundleCostManyEquipmentAndDisciplines(t *testing.T) {
	inst, err := ParseInstance([]byte(handInstance))
	if err != nil {
		t.Fatal(err)
	}
	inst.Params.Disciplines = map[string]string{}
	for i := range 70 {
		inst.Params.Equipment[fmt.Sprintf("tool%02d", i)] = 1000
		inst.Params.Disciplines[fmt.Sprintf("kind%02d", i)] = fmt.Sprintf("disc%02d", i)
	}
	// a1 needs tool69 twice over (listed twice, and shared with a2); a2 and a3 become
	// disciplines disc68 and disc69, beyond the first 64.
	inst.Assets[0].Equipment = []string{"tool69", "tool69", "tool00"}
	inst.Assets[1].Equipment = []string{"tool69", "tool68"}
	inst.Assets[1].Kind = "kind68"
	inst.Assets[2].Kind = "kind69"
	inst.Assets[2].Equipment = nil
	m, err := Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	b := m.BundleCost(m.DepotIndex["hub"], []int{0, 1, 2})
	// Equipment: tool00, tool68, tool69 = 3,000. Disciplines: road, disc68, disc69 → 2 × S.
	if b.Equipment != 3000 || b.Surcharge != 2e6 {
		t.Errorf("equipment %v, surcharge %v; want 3,000 and 2,000,000", b.Equipment, b.Surcharge)
	}
	if len(m.Disciplines) <= 64 || len(m.EquipNames) <= 64 {
		t.Fatalf("the instance should exceed 64 disciplines and equipment names: %d, %d", len(m.Disciplines), len(m.EquipNames))
	}
	// The closed-form Shapley split still adds up to the cost.
	var sum float64
	for _, s := range ShapleyShares(m, m.DepotIndex["hub"], []int{0, 1, 2}) {
		sum += s
	}
	if !evNear(sum, b.Total, 1e-6) {
		t.Errorf("shares add up to %.6f, cost %.6f", sum, b.Total)
	}
}
