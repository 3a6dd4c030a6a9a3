package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/fault"
	"github.com/tabane/tabane/solver"
)

// Problem types (RFC 9457 "type" URIs). "about:blank" is for plain HTTP errors whose
// title is the status text.
const (
	ProblemInvalidParameter = "urn:tabane:problem:invalid-parameter"
	ProblemNotFound         = "urn:tabane:problem:not-found"
	ProblemUnavailable      = "urn:tabane:problem:unavailable"
	ProblemInternal         = "urn:tabane:problem:internal"
)

// ProblemContentType is the media type of error responses.
const ProblemContentType = "application/problem+json"

// Problem is an error response (RFC 9457). Handlers return it as an error; the server's
// error handler writes it. Errors lists field-level problems (path and message) when a
// request body or parameter set has several.
type Problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail,omitempty"`
	Instance string              `json:"instance,omitempty"`
	Errors   []solver.InputError `json:"errors,omitempty"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

// invalidParameter is a 400 naming the query or path parameter at fault.
func invalidParameter(name, format string, args ...any) *Problem {
	msg := fmt.Sprintf(format, args...)
	return &Problem{Type: ProblemInvalidParameter, Title: "Invalid parameter", Status: http.StatusBadRequest,
		Detail: name + ": " + msg, Errors: []solver.InputError{{Path: name, Msg: msg}}}
}

// notFound is a 404 for a resource that does not exist.
func notFound(detail string) *Problem {
	return &Problem{Type: ProblemNotFound, Title: "Not found", Status: http.StatusNotFound, Detail: detail}
}

// errorProblem is the one mapping of errors to HTTP problems (as benbjohnson/wtf maps
// its error codes): a *Problem is written as it is, an error carrying a fault code (or a
// solver validation error) becomes the problem of its code, and anything else is an
// internal error (nil here; handleError logs it and answers 500). The body is the
// Problem itself or, for limits and batch documents, a Problem with extension members;
// header holds the headers the problem adds (Retry-After).
func errorProblem(err error) (p *Problem, body any, header http.Header) {
	var ve *solver.ValidationError
	var ie *solver.InputError
	var fe *fault.Error
	errors.As(err, &fe)
	switch {
	case errors.As(err, &p):
		return p, p, nil
	case errors.As(err, &ve):
		p = invalid(fmt.Sprintf("%d problem(s)", len(ve.Problems)), ve.Problems...)
	case errors.As(err, &ie):
		p = invalid(ie.Error(), *ie)
	}
	if p != nil {
		return p, p, nil
	}
	switch fault.Code(err) {
	case fault.NotFound:
		p = notFound(err.Error())
	case fault.Conflict:
		p = conflict(strings.TrimSuffix(err.Error(), ": "+data.ErrConflict.Error()))
	case fault.Invalid:
		return invalidFields(err.Error(), fe)
	case fault.Infeasible:
		p = &Problem{Type: ProblemInfeasible, Title: "No feasible plan", Status: http.StatusUnprocessableEntity, Detail: err.Error()}
	case fault.Unavailable:
		p = &Problem{Type: ProblemShuttingDown, Title: "Shutting down", Status: http.StatusServiceUnavailable, Detail: err.Error()}
	case fault.Limit:
		return limitFault(err, fe)
	default:
		return nil, nil, nil
	}
	return p, p, nil
}

// invalidFields is the 422 of an invalid input whose problems have paths; a problem
// that names its part of the request (a batch's variation) keeps that member.
func invalidFields(detail string, fe *fault.Error) (*Problem, any, http.Header) {
	p := invalid(detail)
	if fe == nil {
		return p, p, nil
	}
	p.Detail = fe.Message
	items := false
	for _, f := range fe.Fields {
		p.Errors = append(p.Errors, solver.InputError{Path: f.Path, Msg: f.Message})
		items = items || f.Variation != "" || f.Also != 0
	}
	if !items {
		return p, p, nil
	}
	return p, fieldProblem{Type: p.Type, Title: p.Title, Status: p.Status, Detail: p.Detail, Errors: fe.Fields}, nil
}

// fieldProblem is a 422 whose errors also name their part of the request.
type fieldProblem struct {
	Type     string        `json:"type"`
	Title    string        `json:"title"`
	Status   int           `json:"status"`
	Detail   string        `json:"detail"`
	Instance string        `json:"instance"`
	Errors   []fault.Field `json:"errors"`
}

// limitFault is the 503 of a full job queue: a limit problem naming the limit and its
// value, with Retry-After.
func limitFault(err error, fe *fault.Error) (*Problem, any, http.Header) {
	lp := limitProblem{Problem: Problem{Type: ProblemQueueFull, Title: "Run queue full", Status: http.StatusServiceUnavailable,
		Detail: err.Error()}}
	retry := "30"
	if fe != nil {
		lp.Limit = fe.Limit
		switch fe.Limit {
		case "max_queued_runs":
			lp.MaxQueuedRuns = fe.Max
		case "max_queued_batches":
			lp.Type, lp.Title, lp.MaxQueuedBatches, retry = ProblemBatchQueueFull, "Batch queue full", fe.Max, "60"
		}
	}
	return &lp.Problem, &lp, http.Header{"Retry-After": {retry}}
}

// planningError maps an error early with errorProblem, for the handlers that still call
// it; a handler may as well return the error, and handleError maps it the same way.
func planningError(err error) error {
	if p, body, _ := errorProblem(err); p != nil && body == any(p) {
		return p
	}
	return err // a problem with extension members or headers: handleError writes it
}

// fromStoreError is planningError (kept for the handlers that call it by that name).
func fromStoreError(err error) error { return planningError(err) }

// handleError writes every error as application/problem+json.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p, body, header := errorProblem(err)
	var he *echo.HTTPError
	switch {
	case p != nil:
	case errors.As(err, &he):
		p = &Problem{Type: "about:blank", Title: http.StatusText(he.Code), Status: he.Code}
		if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
			p.Detail = msg
		}
		if he.Code == http.StatusNotFound {
			p.Detail = "no route " + c.Request().Method + " " + c.Request().URL.Path
		}
		body = p
	default:
		s.log.Error("internal error", slog.String("uri", c.Request().RequestURI), slog.Any("err", err),
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)))
		p = &Problem{Type: ProblemInternal, Title: "Internal server error", Status: http.StatusInternalServerError,
			Detail: "the server failed to answer; the error is in its log"}
		body = p
	}
	instance := c.Request().URL.Path
	switch b := body.(type) {
	case *Problem:
		if b.Instance == "" {
			b.Instance = instance
		}
	case *limitProblem:
		if b.Instance == "" {
			b.Instance = instance
		}
	case fieldProblem:
		b.Instance = instance
		body = b
	}
	for k, v := range header {
		c.Response().Header()[k] = v
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	_ = c.JSON(p.Status, body)
}
