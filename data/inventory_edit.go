package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// This file holds the single-row edits of the inventory behind the API's POST, PATCH
// and DELETE: creation refuses an existing key (ErrConflict), update and delete a
// missing one (ErrNotFound).

// ErrUnknownMunicipality is returned when a depot or an asset names a municipality
// that is not in the inventory.
var ErrUnknownMunicipality = errors.New("unknown municipality")

// AssetCounts is the number of assets of each municipality (codes without assets are absent).
func (s *Store) AssetCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT municipality, count(*) FROM assets GROUP BY municipality")
	if err != nil {
		return nil, fmt.Errorf("count assets: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("count assets: %w", err)
		}
		out[c] = n
	}
	return out, rows.Err()
}

func (s *Store) exists(ctx context.Context, x interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, table, key, value string) (bool, error) {
	var one int
	err := x.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE "+key+" = ?", value).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// mustExist checks the row of a create (want false: an existing one is ErrConflict) or
// of an update (want true: a missing one is ErrNotFound).
func (s *Store) mustExist(ctx context.Context, tx *sql.Tx, what, table, key, value string, want bool) error {
	ok, err := s.exists(ctx, tx, table, key, value)
	switch {
	case err != nil:
		return err
	case ok && !want:
		return fmt.Errorf("%s %s already exists: %w", what, value, ErrConflict)
	case !ok && want:
		return fmt.Errorf("%s %s: %w", what, value, ErrNotFound)
	}
	return nil
}

// CreateMunicipality adds a municipality and its office depot (office-<code>, at the
// office) unless a depot of that id exists. An existing code is ErrConflict.
func (s *Store) CreateMunicipality(ctx context.Context, m Municipality) error {
	code, err := NormalizeMunicipalityCode(m.Code)
	if err != nil {
		return err
	}
	m.Code = code
	if err := invalid(ValidateMunicipality(m)); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if ok, err := s.exists(ctx, tx, "municipalities", "code", code); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("municipality %s already exists: %w", code, ErrConflict)
	}
	if err := putMunicipality(ctx, tx, m); err != nil {
		return err
	}
	name := m.OfficeName
	if name == "" {
		name = m.Name
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO depots (id, name, kind, municipality, lon, lat) VALUES (?, ?, 'office', ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, OfficeDepotID(code), name, code, m.OfficeLon, m.OfficeLat); err != nil {
		return fmt.Errorf("municipality %s: office depot: %w", code, err)
	}
	return tx.Commit()
}

// UpdateMunicipality replaces a municipality's row; its office depot follows the office.
func (s *Store) UpdateMunicipality(ctx context.Context, m Municipality) error {
	code, err := NormalizeMunicipalityCode(m.Code)
	if err != nil {
		return err
	}
	m.Code = code
	if err := invalid(ValidateMunicipality(m)); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if ok, err := s.exists(ctx, tx, "municipalities", "code", code); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("municipality %s: %w", code, ErrNotFound)
	}
	if err := putMunicipality(ctx, tx, m); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE depots SET lon = ?, lat = ? WHERE id = ? AND kind = 'office'",
		m.OfficeLon, m.OfficeLat, OfficeDepotID(code)); err != nil {
		return fmt.Errorf("municipality %s: office depot: %w", code, err)
	}
	return tx.Commit()
}

// DeleteMunicipality removes a municipality with its depots; with cascade false, a
// municipality that still owns assets is ErrConflict (with cascade its assets go too).
func (s *Store) DeleteMunicipality(ctx context.Context, code string, cascade bool) error {
	c, err := NormalizeMunicipalityCode(code)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if ok, err := s.exists(ctx, tx, "municipalities", "code", c); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("municipality %s: %w", c, ErrNotFound)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM assets WHERE municipality = ?", c).Scan(&n); err != nil {
		return err
	}
	if n > 0 && !cascade {
		return fmt.Errorf("municipality %s owns %d assets: delete them first, or pass cascade=true to delete them with it: %w", c, n, ErrConflict)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM municipalities WHERE code = ?", c); err != nil {
		return fmt.Errorf("municipality %s: %w", c, err)
	}
	return tx.Commit()
}

// Depot returns one depot.
func (s *Store) Depot(ctx context.Context, id string) (Depot, error) {
	var d Depot
	err := s.db.QueryRowContext(ctx, "SELECT id, name, kind, coalesce(municipality, ''), lon, lat FROM depots WHERE id = ?", id).
		Scan(&d.ID, &d.Name, &d.Kind, &d.Municipality, &d.Lon, &d.Lat)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("depot %s: %w", id, ErrNotFound)
	}
	return d, err
}

// CreateDepot adds a depot; an existing id is ErrConflict, an unknown municipality
// ErrUnknownMunicipality.
func (s *Store) CreateDepot(ctx context.Context, d Depot) error {
	return s.writeDepot(ctx, d, true)
}

// UpdateDepot replaces a depot's row; a missing id is ErrNotFound.
func (s *Store) UpdateDepot(ctx context.Context, d Depot) error {
	return s.writeDepot(ctx, d, false)
}

func (s *Store) writeDepot(ctx context.Context, d Depot, create bool) error {
	if err := invalid(ValidateDepot(d)); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.mustExist(ctx, tx, "depot", "depots", "id", d.ID, !create); err != nil {
		return err
	}
	if d.Municipality != "" {
		c, err := NormalizeMunicipalityCode(d.Municipality)
		if err != nil {
			return err
		}
		if ok, err := s.exists(ctx, tx, "municipalities", "code", c); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("depot %s: municipality %s: %w", d.ID, c, ErrUnknownMunicipality)
		}
	}
	if err := putDepot(ctx, tx, d); err != nil {
		return err
	}
	return tx.Commit()
}

// DeleteDepot removes a depot.
func (s *Store) DeleteDepot(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM depots WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("depot %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("depot %s: %w", id, ErrNotFound)
	}
	return nil
}

// CreateAsset adds an asset; an existing id is ErrConflict, an unknown municipality
// ErrUnknownMunicipality.
func (s *Store) CreateAsset(ctx context.Context, a Asset) error { return s.writeAsset(ctx, a, true) }

// UpdateAsset replaces an asset's row; a missing id is ErrNotFound.
func (s *Store) UpdateAsset(ctx context.Context, a Asset) error { return s.writeAsset(ctx, a, false) }

func (s *Store) writeAsset(ctx context.Context, a Asset, create bool) error {
	if err := s.validateAssets(ctx, []Asset{a}, false); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.mustExist(ctx, tx, "asset", "assets", "id", a.ID, !create); err != nil {
		return err
	}
	c, err := NormalizeMunicipalityCode(a.Municipality)
	if err != nil {
		return err
	}
	if ok, err := s.exists(ctx, tx, "municipalities", "code", c); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("asset %s: municipality %s: %w", a.ID, c, ErrUnknownMunicipality)
	}
	if err := putAssets(ctx, tx, []Asset{a}); err != nil {
		return err
	}
	return tx.Commit()
}

// DeleteAsset removes an asset.
func (s *Store) DeleteAsset(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM assets WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("asset %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("asset %s: %w", id, ErrNotFound)
	}
	return nil
}
