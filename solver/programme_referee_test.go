package solver

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// refereeCase is one plan of testdata/programme-referee/cases.json with the verdict
// the independent referee (referee.py) gave on it (regen.py records them; Python is not needed here).
type refereeCase struct {
	Name     string          `json:"name"`
	Instance string          `json:"instance"`
	Breaks   string          `json:"breaks"` // the rule the plan breaks on purpose, "" for none
	Plan     json.RawMessage `json:"plan"`
	Referee  struct {
		Feasible       bool      `json:"feasible"`
		Cost           float64   `json:"cost"`
		Baseline       float64   `json:"baseline"`
		SavingsPct     float64   `json:"savings_pct"`
		IRViolations   int       `json:"ir_violations"`
		PlannedAssets  int       `json:"planned_assets"`
		YearValue      []float64 `json:"year_value"`
		YearWorkload   []float64 `json:"year_workload"`
		Errors         []string  `json:"errors"`
		NumberOfErrors int       `json:"n_errors"`
	} `json:"referee"`
}

// closeTo compares to 1e-6 relative (absolute below 1); the referee rounds its yearly
// figures to 0.01, so those get half a cent more.
func closeTo(got, want, abs float64) bool {
	return math.Abs(got-want) <= 1e-6*max(1, math.Abs(want))+abs
}

func TestProgrammeAgreesWithReferee(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "programme-referee", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []refereeCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 50 {
		t.Fatalf("%d recorded plans, want at least 50", len(file.Cases))
	}
	programmes := map[string]*Programme{}
	feasible := 0
	for _, c := range file.Cases {
		p := programmes[c.Instance]
		if p == nil {
			p = testdataProgramme(t, strings.TrimSuffix(c.Instance, ".json"))
			programmes[c.Instance] = p
		}
		var plan Plan
		if err := json.Unmarshal(c.Plan, &plan); err != nil {
			t.Fatalf("%s: plan: %v", c.Name, err)
		}
		ev := EvaluateProgramme(p, &plan)
		want := c.Referee
		if want.Feasible {
			feasible++
		}
		if ev.Feasible != want.Feasible {
			t.Errorf("%s: feasible %v, referee %v (referee: %q; ours: %v)", c.Name, ev.Feasible, want.Feasible, want.Errors, ev.Violations)
		}
		if !closeTo(ev.Cost, want.Cost, 0) {
			t.Errorf("%s: cost %.6f, referee %.6f", c.Name, ev.Cost, want.Cost)
		}
		if !closeTo(ev.StandaloneTotal, want.Baseline, 0) {
			t.Errorf("%s: standalone %.6f, referee %.6f", c.Name, ev.StandaloneTotal, want.Baseline)
		}
		if !closeTo(ev.SavingPct, want.SavingsPct, 0) {
			t.Errorf("%s: saving %.9f %%, referee %.9f %%", c.Name, ev.SavingPct, want.SavingsPct)
		}
		if len(ev.IRViolations) != want.IRViolations {
			t.Errorf("%s: %d IR violations %v, referee %d", c.Name, len(ev.IRViolations), ev.IRViolations, want.IRViolations)
		}
		if ev.PlannedAssets != want.PlannedAssets {
			t.Errorf("%s: %d planned assets, referee %d", c.Name, ev.PlannedAssets, want.PlannedAssets)
		}
		if len(ev.Years) != len(want.YearValue) {
			t.Fatalf("%s: %d years, referee %d", c.Name, len(ev.Years), len(want.YearValue))
		}
		for k, yr := range ev.Years {
			if !closeTo(yr.Value, want.YearValue[k], 0.005) || !closeTo(yr.Workload, want.YearWorkload[k], 0.005) {
				t.Errorf("%s: year %d value %.2f workload %.2f, referee %.2f and %.2f",
					c.Name, yr.FY, yr.Value, yr.Workload, want.YearValue[k], want.YearWorkload[k])
			}
		}
		if c.Breaks != "" {
			if want.Feasible {
				t.Errorf("%s: meant to break %s, but the referee finds it feasible", c.Name, c.Breaks)
			}
			if !hasRule(ev, c.Breaks) {
				t.Errorf("%s: meant to break %s; violations %v", c.Name, c.Breaks, ev.Violations)
			}
		}
	}
	if feasible < 10 || len(file.Cases)-feasible < 40 {
		t.Errorf("%d feasible and %d infeasible recorded plans, want at least 10 and 40", feasible, len(file.Cases)-feasible)
	}
}

func hasRule(ev *Evaluation, rule string) bool {
	for _, v := range ev.Violations {
		if v.Rule == rule {
			return true
		}
	}
	return false
}

// testdataProgramme compiles solver/testdata/NAME.json as a programme.
func testdataProgramme(t testing.TB, name string) *Programme {
	t.Helper()
	inst, err := ParseInstance(readTestdata(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p, err := CompileProgramme(inst)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}
