package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/data"
)

// runWhatifCLI runs `tabane whatif args…` through the dispatcher.
func runWhatifCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), append([]string{"whatif"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// whatifBatch writes a batch on a copy of p-tiny.json and returns its path.
func whatifBatch(t *testing.T, dir, text string) string {
	t.Helper()
	inst, err := os.ReadFile(filepath.Join(solverTestdata, "p-tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tiny.json"), inst, 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "batch.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWhatifCLIRunsAndCaches(t *testing.T) {
	dir := t.TempDir()
	batch := whatifBatch(t, dir, `
name: tiny-grid
base: tiny.json
solver: {time_limit: 60s, seed: 3, max_iterations: 200}
grid:
  params.contract_fixed_cost: [1500000, 2500000]
`)
	out, cache := filepath.Join(dir, "out"), filepath.Join(dir, "cache")
	// Flags after the batch file work too.
	code, stdout, stderr := runWhatifCLI(t, batch, "-o", out, "--cache", cache, "--parallel", "2")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	for _, want := range []string{
		`whatif "tiny-grid": 2 variations on p-tiny (43 assets), 2 at a time, cache ` + cache,
		"whatif: 0/2 variations done (0%), ETA —",
		"whatif: 2/2 variations done (100%), done in ",
		"2 rows (0 from the cache) in " + out,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"results.csv", "results.md", "chart.svg", "chart.png", "shares.csv", "summary.html",
		"municipalities.svg", "municipalities.png", "plans/001-contract_fixed_cost-1500000.json", "plans/002-contract_fixed_cost-2500000.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("output: %v", err)
		}
	}
	// Japanese by default, English with --lang en (the second run, from the cache).
	head := func() string {
		md, err := os.ReadFile(filepath.Join(out, "results.md"))
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(md), "\n")
		return line
	}
	if h := head(); !strings.HasPrefix(h, "| # | 試算 | 契約固定費 | 総費用 |") {
		t.Errorf("results.md header %q", h)
	}
	code, stdout, _ = runWhatifCLI(t, "-o", out, "--cache", cache, "--lang", "en", batch)
	if code != 0 || !strings.Contains(stdout, "2 rows (2 from the cache)") {
		t.Errorf("second run: exit %d\n%s", code, stdout)
	}
	if h := head(); !strings.HasPrefix(h, "| # | variation | Fixed cost per contract | total cost |") {
		t.Errorf("results.md header with --lang en %q", h)
	}
	code, _, stderr = runWhatifCLI(t, "-o", out, "--lang", "fr", batch)
	if code != 2 || stderr != "tabane whatif: --lang \"fr\": expected ja or en\n" {
		t.Errorf("--lang fr: exit %d, stderr %q", code, stderr)
	}
}

func TestWhatifCLIRejectsBadBatch(t *testing.T) {
	dir := t.TempDir()
	batch := whatifBatch(t, dir, `
base: tiny.json
variations:
  - name: typo
    set: {params.limits.max_valu: 5e7}
  - name: ghost
    without: ["29999"]
`)
	code, stdout, stderr := runWhatifCLI(t, batch, "-o", filepath.Join(dir, "out"), "--no-cache")
	want := "tabane whatif: " + batch + ": the batch cannot run:\n" +
		`variation "typo": params.limits.max_valu: no field "max_valu" in params.limits (fields: min_value, max_value, max_workload, max_assets, max_distance_km)` + "\n" +
		`variation "ghost": without: municipality "29999" is not in the instance (neither a code nor a name)` + "\n"
	if code != 2 || stdout != "" || stderr != want {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("a rejected batch wrote its output folder (%v)", err)
	}
	if code, _, _ := runWhatifCLI(t); code != 2 {
		t.Errorf("no batch file: exit %d, want 2", code)
	}
}

func TestWhatifCLIScenarioBase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "tabane.db")
	store, err := data.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	sc, err := store.CreateScenario(ctx, data.Scenario{Name: "nara-city", FiscalYear: 2027, Params: data.DefaultParams(),
		Filter: &data.ScenarioFilter{Municipalities: []string{"29201"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	batch := filepath.Join(dir, "batch.yaml")
	text := fmt.Sprintf("base: {scenario: %d, db: tabane.db}\ngrid: {params.contract_fixed_cost: [2e6, 3e6]}\n", sc.ID)
	if err := os.WriteFile(batch, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runWhatifCLI(t, batch, "--dry-run")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "  1  contract_fixed_cost=2000000  (time limit 10s, seed 0, key ") ||
		!strings.HasSuffix(stdout, "2 variations; nothing solved (--dry-run)\n") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	missing := filepath.Join(dir, "missing.yaml")
	if err := os.WriteFile(missing, []byte(fmt.Sprintf("base: {scenario: %d, db: tabane.db}\n", sc.ID+100)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runWhatifCLI(t, missing, "--dry-run")
	want := fmt.Sprintf("tabane whatif: %s: base scenario %d: %s: scenario %d: not found\n", missing, sc.ID+100, db, sc.ID+100)
	if code != 2 || stderr != want {
		t.Errorf("unknown scenario: exit %d\nstderr %q\nwant   %q", code, stderr, want)
	}
}
