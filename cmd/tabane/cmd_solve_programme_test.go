package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestSolveCLIProgramme: a version-2 instance gets a programme plan that `tabane
// evaluate` (and referee.py) read as is. pp-tiny is planned at its optimum (¥64,718,059.13
// by CBC), FY2028's and FY2030's assets (too few to reach min_value alone) brought forward. pp-budget
// has no feasible plan (29009's letting and equipment shares do not fit its budgets for
// FY2026–27, solver.TestProgrammePrecheckPPBudget): exit 1 with the proof and the
// search's least-violating plan's violation named.
func TestSolveCLIProgramme(t *testing.T) {
	out := filepath.Join(t.TempDir(), "plan.json")
	code, stdout, stderr := runSolveCLI(t, filepath.Join(solverTestdata, "pp-tiny.json"), "--max-iterations", "200", "--threads", "1", "-o", out)
	if code != 0 || stderr != "" || !strings.Contains(stdout, "pp-tiny: programme FY2026–FY2030, 3 lot(s)") ||
		!strings.Contains(stdout, "cost ¥64,718,059 (bringing forward ¥2,229,268), 20 inspection(s) brought forward; feasible") {
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

	// --compare-yearly: FY2028 and FY2030 alone cannot reach min_value; the summary shows
	// the year table, the bound and the year-by-year table with the reasons.
	code, stdout, _ = runSolveCLI(t, filepath.Join(solverTestdata, "pp-tiny.json"), "--max-iterations", "100", "--threads", "1", "--compare-yearly")
	for _, want := range []string{"  lower bound ¥", "  2028               ¥0              -        0.0     0      0",
		"  2028               ¥0        no plan     0", "FY2028 alone: all participating assets (10 asset(s)",
		"year by year has no feasible plan in some year (above); planning the years together does"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("--compare-yearly: exit %d, want %q in\n%s", code, want, stdout)
		}
	}

	code, stdout, _ = runSolveCLI(t, filepath.Join(solverTestdata, "pp-budget.json"), "--max-iterations", "200", "--threads", "1")
	if code != 1 || !strings.Contains(stdout, "INFEASIBLE, 1 violation(s)") ||
		!strings.Contains(stdout, "[budget] municipality 29009, year 2026: share ¥9,967,262 exceeds its budget ¥6,899,055") ||
		!strings.Contains(stdout, "  - proven infeasible: [budget] municipality 29009: assets due by FY2027 cost it at least ¥14,307,019 (") {
		t.Errorf("pp-budget: exit %d\n%s", code, stdout)
	}
}

// TestSolveCLIProgrammeProgress: --progress on a version-2 instance writes version 1's
// lines on stderr (seconds, phase, best, bound, gap): construct without a plan first, one
// line per better plan, done last with the plan's cost; stdout keeps the summary.
func TestSolveCLIProgrammeProgress(t *testing.T) {
	code, stdout, stderr := runSolveCLI(t, filepath.Join(solverTestdata, "pp-tiny.json"), "--max-iterations", "200", "--threads", "1", "--progress")
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	shape := regexp.MustCompile(`^ *\d+\.\d\ds (construct|search   |done     ) best (—|¥[\d,]+)  bound (—|¥[\d,]+)  gap (—|\d+\.\d+ %)$`)
	var phases []string
	for _, l := range lines {
		m := shape.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("progress line %q is not in the version-1 shape; stderr:\n%s", l, stderr)
		}
		phases = append(phases, strings.TrimSpace(m[1])+" "+m[2])
	}
	want := []string{"construct —", "construct ¥65,014,631", "search ¥65,014,631", "search ¥64,718,059", "done ¥64,718,059"}
	if code != 0 || strings.Join(phases, "|") != strings.Join(want, "|") || !strings.Contains(stdout, "; feasible") {
		t.Fatalf("exit %d, progress %q, want %q\nstdout:\n%s", code, phases, want, stdout)
	}
}
