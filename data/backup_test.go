package data

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupCopiesAnOpenDatabase: a backup taken while the store is open (its last write
// still in the WAL) holds that write, the current schema version and the file's size; the
// source is left as it was and no temporary file remains.
func TestBackupCopiesAnOpenDatabase(t *testing.T) {
	ctx := context.Background()
	s, src := openTemp(t)
	m := Municipality{Code: "29201", Name: "奈良市", Prefecture: "奈良県", Participates: true, OfficeLon: 135.8049, OfficeLat: 34.6851}
	if err := s.PutMunicipality(ctx, m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dest := filepath.Join(dir, "copy.db")
	info, err := Backup(ctx, src, dest)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if info.SchemaVersion != SchemaVersion() || info.Size != st.Size() || info.Size == 0 {
		t.Errorf("Backup = %+v, want schema version %d and size %d", info, SchemaVersion(), st.Size())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".copy.db.partial-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// A second backup onto the first is refused and leaves it unchanged.
	if _, err := Backup(ctx, src, dest); err == nil || !strings.Contains(err.Error(), dest+" already exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	if st2, _ := os.Stat(dest); st2.Size() != st.Size() || !st2.ModTime().Equal(st.ModTime()) {
		t.Error("the refused backup touched the existing file")
	}
	copyStore, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copyStore.Close()
	got, err := copyStore.Municipality(ctx, "29201")
	if err != nil || got.Name != "奈良市" || got.OfficeLon != 135.8049 {
		t.Errorf("the copy's municipality 29201: %+v, %v", got, err)
	}
	// The source still answers and still holds the row (the backup only read it).
	if got, err := s.Municipality(ctx, "29201"); err != nil || got.Name != "奈良市" {
		t.Errorf("the source after the backup: %+v, %v", got, err)
	}
}

// TestBackupRefusals: every refusal names the file and leaves no destination behind.
func TestBackupRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, []byte(strings.Repeat("not a database ", 20)), 0o644)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	dest := filepath.Join(dir, "x.db")
	for _, c := range []struct {
		src, dest, msg string
	}{
		{filepath.Join(dir, "missing.db"), dest, "database stat " + filepath.Join(dir, "missing.db") + ": no such file"},
		{dir, dest, "database " + dir + " is a directory"},
		{notDB, dest, "file is not a database"},
		{empty, dest, "database " + empty + " is not a tabane database (schema version 0)"},
		{empty, notDB, notDB + " already exists"},
	} {
		_, err := Backup(ctx, c.src, c.dest)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Backup(%s, %s) = %v, want an error with %q", c.src, c.dest, err, c.msg)
		}
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Error("a refused backup left a file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".x.db.partial-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
