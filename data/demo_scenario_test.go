package data

import (
	"context"
	"reflect"
	"testing"
)

// TestDemoScenarioWithinAreas: the demo comes with one scenario, FY2027 with region_locked,
// whose instance puts each of the 39 municipalities in one of the five customary areas:
// 北和 5 (奈良市, 大和郡山市, 天理市, 生駒市, 山添村), 西和 7 (the 生駒郡 and 北葛城郡 towns but
// 広陵町), 中和 12, 東和 3 (宇陀市, 曽爾村, 御杖村), 南和 12 (五條市 and the 吉野郡).
func TestDemoScenarioWithinAreas(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, err := s.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	scs, total, err := s.Scenarios(ctx, 10, 0)
	if err != nil || total != 1 {
		t.Fatalf("scenarios after LoadDemo: %d, %v; want 1", total, err)
	}
	sc := scs[0]
	want := DemoScenario()
	if sc.Name != want.Name || sc.FiscalYear != 2027 || !sc.Params.RegionLocked || !reflect.DeepEqual(sc.Params, want.Params) {
		t.Errorf("demo scenario %q FY%d region_locked %v, params %+v; want %q FY2027 with DefaultParams and region_locked",
			sc.Name, sc.FiscalYear, sc.Params.RegionLocked, sc.Params, want.Name)
	}
	inst, err := s.ScenarioInstance(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range inst.Municipalities {
		count[m.Region]++
	}
	if w := map[string]int{"北和": 5, "西和": 7, "中和": 12, "東和": 3, "南和": 12}; !reflect.DeepEqual(count, w) || !inst.Params.RegionLocked {
		t.Errorf("municipalities by region %v, region_locked %v; want %v, true", count, inst.Params.RegionLocked, w)
	}
}
