package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestSolveCLIProgramme: a version-2 instance gets a programme plan that `tabane
// evaluate` (and referee.py) read as is. pp-tiny is planned feasibly, FY2028's and
// FY2030's assets (too few to reach min_value alone) brought forward. On pp-budget the
// first solver's repair moves inspections out of four of five over-budget
// municipality-years; 29009's FY2026 stays over (its A000070, due 2027, would put FY2027
// over instead): exit 1 with the violation named.
func TestSolveCLIProgramme(t *testing.T) {
	out := filepath.Join(t.TempDir(), "plan.json")
	code, stdout, stderr := runSolveCLI(t, filepath.Join(solverTestdata, "pp-tiny.json"), "--max-iterations", "200", "--threads", "1", "-o", out)
	if code != 0 || stderr != "" || !strings.Contains(stdout, "pp-tiny: programme FY2026–FY2030, 3 lot(s)") ||
		!strings.Contains(stdout, "19 inspection(s) brought forward; feasible") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	code, report, _ := runEvaluateCLI(t, filepath.Join(solverTestdata, "pp-tiny.json"), out)
	if code != 0 || !strings.Contains(report, "Verdict: FEASIBLE") {
		t.Fatalf("evaluate on the solver's plan: exit %d\n%s", code, report)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plan, err := solver.ReadPlan(f)
	if err != nil || len(plan.Bundles) != 3 || len(plan.Schedule) != 95 || plan.Bundles[0].FY == nil {
		t.Fatalf("plan file: %v, %d lots, %d scheduled", err, len(plan.Bundles), len(plan.Schedule))
	}

	code, stdout, _ = runSolveCLI(t, filepath.Join(solverTestdata, "pp-budget.json"), "--max-iterations", "200", "--threads", "1")
	if code != 1 || !strings.Contains(stdout, "INFEASIBLE, 1 violation(s)") ||
		!strings.Contains(stdout, "[budget] municipality 29009, year 2026: share ¥9,967,262 exceeds its budget ¥6,899,055") {
		t.Errorf("pp-budget: exit %d\n%s", code, stdout)
	}
}
