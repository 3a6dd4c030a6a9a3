package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// TestBatchOnProgrammeScenario: a batch on a five-year programme scenario varies its
// programme by path; a path the programme lacks is refused with its line in the posted
// document, and a run's rows and results.csv carry each fiscal year's value and the
// saving against year-by-year planning.
func TestBatchOnProgrammeScenario(t *testing.T) {
	srv, _, store := batchServer(t)
	first, years := 2026, 5
	sc, err := store.CreateScenario(context.Background(), data.Scenario{Name: "basin programme", FiscalYear: 2026,
		Params: data.DefaultParams(), Filter: &data.ScenarioFilter{Municipalities: smallFilter},
		Programme: &solver.ProgrammeSpec{FirstFY: &first, Years: &years}})
	if err != nil {
		t.Fatal(err)
	}

	p := postYAML(t, srv, fmt.Sprintf("base: {scenario: %d}\nvariations:\n  - name: typo\n    set:\n      programme.contract_year: 5\n", sc.ID))
	refused := batchRefusal(t, "programme typo", p.resp, p.raw)
	want := []batchItemError{{Variation: "typo", Path: "programme.contract_year",
		Message: `no field "contract_year" in programme (fields: first_fy, years, cycle_years, advance_max_years, contract_years, year_limits, budgets) (line 5)`}}
	if fmt.Sprint(refused.Errors) != fmt.Sprint(want) {
		t.Errorf("errors %+v, want %+v", refused.Errors, want)
	}

	p = postYAML(t, srv, fmt.Sprintf(`base: {scenario: %d}
solver: {time_limit: 120s, seed: 1, max_iterations: 10, threads: 1}
grid:
  programme.contract_years: [5]
`, sc.ID))
	if p.resp.StatusCode != http.StatusAccepted {
		t.Fatalf("post: %d %s", p.resp.StatusCode, p.raw)
	}
	b := waitBatch(t, srv, p.batch.ID)
	if b.Status != data.RunDone || len(b.Rows) != 1 {
		t.Fatalf("batch %s with %d rows (%v)", b.Status, len(b.Rows), b.Error)
	}
	row := b.Rows[0]
	if row.Programme == nil || row.Programme.ContractYears != 5 || len(row.Programme.Values) != 5 || row.Programme.FirstFY != 2026 {
		t.Fatalf("row's programme %+v", row.Programme)
	}
	sum := 0.0
	for _, y := range row.Programme.Values {
		sum += y.Value
	}
	if d := sum - row.Cost; d > 1e-6*row.Cost || d < -1e-6*row.Cost {
		t.Errorf("the yearly values add up to %.2f, the row's cost is %.2f", sum, row.Cost)
	}
	recs := resultsCSV(t, srv, p.batch.ID)
	for _, col := range []string{"value_fy2026", "value_fy2030", "value_max_min", "yearly_total", "yearly_saving", "yearly_note"} {
		if !slices.Contains(recs[0], col) {
			t.Errorf("results.csv lacks %s: %v", col, recs[0])
		}
	}
}
