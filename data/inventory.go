package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Municipality is a row of the inventory: one owner of assets.
type Municipality struct {
	Code         string  `json:"code"` // 5 digits (N03_007); see SixDigitCode for the form with the check digit
	Name         string  `json:"name"`
	Prefecture   string  `json:"prefecture"`
	Region       string  `json:"region"`
	Participates bool    `json:"participates"`
	OfficeName   string  `json:"office_name"`
	OfficeLon    float64 `json:"office_lon"`
	OfficeLat    float64 `json:"office_lat"`
	// Boundary is a GeoJSON geometry (Polygon or MultiPolygon), or nil.
	Boundary json.RawMessage `json:"boundary,omitempty"`
}

// Depot is a place a bundle can be run from.
type Depot struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Kind         string  `json:"kind"`                   // office, district or other
	Municipality string  `json:"municipality,omitempty"` // for kind office
	Lon          float64 `json:"lon"`
	Lat          float64 `json:"lat"`
}

// Depot kinds.
const (
	DepotOffice   = "office"
	DepotDistrict = "district"
	DepotOther    = "other"
)

// OfficeDepotID is the id docs/model.md gives a municipality's office: office-<code>.
func OfficeDepotID(code string) string { return "office-" + code }

// Asset is one piece of infrastructure in the inventory. Pointer fields are optional
// (NULL in the database). Cost, Workload and Equipment are the explicit figures of
// docs/model.md; when nil, the estimator (estimate.go) fills them in an instance.
type Asset struct {
	ID               string   `json:"id"`
	Municipality     string   `json:"municipality"`
	Kind             string   `json:"kind"`
	Name             string   `json:"name,omitempty"`
	Lon              float64  `json:"lon"`
	Lat              float64  `json:"lat"`
	LengthM          *float64 `json:"length_m,omitempty"`
	WidthM           *float64 `json:"width_m,omitempty"`
	YearBuilt        *int     `json:"year_built,omitempty"`
	Rating           *int     `json:"rating,omitempty"` // 1..4 = 健全性 I..IV
	LastInspectionFY *int     `json:"last_inspection_fy,omitempty"`
	OverRail         bool     `json:"over_rail"`
	OverWater        bool     `json:"over_water"`
	Cost             *float64 `json:"cost,omitempty"`
	Workload         *float64 `json:"workload,omitempty"`
	Equipment        []string `json:"equipment"` // null = estimate; [] = explicitly none
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound error = &codedError{"not found", "not_found"}

// codedError is a sentinel error that says its kind with internal/fault's code names
// (the HTTP edge maps them); data imports nothing of ours but solver and geo, so the
// code is a method, as fault.Coder asks, not a fault.Error.
type codedError struct{ msg, code string }

func (e *codedError) Error() string     { return e.msg }
func (e *codedError) ErrorCode() string { return e.code }

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

const municipalityColumns = "code, name, prefecture, region, participates, office_name, office_lon, office_lat"

func scanMunicipality(sc interface{ Scan(...any) error }, withBoundary bool) (Municipality, error) {
	var m Municipality
	var boundary sql.NullString
	dst := []any{&m.Code, &m.Name, &m.Prefecture, &m.Region, &m.Participates, &m.OfficeName, &m.OfficeLon, &m.OfficeLat}
	if withBoundary {
		dst = append(dst, &boundary)
	}
	if err := sc.Scan(dst...); err != nil {
		return m, err
	}
	if boundary.Valid {
		m.Boundary = json.RawMessage(boundary.String)
	}
	return m, nil
}

// Municipalities lists every municipality by code. withBoundary includes the boundary
// geometry (large); without it Boundary is nil.
func (s *Store) Municipalities(ctx context.Context, withBoundary bool) ([]Municipality, error) {
	cols := municipalityColumns
	if withBoundary {
		cols += ", boundary"
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+cols+" FROM municipalities ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("list municipalities: %w", err)
	}
	defer rows.Close()
	out := []Municipality{}
	for rows.Next() {
		m, err := scanMunicipality(rows, withBoundary)
		if err != nil {
			return nil, fmt.Errorf("list municipalities: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Municipality returns one municipality, with its boundary. code may have 5 or 6 digits.
func (s *Store) Municipality(ctx context.Context, code string) (Municipality, error) {
	c, err := NormalizeMunicipalityCode(code)
	if err != nil {
		return Municipality{}, err
	}
	row := s.db.QueryRowContext(ctx, "SELECT "+municipalityColumns+", boundary FROM municipalities WHERE code = ?", c)
	m, err := scanMunicipality(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("municipality %s: %w", c, ErrNotFound)
	}
	return m, err
}

// PutMunicipality inserts or replaces a municipality (its assets and depots stay).
func (s *Store) PutMunicipality(ctx context.Context, m Municipality) error {
	if err := invalid(ValidateMunicipality(m)); err != nil {
		return err
	}
	return putMunicipality(ctx, s.db, m)
}

func putMunicipality(ctx context.Context, x execer, m Municipality) error {
	code, err := NormalizeMunicipalityCode(m.Code)
	if err != nil {
		return err
	}
	var boundary any
	if len(m.Boundary) > 0 {
		boundary = string(m.Boundary)
	}
	_, err = x.ExecContext(ctx, `INSERT INTO municipalities (`+municipalityColumns+`, boundary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, prefecture = excluded.prefecture,
			region = excluded.region, participates = excluded.participates, office_name = excluded.office_name,
			office_lon = excluded.office_lon, office_lat = excluded.office_lat, boundary = excluded.boundary`,
		code, m.Name, m.Prefecture, m.Region, m.Participates, m.OfficeName, m.OfficeLon, m.OfficeLat, boundary)
	if err != nil {
		return fmt.Errorf("municipality %s: %w", code, err)
	}
	return nil
}

// Depots lists every depot: municipal offices first (by code), then the others by id.
func (s *Store) Depots(ctx context.Context) ([]Depot, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, kind, coalesce(municipality, ''), lon, lat FROM depots
		ORDER BY kind <> 'office', coalesce(municipality, ''), id`)
	if err != nil {
		return nil, fmt.Errorf("list depots: %w", err)
	}
	defer rows.Close()
	out := []Depot{}
	for rows.Next() {
		var d Depot
		if err := rows.Scan(&d.ID, &d.Name, &d.Kind, &d.Municipality, &d.Lon, &d.Lat); err != nil {
			return nil, fmt.Errorf("list depots: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// PutDepot inserts or replaces a depot.
func (s *Store) PutDepot(ctx context.Context, d Depot) error {
	if err := invalid(ValidateDepot(d)); err != nil {
		return err
	}
	return putDepot(ctx, s.db, d)
}

func putDepot(ctx context.Context, x execer, d Depot) error {
	var muni any
	if d.Municipality != "" {
		c, err := NormalizeMunicipalityCode(d.Municipality)
		if err != nil {
			return fmt.Errorf("depot %s: %w", d.ID, err)
		}
		muni = c
	}
	kind := d.Kind
	if kind == "" {
		kind = DepotOther
	}
	_, err := x.ExecContext(ctx, `INSERT INTO depots (id, name, kind, municipality, lon, lat) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
			municipality = excluded.municipality, lon = excluded.lon, lat = excluded.lat`,
		d.ID, d.Name, kind, muni, d.Lon, d.Lat)
	if err != nil {
		return fmt.Errorf("depot %s: %w", d.ID, err)
	}
	return nil
}

// AssetFilter selects and pages assets. Empty fields do not filter. Limit ≤ 0 means no limit.
type AssetFilter struct {
	Municipality string // 5 or 6 digits
	Kind         string
	// BBox keeps assets inside [minLon, minLat, maxLon, maxLat] (edges included); nil: anywhere.
	BBox *[4]float64
	// DueFY keeps assets due for inspection in that fiscal year: never inspected, or
	// last inspected DueCycle (0 means 5) or more years before. 0: no filter.
	DueFY, DueCycle int
	Limit           int
	Offset          int
}

const assetColumns = `id, municipality, kind, name, lon, lat, length_m, width_m, year_built, rating,
	last_inspection_fy, over_rail, over_water, cost, workload, equipment`

func scanAsset(sc interface{ Scan(...any) error }) (Asset, error) {
	var a Asset
	var length, width, cost, work sql.NullFloat64
	var year, rating, fy sql.NullInt64
	var equip sql.NullString
	if err := sc.Scan(&a.ID, &a.Municipality, &a.Kind, &a.Name, &a.Lon, &a.Lat, &length, &width, &year, &rating,
		&fy, &a.OverRail, &a.OverWater, &cost, &work, &equip); err != nil {
		return a, err
	}
	a.LengthM, a.WidthM, a.Cost, a.Workload = nullFloat(length), nullFloat(width), nullFloat(cost), nullFloat(work)
	a.YearBuilt, a.Rating, a.LastInspectionFY = nullInt(year), nullInt(rating), nullInt(fy)
	if equip.Valid {
		a.Equipment = []string{}
		if err := json.Unmarshal([]byte(equip.String), &a.Equipment); err != nil {
			return a, fmt.Errorf("asset %s: equipment: %w", a.ID, err)
		}
	}
	return a, nil
}

func nullFloat(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	v := n.Float64
	return &v
}

func nullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func (f AssetFilter) where() (string, []any, error) {
	var conds []string
	var args []any
	if f.Municipality != "" {
		c, err := NormalizeMunicipalityCode(f.Municipality)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, "municipality = ?")
		args = append(args, c)
	}
	if f.Kind != "" {
		conds = append(conds, "kind = ?")
		args = append(args, f.Kind)
	}
	if b := f.BBox; b != nil {
		conds = append(conds, "lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?")
		args = append(args, b[0], b[2], b[1], b[3])
	}
	if f.DueFY != 0 {
		cycle := f.DueCycle
		if cycle <= 0 {
			cycle = 5
		}
		conds = append(conds, "(last_inspection_fy IS NULL OR last_inspection_fy + ? <= ?)")
		args = append(args, cycle, f.DueFY)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// Assets returns the assets that match f, ordered by id, and how many match in all.
func (s *Store) Assets(ctx context.Context, f AssetFilter) ([]Asset, int, error) {
	total, err := s.CountMatchingAssets(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := []Asset{}
	err = s.EachAsset(ctx, f, func(a Asset) error {
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// CountMatchingAssets is how many assets match f (its Limit and Offset aside).
func (s *Store) CountMatchingAssets(ctx context.Context, f AssetFilter) (int, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, err
	}
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM assets"+where, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count assets: %w", err)
	}
	return total, nil
}

// EachAsset calls fn with every asset that matches f, in id order, one row of a SQL
// cursor at a time: memory stays constant however many assets match, which is what
// the exports of a million-asset inventory need (Assets holds them all). An error of fn
// stops the walk and is returned as it is. The cursor holds one read transaction (WAL:
// writers go on) until the walk ends.
func (s *Store) EachAsset(ctx context.Context, f AssetFilter, fn func(Asset) error) error {
	where, args, err := f.where()
	if err != nil {
		return err
	}
	q := "SELECT " + assetColumns + " FROM assets" + where + " ORDER BY id"
	if f.Limit > 0 {
		q += " LIMIT ? OFFSET ?"
		args = append(args, f.Limit, max(f.Offset, 0))
	} else if f.Offset > 0 {
		q += " LIMIT -1 OFFSET ?"
		args = append(args, f.Offset)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("list assets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAsset(rows)
		if err != nil {
			return fmt.Errorf("list assets: %w", err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list assets: %w", err)
	}
	return nil
}

// Asset returns one asset by id.
func (s *Store) Asset(ctx context.Context, id string) (Asset, error) {
	a, err := scanAsset(s.db.QueryRowContext(ctx, "SELECT "+assetColumns+" FROM assets WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("asset %s: %w", id, ErrNotFound)
	}
	return a, err
}

// PutAssets inserts or replaces assets in one transaction; an asset that breaks the
// rules of ValidateAsset writes nothing (*solver.ValidationError).
func (s *Store) PutAssets(ctx context.Context, assets []Asset) error {
	if err := s.validateAssets(ctx, assets, false); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := putAssets(ctx, tx, assets); err != nil {
		return err
	}
	return tx.Commit()
}

func putAssets(ctx context.Context, x execer, assets []Asset) error {
	stmt, err := x.PrepareContext(ctx, `INSERT INTO assets (`+assetColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET municipality = excluded.municipality, kind = excluded.kind,
			name = excluded.name, lon = excluded.lon, lat = excluded.lat, length_m = excluded.length_m,
			width_m = excluded.width_m, year_built = excluded.year_built, rating = excluded.rating,
			last_inspection_fy = excluded.last_inspection_fy, over_rail = excluded.over_rail,
			over_water = excluded.over_water, cost = excluded.cost, workload = excluded.workload,
			equipment = excluded.equipment`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, a := range assets {
		code, err := NormalizeMunicipalityCode(a.Municipality)
		if err != nil {
			return fmt.Errorf("assets[%d] (%s): %w", i, a.ID, err)
		}
		var equip any
		if a.Equipment != nil {
			b, _ := json.Marshal(a.Equipment)
			equip = string(b)
		}
		if _, err := stmt.ExecContext(ctx, a.ID, code, a.Kind, a.Name, a.Lon, a.Lat, a.LengthM, a.WidthM,
			a.YearBuilt, a.Rating, a.LastInspectionFY, a.OverRail, a.OverWater, a.Cost, a.Workload, equip); err != nil {
			return fmt.Errorf("assets[%d] (%s): %w", i, a.ID, err)
		}
	}
	return nil
}

// CountAssets is the number of assets in the inventory.
func (s *Store) CountAssets(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM assets").Scan(&n)
	return n, err
}
