package planout

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tabane/tabane/solver"
)

// compareRun reads testdata/compare-<side>.instance.json and .plan.json and evaluates the
// plan. The instance: 奈良市 (29201) owns x1 (¥1,000,000, at 奈良市役所 D1) and x2
// (¥500,000, at 大和高田市役所 D2), 大和高田市 (29202) owns y1 (¥300,000, at D2). The town
// halls are 0.1° of latitude apart: d = 1.3 × 6371.0088 × 0.1·π/180 = 14.455360430 km,
// τ·d = ¥5,782.144172 at ¥400/km. F = ¥2,000,000, no equipment.
func compareRun(t *testing.T, side string) (*solver.Instance, *solver.Report) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "compare-"+side+".instance.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := solver.ParseInstance(raw)
	if err != nil {
		t.Fatalf("parse %s: %v", side, err)
	}
	m, err := solver.Compile(inst)
	if err != nil {
		t.Fatalf("compile %s: %v", side, err)
	}
	f, err := os.Open(filepath.Join("testdata", "compare-"+side+".plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := solver.ReadPlan(f)
	if err != nil {
		t.Fatalf("plan %s: %v", side, err)
	}
	rep := solver.NewReport("compare", &solver.Result{Plan: p, Evaluation: solver.Evaluate(m, p)})
	if !rep.Feasible {
		t.Fatalf("hand-made plan %s infeasible: %v", side, rep.Violations)
	}
	return inst, rep
}

// TestCompareRuns: the two hand-made runs of testdata/compare-{a,b} (compareRun).
//
// A (no limit, y1 forbidden at D2): one lot at D1 with x1, x2, y1: F + ¥1,800,000 + 2·τd =
// ¥3,811,564.288344. Shares: 奈良市 F/2 + ¥1,500,000 + τd = ¥2,505,782.144172, 大和高田市
// F/2 + ¥300,000 + τd = ¥1,305,782.144172.
// B (max_assets 2, 大和高田市 moved to 中和, x2 pinned to D2): D1 {x1} and D2 {x2, y1},
// ¥3,000,000 + ¥2,800,000 = ¥5,800,000; 奈良市 ¥3,000,000 + F/2 + ¥500,000 = ¥4,500,000,
// 大和高田市 F/2 + ¥300,000 = ¥1,300,000.
// Standalone (both runs): 奈良市 from D1: F + ¥1,500,000 + τd = ¥3,505,782.144172;
// 大和高田市 from D2: F + ¥300,000 = ¥2,300,000; total ¥5,805,782.144172.
// Moves: x2 and y1 go from D1 to D2 (x1 stays at D1, though its lot is L01 in A and L07 in B).
func TestCompareRuns(t *testing.T) {
	instA, repA := compareRun(t, "a")
	instB, repB := compareRun(t, "b")
	c := CompareRuns(repA, instA, repB, instB)

	const tau = 5782.144172143711
	near := func(what string, got, want float64) {
		t.Helper()
		if d := got - want; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s = %.6f, want %.6f", what, got, want)
		}
	}
	tot := c.Total
	near("cost a", tot.CostA, 3.8e6+2*tau)
	near("cost b", tot.CostB, 5.8e6)
	near("cost diff", tot.CostDiff, 2e6-2*tau)
	near("standalone a", tot.StandaloneA, 5.8e6+tau)
	near("standalone b", tot.StandaloneB, 5.8e6+tau)
	near("saving a", tot.SavingA, 2e6-tau)
	near("saving b", tot.SavingB, tau)
	near("saving diff", tot.SavingDiff, 2*tau-2e6)

	if len(c.Municipalities) != 2 {
		t.Fatalf("municipality rows %+v", c.Municipalities)
	}
	want := []struct {
		code, name                       string
		shareA, shareB, savingA, savingB float64
		moved                            int
	}{
		{"29201", "奈良市", 2.5e6 + tau, 4.5e6, 1e6, -1e6 + tau, 1},
		{"29202", "大和高田市", 1.3e6 + tau, 1.3e6, 1e6 - tau, 1e6, 1},
	}
	for i, w := range want {
		r := c.Municipalities[i]
		if r.Code != w.code || r.Name != w.name || r.Moved != w.moved {
			t.Errorf("row %d: %s %s moved %d, want %s %s moved %d", i, r.Code, r.Name, r.Moved, w.code, w.name, w.moved)
		}
		near(w.code+" share a", *r.ShareA, w.shareA)
		near(w.code+" share b", *r.ShareB, w.shareB)
		near(w.code+" share diff", *r.ShareDiff, w.shareB-w.shareA)
		near(w.code+" saving a", *r.SavingA, w.savingA)
		near(w.code+" saving b", *r.SavingB, w.savingB)
		near(w.code+" saving diff", *r.SavingDiff, w.savingB-w.savingA)
	}

	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, x := range []struct{ what, got, want string }{
		{"changes", js(c.Changes), `[{"field":"municipalities.29202.region","name":"大和高田市","a":"北和","b":"中和"},` +
			`{"field":"params.limits.max_assets","a":null,"b":2}]`},
		{"pins", js(c.Pins), `[{"change":"added","kind":"asset","depot":"D2","depot_name":"大和高田市役所","assets":["x2"]},` +
			`{"change":"removed","kind":"forbid","depot":"D2","depot_name":"大和高田市役所","assets":["y1"]}]`},
		{"moves by depot", js(c.ByDepot), `[{"depot":"D1","name":"奈良市役所","left":2,"joined":0},{"depot":"D2","name":"大和高田市役所","left":0,"joined":2}]`},
		{"moves by municipality", js(c.ByMunicipality), `[` +
			`{"code":"29201","name":"奈良市","moved":1,"flows":[{"from_depot":"D1","from_name":"奈良市役所","to_depot":"D2","to_name":"大和高田市役所","count":1}]},` +
			`{"code":"29202","name":"大和高田市","moved":1,"flows":[{"from_depot":"D1","from_name":"奈良市役所","to_depot":"D2","to_name":"大和高田市役所","count":1}]}]`},
		{"moved", js(c.Moved), `[{"asset":"x2","from":"L01","to":"L01","from_depot":"D1","to_depot":"D2"},` +
			`{"asset":"y1","from":"L01","to":"L01","from_depot":"D1","to_depot":"D2"}]`},
	} {
		if x.got != x.want {
			t.Errorf("%s\n got %s\nwant %s", x.what, x.got, x.want)
		}
	}

	rows := CompareCSVRows(c)
	// whole yen; each diff is b − a of the rounded cells
	wantRows := [][]string{
		{"29201", "奈良市", "2505782", "4500000", "1994218", "1000000", "-994218", "-1994218", "1"},
		{"29202", "大和高田市", "1305782", "1300000", "-5782", "994218", "1000000", "5782", "1"},
		{"total", "", "3811564", "5800000", "1988436", "1994218", "5782", "-1988436", "2"},
	}
	if len(rows) != len(wantRows) {
		t.Fatalf("csv rows %q", rows)
	}
	for i := range rows {
		if !slices.Equal(rows[i], wantRows[i]) {
			t.Errorf("csv row %d\n got %q\nwant %q", i, rows[i], wantRows[i])
		}
	}
}

// TestCompareRunsSameRun: a run against itself differs in nothing, moves nothing, and
// every municipality's differences are 0.
func TestCompareRunsSameRun(t *testing.T) {
	inst, rep := compareRun(t, "a")
	c := CompareRuns(rep, inst, rep, inst)
	if len(c.Changes) != 0 || len(c.Pins) != 0 || len(c.Moved) != 0 || len(c.ByDepot) != 0 || len(c.ByMunicipality) != 0 ||
		c.Total.CostDiff != 0 || c.Total.SavingDiff != 0 {
		t.Fatalf("a run against itself: %+v", c)
	}
	for _, r := range c.Municipalities {
		if *r.ShareDiff != 0 || *r.SavingDiff != 0 || r.Moved != 0 {
			t.Errorf("%s: %+v", r.Code, r)
		}
	}
	if c.Changes == nil || c.Pins == nil || c.ByDepot == nil || c.ByMunicipality == nil {
		t.Errorf("empty lists must be [] in JSON, not null: %+v", c)
	}
}
