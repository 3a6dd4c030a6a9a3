package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

const solverTestdata = "../../solver/testdata"

// runEvaluateCLI runs `tabane evaluate args…` through the dispatcher.
func runEvaluateCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), append([]string{"evaluate"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// writeTemp writes content to a file in a fresh temporary directory.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEvaluateCLIFeasible(t *testing.T) {
	inst := filepath.Join(solverTestdata, "p-tiny.json")
	plan := filepath.Join(solverTestdata, "p-tiny.optimal-plan.json")
	code, out, errOut := runEvaluateCLI(t, inst, plan)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	// The proven optimum of solver/testdata/README.md: ¥31,279,239.68.
	for _, want := range []string{"Verdict: FEASIBLE", "cost            ¥31,279,240", "B1 at office-29005: ¥31,279,240 — 43 asset(s)",
		"fixed ¥2,000,000", "Individual rationality (not required by this instance): every municipality pays at most"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// --json, also after the positional arguments, is the Evaluation itself.
	code, out, _ = runEvaluateCLI(t, inst, plan, "--json")
	var ev solver.Evaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil || code != 0 {
		t.Fatalf("exit %d, JSON %v:\n%s", code, err, out)
	}
	if !ev.Feasible || math.Abs(ev.Cost-31279239.68) > 0.01 || len(ev.Bundles) != 1 || len(ev.Standalone) != 6 || len(ev.Shares) != 6 {
		t.Errorf("evaluation = feasible %v cost %.2f, %d bundles, %d standalone, %d shares",
			ev.Feasible, ev.Cost, len(ev.Bundles), len(ev.Standalone), len(ev.Shares))
	}
	// The JSON report is itself a plan (bundles with id, depot and assets; the other fields
	// are ignored), and judging it again gives the same verdict.
	code, again, _ := runEvaluateCLI(t, "--json", inst, writeTemp(t, "report.json", out))
	if code != 0 || again != out {
		t.Errorf("re-evaluating the report: exit %d, output differs: %v", code, again != out)
	}
	var sum float64
	for _, s := range ev.Shares {
		sum += s
	}
	if math.Abs(sum-ev.Cost) > 1e-6*ev.Cost {
		t.Errorf("shares add up to %.2f, cost %.2f", sum, ev.Cost)
	}
}

func TestEvaluateCLIInfeasible(t *testing.T) {
	inst := filepath.Join(solverTestdata, "p-tiny.json")
	// The optimal single bundle without its last three assets (the sewer plants).
	data, err := os.ReadFile(filepath.Join(solverTestdata, "p-tiny.optimal-plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p solver.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	p.Bundles[0].Assets = p.Bundles[0].Assets[:len(p.Bundles[0].Assets)-3]
	short, _ := json.Marshal(p)
	shortPath := writeTemp(t, "plan.json", string(short))
	code, out, _ := runEvaluateCLI(t, inst, shortPath)
	for _, want := range []string{"Verdict: INFEASIBLE — 3 violation(s)", "[coverage] municipality 29001: 1 asset(s) in no bundle: S00001"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("exit %d, report lacks %q:\n%s", code, want, out)
		}
	}
	code, out, _ = runEvaluateCLI(t, "--json", inst, shortPath)
	var ev solver.Evaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil || code != 1 {
		t.Fatalf("exit %d, JSON %v", code, err)
	}
	if ev.Feasible || len(ev.Violations) != 3 {
		t.Fatalf("violations %+v, want coverage for the three municipalities whose sewer plant is missing", ev.Violations)
	}
	for _, v := range ev.Violations {
		if v.Rule != "coverage" || v.Count != 1 || !strings.HasPrefix(v.Asset, "S0000") {
			t.Errorf("violation %+v", v)
		}
	}

	// On p-infeasible no plan can work, and the report says why.
	code, out, _ = runEvaluateCLI(t, filepath.Join(solverTestdata, "p-infeasible.json"), writeTemp(t, "empty.json", `{"instance": "p-tiny", "bundles": []}`))
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{`Note: the plan names instance "p-tiny"; it is judged against "p-infeasible"`, "Verdict: INFEASIBLE — 12 violation(s)", "[coverage] municipality", "No plan can be feasible for this instance:",
		"[min_value] region R2, sewer assets (1 asset(s), e.g. A000174): a bundle of them is worth at most ¥2,307,021",
		"[min_value] region R3, sewer assets (2 asset(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestEvaluateCLIBadInput(t *testing.T) {
	inst := filepath.Join(solverTestdata, "p-tiny.json")
	plan := filepath.Join(solverTestdata, "p-tiny.optimal-plan.json")
	badInst := writeTemp(t, "bad.json", `{"version": 1, "params": {"contract_fixed_cost": 1, "travel_cost_per_km": 1},
 "municipalities": [{"code": "A", "office": {"lon": 135, "lat": 34}}],
 "assets": [{"id": "x", "municipality": "B", "kind": "bridge", "lon": 135, "lat": 34, "cost": -1, "workload": 1, "equipment": ["crane"]}]}`)
	cases := []struct {
		name string
		args []string
		want []string // lines (or parts) of stderr
	}{
		{"missing instance", []string{"nope.json", plan}, []string{"nope.json: cannot read the instance: no such file or directory"}},
		{"missing plan", []string{inst, "nope.json"}, []string{"nope.json: cannot read the plan: no such file or directory"}},
		{"malformed instance", []string{writeTemp(t, "i.json", "{\n \"version\": 1,,\n}"), plan},
			[]string{"i.json: line 2, column 15: malformed JSON: invalid character ',' looking for beginning of object key string"}},
		{"invalid instance", []string{badInst, plan}, []string{
			badInst + `: assets[0].municipality: "B" is not among the instance's municipalities (assets[0] (x))`,
			badInst + `: assets[0].cost: must be a finite number ≥ 0, found -1 (assets[0] (x))`,
			badInst + `: assets[0].equipment[0]: "crane" has no price in params.equipment`}},
		{"malformed plan", []string{inst, writeTemp(t, "p.json", `{"bundles": [{"id": "B1", "assets": "A1"}]}`)},
			[]string{`p.json: line 1, column 37: bundles[0].assets: expected an array of strings, found a string`}},
		{"one argument", []string{inst}, []string{"tabane evaluate: need INSTANCE.json and PLAN.json, got 1 argument(s)", "Usage: tabane evaluate"}},
		{"unknown flag", []string{"--fast", inst, plan}, []string{"flag provided but not defined: -fast"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runEvaluateCLI(t, c.args...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing on stdout", code, out)
			}
			for _, want := range c.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
		})
	}
	if code, _, errOut := runEvaluateCLI(t, "-h"); code != 0 || !strings.Contains(errOut, "Usage: tabane evaluate") {
		t.Errorf("-h: exit %d, %q", code, errOut)
	}
}
