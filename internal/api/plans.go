package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/planout"
	"github.com/tabane/tabane/solver"
)

// The plan formats of a run: the handlers read the run's plan report (solver.Report) and
// instance, and internal/planout writes them.

// shareRow is one municipality's line of GET /api/v1/runs/{id}/shares.
type shareRow = planout.Share

// runPlanData loads a run's plan report and its instance.
func (s *Server) runPlanData(c echo.Context, param string) (data.Run, *solver.Report, *solver.Instance, error) {
	run, err := s.runParam(c, param)
	if err != nil {
		return run, nil, nil, err
	}
	ctx := c.Request().Context()
	raw, err := s.store.RunPlan(ctx, run.ID)
	if err != nil {
		return run, nil, nil, err
	}
	var p solver.Report
	if err := json.Unmarshal(raw, &p); err != nil {
		return run, nil, nil, fmt.Errorf("plan of run %d: %w", run.ID, err)
	}
	inst, err := s.runInstance(ctx, run.ID)
	if err != nil {
		return run, nil, nil, err
	}
	if inst.Version == 2 {
		// A programme run stores a ProgrammeSolveReport: its evaluation holds the lots
		// priced as bundles, so the one-year formats read it as a plan over the horizon.
		pr, err := programmeReport(run.ID, raw)
		if err != nil {
			return run, nil, nil, err
		}
		return run, programmeAsReport(pr), inst, nil
	}
	return run, &p, inst, nil
}

// runPlan: GET /api/v1/runs/{id}/plan — the plan report as the run saved it; 404 when the
// run has no plan (queued, running, failed, or cancelled before the first plan).
func (s *Server) runPlan(c echo.Context) error {
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	raw, err := s.store.RunPlan(c.Request().Context(), run.ID)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, raw)
}

// runPlanGeoJSON: GET /api/v1/runs/{id}/plan.geojson — the plan as an RFC 7946
// FeatureCollection (planout.GeoJSON).
func (s *Server) runPlanGeoJSON(c echo.Context) error {
	run, p, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return err
	}
	var b []byte
	if inst.Version == 2 {
		var yrs planout.ProgrammeYears
		if yrs, err = s.programmeYears(c, run.ID); err == nil {
			b, err = planout.ProgrammeGeoJSON(p, inst, yrs)
		}
	} else {
		b, err = planout.GeoJSON(p, inst)
	}
	if err != nil {
		return fmt.Errorf("plan.geojson of run %d: %w", run.ID, err)
	}
	attachment(c, fmt.Sprintf("run-%d-plan.geojson", run.ID))
	return c.Blob(http.StatusOK, "application/geo+json", b)
}

// runPlanCSV: GET /api/v1/runs/{id}/plan.csv[?bom=true] — one row per asset in a lot:
// planout.CSVColumns. cost is the asset's estimated direct cost in the run's instance; fy is
// the asset's inspection year in a programme run's schedule, else the scenario's; bom=true
// writes a UTF-8 byte-order mark for Excel.
func (s *Server) runPlanCSV(c echo.Context) error {
	run, p, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	scenarioFY := ""
	if run.ScenarioID != nil {
		if sc, err := s.store.Scenario(ctx, *run.ScenarioID); err == nil {
			scenarioFY = strconv.Itoa(sc.FiscalYear)
		} // a deleted scenario leaves fy empty rather than failing the download
	}
	fy := func(lot, asset string) string { return scenarioFY }
	if inst.Version == 2 {
		// A programme's asset is inspected in its schedule's year (docs/programme.md lets a
		// plan of yearly lots leave it out: then its lot's year).
		yrs, err := s.programmeYears(c, run.ID)
		if err != nil {
			return err
		}
		fy = func(lot, asset string) string {
			if y, ok := yrs.Schedule[asset]; ok {
				return strconv.Itoa(y)
			}
			if y, ok := yrs.Lots[lot]; ok {
				return strconv.Itoa(y)
			}
			return ""
		}
	}
	return writeCSV(c, fmt.Sprintf("run-%d-plan", run.ID), planout.CSVColumns, planout.CSVRows(p, inst, fy))
}

// runShares: GET /api/v1/runs/{id}/shares — a page of planout.Shares: per municipality
// in the plan, its standalone cost, its Shapley share, the saving and whether the share
// breaks individual rationality; sorted by code.
func (s *Server) runShares(c echo.Context) error {
	_, p, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return err
	}
	q := c.QueryParams()
	limit, err := intParam(q, "limit", MaxPageSize, 1, MaxPageSize)
	if err != nil {
		return err
	}
	offset, err := intParam(q, "offset", 0, 0, -1)
	if err != nil {
		return err
	}
	rows := planout.Shares(p, inst)
	total := len(rows)
	rows = rows[min(offset, total):min(offset+limit, total)]
	out := page[shareRow]{Items: rows, Total: total, Limit: limit, Offset: offset}
	if offset+len(rows) < total {
		out.Next = c.Request().URL.Path + "?limit=" + strconv.Itoa(limit) + "&offset=" + strconv.Itoa(offset+limit)
	}
	return c.JSON(http.StatusOK, out)
}
