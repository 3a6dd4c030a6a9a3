package whatif

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

// The programme instances of the solver's tests: pp-budget is pp-tiny (95 assets due
// FY2026–2030, ten municipalities) with a yearly budget for eight of them.
var (
	ppTiny   = filepath.Join("..", "..", "solver", "testdata", "pp-tiny.json")
	ppBudget = filepath.Join("..", "..", "solver", "testdata", "pp-budget.json")
)

// programmeBatch parses a batch whose base is the programme instance at path.
func programmeBatch(t *testing.T, path, text string) *Batch {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	text = "base: " + abs + "\n" + text
	b, err := Parse([]byte(text), filepath.Join(t.TempDir(), "batch.yaml"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return b
}

// batchErr expands a parsed batch that must fail and returns the error text.
func batchErr(t *testing.T, b *Batch) string {
	t.Helper()
	base, err := b.LoadBase(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.Expand(base)
	if err == nil {
		t.Fatalf("Expand accepted the batch (%d variations)", len(vars))
	}
	var be *BatchError
	if !errors.As(err, &be) {
		t.Fatalf("error %v is %T, not *BatchError", err, err)
	}
	return err.Error()
}

func compileProgramme(t *testing.T, v Variation) *solver.Programme {
	t.Helper()
	p, err := solver.CompileProgramme(v.Instance)
	if err != nil {
		t.Fatalf("variation %q: %v", v.Name, err)
	}
	return p
}

// TestProgrammePathsExpand: each programme path changes exactly its field; the budget
// factor multiplies every budget after the variation's other paths, a budget set by
// the variation included.
func TestProgrammePathsExpand(t *testing.T) {
	b := programmeBatch(t, ppBudget, `
variations:
  - name: base
  - name: five-year-lots
    set: {programme.contract_years: 5, programme.advance_max_years: 0}
  - name: capped
    set: {programme.year_limits.max_value: 21e6, programme.year_limits.max_workload: 150}
  - name: half-budgets
    set: {programme.budgets.*: 0.5}
  - name: own-budget-doubled
    set: {programme.budgets.町01: [1e6, 2e6, 3e6, 4e6, 5e6], programme.budgets.29019: null, programme.budgets.*: 2}
  - name: no-budgets
    set: {programme.budgets: null}
`)
	base, err := b.LoadBase(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.Expand(base)
	if err != nil {
		t.Fatalf("Expand: %v", err)
	}
	if len(vars) != 6 {
		t.Fatalf("%d variations, want 6", len(vars))
	}
	ps := make([]*solver.Programme, len(vars))
	for i, v := range vars {
		ps[i] = compileProgramme(t, v)
	}
	budget := func(p *solver.Programme, code string) []float64 { return p.Budgets[p.MuniIndex[code]] }
	// The base: pp-budget's figures.
	if p := ps[0]; p.ContractYears != 1 || p.AdvanceMaxYears != 2 || !math.IsInf(p.YearMaxValue, 1) ||
		!slices.Equal(budget(p, "29001"), []float64{4607188, 4607188, 4607188, 4607188, 4607188}) || budget(p, "29007") != nil {
		t.Errorf("base: L=%d advance=%d cap=%v budget 29001 %v 29007 %v", p.ContractYears, p.AdvanceMaxYears,
			p.YearMaxValue, budget(p, "29001"), budget(p, "29007"))
	}
	if p := ps[1]; p.ContractYears != 5 || p.AdvanceMaxYears != 0 {
		t.Errorf("five-year-lots: L=%d advance=%d, want 5 and 0", p.ContractYears, p.AdvanceMaxYears)
	}
	if p := ps[2]; p.YearMaxValue != 21e6 || p.YearMaxWorkload != 150 || p.ContractYears != 1 {
		t.Errorf("capped: value cap %v workload cap %v L=%d", p.YearMaxValue, p.YearMaxWorkload, p.ContractYears)
	}
	if got := budget(ps[3], "29019"); !slices.Equal(got, []float64{1709929, 1709929, 1709929, 1709929, 1709929}) {
		t.Errorf("half-budgets: 29019 %v, want 3,419,858 / 2 every year", got)
	}
	if got := budget(ps[4], "29001"); !slices.Equal(got, []float64{2e6, 4e6, 6e6, 8e6, 10e6}) {
		t.Errorf("own-budget-doubled: 29001 (町01) %v, want the list set, doubled", got)
	}
	if got := budget(ps[4], "29019"); got != nil {
		t.Errorf("own-budget-doubled: 29019 %v, want none (set to null)", got)
	}
	if got := budget(ps[4], "29003"); !slices.Equal(got, []float64{11585354, 11585354, 11585354, 11585354, 11585354}) {
		t.Errorf("own-budget-doubled: 29003 %v, want 5,792,677 doubled", got)
	}
	for code := range ps[5].MuniIndex {
		if got := budget(ps[5], code); got != nil {
			t.Errorf("no-budgets: %s still has %v", code, got)
		}
	}
	// The base instance is untouched, and the names follow the short keys.
	if got := string(base.Programme.Budgets["29001"]); got != "4607188" {
		t.Errorf("the base's budget of 29001 became %s", got)
	}
	if vars[1].Name != "five-year-lots" || ShortKey("programme.budgets.*") != "budgets.*" {
		t.Errorf("names: %q, %q", vars[1].Name, ShortKey("programme.budgets.*"))
	}
}

// TestProgrammePathErrors: every problem names the variation, the path and, for a
// programme path, its line in the batch file.
func TestProgrammePathErrors(t *testing.T) {
	cases := []struct {
		name, base, batch, want string
	}{
		{"unknown field", ppBudget, `variations:
  - name: typo
    set: {programme.contrac_years: 5}`,
			`variation "typo": programme.contrac_years (line 4): no field "contrac_years" in programme (fields: first_fy, years, cycle_years, advance_max_years, contract_years, year_limits, budgets)`},
		{"unknown grid field", ppBudget, `grid:
  programme.year_limits.max_valu: [1e6, 2e6]`,
			`variation "year_limits.max_valu=1000000": programme.year_limits.max_valu (line 3): no field "max_valu" in programme.year_limits (fields: max_value, max_workload) (and 1 more variations)`},
		{"model refuses", ppBudget, `grid:
  programme.contract_years: [2]`,
			`variation "contract_years=2": programme.contract_years (line 3): 2 does not divide years 5 (lots run in aligned blocks)`},
		{"budget list length", ppBudget, `variations:
  - name: short
    set:
      programme.budgets.29001: [1e6, 2e6]`,
			`variation "short": programme.budgets.29001 (line 5): 2 values for 5 years`},
		{"budget type", ppBudget, `variations:
  - name: words
    set: {programme.budgets.29001: "5M"}`,
			`variation "words": programme.budgets.29001 (line 4): expected a number (the same budget every year) or a list of one number per year, found string "5M"`},
		{"unknown municipality", ppBudget, `variations:
  - name: ghost
    set: {programme.budgets.29999: 1e6}`,
			`variation "ghost": programme.budgets.29999 (line 4): municipality "29999" is not in the instance (neither a code nor a name)`},
		{"negative factor", ppBudget, `grid:
  programme.budgets.*: [-1]`,
			`variation "budgets.*=-1": programme.budgets.* (line 3): expected a factor ≥ 0 that multiplies every budget, found number -1`},
		{"nothing to scale", ppTiny, `grid:
  programme.budgets.*: [0.9]`,
			`variation "budgets.*=0.9": programme.budgets.* (line 3): the variation's programme has no budgets to scale: set programme.budgets (or programme.budgets.CODE) first`},
		{"whole programme", ppTiny, `variations:
  - name: all
    set: {programme: {years: 3}}`,
			`variation "all": programme (line 4): set the programme's fields one by one (programme.contract_years, programme.year_limits.max_value, programme.budgets.CODE, programme.budgets.*)`},
		{"version-1 base", filepath.Join("testdata", "tiny.json"), `grid:
  programme.contract_years: [1, 5]`,
			`variation "contract_years=1": programme.contract_years (line 3): the base is a version-1 instance without a programme: programme fields need a version-2 base (docs/programme.md) (and 1 more variations)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := batchErr(t, programmeBatch(t, c.base, c.batch)); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

// The batch of TestProgrammeBatch: pp-budget with min_value lowered so that each due
// year alone has a plan too (FY2030's assets are worth ¥6.56M at most, below pp-tiny's
// ¥8M), yearly lots against one five-year lot, budgets doubled (pp-budget's own have no
// feasible plan). Runs end by their iteration caps.
const programmeBatchText = `
name: programme
solver: {time_limit: 120s, seed: 1, max_iterations: 20, threads: 1}
variations:
  - name: low-min
    set: {params.limits.min_value: 5000000}
grid:
  programme.contract_years: [1, 5]
  programme.budgets.*: [2]
`

// TestProgrammeBatch runs a programme batch through the real solvers and checks its
// rows, results.csv and plan files against figures the test computes itself: the plan
// re-evaluated, year-by-year planning run again.
func TestProgrammeBatch(t *testing.T) {
	b := programmeBatch(t, ppBudget, programmeBatchText)
	base, err := b.LoadBase(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.Expand(base)
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	rows, err := Run(context.Background(), vars, RunOptions{Parallel: 2, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := WriteOutputs(out, rows, NewOutput(En, b.Name, base)); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, filepath.Join(out, ResultsCSV))
	wantHead := "index,variation,params.limits.min_value,programme.contract_years,programme.budgets.*," +
		"feasible,total_cost,standalone_total,saving,saving_pct,bundles,lower_bound,gap_pct,ir_violations,ir_municipalities," +
		"value_fy2026,value_fy2027,value_fy2028,value_fy2029,value_fy2030,value_max_min," +
		"yearly_total,yearly_saving,yearly_saving_pct,yearly_note,seconds,cached,plan,error"
	if got := strings.Join(recs[0], ","); got != wantHead {
		t.Fatalf("results.csv header\n got %s\nwant %s", got, wantHead)
	}
	if len(recs) != 3 {
		t.Fatalf("%d rows in results.csv, want 2", len(recs)-1)
	}
	num := func(row []string, col string) float64 {
		t.Helper()
		s := column(t, [][]string{recs[0], row}, col)[0]
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s = %q: %v", col, s, err)
		}
		return x
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*max(1, math.Abs(b)) }

	for i, rec := range recs[1:] {
		r, v := &rows[i], &vars[i]
		wantL := []int{1, 5}[i]
		if rec[1] != []string{"low-min contract_years=1 budgets.*=2", "low-min contract_years=5 budgets.*=2"}[i] ||
			column(t, [][]string{recs[0], rec}, "feasible")[0] != "yes" {
			t.Fatalf("row %d: %v", i+1, rec)
		}
		// The programme total, computed again from the plan file.
		raw, err := os.ReadFile(filepath.Join(out, column(t, [][]string{recs[0], rec}, "plan")[0]))
		if err != nil {
			t.Fatal(err)
		}
		plan, err := solver.ReadPlan(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		p := compileProgramme(t, *v)
		ev := solver.EvaluateProgramme(p, plan)
		total := num(rec, "total_cost")
		if !ev.Feasible || !near(ev.Cost, total) || ev.ContractYears != wantL {
			t.Errorf("row %d: plan file re-evaluated: feasible %v, cost %.2f, L=%d; results.csv says %.2f, want L=%d",
				i+1, ev.Feasible, ev.Cost, ev.ContractYears, total, wantL)
		}
		for _, bu := range plan.Bundles {
			if bu.FY == nil || *bu.FY != 2026 && wantL == 5 {
				t.Errorf("row %d: lot %s has block %v", i+1, bu.ID, bu.FY)
			}
		}
		// The yearly values add up to the total; the ratio is theirs.
		sum, lo, hi := 0.0, math.Inf(1), 0.0
		for fy := 2026; fy <= 2030; fy++ {
			x := num(rec, "value_fy"+strconv.Itoa(fy))
			if !near(x, ev.Years[fy-2026].Value) {
				t.Errorf("row %d: value_fy%d %.2f, the evaluation says %.2f", i+1, fy, x, ev.Years[fy-2026].Value)
			}
			sum, lo, hi = sum+x, min(lo, x), max(hi, x)
		}
		if !near(sum, total) {
			t.Errorf("row %d: the yearly values add up to %.6f, the total is %.6f", i+1, sum, total)
		}
		ratio := column(t, [][]string{recs[0], rec}, "value_max_min")[0]
		if lo == 0 && ratio != "inf" || lo > 0 && !near(num(rec, "value_max_min"), round(hi/lo, 4)) {
			t.Errorf("row %d: value_max_min %s, the values give %v / %v", i+1, ratio, hi, lo)
		}
		// Year-by-year planning, run again here: each due year alone.
		yearly, err := solver.CompareYearly(context.Background(), p, solver.SolveOptions{TimeLimit: v.TimeLimit,
			Seed: v.Seed, Threads: v.Threads, MaxIterations: v.MaxIterations})
		if err != nil {
			t.Fatal(err)
		}
		if !yearly.Feasible {
			t.Fatalf("row %d: year by year has no plan here: %+v", i+1, yearly.Years)
		}
		if got := num(rec, "yearly_total"); !near(got, yearly.Total) {
			t.Errorf("row %d: yearly_total %.2f, planning each year alone again gives %.2f", i+1, got, yearly.Total)
		}
		if got, want := num(rec, "yearly_saving"), yearly.Total-ev.Cost; !near(got, want) {
			t.Errorf("row %d: yearly_saving %.2f, want yearly %.2f − programme %.2f = %.2f", i+1, got, yearly.Total, ev.Cost, want)
		}
		if got, want := num(rec, "yearly_saving_pct"), 100*(yearly.Total-ev.Cost)/yearly.Total; !near(got, round(want, 4)) {
			t.Errorf("row %d: yearly_saving_pct %v, want %v", i+1, got, want)
		}
		if note := column(t, [][]string{recs[0], rec}, "yearly_note")[0]; note != "" || r.Programme == nil ||
			r.Programme.ContractYears != wantL || len(r.Programme.Values) != 5 {
			t.Errorf("row %d: note %q, programme %+v", i+1, note, r.Programme)
		}
	}
	// Five-year lots cost less than yearly ones here (pp-multi's optimum is 10.7 % below
	// pp-tiny's), and the budget factor made the plans feasible.
	if !(rows[1].Cost < rows[0].Cost) {
		t.Errorf("five-year lots %.0f, yearly lots %.0f", rows[1].Cost, rows[0].Cost)
	}

	// The rows' JSON carries the programme's columns; read back (as the API stores rows),
	// they give the same table.
	raw, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	var back []Row
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	for i := range back {
		back[i].Plan = rows[i].Plan
	}
	var csv1, csv2 bytes.Buffer
	if err := WriteCSV(&csv1, rows, Ja); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&csv2, back, Ja); err != nil {
		t.Fatal(err)
	}
	if csv1.String() != csv2.String() {
		t.Errorf("results.csv from the rows' JSON differs:\n%s\n%s", csv1.String(), csv2.String())
	}
	jaHead := "番号,試算,params.limits.min_value,programme.contract_years,programme.budgets.*,実行可能,総費用（円）,単独合計（円）," +
		"削減額（円）,削減率（%）,契約数,下界（円）,ギャップ（%）,個別合理性違反数,個別合理性違反団体," +
		"2026年度の額（円）,2027年度の額（円）,2028年度の額（円）,2029年度の額（円）,2030年度の額（円）,年度額の最大／最小," +
		"年度別計画の合計（円）,年度別計画比の削減額（円）,年度別計画比の削減率（%）,年度別計画の注記,計算秒数,キャッシュ,計画ファイル,エラー"
	if got, _, _ := strings.Cut(csv1.String(), "\n"); got != jaHead {
		t.Errorf("Japanese header\n got %s\nwant %s", got, jaHead)
	}

	// Run again: every row from the cache, the same figures.
	again, err := Run(context.Background(), vars, RunOptions{Parallel: 2, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if !again[i].Cached || again[i].Cost != rows[i].Cost || again[i].Programme == nil ||
			*again[i].Programme.YearlySaving != *rows[i].Programme.YearlySaving || again[i].Plan.Schedule == nil {
			t.Errorf("row %d from the cache: cached %v cost %v programme %+v", i+1, again[i].Cached, again[i].Cost, again[i].Programme)
		}
	}

	// Two shards (their rows from the cache) merge to the same table, plans included.
	shards := t.TempDir()
	for i := range 2 {
		if _, err := RunShard(context.Background(), vars, Shard{i, 2}, shards, NewOutput(En, b.Name, base),
			RunOptions{Parallel: 1, CacheDir: cache}); err != nil {
			t.Fatal(err)
		}
	}
	_, merged, err := LoadShards(shards)
	if err != nil {
		t.Fatal(err)
	}
	csv1.Reset()
	csv2.Reset()
	if err := WriteCSV(&csv1, merged, En); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&csv2, again, En); err != nil {
		t.Fatal(err)
	}
	if csv1.String() != csv2.String() {
		t.Errorf("merged shards' results.csv\n%s\none machine's\n%s", csv1.String(), csv2.String())
	}
	for i := range merged {
		if merged[i].Plan == nil || len(merged[i].Plan.Schedule) != 95 || merged[i].ProgrammeReport == nil {
			t.Errorf("merged row %d lost its programme plan: %+v", i+1, merged[i].Plan)
		}
	}
}

// TestProgrammeColumnsWithoutYearByYear: a row whose years alone have no plan says so
// in results.csv and results.md (with the reasons), a year without inspections makes
// the ratio infinite, and a version-1 row of the same table gets empty cells.
func TestProgrammeColumnsWithoutYearByYear(t *testing.T) {
	saving, pct := 1500.0, 10.0
	total := 15000.0
	rows := []Row{
		{Index: 1, Name: "lumpy", Feasible: true, Cost: 100, Plan: &solver.Plan{}, Programme: &ProgrammeRow{
			FirstFY: 2026, Years: 2, ContractYears: 1,
			Values:    []YearValue{{FY: 2026, Value: 100}, {FY: 2027, Value: 0}},
			YearlyWhy: []string{"FY2027: below min_value"}}},
		{Index: 2, Name: "level", Feasible: true, Cost: 13500, Plan: &solver.Plan{}, Programme: &ProgrammeRow{
			FirstFY: 2027, Years: 2, ContractYears: 2, ValueRatio: solver.Finite(1.25),
			Values:         []YearValue{{FY: 2027, Value: 6000}, {FY: 2028, Value: 7500}},
			YearlyFeasible: true, YearlyTotal: &total, YearlySaving: &saving, YearlySavingPct: &pct}},
		{Index: 3, Name: "failed", Error: "solve variation: boom"},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rows, En); err != nil {
		t.Fatal(err)
	}
	want := `index,variation,feasible,total_cost,standalone_total,saving,saving_pct,bundles,lower_bound,gap_pct,ir_violations,ir_municipalities,value_fy2026,value_fy2027,value_fy2028,value_max_min,yearly_total,yearly_saving,yearly_saving_pct,yearly_note,seconds,cached,plan,error
1,lumpy,yes,100,0,0,0,0,0,0,0,,100,0,,inf,infeasible,infeasible,,FY2027: below min_value,0,no,plans/001-lumpy.json,
2,level,yes,13500,0,0,0,0,0,0,0,,,6000,7500,1.25,15000,1500,10,,0,no,plans/002-level.json,
3,failed,no,,,,,,,,,,,,,,,,,,0,no,,solve variation: boom
`
	if b.String() != want {
		t.Errorf("results.csv\n got %s\nwant %s", b.String(), want)
	}
	b.Reset()
	if err := WriteMarkdown(&b, rows, Output{Lang: Ja}); err != nil {
		t.Fatal(err)
	}
	wantMD := `| # | 試算 | 総費用 | 単独合計 | 削減率 | 契約数 | ギャップ | 個別合理性違反 | 2026年度 | 2027年度 | 2028年度 | 最大／最小 | 年度別計画比の削減 | 計算秒数 | キャッシュ |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
| 1 | lumpy | 100 円 | 0 円 | 0.0 % | 0 | 0.0 % | 0 | 100 円 | 0 円 | — | ∞ | 実行不可能 | 0.0 | いいえ |
| 2 | level | 13,500 円 | 0 円 | 0.0 % | 0 | 0.0 % | 0 | — | 6,000 円 | 7,500 円 | 1.25 | 1,500 円 (10.0 %) | 0.0 | いいえ |
| 3 | failed | — | — | — | — | — | — | — | — | — | — | — | 0.0 | いいえ |

- #3 failed: solve variation: boom
- #1 lumpy: 年度別計画（各年度を単独で計画）は実行不可能 — FY2027: below min_value
`
	if b.String() != wantMD {
		t.Errorf("results.md\n got %s\nwant %s", b.String(), wantMD)
	}

	// summary.html has the same cells in a table of its own; a version-1 page has none.
	b.Reset()
	if err := WriteSummary(&b, rows, Output{Lang: Ja, Batch: "p"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<h2>年度別の額と年度別計画との比較</h2>",
		"<tr><th>#</th><th>試算</th><th>2026年度</th><th>2027年度</th><th>2028年度</th><th>最大／最小</th><th>年度別計画比の削減</th></tr>",
		`<tr><td class="n">1</td><td>lumpy</td><td class="n">100 円</td><td class="n">0 円</td><td class="n">—</td><td class="n">∞</td><td class="n">実行不可能</td></tr>`,
		`<tr><td class="n">2</td><td>level</td><td class="n">—</td><td class="n">6,000 円</td><td class="n">7,500 円</td><td class="n">1.25</td><td class="n">1,500 円 (10.0 %)</td></tr>`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary.html lacks %s", want)
		}
	}
	for i := range rows {
		rows[i].Programme = nil
	}
	b.Reset()
	if err := WriteSummary(&b, rows, Output{Lang: Ja, Batch: "p"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "年度別") {
		t.Errorf("a version-1 summary.html has the programme table")
	}

	o := Output{Lang: Ja, Names: map[string]string{"29201": "奈良市"}}
	for _, c := range [][3]string{
		{"programme.budgets.29201", "予算（奈良市）", "5,000,000 円"},
		{"programme.budgets.*", "予算倍率", "0.8"},
		{"programme.year_limits.max_value", "年度上限額", "上限なし"},
		{"programme.contract_years", "契約年数", "5"},
	} {
		v := map[string]any{"programme.budgets.29201": 5e6, "programme.budgets.*": 0.8, "programme.contract_years": 5}[c[0]]
		if got, val := o.Label(c[0]), o.Value(c[0], v); got != c[1] || val != c[2] {
			t.Errorf("%s: label %q value %q, want %q %q", c[0], got, val, c[1], c[2])
		}
	}
}
