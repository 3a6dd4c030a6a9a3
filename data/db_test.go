package data

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tabane.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestMigrationsAreNumberedWithoutGaps(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d migrations, want at least 2 (inventory, planning)", len(ms))
	}
	for i, m := range ms {
		if m.Version != i+1 || m.Name == "" || strings.TrimSpace(m.SQL) == "" {
			t.Errorf("migration %d: %+v", i, m.Version)
		}
	}
	if SchemaVersion() != len(ms) {
		t.Errorf("SchemaVersion() = %d, want %d", SchemaVersion(), len(ms))
	}
}

func TestOpenFreshDatabase(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	if v, err := s.UserVersion(ctx); err != nil || v != SchemaVersion() {
		t.Fatalf("user_version = %d, %v; want %d", v, err, SchemaVersion())
	}
	if n := queryInt(t, s.db, "SELECT count(*) FROM schema_migrations"); n != SchemaVersion() {
		t.Errorf("schema_migrations has %d rows, want %d", n, SchemaVersion())
	}
	for _, table := range []string{"municipalities", "depots", "assets", "meta", "scenarios", "runs", "plans", "batches", "api_tokens"} {
		if n := queryInt(t, s.db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", table); n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if n := queryInt(t, s.db, "PRAGMA foreign_keys"); n != 1 {
		t.Errorf("foreign_keys = %d, want 1", n)
	}
	if n := queryInt(t, s.db, "PRAGMA busy_timeout"); n != 5000 {
		t.Errorf("busy_timeout = %d, want 5000", n)
	}
	hdr := make([]byte, 16)
	f, _ := os.Open(path)
	f.Read(hdr)
	f.Close()
	if !bytes.Equal(hdr, sqliteHeader) {
		t.Errorf("file header %q is not SQLite", hdr)
	}
}

func TestOpenTwiceKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tabane.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutMunicipality(ctx, Municipality{Code: "292010", Name: "奈良市", OfficeLon: 135.8, OfficeLat: 34.68}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for range 2 {
		s, err = Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if n := queryInt(t, s.db, "SELECT count(*) FROM schema_migrations"); n != SchemaVersion() {
			t.Errorf("after re-open: schema_migrations has %d rows, want %d", n, SchemaVersion())
		}
		m, err := s.Municipality(ctx, "29201")
		if err != nil || m.Name != "奈良市" {
			t.Errorf("after re-open: municipality 29201 = %+v, %v", m, err)
		}
		s.Close()
	}
}

func TestOpenUpgradesOlderSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tabane.db")
	db, err := sql.Open("sqlite3", path+"?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := Migrations()
	old := &Store{db: db, path: path}
	if err := old.migrate(ctx, ms[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO municipalities (code, name, office_lon, office_lat) VALUES ('29449', '十津川村', 135.8, 33.99)"); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM sqlite_schema WHERE name = 'runs'"); n != 0 {
		t.Fatalf("version 1 already has the runs table")
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.UserVersion(ctx); v != SchemaVersion() {
		t.Errorf("user_version = %d, want %d", v, SchemaVersion())
	}
	if n := queryInt(t, s.db, "SELECT count(*) FROM sqlite_schema WHERE name = 'runs'"); n != 1 {
		t.Errorf("runs table not created by the upgrade")
	}
	if n := queryInt(t, s.db, "SELECT version FROM schema_migrations ORDER BY version DESC LIMIT 1"); n != SchemaVersion() {
		t.Errorf("last recorded migration %d, want %d", n, SchemaVersion())
	}
	if m, err := s.Municipality(ctx, "29449"); err != nil || m.Name != "十津川村" {
		t.Errorf("version 1 data lost: %+v, %v", m, err)
	}
}

func TestFailedMigrationLeavesNothing(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ms, _ := Migrations()
	broken := append(ms, Migration{Version: len(ms) + 1, Name: "broken",
		SQL: "CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);"})
	err := s.migrate(ctx, broken)
	if err == nil || !strings.Contains(err.Error(), "_broken.sql") || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("migrate with a broken step: err = %v, want it to name the file and the problem", err)
	}
	if v, _ := s.UserVersion(ctx); v != len(ms) {
		t.Errorf("user_version = %d after a failed migration, want %d", v, len(ms))
	}
	if n := queryInt(t, s.db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'"); n != 0 {
		t.Errorf("table of the failed migration exists")
	}
	if n := queryInt(t, s.db, "SELECT count(*) FROM schema_migrations"); n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

// assertRefused opens path, expects the error kind, and checks the file is byte-identical
// and that no WAL or journal files appeared.
func assertRefused(t *testing.T, path string, want error, wantMsg string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dirBefore, _ := os.ReadDir(filepath.Dir(path))
	s, err := Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatalf("Open(%s) succeeded, want %v", path, want)
	}
	if !errors.Is(err, want) || !strings.Contains(err.Error(), wantMsg) || !strings.Contains(err.Error(), path) {
		t.Errorf("Open error = %v, want %v mentioning %q and the path", err, want, wantMsg)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Errorf("Open modified the refused file")
	}
	dirAfter, _ := os.ReadDir(filepath.Dir(path))
	if len(dirAfter) != len(dirBefore) {
		t.Errorf("Open left files behind: %d entries before, %d after", len(dirBefore), len(dirAfter))
	}
}

func TestOpenRefusesNonSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.db")
	os.WriteFile(path, []byte(strings.Repeat("municipality,name\n29201,奈良市\n", 20)), 0o644)
	assertRefused(t, path, ErrNotSQLite, "not a SQLite database")
	short := filepath.Join(t.TempDir(), "short.db")
	os.WriteFile(short, []byte("SQLite format 3\x00"), 0o644)
	assertRefused(t, short, ErrNotSQLite, "not a SQLite database")
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	// Rollback-journal mode, so the version lands in the file header.
	for _, q := range []string{"CREATE TABLE municipalities (code TEXT)", "PRAGMA user_version = 99"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	assertRefused(t, path, ErrNewerSchema, "schema version 99")
}

func TestOpenRefusesForeignSQLiteDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	db, _ := sql.Open("sqlite3", path)
	if _, err := db.Exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	assertRefused(t, path, ErrForeignDB, "without a tabane schema")
}

func TestOpenAcceptsEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(path, nil, 0o644)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.UserVersion(context.Background()); v != SchemaVersion() {
		t.Errorf("user_version = %d, want %d", v, SchemaVersion())
	}
}

func TestForeignKeysAndChecksAreEnforced(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	err := s.PutAssets(ctx, []Asset{{ID: "X1", Municipality: "29201", Kind: "bridge", Lon: 135.8, Lat: 34.6}})
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") || !strings.Contains(err.Error(), "assets[0] (X1)") {
		t.Errorf("asset of an unknown municipality: err = %v, want a FOREIGN KEY error naming assets[0] (X1)", err)
	}
	if err := s.PutMunicipality(ctx, Municipality{Code: "29201", Name: "奈良市", OfficeLon: 135.8, OfficeLat: 34.68}); err != nil {
		t.Fatal(err)
	}
	bad := 5
	x2 := Asset{ID: "X2", Municipality: "292010", Kind: "bridge", Lon: 135.8, Lat: 34.6, Rating: &bad}
	// PutAssets refuses it before the database (validate.go); the CHECK holds below it.
	if err := s.PutAssets(ctx, []Asset{x2}); err == nil || err.Error() != "health: must be between 1 and 4, found 5" {
		t.Errorf("rating 5 through PutAssets: err = %v, want the rule of ValidateAsset", err)
	}
	err = putAssets(ctx, s.db, []Asset{x2})
	if err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Errorf("rating 5: err = %v, want a CHECK constraint error", err)
	}
	if n, _ := s.CountAssets(ctx); n != 0 {
		t.Errorf("%d assets stored after failed inserts, want 0", n)
	}
}

// Two services starting at once on a fresh file: the migration and the demo load each
// run once, the other start waits on the lock and finds the work done.
func TestConcurrentFirstStarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	loaded := make(chan bool, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, path)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			ok, err := s.LoadDemo(ctx)
			if err != nil {
				errs <- err
				return
			}
			loaded <- ok
		}()
	}
	wg.Wait()
	close(errs)
	close(loaded)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	for ok := range loaded {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Errorf("demo loaded %d times, want once", n)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c, _ := s.CountAssets(ctx); c != 6600 {
		t.Errorf("%d assets, want 6600", c)
	}
	if rows := queryInt(t, s.db, "SELECT count(*) FROM schema_migrations"); rows != SchemaVersion() {
		t.Errorf("schema_migrations has %d rows, want %d", rows, SchemaVersion())
	}
}

// Optional fields keep the difference between "absent, estimate it" (nil) and an explicit
// value, including an explicitly empty equipment list and a zero cost.
func TestAssetOptionalFieldsRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.PutMunicipality(ctx, Municipality{Code: "29444", Name: "黒滝村", OfficeLon: 135.85, OfficeLat: 34.31}); err != nil {
		t.Fatal(err)
	}
	zero, two := 0.0, 2.5
	in := []Asset{
		{ID: "K1", Municipality: "294446", Kind: "bridge", Lon: 135.85, Lat: 34.31},
		{ID: "K2", Municipality: "29444", Kind: "bridge", Lon: 135.85, Lat: 34.31, Cost: &zero, Workload: &two, Equipment: []string{}},
		{ID: "K3", Municipality: "29444", Kind: "culvert", Lon: 135.85, Lat: 34.31, Equipment: []string{"boat", "traffic_control"}},
	}
	if err := s.PutAssets(ctx, in); err != nil {
		t.Fatal(err)
	}
	in[0].Municipality = "29444" // stored in the 5-digit form
	for _, want := range in {
		got, err := s.Asset(ctx, want.ID)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("asset %s read back as %+v (%v), want %+v", want.ID, got, err, want)
		}
	}
	k1, _ := s.Asset(ctx, "K1")
	if b, _ := json.Marshal(k1); !strings.Contains(string(b), `"equipment":null`) || strings.Contains(string(b), `"cost"`) {
		t.Errorf("K1 JSON %s: want equipment null and no cost", b)
	}
}
