package solver

import (
	"errors"
	"strings"
	"testing"
)

// Prices on handInstance (see TestEvaluateHandChecked): one tenth of a degree of latitude
// costs τ·d = ¥6,671.704814 of travel.
const (
	handStep = 6671.704814
	// lotHubA1A2 is {a1, a2} from hub: F + snooper + traffic + 400,000 + 150,000 + one step.
	lotHubA1A2 = 2e6 + 500000 + 80000 + 550000 + handStep
	// lotYA3 is {a3} from y-office: F + boat + 600,000 + three steps (34.1°N → 33.8°N).
	lotYA3 = 2e6 + 200000 + 600000 + 3*handStep
	// lotHubAll is {a1, a2, a3} from hub (TestEvaluateHandChecked).
	lotHubAll = 4950015.114442
)

func moveChange(t *testing.T, me *MoveEvaluation, code string) ShareChange {
	t.Helper()
	for _, s := range me.Shares {
		if s.Municipality == code {
			return s
		}
	}
	t.Fatalf("no share change for %s in %+v", code, me.Shares)
	return ShareChange{}
}

func ruleNames(vs []Violation) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = v.Rule + "@" + v.Bundle
	}
	return strings.Join(names, ",")
}

// TestMoveToNewLotHandChecked moves a3 (Y's pump station) out of the one lot into a new lot
// run from y-office:
//
//	hub {a1, a2}:   2,000,000 + 580,000 + 550,000 + 6,671.704814 = 3,136,671.704814
//	B02 {a3}:       2,000,000 + 200,000 + 600,000 + 20,015.114442 = 2,820,015.114442 < min_value 3,000,000
//	plan: 4,950,015.114442 → 5,956,686.819256, +1,006,671.704814 (a second fixed cost,
//	less the surcharge the hub lot no longer pays, plus the travel saved and spent).
//
// Shares: X keeps 1,940,000 (F/2, snooper, half the traffic control, its asset: the same
// as before, as Y still shares the hub lot); Y pays 1,000,000 + 40,000 + 150,000 +
// 6,671.704814 in the hub lot and all of B02: 4,016,686.819256, +1,006,671.704814.
func TestMoveToNewLotHandChecked(t *testing.T) {
	m, _ := handModel(t, nil)
	p := handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "a3"}})
	me, err := EvaluateMoves(m, p, nil, []Move{{Asset: "a3", ToLot: NewLot, Depot: "y-office"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"cost before", me.CostBefore, lotHubAll}, {"cost", me.Cost, lotHubA1A2 + lotYA3},
		{"delta", me.Delta, lotHubA1A2 + lotYA3 - lotHubAll}, {"delta by hand", me.Delta, 1006671.704814},
		{"X before", moveChange(t, me, "X").Before, 1940000}, {"X after", moveChange(t, me, "X").After, 1940000},
		{"X delta", moveChange(t, me, "X").Delta, 0},
		{"Y before", moveChange(t, me, "Y").Before, 3010015.114442}, {"Y after", moveChange(t, me, "Y").After, 4016686.819256},
		{"Y delta", moveChange(t, me, "Y").Delta, 1006671.704814}, {"Y standalone", moveChange(t, me, "Y").Standalone, 5050015.114442},
	} {
		if !evNear(c.got, c.want, 1e-6) {
			t.Errorf("%s = %.6f, want %.6f", c.name, c.got, c.want)
		}
	}
	// The change is the evaluator's, to the last bit.
	if after, before := Evaluate(m, me.Plan), Evaluate(m, p); me.Delta != after.Cost-before.Cost {
		t.Errorf("delta %v, Evaluate(after) − Evaluate(before) = %v", me.Delta, after.Cost-before.Cost)
	}
	if len(p.Bundles) != 1 || len(p.Bundles[0].Assets) != 3 {
		t.Errorf("the moves changed the plan they were applied to: %+v", p.Bundles)
	}
	if got := len(me.Plan.Bundles); got != 2 || me.Plan.Bundles[1].ID != "B02" || me.Plan.Bundles[1].Depot != "y-office" ||
		strings.Join(me.Plan.Bundles[0].Assets, ",") != "a1,a2" || strings.Join(me.Plan.Bundles[1].Assets, ",") != "a3" {
		t.Errorf("edited plan %+v", me.Plan.Bundles)
	}
	if me.Feasible || ruleNames(me.Violations) != "min_value@B02" || ruleNames(me.NewViolations) != "min_value@B02" {
		t.Errorf("feasible %v, violations %s, new %s; want min_value of B02", me.Feasible, ruleNames(me.Violations), ruleNames(me.NewViolations))
	}
	if len(me.Lots) != 2 || me.Lots[0].Lot != "L1" || !evNear(me.Lots[0].After, lotHubA1A2, 1e-6) || !evNear(me.Lots[0].Before, lotHubAll, 1e-6) ||
		me.Lots[1].Lot != "B02" || !me.Lots[1].Opened || me.Lots[1].Before != 0 || !evNear(me.Lots[1].Delta, lotYA3, 1e-6) {
		t.Errorf("lots %+v", me.Lots)
	}
}

// TestMoveClosesLotAndUndo moves the only asset of a lot into another: the emptied lot is
// closed, the plan is the one-lot plan of TestEvaluateHandChecked, and its rule broken
// before (min_value of the small lot) is gone. Moving it back to a "new" lot at its depot
// reopens the lot: the plan is restored exactly.
func TestMoveClosesLotAndUndo(t *testing.T) {
	m, _ := handModel(t, nil)
	p := handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2"}},
		Bundle{ID: "L2", Depot: "y-office", Assets: []string{"a3"}})
	me, err := EvaluateMoves(m, p, nil, []Move{{Asset: "a3", ToLot: "L1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !evNear(me.Delta, -1006671.704814, 1e-6) || !evNear(me.Cost, lotHubAll, 1e-6) || !me.Feasible ||
		len(me.Violations) != 0 || len(me.NewViolations) != 0 || len(me.Plan.Bundles) != 1 {
		t.Errorf("cost %.6f delta %.6f feasible %v violations %s, plan %+v", me.Cost, me.Delta, me.Feasible, ruleNames(me.Violations), me.Plan.Bundles)
	}
	if n := len(me.Lots); n != 2 || !me.Lots[1].Closed || me.Lots[1].Lot != "L2" || !evNear(me.Lots[1].Delta, -lotYA3, 1e-6) {
		t.Errorf("lots %+v, want L1 changed and L2 closed", me.Lots)
	}
	back, err := EvaluateMoves(m, p, nil, []Move{{Asset: "a3", ToLot: "L1"}, {Asset: "a3", ToLot: NewLot, Depot: "y-office"}})
	if err != nil {
		t.Fatal(err)
	}
	if back.Delta != 0 || len(back.Lots) != 0 || len(back.Plan.Bundles) != 2 || back.Plan.Bundles[1].ID != "L2" {
		t.Errorf("moved back: delta %v, lots %+v, plan %+v; want 0, no change, L2 reopened", back.Delta, back.Lots, back.Plan.Bundles)
	}
}

// TestMovePinBroken: with a3 pinned to y-office, moving it to the hub lot breaks the pin,
// which the evaluator names as a new violation.
func TestMovePinBroken(t *testing.T) {
	m, _, err := pinnedHand(t, `{"assets": {"a3": "y-office"}}`)
	if err != nil {
		t.Fatal(err)
	}
	p := handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2"}},
		Bundle{ID: "L2", Depot: "y-office", Assets: []string{"a3"}})
	me, err := EvaluateMoves(m, p, nil, []Move{{Asset: "a3", ToLot: "L1"}})
	if err != nil {
		t.Fatal(err)
	}
	if ruleNames(me.NewViolations) != "pin@" || !strings.HasPrefix(me.NewViolations[0].Message, "pins.assets.a3:") || me.Feasible {
		t.Errorf("new violations %+v, want the pin of a3", me.NewViolations)
	}
}

// TestMoveRefused: moves that cannot be read against the plan are refused, each named.
func TestMoveRefused(t *testing.T) {
	m, _ := handModel(t, nil)
	p := handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2"}},
		Bundle{ID: "L2", Depot: "y-office", Assets: []string{"a3"}})
	_, err := EvaluateMoves(m, p, nil, []Move{
		{Asset: "a9", ToLot: "L1"},
		{Asset: "a1", ToLot: "L7"},
		{Asset: "a1", ToLot: NewLot},
		{Asset: "a1", ToLot: NewLot, Depot: "nowhere"},
		{Asset: "a1", ToLot: NewLot, Depot: "y-office"},
		{Asset: "a1", ToLot: "L2", Depot: "hub"},
		{Asset: "a1"},
	})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err %v, want a ValidationError", err)
	}
	want := []string{
		`moves[0].asset: asset "a9" is not in the plan's instance`,
		`moves[1].to_lot: lot "L7" is not in the plan (its lots: L1, L2)`,
		`moves[2].depot: is required with to_lot "new": the depot the new lot is run from`,
		`moves[3].depot: depot "nowhere" is not among the instance's depots`,
		`moves[4].depot: depot y-office already runs lot L2: move to_lot "L2" instead`,
		`moves[5].depot: lot L2 is run from depot y-office, not hub (leave depot out, or move to_lot "new")`,
		`moves[6].to_lot: is required: a lot id of the plan or "new"`,
	}
	if got := problems(err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// whyHand is handInstance with Z participating and min_value 2,500,000, in three lots:
// L1 hub {a1} 2,980,000; L2 y-office {a2, a3} 4,050,015.114442 (road and sewer: one
// surcharge); L3 far {a4} 2,000,000 + 100,000 + 3 steps = 2,120,015.114442, below min_value.
func whyHand(t *testing.T, pins string) (*Model, *Plan) {
	t.Helper()
	text := strings.Replace(handInstance, `"participates": false, `, "", 1)
	text = strings.Replace(text, `"min_value": 3000000`, `"min_value": 2500000`, 1)
	if pins != "" {
		text = strings.Replace(text, `"version": 1,`, `"version": 1, "pins": `+pins+`,`, 1)
	}
	inst, err := ParseInstance([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	return m, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1"}},
		Bundle{ID: "L2", Depot: "y-office", Assets: []string{"a2", "a3"}},
		Bundle{ID: "L3", Depot: "far", Assets: []string{"a4"}})
}

// TestWhyAssetHandChecked explains a2 (Y's culvert, with traffic control, at y-office):
//
//	here: cost(L2) − cost({a3}) = 80,000 traffic + 1,000,000 surcharge + 150,000 = 1,230,000
//	L1: {a1, a2} costs 156,671.704814 more than {a1} (traffic control is there already; one
//	    step of travel): Δ = 156,671.704814 − 1,230,000 = −1,073,328.295186, and L2 left
//	    with {a3} at 2,820,015.114442 still reaches min_value 2,500,000: allowed.
//	L3: far is 0.4° = 66.72 km from a2, beyond max_distance_km 60; +80,000 + 150,000 +
//	    4 steps = 256,686.819256, Δ = −973,313.180744. L3 stays below min_value, as before,
//	    which is not the move's doing.
func TestWhyAssetHandChecked(t *testing.T) {
	m, p := whyHand(t, "")
	w, err := WhyAsset(m, p, "a2")
	if err != nil {
		t.Fatal(err)
	}
	if w.Lot != "L2" || w.Depot != "y-office" || w.Municipality != "Y" || w.DistanceKm != 0 || !evNear(w.CostHere, 1230000, 1e-6) {
		t.Errorf("here: %+v", w)
	}
	if len(w.Options) != 2 {
		t.Fatalf("options %+v, want L1 and L3", w.Options)
	}
	l1, l3 := w.Options[0], w.Options[1]
	if l1.Lot != "L1" || !l1.Allowed || len(l1.Rules) != 0 || !evNear(l1.Delta, -1073328.295186, 1e-6) || !evNear(l1.DistanceKm, 16.67926204, 1e-6) {
		t.Errorf("L1 option %+v", l1)
	}
	if l3.Lot != "L3" || l3.Allowed || strings.Join(l3.Rules, ",") != "max_distance" || !evNear(l3.Delta, -973313.180744, 1e-6) ||
		!strings.Contains(l3.Violations[0].Message, "66.72 km") {
		t.Errorf("L3 option %+v", l3)
	}
	// Each option's delta is the evaluator's difference for that move.
	moved, err := ApplyMoves(m, p, []Move{{Asset: "a2", ToLot: "L3"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := Evaluate(m, moved).Cost - Evaluate(m, p).Cost; d != l3.Delta {
		t.Errorf("L3 delta %v, Evaluate difference %v", l3.Delta, d)
	}

	// Forbidding a2 the hub leaves no lot open to it: the pin is the reason for L1, which
	// still comes first of the forbidden lots, being cheaper.
	m, p = whyHand(t, `{"forbid": [{"asset": "a2", "depot": "hub"}]}`)
	w, err = WhyAsset(m, p, "a2")
	if err != nil {
		t.Fatal(err)
	}
	if o := w.Options; o[0].Lot != "L1" || o[0].Allowed || strings.Join(o[0].Rules, ",") != "pin" ||
		o[1].Lot != "L3" || o[1].Allowed || strings.Join(o[1].Rules, ",") != "max_distance" {
		t.Errorf("options with a2 forbidden the hub: %+v", w.Options)
	}
	if _, err := WhyAsset(m, p, "a8"); err == nil || err.Error() != `asset "a8" is not in the plan's instance` {
		t.Errorf("unknown asset: %v", err)
	}
}

// TestWhyLotHandChecked explains L2 = {a2, a3} from y-office: a3 adds 600,000 + 3 steps +
// the boat and the surcharge only it brings (1,200,000) = 1,820,015.114442; a2 adds
// 150,000 + traffic control 80,000 (the surcharge is a3's as much as a2's: removing either
// drops it) = 1,230,000.
func TestWhyLotHandChecked(t *testing.T) {
	m, p := whyHand(t, "")
	w, err := WhyLot(m, p, "L2")
	if err != nil {
		t.Fatal(err)
	}
	want := Breakdown{Fixed: 2e6, Equipment: 280000, Surcharge: 1e6, Assets: 750000, Travel: 3 * handStep, Total: 4050015.114442}
	b := w.Breakdown
	if !evNear(b.Total, want.Total, 1e-6) || b.Equipment != want.Equipment || b.Surcharge != want.Surcharge || w.AssetCount != 2 || w.Workload != 3 {
		t.Errorf("breakdown %+v workload %v, want %+v", b, w.Workload, want)
	}
	if len(w.Costliest) != 2 || w.Costliest[0].Asset != "a3" || !evNear(w.Costliest[0].Cost, 1820015.114442, 1e-6) ||
		!evNear(w.Costliest[0].Alone, 1200000, 1e-6) || !evNear(w.Costliest[0].Travel, 3*handStep, 1e-6) ||
		w.Costliest[1].Asset != "a2" || !evNear(w.Costliest[1].Cost, 1230000, 1e-6) || !evNear(w.Costliest[1].Alone, 1080000, 1e-6) {
		t.Errorf("costliest %+v", w.Costliest)
	}
	if len(w.Violations) != 0 || w.Limits.MinValue != 2500000 || *w.Limits.MaxValue != 10000000 || *w.Limits.MaxAssets != 5 {
		t.Errorf("violations %+v limits %+v", w.Violations, w.Limits)
	}
	w3, err := WhyLot(m, p, "L3")
	if err != nil || ruleNames(w3.Violations) != "min_value@L3" {
		t.Errorf("L3: %v %+v", err, w3)
	}
	if _, err := WhyLot(m, p, "L9"); err == nil || err.Error() != `lot "L9" is not in the plan (its lots: L1, L2, L3)` {
		t.Errorf("unknown lot: %v", err)
	}
}
