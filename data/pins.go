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

// ScenarioPins returns the pins stored with scenario id (none: an empty Pins).
func (s *Store) ScenarioPins(ctx context.Context, id int64) (solver.Pins, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, "SELECT pins FROM scenarios WHERE id = ?", id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return solver.Pins{}, fmt.Errorf("scenario %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return solver.Pins{}, fmt.Errorf("scenario %d: pins: %w", id, err)
	}
	var p solver.Pins
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return solver.Pins{}, fmt.Errorf("scenario %d: stored pins: %w", id, err)
	}
	return p, nil
}

// ValidatePins checks pins against the instance scenario sc builds now: every asset and
// depot must exist, and the pins must not contradict each other or the scenario's limits
// (solver.Compile's rules, or solver.CompileProgramme's for a programme scenario). Problems
// are named by their pin path (pins.lots[0].assets[2]).
// An instance that is invalid for other reasons is an error: pins cannot be checked on it.
func (s *Store) ValidatePins(ctx context.Context, sc Scenario, pins solver.Pins) ([]solver.InputError, error) {
	inst, err := s.ScenarioInstance(ctx, sc)
	if err != nil {
		return nil, err
	}
	inst.Pins = &pins
	if inst.Version == 2 {
		// A programme reads pins in its years (an asset pin's fy in the asset's window, a
		// lot pin's fy a block's first year).
		_, err = solver.CompileProgramme(inst)
	} else {
		_, err = solver.Compile(inst)
	}
	var ve *solver.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []solver.InputError
	for _, p := range ve.Problems {
		if !strings.HasPrefix(p.Path, "pins.") {
			return nil, fmt.Errorf("scenario %d: its instance is invalid, so pins cannot be checked: %v", sc.ID, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// SetScenarioPins replaces the pins of scenario id (validate them first with ValidatePins).
func (s *Store) SetScenarioPins(ctx context.Context, id int64, pins solver.Pins) error {
	b, err := json.Marshal(pins)
	if err != nil {
		return fmt.Errorf("scenario %d: pins: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, "UPDATE scenarios SET pins = ?, updated_at = ? WHERE id = ?", string(b), now(), id)
	if err != nil {
		return fmt.Errorf("scenario %d: set pins: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("scenario %d: %w", id, ErrNotFound)
	}
	return nil
}

// DuplicateScenario stores a copy of scenario id under a new name ("複製して新規"): every
// stored column — params, participation, regions, filter, pins, and whatever later
// migrations add — is copied, so a copy keeps the planner's hand decisions. The column
// list is read from the schema for that reason. It returns the copy.
func (s *Store) DuplicateScenario(ctx context.Context, id int64, name string) (Scenario, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM pragma_table_info('scenarios') ORDER BY cid")
	if err != nil {
		return Scenario{}, fmt.Errorf("duplicate scenario %d: %w", id, err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return Scenario{}, fmt.Errorf("duplicate scenario %d: %w", id, err)
		}
		switch c {
		case "id", "name", "created_at", "updated_at": // the copy's own
		default:
			cols = append(cols, `"`+strings.ReplaceAll(c, `"`, `""`)+`"`)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Scenario{}, fmt.Errorf("duplicate scenario %d: %w", id, err)
	}
	list := strings.Join(cols, ", ")
	res, err := s.db.ExecContext(ctx, "INSERT INTO scenarios (name, created_at, "+list+") SELECT ?, ?, "+list+" FROM scenarios WHERE id = ?",
		name, now(), id)
	if err != nil {
		return Scenario{}, fmt.Errorf("duplicate scenario %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Scenario{}, fmt.Errorf("scenario %d: %w", id, ErrNotFound)
	}
	copyID, err := res.LastInsertId()
	if err != nil {
		return Scenario{}, fmt.Errorf("duplicate scenario %d: %w", id, err)
	}
	return s.Scenario(ctx, copyID)
}
