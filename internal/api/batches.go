package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/internal/whatif"
	"github.com/tabane/tabane/solver"
)

// What-if batches over the API (issue 7): POST /api/v1/batches takes a batch document
// (internal/whatif) whose base is a scenario of this server, checks every variation
// before anything runs, and queues it. One batch solves at a time, its variations
// side by side (BatchOptions.Parallel); each finished variation is stored as a row at
// once, so GET shows the rows so far and a cancelled batch keeps them. Results are
// cached by whatif's content hash in BatchOptions.CacheDir, so a batch posted again
// solves only what changed.

// BatchOptions tune the what-if batches of a Server (ConfigureBatches).
type BatchOptions struct {
	// CacheDir holds the cached results of solved variations; "" is the folder
	// <database file>.whatif-cache next to the database (the user's cache folder
	// tabane/whatif for a database without a file).
	CacheDir string
	// NoCache turns the cache off: every variation solves.
	NoCache bool
	// Parallel is how many variations of a batch solve at once; 0 is half the CPUs
	// (at least 1), leaving room for the run queue.
	Parallel int
	// MaxQueued is how many batches may wait behind the running one; 0 is
	// DefaultMaxQueuedBatches. One more is refused with 503.
	MaxQueued int
}

// DefaultMaxQueuedBatches is the default of BatchOptions.MaxQueued.
const DefaultMaxQueuedBatches = 16

// batchBodyLimit bounds a batch document.
const batchBodyLimit = "1M"

// Problem type of a batch refused because the queue is full.
const ProblemBatchQueueFull = "urn:tabane:problem:batch-queue-full"

// interruptedReason is the error of a batch the server did not finish.
const interruptedReason = "the server stopped before the batch finished; its finished rows are kept — post the batch again to finish it (finished variations come from the cache)"

var (
	errBatchCancelled = errors.New("batch cancelled")
	errBatchesClosed  = errors.New("the server is shutting down")
	errBatchQueueFull = errors.New("too many batches are waiting")
)

// batchRunner runs the queued batches one at a time, in a goroutine that lives while
// there is work.
type batchRunner struct {
	store *data.Store
	log   *slog.Logger
	// solve replaces solver.Solve (nil = solver.Solve): tests hold a variation back.
	solve whatif.SolveFunc

	mu      sync.Mutex
	opt     BatchOptions
	queue   []*batchJob
	active  *batchJob
	working bool // the worker goroutine runs
	closed  bool
	wg      sync.WaitGroup
}

// batchJob is a batch waiting or running, with its expanded variations.
type batchJob struct {
	id     int64
	vars   []whatif.Variation
	cancel context.CancelCauseFunc // set when it starts
	done   chan struct{}           // closed when it has ended
}

// ConfigureBatches sets the options of the batches posted from now on (call it before
// serving). Batches already queued keep the cache and parallelism they start with.
func (s *Server) ConfigureBatches(opt BatchOptions) {
	s.batches.mu.Lock()
	defer s.batches.mu.Unlock()
	s.batches.opt = opt
}

// CloseBatches stops the batches: the running one ends interrupted keeping its
// finished rows, the queued ones end interrupted, and new ones are refused with 503.
func (s *Server) CloseBatches() {
	s.batches.close()
}

// registerBatches creates the batch runner, marks the batches a previous process left
// active as interrupted, and registers the routes.
func (s *Server) registerBatches(g *echo.Group) {
	s.batches = &batchRunner{store: s.store, log: s.log}
	if n, err := s.store.InterruptBatches(context.Background(), interruptedReason); err != nil {
		s.log.Error("batches: interrupt the unfinished batches", "err", err)
	} else if n > 0 {
		s.log.Warn("batches: unfinished batches of a previous start marked interrupted", "count", n)
	}
	g.POST("/batches", s.createBatch, bodyLimit(batchBodyLimit))
	g.GET("/batches", s.listBatches)
	g.GET("/batches/:id", s.getBatch)
	g.DELETE("/batches/:id", s.cancelBatch)
	g.GET("/batches/:id/results.csv", s.batchResultsCSV)
	g.GET("/batches/:id/chart.svg", s.batchChartSVG)
}

// cacheDir is the cache folder of opt for the store's database ("" when off).
func batchCacheDir(opt BatchOptions, dbPath string) string {
	switch {
	case opt.NoCache:
		return ""
	case opt.CacheDir != "":
		return opt.CacheDir
	case dbPath != "" && dbPath != ":memory:" && !strings.HasPrefix(dbPath, "file:"):
		return dbPath + ".whatif-cache"
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "tabane", "whatif")
	}
	return filepath.Join(os.TempDir(), "tabane-whatif-cache")
}

// enqueue stores a new batch (create) and queues its variations, unless the queue is
// full or closed; the check and the insert happen under one lock.
func (r *batchRunner) enqueue(create func() (data.Batch, error), vars []whatif.Variation) (data.Batch, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return data.Batch{}, errBatchesClosed
	}
	limit := r.opt.MaxQueued
	if limit <= 0 {
		limit = DefaultMaxQueuedBatches
	}
	if len(r.queue) >= limit {
		return data.Batch{}, fmt.Errorf("%w: %d batches wait behind the running one; cancel one or try again later", errBatchQueueFull, len(r.queue))
	}
	b, err := create()
	if err != nil {
		return b, err
	}
	r.queue = append(r.queue, &batchJob{id: b.ID, vars: vars, done: make(chan struct{})})
	if !r.working {
		r.working = true
		r.wg.Add(1)
		go r.work()
	}
	return b, nil
}

// work runs the queued batches one after the other, and ends when none is left.
func (r *batchRunner) work() {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		if len(r.queue) == 0 || r.closed {
			r.working = false
			r.mu.Unlock()
			return
		}
		job := r.queue[0]
		r.queue = r.queue[1:]
		ctx, cancel := context.WithCancelCause(context.Background())
		job.cancel = cancel
		r.active = job
		opt := r.opt
		r.mu.Unlock()

		r.run(ctx, job, opt)
		cancel(nil)
		r.mu.Lock()
		r.active = nil
		r.mu.Unlock()
		close(job.done)
	}
}

// run solves one batch, storing each row as it finishes, and ends it with its status:
// done, cancelled (DELETE), interrupted (the server closes) or failed.
func (r *batchRunner) run(ctx context.Context, job *batchJob, opt BatchOptions) {
	// The store outlives the batch's context: rows and the final state are written
	// also after a cancel.
	bg := context.WithoutCancel(ctx)
	started, err := r.store.StartBatch(bg, job.id)
	if err != nil {
		r.log.Error("batches: start", "batch", job.id, "err", err)
		r.finish(bg, job.id, data.RunFailed, err.Error())
		return
	}
	if !started {
		return // cancelled while it waited
	}
	parallel := opt.Parallel
	if parallel <= 0 {
		parallel = max(1, runtime.GOMAXPROCS(0)/2)
	}
	var storeErr error
	_, runErr := whatif.Run(ctx, job.vars, whatif.RunOptions{
		Parallel: parallel,
		CacheDir: batchCacheDir(opt, r.store.Path()),
		Solve:    r.solve,
		OnRow: func(row whatif.Row) {
			if err := r.storeRow(bg, job.id, row); err != nil && storeErr == nil {
				storeErr = err
				r.log.Error("batches: store a row", "batch", job.id, "variation", row.Index, "err", err)
			}
		},
	})
	status, msg := data.RunDone, ""
	switch cause := context.Cause(ctx); {
	case storeErr != nil:
		status, msg = data.RunFailed, "store the rows: "+storeErr.Error()
	case runErr != nil && errors.Is(cause, errBatchCancelled):
		status = data.RunCancelled
	case runErr != nil && errors.Is(cause, errBatchesClosed):
		status, msg = data.RunInterrupted, interruptedReason
	case runErr != nil:
		status, msg = data.RunFailed, runErr.Error()
	}
	r.finish(bg, job.id, status, msg)
}

func (r *batchRunner) finish(ctx context.Context, id int64, status, msg string) {
	if _, err := r.store.FinishBatch(ctx, id, status, msg); err != nil {
		r.log.Error("batches: finish", "batch", id, "status", status, "err", err)
	}
}

// storeRow writes a row (whatif.Row JSON) and its plan.
func (r *batchRunner) storeRow(ctx context.Context, id int64, row whatif.Row) error {
	rowJSON, err := json.Marshal(row)
	if err != nil {
		return err
	}
	var plan []byte
	if row.Plan != nil {
		if plan, err = json.Marshal(row.Plan); err != nil {
			return err
		}
	}
	return r.store.AddBatchRow(ctx, id, row.Index, rowJSON, plan)
}

// cancel stops batch id: a queued one ends at once, a running one stops its solves and
// ends when its finished rows are stored (cancel waits for that, or for ctx).
func (r *batchRunner) cancel(ctx context.Context, id int64) error {
	r.mu.Lock()
	for i, job := range r.queue {
		if job.id == id {
			r.queue = append(r.queue[:i:i], r.queue[i+1:]...)
			r.mu.Unlock()
			_, err := r.store.FinishBatch(ctx, id, data.RunCancelled, "")
			close(job.done)
			return err
		}
	}
	if job := r.active; job != nil && job.id == id {
		job.cancel(errBatchCancelled)
		r.mu.Unlock()
		select {
		case <-job.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Unlock()
	// Active in the database but held by no runner of this process: end it there.
	_, err := r.store.FinishBatch(ctx, id, data.RunCancelled, "")
	return err
}

// close refuses new batches, ends the queued ones interrupted, stops the running one
// and waits for it.
func (r *batchRunner) close() {
	r.mu.Lock()
	r.closed = true
	queued := r.queue
	r.queue = nil
	active := r.active
	r.mu.Unlock()
	for _, job := range queued {
		r.finish(context.Background(), job.id, data.RunInterrupted, interruptedReason)
		close(job.done)
	}
	if active != nil {
		active.cancel(errBatchesClosed)
	}
	r.wg.Wait()
}

// batchItemError is one problem of a posted batch: the variation it is found in (when
// it belongs to one), the path (an override key such as params.limits.max_value, or a
// place in the batch document such as base or variations[0].set), and the message.
type batchItemError struct {
	Variation string `json:"variation,omitempty"`
	Path      string `json:"path"`
	Message   string `json:"message"`
	// Also counts the other variations with the same problem.
	Also int `json:"also,omitempty"`
}

// batchProblem is the 422 of a batch that cannot run: a Problem whose errors also name
// their variation.
type batchProblem struct {
	Type     string           `json:"type"`
	Title    string           `json:"title"`
	Status   int              `json:"status"`
	Detail   string           `json:"detail"`
	Instance string           `json:"instance"`
	Errors   []batchItemError `json:"errors"`
}

// refuseBatch answers 422 with the problems of a batch; nothing is queued.
func refuseBatch(c echo.Context, errs ...batchItemError) error {
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
	p := batchProblem{Type: ProblemInvalid, Title: "Invalid input", Status: http.StatusUnprocessableEntity,
		Detail:   "the batch cannot run, nothing was queued: " + strings.Join(parts, "; "),
		Instance: c.Request().URL.Path, Errors: errs}
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	return c.JSON(p.Status, p)
}

// parseErrorLine matches an error of whatif.Parse: "batch: PATH (line N): MESSAGE".
var parseErrorLine = regexp.MustCompile(`(?s)^batch: ([^ :]+?)(?: \(line (\d+)\))?: (.*)$`)

// parseProblems turns the errors of whatif.Parse into item errors; a YAML syntax error
// is a 400 instead.
func parseProblems(err error) ([]batchItemError, error) {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []batchItemError
	for _, e := range list {
		msg := e.Error()
		if rest, ok := strings.CutPrefix(msg, "batch: yaml: unmarshal errors:\n"); ok {
			for _, line := range strings.Split(rest, "\n") {
				line = strings.TrimSpace(line)
				where, what, ok := strings.Cut(line, ": ")
				if !ok {
					where, what = "batch", line
				}
				out = append(out, batchItemError{Path: where, Message: what})
			}
			continue
		}
		if rest, ok := strings.CutPrefix(msg, "batch: yaml: "); ok {
			where, what, ok := strings.Cut(rest, ": ")
			if !ok || !strings.HasPrefix(where, "line ") {
				where, what = "batch", rest
			}
			return nil, malformed("the batch document is not valid YAML or JSON: "+rest,
				solver.InputError{Path: where, Msg: what})
		}
		if m := parseErrorLine.FindStringSubmatch(msg); m != nil {
			what := m[3]
			if m[2] != "" {
				what += " (line " + m[2] + ")"
			}
			out = append(out, batchItemError{Path: m[1], Message: what})
			continue
		}
		out = append(out, batchItemError{Path: "batch", Message: strings.TrimPrefix(msg, "batch: ")})
	}
	return out, nil
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
		items, perr := parseProblems(err)
		if perr != nil {
			return perr
		}
		return refuseBatch(c, items...)
	}
	// Only scenario bases: a file base would read a file of the server, a db base
	// another database of it.
	switch {
	case b.Base.Instance != "":
		return refuseBatch(c, batchItemError{Path: "base", Message: fmt.Sprintf(
			"an instance file (%q) would be read from the server's disk; over the API the base is a scenario of this server: base: {scenario: ID}",
			b.Base.Instance)})
	case b.Base.DB != "":
		return refuseBatch(c, batchItemError{Path: "base.db", Message: "the API's batches use the server's own database; leave db out"})
	}
	ctx := c.Request().Context()
	sc, err := s.store.Scenario(ctx, b.Base.Scenario)
	if errors.Is(err, data.ErrNotFound) {
		return refuseBatch(c, batchItemError{Path: "base.scenario", Message: fmt.Sprintf("no scenario %d (see GET /api/v1/scenarios)", b.Base.Scenario)})
	}
	if err != nil {
		return err
	}
	base, err := s.store.ScenarioInstance(ctx, sc)
	if err != nil {
		return refuseBatch(c, batchItemError{Path: "base.scenario", Message: fmt.Sprintf("the instance of scenario %d cannot be built: %v", sc.ID, err)})
	}
	vars, err := b.Expand(base)
	if err != nil {
		var be *whatif.BatchError
		if !errors.As(err, &be) {
			return refuseBatch(c, batchItemError{Path: "batch", Message: err.Error()})
		}
		items := make([]batchItemError, len(be.Problems))
		for i, p := range be.Problems {
			items[i] = batchItemError{Variation: p.Variation, Path: p.Path, Message: p.Message, Also: p.Also}
		}
		return refuseBatch(c, items...)
	}
	spec := batchSpec{Base: batchBase{Scenario: sc.ID}, Solver: batchSolver{TimeLimitS: b.TimeLimit.Seconds(), Seed: b.Seed,
		MaxIterations: b.MaxIterations, Threads: b.Threads}, Variations: make([]batchVariation, len(vars))}
	var limits []batchItemError
	for i, v := range vars {
		if v.TimeLimit > jobs.MaxTimeLimit {
			limits = append(limits, batchItemError{Variation: v.Name, Path: "solver.time_limit",
				Message: fmt.Sprintf("at most %v over the API, found %v", jobs.MaxTimeLimit, v.TimeLimit)})
		}
		if n := runtime.NumCPU(); v.Threads > n {
			limits = append(limits, batchItemError{Variation: v.Name, Path: "solver.threads",
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
		return refuseBatch(c, limits...)
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("batch spec: %w", err)
	}
	batch, err := s.batches.enqueue(func() (data.Batch, error) {
		return s.store.CreateBatch(ctx, data.NewBatch{Name: b.Name, Description: b.Description, ScenarioID: sc.ID,
			Spec: specJSON, Document: string(doc), Total: len(vars)})
	}, vars)
	switch {
	case errors.Is(err, errBatchQueueFull):
		c.Response().Header().Set("Retry-After", "60")
		return &Problem{Type: ProblemBatchQueueFull, Title: "Batch queue full", Status: http.StatusServiceUnavailable, Detail: err.Error()}
	case errors.Is(err, errBatchesClosed):
		return &Problem{Type: ProblemShuttingDown, Title: "Shutting down", Status: http.StatusServiceUnavailable, Detail: err.Error()}
	case err != nil:
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
		return b, planningError(err)
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
		return planningError(err)
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
	if err := s.batches.cancel(ctx, b.ID); err != nil {
		return err
	}
	if b, err = s.store.Batch(ctx, b.ID); err != nil {
		return planningError(err)
	}
	d, err := s.batchWithRows(ctx, b)
	if err != nil {
		return planningError(err)
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
		return b, nil, planningError(err)
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

// batchResultsCSV: GET /api/v1/batches/{id}/results.csv — the table of whatif.WriteCSV
// over the rows so far (the header alone before the first one).
func (s *Server) batchResultsCSV(c echo.Context) error {
	b, rows, err := s.resultRows(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := whatif.WriteCSV(&buf, rows); err != nil {
		return fmt.Errorf("batch %d: results.csv: %w", b.ID, err)
	}
	attachment(c, fmt.Sprintf("batch-%d-results.csv", b.ID))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// batchChartSVG: GET /api/v1/batches/{id}/chart.svg — saving and cost against the swept
// parameter(s), over the rows so far; 409 before the first row.
func (s *Server) batchChartSVG(c echo.Context) error {
	b, rows, err := s.resultRows(c)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		// Nothing to draw yet (and whatif's chart needs a row to lay out its axis).
		return conflict(fmt.Sprintf("batch %d has no finished variation yet (%s); the chart draws the rows so far", b.ID, b.Status))
	}
	var buf bytes.Buffer
	if err := whatif.WriteChartSVG(&buf, rows); err != nil {
		return fmt.Errorf("batch %d: chart.svg: %w", b.ID, err)
	}
	attachment(c, fmt.Sprintf("batch-%d-chart.svg", b.ID)) // an <img> still shows it
	return c.Blob(http.StatusOK, "image/svg+xml", buf.Bytes())
}
