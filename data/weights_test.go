package data

import (
	"reflect"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestRegionWeights: three assets of two municipalities, summed by hand:
// 29201 has workloads 30 + 12.5 = 42.5, costs 1 000 000 + 500 000 = 1 500 000, 2 assets;
// 29203 has 20, 700 000 and 1. An unknown by is an error naming the allowed values.
func TestRegionWeights(t *testing.T) {
	inst := &solver.Instance{Assets: []solver.Asset{
		{ID: "a1", Municipality: "29201", Cost: 1_000_000, Workload: 30},
		{ID: "a2", Municipality: "29201", Cost: 500_000, Workload: 12.5},
		{ID: "a3", Municipality: "29203", Cost: 700_000, Workload: 20},
	}}
	for by, want := range map[string]map[string]float64{
		"workload": {"29201": 42.5, "29203": 20},
		"value":    {"29201": 1_500_000, "29203": 700_000},
		"assets":   {"29201": 2, "29203": 1},
	} {
		got, err := RegionWeights(inst, by)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("RegionWeights(%s) = %v, %v; want %v", by, got, err, want)
		}
	}
	for _, by := range []string{"population", "", "Workload"} {
		got, err := RegionWeights(inst, by)
		want := `must be workload, value or assets, found "` + by + `"`
		if got != nil || err == nil || err.Error() != want {
			t.Errorf("RegionWeights(%q) = %v, %v; want the error %q", by, got, err, want)
		}
	}
	if b, err := ParseWeightBy("value"); b != WeightValue || err != nil || b.Label() != "value (yen)" {
		t.Errorf("ParseWeightBy(value) = %q, %v (label %q)", b, err, b.Label())
	}
}
