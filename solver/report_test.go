package solver

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// TestReportWithoutPlan: a solve that proves infeasibility reports null for every value
// of the missing plan (not 0), an empty bundle list, and its reasons with their
// infinite limit written as 0.
func TestReportWithoutPlan(t *testing.T) {
	res := &Result{LowerBound: math.Inf(1), Gap: math.Inf(1), StopReason: "infeasible", Iterations: 0,
		Infeasible: []Infeasibility{{Rule: "max_value", Asset: "a1", Message: "too dear", Value: 12, Limit: math.Inf(1)}},
		Timings:    Timings{Total: 1500 * time.Millisecond}}
	b, err := json.Marshal(NewReport("toy", res))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"instance":"toy","bundles":[],"cost":null,"lower_bound":null,"gap":null,"standalone":null,` +
		`"standalone_total":null,"saving":null,"saving_pct":null,"shares":null,"ir_violations":null,"feasible":false,` +
		`"violations":null,"pins":null,"infeasible":[{"rule":"max_value","asset":"a1","message":"too dear","value":12}],` +
		`"stop_reason":"infeasible","iterations":0,"timings":{"bound":0,"construct":0,"search":0,"total":1.5}}`
	if string(b) != want {
		t.Errorf("report\n got %s\nwant %s", b, want)
	}
	if res.Infeasible[0].Limit != math.Inf(1) {
		t.Error("NewReport changed the result's reasons")
	}
	if p := NewReport("toy", res).Plan(); p != nil {
		t.Errorf("plan of a report without one: %+v", p)
	}
}

// TestReportRoundTrip: a report with a plan reads back as it was written (timings in
// seconds included), and its plan is the docs/model.md plan of its bundles.
func TestReportRoundTrip(t *testing.T) {
	ev := &Evaluation{Feasible: true, Violations: []Violation{}, Cost: 300,
		Bundles: []BundleReport{{ID: "B1", Depot: "d1", Assets: []string{"a1", "a2"}, AssetCount: 2},
			{ID: "B2", Depot: "d2", Assets: []string{"a3"}, AssetCount: 1}},
		Standalone: map[string]float64{"m1": 400}, StandaloneTotal: 400, Saving: 100, SavingPct: 25,
		Shares: map[string]float64{"m1": 300}, IRViolations: []string{}}
	res := &Result{Plan: &Plan{Instance: "toy", Bundles: []Bundle{{ID: "B1", Depot: "d1", Assets: []string{"a1", "a2"}}, {ID: "B2", Depot: "d2", Assets: []string{"a3"}}}},
		Evaluation: ev, LowerBound: 240, Gap: 0.2, BoundMethod: "lagrange", StopReason: "time_limit", Iterations: 7,
		Timings: Timings{Construct: 250 * time.Millisecond, Search: 2 * time.Second, Bound: time.Second, Total: 3250 * time.Millisecond}}
	rep := NewReport("ignored: the plan names the instance", res)
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, rep) {
		t.Errorf("read back\n got %+v\nwant %+v", back, *rep)
	}
	if *back.Cost != 300 || *back.LowerBound != 240 || *back.Gap != 0.2 || *back.SavingPct != 25 || back.AssetCount() != 3 {
		t.Errorf("values %v %v %v %v %d", *back.Cost, *back.LowerBound, *back.Gap, *back.SavingPct, back.AssetCount())
	}
	if !reflect.DeepEqual(back.Plan(), res.Plan) {
		t.Errorf("plan %+v, want %+v", back.Plan(), res.Plan)
	}
}

// TestProgressShape: the solver's progress marshals to the one progress shape, the one
// the run queue stores and streams: seconds, and null for what is not known yet.
func TestProgressShape(t *testing.T) {
	b, err := json.Marshal(Progress{Elapsed: 1250 * time.Millisecond, BestCost: math.Inf(1), LowerBound: 10, Gap: math.Inf(1), Phase: "construct"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"elapsed_s":1.25,"best_cost":null,"lower_bound":10,"gap":null,"feasible":false,"phase":"construct"}`; string(b) != want {
		t.Errorf("progress %s, want %s", b, want)
	}
}
