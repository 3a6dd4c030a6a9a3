package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Counterpart is the latest run that solves run id's instance with region_locked flipped
// (Run.CounterpartOf = id); ErrNotFound when there is none.
func (s *Store) Counterpart(ctx context.Context, id int64) (Run, error) {
	var cp int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM runs WHERE json_extract(params, '$.counterpart_of') = ?
		ORDER BY id DESC LIMIT 1`, id).Scan(&cp)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run %d has no counterpart: %w", id, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("counterpart of run %d: %w", id, err)
	}
	return s.Run(ctx, cp)
}
