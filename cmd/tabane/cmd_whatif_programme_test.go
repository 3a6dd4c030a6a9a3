package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// programmeWhatifBatch writes a batch on solver/testdata's pp-tiny and returns its path.
func programmeWhatifBatch(t *testing.T, dir, text string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(solverTestdata, "pp-tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "batch.yaml")
	if err := os.WriteFile(p, []byte("base: "+abs+"\n"+text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWhatifCLIProgramme(t *testing.T) {
	dir := t.TempDir()
	batch := programmeWhatifBatch(t, dir, `name: lots
solver: {time_limit: 120s, seed: 1, max_iterations: 10, threads: 1}
grid:
  programme.contract_years: [1, 5]
  programme.year_limits.max_value: [null]
`)
	code, stdout, stderr := runWhatifCLI(t, batch, "--dry-run")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "  1  contract_years=1 year_limits.max_value=null  (time limit 2m0s, seed 1, key ") ||
		!strings.Contains(stdout, "  2  contract_years=5 year_limits.max_value=null  (time limit 2m0s, seed 1, key ") ||
		!strings.HasSuffix(stdout, "2 variations; nothing solved (--dry-run)\n") {
		t.Errorf("dry run: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	// A programme path the schema does not know is named with its line.
	bad := programmeWhatifBatch(t, dir, `variations:
  - name: typo
    set:
      programme.contract_year: 5
`)
	code, stdout, stderr = runWhatifCLI(t, bad, "--no-cache")
	want := "tabane whatif: " + bad + ": the batch cannot run:\n" +
		`variation "typo": programme.contract_year (line 5): no field "contract_year" in programme (fields: first_fy, years, cycle_years, advance_max_years, contract_years, year_limits, budgets)` + "\n"
	if code != 2 || stdout != "" || stderr != want {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
	}

	// One real variation: five-year lots, min_value low enough for every year alone.
	one := programmeWhatifBatch(t, dir, `name: five
solver: {time_limit: 120s, seed: 1, max_iterations: 10, threads: 1}
variations:
  - name: five
    set: {programme.contract_years: 5, params.limits.min_value: 5e6}
`)
	out := filepath.Join(dir, "out")
	code, stdout, stderr = runWhatifCLI(t, one, "-o", out, "--no-cache", "--lang", "en")
	if code != 0 || stderr != "" ||
		!strings.Contains(stdout, "programme (version 2): each variation is also planned year by year") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	csv, err := os.ReadFile(filepath.Join(out, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(csv), "\n")
	if !strings.Contains(head, ",value_fy2026,value_fy2027,value_fy2028,value_fy2029,value_fy2030,value_max_min,yearly_total,yearly_saving,yearly_saving_pct,yearly_note,") {
		t.Errorf("results.csv header %s", head)
	}
	// The plan file is the programme report: lots with their block and a schedule.
	raw, err := os.ReadFile(filepath.Join(out, "plans", "001-five.json"))
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Bundles []struct {
			FY *int `json:"fy"`
		} `json:"bundles"`
		Schedule  map[string]int           `json:"schedule"`
		Yearly    *struct{ Feasible bool } `json:"yearly"`
		Variation string                   `json:"variation"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Bundles) == 0 || plan.Bundles[0].FY == nil || *plan.Bundles[0].FY != 2026 || len(plan.Schedule) != 95 ||
		plan.Yearly == nil || !plan.Yearly.Feasible || plan.Variation != "five" {
		t.Errorf("plan file: %d lots (first fy %v), %d scheduled, yearly %+v, variation %q",
			len(plan.Bundles), plan.Bundles, len(plan.Schedule), plan.Yearly, plan.Variation)
	}
}
