package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSecondServeOnOneDatabase: a second tabane serve on the database of a running one
// exits 1 naming the holder's pid, and leaves the first's running run running (before
// the lock it marked it interrupted); backup and token commands still work beside the
// server; after kill -9 of the holder the lock is gone and a new server starts.
func TestSecondServeOnOneDatabase(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "tabane.db")
	p := startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db)
	_, runID := startLongRun(t, p.url)

	// Without the lock the second server would serve on: its stdout says so, and it is
	// stopped rather than waited for.
	second := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db)
	var errOut lockedBuffer
	second.Stderr = &errOut
	stdout, err := second.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); strings.Contains(line, "serving") {
		second.Process.Kill()
		second.Wait()
		t.Fatalf("a second serve on the same database started: %s", line)
	}
	err = second.Wait()
	out := errOut.String()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("second serve: %v, want exit status 1\n%s", err, out)
	}
	want := fmt.Sprintf("tabane serve: database %s is in use by another tabane serve (pid %d)\n", db, p.cmd.Process.Pid)
	if out != want {
		t.Errorf("second serve said %q, want %q", out, want)
	}
	status, b := fetch(t, "GET", fmt.Sprintf("%s/api/v1/runs/%d", p.url, runID), "", "")
	var run runView
	if status != 200 || json.Unmarshal(b, &run) != nil || run.Status != "running" {
		t.Errorf("the first server's run after the second start: %d %s, want running", status, b)
	}

	if out, err := exec.Command(bin, "backup", filepath.Join(dir, "backup.db"), "--db", db).CombinedOutput(); err != nil {
		t.Errorf("backup beside the server: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "token", "create", "--role", "viewer", "--name", "beside", "--db", db).CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "tbn_") {
		t.Errorf("token create beside the server: %v\n%s", err, out)
	}

	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	p2 := startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db)
	if status, b := fetch(t, "GET", p2.url+"/healthz", "", ""); status != 200 {
		t.Errorf("restart after kill -9: healthz %d %s", status, b)
	}
}
