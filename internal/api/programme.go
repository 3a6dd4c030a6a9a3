package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/planout"
	"github.com/tabane/tabane/solver"
)

// The routes of programme runs (docs/programme.md): GET /api/v1/runs/{id}/years and
// /budgets read the run's stored solver.ProgrammeSolveReport; a one-year run has neither.

// yearRow is one fiscal year of GET /api/v1/runs/{id}/years: the programme's value and
// workload in the year (the lots' year parts), the year caps (null: none), the lots
// whose block holds the year, the inspections in it, and how many of them are brought
// forward (inspected before their due year).
type yearRow struct {
	FY             int      `json:"fy"`
	Value          float64  `json:"value"`
	Workload       float64  `json:"workload"`
	CapValue       *float64 `json:"cap_value"`
	CapWorkload    *float64 `json:"cap_workload"`
	Lots           int      `json:"lots"`
	Assets         int      `json:"assets"`
	BroughtForward int      `json:"brought_forward"`
}

// yearsBody is the answer of GET /api/v1/runs/{id}/years.
type yearsBody struct {
	Years []yearRow `json:"years"`
}

// budgetRow is one municipality in one fiscal year of GET /api/v1/runs/{id}/budgets: its
// Shapley share of the lots' year parts, its budget and headroom (budget − share; null
// without a budget), and whether the share breaks the budget (as the evaluator judges).
type budgetRow struct {
	Municipality string   `json:"municipality"`
	Name         string   `json:"name"`
	FY           int      `json:"fy"`
	Share        float64  `json:"share"`
	Budget       *float64 `json:"budget"`
	Headroom     *float64 `json:"headroom"`
	Over         bool     `json:"over"`
}

// budgetsBody is the answer of GET /api/v1/runs/{id}/budgets.
type budgetsBody struct {
	FirstFY int         `json:"first_fy"`
	Years   int         `json:"years"`
	Rows    []budgetRow `json:"rows"`
}

// budgetsCSVColumns are the columns of GET /api/v1/runs/{id}/budgets?format=csv.
var budgetsCSVColumns = []string{"municipality", "name", "fy", "share", "budget", "headroom", "over"}

// standaloneRow is one municipality in one fiscal year of GET
// /api/v1/scenarios/{id}/standalone: what it would pay alone inspecting its assets due
// that year (docs/programme.md's baseline), and how many they are.
type standaloneRow struct {
	Municipality string  `json:"municipality"`
	Name         string  `json:"name"`
	FY           int     `json:"fy"`
	Assets       int     `json:"assets"`
	Standalone   float64 `json:"standalone"`
}

// standaloneBody is the answer of GET /api/v1/scenarios/{id}/standalone.
type standaloneBody struct {
	FirstFY int             `json:"first_fy"`
	Years   int             `json:"years"`
	Rows    []standaloneRow `json:"rows"`
}

// scenarioStandalone: GET /api/v1/scenarios/{id}/standalone — before any run, each
// participating municipality's standalone cost in each year of a programme scenario's
// horizon (solver.StandaloneByYear on the instance a run would solve now), by code then
// year: the baseline a planner sets budgets against ("budget = 90 % of standalone"). A
// one-year scenario answers 409.
func (s *Server) scenarioStandalone(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	if sc.Programme == nil {
		return conflict(fmt.Sprintf("scenario %d is a one-year scenario: standalone costs by year belong to programmes "+
			"(give it a programme, docs/programme.md)", sc.ID))
	}
	inst, err := s.store.ScenarioInstance(c.Request().Context(), sc)
	if err != nil {
		return invalid(fmt.Sprintf("the instance of scenario %d cannot be built: %v", sc.ID, err))
	}
	p, err := solver.CompileProgramme(inst)
	if err != nil {
		return err
	}
	due := make(map[[2]int]int) // (municipality, year offset) → assets due
	for _, a := range p.Planned {
		due[[2]int{p.Assets[a].Muni, p.Due[a] - p.FirstFY}]++
	}
	out := standaloneBody{FirstFY: p.FirstFY, Years: p.Years, Rows: []standaloneRow{}}
	byYear := solver.StandaloneByYear(p)
	for mu := range p.Munis { // the instance lists them by code
		if byYear[mu] == nil {
			continue
		}
		for k, cost := range byYear[mu] {
			out.Rows = append(out.Rows, standaloneRow{Municipality: p.Munis[mu].Code, Name: p.Munis[mu].Name,
				FY: p.FirstFY + k, Assets: due[[2]int{mu, k}], Standalone: cost})
		}
	}
	sort.SliceStable(out.Rows, func(i, j int) bool { return out.Rows[i].Municipality < out.Rows[j].Municipality })
	return c.JSON(http.StatusOK, out)
}

// programmeReport reads a programme run's stored report.
func programmeReport(runID int64, raw json.RawMessage) (*solver.ProgrammeSolveReport, error) {
	var pr solver.ProgrammeSolveReport
	if err := json.Unmarshal(raw, &pr); err != nil {
		return nil, fmt.Errorf("programme plan of run %d: %w", runID, err)
	}
	if pr.Evaluation == nil || pr.Evaluation.ProgrammeReport == nil {
		return nil, fmt.Errorf("programme plan of run %d has no evaluation", runID)
	}
	return &pr, nil
}

// programmeAsReport is a programme report as a one-year report over the horizon: the
// evaluation's lots as bundles (priced over their whole block), the horizon's totals,
// standalone costs and shares. It lets shares, plan.geojson and plan.csv read both.
func programmeAsReport(pr *solver.ProgrammeSolveReport) *solver.Report {
	ev := pr.Evaluation
	return &solver.Report{Instance: pr.Instance, Bundles: ev.Bundles, Cost: pr.Cost, LowerBound: pr.LowerBound, Gap: pr.Gap,
		Standalone: ev.Standalone, StandaloneTotal: pr.StandaloneTotal, Saving: pr.Saving, SavingPct: pr.SavingPct,
		Shares: ev.Shares, IRViolations: ev.IRViolations, Feasible: pr.Feasible, Violations: ev.Violations,
		Pins: []solver.PinReport{}, Infeasible: pr.Infeasible, StopReason: pr.StopReason, BoundMethod: pr.BoundMethod}
}

// programmeRun loads a run's programme report and its compiled programme; a one-year run
// is a 409 and a run without a plan a 404.
func (s *Server) programmeRun(c echo.Context) (data.Run, *solver.ProgrammeSolveReport, *solver.Programme, error) {
	run, err := s.runParam(c, "id")
	if err != nil {
		return run, nil, nil, err
	}
	ctx := c.Request().Context()
	inst, err := s.runInstance(ctx, run.ID)
	if err != nil {
		return run, nil, nil, err
	}
	if inst.Version != 2 {
		return run, nil, nil, conflict(fmt.Sprintf("run %d is a one-year plan: years and budgets belong to programme runs "+
			"(a scenario with a programme, docs/programme.md)", run.ID))
	}
	raw, err := s.store.RunPlan(ctx, run.ID)
	if err != nil {
		return run, nil, nil, err
	}
	pr, err := programmeReport(run.ID, raw)
	if err != nil {
		return run, nil, nil, err
	}
	p, err := solver.CompileProgramme(inst)
	if err != nil {
		return run, nil, nil, fmt.Errorf("instance of run %d: %w", run.ID, err)
	}
	return run, pr, p, nil
}

// runInstance reads the instance frozen in a run.
func (s *Server) runInstance(ctx context.Context, runID int64) (*solver.Instance, error) {
	raw, err := s.store.RunInstance(ctx, runID)
	if err != nil {
		return nil, err
	}
	inst, err := solver.ParseInstance(raw)
	if err != nil {
		return nil, fmt.Errorf("instance of run %d: %w", runID, err)
	}
	return inst, nil
}

// programmeYears reads the lots' blocks and the schedule of a programme run's plan.
func (s *Server) programmeYears(c echo.Context, runID int64) (planout.ProgrammeYears, error) {
	raw, err := s.store.RunPlan(c.Request().Context(), runID)
	if err != nil {
		return planout.ProgrammeYears{}, err
	}
	pr, err := programmeReport(runID, raw)
	if err != nil {
		return planout.ProgrammeYears{}, err
	}
	yrs := planout.ProgrammeYears{Lots: map[string]int{}, Schedule: pr.Schedule}
	for _, b := range pr.Bundles {
		if b.FY != nil {
			yrs.Lots[b.ID] = *b.FY
		}
	}
	if yrs.Schedule == nil {
		yrs.Schedule = map[string]int{}
	}
	return yrs, nil
}

// runYears: GET /api/v1/runs/{id}/years — the programme plan year by year (yearRow).
func (s *Server) runYears(c echo.Context) error {
	_, pr, p, err := s.programmeRun(c)
	if err != nil {
		return err
	}
	forward := map[int]int{}
	for id, y := range pr.Schedule {
		if a, ok := p.AssetIndex[id]; ok && y < p.Due[a] {
			forward[y]++
		}
	}
	out := yearsBody{Years: []yearRow{}}
	for _, y := range pr.Evaluation.Years {
		out.Years = append(out.Years, yearRow{FY: y.FY, Value: y.Value, Workload: y.Workload, CapValue: y.MaxValue,
			CapWorkload: y.MaxWorkload, Lots: y.Lots, Assets: y.Assets, BroughtForward: forward[y.FY]})
	}
	return c.JSON(http.StatusOK, out)
}

// runBudgets: GET /api/v1/runs/{id}/budgets[?format=csv] — every municipality with a
// share, a standalone cost or a budget, in every year of the horizon (budgetRow), by code
// then year. The CSV (one row per municipality × year, English header) starts with a
// UTF-8 byte-order mark so that Excel opens it as UTF-8.
func (s *Server) runBudgets(c echo.Context) error {
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "csv" {
		return invalidParameter("format", "must be json or csv, found %q", format)
	}
	run, pr, p, err := s.programmeRun(c)
	if err != nil {
		return err
	}
	over := map[string]bool{}
	for _, v := range pr.Evaluation.Violations {
		if v.Rule == "budget" {
			over[v.Municipality+"/"+strconv.Itoa(v.Year)] = true
		}
	}
	out := budgetsBody{FirstFY: p.FirstFY, Years: p.Years, Rows: []budgetRow{}}
	for _, b := range pr.Evaluation.Budgets {
		name := ""
		if mu, ok := p.MuniIndex[b.Municipality]; ok {
			name = p.Munis[mu].Name
		}
		out.Rows = append(out.Rows, budgetRow{Municipality: b.Municipality, Name: name, FY: b.FY, Share: b.Share,
			Budget: b.Budget, Headroom: b.Headroom, Over: over[b.Municipality+"/"+strconv.Itoa(b.FY)]})
	}
	sort.SliceStable(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		return a.Municipality < b.Municipality || a.Municipality == b.Municipality && a.FY < b.FY
	})
	if format != "csv" {
		return c.JSON(http.StatusOK, out)
	}
	num := func(x *float64) string {
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	_ = cw.Write(budgetsCSVColumns)
	for _, r := range out.Rows {
		_ = cw.Write([]string{r.Municipality, defuseFormula(r.Name), strconv.Itoa(r.FY), num(&r.Share), num(r.Budget),
			num(r.Headroom), strconv.FormatBool(r.Over)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	attachment(c, fmt.Sprintf("run-%d-budgets.csv", run.ID))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
