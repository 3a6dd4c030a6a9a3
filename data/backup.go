package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// BackupInfo describes a finished backup: the schema version it holds and its size.
type BackupInfo struct {
	SchemaVersion int
	Size          int64
}

// Backup copies the tabane database at src into dest with SQLite's VACUUM INTO: a
// consistent snapshot of one read transaction, taken through a read-only connection, so
// that it works while tabane serve runs and writes (WAL lets the server go on meanwhile)
// and never migrates or otherwise writes src. The copy is written under a temporary name
// beside dest, checked (integrity_check, schema version) and only then linked to dest, so
// dest is either absent or a complete database. An existing dest is refused.
//
// Restore: stop the server, copy the backup over the database file (and delete any -wal
// and -shm files beside it), start the server.
func Backup(ctx context.Context, src, dest string) (BackupInfo, error) {
	if _, err := os.Stat(dest); err == nil {
		return BackupInfo{}, fmt.Errorf("%s already exists; remove it or choose another name", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return BackupInfo{}, err
	}
	if st, err := os.Stat(src); err != nil {
		return BackupInfo{}, fmt.Errorf("database %w", err)
	} else if st.IsDir() {
		return BackupInfo{}, fmt.Errorf("database %s is a directory", src)
	}
	db, err := openReadOnly(src, "&_busy_timeout=5000")
	if err != nil {
		return BackupInfo{}, err
	}
	defer db.Close()
	var version, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return BackupInfo{}, fmt.Errorf("database %s: %w", src, err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'assets'").Scan(&tables); err != nil {
		return BackupInfo{}, fmt.Errorf("database %s: %w", src, err)
	}
	if version == 0 || tables == 0 {
		return BackupInfo{}, fmt.Errorf("database %s is not a tabane database (schema version %d)", src, version)
	}

	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".partial-*")
	if err != nil {
		return BackupInfo{}, err
	}
	tmpName := tmp.Name()
	tmp.Close()
	os.Remove(tmpName) // VACUUM INTO wants to create the file itself
	defer os.Remove(tmpName)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return BackupInfo{}, fmt.Errorf("copy %s: %w", src, err)
	}
	if err := checkBackup(ctx, tmpName, version); err != nil {
		return BackupInfo{}, err
	}
	if err := syncFile(tmpName); err != nil {
		return BackupInfo{}, err
	}
	// Link, not rename: a dest created meanwhile is not overwritten.
	if err := os.Link(tmpName, dest); err != nil {
		return BackupInfo{}, fmt.Errorf("write %s: %w", dest, err)
	}
	st, err := os.Stat(dest)
	if err != nil {
		return BackupInfo{}, err
	}
	return BackupInfo{SchemaVersion: version, Size: st.Size()}, nil
}

// openReadOnly opens path through a read-only connection (extra: more DSN parameters).
func openReadOnly(path, extra string) (*sql.DB, error) {
	return sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro"+extra)
}

// checkBackup opens the copy read-only: it must pass integrity_check and hold the schema
// version of the source.
func checkBackup(ctx context.Context, path string, version int) error {
	db, err := openReadOnly(path, "")
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

// syncFile flushes path to disk before it is linked into place, so that a crash does not
// leave dest pointing at a half-written copy.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
