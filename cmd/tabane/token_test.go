package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/data"
)

func runTokenCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := runToken(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestTokenCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tabane.db")
	code, out, errOut := runTokenCmd("create", "--role", "planner", "--name", "奈良市 planner", "--db", db)
	secret := strings.TrimSpace(out)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(secret, "tbn_") || !strings.Contains(errOut, "shown once") {
		t.Fatalf("create: %d %q %q", code, out, errOut)
	}
	runTokenCmd("create", "--db", db, "--name", "ops", "--role", "ADMIN")
	code, out, _ = runTokenCmd("list", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "奈良市 planner") ||
		!strings.Contains(lines[1], secret[:10]+"…") || strings.Contains(out, secret) || !strings.Contains(lines[2], "admin") {
		t.Errorf("list: %d\n%s", code, out)
	}
	if code, out, errOut := runTokenCmd("revoke", "1", "--db", db); code != 0 || !strings.Contains(out, `token 1 "奈良市 planner" revoked at`) {
		t.Errorf("revoke: %d %q %q", code, out, errOut)
	}
	code, out, _ = runTokenCmd("list", "--json", "--db", db)
	var toks []data.Token
	if code != 0 || json.Unmarshal([]byte(out), &toks) != nil || len(toks) != 2 || !toks[0].Revoked() || toks[1].Revoked() || toks[1].Role != data.RoleAdmin {
		t.Errorf("list --json: %d %s", code, out)
	}
	store, err := data.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.TokenBySecret(context.Background(), secret); err == nil {
		t.Error("the revoked secret still answers")
	}
	store.Close()

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "Usage:"},
		{[]string{"rotate"}, 2, `unknown subcommand "rotate"`},
		{[]string{"create", "--name", "x", "--db", db}, 2, "--role: role must be viewer, planner or admin"},
		{[]string{"create", "--role", "viewer", "--db", db}, 2, "--name is required"},
		{[]string{"revoke", "--db", db}, 2, "exactly one token ID"},
		{[]string{"revoke", "abc", "--db", db}, 2, `positive integer, found "abc"`},
		{[]string{"revoke", "77", "--db", db}, 1, "no token 77"},
		{[]string{"list", "extra", "--db", db}, 2, `unexpected argument "extra"`},
	} {
		code, _, errOut := runTokenCmd(c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("token %q: exit %d %q, want %d with %q", c.args, code, errOut, c.code, c.msg)
		}
	}
}

// TestBackupRefusals: usage errors exit 2; data.Backup's refusals (tested in data) exit 1
// with the message on stderr.
func TestBackupRefusals(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{nil, 2, "exactly one backup FILE"},
		{[]string{"a.db", "b.db"}, 2, "exactly one backup FILE"},
		{[]string{filepath.Join(dir, "x.db"), "--db", filepath.Join(dir, "missing.db")}, 1, "tabane backup: database stat"},
		{[]string{filepath.Join(dir, "x.db"), "--db", empty}, 1, "is not a tabane database"},
	} {
		stdout.Reset()
		stderr.Reset()
		code := runBackup(context.Background(), c.args, &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.msg) {
			t.Errorf("backup %q: exit %d %q, want %d with %q", c.args, code, stderr.String(), c.code, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); !os.IsNotExist(err) {
		t.Error("a refused backup left a file")
	}
}

// TestServeSecurityFlags: the limit flags reach the server, and a wrong value stops serve
// before it opens the database.
func TestServeSecurityFlags(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range [][]string{{"--body-limit", "lots"}, {"--max-assets", "0"}, {"--rate-limit", "-1"}, {"--request-timeout", "0s"}, {"--max-queued-runs", "x"}} {
		var stdout, stderr bytes.Buffer
		db := filepath.Join(dir, "never.db")
		code := runServe(context.Background(), append([]string{"--addr", "127.0.0.1:0", "--db", db}, bad...), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "invalid value") {
			t.Errorf("%v: exit %d %q", bad, code, stderr.String())
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("%v: the database was created", bad)
		}
	}
	s := startServe(t, "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "flags.db"), "--demo=false",
		"--body-limit", "100", "--rate-limit", "0.001", "--rate-burst", "3")
	if s.url == "" {
		t.Fatalf("serve: %s", s.stderr.String())
	}
	var p struct {
		Limit      string `json:"limit"`
		LimitBytes int64  `json:"limit_bytes"`
		Burst      int    `json:"burst"`
	}
	if code := postJSON(t, s.url+"/api/v1/scenarios", `{"name": "`+strings.Repeat("x", 200)+`", "fiscal_year": 2027}`, &p); code != 413 ||
		p.Limit != "body_limit" || p.LimitBytes != 100 {
		t.Errorf("--body-limit 100: %d %+v", code, p)
	}
	for i := 0; i < 2; i++ { // the burst of 3 holds the POST above and two more
		getJSON(t, s.url+"/api/v1/settings", nil)
	}
	if code := getJSON(t, s.url+"/api/v1/settings", &p); code != 429 || p.Limit != "rate_limit" || p.Burst != 3 {
		t.Errorf("--rate-limit 0.001 --rate-burst 3: %d %+v", code, p)
	}
	if !strings.Contains(s.stderr.String(), "API tokens not required") {
		t.Errorf("the log does not say tokens are off on loopback:\n%s", s.stderr.String())
	}
}
