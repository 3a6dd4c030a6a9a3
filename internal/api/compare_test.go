package api

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/solver"
)

// storeHandRun saves, as a finished run of scenario sc, the hand-made run of
// internal/planout/testdata/compare-<side> (its instance, and its plan as evaluated).
func storeHandRun(t *testing.T, store *data.Store, sc int64, side string, seed int64, timeLimit float64) data.Run {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join("..", "planout", "testdata")
	raw, err := os.ReadFile(filepath.Join(dir, "compare-"+side+".instance.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := solver.ParseInstance(raw)
	if err != nil {
		t.Fatal(err)
	}
	m, err := solver.Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "compare-"+side+".plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := solver.ReadPlan(f)
	if err != nil {
		t.Fatal(err)
	}
	rep := solver.NewReport(inst.Name, &solver.Result{Plan: p, Evaluation: solver.Evaluate(m, p)})
	run, err := store.CreateRun(ctx, data.NewRun{ScenarioID: sc, Seed: seed, TimeLimitS: timeLimit, Instance: raw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.StartRun(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	run, err = store.FinishRun(ctx, run.ID, data.RunResult{Status: data.RunDone, Summary: jobs.Summary(rep),
		Plan: mustJSON(t, rep), Cost: rep.Cost})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestCompareRunsRoute: the two hand-made runs of internal/planout's TestCompareRuns,
// stored as runs of two scenarios: labels by scenario name and number, what differs
// (parameters, a region, the runs' seed and time limit, pins added and removed), the
// totals, per-municipality differences and moves as that test checks them; the CSV in
// whole yen; format=geojson refused.
func TestCompareRunsRoute(t *testing.T) {
	srv, store, _ := planningServer(t)
	scA := createScenario(t, srv, map[string]any{"name": "慣行どおり", "fiscal_year": 2027})
	scB := createScenario(t, srv, map[string]any{"name": "上限2件", "fiscal_year": 2027})
	runA := storeHandRun(t, store, scA.ID, "a", 1, 10)
	runB := storeHandRun(t, store, scB.ID, "b", 1, 30)

	var cmp struct {
		A, B struct {
			Run      int64   `json:"run"`
			Label    string  `json:"label"`
			Scenario string  `json:"scenario"`
			Cost     float64 `json:"cost"`
		}
		Changes        json.RawMessage `json:"changes"`
		Pins           json.RawMessage `json:"pins"`
		Total          map[string]float64
		Municipalities []struct {
			Code       string
			ShareDiff  float64 `json:"share_diff"`
			SavingDiff float64 `json:"saving_diff"`
			Moved      int
		}
		ByDepot        json.RawMessage `json:"moves_by_depot"`
		ByMunicipality json.RawMessage `json:"moves_by_municipality"`
		MovedCount     int             `json:"moved_count"`
	}
	path := fmt.Sprintf("/api/v1/runs/%d/compare/%d", runA.ID, runB.ID)
	resp, raw := call(t, srv, "GET", path, nil, &cmp)
	wantStatus(t, "compare", resp, raw, 200)
	if cmp.A.Run != runA.ID || cmp.A.Label != fmt.Sprintf("慣行どおり #%d", runA.ID) || cmp.A.Scenario != "慣行どおり" ||
		cmp.B.Label != fmt.Sprintf("上限2件 #%d", runB.ID) || !relClose(cmp.A.Cost, 3811564.2883442873) || cmp.B.Cost != 5.8e6 {
		t.Errorf("sides %+v / %+v", cmp.A, cmp.B)
	}
	for _, x := range []struct{ what, got, want string }{
		{"changes", string(cmp.Changes), `[{"field":"municipalities.29202.region","name":"大和高田市","a":"北和","b":"中和"},` +
			`{"field":"params.limits.max_assets","a":null,"b":2},{"field":"run.time_limit_s","a":10,"b":30}]`},
		{"pins", string(cmp.Pins), `[{"change":"added","kind":"asset","depot":"D2","depot_name":"大和高田市役所","assets":["x2"]},` +
			`{"change":"removed","kind":"forbid","depot":"D2","depot_name":"大和高田市役所","assets":["y1"]}]`},
		{"moves by depot", string(cmp.ByDepot), `[{"depot":"D1","name":"奈良市役所","left":2,"joined":0},{"depot":"D2","name":"大和高田市役所","left":0,"joined":2}]`},
	} {
		if x.got != x.want {
			t.Errorf("%s\n got %s\nwant %s", x.what, x.got, x.want)
		}
	}
	// B − A, hand-checked in internal/planout's TestCompareRuns (τ·d = ¥5,782.144172)
	const tau = 5782.144172143711
	if len(cmp.Municipalities) != 2 || cmp.Municipalities[0].Code != "29201" || !relClose(cmp.Municipalities[0].ShareDiff, 2e6-tau) ||
		!relClose(cmp.Municipalities[1].SavingDiff, tau) || cmp.Municipalities[0].Moved != 1 || cmp.MovedCount != 2 ||
		!relClose(cmp.Total["cost_diff"], 2e6-2*tau) {
		t.Errorf("municipalities %+v, total %v, moved %d", cmp.Municipalities, cmp.Total, cmp.MovedCount)
	}

	resp, raw = call(t, srv, "GET", path+"?format=csv", nil, nil)
	wantStatus(t, "compare csv", resp, raw, 200)
	want := "code,name,share_a,share_b,share_diff,saving_a,saving_b,saving_diff,moved\n" +
		"29201,奈良市,2505782,4500000,1994218,1000000,-994218,-1994218,1\n" +
		"29202,大和高田市,1305782,1300000,-5782,994218,1000000,5782,1\n" +
		"total,,3811564,5800000,1988436,1994218,5782,-1988436,2\n"
	if string(raw) != want || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("csv %s\n%q\nwant\n%q", resp.Header.Get("Content-Type"), raw, want)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != fmt.Sprintf(`attachment; filename="compare-run-%d-run-%d.csv"; filename*=UTF-8''compare-run-%d-run-%d.csv`, runA.ID, runB.ID, runA.ID, runB.ID) {
		t.Errorf("Content-Disposition %q", cd)
	}
	resp, raw = call(t, srv, "GET", path+"?format=geojson", nil, nil)
	if p := problemOf(t, "compare geojson", resp, raw, 400, ProblemInvalidParameter); !hasError(p, "format", "json or csv") {
		t.Errorf("problem %+v", p)
	}
}
