// Package api is tabane's HTTP interface on echo v4: a Server holding the store, its
// routes grouped by resource (one file per resource), and errors written as
// application/problem+json (RFC 9457).
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
)

// Server is the HTTP service. Create it with New; serve Handler().
type Server struct {
	store *data.Store
	log   *slog.Logger
	echo  *echo.Echo
	// V1 is the /api/v1 route group; resource files register on it.
	V1 *echo.Group
	// planning holds the run queue of scenarios, runs and plans (runs.go).
	planning planning
	// inventory holds the import settings (imports.go).
	inventory InventoryOptions
	// settings are what the page reads from GET /api/v1/settings (settings.go).
	settings PageSettings
	// sec is access control and request limits (auth.go, limits.go, headers.go).
	sec *security
	// hand keeps the runs that moves and why work on compiled (moves.go).
	hand handCache
}

// Options configure a Server.
type Options struct {
	// Logger receives one line per request and every server error; nil discards.
	Logger *slog.Logger
	// Runs is the job queue (internal/jobs) of the runs and what-if batches; nil makes
	// New open one (leftover jobs marked interrupted), closed by Close.
	Runs *jobs.Queue
	// Inventory holds the import settings; the zero value takes the defaults.
	Inventory InventoryOptions
	// Page holds the page settings (the optional tile layer).
	Page PageSettings
	// Security holds access control (API tokens) and request limits; the zero value
	// serves without tokens, as on loopback, with the default limits.
	Security SecurityOptions
}

// New builds the server and registers its routes.
func New(store *data.Store, opt Options) *Server {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{store: store, log: log, echo: e, inventory: opt.Inventory, settings: opt.Page}
	e.HTTPErrorHandler = s.handleError
	e.JSONSerializer = jsonSerializer{}
	s.initPlanning(opt)
	e.Use(requestID) // first, so that every response and log line carries the id
	e.Use(middleware.Recover())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURI: true, LogStatus: true, LogLatency: true,
		// HandleError writes the problem response first, so the logged status is the one sent.
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method), slog.String("uri", v.URI), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)))
			return nil
		},
	}))
	s.useSecurity(opt.Security) // headers, tokens, rate limit, timeouts, body and asset limits
	s.Routes()
	return s
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the echo instance, for tests and for wiring extra middleware.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Routes registers every route. Each resource has its own register function in its own
// file; later resources add theirs here.
func (s *Server) Routes() {
	s.echo.GET("/healthz", s.healthz)
	s.echo.HEAD("/healthz", s.healthz) // load balancers often probe with HEAD
	s.echo.GET("/", s.pageHandler())   // the planner's page (package web) and its files
	s.echo.HEAD("/", s.pageHandler())
	s.echo.GET("/static/*", s.pageHandler())
	s.V1 = s.echo.Group("/api/v1")
	s.registerMunicipalities(s.V1)
	s.registerDepots(s.V1)
	s.registerAssets(s.V1)
	s.registerOpenAPI(s.V1)
	s.registerPlanning(s.V1)
	s.registerMoves(s.V1) // moves.go: hand edits and "why here" on a run's plan
	s.registerBatches(s.V1)
	s.registerSettings(s.V1)
	s.registerTokens(s.V1)
}

// healthz answers 200 when the database answers, 503 otherwise.
func (s *Server) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return &Problem{Type: ProblemUnavailable, Title: "Database unavailable", Status: http.StatusServiceUnavailable,
			Detail: err.Error()}
	}
	v, _ := s.store.UserVersion(ctx)
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "schema_version": v})
}

// jsonSerializer is echo's default without HTML escaping, so that links such as
// "/api/v1/assets?kind=bridge&offset=100" read as written.
type jsonSerializer struct{ echo.DefaultJSONSerializer }

func (jsonSerializer) Serialize(c echo.Context, v any, indent string) error {
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(v)
}

// page is the envelope of every collection response (built by pageOf): Next is the link
// to the following page, also sent as a Link header, absent on the last one.
type page[T any] struct {
	Items  []T    `json:"items"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
	Next   string `json:"next,omitempty"`
}
