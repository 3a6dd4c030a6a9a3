package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/planout"
)

// compareSide is one run of a comparison: who it is (label: its scenario's name and its
// number), and its totals.
type compareSide struct {
	Run        int64  `json:"run"`
	Label      string `json:"label"`
	ScenarioID *int64 `json:"scenario_id"`
	Scenario   string `json:"scenario"` // the scenario's name now; "" once it is deleted
	CreatedAt  string `json:"created_at"`
	*data.RunSummary
}

func (s *Server) compareSide(c echo.Context, run data.Run) compareSide {
	side := compareSide{Run: run.ID, ScenarioID: run.ScenarioID, CreatedAt: run.CreatedAt, RunSummary: run.Summary}
	if run.ScenarioID != nil {
		if sc, err := s.store.Scenario(c.Request().Context(), *run.ScenarioID); err == nil {
			side.Scenario = sc.Name
		} // a deleted scenario leaves the run labelled by its number alone
	}
	side.Label = strings.TrimSpace(fmt.Sprintf("%s #%d", side.Scenario, run.ID))
	return side
}

// compareRuns: GET /api/v1/runs/{a}/compare/{b}[?format=csv] — what a council reads of two
// runs (planout.CompareRuns): both runs labelled and totalled, what differs in their inputs
// (the runs' own seed and time limit included), the difference in total and per
// municipality, and the moves by depot and by municipality. format=csv (or Accept:
// text/csv) answers the per-municipality table (planout.CompareCSVColumns).
func (s *Server) compareRuns(c echo.Context) error {
	format, err := listFormat(c)
	if err != nil {
		return err
	}
	if format == formatGeoJSON {
		return invalidParameter("format", "must be json or csv, found %q", format)
	}
	ra, pa, ia, err := s.runPlanData(c, "a")
	if err != nil {
		return err
	}
	rb, pb, ib, err := s.runPlanData(c, "b")
	if err != nil {
		return err
	}
	cmp := planout.CompareRuns(pa, ia, pb, ib)
	if format == formatCSV {
		return writeCSV(c, fmt.Sprintf("compare-run-%d-run-%d", ra.ID, rb.ID), planout.CompareCSVColumns, planout.CompareCSVRows(cmp))
	}
	// The run's own request: seed and time limit differ between runs of one scenario too.
	if ra.Seed != rb.Seed {
		cmp.Changes = append(cmp.Changes, planout.Change{Field: "run.seed", A: ra.Seed, B: rb.Seed})
	}
	if ra.TimeLimitS != rb.TimeLimitS {
		cmp.Changes = append(cmp.Changes, planout.Change{Field: "run.time_limit_s", A: ra.TimeLimitS, B: rb.TimeLimitS})
	}
	return c.JSON(http.StatusOK, comparison{A: s.compareSide(c, ra), B: s.compareSide(c, rb), MovedCount: len(cmp.Moved), Comparison: cmp})
}

// comparison is the JSON of GET /api/v1/runs/{a}/compare/{b}.
type comparison struct {
	A          compareSide `json:"a"`
	B          compareSide `json:"b"`
	MovedCount int         `json:"moved_count"`
	planout.Comparison
}
