package api

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/fault"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/internal/whatif"
	"github.com/tabane/tabane/solver"
)

// TestErrorProblem: the one mapping of errors to problems, code by code, also through
// wrapping; an error without a code is internal (nil: handleError answers 500).
func TestErrorProblem(t *testing.T) {
	for _, tc := range []struct {
		err            error
		status         int
		typ, title     string
		detail, header string
	}{
		{fmt.Errorf("scenario 9: %w", data.ErrNotFound), 404, ProblemNotFound, "Not found", "scenario 9: not found", ""},
		{fmt.Errorf("run 3 has already ended: %w", data.ErrConflict), 409, ProblemConflict, "Conflict", "run 3 has already ended", ""},
		{&solver.ValidationError{Problems: []solver.InputError{{Path: "assets[0].lon", Msg: "missing"}}}, 422, ProblemInvalid, "Invalid input", "1 problem(s)", ""},
		{&whatif.ParseError{Name: "batch", Problems: []whatif.Problem{{Path: "base", Message: "missing"}}}, 422, ProblemInvalid, "Invalid input", "batch: base: missing", ""},
		{fault.New(fault.Infeasible, "no plan: asset a1 is dearer than max_value"), 422, ProblemInfeasible, "No feasible plan", "no plan: asset a1 is dearer than max_value", ""},
		{jobs.ErrClosed, 503, ProblemShuttingDown, "Shutting down", "the job queue is closed (the server is shutting down)", ""},
		{&fault.Error{Code: fault.Limit, Message: "2 wait", Limit: "max_queued_runs", Max: 2}, 503, ProblemQueueFull, "Run queue full", "2 wait", "30"},
		{&fault.Error{Code: fault.Limit, Message: "1 waits", Limit: "max_queued_batches", Max: 1}, 503, ProblemBatchQueueFull, "Batch queue full", "1 waits", "60"},
	} {
		p, body, header := errorProblem(tc.err)
		if p == nil || p.Status != tc.status || p.Type != tc.typ || p.Title != tc.title || p.Detail != tc.detail ||
			header.Get("Retry-After") != tc.header || body == nil {
			t.Errorf("%v: %+v %v", tc.err, p, header)
		}
	}
	if _, body, _ := errorProblem(&fault.Error{Code: fault.Limit, Limit: "max_queued_runs", Max: 7}); body.(*limitProblem).MaxQueuedRuns != 7 || body.(*limitProblem).Limit != "max_queued_runs" {
		t.Errorf("limit members %+v", body)
	}
	if p, _, _ := errorProblem(errors.New("disk full")); p != nil {
		t.Errorf("an error without a code mapped to %+v, want an internal error", p)
	}
	if p, _, _ := errorProblem(&Problem{Status: http.StatusTeapot}); p == nil || p.Status != http.StatusTeapot {
		t.Errorf("a problem is written as it is: %+v", p)
	}
}
