package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/solver"
)

// planning is the state of the planning routes: the job queue (internal/jobs), which
// also holds the slots of the stateless solves (POST /api/v1/solve, SolveNow).
type planning struct {
	runs     *jobs.Queue
	ownsRuns bool
}

func (s *Server) initPlanning(opt Options) {
	s.planning.runs = opt.Runs
	if s.planning.runs == nil {
		jo := jobs.Options{Logger: s.log, MaxQueuedRuns: opt.Security.Limits.MaxQueuedRuns}
		q, err := jobs.Open(context.Background(), s.store, jo)
		if err != nil {
			// The leftover jobs stay as they were; the queue works without them.
			s.log.Error("jobs: mark the unfinished jobs interrupted", "err", err)
			q = jobs.New(s.store, jo)
		}
		s.planning.runs, s.planning.ownsRuns = q, true
	}
}

// Close stops the server's background work: the job queue it opened itself (see
// Options.Runs) is closed, cancelling running solves (keeping their best plans) and
// batches (keeping their rows).
func (s *Server) Close() error {
	if s.planning.ownsRuns {
		return s.planning.runs.Close()
	}
	return nil
}

// Body limits of the planning routes.
const (
	scenarioBodyLimit = "1M"
	runBodyLimit      = "64K"
	instanceBodyLimit = "64M" // POST /solve and /evaluate carry whole instances
)

func (s *Server) registerPlanning(g *echo.Group) {
	g.GET("/scenarios", s.listScenarios)
	g.POST("/scenarios", s.createScenario, bodyLimit(scenarioBodyLimit))
	g.GET("/scenarios/:id", s.getScenario)
	g.PATCH("/scenarios/:id", s.patchScenario, bodyLimit(scenarioBodyLimit))
	g.DELETE("/scenarios/:id", s.deleteScenario)
	g.GET("/scenarios/:id/instance", s.scenarioInstance)
	g.GET("/scenarios/:id/standalone", s.scenarioStandalone)
	g.POST("/scenarios/:id/runs", s.startRun, bodyLimit(runBodyLimit))
	s.registerPins(g)

	g.GET("/runs", s.listRuns)
	g.GET("/runs/:id", s.getRun)
	g.DELETE("/runs/:id", s.cancelRun)
	g.GET("/runs/:id/events", s.runEvents)
	g.GET("/runs/:id/plan", s.runPlan)
	g.GET("/runs/:id/plan.geojson", s.runPlanGeoJSON)
	g.GET("/runs/:id/plan.csv", s.runPlanCSV)
	g.GET("/runs/:id/shares", s.runShares)
	g.GET("/runs/:id/years", s.runYears)
	g.GET("/runs/:id/budgets", s.runBudgets)
	g.GET("/runs/:a/compare/:b", s.compareRuns)

	g.POST("/solve", s.solveStateless, bodyLimit(instanceBodyLimit))
	g.POST("/evaluate", s.evaluateStateless, bodyLimit(instanceBodyLimit))
}

// runRequest is the body of POST /api/v1/scenarios/{id}/runs (optional).
type runRequest struct {
	TimeLimitS *float64 `json:"time_limit_s"`
	Seed       *int64   `json:"seed"`
	// MaxIterations caps the search (0: none), for a reproducible run.
	MaxIterations int `json:"max_iterations"`
	// CompareYearly: a programme run also plans each due year alone (saving against
	// year-by-year planning in the report's yearly and yearly_saving).
	CompareYearly bool `json:"compare_yearly"`
}

func (r runRequest) jobsRequest() (jobs.Request, error) {
	req := jobs.Request{TimeLimit: jobs.DefaultTimeLimit, Seed: 1, MaxIterations: r.MaxIterations, CompareYearly: r.CompareYearly}
	if r.Seed != nil {
		req.Seed = *r.Seed
	}
	if r.MaxIterations < 0 {
		return req, invalid("max_iterations is out of range", solver.InputError{Path: "max_iterations",
			Msg: fmt.Sprintf("must be ≥ 0 (0: no cap), found %d", r.MaxIterations)})
	}
	if r.TimeLimitS != nil {
		t := *r.TimeLimitS
		if !(t > 0) || t > jobs.MaxTimeLimit.Seconds() {
			return req, invalid("time_limit_s is out of range", solver.InputError{Path: "time_limit_s",
				Msg: fmt.Sprintf("must be > 0 and ≤ %g seconds, found %g", jobs.MaxTimeLimit.Seconds(), t)})
		}
		req.TimeLimit = time.Duration(t * float64(time.Second))
	}
	return req, nil
}

// startRun: POST /api/v1/scenarios/{id}/runs {time_limit_s, seed, max_iterations,
// compare_yearly} → 202, Location and the queued run. The scenario's instance is built now
// and frozen in the run; a scenario with a programme makes a programme run (version 2).
func (s *Server) startRun(c echo.Context) error {
	sc, err := s.scenarioParam(c)
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
	ctx := c.Request().Context()
	// A full queue refuses before the instance is built; Submit checks again with the insert.
	if err := s.planning.runs.Room(ctx, jobs.KindRun); err != nil {
		return err
	}
	inst, err := s.store.ScenarioInstance(ctx, sc)
	if err != nil {
		return invalid(fmt.Sprintf("the instance of scenario %d cannot be built: %v", sc.ID, err))
	}
	run, err := s.planning.runs.Submit(ctx, sc.ID, req, inst)
	if err != nil {
		var ve *solver.ValidationError
		if errors.As(err, &ve) {
			p := invalid(fmt.Sprintf("the instance of scenario %d is invalid (see GET /api/v1/scenarios/%d/instance); %d problem(s)",
				sc.ID, sc.ID, len(ve.Problems)))
			for _, e := range ve.Problems {
				if e.Path != "time_limit_s" && e.Path != "max_iterations" {
					e.Path = "instance." + e.Path
				}
				p.Errors = append(p.Errors, e)
			}
			return p
		}
		return err
	}
	loc := "/api/v1/runs/" + strconv.FormatInt(run.ID, 10)
	c.Response().Header().Set(echo.HeaderLocation, loc)
	return c.JSON(http.StatusAccepted, run)
}

// listRuns: GET /api/v1/runs?scenario=ID&status=done&limit=&offset=.
func (s *Server) listRuns(c echo.Context) error {
	q := c.QueryParams()
	f := data.RunFilter{Status: q.Get("status")}
	if v := q.Get("scenario"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return invalidParameter("scenario", "must be a scenario id (a positive integer), found %q", v)
		}
		f.ScenarioID = id
	}
	if err := statusParam(f.Status); err != nil {
		return err
	}
	var err error
	if f.Limit, f.Offset, err = paging(q, formatJSON); err != nil {
		return err
	}
	runs, total, err := s.store.Runs(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(c, runs, total, f.Limit, f.Offset))
}

// statusParam checks a ?status= filter of the runs and batches lists ("" = any).
func statusParam(status string) error {
	switch status {
	case "", data.RunQueued, data.RunRunning, data.RunDone, data.RunFailed, data.RunCancelled, data.RunInterrupted:
		return nil
	}
	return invalidParameter("status", "must be one of queued, running, done, failed, cancelled, interrupted; found %q", status)
}

// runParam reads the run named by path parameter name.
func (s *Server) runParam(c echo.Context, name string) (data.Run, error) {
	v := c.Param(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return data.Run{}, invalidParameter(name, "must be a run id (a positive integer), found %q", v)
	}
	run, err := s.store.Run(c.Request().Context(), id)
	if err != nil {
		return run, err
	}
	return run, nil
}

// getRun: GET /api/v1/runs/{id}; an active run shows its latest progress.
func (s *Server) getRun(c echo.Context) error {
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	if !data.RunFinal(run.Status) {
		if p := s.planning.runs.Progress(run.ID); p != nil {
			run.Progress = p
		}
	}
	return c.JSON(http.StatusOK, run)
}

// cancelRun: DELETE /api/v1/runs/{id} stops the run, keeps its best plan so far and
// answers the run in its final state; 409 when it has already ended.
func (s *Server) cancelRun(c echo.Context) error {
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	run, err = s.planning.runs.Cancel(c.Request().Context(), run.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// sseKeepAlive is how often an idle event stream gets a comment line, so that proxies
// do not close it.
const sseKeepAlive = 15 * time.Second

// runEvents: GET /api/v1/runs/{id}/events — Server-Sent Events: "progress" events as the
// solver reports them (the latest one first), then one "done" event with the run in its
// final state, then the stream ends. For a run that has ended, "done" comes at once.
func (s *Server) runEvents(c echo.Context) error {
	run, err := s.runParam(c, "id")
	if err != nil {
		return err
	}
	ch, stop := s.planning.runs.Subscribe(run.ID)
	defer stop()
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n\n"); err != nil {
		return nil
	}
	w.Flush()
	send := func(event string, v any) bool {
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		w.Flush()
		return true
	}
	ctx := c.Request().Context()
	tick := time.NewTicker(sseKeepAlive)
	defer tick.Stop()
	sentProgress := false
	for open := true; open; {
		select {
		case p, ok := <-ch:
			if !ok {
				open = false
				break
			}
			if !send("progress", p) {
				return nil
			}
			sentProgress = true
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			w.Flush()
		case <-ctx.Done():
			return nil
		}
	}
	final, err := s.store.Run(context.WithoutCancel(ctx), run.ID)
	if err != nil {
		s.log.Error("run events: final state", "run", run.ID, "err", err)
		return nil
	}
	// A subscriber that came after the run ended (or between two snapshots and its end)
	// still gets its last progress before "done", so every stream has the same shape.
	if !sentProgress && final.Progress != nil && !send("progress", final.Progress) {
		return nil
	}
	send("done", final)
	return nil
}
