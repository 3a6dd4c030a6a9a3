package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tabane/tabane/solver"
)

// Run statuses (docs/api-contract.md). Queued and running are active; the others are final.
const (
	RunQueued      = "queued"
	RunRunning     = "running"
	RunDone        = "done"
	RunFailed      = "failed"
	RunCancelled   = "cancelled"
	RunInterrupted = "interrupted" // the server stopped (crash, restart) before the run ended
)

// RunFinal reports whether a status is final.
func RunFinal(status string) bool { return status != RunQueued && status != RunRunning }

// Run is one asynchronous solve of a scenario's instance.
type Run struct {
	ID         int64        `json:"id"`
	ScenarioID *int64       `json:"scenario_id"` // nil once the scenario is deleted
	Status     string       `json:"status"`
	Seed       int64        `json:"seed"`
	TimeLimitS float64      `json:"time_limit_s"`
	CreatedAt  string       `json:"created_at"`
	StartedAt  *string      `json:"started_at"`
	FinishedAt *string      `json:"finished_at"`
	Error      *string      `json:"error"`
	Progress   *RunProgress `json:"progress"`
	Summary    *RunSummary  `json:"summary"`
	HasPlan    bool         `json:"has_plan"`
	// Label and ParentRun mark a run that is not a solve: "hand edit" for a plan a
	// planner edited from run ParentRun (CreateEditedRun). Empty for a solve.
	Label     string `json:"label,omitempty"`
	ParentRun *int64 `json:"parent_run,omitempty"`
	// Programme: the run solves a version-2 instance (docs/programme.md); its plan is a
	// solver.ProgrammeSolveReport. Read from "programme": true in the request it stored
	// (NewRun.Params, which internal/jobs writes so), not from its large instance.
	Programme bool `json:"programme"`
	// CounterpartOf is the run whose instance this run solves with region_locked flipped, to
	// price the area lock (POST /api/v1/runs/{id}/counterpart); absent on other runs.
	CounterpartOf *int64 `json:"counterpart_of,omitempty"`
}

// RunProgress is a snapshot of a running solve, in the solver's one progress shape.
// Costs, bound and gap are null until known.
type RunProgress = solver.ProgressReport

// RunSummary holds the totals of a run's plan.
type RunSummary struct {
	Cost            float64  `json:"cost"`
	StandaloneTotal float64  `json:"standalone_total"`
	Saving          float64  `json:"saving"`
	SavingPct       float64  `json:"saving_pct"`
	LowerBound      *float64 `json:"lower_bound"`
	Gap             *float64 `json:"gap"`
	Bundles         int      `json:"bundles"`
	Assets          int      `json:"assets"`
	IRViolations    []string `json:"ir_violations"`
	Feasible        bool     `json:"feasible"`
	StopReason      string   `json:"stop_reason,omitempty"`
}

// NewRun is what CreateRun stores: the request and the instance frozen at submission, so
// that a run solves what its scenario was when it was started.
type NewRun struct {
	ScenarioID int64
	Seed       int64
	TimeLimitS float64
	Params     json.RawMessage // the request as given (time_limit_s, seed, …)
	Instance   json.RawMessage // the solver instance (docs/model.md JSON)
}

// RunFilter selects runs; zero fields do not filter.
type RunFilter struct {
	ScenarioID int64
	Status     string
	Limit      int // 0 = no limit
	Offset     int
}

const runColumns = `r.id, r.scenario_id, r.status, r.seed, r.time_limit_s, r.created_at, r.started_at, r.finished_at,
	r.error, r.progress, r.summary, EXISTS (SELECT 1 FROM plans p WHERE p.run_id = r.id),
	coalesce(json_extract(r.params, '$.programme'), 0), coalesce(json_extract(r.params, '$.label'), ''),
	json_extract(r.params, '$.parent_run'), json_extract(r.params, '$.counterpart_of')`

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var scen sql.NullInt64
	var started, finished, errText, progress, summary sql.NullString
	var parent, counterpartOf sql.NullInt64
	if err := sc.Scan(&r.ID, &scen, &r.Status, &r.Seed, &r.TimeLimitS, &r.CreatedAt, &started, &finished,
		&errText, &progress, &summary, &r.HasPlan, &r.Programme, &r.Label, &parent, &counterpartOf); err != nil {
		return r, err
	}
	if parent.Valid {
		r.ParentRun = &parent.Int64
	}
	if counterpartOf.Valid {
		r.CounterpartOf = &counterpartOf.Int64
	}
	if scen.Valid {
		r.ScenarioID = &scen.Int64
	}
	str := func(n sql.NullString) *string {
		if !n.Valid {
			return nil
		}
		return &n.String
	}
	r.StartedAt, r.FinishedAt, r.Error = str(started), str(finished), str(errText)
	if progress.Valid {
		r.Progress = &RunProgress{}
		if err := json.Unmarshal([]byte(progress.String), r.Progress); err != nil {
			return r, fmt.Errorf("run %d: progress: %w", r.ID, err)
		}
	}
	if summary.Valid {
		r.Summary = &RunSummary{}
		if err := json.Unmarshal([]byte(summary.String), r.Summary); err != nil {
			return r, fmt.Errorf("run %d: summary: %w", r.ID, err)
		}
	}
	return r, nil
}

// CreateRun stores a queued run.
func (s *Store) CreateRun(ctx context.Context, nr NewRun) (Run, error) {
	params := nr.Params
	if len(params) == 0 {
		params = json.RawMessage("{}")
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO runs (scenario_id, status, seed, time_limit_s, params, instance, created_at)
		VALUES (?, 'queued', ?, ?, ?, ?, ?)`, nr.ScenarioID, nr.Seed, nr.TimeLimitS, string(params), string(nr.Instance), now())
	if err != nil {
		return Run{}, fmt.Errorf("create run of scenario %d: %w", nr.ScenarioID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Run{}, fmt.Errorf("create run: %w", err)
	}
	return s.Run(ctx, id)
}

// Run returns one run (without its instance and plan).
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, "SELECT "+runColumns+" FROM runs r WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	return r, err
}

// Runs lists runs by id with the total count.
func (s *Store) Runs(ctx context.Context, f RunFilter) ([]Run, int, error) {
	var where []string
	var args []any
	if f.ScenarioID != 0 {
		where, args = append(where, "r.scenario_id = ?"), append(args, f.ScenarioID)
	}
	if f.Status != "" {
		where, args = append(where, "r.status = ?"), append(args, f.Status)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM runs r"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list runs: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+runColumns+" FROM runs r"+cond+" ORDER BY r.id LIMIT ? OFFSET ?",
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// RunInstance returns the instance a run solves (docs/model.md JSON), frozen at submission.
func (s *Store) RunInstance(ctx context.Context, id int64) (json.RawMessage, error) {
	var inst sql.NullString
	err := s.db.QueryRowContext(ctx, "SELECT instance FROM runs WHERE id = ?", id).Scan(&inst)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("run %d: %w", id, err)
	}
	if !inst.Valid {
		return nil, fmt.Errorf("run %d has no instance: %w", id, ErrNotFound)
	}
	return json.RawMessage(inst.String), nil
}

// RunPlan returns the plan a run saved (the JSON given to FinishRun).
func (s *Store) RunPlan(ctx context.Context, id int64) (json.RawMessage, error) {
	var plan string
	err := s.db.QueryRowContext(ctx, "SELECT plan FROM plans WHERE run_id = ? ORDER BY id DESC LIMIT 1", id).Scan(&plan)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.Run(ctx, id); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("run %d has no plan: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("plan of run %d: %w", id, err)
	}
	return json.RawMessage(plan), nil
}

// StartRun moves a queued run to running and reports whether it did (false: the run was
// cancelled or is gone).
func (s *Store) StartRun(ctx context.Context, id int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, "UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'", now(), id)
	if err != nil {
		return false, fmt.Errorf("start run %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SaveRunProgress records the progress of a running run.
func (s *Store) SaveRunProgress(ctx context.Context, id int64, p RunProgress) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE runs SET progress = ? WHERE id = ? AND status = 'running'", string(b), id); err != nil {
		return fmt.Errorf("progress of run %d: %w", id, err)
	}
	return nil
}

// RunResult is the end of a run: its final status and, when it found one, its plan.
type RunResult struct {
	Status   string // done, failed, cancelled or interrupted
	Error    string
	Progress *RunProgress
	Summary  *RunSummary
	Plan     json.RawMessage // nil when the run has no plan
	Cost     *float64
	Bound    *float64
}

// FinishRun records the end of an active run in one transaction: the plan (if any) and
// the final status become visible together, never one without the other. A run that is
// no longer active is left alone and reported with ErrConflict.
func (s *Store) FinishRun(ctx context.Context, id int64, res RunResult) (Run, error) {
	if !RunFinal(res.Status) {
		return Run{}, fmt.Errorf("finish run %d: status %q is not final", id, res.Status)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Run{}, fmt.Errorf("finish run %d: %w", id, err)
	}
	defer tx.Rollback()
	var progress, summary, errText any
	if res.Progress != nil {
		b, _ := json.Marshal(res.Progress)
		progress = string(b)
	}
	if res.Summary != nil {
		b, _ := json.Marshal(res.Summary)
		summary = string(b)
	}
	if res.Error != "" {
		errText = res.Error
	}
	up, err := tx.ExecContext(ctx, `UPDATE runs SET status = ?, error = ?, progress = coalesce(?, progress), summary = ?,
		cost = ?, lower_bound = ?, finished_at = ?
		WHERE id = ? AND status IN ('queued', 'running')`,
		res.Status, errText, progress, summary, res.Cost, res.Bound, now(), id)
	if err != nil {
		return Run{}, fmt.Errorf("finish run %d: %w", id, err)
	}
	if n, _ := up.RowsAffected(); n == 0 {
		return Run{}, fmt.Errorf("run %d is not active: %w", id, ErrConflict)
	}
	if res.Plan != nil {
		if _, err := tx.ExecContext(ctx, "INSERT INTO plans (run_id, plan, cost, created_at) VALUES (?, ?, ?, ?)",
			id, string(res.Plan), res.Cost, now()); err != nil {
			return Run{}, fmt.Errorf("save plan of run %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Run{}, fmt.Errorf("finish run %d: %w", id, err)
	}
	return s.Run(ctx, id)
}

// InterruptRuns marks every run left queued or running (by a crash or a restart) as
// interrupted and returns how many it marked. A new run can be started for the scenario.
func (s *Store) InterruptRuns(ctx context.Context) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = 'interrupted', finished_at = ?,
		error = 'the server stopped before the run ended; start a new run' WHERE status IN ('queued', 'running')`, now())
	if err != nil {
		return 0, fmt.Errorf("interrupt runs: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
