package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

// The levelled plan of pp-tiny: one lot a year from office-29005, FY2028's and FY2030's
// assets brought forward. The independent referee: feasible, cost 65,024,774.34337022,
// baseline 130,917,331.89971818, FY2026 value 11,480,563.12, workload 65.43.
func TestEvaluateCLIProgramme(t *testing.T) {
	inst := filepath.Join(solverTestdata, "pp-tiny.json")
	plan := filepath.Join(solverTestdata, "pp-tiny.levelled-plan.json")
	code, out, errOut := runEvaluateCLI(t, inst, plan)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"3 lot(s); FY2026–FY2030, lots of 1 year(s); 95 assets to plan",
		"Verdict: FEASIBLE — every rule of the programme holds",
		"cost               ¥65,024,774  (bringing forward ¥1,525,840)",
		"standalone        ¥130,917,332",
		"2026       ¥11,480,563               —       65.4          —     1      17     ¥21,271,625",
		"bringing forward ¥972,166",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runEvaluateCLI(t, inst, plan, "--json")
	var ev solver.Evaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil || code != 0 {
		t.Fatalf("exit %d, JSON %v", code, err)
	}
	if !ev.Feasible || math.Abs(ev.Cost-65024774.34337022) > 1e-6 || len(ev.Years) != 5 ||
		math.Abs(ev.Years[0].Value-11480563.12) > 0.006 || ev.Years[0].Workload != 65.43 || len(ev.Budgets) != 8*5 {
		t.Errorf("JSON evaluation: feasible %v cost %.8f years %+v, %d budget rows", ev.Feasible, ev.Cost, ev.Years, len(ev.Budgets))
	}

	// The same plan on pp-budget breaks four municipalities' yearly budgets: exit 1.
	code, out, _ = runEvaluateCLI(t, filepath.Join(solverTestdata, "pp-budget.json"), plan)
	if code != 1 || !strings.Contains(out, "[budget] municipality 29001, year 2029: share ¥4,849,904 exceeds its budget ¥4,607,188") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestEvaluateCLIProgrammeBadInput(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(solverTestdata, "pp-tiny.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	prog := raw["programme"].(map[string]any)
	prog["budgets"] = map[string]any{"29001": []float64{1, 2, 3, 4}}
	prog["contract_years"] = 2
	bad, _ := json.Marshal(raw)
	inst := writeTemp(t, "bad.json", string(bad))
	code, out, errOut := runEvaluateCLI(t, inst, filepath.Join(solverTestdata, "pp-tiny.levelled-plan.json"))
	want := inst + ": programme.contract_years: 2 does not divide years 5 (lots run in aligned blocks)\n" +
		inst + ": programme.budgets.29001: 4 values for 5 years\n"
	if code != 2 || out != "" || errOut != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, out, errOut, want)
	}
}
