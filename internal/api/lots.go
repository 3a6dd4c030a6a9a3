package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/planout"
	"github.com/tabane/tabane/solver"
)

// The routes that make a plan defensible: each lot's spread and overlaps, and the price of
// the area lock (region_locked), found by solving the run's instance both ways.
func (s *Server) registerLots(g *echo.Group) {
	g.GET("/runs/:id/lots", s.runLots)
	g.POST("/runs/:id/counterpart", s.startCounterpart, bodyLimit(runBodyLimit))
	g.GET("/runs/:id/lock-price", s.lockPrice)
}

// lotsAnswer is GET /api/v1/runs/{id}/lots.
type lotsAnswer struct {
	Run   int64         `json:"run"`
	Items []planout.Lot `json:"items"`
	// Crossing counts the lots whose municipalities lie in more than one region.
	Crossing int `json:"crossing"`
	// Overlapping counts the lots whose outline shares ground with another lot's (of the
	// same block, for a programme).
	Overlapping int `json:"overlapping"`
}

// runLots: GET /api/v1/runs/{id}/lots — every lot of the run's plan with its spread
// (farthest asset from the depot in km, outline area in km², label point) and the lots its
// outline overlaps, each with why the two are not one lot (planout.Lots).
func (s *Server) runLots(c echo.Context) error {
	run, p, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return err
	}
	out := lotsAnswer{Run: run.ID}
	if inst.Version == 2 {
		yrs, err := s.programmeYears(c, run.ID)
		if err != nil {
			return err
		}
		out.Items = planout.ProgrammeLots(p, inst, yrs)
	} else {
		out.Items = planout.Lots(p, inst)
	}
	for _, l := range out.Items {
		if len(l.Regions) > 1 {
			out.Crossing++
		}
		if len(l.Overlaps) > 0 {
			out.Overlapping++
		}
	}
	return c.JSON(http.StatusOK, out)
}

// startCounterpart: POST /api/v1/runs/{id}/counterpart {time_limit_s, seed} — 202 and a new
// run of the same scenario that solves run id's frozen instance with params.region_locked
// flipped (the run's own time limit and seed unless given), so that the two costs price
// the area lock. A counterpart that exists and has not failed is answered instead (200), so
// the page may ask again after a reload. A counterpart has none of its own (422).
func (s *Server) startCounterpart(c echo.Context) error {
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	var body runRequest
	if err := decodeBody(c, &body, true); err != nil {
		return err
	}
	req, err := body.jobsRequest()
	if err != nil {
		return err
	}
	if body.TimeLimitS == nil {
		req.TimeLimit = time.Duration(run.TimeLimitS * float64(time.Second))
	}
	if body.Seed == nil {
		req.Seed = run.Seed
	}
	req.CounterpartOf = run.ID
	switch {
	case run.CounterpartOf != nil:
		return invalid(fmt.Sprintf("run %d is itself the counterpart of run %d: ask run %d", run.ID, *run.CounterpartOf, *run.CounterpartOf))
	case run.ScenarioID == nil:
		return invalid(fmt.Sprintf("run %d has no scenario any more (deleted): its counterpart would belong to none", run.ID))
	}
	ctx := c.Request().Context()
	if cp, err := s.store.Counterpart(ctx, run.ID); err == nil && cp.Status != data.RunFailed && cp.Status != data.RunInterrupted {
		return c.JSON(http.StatusOK, cp)
	} else if err != nil && !errors.Is(err, data.ErrNotFound) {
		return err
	}
	raw, err := s.store.RunInstance(ctx, run.ID)
	if err != nil {
		return err
	}
	inst, err := solver.ParseInstance(raw)
	if err != nil {
		return fmt.Errorf("instance of run %d: %w", run.ID, err)
	}
	if inst.Version != 1 {
		return invalid(fmt.Sprintf("run %d solves a version-%d instance (a programme): the area lock is priced for version 1 only", run.ID, inst.Version))
	}
	inst.Params.RegionLocked = !inst.Params.RegionLocked
	cp, err := s.planning.runs.Submit(ctx, *run.ScenarioID, req, inst)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/runs/"+strconv.FormatInt(cp.ID, 10))
	return c.JSON(http.StatusAccepted, cp)
}

// lockPriceAnswer is GET /api/v1/runs/{id}/lock-price. Costs are null until the run (its
// counterpart) has a plan; LiftingSaves is the locked plan's cost less the unlocked one's,
// whichever of the two the run is — negative when the unlocked solve found no cheaper plan
// in its time.
type lockPriceAnswer struct {
	Run          int64 `json:"run"`
	RegionLocked bool  `json:"region_locked"`
	// Priceable says whether the page should ask POST …/counterpart: a version-1 solve of a
	// scenario that still exists, neither a counterpart nor a hand edit (whose lock price is
	// its parent run's).
	Priceable       bool      `json:"priceable"`
	Cost            *float64  `json:"cost"`
	Counterpart     *data.Run `json:"counterpart"`
	CounterpartCost *float64  `json:"counterpart_cost"`
	LiftingSaves    *float64  `json:"lifting_saves"`
}

// lockPrice: GET /api/v1/runs/{id}/lock-price — the run, its counterpart (null until one is
// asked for with POST …/counterpart) and what lifting the area lock saves.
func (s *Server) lockPrice(c echo.Context) error {
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	raw, err := s.store.RunInstance(ctx, run.ID)
	if err != nil {
		return err
	}
	var head struct {
		Version int `json:"version"`
		Params  struct {
			RegionLocked bool `json:"region_locked"`
		} `json:"params"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("instance of run %d: %w", run.ID, err)
	}
	out := lockPriceAnswer{Run: run.ID, RegionLocked: head.Params.RegionLocked, Cost: planCost(run),
		Priceable: head.Version == 1 && run.ScenarioID != nil && run.CounterpartOf == nil && run.ParentRun == nil}
	cp, err := s.store.Counterpart(ctx, run.ID)
	switch {
	case err == nil:
		if !data.RunFinal(cp.Status) {
			if p := s.planning.runs.Progress(cp.ID); p != nil {
				cp.Progress = p
			}
		}
		out.Counterpart, out.CounterpartCost = &cp, planCost(cp)
	case !errors.Is(err, data.ErrNotFound):
		return err
	}
	if out.Cost != nil && out.CounterpartCost != nil {
		saves := *out.Cost - *out.CounterpartCost
		if !out.RegionLocked {
			saves = -saves
		}
		out.LiftingSaves = &saves
	}
	return c.JSON(http.StatusOK, out)
}

// planCost is the cost of a run's plan, nil when it has none.
func planCost(r data.Run) *float64 {
	if !r.HasPlan || r.Summary == nil {
		return nil
	}
	return &r.Summary.Cost
}
