package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/tabane/tabane/data"
)

// Faults with the real binary: kill -9 in the middle of a run, SIGTERM, a backup taken
// while the server writes, and the token commands against a server that requires tokens.

// buildBinary builds cmd/tabane into dir.
func buildBinary(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "tabane")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running `tabane serve`.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
}

// startBinary starts `bin serve args…` and waits for its "serving" line.
func startBinary(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, append([]string{"serve"}, args...)...), stderr: &lockedBuffer{}}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	sc := bufio.NewScanner(stdout)
	for p.url == "" && sc.Scan() {
		p.url, _ = servingURL(sc.Text())
	}
	if p.url == "" {
		p.cmd.Wait()
		t.Fatalf("tabane serve did not start: %s", p.stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return p
}

// fetch sends a request (with a bearer token when given) and returns status and body.
func fetch(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// inventoryChecksum is the asset count and the SHA-256 of the whole inventory as CSV.
func inventoryChecksum(t *testing.T, url string) (int, string) {
	t.Helper()
	status, b := fetch(t, "GET", url+"/api/v1/assets?format=csv", "", "")
	if status != 200 {
		t.Fatalf("assets CSV: %d %s", status, b)
	}
	sum := sha256.Sum256(b)
	return bytes.Count(b, []byte("\n")) - 1, hex.EncodeToString(sum[:])
}

// startLongRun creates a scenario and a 10-minute run, and waits for the run's first
// feasible progress event: the run is solving, with a best plan in memory only.
func startLongRun(t *testing.T, url string) (scenario, run int64) {
	t.Helper()
	var sc struct{ ID int64 }
	status, b := fetch(t, "POST", url+"/api/v1/scenarios", "",
		`{"name": "crash", "fiscal_year": 2027, "filter": {"municipalities": ["29201", "29202", "29203", "29204"]}}`)
	if status != 201 || json.Unmarshal(b, &sc) != nil {
		t.Fatalf("create scenario: %d %s", status, b)
	}
	var r struct{ ID int64 }
	status, b = fetch(t, "POST", fmt.Sprintf("%s/api/v1/scenarios/%d/runs", url, sc.ID), "", `{"time_limit_s": 600}`)
	if status != 202 || json.Unmarshal(b, &r) != nil {
		t.Fatalf("start run: %d %s", status, b)
	}
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/runs/%d/events", url, r.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "data: ") && strings.Contains(lines.Text(), `"feasible":true`) {
			return sc.ID, r.ID
		}
	}
	t.Fatalf("the run's event stream ended before a feasible plan: %v", lines.Err())
	return 0, 0
}

type runView struct {
	ID      int64  `json:"id"`
	Status  string `json:"status"`
	HasPlan bool   `json:"has_plan"`
}

// TestKillNineMidRun: SIGKILL while a run is solving, then restart on the same file. The
// inventory is intact (count and checksum), the run is interrupted without a plan (the
// plan routes answer a problem, not half a plan), and the scenario runs again to the end.
func TestKillNineMidRun(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "tabane.db")
	p := startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db)
	count, sum := inventoryChecksum(t, p.url)
	if count != 6600 {
		t.Fatalf("demo inventory: %d assets", count)
	}
	scID, runID := startLongRun(t, p.url)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := p.cmd.Wait()
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the server did not die of SIGKILL: %v", err)
	}

	p = startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db)
	if c, s := inventoryChecksum(t, p.url); c != count || s != sum {
		t.Errorf("inventory after kill -9: %d assets %s, want %d %s", c, s, count, sum)
	}
	var run runView
	status, b := fetch(t, "GET", fmt.Sprintf("%s/api/v1/runs/%d", p.url, runID), "", "")
	if status != 200 || json.Unmarshal(b, &run) != nil || run.Status != data.RunInterrupted || run.HasPlan {
		t.Errorf("run after kill -9: %d %s, want interrupted without a plan", status, b)
	}
	for _, suffix := range []string{"/plan", "/plan.geojson", "/plan.csv", "/shares"} {
		status, b := fetch(t, "GET", fmt.Sprintf("%s/api/v1/runs/%d%s", p.url, runID, suffix), "", "")
		if (status != 404 && status != 409) || !strings.Contains(string(b), `"type":"urn:tabane:problem:`) {
			t.Errorf("GET run%s after kill -9: %d %.200s, want a 404/409 problem", suffix, status, b)
		}
	}
	// The scenario runs again, to the end.
	status, b = fetch(t, "POST", fmt.Sprintf("%s/api/v1/scenarios/%d/runs", p.url, scID), "", `{"time_limit_s": 1}`)
	if status != 202 || json.Unmarshal(b, &run) != nil {
		t.Fatalf("re-run: %d %s", status, b)
	}
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/runs/%d/events", p.url, run.ID))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body) // the stream ends with the run
	resp.Body.Close()
	status, b = fetch(t, "GET", fmt.Sprintf("%s/api/v1/runs/%d", p.url, run.ID), "", "")
	if json.Unmarshal(b, &run); run.Status != data.RunDone || !run.HasPlan {
		t.Errorf("re-run: %d %s, want done with a plan", status, b)
	}
	if status, b := fetch(t, "GET", fmt.Sprintf("%s/api/v1/runs/%d/plan", p.url, run.ID), "", ""); status != 200 {
		t.Errorf("re-run plan: %d %.200s", status, b)
	}
}

// TestSIGTERMClosesCleanly: SIGTERM during a run exits 0, the run ends cancelled with its
// best plan, and the database is closed cleanly: the WAL is checkpointed (no -wal file
// left with content) and the file passes integrity_check.
func TestSIGTERMClosesCleanly(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "tabane.db")
	p := startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db)
	_, runID := startLongRun(t, p.url)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr.String())
	}
	if _, err := http.Get(p.url + "/healthz"); err == nil {
		t.Error("the stopped server still accepts connections")
	}
	if st, err := os.Stat(db + "-wal"); err == nil && st.Size() > 0 {
		t.Errorf("a %d-byte WAL is left: the database was not closed cleanly", st.Size())
	}
	store, err := data.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var check string
	if err := store.DB().QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q %v", check, err)
	}
	run, err := store.Run(context.Background(), runID)
	if err != nil || run.Status != data.RunCancelled || !run.HasPlan {
		t.Errorf("run after SIGTERM: %+v %v, want cancelled with its best plan", run, err)
	}
}

// TestBackupWhileServing: tabane backup copies the database while the server solves and
// writes progress; the copy is a complete tabane database (the inventory, the scenario),
// the restore procedure (stop, copy over, start) serves it, and an existing FILE is
// refused.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "tabane.db")
	p := startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db)
	count, sum := inventoryChecksum(t, p.url)
	scID, _ := startLongRun(t, p.url)
	backup := filepath.Join(dir, "backup.db")
	out, err := exec.Command(bin, "backup", backup, "--db", db).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "backed up") {
		t.Fatalf("backup while serving: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "backup", "--db", db, backup).CombinedOutput(); err == nil || !strings.Contains(string(out), "already exists") {
		t.Errorf("a second backup over the first: %v %s", err, out)
	}
	// Restore into a fresh place: copy the file, start a server on it.
	restored := filepath.Join(dir, "restored.db")
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(restored, b, 0o644)
	if entries, _ := filepath.Glob(filepath.Join(dir, ".backup.db.partial-*")); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	p2 := startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", restored, "--demo=false")
	if c, s := inventoryChecksum(t, p2.url); c != count || s != sum {
		t.Errorf("restored inventory: %d %s, want %d %s", c, s, count, sum)
	}
	if status, b := fetch(t, "GET", fmt.Sprintf("%s/api/v1/scenarios/%d", p2.url, scID), "", ""); status != 200 {
		t.Errorf("restored scenario: %d %s", status, b)
	}
}

// TestTokensRequiredOffLoopback: bound to all interfaces the server requires tokens made
// with tabane token create; on 127.0.0.1 it does not unless --require-token; tabane token
// revoke locks a token out while the server runs.
func TestTokensRequiredOffLoopback(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	db := filepath.Join(dir, "tabane.db")
	out, err := exec.Command(bin, "token", "create", "--role", "viewer", "--name", "dashboard", "--db", db).Output()
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(string(out))
	if !strings.HasPrefix(secret, "tbn_") || len(secret) != 47 {
		t.Fatalf("token create printed %q", out)
	}
	p := startBinary(t, bin, "--addr", "0.0.0.0:0", "--db", db)
	local := strings.Replace(strings.Replace(p.url, "0.0.0.0", "127.0.0.1", 1), "[::]", "127.0.0.1", 1)
	if status, _ := fetch(t, "GET", local+"/api/v1/municipalities", "", ""); status != 401 {
		t.Errorf("all interfaces, no token: %d, want 401", status)
	}
	if status, _ := fetch(t, "GET", local+"/api/v1/municipalities", secret, ""); status != 200 {
		t.Errorf("all interfaces, viewer token: %d, want 200", status)
	}
	if status, _ := fetch(t, "POST", local+"/api/v1/scenarios", secret, `{"name": "x", "fiscal_year": 2027}`); status != 403 {
		t.Errorf("all interfaces, viewer token writes: %d, want 403", status)
	}
	if status, _ := fetch(t, "GET", local+"/healthz", "", ""); status != 200 {
		t.Errorf("healthz without token: %d", status)
	}
	if out, err := exec.Command(bin, "token", "revoke", "1", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("revoke while serving: %v %s", err, out)
	}
	if status, _ := fetch(t, "GET", local+"/api/v1/municipalities", secret, ""); status != 401 {
		t.Errorf("revoked token: %d, want 401", status)
	}
	if !strings.Contains(p.stderr.String(), "API tokens required") {
		t.Errorf("the log does not say tokens are required:\n%s", p.stderr.String())
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()

	p = startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db)
	if status, _ := fetch(t, "GET", p.url+"/api/v1/municipalities", "", ""); status != 200 {
		t.Errorf("loopback, no token: %d, want 200", status)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	p = startBinary(t, bin, "--addr", "127.0.0.1:0", "--db", db, "--require-token")
	if status, _ := fetch(t, "GET", p.url+"/api/v1/municipalities", "", ""); status != 401 {
		t.Errorf("loopback with --require-token, no token: %d, want 401", status)
	}
	if !strings.Contains(p.stderr.String(), "API tokens are required but none exists") {
		t.Errorf("no warning about missing tokens:\n%s", p.stderr.String())
	}
}
