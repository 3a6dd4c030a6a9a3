package data

import (
	"fmt"

	"github.com/tabane/tabane/solver"
)

// WeightBy names what a municipality weighs when regional groups are balanced: the
// workload (person-days), the value (direct cost, yen) or the number of its assets in an
// instance. tabane groups --by and POST /api/v1/groups {"by"} take the same names.
type WeightBy string

const (
	WeightWorkload WeightBy = "workload"
	WeightValue    WeightBy = "value"
	WeightAssets   WeightBy = "assets"
)

// ParseWeightBy accepts workload, value or assets; anything else is an error that names
// the allowed values.
func ParseWeightBy(s string) (WeightBy, error) {
	switch b := WeightBy(s); b {
	case WeightWorkload, WeightValue, WeightAssets:
		return b, nil
	}
	return "", fmt.Errorf("must be workload, value or assets, found %q", s)
}

// Label is the weight's name with its unit, for tables and legends.
func (b WeightBy) Label() string {
	switch b {
	case WeightWorkload:
		return "workload (person-days)"
	case WeightValue:
		return "value (yen)"
	}
	return string(b)
}

// RegionWeights sums the instance's assets per municipality code by by (see
// ParseWeightBy, whose error an unknown by returns). A municipality without assets is
// absent from the map, so it weighs 0.
func RegionWeights(inst *solver.Instance, by string) (map[string]float64, error) {
	b, err := ParseWeightBy(by)
	if err != nil {
		return nil, err
	}
	weight := map[string]float64{}
	for _, a := range inst.Assets {
		switch b {
		case WeightWorkload:
			weight[a.Municipality] += a.Workload
		case WeightValue:
			weight[a.Municipality] += a.Cost
		case WeightAssets:
			weight[a.Municipality]++
		}
	}
	return weight, nil
}
