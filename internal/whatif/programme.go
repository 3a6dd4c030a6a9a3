package whatif

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tabane/tabane/solver"
)

// Programme (version-2) batches: a base with "version": 2 and a programme
// (docs/programme.md) takes the same batch files, and its variations may also set the
// programme's fields by dotted path:
//
//	programme.contract_years: [1, 5]            # any field of the programme object
//	programme.year_limits.max_value: [null, 21e6]
//	programme.budgets.29201: [5e6, 5e6, 6e6, 6e6, 6e6]   # one municipality's budget (code or name)
//	programme.budgets.*: [0.8, 1.0, 1.2]        # a factor on every budget of the variation
//
// Each variation is solved with solver.SolveProgramme and planned year by year with
// solver.CompareYearly (what `tabane solve --compare-yearly` does), so that its row
// carries the value of each fiscal year and the saving against year-by-year planning.

// BudgetFactorKey multiplies every budget of the variation's programme. It is applied
// after the variation's other programme paths, so that a budget the variation sets
// is scaled too.
const BudgetFactorKey = "programme.budgets.*"

const budgetsKey = "programme.budgets"

func isProgrammeKey(key string) bool {
	return key == "programme" || strings.HasPrefix(key, "programme.")
}

// programmeLine is the batch-file line of the programme override that path belongs
// to (path is the key itself or a place inside its value, programme.budgets.29201[2]);
// 0 for other keys, whose messages stay as they were before programmes.
func programmeLine(overrides []Assignment, path string) int {
	for _, a := range overrides {
		if isProgrammeKey(a.Key) && a.Line > 0 &&
			(path == a.Key || strings.HasPrefix(path, a.Key+".") || strings.HasPrefix(path, a.Key+"[")) {
			return a.Line
		}
	}
	return 0
}

// programmeEdits applies the programme keys of one variation to its instance tree.
type programmeEdits struct {
	factor    float64
	hasFactor bool
}

// apply sets one programme key in tree (the whole instance's generic JSON). The budgets
// are raw JSON in solver.ProgrammeSpec (a number or a list per municipality), which the
// schema walk of setPath cannot check, so they are handled here; every other field goes
// through setPath.
func (pe *programmeEdits) apply(tree map[string]any, a Assignment, base *solver.Instance) error {
	if base.Version != 2 || base.Programme == nil {
		return &pathError{a.Key, fmt.Sprintf("the base is a version-%d instance without a programme: programme fields need a version-2 base (docs/programme.md)", max(base.Version, 1))}
	}
	switch {
	case a.Key == "programme":
		return &pathError{a.Key, "set the programme's fields one by one (programme.contract_years, programme.year_limits.max_value, programme.budgets.CODE, programme.budgets.*)"}
	case a.Key == BudgetFactorKey:
		x, ok := number(a.Value)
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return &pathError{a.Key, "expected a factor ≥ 0 that multiplies every budget, found " + describe(a.Value)}
		}
		pe.factor, pe.hasFactor = x, true
		return nil
	case a.Key == budgetsKey:
		budgets, err := budgetMap(a.Value, base)
		if err != nil {
			return err
		}
		prog := programmeTree(tree)
		if budgets == nil {
			delete(prog, "budgets")
		} else {
			prog["budgets"] = budgets
		}
		return nil
	case strings.HasPrefix(a.Key, budgetsKey+"."):
		ref := strings.TrimPrefix(a.Key, budgetsKey+".")
		if strings.Contains(ref, ".") {
			return &pathError{a.Key, "expected programme.budgets.CODE (one municipality's budget, by code or name) or programme.budgets.* (a factor on every budget)"}
		}
		i, err := findMunicipality(base.Municipalities, ref)
		if err != nil {
			return &pathError{a.Key, err.Error()}
		}
		if err := checkBudget(a.Key, a.Value); err != nil {
			return err
		}
		prog := programmeTree(tree)
		budgets, _ := prog["budgets"].(map[string]any)
		if budgets == nil {
			budgets = map[string]any{}
			prog["budgets"] = budgets
		}
		if a.Value == nil {
			delete(budgets, base.Municipalities[i].Code)
		} else {
			budgets[base.Municipalities[i].Code] = a.Value
		}
		return nil
	}
	return setPath(tree, a.Key, a.Value)
}

// finish multiplies every budget by the factor, once the variation's paths are set.
func (pe *programmeEdits) finish(tree map[string]any) error {
	if !pe.hasFactor {
		return nil
	}
	budgets, _ := programmeTree(tree)["budgets"].(map[string]any)
	if len(budgets) == 0 {
		return &pathError{BudgetFactorKey, "the variation's programme has no budgets to scale: set programme.budgets (or programme.budgets.CODE) first"}
	}
	for code, b := range budgets {
		scaled, err := scaleBudget(b, pe.factor)
		if err != nil {
			return &pathError{budgetsKey + "." + code, err.Error()}
		}
		budgets[code] = scaled
	}
	return nil
}

// programmeTree is the programme object of an instance tree; apply checked that the
// base has one.
func programmeTree(tree map[string]any) map[string]any {
	prog, _ := tree["programme"].(map[string]any)
	if prog == nil {
		prog = map[string]any{}
		tree["programme"] = prog
	}
	return prog
}

// budgetMap reads a whole programme.budgets value: null, or a mapping of municipality
// (code or name) → budget, keyed by code.
func budgetMap(v any, base *solver.Instance) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &pathError{budgetsKey, "expected a mapping of municipality code → budget (a number, or one number per year), found " + describe(v)}
	}
	out := make(map[string]any, len(obj))
	for _, ref := range sortedKeys(obj) {
		path := budgetsKey + "." + ref
		i, err := findMunicipality(base.Municipalities, ref)
		if err != nil {
			return nil, &pathError{path, err.Error()}
		}
		if err := checkBudget(path, obj[ref]); err != nil {
			return nil, err
		}
		if obj[ref] != nil {
			out[base.Municipalities[i].Code] = obj[ref]
		}
	}
	return out, nil
}

// checkBudget checks the shape of one municipality's budget: null (none), a number
// (the same every year) or a list of numbers (one per year; CompileProgramme checks
// the length and the signs, naming the element).
func checkBudget(path string, v any) error {
	bad := &pathError{path, "expected a number (the same budget every year) or a list of one number per year, found " + describe(v)}
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		for _, e := range x {
			if _, ok := number(e); !ok {
				return bad
			}
		}
		return nil
	}
	if _, ok := number(v); !ok {
		return bad
	}
	return nil
}

// scaleBudget multiplies a budget of the tree (a number, decoded from the base as a
// json.Number, or a list of them) by f.
func scaleBudget(b any, f float64) (any, error) {
	switch x := b.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			s, err := scaleBudget(e, f)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case json.Number:
		n, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("budget %s is not a number", x)
		}
		return n * f, nil
	}
	if n, ok := number(b); ok {
		return n * f, nil
	}
	return nil, fmt.Errorf("budget %s is not a number", describe(b))
}

// compileVariation checks a variation's instance against its model: docs/model.md for
// version 1, docs/programme.md for version 2.
func compileVariation(inst *solver.Instance) error {
	if inst.Version == 2 {
		_, err := solver.CompileProgramme(inst)
		return err
	}
	_, err := solver.Compile(inst)
	return err
}

// solveProgrammeOne solves a version-2 variation and plans it year by year, with the
// variation's solver settings for both (CompareYearly shares the time limit out over
// the years), so that a run ended by its iteration caps is reproducible.
func solveProgrammeOne(ctx context.Context, v *Variation) (*cached, error) {
	start := time.Now()
	p, err := solver.CompileProgramme(v.Instance)
	if err != nil {
		return nil, fmt.Errorf("variation %q: %w", v.Name, err)
	}
	opt := solver.SolveOptions{TimeLimit: v.TimeLimit, Seed: v.Seed, Threads: v.Threads, MaxIterations: v.MaxIterations}
	res, err := solver.SolveProgramme(ctx, p, opt)
	if err != nil {
		return nil, fmt.Errorf("solve variation %q: %w", v.Name, err)
	}
	yearly, err := solver.CompareYearly(ctx, p, opt)
	if err != nil {
		return nil, fmt.Errorf("variation %q: %w", v.Name, err)
	}
	rep := solver.NewProgrammeSolveReport(p, res, opt, yearly)
	return &cached{Version: cacheVersion, Key: v.Key, Programme: &rep, Seconds: time.Since(start).Seconds()}, nil
}

// ProgrammeRow is what a version-2 variation's row adds: the programme's value in
// each fiscal year, how level it is, and the saving against year-by-year planning.
type ProgrammeRow struct {
	FirstFY       int `json:"first_fy"`
	Years         int `json:"years"`
	ContractYears int `json:"contract_years"`
	// Values are the programme's value in each fiscal year (Σ cost_y over the lots,
	// docs/programme.md), first_fy first: they add up to the row's cost. Empty without
	// a plan.
	Values []YearValue `json:"values"`
	// ValueRatio is the largest yearly value over the smallest: 1 is perfectly level.
	// Null when some year has no value (the ratio is infinite) or there is no plan.
	ValueRatio   *float64 `json:"value_ratio"`
	BringForward float64  `json:"bring_forward"`
	// YearlyFeasible: every due year planned alone (version 1, yearly lots, nothing
	// brought forward) has a feasible plan within the year caps and budgets.
	YearlyFeasible bool `json:"yearly_feasible"`
	// YearlyTotal is the sum of those plans' costs; null when year-by-year has none.
	YearlyTotal *float64 `json:"yearly_total"`
	// YearlySaving is YearlyTotal − cost (solver.ProgrammeSolveReport's yearly_saving)
	// and YearlySavingPct its percentage of YearlyTotal; null unless both year-by-year
	// and the programme have feasible plans.
	YearlySaving    *float64 `json:"yearly_saving"`
	YearlySavingPct *float64 `json:"yearly_saving_pct"`
	// YearlyWhy says, per year, why year-by-year planning has no feasible plan
	// ("FY2028: …").
	YearlyWhy []string `json:"yearly_why,omitempty"`
}

// YearValue is the programme's value and workload in one fiscal year.
type YearValue struct {
	FY       int     `json:"fy"`
	Value    float64 `json:"value"`
	Workload float64 `json:"workload"`
}

// makeProgrammeRow is makeRow for a programme result: the columns every row has come
// from the report read as a version-1 one, then the plan with its years and schedule
// and the programme's own columns.
func makeProgrammeRow(v *Variation, c *cached) *Row {
	pr := c.Programme
	rep := &solver.Report{Instance: pr.Instance, Bundles: []solver.BundleReport{}, Cost: pr.Cost,
		LowerBound: pr.LowerBound, Gap: pr.Gap, StandaloneTotal: pr.StandaloneTotal, Saving: pr.Saving,
		SavingPct: pr.SavingPct, Feasible: pr.Feasible, Infeasible: pr.Infeasible, StopReason: pr.StopReason,
		BoundMethod: pr.BoundMethod}
	if ev := pr.Evaluation; ev != nil {
		rep.Bundles, rep.Violations, rep.Pins = ev.Bundles, ev.Violations, ev.Pins
		rep.Standalone, rep.Shares, rep.IRViolations = ev.Standalone, ev.Shares, ev.IRViolations
	}
	r := makeRow(v, &cached{Version: c.Version, Key: c.Key, Report: rep, Seconds: c.Seconds})
	if r.Plan != nil {
		r.Plan = programmePlan(pr)
	}
	r.Report, r.ProgrammeReport = nil, pr
	r.Programme = programmeRow(pr)
	return r
}

func programmeRow(pr *solver.ProgrammeSolveReport) *ProgrammeRow {
	out := &ProgrammeRow{Values: []YearValue{}}
	if ev := pr.Evaluation; ev != nil && ev.ProgrammeReport != nil {
		out.FirstFY, out.Years, out.ContractYears = ev.FirstFY, len(ev.Years), ev.ContractYears
		out.BringForward = ev.BringForward
		lo, hi := math.Inf(1), 0.0
		for _, y := range ev.Years {
			out.Values = append(out.Values, YearValue{FY: y.FY, Value: y.Value, Workload: y.Workload})
			lo, hi = min(lo, y.Value), max(hi, y.Value)
		}
		if len(ev.Years) > 0 && lo > 0 {
			out.ValueRatio = solver.Finite(hi / lo)
		}
	}
	if y := pr.Yearly; y != nil {
		if out.FirstFY == 0 && len(y.Years) > 0 {
			out.FirstFY, out.Years = y.Years[0].FY, len(y.Years)
		}
		out.YearlyFeasible = y.Feasible
		if y.Feasible {
			out.YearlyTotal = solver.Finite(y.Total)
		}
		if pr.YearlySaving != nil && y.Total > 0 {
			out.YearlySaving = pr.YearlySaving
			out.YearlySavingPct = solver.Finite(100 * *pr.YearlySaving / y.Total)
		}
		for _, yr := range y.Years {
			if !yr.Feasible {
				out.YearlyWhy = append(out.YearlyWhy, fmt.Sprintf("FY%d: %s", yr.FY, strings.Join(yr.Why, "; ")))
			}
		}
	}
	return out
}

// programmePlanFile is a programme plan as written to plans/: the report of
// `tabane solve --compare-yearly` (docs/programme.md's plan fields first), then the
// variation that produced it.
type programmePlanFile struct {
	*solver.ProgrammeSolveReport
	Variation string       `json:"variation"`
	Overrides []Assignment `json:"overrides"`
}

// hasReport says whether a shard's row has a solve's report (version 1 or programme),
// rather than only an error.
func (sr *ShardRow) hasReport() bool { return sr.Report != nil || sr.ProgrammeReport != nil }

// row is a shard's row as Run returned it: with its report and plan, a programme's
// lots with their blocks and its schedule.
func (sr *ShardRow) row() Row {
	r := sr.Row
	r.Report, r.ProgrammeReport = sr.Report, sr.ProgrammeReport
	switch pr := sr.ProgrammeReport; {
	case sr.Report != nil:
		r.Plan = sr.Report.Plan()
	case pr != nil && pr.Cost != nil:
		r.Plan = programmePlan(pr)
	}
	return r
}

// programmePlan is the plan of a programme report (docs/programme.md): lots with their
// blocks, and the schedule.
func programmePlan(pr *solver.ProgrammeSolveReport) *solver.Plan {
	return &solver.Plan{Instance: pr.Instance, Bundles: pr.Bundles, Schedule: pr.Schedule}
}
