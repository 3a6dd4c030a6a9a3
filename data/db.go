// Package data holds tabane's storage: the SQLite database (schema migrations embedded as
// versioned .sql files), the inventory repositories (municipalities, depots, assets), the
// cost estimator that turns the inventory into a solver.Instance, and the embedded demo
// dataset of Nara prefecture.
package data

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one embedded schema step: migrations/NNNN_name.sql brings the schema to
// version NNNN.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in version order. Versions start at 1 and
// have no gaps (checked by a test).
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migrations/%s: name must be NNNN_name.sql", name)
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: expected version %d, found %04d_%s.sql", i+1, m.Version, m.Name)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this binary brings a database to.
func SchemaVersion() int {
	ms, err := Migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// Store is the database of one tabane service. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

// DB exposes the connection pool to tests that inspect tables directly (Backup opens its
// own read-only connection). Callers must not change connection settings.
func (s *Store) DB() *sql.DB { return s.db }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// sqliteHeader is the first 16 bytes of every SQLite 3 database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// ErrNotSQLite and ErrNewerSchema classify the refusals of Open.
var (
	ErrNotSQLite   = errors.New("not a SQLite database")
	ErrNewerSchema = errors.New("database schema is newer than this tabane")
	ErrForeignDB   = errors.New("SQLite database without a tabane schema")
)

// Open opens (creating it if absent) the database at path and brings its schema up to
// date: every pending embedded migration runs in one IMMEDIATE transaction together with
// the version bump (PRAGMA user_version and the schema_migrations table), so a failed
// step leaves nothing behind and re-running Open is a no-op. The connections use WAL,
// foreign keys and a 5 s busy timeout.
//
// Open refuses, before writing anything, a file that is not SQLite, a database whose
// schema version is newer than this binary's, and a SQLite database that holds tables but
// no tabane schema version.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := checkFile(path); err != nil {
		return nil, err
	}
	migs, err := Migrations()
	if err != nil {
		return nil, err
	}
	// _txlock=immediate: a write transaction takes the write lock at BEGIN, so two
	// processes migrating at once queue on the busy timeout instead of deadlocking.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate&_synchronous=NORMAL"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx, migs); err != nil {
		db.Close()
		return nil, err
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: set WAL mode: %w", path, err)
	}
	if mode != "wal" && path != ":memory:" {
		db.Close()
		return nil, fmt.Errorf("%s: WAL mode refused (journal_mode=%s)", path, mode)
	}
	return s, nil
}

// checkFile refuses a non-SQLite file or a newer schema by reading the file header only,
// so that nothing is written to a file tabane must not touch.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	if st.IsDir() {
		return fmt.Errorf("database %s: is a directory, not a file", path)
	}
	if st.Size() == 0 {
		return nil // an empty file is an empty SQLite database
	}
	var hdr [100]byte
	n, err := io.ReadFull(f, hdr[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("database %s: %w", path, err)
	}
	if n < len(hdr) || !bytes.Equal(hdr[:16], sqliteHeader) {
		return fmt.Errorf("database %s: %w (the file does not start with the SQLite header); refusing to touch it — pass another --db path", path, ErrNotSQLite)
	}
	// The header's user_version (offset 60, big-endian) is our schema version. A WAL that
	// was not checkpointed could hold a newer one; migrate checks again inside its transaction.
	if v := int(int32(binary.BigEndian.Uint32(hdr[60:64]))); v > SchemaVersion() {
		return newerSchemaError(path, v)
	}
	return nil
}

func newerSchemaError(path string, v int) error {
	return fmt.Errorf("database %s: %w: schema version %d, this binary knows up to %d; upgrade tabane or use another --db path (the file was not modified)",
		path, ErrNewerSchema, v, SchemaVersion())
}

func (s *Store) migrate(ctx context.Context, migs []Migration) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database %s: %w", s.path, err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		if strings.Contains(err.Error(), "file is not a database") {
			return fmt.Errorf("database %s: %w: %v", s.path, ErrNotSQLite, err)
		}
		return fmt.Errorf("database %s: begin migration: %w", s.path, err)
	}
	defer tx.Rollback()
	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("database %s: read schema version: %w", s.path, err)
	}
	if current > len(migs) {
		return newerSchemaError(s.path, current)
	}
	if current == len(migs) {
		return nil
	}
	if current == 0 {
		var tables int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'").Scan(&tables); err != nil {
			return fmt.Errorf("database %s: %w", s.path, err)
		}
		if tables > 0 {
			return fmt.Errorf("database %s: %w (%d tables, user_version 0); refusing to modify it — pass another --db path", s.path, ErrForeignDB, tables)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
	) STRICT`); err != nil {
		return fmt.Errorf("database %s: create schema_migrations: %w", s.path, err)
	}
	for _, m := range migs[current:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("database %s: migration %04d_%s.sql: %w", s.path, m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.Version, m.Name); err != nil {
			return fmt.Errorf("database %s: record migration %d: %w", s.path, m.Version, err)
		}
	}
	// PRAGMA user_version writes the header page, inside the transaction.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migs))); err != nil {
		return fmt.Errorf("database %s: set schema version: %w", s.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("database %s: commit migrations: %w", s.path, err)
	}
	return nil
}

// UserVersion is the schema version recorded in the database.
func (s *Store) UserVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}
