package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
)

// TestMigrationRebuildsRuns: a version-2 database with a 'succeeded' run and its plan is
// brought to the current schema: the run is 'done' with an integer id, its plan still
// points at it, the foreign keys hold, and the new CHECK takes 'interrupted' and refuses
// 'succeeded'.
func TestMigrationRebuildsRuns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	db, err := sql.Open("sqlite3", path+"?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := Migrations()
	old := &Store{db: db, path: path}
	if err := old.migrate(ctx, ms[:2]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO scenarios (id, name, fiscal_year) VALUES (5, 'old', 2026)`,
		`INSERT INTO runs (id, scenario_id, status, cost) VALUES ('r-a', 5, 'failed', NULL), ('r-b', 5, 'succeeded', 123.5)`,
		`INSERT INTO plans (run_id, plan, cost) VALUES ('r-b', '{"instance": "x", "bundles": []}', 123.5)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, total, err := s.Runs(ctx, RunFilter{ScenarioID: 5})
	if err != nil || total != 2 {
		t.Fatalf("runs after the upgrade: %d, %v", total, err)
	}
	if runs[0].ID != 1 || runs[0].Status != RunFailed || runs[0].HasPlan ||
		runs[1].ID != 2 || runs[1].Status != RunDone || !runs[1].HasPlan {
		t.Errorf("runs after the upgrade: %+v", runs)
	}
	plan, err := s.RunPlan(ctx, 2)
	if err != nil || string(plan) != `{"instance": "x", "bundles": []}` {
		t.Errorf("plan of run 2: %s, %v", plan, err)
	}
	rows, err := s.db.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("foreign_key_check reports a broken reference after the upgrade")
	}
	rows.Close()
	if _, err := s.db.Exec(`UPDATE runs SET status = 'succeeded' WHERE id = 1`); err == nil {
		t.Error("status 'succeeded' accepted after the upgrade")
	}
	if _, err := s.db.Exec(`UPDATE runs SET status = 'interrupted' WHERE id = 1`); err != nil {
		t.Errorf("status 'interrupted' refused: %v", err)
	}
	// Deleting the run deletes its plan (the rebuilt foreign key cascades).
	if _, err := s.db.Exec(`DELETE FROM runs WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunPlan(ctx, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("plan of a deleted run: %v", err)
	}
	var n int
	_ = s.db.QueryRow("SELECT count(*) FROM plans").Scan(&n)
	if n != 0 {
		t.Errorf("%d plans left after their run was deleted", n)
	}
}

// TestFinishRunIsAtomic: the plan and the final status are written together: when the
// plan cannot be stored, the run stays running; when it can, both appear; a finished run
// cannot be finished again.
func TestFinishRunIsAtomic(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "finish.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sc, err := s.CreateScenario(ctx, Scenario{Name: "s", FiscalYear: 2027, Params: DefaultParams()})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.CreateRun(ctx, NewRun{ScenarioID: sc.ID, Seed: 1, TimeLimitS: 5, Instance: json.RawMessage(`{"version": 1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.StartRun(ctx, run.ID); !ok || err != nil {
		t.Fatalf("start: %v %v", ok, err)
	}
	cost := 42.0
	_, err = s.FinishRun(ctx, run.ID, RunResult{Status: RunDone, Plan: json.RawMessage(`{"broken"`), Cost: &cost,
		Summary: &RunSummary{Cost: cost}})
	if err == nil {
		t.Fatal("a plan that is not JSON was stored")
	}
	got, _ := s.Run(ctx, run.ID)
	if got.Status != RunRunning || got.HasPlan || got.Summary != nil || got.FinishedAt != nil {
		t.Errorf("after a failed finish the run is %+v, want still running without plan", got)
	}
	got, err = s.FinishRun(ctx, run.ID, RunResult{Status: RunDone, Plan: json.RawMessage(`{"bundles": []}`), Cost: &cost,
		Summary: &RunSummary{Cost: cost}, Progress: &RunProgress{Phase: "done", ElapsedS: 1.5}})
	if err != nil || got.Status != RunDone || !got.HasPlan || got.Summary.Cost != 42 || got.Progress.ElapsedS != 1.5 {
		t.Fatalf("finish: %+v, %v", got, err)
	}
	if _, err := s.FinishRun(ctx, run.ID, RunResult{Status: RunCancelled}); !errors.Is(err, ErrConflict) {
		t.Errorf("finishing a finished run: %v, want ErrConflict", err)
	}
	if _, err := s.FinishRun(ctx, run.ID, RunResult{Status: RunRunning}); err == nil {
		t.Error("finishing with status running accepted")
	}
}

// TestParamsWithDefaults: omitted top-level fields and equipment prices take the
// defaults, given limits are taken as written, null surcharge forbids mixing, errors
// name the field.
func TestParamsWithDefaults(t *testing.T) {
	def := DefaultParams()
	p, err := ParamsWithDefaults(json.RawMessage(`{"contract_fixed_cost": 1500000, "equipment": {"drone": 30000},
		"limits": {"max_assets": 40}, "mixed_discipline_surcharge": null}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.ContractFixedCost != 1500000 || p.TravelCostPerKm != def.TravelCostPerKm || p.Equipment["drone"] != 30000 ||
		p.Equipment["boat"] != def.Equipment["boat"] || p.MixedDisciplineSurcharge != nil ||
		p.Limits.MaxAssets == nil || *p.Limits.MaxAssets != 40 || p.Limits.MaxValue != nil || *p.Circuity != *def.Circuity {
		t.Errorf("merged params %+v", p)
	}
	if p, err := ParamsWithDefaults(nil); err != nil || *p.Limits.MaxValue != *def.Limits.MaxValue {
		t.Errorf("nil params: %+v %v", p, err)
	}
	for raw, path := range map[string]string{
		`{"limits": {"max_value": "x"}}`: "params.limits.max_value",
		`{"contract_fixd_cost": 1}`:      "params.contract_fixd_cost",
		`{"equipment": [1]}`:             "params.equipment",
		`[]`:                             "params",
	} {
		_, err := ParamsWithDefaults(json.RawMessage(raw))
		var ie interface{ Error() string }
		if err == nil || !errors.As(err, &ie) || err.Error()[:len(path)] != path {
			t.Errorf("%s: error %v, want one at %s", raw, err, path)
		}
	}
}
