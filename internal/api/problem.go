package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
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

// fromStoreError maps a store error: not found → 404, anything else → 500.
func fromStoreError(err error) error {
	if errors.Is(err, data.ErrNotFound) {
		return notFound(err.Error())
	}
	return err
}

// handleError writes every error as application/problem+json.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var p *Problem
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
	case errors.As(err, &he):
		p = &Problem{Type: "about:blank", Title: http.StatusText(he.Code), Status: he.Code}
		if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
			p.Detail = msg
		}
		if he.Code == http.StatusNotFound {
			p.Detail = "no route " + c.Request().Method + " " + c.Request().URL.Path
		}
	default:
		s.log.Error("internal error", slog.String("uri", c.Request().RequestURI), slog.Any("err", err),
			slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)))
		p = &Problem{Type: ProblemInternal, Title: "Internal server error", Status: http.StatusInternalServerError,
			Detail: "the server failed to answer; the error is in its log"}
	}
	if p.Instance == "" {
		p.Instance = c.Request().URL.Path
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(p.Status)
		return
	}
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	_ = c.JSON(p.Status, p)
}
