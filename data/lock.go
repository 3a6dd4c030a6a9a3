package data

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ServeLock is one tabane serve's exclusive claim on a database: an flock(2) on the file
// DB.lock beside it, which holds the server's pid. Two servers on one file would each
// believe the other's running runs died with a crash (jobs marks them interrupted at
// start) and discard each other's results, so the second must not start. The lock is
// advisory and taken only by serve: tabane backup, token and the other commands open the
// database beside a running server as before (SQLite's own locking orders their writes).
//
// The kernel drops an flock when its holder exits, also after kill -9, so a stale lock
// file never blocks a restart; the file itself is left in place (removing it would let a
// third server lock a new file while a second still holds the old one).
type ServeLock struct {
	f *os.File
}

// DatabaseInUseError is the refusal of LockForServe: another live process holds the lock.
type DatabaseInUseError struct {
	DB  string
	PID int // 0 when the holder has not written its pid yet
}

func (e *DatabaseInUseError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("database %s is in use by another tabane serve (lock file %s)", e.DB, LockPath(e.DB))
	}
	return fmt.Sprintf("database %s is in use by another tabane serve (pid %d)", e.DB, e.PID)
}

// LockPath is the lock file of the database at dbPath.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// LockForServe takes the exclusive lock on the database at dbPath without waiting and
// writes this process's pid into the lock file. A lock held by another process is a
// *DatabaseInUseError naming the holder's pid.
func LockForServe(dbPath string) (*ServeLock, error) {
	path := LockPath(dbPath)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock database %s: %w", dbPath, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &DatabaseInUseError{DB: dbPath, PID: lockHolder(path)}
		}
		return nil, fmt.Errorf("lock database %s (%s): %w", dbPath, path, err)
	}
	pid := []byte(strconv.Itoa(os.Getpid()) + "\n")
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock database %s: write %s: %w", dbPath, path, err)
	}
	if _, err := f.WriteAt(pid, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock database %s: write %s: %w", dbPath, path, err)
	}
	return &ServeLock{f: f}, nil
}

// lockHolder reads the pid a lock file holds (0 if none yet).
func lockHolder(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// Release gives the lock up (closing the file releases the flock).
func (l *ServeLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
