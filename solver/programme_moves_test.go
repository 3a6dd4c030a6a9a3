package solver

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// twoLotProgramme is a plan of handProgramme with two-year lots: FY2026-L01 from hub
// with a1 and a3 in 2026, FY2028-L01 from y-office with a2 in 2028 (its due year).
// By hand (see TestProgrammeLotCostHandChecked for the terms):
//
//	FY2026-L01 = F 2,000,000 + snooper 500,000 + traffic 80,000 + boat 200,000 + S 1,000,000
//	             + assets 1,000,000 + travel 13,343.409628 + a1 brought forward 80,000
//	           = 4,873,343.409628
//	FY2028-L01 = F 2,000,000 + traffic 80,000 + a2 150,000 (y-office is at a2: no travel)
//	           = 2,230,000, below 2 × min_value 4,000,000
func twoLotProgramme(t *testing.T) (*Programme, *Plan) {
	t.Helper()
	p := handProgramme(t, 2, nil)
	fy26, fy28 := 2026, 2028
	plan := &Plan{Instance: "hand", Bundles: []Bundle{
		{ID: "FY2026-L01", Depot: "hub", FY: &fy26, Assets: []string{"a1", "a3"}},
		{ID: "FY2028-L01", Depot: "y-office", FY: &fy28, Assets: []string{"a2"}},
	}, Schedule: map[string]int{"a1": 2026, "a3": 2026, "a2": 2028}}
	return p, plan
}

func fyOf(y int) *int { return &y }

func lotsOf(plan *Plan) []string {
	var out []string
	for _, b := range plan.Bundles {
		out = append(out, b.ID+"@"+itoa(*b.FY)+":"+b.Depot+":"+strings.Join(b.Assets, ","))
	}
	return out
}

func rulesOf(vs []Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Rule+":"+v.Bundle)
	}
	return out
}

// TestProgrammeMovesHandChecked: a2 moves from its 2028 lot into FY2026-L01 without a
// year: 2028 is not in the block 2026–27, so it takes the latest year of its window
// [2026, 2028] there, 2027. The 2028 lot is emptied and dropped; FY2026-L01 becomes
// the lot priced by hand in TestProgrammeLotCostHandChecked, 5,140,015.114442, and the
// min_value breach of the 2028 lot is resolved.
func TestProgrammeMovesHandChecked(t *testing.T) {
	p, plan := twoLotProgramme(t)
	me, err := EvaluateProgrammeMoves(p, plan, nil, []Move{{Asset: "a2", ToLot: "FY2026-L01"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := lotsOf(me.Plan), []string{"FY2026-L01@2026:hub:a1,a3,a2"}; !slices.Equal(got, want) {
		t.Errorf("lots %v, want %v", got, want)
	}
	if want := map[string]int{"a1": 2026, "a3": 2026, "a2": 2027}; !reflect.DeepEqual(me.Plan.Schedule, want) {
		t.Errorf("schedule %v, want %v", me.Plan.Schedule, want)
	}
	if !near(me.CostBefore, 7103343.409628) || !near(me.Cost, 5140015.114442) || !near(me.Delta, -1963328.295186) {
		t.Errorf("cost before %.6f after %.6f delta %.6f", me.CostBefore, me.Cost, me.Delta)
	}
	if !me.Feasible || len(me.NewViolations) != 0 {
		t.Errorf("feasible %v, new violations %v", me.Feasible, me.NewViolations)
	}
	if got := rulesOf(me.ResolvedViolations); !slices.Equal(got, []string{"min_value:FY2028-L01"}) {
		t.Errorf("resolved %v, want the 2028 lot's min_value", got)
	}
	if len(me.Lots) != 2 || me.Lots[0].Lot != "FY2026-L01" || *me.Lots[0].FY != 2026 || !near(me.Lots[0].Before, 4873343.409628) ||
		!near(me.Lots[0].After, 5140015.114442) || me.Lots[1].Lot != "FY2028-L01" || !me.Lots[1].Closed || *me.Lots[1].FY != 2028 ||
		!near(me.Lots[1].Delta, -2230000) {
		t.Errorf("lots %+v", me.Lots)
	}
	if y := me.After.Years; !near(y[0].Value, 3373343.409628) || !near(y[1].Value, 1766671.704814) || y[2].Value != 0 {
		t.Errorf("years after %+v", y)
	}
	// Kept as a run: a1 (due 2027) and a2 (due 2028) are brought forward; against a
	// bound of 5,000,000 the gap is 140,015.114442 / 5,140,015.114442.
	bound := 5e6
	res := EditedProgrammeResult(p, me, &bound, "test", "hand edit")
	if res.Moved != 2 || res.LowerBound != bound || !near(res.Gap, 140015.114442/5140015.114442) || res.Evaluation != me.After ||
		res.Plan != me.Plan || res.StopReason != "hand edit" {
		t.Errorf("edited result: moved %d bound %v gap %v stop %q", res.Moved, res.LowerBound, res.Gap, res.StopReason)
	}
	if plan.Schedule["a2"] != 2028 || len(plan.Bundles) != 2 || len(plan.Bundles[0].Assets) != 2 {
		t.Errorf("the plan moved from changed: %v %v", lotsOf(plan), plan.Schedule)
	}
}

// TestProgrammeMoveYearOnly: a2 moved within its lot to 2026 (fy only). Its traffic
// control then joins a1's in 2026 (−80,000) but it is brought forward two years, not
// one (+150,000·1/5 = +30,000): 5,140,015.114442 − 50,000.
func TestProgrammeMoveYearOnly(t *testing.T) {
	p := handProgramme(t, 2, nil)
	fy := 2026
	plan := &Plan{Instance: "hand", Bundles: []Bundle{{ID: "FY2026-L01", Depot: "hub", FY: &fy, Assets: []string{"a1", "a2", "a3"}}},
		Schedule: map[string]int{"a1": 2026, "a2": 2027, "a3": 2026}}
	me, err := EvaluateProgrammeMoves(p, plan, nil, []Move{{Asset: "a2", ToLot: "FY2026-L01", FY: fyOf(2026)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := lotsOf(me.Plan); !slices.Equal(got, []string{"FY2026-L01@2026:hub:a1,a2,a3"}) || me.Plan.Schedule["a2"] != 2026 {
		t.Errorf("lots %v schedule %v", got, me.Plan.Schedule)
	}
	if !near(me.CostBefore, 5140015.114442) || !near(me.Cost, 5090015.114442) || !near(me.Delta, -50000) {
		t.Errorf("cost before %.6f after %.6f delta %.6f", me.CostBefore, me.Cost, me.Delta)
	}
	if y := me.After.Years; y[0].Assets != 3 || y[1].Assets != 0 || !near(y[1].Value, 1500000) {
		t.Errorf("years after %+v", y[:2])
	}
}

// TestProgrammeMoveToNewLot: a1 moves to a new lot at far in block 2026 (named after the
// block's one lot: FY2026-L02) keeping its year 2026; a2 moves to a new lot at hub in
// 2028, which depot hub runs no lot in.
func TestProgrammeMoveToNewLot(t *testing.T) {
	p, plan := twoLotProgramme(t)
	moved, err := ApplyProgrammeMoves(p, plan, []Move{
		{Asset: "a1", ToLot: NewLot, Depot: "far", FY: fyOf(2026)},
		{Asset: "a2", ToLot: NewLot, Depot: "hub", FY: fyOf(2028)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"FY2026-L01@2026:hub:a3", "FY2026-L02@2026:far:a1", "FY2028-L02@2028:hub:a2"}
	if got := lotsOf(moved); !slices.Equal(got, want) {
		t.Errorf("lots %v, want %v", got, want)
	}
	if want := map[string]int{"a1": 2026, "a3": 2026, "a2": 2028}; !reflect.DeepEqual(moved.Schedule, want) {
		t.Errorf("schedule %v, want %v", moved.Schedule, want)
	}
}

// TestProgrammeMovesRefused: every move that cannot be read against the plan and the
// programme, with its path.
func TestProgrammeMovesRefused(t *testing.T) {
	p, plan := twoLotProgramme(t)
	for _, c := range []struct {
		mv         Move
		path, text string
	}{
		{Move{Asset: "zz", ToLot: "FY2026-L01"}, "moves[0].asset", `asset "zz" is not in`},
		{Move{Asset: "a1"}, "moves[0].to_lot", "is required"},
		{Move{Asset: "a1", ToLot: "B9"}, "moves[0].to_lot", `lot "B9" is not in the plan (its lots: FY2026-L01, FY2028-L01)`},
		{Move{Asset: "a2", ToLot: "FY2026-L01", Depot: "far"}, "moves[0].depot", "lot FY2026-L01 is run from depot hub, not far"},
		{Move{Asset: "a1", ToLot: NewLot, FY: fyOf(2026)}, "moves[0].depot", "is required with to_lot"},
		{Move{Asset: "a1", ToLot: NewLot, Depot: "nowhere", FY: fyOf(2026)}, "moves[0].depot", `depot "nowhere" is not among`},
		{Move{Asset: "a1", ToLot: NewLot, Depot: "far"}, "moves[0].fy", "is required with to_lot \"new\": the first year of the new lot's block (blocks start in 2026, 2028)"},
		{Move{Asset: "a1", ToLot: NewLot, Depot: "far", FY: fyOf(2027)}, "moves[0].fy", "2027 does not start a block of the horizon (blocks start in 2026, 2028)"},
		{Move{Asset: "a1", ToLot: NewLot, Depot: "hub", FY: fyOf(2026)}, "moves[0].depot", "depot hub already runs lot FY2026-L01 in the block from 2026"},
		{Move{Asset: "a3", ToLot: "FY2026-L01", FY: fyOf(2027)}, "moves[0].fy", "2027 is outside asset a3's window [2026, 2026] (due 2026)"},
		{Move{Asset: "a2", ToLot: "FY2026-L01", FY: fyOf(2028)}, "moves[0].fy", "2028 is outside the block 2026–2027 of lot FY2026-L01"},
		{Move{Asset: "a3", ToLot: "FY2028-L01"}, "moves[0].to_lot", "lot FY2028-L01's block 2028–2029 holds no year of asset a3's window [2026, 2026] (due 2026)"},
	} {
		_, err := ApplyProgrammeMoves(p, plan, []Move{c.mv})
		var v *ValidationError
		if !errors.As(err, &v) || len(v.Problems) != 1 || v.Problems[0].Path != c.path || !strings.Contains(v.Problems[0].Msg, c.text) {
			t.Errorf("%+v: %v, want %s: …%s…", c.mv, err, c.path, c.text)
		}
	}
	// A version-1 plan has no years.
	m, _ := handModel(t, nil)
	_, err := ApplyMoves(m, handPlan(Bundle{ID: "B01", Depot: "hub", Assets: []string{"a1"}}), []Move{{Asset: "a1", ToLot: "B01", FY: fyOf(2026)}})
	var v *ValidationError
	if !errors.As(err, &v) || len(v.Problems) != 1 || v.Problems[0].Path != "moves[0].fy" {
		t.Errorf("fy on a version-1 move: %v", err)
	}
}

// TestProgrammeMovesYearlyLots: with contract_years 1 a plan may leave the schedule out
// (each asset in its lot's year). a1 (due 2027, window [2026, 2027]) moved into the 2026
// lot takes 2026, the only year of that block; two moves to "new" at far in 2026 fill one
// new lot, and the lots they empty are dropped.
func TestProgrammeMovesYearlyLots(t *testing.T) {
	p := handProgramme(t, 1, nil)
	plan := &Plan{Instance: "hand", Bundles: []Bundle{
		{ID: "FY2026-L01", Depot: "hub", FY: fyOf(2026), Assets: []string{"a3"}},
		{ID: "FY2027-L01", Depot: "hub", FY: fyOf(2027), Assets: []string{"a1"}},
	}}
	moved, err := ApplyProgrammeMoves(p, plan, []Move{{Asset: "a1", ToLot: "FY2026-L01"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := lotsOf(moved); !slices.Equal(got, []string{"FY2026-L01@2026:hub:a3,a1"}) || !reflect.DeepEqual(moved.Schedule, map[string]int{"a1": 2026}) {
		t.Errorf("lots %v schedule %v", got, moved.Schedule)
	}
	moved, err = ApplyProgrammeMoves(p, plan, []Move{
		{Asset: "a1", ToLot: NewLot, Depot: "far", FY: fyOf(2026)},
		{Asset: "a3", ToLot: NewLot, Depot: "far", FY: fyOf(2026)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := lotsOf(moved); !slices.Equal(got, []string{"FY2026-L02@2026:far:a1,a3"}) ||
		!reflect.DeepEqual(moved.Schedule, map[string]int{"a1": 2026, "a3": 2026}) {
		t.Errorf("lots %v schedule %v", got, moved.Schedule)
	}
}
