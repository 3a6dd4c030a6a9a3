package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/solver"
)

// The planner's hand on a run's plan: POST /runs/{id}/moves prices moves of assets between
// lots (and keeps them as a "hand edit" run), GET /runs/{id}/why explains an asset's or a
// lot's place. Both judge with solver.Evaluate, the evaluator of POST /evaluate.

// movesBodyLimit bounds POST /runs/{id}/moves: a box drawn over a town selects a few hundred
// assets, each move some 60 bytes.
const movesBodyLimit = "1M"

func (s *Server) registerMoves(g *echo.Group) {
	g.POST("/runs/:id/moves", s.runMoves, bodyLimit(movesBodyLimit))
	g.GET("/runs/:id/why", s.runWhy)
}

// movesRequest is the body of POST /api/v1/runs/{id}/moves.
type movesRequest struct {
	Moves []solver.Move `json:"moves"`
	// Keep saves the edited plan as a run of its own (label "hand edit", parent_run id).
	Keep bool `json:"keep"`
}

// movesResponse is the answer: the change the moves make, and the saved run when kept.
// A programme run's answer adds the edited plan's years and budgets (EvaluateProgramme's
// report) and the years before, so that a page can show each year's change.
type movesResponse struct {
	Run int64 `json:"run"` // the run whose plan was edited
	*solver.MoveEvaluation
	Years       []solver.YearReport   `json:"years,omitempty"`
	YearsBefore []solver.YearReport   `json:"years_before,omitempty"`
	Budgets     []solver.BudgetReport `json:"budgets,omitempty"`
	Saved       *data.Run             `json:"saved,omitempty"`
}

// runModel loads a run's plan and compiles its instance; runs of a programme (version 2)
// are refused: runMoves sends them to programmeMoves, and why explains the lots of one
// year only. A final run's instance and plan never change, so the last few are kept
// compiled (handCache): a planner's moves on one run then cost two evaluations, not a
// parse of the inventory.
func (s *Server) runModel(c echo.Context) (data.Run, *solver.Report, *solver.Model, error) {
	run, err := s.runParam(c, "id")
	if err != nil {
		return run, nil, nil, err
	}
	if run.Programme {
		return run, nil, nil, conflict(fmt.Sprintf("run %d plans a programme; why explains the lots of a single-year (version 1) plan (moves work on both)", run.ID))
	}
	if e, ok := s.hand.get(run.ID); ok {
		return run, e.report, e.model, nil
	}
	run, rep, inst, err := s.runPlanData(c, "id")
	if err != nil {
		return run, nil, nil, err
	}
	if inst.Version != 1 {
		return run, nil, nil, conflict(fmt.Sprintf("run %d plans a version-%d programme but is not marked as a programme run; why and its moves work on the lots of a single-year (version 1) plan",
			run.ID, inst.Version))
	}
	m, err := solver.Compile(inst)
	if err != nil {
		return run, nil, nil, fmt.Errorf("instance of run %d: %w", run.ID, err)
	}
	if rep.Plan() == nil {
		return run, nil, nil, notFound(fmt.Sprintf("run %d has no plan", run.ID))
	}
	if data.RunFinal(run.Status) {
		s.hand.put(run.ID, handEntry{model: m, report: rep})
	}
	return run, rep, m, nil
}

// handCacheSize is how many runs handCache keeps compiled: the run on the page, the
// hand edits saved from it, and a run being compared.
const handCacheSize = 4

// handCache keeps the compiled instance and plan report of the last final runs that
// moves or why were asked of. Safe for concurrent use; entries are read-only.
type handCache struct {
	mu      sync.Mutex
	entries map[int64]handEntry
	order   []int64 // least recently used first
}

type handEntry struct {
	model  *solver.Model
	report *solver.Report
}

func (hc *handCache) get(id int64) (handEntry, bool) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	e, ok := hc.entries[id]
	if ok {
		hc.touch(id)
	}
	return e, ok
}

func (hc *handCache) put(id int64, e handEntry) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.entries == nil {
		hc.entries = map[int64]handEntry{}
	}
	if _, ok := hc.entries[id]; !ok && len(hc.order) >= handCacheSize {
		delete(hc.entries, hc.order[0])
		hc.order = hc.order[1:]
	}
	hc.entries[id] = e
	hc.touch(id)
}

// touch moves id to the most recently used end of the order.
func (hc *handCache) touch(id int64) {
	for i, x := range hc.order {
		if x == id {
			hc.order = append(hc.order[:i], hc.order[i+1:]...)
			break
		}
	}
	hc.order = append(hc.order, id)
}

// runMoves: POST /api/v1/runs/{id}/moves {"moves": [{"asset", "to_lot": "B03"|"new", "depot",
// "fy"}], "keep": false} → the edited plan's cost, its change, each municipality's share
// change, the lots that changed and every rule the edited plan breaks (the /evaluate
// violations). A programme run's moves may change an inspection's year (fy) and are
// judged by EvaluateProgramme. With keep the edited plan is saved as a run of its own:
// 201 with its Location.
func (s *Server) runMoves(c echo.Context) error {
	var body movesRequest
	if err := decodeBody(c, &body, false); err != nil {
		return err
	}
	if len(body.Moves) == 0 {
		return invalid("moves is required", solver.InputError{Path: "moves", Msg: "must list at least one move"})
	}
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	var out movesResponse
	var save func(context.Context) (data.Run, error)
	if run.Programme {
		out, save, err = s.programmeMoves(c, body.Moves)
	} else {
		out, save, err = s.oneYearMoves(c, body.Moves)
	}
	if err != nil {
		return err
	}
	if !body.Keep {
		return c.JSON(http.StatusOK, out)
	}
	saved, err := save(c.Request().Context())
	if err != nil {
		return err
	}
	out.Saved = &saved
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/runs/"+strconv.FormatInt(saved.ID, 10))
	return c.JSON(http.StatusCreated, out)
}

// oneYearMoves prices moves on a version-1 run's plan; save stores the edited plan.
func (s *Server) oneYearMoves(c echo.Context, moves []solver.Move) (movesResponse, func(context.Context) (data.Run, error), error) {
	run, rep, m, err := s.runModel(c)
	if err != nil {
		return movesResponse{}, nil, err
	}
	me, err := solver.EvaluateMoves(m, rep.Plan(), nil, moves)
	if err != nil {
		return movesResponse{}, nil, err
	}
	save := func(ctx context.Context) (data.Run, error) {
		edited := solver.NewReport(me.Plan.Instance, solver.EditedResult(me, rep.LowerBound, rep.BoundMethod, data.LabelHandEdit))
		return s.saveEdited(ctx, data.EditedRun{Parent: run, Summary: jobs.Summary(edited), Cost: edited.Cost, Bound: edited.LowerBound},
			edited, moves)
	}
	return movesResponse{Run: run.ID, MoveEvaluation: me}, save, nil
}

// programmeMoves prices moves on a programme run's plan (solver.EvaluateProgrammeMoves);
// save stores the edited plan as a programme report, which /years, /budgets, /lots and
// plan.geojson read like a solve's.
func (s *Server) programmeMoves(c echo.Context, moves []solver.Move) (movesResponse, func(context.Context) (data.Run, error), error) {
	run, pr, p, err := s.programmeRun(c)
	if err != nil {
		return movesResponse{}, nil, err
	}
	plan := &solver.Plan{Instance: pr.Instance, Bundles: pr.Bundles, Schedule: pr.Schedule}
	me, err := solver.EvaluateProgrammeMoves(p, plan, nil, moves)
	if err != nil {
		return movesResponse{}, nil, err
	}
	save := func(ctx context.Context) (data.Run, error) {
		res := solver.EditedProgrammeResult(p, me, pr.LowerBound, pr.BoundMethod, data.LabelHandEdit)
		edited := solver.NewProgrammeSolveReport(p, res, solver.SolveOptions{Seed: pr.Seed, Threads: pr.Threads}, nil)
		return s.saveEdited(ctx, data.EditedRun{Parent: run, Summary: jobs.ProgrammeSummary(&edited), Cost: edited.Cost,
			Bound: edited.LowerBound, Programme: true}, edited, moves)
	}
	return movesResponse{Run: run.ID, MoveEvaluation: me, Years: me.After.Years, YearsBefore: me.Before.Years,
		Budgets: me.After.Budgets}, save, nil
}

// saveEdited stores an edited plan's report (a solver.Report, or a ProgrammeSolveReport
// for a programme run) as a done run with the moves that made it.
func (s *Server) saveEdited(ctx context.Context, e data.EditedRun, report any, moves []solver.Move) (data.Run, error) {
	var err error
	if e.Plan, err = json.Marshal(report); err != nil {
		return data.Run{}, fmt.Errorf("edited plan of run %d: %w", e.Parent.ID, err)
	}
	if e.Moves, err = json.Marshal(moves); err != nil {
		return data.Run{}, fmt.Errorf("moves on run %d: %w", e.Parent.ID, err)
	}
	return s.store.CreateEditedRun(ctx, e)
}

// runWhy: GET /api/v1/runs/{id}/why?asset=ID explains where the plan puts an asset
// (solver.AssetWhy); ?lot=B03 explains a lot (solver.LotWhy). Exactly one of the two.
func (s *Server) runWhy(c echo.Context) error {
	asset, lot := c.QueryParam("asset"), c.QueryParam("lot")
	if (asset == "") == (lot == "") {
		return invalidParameter("asset", "give exactly one of asset=ID or lot=ID")
	}
	_, rep, m, err := s.runModel(c)
	if err != nil {
		return err
	}
	if asset != "" {
		if _, ok := m.AssetIndex[asset]; !ok {
			return notFound(fmt.Sprintf("asset %q is not in the run's instance", asset))
		}
		w, err := solver.WhyAsset(m, rep.Plan(), asset)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, w)
	}
	w, err := solver.WhyLot(m, rep.Plan(), lot)
	if err != nil {
		return notFound(err.Error())
	}
	return c.JSON(http.StatusOK, w)
}
