package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	gbytes "github.com/labstack/gommon/bytes"
	"golang.org/x/time/rate"
)

// Request limits. Every refusal is a problem+json whose "limit" member names the limit
// and whose other members give its value. Each is a serve flag: --body-limit,
// --import-limit, --instance-limit, --max-assets, --max-queued-runs, --rate-limit and
// --rate-burst, --request-timeout, --long-request-timeout.
//
//	limit                 default   refusal
//	body_limit            8 MB      413, limit_bytes (every body but imports and instances;
//	                                routes with a smaller limit of their own answer it)
//	import_body_limit     64 MB     413, limit_bytes (POST /imports;
//	                                InventoryOptions.ImportBodyLimit, serve --import-limit)
//	instance_body_limit   64 MB     413, limit_bytes (POST /solve and /evaluate)
//	max_assets            20000     422, max_assets and assets (per instance: solve,
//	                                evaluate, runs of a scenario)
//	max_queued_runs       100       503, Retry-After, max_queued_runs (runs waiting for a
//	                                solver slot; serve --runs sets the slots)
//	rate_limit            20/s,     429, Retry-After, rate_per_second and burst (per token,
//	                      burst 100 or per client address without one; /api/v1 only)
//	request_timeout       30 s      503, timeout_s
//	long_request_timeout  10 min    503, timeout_s (imports, solve, evaluate, groups,
//	                                batches); the run event stream has no timeout
//
// Runs are bounded by the queue (serve --runs solves at once, the rest wait queued).

// Defaults of Limits.
const (
	DefaultBodyLimit          = 8_000_000  // 8M, as the inventory routes' own limit
	DefaultInstanceBodyLimit  = 64_000_000 // 64M, as the solve and evaluate routes' own limit
	DefaultMaxAssets          = 20000
	DefaultMaxQueuedRuns      = 100
	DefaultRequestTimeout     = 30 * time.Second
	DefaultLongRequestTimeout = 10 * time.Minute
	DefaultRateLimit          = 20
	DefaultRateBurst          = 100
)

// Limits are the request limits of a server; a zero field takes its default.
type Limits struct {
	// BodyLimit bounds every request body in bytes except imports (Options.Inventory's
	// ImportBodyLimit) and the instances of POST /solve and /evaluate (InstanceBodyLimit).
	BodyLimit int64
	// InstanceBodyLimit bounds the bodies of POST /solve and /evaluate, in bytes.
	InstanceBodyLimit int64
	// MaxAssets bounds the assets of one instance: a solve, an evaluation or a run.
	MaxAssets int
	// MaxQueuedRuns bounds the runs waiting for a solver slot; a new run beyond it is
	// refused until the queue drains.
	MaxQueuedRuns int
	// RequestTimeout ends a request's context after this long; LongRequestTimeout is
	// the same for imports, solve, evaluate, groups and batches.
	RequestTimeout, LongRequestTimeout time.Duration
	// RateLimit is the sustained number of /api/v1 requests per second of one token (or
	// one client address without a token), with bursts of RateBurst; negative turns
	// rate limiting off.
	RateLimit float64
	RateBurst int
}

// WithDefaults fills the zero fields.
func (l Limits) WithDefaults() Limits {
	if l.BodyLimit <= 0 {
		l.BodyLimit = DefaultBodyLimit
	}
	if l.InstanceBodyLimit <= 0 {
		l.InstanceBodyLimit = DefaultInstanceBodyLimit
	}
	if l.MaxAssets <= 0 {
		l.MaxAssets = DefaultMaxAssets
	}
	if l.MaxQueuedRuns <= 0 {
		l.MaxQueuedRuns = DefaultMaxQueuedRuns
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = DefaultRequestTimeout
	}
	if l.LongRequestTimeout <= 0 {
		l.LongRequestTimeout = DefaultLongRequestTimeout
	}
	if l.RateLimit == 0 {
		l.RateLimit = DefaultRateLimit
	}
	if l.RateBurst <= 0 {
		l.RateBurst = DefaultRateBurst
	}
	return l
}

// Problem types of the limits.
const (
	ProblemTooManyAssets = "urn:tabane:problem:too-many-assets"
	ProblemRateLimited   = "urn:tabane:problem:rate-limited"
	ProblemTimeout       = "urn:tabane:problem:timeout"
	ProblemQueueFull     = "urn:tabane:problem:queue-full"
)

// limitProblem is a refusal by a limit: a problem with extension members naming the
// limit and its value.
type limitProblem struct {
	Problem
	Limit         string `json:"limit"`
	LimitBytes    int64  `json:"limit_bytes,omitempty"`
	MaxAssets     int    `json:"max_assets,omitempty"`
	MaxQueuedRuns int    `json:"max_queued_runs,omitempty"`
	// MaxQueuedBatches is the limit of a full batch queue (internal/jobs).
	MaxQueuedBatches int     `json:"max_queued_batches,omitempty"`
	Assets           int     `json:"assets,omitempty"`
	RatePerSecond    float64 `json:"rate_per_second,omitempty"`
	Burst            int     `json:"burst,omitempty"`
	TimeoutS         float64 `json:"timeout_s,omitempty"`
}

// refuse writes a limit's refusal.
func refuse(c echo.Context, p limitProblem) error {
	if c.Response().Committed {
		return nil
	}
	if p.Instance == "" {
		p.Instance = c.Request().URL.Path
	}
	if c.Request().Method == http.MethodHead {
		return c.NoContent(p.Status)
	}
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	return c.JSON(p.Status, p)
}

// useSecurity installs, after the request id, recovery and logging middleware: the
// security headers, access control, rate limiting, timeouts, body limits and the asset
// limit, in this order (a request is judged on who sends it before what it holds).
func (s *Server) useSecurity(opt SecurityOptions) {
	s.sec = &security{opt: opt, limits: opt.Limits.WithDefaults(), required: opt.TokensRequired(),
		touched: map[int64]time.Time{}, authFails: newFailureLimiter(opt.AuthFailureBurst)}
	if opt.TrustProxy {
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		s.echo.IPExtractor = echo.ExtractIPDirect()
	}
	s.echo.Pre(headAsGet)
	s.echo.Use(s.securityHeaders)
	s.echo.Use(s.guardSite) // origin.go: Host, Origin, Content-Type
	s.echo.Use(s.authenticate)
	if s.sec.limits.RateLimit > 0 {
		s.echo.Use(s.rateLimiter())
	}
	s.echo.Use(s.timeouts()...)
	s.echo.Use(s.limitBody, s.limitAssets)
}

// routeKind sorts routes for the limits.
type routeKind int

const (
	routeNormal   routeKind = iota
	routeLong               // imports, solve, evaluate, groups, batches
	routeStream             // Server-Sent Events: no timeout
	routeImport             // also long; its own body limit
	routeInstance           // also long; instance body limit and max assets
)

func routeKindOf(c echo.Context) routeKind {
	m, p := c.Request().Method, c.Path()
	switch {
	case m == http.MethodGet && strings.HasSuffix(p, "/events"):
		return routeStream
	case m == http.MethodPost && p == "/api/v1/imports":
		return routeImport
	case m == http.MethodPost && (p == "/api/v1/solve" || p == "/api/v1/evaluate"):
		return routeInstance
	case m == http.MethodPost && (p == "/api/v1/groups" || p == "/api/v1/batches"):
		return routeLong
	case m == http.MethodGet && p == "/api/v1/assets":
		// Whole-inventory exports stream for minutes at a million assets (export.go).
		if f, err := listFormat(c); err == nil && f != formatJSON {
			return routeLong
		}
	}
	return routeNormal
}

// rateLimiter is echo's rate limiter keyed by token, else by client address, on /api/v1.
func (s *Server) rateLimiter() echo.MiddlewareFunc {
	l := s.sec.limits
	retryAfter := strconv.Itoa(int(math.Max(1, math.Ceil(1/l.RateLimit))))
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Skipper: func(c echo.Context) bool { return !strings.HasPrefix(c.Request().URL.Path, "/api/") },
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(l.RateLimit), Burst: l.RateBurst, ExpiresIn: 3 * time.Minute}),
		IdentifierExtractor: func(c echo.Context) (string, error) {
			if t := requestToken(c); t != nil {
				return "token:" + strconv.FormatInt(t.ID, 10), nil
			}
			return "ip:" + c.RealIP(), nil
		},
		DenyHandler: func(c echo.Context, who string, _ error) error {
			c.Response().Header().Set("Retry-After", retryAfter)
			by := "client address"
			if strings.HasPrefix(who, "token:") {
				by = "token"
			}
			return refuse(c, limitProblem{Problem: Problem{Type: ProblemRateLimited, Title: "Too many requests",
				Status: http.StatusTooManyRequests,
				Detail: fmt.Sprintf("rate_limit: at most %g requests per second per %s (bursts of %d); retry after %s s",
					l.RateLimit, by, l.RateBurst, retryAfter)},
				Limit: "rate_limit", RatePerSecond: l.RateLimit, Burst: l.RateBurst})
		},
	})
}

// timeouts are echo's ContextTimeout with the request timeout on ordinary routes and the
// long one on long routes; event streams have none.
func (s *Server) timeouts() []echo.MiddlewareFunc {
	l := s.sec.limits
	mk := func(limit string, d time.Duration, applies func(routeKind) bool) echo.MiddlewareFunc {
		return middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout: d,
			Skipper: func(c echo.Context) bool { return !applies(routeKindOf(c)) },
			ErrorHandler: func(err error, c echo.Context) error {
				if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(c.Request().Context().Err(), context.DeadlineExceeded) {
					return err
				}
				return refuse(c, limitProblem{Problem: Problem{Type: ProblemTimeout, Title: "Request timed out",
					Status: http.StatusServiceUnavailable,
					Detail: fmt.Sprintf("%s: %s %s took longer than %s and was stopped", limit, c.Request().Method, c.Path(), d)},
					Limit: limit, TimeoutS: d.Seconds()})
			},
		})
	}
	return []echo.MiddlewareFunc{
		mk("request_timeout", l.RequestTimeout, func(k routeKind) bool { return k == routeNormal }),
		mk("long_request_timeout", l.LongRequestTimeout, func(k routeKind) bool {
			return k == routeLong || k == routeImport || k == routeInstance
		}),
	}
}

// bodyLimitOf is the body limit of a request in bytes, its name, and how the setting
// was written.
func (s *Server) bodyLimitOf(c echo.Context) (int64, string, string) {
	switch routeKindOf(c) {
	case routeImport:
		written := s.importBodyLimit() // imports.go: the setting, or its default when unreadable
		n, err := gbytes.Parse(written)
		if err != nil || n <= 0 {
			n = 64_000_000
		}
		return n, "import_body_limit", written
	case routeInstance:
		return s.sec.limits.InstanceBodyLimit, "instance_body_limit", ""
	}
	return s.sec.limits.BodyLimit, "body_limit", ""
}

// watchedBody is a request body bounded by http.MaxBytesReader that remembers an overflow,
// whatever error the handler then makes of it.
type watchedBody struct {
	io.ReadCloser
	over bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.over = true
	}
	return n, err
}

// limitBody refuses a body over its limit: at once when Content-Length says so, else
// when the handler reads past the limit.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Body == nil || r.Body == http.NoBody {
			return next(c)
		}
		limit, name, written := s.bodyLimitOf(c)
		tooLarge := func() error {
			most := fmt.Sprintf("%d bytes", limit)
			if written != "" {
				most = fmt.Sprintf("%sB (%d bytes)", written, limit)
			}
			return refuse(c, limitProblem{Problem: Problem{Type: ProblemTooLarge, Title: "Request body too large",
				Status: http.StatusRequestEntityTooLarge,
				Detail: fmt.Sprintf("%s: the body of %s %s may hold at most %s", name, r.Method, c.Path(), most)},
				Limit: name, LimitBytes: limit})
		}
		if r.ContentLength > limit {
			return tooLarge()
		}
		body := &watchedBody{ReadCloser: http.MaxBytesReader(c.Response(), r.Body, limit)}
		r.Body = body
		err := next(c)
		if body.over {
			return tooLarge()
		}
		return err
	}
}

// limitAssets refuses an instance with more than MaxAssets assets: the body's instance for
// POST /solve and /evaluate, the scenario's instance for POST /scenarios/{id}/runs. What
// it cannot read it leaves to the handler, which says what is wrong.
func (s *Server) limitAssets(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodPost {
			return next(c)
		}
		n := -1
		switch {
		case routeKindOf(c) == routeInstance:
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return err // limitBody answers an overflow
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			var doc struct {
				Instance struct {
					Assets []struct{} `json:"assets"`
				} `json:"instance"`
			}
			if json.Unmarshal(b, &doc) == nil {
				n = len(doc.Instance.Assets)
			}
		case c.Path() == "/api/v1/scenarios/:id/runs":
			// max_queued_runs is the job queue's (internal/jobs): its check and the
			// run's insert are one step there, so the limit holds under any concurrency.
			id, err := strconv.ParseInt(c.Param("id"), 10, 64)
			if err != nil {
				break
			}
			// The whole inventory bounds any instance: build the scenario's only when
			// the bound is over the limit.
			if total, err := s.store.CountAssets(r.Context()); err == nil && total <= s.sec.limits.MaxAssets {
				break
			}
			sc, err := s.store.Scenario(r.Context(), id)
			if err != nil {
				break
			}
			if inst, err := s.store.ScenarioInstance(r.Context(), sc); err == nil {
				n = len(inst.Assets)
			}
		}
		if max := s.sec.limits.MaxAssets; n > max {
			return refuse(c, limitProblem{Problem: Problem{Type: ProblemTooManyAssets, Title: "Too many assets",
				Status: http.StatusUnprocessableEntity,
				Detail: fmt.Sprintf("max_assets: the instance has %d assets; this server takes at most %d per instance", n, max)},
				Limit: "max_assets", MaxAssets: max, Assets: n})
		}
		return next(c)
	}
}

// routeBodyTooLarge is the 413 of a route's own body limit (bodyLimit, written as "16K"):
// named body_limit (import_body_limit for imports) with limit_bytes, as the server-wide
// limit's refusal.
func routeBodyTooLarge(c echo.Context, written string) error {
	n, _ := gbytes.Parse(written)
	name := "body_limit"
	if routeKindOf(c) == routeImport {
		name = "import_body_limit"
	}
	return refuse(c, limitProblem{Problem: Problem{Type: ProblemTooLarge, Title: "Request body too large",
		Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("%s: the body of %s %s may hold at most %sB (%d bytes)", name, c.Request().Method, c.Path(), written, n)},
		Limit: name, LimitBytes: n})
}
