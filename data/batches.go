package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// A batch has the statuses of a run (RunQueued … RunInterrupted): queued and running are
// active, the others final (RunFinal).

// Batch is a what-if batch (internal/whatif) run by the server: variations of one
// scenario, solved in the background, one row stored per finished variation.
type Batch struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	ScenarioID  *int64        `json:"scenario_id"` // nil once the scenario is deleted
	Status      string        `json:"status"`
	Progress    BatchProgress `json:"progress"`
	Error       *string       `json:"error"`
	CreatedAt   string        `json:"created_at"`
	StartedAt   *string       `json:"started_at"`
	FinishedAt  *string       `json:"finished_at"`
	// Spec is the batch as expanded (solver settings and every variation's overrides);
	// only Store.Batch fills it, lists leave it out.
	Spec json.RawMessage `json:"spec,omitempty"`
}

// BatchProgress is the progress of a batch: finished variations (rows stored) of the total.
type BatchProgress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}

// NewBatch is what CreateBatch stores.
type NewBatch struct {
	Name        string
	Description string
	ScenarioID  int64
	Spec        json.RawMessage // JSON object
	Document    string          // the batch document as posted
	Total       int             // number of variations
}

// BatchRow is one finished variation: the row JSON (whatif.Row) and its plan (nil
// when it found none).
type BatchRow struct {
	Index int
	Row   json.RawMessage
	Plan  json.RawMessage
}

// BatchFilter selects batches; zero fields do not filter.
type BatchFilter struct {
	Status string
	Limit  int // 0 = no limit
	Offset int
}

const batchColumns = `b.id, b.name, b.description, b.scenario_id, b.status, b.total,
	(SELECT count(*) FROM batch_rows r WHERE r.batch_id = b.id), b.error, b.created_at, b.started_at, b.finished_at`

func scanBatch(sc interface{ Scan(...any) error }, extra ...any) (Batch, error) {
	var b Batch
	var scen sql.NullInt64
	var errText, started, finished sql.NullString
	dest := []any{&b.ID, &b.Name, &b.Description, &scen, &b.Status, &b.Progress.Total, &b.Progress.Done,
		&errText, &b.CreatedAt, &started, &finished}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return b, err
	}
	if scen.Valid {
		b.ScenarioID = &scen.Int64
	}
	str := func(n sql.NullString) *string {
		if !n.Valid {
			return nil
		}
		return &n.String
	}
	b.Error, b.StartedAt, b.FinishedAt = str(errText), str(started), str(finished)
	return b, nil
}

// CreateBatch stores a queued batch.
func (s *Store) CreateBatch(ctx context.Context, nb NewBatch) (Batch, error) {
	spec := nb.Spec
	if len(spec) == 0 {
		spec = json.RawMessage("{}")
	}
	var scen any
	if nb.ScenarioID > 0 {
		scen = nb.ScenarioID
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO batches (name, description, scenario_id, status, spec, document, total, created_at)
		VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)`, nb.Name, nb.Description, scen, string(spec), nb.Document, nb.Total, now())
	if err != nil {
		return Batch{}, fmt.Errorf("create batch: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Batch{}, fmt.Errorf("create batch: %w", err)
	}
	return s.Batch(ctx, id)
}

// Batch returns one batch with its spec (without its rows: BatchRows).
func (s *Store) Batch(ctx context.Context, id int64) (Batch, error) {
	var spec string
	b, err := scanBatch(s.db.QueryRowContext(ctx, "SELECT "+batchColumns+", b.spec FROM batches b WHERE b.id = ?", id), &spec)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("batch %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("batch %d: %w", id, err)
	}
	b.Spec = json.RawMessage(spec)
	return b, nil
}

// BatchDocument returns the batch document as it was posted.
func (s *Store) BatchDocument(ctx context.Context, id int64) (string, error) {
	var doc string
	err := s.db.QueryRowContext(ctx, "SELECT document FROM batches WHERE id = ?", id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("batch %d: %w", id, ErrNotFound)
	}
	return doc, err
}

// Batches lists batches by id (without their specs) with the total count.
func (s *Store) Batches(ctx context.Context, f BatchFilter) ([]Batch, int, error) {
	cond, args := "", []any{}
	if f.Status != "" {
		cond, args = " WHERE b.status = ?", append(args, f.Status)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM batches b"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list batches: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+batchColumns+" FROM batches b"+cond+" ORDER BY b.id LIMIT ? OFFSET ?",
		append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list batches: %w", err)
	}
	defer rows.Close()
	out := []Batch{}
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list batches: %w", err)
		}
		out = append(out, b)
	}
	return out, total, rows.Err()
}

// StartBatch moves a queued batch to running and reports whether it did (false: the
// batch was cancelled or is gone).
func (s *Store) StartBatch(ctx context.Context, id int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, "UPDATE batches SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'", now(), id)
	if err != nil {
		return false, fmt.Errorf("start batch %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// AddBatchRow stores the row of one finished variation of a running batch (a row of
// the same index replaces the earlier one). plan is nil when the variation has none.
func (s *Store) AddBatchRow(ctx context.Context, id int64, index int, row, plan json.RawMessage) error {
	var p any
	if len(plan) > 0 {
		p = string(plan)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO batch_rows (batch_id, idx, row, plan, created_at)
		SELECT id, ?, ?, ?, ? FROM batches WHERE id = ? AND status = 'running'
		ON CONFLICT (batch_id, idx) DO UPDATE SET row = excluded.row, plan = excluded.plan, created_at = excluded.created_at`,
		index, string(row), p, now(), id)
	if err != nil {
		return fmt.Errorf("batch %d: row %d: %w", id, index, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("batch %d is not running: row %d: %w", id, index, ErrConflict)
	}
	return nil
}

// BatchRows returns the stored rows of a batch in variation order.
func (s *Store) BatchRows(ctx context.Context, id int64) ([]BatchRow, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT idx, row, plan FROM batch_rows WHERE batch_id = ? ORDER BY idx", id)
	if err != nil {
		return nil, fmt.Errorf("rows of batch %d: %w", id, err)
	}
	defer rows.Close()
	out := []BatchRow{}
	for rows.Next() {
		var r BatchRow
		var row string
		var plan sql.NullString
		if err := rows.Scan(&r.Index, &row, &plan); err != nil {
			return nil, fmt.Errorf("rows of batch %d: %w", id, err)
		}
		r.Row = json.RawMessage(row)
		if plan.Valid {
			r.Plan = json.RawMessage(plan.String)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rows of batch %d: %w", id, err)
	}
	if len(out) == 0 {
		if _, err := s.Batch(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FinishBatch ends an active batch with a final status (done, failed, cancelled or
// interrupted) and an error text ("" for none); its rows stay. It reports whether the
// batch was active.
func (s *Store) FinishBatch(ctx context.Context, id int64, status, errText string) (bool, error) {
	if !RunFinal(status) {
		return false, fmt.Errorf("finish batch %d: %q is not a final status", id, status)
	}
	var e any
	if errText != "" {
		e = errText
	}
	res, err := s.db.ExecContext(ctx, `UPDATE batches SET status = ?, error = ?, finished_at = ?
		WHERE id = ? AND status IN ('queued', 'running')`, status, e, now(), id)
	if err != nil {
		return false, fmt.Errorf("finish batch %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// InterruptBatches marks every active batch interrupted with the reason; a server calls
// it when it starts, for the batches a previous process left unfinished.
func (s *Store) InterruptBatches(ctx context.Context, reason string) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE batches SET status = 'interrupted', error = ?, finished_at = ?
		WHERE status IN ('queued', 'running')`, reason, now())
	if err != nil {
		return 0, fmt.Errorf("interrupt batches: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
