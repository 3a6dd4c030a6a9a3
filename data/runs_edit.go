package data

import (
	"context"
	"encoding/json"
	"fmt"
)

// LabelHandEdit is the label of a run that holds a plan a planner edited by hand.
const LabelHandEdit = "hand edit"

// EditedRun is what CreateEditedRun stores: a plan edited from the plan of run Parent,
// over the parent's instance, with its moves kept in the run's params.
type EditedRun struct {
	Parent  Run
	Label   string          // "" = LabelHandEdit
	Moves   json.RawMessage // the moves as given, kept for the record
	Plan    json.RawMessage // the edited plan's report (solver.Report JSON)
	Summary *RunSummary
	Cost    *float64
	Bound   *float64
	// Programme marks an edit of a programme run: its plan is a ProgrammeSolveReport,
	// and the run reads as a programme run (Run.Programme) like its parent.
	Programme bool
}

// CreateEditedRun stores a finished (done) run holding an edited plan, in one
// transaction with its plan: it belongs to the parent's scenario and carries the
// parent's instance, seed and time limit, so that it can be read, compared, pinned
// from and re-solved like a solve's run.
func (s *Store) CreateEditedRun(ctx context.Context, e EditedRun) (Run, error) {
	label := e.Label
	if label == "" {
		label = LabelHandEdit
	}
	moves := e.Moves
	if len(moves) == 0 {
		moves = json.RawMessage("[]")
	}
	fields := map[string]any{"label": label, "parent_run": e.Parent.ID, "moves": moves}
	if e.Programme {
		fields["programme"] = true
	}
	params, err := json.Marshal(fields)
	if err != nil {
		return Run{}, fmt.Errorf("edited run of run %d: %w", e.Parent.ID, err)
	}
	var summary any
	if e.Summary != nil {
		b, _ := json.Marshal(e.Summary)
		summary = string(b)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Run{}, fmt.Errorf("edited run of run %d: %w", e.Parent.ID, err)
	}
	defer tx.Rollback()
	at := now()
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (scenario_id, status, seed, time_limit_s, params, instance, summary,
		cost, lower_bound, created_at, started_at, finished_at)
		SELECT scenario_id, 'done', seed, time_limit_s, ?, instance, ?, ?, ?, ?, ?, ? FROM runs WHERE id = ?`,
		string(params), summary, e.Cost, e.Bound, at, at, at, e.Parent.ID)
	if err != nil {
		return Run{}, fmt.Errorf("edited run of run %d: %w", e.Parent.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Run{}, fmt.Errorf("edited run: run %d: %w", e.Parent.ID, ErrNotFound)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Run{}, fmt.Errorf("edited run of run %d: %w", e.Parent.ID, err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO plans (run_id, plan, cost, created_at) VALUES (?, ?, ?, ?)",
		id, string(e.Plan), e.Cost, at); err != nil {
		return Run{}, fmt.Errorf("save the plan of edited run %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return Run{}, fmt.Errorf("edited run of run %d: %w", e.Parent.ID, err)
	}
	return s.Run(ctx, id)
}
