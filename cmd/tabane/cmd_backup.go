package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	_ "github.com/mattn/go-sqlite3" // the sqlite3 driver
)

// runBackup: tabane backup FILE [--db tabane.db]. It copies the database into FILE with
// SQLite's VACUUM INTO: a consistent snapshot of one read transaction, taken through a
// read-only connection, so it works while tabane serve is running and writing (WAL lets
// the server go on meanwhile). The copy is written under a temporary name beside FILE,
// checked (integrity_check, schema version) and only then renamed to FILE, so FILE is
// either absent or a complete database. An existing FILE is refused.
//
// Restore: stop the server, copy the backup over the database file (and delete any
// tabane.db-wal and tabane.db-shm beside it), start the server.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "tabane.db", "SQLite database `file` to back up")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tabane backup FILE [--db tabane.db]")
		fmt.Fprintln(fs.Output(), "\nCopies the database to FILE (a consistent snapshot, safe while tabane serve runs).")
		fmt.Fprintln(fs.Output(), "Restore: stop the server, copy FILE over the database file (delete its -wal and")
		fmt.Fprintln(fs.Output(), "-shm files), start the server.\n\nFlags:")
		fs.PrintDefaults()
	}
	positional, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, "tabane backup: give exactly one backup FILE")
		fs.Usage()
		return 2
	}
	dest := positional[0]
	version, size, err := backupDatabase(ctx, *dbPath, dest)
	if err != nil {
		fmt.Fprintf(stderr, "tabane backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "tabane: backed up %s to %s (%d bytes, schema version %d)\n", *dbPath, dest, size, version)
	return 0
}

// backupDatabase writes a checked snapshot of the database src to dest and returns its
// schema version and size.
func backupDatabase(ctx context.Context, src, dest string) (int, int64, error) {
	if _, err := os.Stat(dest); err == nil {
		return 0, 0, fmt.Errorf("%s already exists; remove it or choose another name", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, 0, err
	}
	if st, err := os.Stat(src); err != nil {
		return 0, 0, fmt.Errorf("database %w", err)
	} else if st.IsDir() {
		return 0, 0, fmt.Errorf("database %s is a directory", src)
	}
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: src}).EscapedPath()+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	var version, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, 0, fmt.Errorf("database %s: %w", src, err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'assets'").Scan(&tables); err != nil {
		return 0, 0, fmt.Errorf("database %s: %w", src, err)
	}
	if version == 0 || tables == 0 {
		return 0, 0, fmt.Errorf("database %s is not a tabane database (schema version %d)", src, version)
	}

	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return 0, 0, err
	}
	tmpName := tmp.Name()
	tmp.Close()
	os.Remove(tmpName) // VACUUM INTO wants to create the file itself
	defer os.Remove(tmpName)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return 0, 0, fmt.Errorf("copy %s: %w", src, err)
	}
	if err := checkBackup(ctx, tmpName, version); err != nil {
		return 0, 0, err
	}
	if err := syncFile(tmpName); err != nil {
		return 0, 0, err
	}
	// Link, not rename: a dest created meanwhile is not overwritten.
	if err := os.Link(tmpName, dest); err != nil {
		return 0, 0, fmt.Errorf("write %s: %w", dest, err)
	}
	st, err := os.Stat(dest)
	if err != nil {
		return 0, 0, err
	}
	return version, st.Size(), nil
}

// checkBackup opens the copy read-only: it must pass integrity_check and hold the schema
// version of the source.
func checkBackup(ctx context.Context, path string, version int) error {
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		return fmt.Errorf("check the copy: %w", err)
	}
	if check != "ok" {
		return fmt.Errorf("the copy fails integrity_check: %s", check)
	}
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != version {
		return fmt.Errorf("the copy has schema version %d, the database %d (%v)", v, version, err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
