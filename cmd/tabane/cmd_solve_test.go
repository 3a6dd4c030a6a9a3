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

	"github.com/tabane/tabane/internal/refereetest"
)

const solveInstances = "../../solver/testdata/"

func runSolveCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), append([]string{"solve"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestSolveCLIPlanForReferee: the output file is a plan the independent referee reads as
// is, feasible and priced like ours; p-tiny reaches its proven optimum ¥31,279,239.68.
func TestSolveCLIPlanForReferee(t *testing.T) {
	out := filepath.Join(t.TempDir(), "plan.json")
	code, stdout, stderr := runSolveCLI(t, solveInstances+"p-tiny.json", "--max-iterations", "2000", "--seed", "5", "--threads", "2", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "p-tiny") || !strings.Contains(stdout, "¥31,279,240") {
		t.Fatalf("summary lacks the name or the cost:\n%s", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Instance        string             `json:"instance"`
		Feasible        bool               `json:"feasible"`
		Cost            float64            `json:"cost"`
		StandaloneTotal float64            `json:"standalone_total"`
		SavingPct       float64            `json:"saving_pct"`
		IRViolations    []string           `json:"ir_violations"`
		LowerBound      float64            `json:"lower_bound"`
		Gap             float64            `json:"gap"`
		Standalone      map[string]float64 `json:"standalone"`
		Shares          map[string]float64 `json:"shares"`
		Timings         map[string]float64 `json:"timings"`
		Bundles         []struct {
			ID        string   `json:"id"`
			Depot     string   `json:"depot"`
			Assets    []string `json:"assets"`
			Breakdown struct {
				Total float64 `json:"total"`
			} `json:"breakdown"`
			Shares map[string]float64 `json:"shares"`
		} `json:"bundles"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if got.Instance != "p-tiny" || !got.Feasible || len(got.Bundles) == 0 {
		t.Fatalf("output: instance %q feasible %v bundles %d", got.Instance, got.Feasible, len(got.Bundles))
	}
	if math.Abs(got.Cost-31_279_239.68) > 0.01 {
		t.Fatalf("cost %.2f, optimum 31,279,239.68", got.Cost)
	}
	if got.LowerBound > got.Cost || got.Gap < 0 || math.Abs(got.Gap-(got.Cost-got.LowerBound)/got.Cost) > 1e-12 {
		t.Fatalf("bound %.2f gap %g for cost %.2f", got.LowerBound, got.Gap, got.Cost)
	}
	if _, ok := got.Timings["total"]; !ok {
		t.Fatalf("timings %v lack total", got.Timings)
	}
	sum, shares := 0.0, 0.0
	for _, b := range got.Bundles {
		sum += b.Breakdown.Total
		for _, s := range b.Shares {
			shares += s
		}
	}
	if math.Abs(sum-got.Cost) > 1e-6 || math.Abs(shares-got.Cost) > 1e-4 {
		t.Fatalf("bundles add to %.4f, shares to %.4f, cost %.4f", sum, shares, got.Cost)
	}
	if len(got.Standalone) == 0 || len(got.Shares) != len(got.Standalone) {
		t.Fatalf("standalone %d entries, shares %d", len(got.Standalone), len(got.Shares))
	}
	// The referee read this file as written, but for the fields that depend on how fast the
	// bound ran beside the search (timings, bound, gap, iterations, stop reason), and found
	// it feasible at our cost; its verdict is recorded in testdata/referee.
	var file map[string]json.RawMessage
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"timings", "bound_method", "lower_bound", "gap", "iterations", "stop_reason"} {
		delete(file, k)
	}
	plan, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	name := t.Name()
	refs := refereetest.Check(t, []refereetest.Job{{Name: name, InstanceFile: refereetest.FromRoot(t, solveInstances+"p-tiny.json"),
		Plan: plan, SolverOutput: true, Ours: refereetest.Ours{Feasible: got.Feasible, Cost: got.Cost, Baseline: got.StandaloneTotal,
			SavingPct: got.SavingPct, IRViolations: len(got.IRViolations)}}})
	if refereetest.Recording() {
		return
	}
	if v := refs[name]; v.Exit != 0 || !v.Feasible {
		t.Fatalf("referee: exit %d, %+v", v.Exit, v.Verdict)
	}
}

// TestSolveCLIJSONDeterministic: --json writes the same plan twice for the same seed.
func TestSolveCLIJSONDeterministic(t *testing.T) {
	args := []string{solveInstances + "p-small.json", "--json", "--max-iterations", "200", "--seed", "9", "--threads", "2"}
	plan := func() string {
		code, stdout, stderr := runSolveCLI(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var p struct {
			Bundles []struct {
				Depot  string   `json:"depot"`
				Assets []string `json:"assets"`
			} `json:"bundles"`
		}
		if err := json.Unmarshal([]byte(stdout), &p); err != nil {
			t.Fatalf("--json stdout is not JSON: %v", err)
		}
		if !strings.Contains(stderr, "bundle(s), cost") {
			t.Fatalf("--json: the summary belongs on stderr, got %q", stderr)
		}
		b, _ := json.Marshal(p)
		return string(b)
	}
	if a, b := plan(), plan(); a != b {
		t.Fatalf("same seed, different plans:\n%s\n%s", a, b)
	}
}

// TestSolveCLIInfeasible: p-infeasible exits 1 and says which regions' sewer assets
// cannot reach min_value.
func TestSolveCLIInfeasible(t *testing.T) {
	code, stdout, stderr := runSolveCLI(t, solveInstances+"p-infeasible.json", "--max-iterations", "64")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"no feasible plan", "region R2", "region R3", "sewer", "min_value"} {
		if !strings.Contains(stdout, want) {
			t.Fatalf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestSolveCLIBadInput: validation problems are all listed with their paths (exit 2);
// unknown flags and missing arguments print the usage (exit 2).
func TestSolveCLIBadInput(t *testing.T) {
	bad := `{"version": 1, "name": "bad", "params": {"contract_fixed_cost": -5, "travel_cost_per_km": 400},
 "municipalities": [{"code": "1", "name": "A", "office": {"lon": 135, "lat": 34}}],
 "assets": [{"id": "x", "municipality": "9", "kind": "bridge", "lon": 135, "lat": 34, "cost": 1, "workload": 1, "equipment": ["crane"]}]}`
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runSolveCLI(t, path)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, want := range []string{"params.contract_fixed_cost", "assets[0].municipality", "assets[0].equipment[0]", `"crane"`} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	syntax := filepath.Join(t.TempDir(), "syntax.json")
	if err := os.WriteFile(syntax, []byte("{\n \"version\": 1,\n \"name\": }"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runSolveCLI(t, syntax); code != 2 || !strings.Contains(stderr, "line 3") {
		t.Fatalf("syntax error: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runSolveCLI(t, solveInstances+"p-tiny.json", "--frobnicate"); code != 2 || !strings.Contains(stderr, "Usage: tabane solve") {
		t.Fatalf("unknown flag: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runSolveCLI(t); code != 2 || !strings.Contains(stderr, "Usage: tabane solve") {
		t.Fatalf("no instance: exit %d, stderr %q", code, stderr)
	}
}

// TestSolveCLIGeoJSON: --geojson writes the plan's map as the API does (internal/planout):
// one outline and one depot per bundle, and every one of p-tiny's 43 assets, each in the
// bundle the plan file puts it in.
func TestSolveCLIGeoJSON(t *testing.T) {
	dir := t.TempDir()
	out, geo := filepath.Join(dir, "plan.json"), filepath.Join(dir, "plan.geojson")
	if code, stdout, stderr := runSolveCLI(t, solveInstances+"p-tiny.json", "--max-iterations", "200", "-o", out, "--geojson", geo); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var plan struct {
		Bundles []struct {
			ID     string   `json:"id"`
			Assets []string `json:"assets"`
		} `json:"bundles"`
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	for path, v := range map[string]any{out: &plan, geo: &fc} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	bundleOf := map[string]string{}
	for _, b := range plan.Bundles {
		for _, a := range b.Assets {
			bundleOf[a] = b.ID
		}
	}
	roles := map[string]int{}
	for _, f := range fc.Features {
		role, _ := f.Properties["role"].(string)
		roles[role]++
		if id, _ := f.Properties["id"].(string); role == "asset" && f.Properties["bundle"] != bundleOf[id] {
			t.Errorf("asset %s in bundle %v on the map, %q in the plan", id, f.Properties["bundle"], bundleOf[id])
		}
	}
	n := len(plan.Bundles)
	if fc.Type != "FeatureCollection" || n == 0 || roles["outline"] != n || roles["depot"] != n || roles["asset"] != 43 || len(bundleOf) != 43 {
		t.Errorf("%s with %v for %d bundles", fc.Type, roles, n)
	}
}
