package solver

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestProgrammePrecheckHandChecked: on handProgramme (horizon 2026–29), Y's assets are a3
// (due 2026, ¥600,000, nearest depot hub 33.36 km away: travel ¥13,343.409628) and a2 (due
// 2028, ¥150,000 at y-office: no travel). So
//
//   - Y with a budget of ¥500,000 a year cannot pay a3 in FY2026: ¥613,343.409628 > ¥500,000,
//     while by FY2028 ¥763,343.41 ≤ ¥1,500,000 (only the earliest year is reported);
//   - a year cap max_value of ¥600,000 is below FY2026's ¥613,343.41 (a1 is due 2027);
//   - a year cap max_workload of 2 holds in FY2026 (a3: 2) but not by FY2027 (a1: 3 more,
//     5 > 4).
func TestProgrammePrecheckHandChecked(t *testing.T) {
	p := handProgramme(t, 1, func(inst *Instance) {
		inst.Programme.Budgets = map[string]json.RawMessage{"Y": json.RawMessage("500000"), "X": json.RawMessage("1e9")}
		v, w := 600000.0, 2.0
		inst.Programme.YearLimits = &YearLimits{MaxValue: &v, MaxWorkload: &w}
	})
	got := ProgrammePrecheck(p)
	var msgs []string
	for _, r := range got {
		msgs = append(msgs, r.Rule+": "+r.Message)
	}
	want := []string{
		"budget: municipality Y: assets due by FY2026 cost at least ¥613,343 directly, its budgets for FY2026 add up to ¥500,000",
		"year_max_value: the assets due by FY2026 cost at least ¥613,343, the year caps (max_value) for FY2026 add up to ¥600,000",
		"year_max_workload: the assets due by FY2027 weigh 5, the year caps (max_workload) for FY2026–27 add up to 4",
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Fatalf("got\n%q\nwant\n%q", msgs, want)
	}
	if !near(got[0].Value, 613343.409628) || got[0].Limit != 500000 {
		t.Errorf("budget proof: value %.6f limit %.2f", got[0].Value, got[0].Limit)
	}
	// Without caps and with budgets that cover the due cohorts, nothing is proven.
	if r := ProgrammePrecheck(handProgramme(t, 1, nil)); len(r) != 0 {
		t.Errorf("no caps: %+v", r)
	}
}
