package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LoadDemo fills an empty inventory with the demo dataset (GenerateDemo) in one
// transaction and reports whether it did. An inventory that already holds a
// municipality is left alone, so calling LoadDemo on every start is safe.
func (s *Store) LoadDemo(ctx context.Context) (bool, error) {
	// Generated before the write transaction, not inside it: two servers starting together on
	// one new file wait for each other's transaction (busy timeout), and that transaction
	// should hold the lock only as long as the inserts take.
	ds, err := GenerateDemo()
	if err != nil {
		return false, fmt.Errorf("load demo: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("load demo: %w", err)
	}
	defer tx.Rollback()
	var one int
	err = tx.QueryRowContext(ctx, "SELECT 1 FROM municipalities LIMIT 1").Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("load demo: %w", err)
	}
	for _, m := range ds.Municipalities {
		if err := putMunicipality(ctx, tx, m); err != nil {
			return false, fmt.Errorf("load demo: %w", err)
		}
	}
	for _, d := range ds.Depots {
		if err := putDepot(ctx, tx, d); err != nil {
			return false, fmt.Errorf("load demo: %w", err)
		}
	}
	if err := putAssets(ctx, tx, ds.Assets); err != nil {
		return false, fmt.Errorf("load demo: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('demo', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, DemoName+" "+ds.Hash()); err != nil {
		return false, fmt.Errorf("load demo: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("load demo: %w", err)
	}
	return true, nil
}

// Meta returns a value of the meta table ("" when absent).
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}
