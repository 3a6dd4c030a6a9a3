package data

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestLockForServe: the lock file holds the holder's pid; a second claim is refused
// naming it (flock is per open file, so this holds within one process too); after
// Release the database can be claimed again.
func TestLockForServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	first, err := LockForServe(db)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(db + ".lock"); string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("lock file holds %q, want the pid %d", b, os.Getpid())
	}
	_, err = LockForServe(db)
	var inUse *DatabaseInUseError
	if !errors.As(err, &inUse) || inUse.PID != os.Getpid() {
		t.Fatalf("second claim: %v, want DatabaseInUseError with pid %d", err, os.Getpid())
	}
	if want := "database " + db + " is in use by another tabane serve (pid " + strconv.Itoa(os.Getpid()) + ")"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := LockForServe(db)
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	again.Release()
}
