package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"runtime"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/fault"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/internal/whatif"
	"github.com/tabane/tabane/solver"
)

// What-if batches over the API (issue 7): POST /api/v1/batches takes a batch document
// (internal/whatif) whose base is a scenario of this server, checks every variation
// before anything runs, and hands it to the job queue (internal/jobs), which solves
// one batch at a time and stores each finished variation as a row at once, so GET shows
// the rows so far and a cancelled batch keeps them.

// batchBodyLimit bounds a batch document.
const batchBodyLimit = "1M"

// Problem type of a batch refused because the queue is full.
const ProblemBatchQueueFull = "urn:tabane:problem:batch-queue-full"

// registerBatches registers the routes of the batches.
func (s *Server) registerBatches(g *echo.Group) {
	g.POST("/batches", s.createBatch, bodyLimit(batchBodyLimit))
	g.GET("/batches", s.listBatches)
	g.GET("/batches/:id", s.getBatch)
	g.DELETE("/batches/:id", s.cancelBatch)
	s.registerBatchOutputs(g)
}

// refuseBatch is the 422 of a batch that cannot run (nothing is queued): every problem
// with its path (an override key such as params.limits.max_value, or a place in the
// batch document such as base or variations[0].set) and the variation it is found in,
// when it belongs to one.
func refuseBatch(errs ...fault.Field) error {
	parts := make([]string, 0, len(errs))
	for i, e := range errs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("… %d more", len(errs)-3))
			break
		}
		p := e.Path + ": " + e.Message
		if e.Variation != "" {
			p = fmt.Sprintf("variation %q: %s", e.Variation, p)
		}
		parts = append(parts, p)
	}
	return &fault.Error{Code: fault.Invalid, Message: "the batch cannot run, nothing was queued: " + strings.Join(parts, "; "), Fields: errs}
}

// parseRefusal is the answer to a batch document whatif.Parse refused: a syntax error
// is a 400, the other problems a 422 naming each path (with its line).
func parseRefusal(err error) error {
	var pe *whatif.ParseError
	if !errors.As(err, &pe) {
		return refuseBatch(fault.Field{Path: "batch", Message: err.Error()})
	}
	if pe.Syntax {
		p := pe.Problems[0]
		detail := p.Path + ": " + p.Message
		if p.Path == pe.Name {
			detail = p.Message
		}
		return malformed("the batch document is not valid YAML or JSON: "+detail,
			solver.InputError{Path: p.Path, Msg: p.Message})
	}
	items := make([]fault.Field, len(pe.Problems))
	for i, p := range pe.Problems {
		items[i] = fault.Field{Path: p.Path, Message: p.Message}
		if p.Line > 0 {
			items[i].Message += fmt.Sprintf(" (line %d)", p.Line)
		}
	}
	return refuseBatch(items...)
}

// readBatchDocument reads the body of POST /batches: application/json {"batch": {...}}
// (or {"batch": "YAML text"}) or the document itself as application/yaml. A JSON
// document is given to whatif.Parse in place (the rest of the body blanked), so that
// the line numbers of its errors are the body's.
func readBatchDocument(c echo.Context) ([]byte, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		mt = ""
	}
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	switch mt {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, malformed("the body is empty; a batch document is expected",
				solver.InputError{Path: "line 1, column 1", Msg: "expected a batch document"})
		}
		return body, nil
	case "application/json":
		members, err := splitObject(body)
		if err != nil {
			return nil, err
		}
		for k := range members {
			if k != "batch" {
				return nil, invalid("unknown field "+k, solver.InputError{Path: k, Msg: "unknown field; the body is {\"batch\": {...}}"})
			}
		}
		m, ok := members["batch"]
		if !ok || bytes.Equal(m.raw, []byte("null")) {
			return nil, invalid("batch is required", solver.InputError{Path: "batch", Msg: "required: the batch document, an object (or its YAML text as a string)"})
		}
		switch m.raw[0] {
		case '{':
			return inPlace(body, m), nil
		case '"':
			var text string
			if err := json.Unmarshal(m.raw, &text); err != nil {
				return nil, malformed(err.Error())
			}
			return []byte(text), nil
		}
		return nil, invalid("batch must be an object", solver.InputError{Path: "batch",
			Msg: "expected an object (the batch document) or a string (its YAML text), found " + string(m.raw)})
	}
	return nil, &Problem{Type: "about:blank", Title: http.StatusText(http.StatusUnsupportedMediaType),
		Status: http.StatusUnsupportedMediaType,
		Detail: fmt.Sprintf("Content-Type %q: send application/json {\"batch\": {...}} or the batch document as application/yaml", ct)}
}

// batchSpec is the stored and shown form of an expanded batch.
type batchSpec struct {
	Base       batchBase        `json:"base"`
	Solver     batchSolver      `json:"solver"`
	Variations []batchVariation `json:"variations"`
}

type batchBase struct {
	Scenario int64 `json:"scenario"`
}

type batchSolver struct {
	TimeLimitS    float64 `json:"time_limit_s"`
	Seed          int64   `json:"seed"`
	MaxIterations int     `json:"max_iterations"`
	Threads       int     `json:"threads"`
}

type batchVariation struct {
	Index      int                 `json:"index"`
	Name       string              `json:"name"`
	Overrides  []whatif.Assignment `json:"overrides"`
	TimeLimitS float64             `json:"time_limit_s"`
	Seed       int64               `json:"seed"`
	Key        string              `json:"key"`
}

// createBatch: POST /api/v1/batches → 202, Location and the queued batch; 422 naming
// every problem (variation and path) when the batch cannot run.
func (s *Server) createBatch(c echo.Context) error {
	doc, err := readBatchDocument(c)
	if err != nil {
		return err
	}
	b, err := whatif.Parse(doc, "batch")
	if err != nil {
		return parseRefusal(err)
	}
	// Only scenario bases: a file base would read a file of the server, a db base
	// another database of it.
	switch {
	case len(b.Bases) > 0:
		return refuseBatch(fault.Field{Path: "bases", Message: "instance files would be read from the server's disk; over the API the base is one scenario of this server: base: {scenario: ID}"})
	case b.Base.Instance != "":
		return refuseBatch(fault.Field{Path: "base", Message: fmt.Sprintf(
			"an instance file (%q) would be read from the server's disk; over the API the base is a scenario of this server: base: {scenario: ID}",
			b.Base.Instance)})
	case b.Base.DB != "":
		return refuseBatch(fault.Field{Path: "base.db", Message: "the API's batches use the server's own database; leave db out"})
	}
	ctx := c.Request().Context()
	sc, err := s.store.Scenario(ctx, b.Base.Scenario)
	if errors.Is(err, data.ErrNotFound) {
		return refuseBatch(fault.Field{Path: "base.scenario", Message: fmt.Sprintf("no scenario %d (see GET /api/v1/scenarios)", b.Base.Scenario)})
	}
	if err != nil {
		return err
	}
	base, err := s.store.ScenarioInstance(ctx, sc)
	if err != nil {
		return refuseBatch(fault.Field{Path: "base.scenario", Message: fmt.Sprintf("the instance of scenario %d cannot be built: %v", sc.ID, err)})
	}
	vars, err := b.Expand(base)
	if err != nil {
		var be *whatif.BatchError
		if !errors.As(err, &be) {
			return refuseBatch(fault.Field{Path: "batch", Message: err.Error()})
		}
		items := make([]fault.Field, len(be.Problems))
		for i, p := range be.Problems {
			items[i] = fault.Field{Variation: p.Variation, Path: p.Path, Message: p.Message, Also: p.Also}
			if p.Line > 0 { // a programme path's line in the posted document
				items[i].Message += fmt.Sprintf(" (line %d)", p.Line)
			}
		}
		return refuseBatch(items...)
	}
	spec := batchSpec{Base: batchBase{Scenario: sc.ID}, Solver: batchSolver{TimeLimitS: b.TimeLimit.Seconds(), Seed: b.Seed,
		MaxIterations: b.MaxIterations, Threads: b.Threads}, Variations: make([]batchVariation, len(vars))}
	var limits []fault.Field
	for i, v := range vars {
		if v.TimeLimit > jobs.MaxTimeLimit {
			limits = append(limits, fault.Field{Variation: v.Name, Path: "solver.time_limit",
				Message: fmt.Sprintf("at most %v over the API, found %v", jobs.MaxTimeLimit, v.TimeLimit)})
		}
		if n := runtime.NumCPU(); v.Threads > n {
			limits = append(limits, fault.Field{Variation: v.Name, Path: "solver.threads",
				Message: fmt.Sprintf("at most %d (the server's CPUs), found %d", n, v.Threads)})
		}
		ov := v.Overrides
		if ov == nil {
			ov = []whatif.Assignment{}
		}
		spec.Variations[i] = batchVariation{Index: v.Index, Name: v.Name, Overrides: ov,
			TimeLimitS: v.TimeLimit.Seconds(), Seed: v.Seed, Key: v.Key}
	}
	if len(limits) > 0 {
		return refuseBatch(limits...)
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("batch spec: %w", err)
	}
	batch, err := s.planning.runs.SubmitBatch(ctx, data.NewBatch{Name: b.Name, Description: b.Description, ScenarioID: sc.ID,
		Spec: specJSON, Document: string(doc), Total: len(vars)}, vars)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/batches/"+strconv.FormatInt(batch.ID, 10))
	return c.JSON(http.StatusAccepted, batchDetail{Batch: batch, Rows: []json.RawMessage{}})
}

// batchDetail is one batch with its rows so far.
type batchDetail struct {
	data.Batch
	Rows []json.RawMessage `json:"rows"`
}

// batchParam reads the batch named by the id path parameter.
func (s *Server) batchParam(c echo.Context) (data.Batch, error) {
	v := c.Param("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return data.Batch{}, invalidParameter("id", "must be a batch id (a positive integer), found %q", v)
	}
	b, err := s.store.Batch(c.Request().Context(), id)
	if err != nil {
		return b, err
	}
	return b, nil
}

// batchWithRows reads a batch's rows; the progress counts them, so that both agree.
func (s *Server) batchWithRows(ctx context.Context, b data.Batch) (batchDetail, error) {
	rows, err := s.store.BatchRows(ctx, b.ID)
	if err != nil {
		return batchDetail{}, err
	}
	d := batchDetail{Batch: b, Rows: make([]json.RawMessage, len(rows))}
	for i, r := range rows {
		d.Rows[i] = r.Row
	}
	d.Progress.Done = len(rows)
	return d, nil
}

// getBatch: GET /api/v1/batches/{id} — status, progress, spec and the rows so far.
func (s *Server) getBatch(c echo.Context) error {
	b, err := s.batchParam(c)
	if err != nil {
		return err
	}
	d, err := s.batchWithRows(c.Request().Context(), b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// listBatches: GET /api/v1/batches?status=&limit=&offset= — without specs and rows.
func (s *Server) listBatches(c echo.Context) error {
	q := c.QueryParams()
	f := data.BatchFilter{Status: q.Get("status")}
	if err := statusParam(f.Status); err != nil {
		return err
	}
	var err error
	if f.Limit, f.Offset, err = paging(q, formatJSON); err != nil {
		return err
	}
	items, total, err := s.store.Batches(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(c, items, total, f.Limit, f.Offset))
}

// cancelBatch: DELETE /api/v1/batches/{id} stops the batch, keeps its finished rows and
// answers it in its final state; 409 when it has already ended.
func (s *Server) cancelBatch(c echo.Context) error {
	b, err := s.batchParam(c)
	if err != nil {
		return err
	}
	if data.RunFinal(b.Status) {
		return conflict(fmt.Sprintf("batch %d has already ended (%s)", b.ID, b.Status))
	}
	ctx := c.Request().Context()
	if err := s.planning.runs.CancelBatch(ctx, b.ID); err != nil {
		return err
	}
	if b, err = s.store.Batch(ctx, b.ID); err != nil {
		return err
	}
	d, err := s.batchWithRows(ctx, b)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// resultRows are the stored rows of a batch as whatif rows, with their plans.
func (s *Server) resultRows(c echo.Context) (data.Batch, []whatif.Row, error) {
	b, err := s.batchParam(c)
	if err != nil {
		return b, nil, err
	}
	stored, err := s.store.BatchRows(c.Request().Context(), b.ID)
	if err != nil {
		return b, nil, err
	}
	rows := make([]whatif.Row, len(stored))
	for i, r := range stored {
		if err := json.Unmarshal(r.Row, &rows[i]); err != nil {
			return b, nil, fmt.Errorf("batch %d row %d: %w", b.ID, r.Index, err)
		}
		if r.Plan != nil {
			rows[i].Plan = &solver.Plan{}
			if err := json.Unmarshal(r.Plan, rows[i].Plan); err != nil {
				return b, nil, fmt.Errorf("batch %d row %d: plan: %w", b.ID, r.Index, err)
			}
		}
	}
	return b, rows, nil
}
