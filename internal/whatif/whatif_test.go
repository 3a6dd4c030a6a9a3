package whatif

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabane/tabane/solver"
	"gonum.org/v1/plot/plotutil"
)

// The runs of these tests end by their iteration cap (reproducible, fast); the time
// limit is only the solver's safety net and no test asserts on time.
const testSolver = `
solver: {time_limit: 60s, seed: 7, max_iterations: 100}
`

// writeBatch writes the batch text next to a copy of the tiny instance and parses it.
func writeBatch(t *testing.T, dir, text string) *Batch {
	t.Helper()
	inst, err := os.ReadFile("testdata/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tiny.json"), inst, 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "batch.yaml")
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]byte(text), name)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return b
}

func expand(t *testing.T, b *Batch) []Variation {
	t.Helper()
	base, err := b.LoadBase(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.Expand(base)
	if err != nil {
		t.Fatalf("Expand: %v", err)
	}
	return vars
}

func compile(t *testing.T, v Variation) *solver.Model {
	t.Helper()
	m, err := solver.Compile(v.Instance)
	if err != nil {
		t.Fatalf("variation %q: %v", v.Name, err)
	}
	return m
}

// expandErr parses and expands a batch that must fail, and returns the error text.
func expandErr(t *testing.T, text string) string {
	t.Helper()
	return batchErr(t, writeBatch(t, t.TempDir(), text))
}

func TestGridExpansion(t *testing.T) {
	b := writeBatch(t, t.TempDir(), `
base: tiny.json
grid:
  params.limits.max_value: [50e6, 80e6, 120e6]
  params.mixed_discipline_surcharge: [1000000, null]
variations:
  - name: all
  - name: no-29001
    without: ["29001"]
`+testSolver)
	if got := b.Count(); got != 12 {
		t.Fatalf("Count = %d, want 12", got)
	}
	vars := expand(t, b)
	if len(vars) != 12 {
		t.Fatalf("Expand gave %d variations, want 12", len(vars))
	}
	wantNames := []string{
		"all max_value=50000000 mixed_discipline_surcharge=1000000",
		"all max_value=50000000 mixed_discipline_surcharge=null",
		"all max_value=80000000 mixed_discipline_surcharge=1000000",
	}
	for i, w := range wantNames {
		if vars[i].Name != w {
			t.Errorf("variation %d name = %q, want %q", i+1, vars[i].Name, w)
		}
	}
	if vars[6].Name != "no-29001 max_value=50000000 mixed_discipline_surcharge=1000000" {
		t.Errorf("variation 7 name = %q", vars[6].Name)
	}
	for i, v := range vars {
		if v.Index != i+1 {
			t.Errorf("variation %d has Index %d", i+1, v.Index)
		}
		if v.TimeLimit != 60*time.Second || v.Seed != 7 || v.MaxIterations != 100 {
			t.Errorf("variation %d solver settings %v %d %d", i+1, v.TimeLimit, v.Seed, v.MaxIterations)
		}
	}
	// The overrides reach the compiled model.
	if got := compile(t, vars[0]).MaxValue; got != 50e6 {
		t.Errorf("max_value of variation 1 = %v", got)
	}
	if m0, m1 := compile(t, vars[0]), compile(t, vars[1]); !m0.MixAllowed || m1.MixAllowed {
		t.Errorf("MixAllowed = %v, %v; want true, false", m0.MixAllowed, m1.MixAllowed)
	}
	if got := compile(t, vars[5]).MaxValue; got != 120e6 {
		t.Errorf("max_value of variation 6 = %v", got)
	}
	for i, v := range vars {
		p := v.Instance.Municipalities[0].Participating()
		if want := i < 6; p != want {
			t.Errorf("variation %d: 29001 participates = %v, want %v", i+1, p, want)
		}
	}
	// Different instances, different keys; the same instance and settings, the same key.
	keys := map[string]bool{}
	for _, v := range vars {
		keys[v.Key] = true
	}
	if len(keys) != 12 {
		t.Errorf("%d distinct cache keys, want 12", len(keys))
	}
	again := expand(t, b)
	if again[3].Key != vars[3].Key {
		t.Errorf("the key of a variation changed between two expansions")
	}
}

func TestExplicitListOnly(t *testing.T) {
	b := writeBatch(t, t.TempDir(), `
base: tiny.json
variations:
  - name: base
  - name: fixed-3m
    set: {params.contract_fixed_cost: 3000000}
  - name: dear-bridges
    cost_model: {bridge: {cost_factor: 2, cost_add: 1000}, "*": {workload_factor: 0.5}}
  - name: flat-tunnels
    cost_model: {tunnel: {cost: 900000, cost_factor: 2, workload: 3}}
  - name: one-seed
    seed: 99
    time_limit: 5
    set: {solver.threads: 2}
`+testSolver)
	vars := expand(t, b)
	if len(vars) != 5 {
		t.Fatalf("%d variations, want 5", len(vars))
	}
	if f0, f1 := compile(t, vars[0]).F, compile(t, vars[1]).F; f0 != 2e6 || f1 != 3e6 {
		t.Errorf("contract_fixed_cost = %v, %v", f0, f1)
	}
	base := vars[0].Instance
	for i, a := range vars[2].Instance.Assets {
		b := base.Assets[i]
		wantCost := b.Cost
		if b.Kind == "bridge" {
			wantCost = b.Cost*2 + 1000
		}
		if a.Cost != wantCost || a.Workload != b.Workload*0.5 {
			t.Fatalf("asset %s (%s): cost %v workload %v, want %v %v", a.ID, a.Kind, a.Cost, a.Workload, wantCost, b.Workload*0.5)
		}
	}
	tunnels := 0
	for i, a := range vars[3].Instance.Assets {
		b := base.Assets[i]
		if a.Kind != "tunnel" {
			if a.Cost != b.Cost || a.Workload != b.Workload {
				t.Errorf("asset %s (%s) changed", a.ID, a.Kind)
			}
			continue
		}
		tunnels++
		if a.Cost != 1800000 || a.Workload != 3 {
			t.Errorf("tunnel %s: cost %v workload %v, want 1800000 3", a.ID, a.Cost, a.Workload)
		}
	}
	if tunnels == 0 {
		t.Errorf("no tunnel in the tiny instance")
	}
	v := vars[4]
	if v.Seed != 99 || v.TimeLimit != 5*time.Second || v.Threads != 2 || vars[0].Threads != 1 {
		t.Errorf("per-variation solver settings: seed %d, time limit %v, threads %d (default %d)",
			v.Seed, v.TimeLimit, v.Threads, vars[0].Threads)
	}
	if v.Key == vars[0].Key {
		t.Errorf("a different seed must change the cache key")
	}
}

// Paths under params take a short cut (the params alone go through JSON); any other
// path sends the whole instance through JSON. Both must give the same instance.
func TestParamsShortCutMatchesWholeInstance(t *testing.T) {
	b := writeBatch(t, t.TempDir(), `
base: tiny.json
variations:
  - name: params-only
    set: {params.contract_fixed_cost: 3000000}
    cost_model: {bridge: {cost_factor: 1.5}}
    without: ["29003"]
  - name: whole
    set: {params.contract_fixed_cost: 3000000, municipalities.29001.region: R1}
    cost_model: {bridge: {cost_factor: 1.5}}
    without: ["29003"]
`+testSolver)
	base, err := b.LoadBase(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.Expand(base)
	if err != nil {
		t.Fatal(err)
	}
	if vars[0].Key != vars[1].Key {
		t.Errorf("the same instance got two keys: %s and %s", vars[0].Key, vars[1].Key)
	}
	if got := vars[0].Instance.Assets[0].Cost; got != 268230*1.5 {
		t.Errorf("bridge A000001 costs %v in the variation", got)
	}
	// Untouched slices are shared with the base, changed ones are copies.
	if &vars[0].Instance.Depots[0] != &base.Depots[0] || &vars[0].Instance.Assets[0] == &base.Assets[0] ||
		&vars[0].Instance.Municipalities[0] == &base.Municipalities[0] {
		t.Errorf("slice sharing: depots shared %v, assets shared %v, municipalities shared %v",
			&vars[0].Instance.Depots[0] == &base.Depots[0], &vars[0].Instance.Assets[0] == &base.Assets[0],
			&vars[0].Instance.Municipalities[0] == &base.Municipalities[0])
	}
	// The variations never change the base they were expanded from.
	if base.Assets[0].Cost != 268230 || !base.Municipalities[1].Participating() || base.Params.ContractFixedCost != 2e6 {
		t.Errorf("Expand changed the base: cost %v, 29003 participates %v, F %v", base.Assets[0].Cost,
			base.Municipalities[1].Participating(), base.Params.ContractFixedCost)
	}
}

// Whole objects and lists can be set too, and reach the instance.
func TestSetObjectsAndLists(t *testing.T) {
	vars := expand(t, writeBatch(t, t.TempDir(), `
base: tiny.json
variations:
  - set:
      params.limits: {max_value: 9e7}
      params.equipment: {snooper_truck: 1, aerial_platform: 2, rope_access: 3, boat: 4, traffic_control: 5, rail_coordination: 6}
      assets.A000001.equipment: [boat, boat]
      municipalities.29001.region: R9
`+testSolver))
	inst := vars[0].Instance
	l := inst.Params.Limits
	if l.MaxValue == nil || *l.MaxValue != 9e7 || l.MinValue != nil || l.MaxAssets != nil {
		t.Errorf("limits %+v", l)
	}
	if inst.Params.Equipment["boat"] != 4 || len(inst.Params.Equipment) != 6 {
		t.Errorf("equipment %v", inst.Params.Equipment)
	}
	if a := inst.Assets[0]; len(a.Equipment) != 2 || a.Equipment[0] != "boat" {
		t.Errorf("asset A000001 equipment %v", a.Equipment)
	}
	if inst.Municipalities[0].Region != "R9" {
		t.Errorf("region %q", inst.Municipalities[0].Region)
	}
}

func TestBadPathRejectedUpFront(t *testing.T) {
	got := expandErr(t, `
base: tiny.json
variations:
  - name: typo
    set: {params.limits.max_valu: 5e7}
`)
	want := `variation "typo": params.limits.max_valu: no field "max_valu" in params.limits (fields: min_value, max_value, max_workload, max_assets, max_distance_km)`
	if got != want {
		t.Errorf("error\n%s\nwant\n%s", got, want)
	}
}

func TestBadGridPathNamesVariationOnce(t *testing.T) {
	got := expandErr(t, `
base: tiny.json
grid:
  params.fixed_cost: [1, 2, 3]
`)
	want := `variation "fixed_cost=1": params.fixed_cost: no field "fixed_cost" in params ` +
		`(fields: currency, contract_fixed_cost, travel_cost_per_km, circuity, equipment, disciplines, ` +
		`mixed_discipline_surcharge, limits, region_locked, require_individual_rationality) (and 2 more variations)`
	if got != want {
		t.Errorf("error\n%s\nwant\n%s", got, want)
	}
}

func TestWrongTypeRejected(t *testing.T) {
	cases := []struct{ set, want string }{
		{`params.contract_fixed_cost: "3M"`, `variation "v1": params.contract_fixed_cost: expected a number, found string "3M"`},
		{`params.contract_fixed_cost: null`, `variation "v1": params.contract_fixed_cost: expected a number, found null`},
		{`params.limits.max_assets: 12.5`, `variation "v1": params.limits.max_assets: expected an integer or null, found number 12.5`},
		{`params.region_locked: "yes"`, `variation "v1": params.region_locked: expected a boolean, found string "yes"`},
		{`params.equipment.boat: [1]`, `variation "v1": params.equipment.boat: expected a number, found a list`},
		{`params.equipment.hovercraft: 1`, `variation "v1": params.equipment.hovercraft: no entry "hovercraft" in params.equipment ` +
			`(entries: aerial_platform, boat, rail_coordination, rope_access, snooper_truck, traffic_control); set the whole mapping to add one`},
		{`municipalities.29001.participates: 0`, `variation "v1": municipalities.29001.participates: expected a boolean or null, found number 0`},
		{`municipalities.99999.participates: false`, `variation "v1": municipalities.99999: no element of municipalities with code "99999" in the base instance`},
		{`params.contract_fixed_cost.x: 1`, `variation "v1": params.contract_fixed_cost.x: params.contract_fixed_cost is a number, it has no field "x"`},
		{`params.contract_fixed_cost: -5`, `variation "v1": params.contract_fixed_cost: must be a finite number ≥ 0, found -5`},
		{`solver.workers: 2`, `variation "v1": solver.workers: unknown solver setting (settings: solver.time_limit, solver.seed, solver.max_iterations, solver.threads)`},
		{`params.equipment: {snooper_truck: 600000, boat: "cheap"}`, `variation "v1": params.equipment.boat: expected a number, found string "cheap"`},
		{`params.limits: {max_value: 5e7, max_bundles: 3}`, `variation "v1": params.limits.max_bundles: no field "max_bundles" (fields: min_value, max_value, max_workload, max_assets, max_distance_km)`},
		{`params.limits: 5`, `variation "v1": params.limits: expected an object, found number 5`},
		{`assets.A000001.equipment: [snooper_truck, 3]`, `variation "v1": assets.A000001.equipment[1]: expected a string, found number 3`},
		{`assets.A000001: {cost: 1}`, `variation "v1": assets.A000001: set the fields of an element one by one (assets.A000001.FIELD)`},
		{`assets.A000001.equipment: [hovercraft]`, `variation "v1": assets[0].equipment[0]: "hovercraft" has no price in params.equipment`},
		{`solver.threads: 0`, `variation "v1": solver.threads: expected a number of threads ≥ 1, found number 0`},
	}
	for _, c := range cases {
		got := expandErr(t, "base: tiny.json\nvariations:\n  - set: {"+c.set+"}\n")
		if got != c.want {
			t.Errorf("set %s:\n got %s\nwant %s", c.set, got, c.want)
		}
	}
}

func TestUnknownMunicipalityAndKind(t *testing.T) {
	got := expandErr(t, `
base: tiny.json
variations:
  - name: ghost
    without: ["29001", "29999"]
  - name: six-digit
    without: ["290017"]
  - name: brige
    cost_model: {brige: {cost_factor: 1.2}}
  - name: field
    cost_model: {bridge: {price_factor: 1.2}}
  - name: negative
    cost_model: {"*": {workload_factor: -1}}
`)
	want := strings.Join([]string{
		`variation "ghost": without: municipality "29999" is not in the instance (neither a code nor a name)`,
		`variation "brige": cost_model.brige.cost_factor: no asset of kind "brige" in the instance (kinds: bridge, footbridge, road_furniture, sewer_plant, tunnel, or * for all)`,
		`variation "field": cost_model.bridge.price_factor: unknown cost-model field "price_factor" (fields: cost, cost_factor, cost_add, workload, workload_factor)`,
		`variation "negative": cost_model.*.workload_factor: must be ≥ 0, found -1`,
	}, "\n")
	if got != want {
		t.Errorf("error\n%s\nwant\n%s", got, want)
	}
}

func TestParseRejectsBadShape(t *testing.T) {
	cases := []struct{ text, want string }{
		{"grid: {params.circuity: [1.2]}\n", `b.yaml: base: missing: name an instance file (base: nara.json) or a scenario (base: {scenario: 3, db: tabane.db})`},
		{"base: x.json\ngrid: {params.circuity: 1.2}\n", `b.yaml: grid.params.circuity (line 2): expected a non-empty list of values, e.g. [50e6, 80e6]`},
		{"base: x.json\nsolver: {time_limit: soon}\n", `b.yaml: solver.time_limit (line 2): expected a duration such as 30s or a number of seconds, found "soon"`},
		{"base: x.json\nvariatons: []\n", "b.yaml: yaml: unmarshal errors:\n  line 2: field variatons is not a key of the batch (keys: name, description, base, bases, solver, grid, variations)"},
		{"base: x.json\nvariations: [{name: a, sets: {}}]\n", "b.yaml: yaml: unmarshal errors:\n  line 2: field sets is not a key of a variation (keys: name, set, without, cost_model, time_limit, seed)"},
		{"base: {file: x.json}\n", "b.yaml: base.file (line 1): not a key of base (keys: instance, scenario, db)"},
		{"base: {scenario: three}\n", "b.yaml: base (line 1): yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `three` into int64"},
		{"# nothing\n", "b.yaml: the batch file is empty"},
		{"base: null\n", "b.yaml: base (line 1): empty: name an instance file (base: nara.json) or a scenario (base: {scenario: 3, db: tabane.db})"},
		{"base: [a.json]\n", "b.yaml: base (line 1): expected a file name or a mapping"},
		{"base: x.json\nsolver: {threads: 0}\n", `b.yaml: solver.threads (line 2): expected a number of threads ≥ 1, found number 0`},
		{"base: x.json\ngrid: {without: [[]]}\nvariations: [{name: a, without: [\"29001\"]}]\n", `b.yaml: variations[0]: variation "a" sets without, which the grid also sweeps`},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.text), "b.yaml")
		if err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q):\n got %v\nwant %s", c.text, err, c.want)
		}
	}
}

func TestBaseScenarioNeedsSource(t *testing.T) {
	b, err := Parse([]byte("base: {scenario: 3, db: tabane.db}\n"), "dir/b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if b.Base.Scenario != 3 || b.Base.DB != filepath.Join("dir", "tabane.db") {
		t.Fatalf("base = %+v", b.Base)
	}
	if _, err := b.LoadBase(context.Background(), nil); !errors.Is(err, ErrNoScenarioSource) {
		t.Fatalf("LoadBase without a source: %v", err)
	}
	inst := &solver.Instance{Name: "from-db"}
	got, err := b.LoadBase(context.Background(), ScenarioFunc(func(_ context.Context, db string, id int64) (*solver.Instance, error) {
		if db != filepath.Join("dir", "tabane.db") || id != 3 {
			t.Errorf("source called with %q %d", db, id)
		}
		return inst, nil
	}))
	if err != nil || got != inst {
		t.Fatalf("LoadBase = %v, %v", got, err)
	}
}

// countingSolve wraps the real solver and counts its calls.
func countingSolve(n *atomic.Int32) SolveFunc {
	return func(ctx context.Context, m *solver.Model, opt solver.SolveOptions) (*solver.Result, error) {
		n.Add(1)
		return solver.Solve(ctx, m, opt)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func column(t *testing.T, recs [][]string, name string) []string {
	t.Helper()
	for j, h := range recs[0] {
		if h == name {
			var out []string
			for _, r := range recs[1:] {
				out = append(out, r[j])
			}
			return out
		}
	}
	t.Fatalf("no column %q in %v", name, recs[0])
	return nil
}

const endToEndBatch = `
base: tiny.json
grid:
  params.contract_fixed_cost: [1000000, 2000000, FIXED3]
variations:
  - name: all
  - name: no-29001
    without: ["29001"]
`

func TestEndToEndWithCache(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	text := strings.Replace(endToEndBatch, "FIXED3", "3000000", 1) + testSolver
	vars := expand(t, writeBatch(t, dir, text))
	if len(vars) != 6 {
		t.Fatalf("%d variations, want 6", len(vars))
	}

	var solves atomic.Int32
	var progress []int
	onRow := map[int]bool{}
	rows, err := Run(context.Background(), vars, RunOptions{Parallel: 2, CacheDir: cache, Solve: countingSolve(&solves),
		OnRow: func(r Row) { onRow[r.Index] = true },
		Progress: func(done, total int) {
			if len(onRow) != done {
				t.Errorf("progress %d after %d rows", done, len(onRow))
			}
			if total != 6 {
				t.Errorf("progress total %d", total)
			}
			progress = append(progress, done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if solves.Load() != 6 {
		t.Errorf("first run solved %d variations, want 6", solves.Load())
	}
	if want := []int{0, 1, 2, 3, 4, 5, 6}; !equalInts(progress, want) {
		t.Errorf("progress calls %v, want %v", progress, want)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 6", len(rows))
	}
	for i, r := range rows {
		if r.Index != i+1 || r.Name != vars[i].Name || r.Cached || !r.Feasible || r.Plan == nil || r.Error != "" {
			t.Fatalf("row %d: %+v", i+1, r)
		}
		// The row reports the evaluator's numbers for its own variation.
		ev := solver.Evaluate(compile(t, vars[i]), r.Plan)
		if !ev.Feasible || ev.Cost != r.Cost || ev.StandaloneTotal != r.StandaloneTotal || ev.SavingPct != r.SavingPct {
			t.Errorf("row %d: cost %v standalone %v saving %v; evaluator %v %v %v", i+1, r.Cost,
				r.StandaloneTotal, r.SavingPct, ev.Cost, ev.StandaloneTotal, ev.SavingPct)
		}
		if r.Bundles != len(r.Plan.Bundles) || r.Bundles == 0 {
			t.Errorf("row %d: bundles %d", i+1, r.Bundles)
		}
	}
	// A dearer contract raises the standalone baseline by F per standalone contract.
	if rows[1].StandaloneTotal <= rows[0].StandaloneTotal {
		t.Errorf("standalone total did not grow with the fixed cost: %v then %v", rows[0].StandaloneTotal, rows[1].StandaloneTotal)
	}

	out := filepath.Join(dir, "out")
	stale := filepath.Join(out, PlansDir, "099-old.json")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteOutputs(out, rows, Output{Lang: En}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a plan of an earlier batch stayed in plans/ (%v)", err)
	}
	recs := readCSV(t, filepath.Join(out, ResultsCSV))
	if len(recs) != 7 {
		t.Fatalf("results.csv has %d lines, want 7 (header + 6)", len(recs))
	}
	if got := column(t, recs, "params.contract_fixed_cost"); !equalStrings(got, []string{"1000000", "2000000", "3000000", "1000000", "2000000", "3000000"}) {
		t.Errorf("contract_fixed_cost column %v", got)
	}
	if got := column(t, recs, "without"); !equalStrings(got, []string{"", "", "", "29001", "29001", "29001"}) {
		t.Errorf("without column %v", got)
	}
	if got := column(t, recs, "cached"); !equalStrings(got, []string{"no", "no", "no", "no", "no", "no"}) {
		t.Errorf("cached column %v", got)
	}
	for i, p := range column(t, recs, "plan") {
		raw, err := os.ReadFile(filepath.Join(out, p))
		if err != nil {
			t.Fatalf("row %d plan: %v", i+1, err)
		}
		plan, err := solver.ReadPlan(bytes.NewReader(raw))
		if err != nil || len(plan.Bundles) != rows[i].Bundles {
			t.Errorf("row %d plan file %s: %v, %d bundles", i+1, p, err, len(plan.Bundles))
		}
	}
	md, err := os.ReadFile(filepath.Join(out, ResultsMD))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(md), "\n| "); n != 6 {
		t.Errorf("results.md has %d table rows, want 6:\n%s", n, md)
	}
	checkChart(t, out)

	// Second run: every row from the cache, no solve.
	solves.Store(0)
	again, err := Run(context.Background(), expand(t, writeBatch(t, dir, text)), RunOptions{Parallel: 2, CacheDir: cache, Solve: countingSolve(&solves)})
	if err != nil {
		t.Fatal(err)
	}
	if solves.Load() != 0 {
		t.Errorf("second run solved %d variations, want 0", solves.Load())
	}
	for i, r := range again {
		if !r.Cached || r.Cost != rows[i].Cost || r.Gap != rows[i].Gap || r.Seconds != rows[i].Seconds {
			t.Errorf("row %d on the second run: cached %v cost %v (was %v)", i+1, r.Cached, r.Cost, rows[i].Cost)
		}
	}
	out2 := filepath.Join(dir, "out2")
	if err := WriteOutputs(out2, again, Output{Lang: En}); err != nil {
		t.Fatal(err)
	}
	if got := column(t, readCSV(t, filepath.Join(out2, ResultsCSV)), "cached"); !equalStrings(got, []string{"yes", "yes", "yes", "yes", "yes", "yes"}) {
		t.Errorf("cached column on the second run %v", got)
	}

	// Change one grid value: only its two rows solve again.
	solves.Store(0)
	changed := strings.Replace(endToEndBatch, "FIXED3", "3500000", 1) + testSolver
	third, err := Run(context.Background(), expand(t, writeBatch(t, dir, changed)), RunOptions{Parallel: 1, CacheDir: cache, Solve: countingSolve(&solves)})
	if err != nil {
		t.Fatal(err)
	}
	if solves.Load() != 2 {
		t.Errorf("third run solved %d variations, want 2", solves.Load())
	}
	for i, r := range third {
		if want := i != 2 && i != 5; r.Cached != want {
			t.Errorf("row %d (%s) cached = %v, want %v", i+1, r.Name, r.Cached, want)
		}
	}
}

func checkChart(t *testing.T, dir string) {
	t.Helper()
	svg, err := os.ReadFile(filepath.Join(dir, ChartSVG))
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") || !strings.HasSuffix(strings.TrimSpace(s), "</svg>") {
		t.Errorf("chart.svg is not an SVG document: %.80q … %.40q", s, s[max(0, len(s)-40):])
	}
	// Well-formed XML whose root is an svg element.
	dec := xml.NewDecoder(strings.NewReader(s))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart.svg is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("chart.svg root element %q, want svg", root)
	}
	if !strings.Contains(s, "saving %") {
		t.Errorf("chart.svg lacks the saving axis label")
	}
	f, err := os.Open(filepath.Join(dir, ChartPNG))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("chart.png: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 768 || b.Dy() != 672 {
		t.Errorf("chart.png is %dx%d, want 768x672", b.Dx(), b.Dy())
	}
}

// Two variations that come to the same instance and settings solve once.
func TestTwinVariationsSolveOnce(t *testing.T) {
	vars := expand(t, writeBatch(t, t.TempDir(), `
base: tiny.json
variations:
  - name: base
  - name: same-fixed-cost
    set: {params.contract_fixed_cost: 2000000}
  - name: other
    set: {params.contract_fixed_cost: 2500000}
`+testSolver))
	if vars[0].Key != vars[1].Key || vars[0].Key == vars[2].Key {
		t.Fatalf("keys %.8s %.8s %.8s", vars[0].Key, vars[1].Key, vars[2].Key)
	}
	var solves atomic.Int32
	rows, err := Run(context.Background(), vars, RunOptions{Parallel: 2, Solve: countingSolve(&solves)})
	if err != nil {
		t.Fatal(err)
	}
	if solves.Load() != 2 || len(rows) != 3 {
		t.Fatalf("%d solves, %d rows; want 2, 3", solves.Load(), len(rows))
	}
	if rows[0].Cached || !rows[1].Cached || rows[2].Cached || rows[1].Cost != rows[0].Cost || rows[1].Name != "same-fixed-cost" {
		t.Errorf("rows: %+v\n%+v", rows[0], rows[1])
	}

	// An explicit list charts as bars, one per variation, in the series colours.
	out := filepath.Join(t.TempDir(), "out")
	if err := WriteOutputs(out, rows, Output{Lang: En}); err != nil {
		t.Fatal(err)
	}
	checkChart(t, out)
	f, err := os.Open(filepath.Join(out, ChartPNG))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	saving, cost := 0, 0
	wantSaving, wantCost := color.RGBAModel.Convert(plotutil.Color(0)), color.RGBAModel.Convert(plotutil.Color(2))
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			switch color.RGBAModel.Convert(img.At(x, y)) {
			case wantSaving:
				saving++
			case wantCost:
				cost++
			}
		}
	}
	// Three bars of 28 points (37 pixels at 96 dpi) wide, each many pixels high.
	if saving < 3*30*20 || cost < 3*30*20 {
		t.Errorf("bar pixels: saving %d, cost %d", saving, cost)
	}
}

func TestCancelKeepsFinishedRows(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	text := strings.Replace(endToEndBatch, "FIXED3", "3000000", 1) + testSolver
	vars := expand(t, writeBatch(t, dir, text))[:3]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var solves atomic.Int32
	rows, err := Run(ctx, vars, RunOptions{Parallel: 1, CacheDir: cache, Solve: countingSolve(&solves),
		Progress: func(done, total int) {
			if done == 1 {
				cancel() // Ctrl-C after the first variation finished
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v", err)
	}
	if len(rows) != 1 || rows[0].Index != 1 || rows[0].Plan == nil {
		t.Fatalf("rows after cancel: %+v", rows)
	}
	entries, _ := filepath.Glob(filepath.Join(cache, "*.json"))
	if len(entries) != 1 {
		t.Errorf("%d cache entries after cancel, want 1", len(entries))
	}
	// Resume: the finished row comes from the cache, the two others solve.
	solves.Store(0)
	rows, err = Run(context.Background(), vars, RunOptions{Parallel: 1, CacheDir: cache, Solve: countingSolve(&solves)})
	if err != nil {
		t.Fatal(err)
	}
	if solves.Load() != 2 || len(rows) != 3 || !rows[0].Cached || rows[1].Cached || rows[2].Cached {
		t.Errorf("resume: %d solves, %d rows", solves.Load(), len(rows))
	}
}

func TestInfeasibleVariationRow(t *testing.T) {
	dir := t.TempDir()
	vars := expand(t, writeBatch(t, dir, `
base: tiny.json
variations:
  - name: tiny-cap
    set: {params.limits.max_value: 1000000, params.limits.min_value: null}
`+testSolver))
	rows, err := Run(context.Background(), vars, RunOptions{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Feasible || rows[0].Plan != nil || !strings.HasPrefix(rows[0].Error, "infeasible: ") {
		t.Fatalf("row: %+v", rows[0])
	}
	out := filepath.Join(dir, "out")
	if err := WriteOutputs(out, rows, Output{Lang: En}); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, filepath.Join(out, ResultsCSV))
	if len(recs) != 2 || column(t, recs, "feasible")[0] != "no" || column(t, recs, "total_cost")[0] != "" {
		t.Errorf("results.csv: %v", recs)
	}
	checkChart(t, out)

	// A numeric sweep where nothing is feasible still draws its (empty) chart.
	vars = expand(t, writeBatch(t, dir, `
base: tiny.json
grid:
  params.limits.max_value: [1000000, 1500000]
  params.limits.min_value: [null]
`+testSolver))
	rows, err = Run(context.Background(), vars, RunOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Feasible || rows[1].Feasible {
		t.Fatalf("rows: %+v", rows)
	}
	if l := Layout(rows); !l.Numeric || l.XKey != "params.limits.max_value" {
		t.Errorf("layout %+v", l)
	}
	out = filepath.Join(dir, "out2")
	if err := WriteOutputs(out, rows, Output{Lang: En}); err != nil {
		t.Fatal(err)
	}
	checkChart(t, out)
}

func TestLayout(t *testing.T) {
	row := func(spec string, ov ...Assignment) Row { return Row{Spec: spec, Overrides: ov} }
	g := func(k string, v any) Assignment { return Assignment{Key: k, Value: v, Grid: true} }
	noMix := Assignment{Key: "params.mixed_discipline_surcharge", Value: nil}
	rows := []Row{
		row("all", g("without", []any{}), g("params.limits.max_value", 5e7), g("params.contract_fixed_cost", 2e6)),
		row("all", g("without", []any{}), g("params.limits.max_value", 8e7), g("params.contract_fixed_cost", 2e6)),
		row("no-mix", noMix, g("without", []any{"29001"}), g("params.limits.max_value", 5e7), g("params.contract_fixed_cost", 2e6)),
		row("no-mix", noMix, g("without", []any{"29001"}), g("params.limits.max_value", 8e7), g("params.contract_fixed_cost", 2e6)),
	}
	l := Layout(rows)
	if l.XKey != "params.limits.max_value" || !l.Numeric || !l.BySpec || !equalStrings(l.SeriesKeys, []string{"without"}) {
		t.Fatalf("layout %+v", l)
	}
	if s := l.Series(&rows[0], Output{Lang: En}); s != "all Not participating=none" {
		t.Errorf("series of row 1 = %q", s)
	}
	if s := l.Series(&rows[3], Output{Lang: En}); s != "no-mix Not participating=29001" {
		t.Errorf("series of row 4 = %q", s)
	}
	cat := Layout([]Row{row("", g("without", []any{})), row("", g("without", []any{"29001"}))})
	if cat.Numeric || cat.XKey != "without" || cat.BySpec || !equalStrings(cat.Categories, []string{"none", "29001"}) {
		t.Errorf("categorical layout %+v", cat)
	}
	// An explicit list without a grid: the variations are the categories.
	list := []Row{{Name: "today", Spec: "today"}, {Name: "fixed-3m", Spec: "fixed-3m",
		Overrides: []Assignment{{Key: "params.contract_fixed_cost", Value: 3e6}}}}
	bars := Layout(list)
	if bars.XKey != "" || bars.Numeric || bars.BySpec || !equalStrings(bars.Categories, []string{"today", "fixed-3m"}) {
		t.Errorf("list layout %+v", bars)
	}
}

func TestPlainTicks(t *testing.T) {
	at := plainTicks{at: []float64{5e7, 8e7, 1.2e8}}.Ticks(0, 2e8)
	if len(at) != 3 || at[0].Label != "50000000" || at[2].Value != 1.2e8 || at[2].Label != "120000000" {
		t.Errorf("ticks at the swept values: %+v", at)
	}
	for _, tk := range (plainTicks{}).Ticks(0, 2e8) {
		if strings.Contains(tk.Label, "e+") {
			t.Errorf("default tick label %q has an exponent", tk.Label)
		}
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgressBar(&buf, false)
	now := time.Unix(0, 0)
	p.now = func() time.Time { return now }
	p.Update(2, 6) // two from the cache
	now = now.Add(10 * time.Second)
	p.Update(3, 6)
	p.Update(3, 6) // no change, no line
	now = now.Add(20 * time.Second)
	p.Update(6, 6)
	want := "whatif: 2/6 variations done (33%), ETA —\n" +
		"whatif: 3/6 variations done (50%), ETA 30s\n" +
		"whatif: 6/6 variations done (100%), done in 30s\n"
	if buf.String() != want {
		t.Errorf("plain progress\n%s\nwant\n%s", buf.String(), want)
	}

	buf.Reset()
	p = NewProgressBar(&buf, true)
	p.now = func() time.Time { return now }
	p.Update(0, 4)
	now = now.Add(4 * time.Second)
	p.Update(1, 4)
	p.Finish() // interrupted: end the line
	p.Finish()
	want = "\r[------------------------------] 0/4   0%  ETA —\x1b[K" +
		"\r[#######-----------------------] 1/4  25%  ETA 12s\x1b[K\n"
	if buf.String() != want {
		t.Errorf("terminal progress\n%q\nwant\n%q", buf.String(), want)
	}
	buf.Reset()
	p = NewProgressBar(&buf, true)
	p.now = func() time.Time { return now }
	p.Update(2, 2)
	p.Finish() // a finished bar has its newline already
	if want := "\r[##############################] 2/2 100%  done in 0s\x1b[K\n"; buf.String() != want {
		t.Errorf("finished terminal progress %q, want %q", buf.String(), want)
	}
	if IsTerminal(&buf) {
		t.Errorf("a buffer is not a terminal")
	}
}

// The two example batches of the README read and expand (JSON as well as YAML).
func TestExamplesExpand(t *testing.T) {
	for _, c := range []struct {
		file  string
		names []string
	}{
		{"whatif-summit.yaml", []string{"today", "fixed-3m", "without-nara-city", "no-road-sewer-mix", "cap-50m", "bridges-plus-20pct"}},
		{"whatif-cap-fixed-cost.json", []string{
			"max_value=50000000 contract_fixed_cost=2000000", "max_value=50000000 contract_fixed_cost=3000000",
			"max_value=80000000 contract_fixed_cost=2000000", "max_value=80000000 contract_fixed_cost=3000000",
			"max_value=120000000 contract_fixed_cost=2000000", "max_value=120000000 contract_fixed_cost=3000000"}},
		{"whatif-programme.yaml", []string{
			"min-5m contract_years=1 budgets.*=1", "min-5m contract_years=1 budgets.*=1.5", "min-5m contract_years=1 budgets.*=2",
			"min-5m contract_years=5 budgets.*=1", "min-5m contract_years=5 budgets.*=1.5", "min-5m contract_years=5 budgets.*=2"}},
	} {
		path := filepath.Join("..", "..", "examples", c.file)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Parse(raw, path)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		var names []string
		for _, v := range expand(t, b) {
			names = append(names, v.Name)
		}
		if !equalStrings(names, c.names) {
			t.Errorf("%s: variations %q", c.file, names)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A chart of no rows is an error, not a panic inside the plotting library.
func TestChartWithNothingToDraw(t *testing.T) {
	var buf bytes.Buffer
	for name, write := range map[string]func() error{
		"svg": func() error { return WriteChartSVG(&buf, nil, Output{}) },
		"png": func() error { return WriteChartPNG(&buf, []Row{}, Output{}) },
	} {
		if err := write(); !errors.Is(err, ErrNothingToChart) {
			t.Errorf("%s: err = %v, want ErrNothingToChart", name, err)
		}
	}
}
