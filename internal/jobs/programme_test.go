package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// ppTiny is solver/testdata/pp-tiny.json: a five-year programme of 95 assets.
func ppTiny(t *testing.T) *solver.Instance {
	t.Helper()
	raw, err := os.ReadFile("../../solver/testdata/pp-tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := solver.ParseInstance(raw)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// programmeScenario stores a scenario for the runs to belong to.
func programmeScenario(t *testing.T, s *data.Store) int64 {
	t.Helper()
	sc, err := s.CreateScenario(context.Background(), data.Scenario{Name: "pp-tiny", FiscalYear: 2026, Params: data.DefaultParams()})
	if err != nil {
		t.Fatal(err)
	}
	return sc.ID
}

// TestProgrammeRunThroughTheQueue: a version-2 instance is a run like any other: it
// reports progress (phase "programme" while it solves, "done" with the cost at the end)
// and stores a ProgrammeSolveReport whose totals are the run's summary, with the
// year-by-year planning when asked.
func TestProgrammeRunThroughTheQueue(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "programme.db"))
	defer s.Close()
	q := New(s, Options{Threads: 1, ProgressEvery: 50 * time.Millisecond})
	defer q.Close()
	inst := ppTiny(t)
	run, err := q.Submit(ctx, programmeScenario(t, s), Request{TimeLimit: 2 * time.Second, Seed: 1, MaxIterations: 30,
		CompareYearly: true}, inst)
	if err != nil {
		t.Fatal(err)
	}
	ch, stop := q.Subscribe(run.ID)
	defer stop()
	var phases []string
	var last data.RunProgress
	costBeforeDone := false // the solver's reports reach the run: a cost while it searches
	for p := range ch {
		phases = append(phases, p.Phase)
		last = p
		if p.Phase == "search" && p.BestCost != nil {
			costBeforeDone = true
		}
	}
	if !slices.Contains(phases, "construct") || !costBeforeDone {
		t.Errorf("progress phases %v: want the solver's construct, and search with a cost, before done", phases)
	}
	final, err := s.Run(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != data.RunDone || !final.HasPlan || !final.Programme || final.Summary == nil {
		t.Fatalf("final run %+v", final)
	}
	if len(phases) < 2 || phases[0] != phaseProgramme || last.Phase != "done" || last.BestCost == nil ||
		*last.BestCost != final.Summary.Cost {
		t.Errorf("progress phases %v, last %+v; want programme … done with the cost %v", phases, last, final.Summary.Cost)
	}
	raw, err := s.RunPlan(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var rep solver.ProgrammeSolveReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	p, err := solver.CompileProgramme(inst)
	if err != nil {
		t.Fatal(err)
	}
	// The stored plan is what the evaluator says of its own lots and schedule.
	ev := solver.EvaluateProgramme(p, &solver.Plan{Instance: rep.Instance, Bundles: rep.Bundles, Schedule: rep.Schedule})
	if rep.Evaluation == nil || rep.Cost == nil || *rep.Cost != final.Summary.Cost || ev.Cost != *rep.Cost ||
		ev.Feasible != final.Summary.Feasible || len(rep.Schedule) != len(p.Planned) || final.Summary.Assets != len(p.Planned) ||
		final.Summary.Bundles != len(rep.Bundles) || len(rep.Evaluation.Years) != 5 {
		t.Errorf("report: cost %v (evaluator %v), %d scheduled of %d planned; summary %+v", rep.Cost, ev.Cost,
			len(rep.Schedule), len(p.Planned), final.Summary)
	}
	// compare_yearly: each due year planned alone, beside the programme.
	if rep.Yearly == nil || len(rep.Yearly.Years) != 5 || rep.Yearly.Years[0].FY != 2026 {
		t.Errorf("year by year: %+v", rep.Yearly)
	}
	var params map[string]any
	if err := json.Unmarshal(mustRunParams(t, s, run.ID), &params); err != nil || params["max_iterations"] != 30.0 ||
		params["compare_yearly"] != true || params["programme"] != true {
		t.Errorf("stored request %v, %v: want max_iterations 30, compare_yearly and programme", params, err)
	}
}

// mustRunParams reads the request a run stored.
func mustRunParams(t *testing.T, s *data.Store, id int64) json.RawMessage {
	t.Helper()
	var raw string
	if err := s.DB().QueryRowContext(context.Background(), "SELECT params FROM runs WHERE id = ?", id).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(raw)
}

// TestProgrammeRunCancelled: a stopped programme run ends cancelled and keeps the plan the
// solve returned (its stop reason cancelled), or says that it had none; a solve that
// ends without a plan by itself fails with the reasons.
func TestProgrammeRunCancelled(t *testing.T) {
	p, err := solver.CompileProgramme(ppTiny(t))
	if err != nil {
		t.Fatal(err)
	}
	opt := solver.SolveOptions{TimeLimit: time.Second, Seed: 1, Threads: 1, MaxIterations: 5}
	res, err := solver.SolveProgramme(context.Background(), p, opt)
	if err != nil || res.Evaluation == nil {
		t.Fatalf("solve: %v, %+v", err, res)
	}
	out := programmeRunResult(p, res, nil, opt, nil, true, errStopShutdown)
	var rep solver.ProgrammeSolveReport
	if err := json.Unmarshal(out.Plan, &rep); err != nil {
		t.Fatal(err)
	}
	if out.Status != data.RunCancelled || rep.StopReason != "cancelled" || out.Summary == nil || out.Summary.StopReason != "cancelled" ||
		*out.Cost != res.Evaluation.Cost || !strings.Contains(out.Error, "shutdown") {
		t.Errorf("stopped with a plan: %+v, report stop %q", out, rep.StopReason)
	}
	none := &solver.ProgrammeResult{StopReason: "infeasible", Infeasible: []solver.Infeasibility{{Message: "a reason"}}}
	if out := programmeRunResult(p, none, nil, opt, nil, true, errStopUser); out.Status != data.RunCancelled || out.Plan != nil ||
		out.Error != "no plan had been found yet" {
		t.Errorf("stopped without a plan: %+v", out)
	}
	if out := programmeRunResult(p, none, nil, opt, nil, false, nil); out.Status != data.RunFailed || out.Plan != nil ||
		out.Error != "no programme plan: a reason" {
		t.Errorf("no plan: %+v", out)
	}
	if out := programmeRunResult(p, nil, nil, opt, errors.New("broken"), false, nil); out.Status != data.RunFailed || out.Error != "broken" {
		t.Errorf("solver error: %+v", out)
	}
}

// TestProgrammeRunCancel: DELETE of a running programme run stops it; its final state is
// stored when Cancel returns, with a plan exactly when it has a summary.
func TestProgrammeRunCancel(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "cancel.db"))
	defer s.Close()
	q := New(s, Options{Threads: 1})
	defer q.Close()
	run, err := q.Submit(ctx, programmeScenario(t, s), Request{TimeLimit: time.Hour, Seed: 1}, ppTiny(t))
	if err != nil {
		t.Fatal(err)
	}
	ch, stop := q.Subscribe(run.ID)
	defer stop()
	if p, ok := <-ch; !ok || p.Phase != phaseProgramme {
		t.Fatalf("first progress %+v (open %v)", p, ok)
	}
	got, err := q.Cancel(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != data.RunCancelled || got.FinishedAt == nil || got.HasPlan != (got.Summary != nil) {
		t.Errorf("cancelled run %+v", got)
	}
	if got.HasPlan && got.Summary.StopReason != "cancelled" {
		t.Errorf("kept plan stopped by %q", got.Summary.StopReason)
	}
}
