package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// Access control. A request may carry an API token, "Authorization: Bearer tbn_…"
// (tabane token create, or POST /api/v1/tokens). Tokens are required when the server
// listens on anything but a loopback address (127.0.0.0/8, ::1, localhost), or always with
// SecurityOptions.RequireToken (serve --require-token). On loopback without
// --require-token the demo stays a two-command start: a request without a token may do
// everything. A request that does carry a token is held to the token's role either way,
// and a wrong or revoked token is always a 401.
//
// The policy, by route group and method (a role includes the ones above it):
//
//	group                                     GET/HEAD   POST/PUT/PATCH/DELETE
//	/healthz, / and /static/* (the page)      anyone     –
//	inventory: municipalities, depots, assets viewer     planner
//	imports                                   –          planner
//	planning: scenarios, runs, solve,         viewer     planner
//	  evaluate, groups, batches
//	cost-model                                viewer     admin
//	settings, openapi.json, docs              viewer     admin
//	tokens                                    admin      admin
//	any other /api/v1 route                   viewer     admin
//
// POST /solve and /evaluate store nothing but take a solver thread each, so they need
// planner like runs. The cost model changes every derived cost of every scenario, so
// changing it is an admin's decision. A route not in the table is readable by viewers and
// writable by admins only, so that a new route is never open by mistake.

// SecurityOptions configure access control and limits (Options.Security).
type SecurityOptions struct {
	// ListenAddr is the address the server is bound to (host:port as the listener
	// reports it). Tokens are required unless its host is a loopback address; empty is
	// taken as loopback (tests and embedded servers).
	ListenAddr string
	// RequireToken requires tokens whatever the address (serve --require-token): use it
	// behind a reverse proxy that forwards to 127.0.0.1.
	RequireToken bool
	// TrustProxy takes the client address of rate limiting from X-Forwarded-For /
	// X-Real-IP (serve --trust-proxy); off, it is the TCP peer.
	TrustProxy bool
	// Limits are the request limits (limits.go); the zero value takes the defaults.
	Limits Limits
}

// TokensRequired reports whether the options require a token on every API request.
func (o SecurityOptions) TokensRequired() bool {
	return o.RequireToken || !IsLoopback(o.ListenAddr)
}

// IsLoopback reports whether a listen address (host:port or host) binds only the
// loopback interface. An empty host (":8080", all interfaces) is not loopback; an empty
// address is (no listener: tests).
func IsLoopback(addr string) bool {
	if addr == "" {
		return true
	}
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ProblemUnauthorized and ProblemForbidden are the types of 401 and 403 answers.
const (
	ProblemUnauthorized = "urn:tabane:problem:unauthorized"
	ProblemForbidden    = "urn:tabane:problem:forbidden"
)

// roleRule is one line of the policy table: the roles a route group needs to read and
// to write. "" means anyone.
type roleRule struct {
	prefix      string
	group       string
	read, write data.Role
}

var rolePolicy = []roleRule{
	{"/api/v1/municipalities", "inventory", data.RoleViewer, data.RolePlanner},
	{"/api/v1/depots", "inventory", data.RoleViewer, data.RolePlanner},
	{"/api/v1/assets", "inventory", data.RoleViewer, data.RolePlanner},
	{"/api/v1/imports", "imports", data.RoleViewer, data.RolePlanner},
	{"/api/v1/scenarios", "planning", data.RoleViewer, data.RolePlanner},
	{"/api/v1/runs", "planning", data.RoleViewer, data.RolePlanner},
	{"/api/v1/solve", "planning", data.RoleViewer, data.RolePlanner},
	{"/api/v1/evaluate", "planning", data.RoleViewer, data.RolePlanner},
	{"/api/v1/groups", "planning", data.RoleViewer, data.RolePlanner},
	{"/api/v1/batches", "planning", data.RoleViewer, data.RolePlanner},
	{"/api/v1/cost-model", "cost model", data.RoleViewer, data.RoleAdmin},
	{"/api/v1/settings", "settings", data.RoleViewer, data.RoleAdmin},
	{"/api/v1/openapi.json", "documentation", data.RoleViewer, data.RoleAdmin},
	{"/api/v1/docs", "documentation", data.RoleViewer, data.RoleAdmin},
	{"/api/v1/tokens", "tokens", data.RoleAdmin, data.RoleAdmin},
	{"/api/v1", "api", data.RoleViewer, data.RoleAdmin}, // anything else under /api/v1
}

// RequiredRole is the role a request needs by the policy table ("" = anyone) and the
// name of its route group.
func RequiredRole(method, path string) (data.Role, string) {
	read := method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
	for _, r := range rolePolicy {
		if path == r.prefix || strings.HasPrefix(path, r.prefix+"/") {
			if read {
				return r.read, r.group
			}
			return r.write, r.group
		}
	}
	if read {
		return "", "page" // /healthz, the page and its files
	}
	return data.RoleAdmin, "other"
}

// tokenContextKey holds the request's *data.Token in the echo context.
const tokenContextKey = "tabane.token"

// requestToken is the authenticated token of a request, or nil.
func requestToken(c echo.Context) *data.Token {
	t, _ := c.Get(tokenContextKey).(*data.Token)
	return t
}

// security is the access-control and limits state of a server (Server.sec).
type security struct {
	opt      SecurityOptions
	limits   Limits // opt.Limits with the defaults filled in
	required bool
	// touched throttles the last_used_at writes: one per token per touchEvery.
	mu      sync.Mutex
	touched map[int64]time.Time
}

// touchEvery is how often last_used_at is written for a token in use.
const touchEvery = time.Minute

// authenticate checks the request's token against the policy table.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// The route's pattern, not the raw path: the policy judges the handler that runs.
		path := c.Path()
		if path == "" {
			path = c.Request().URL.Path // no route matched: judge the path asked for
		}
		need, group := RequiredRole(c.Request().Method, path)
		header := c.Request().Header.Get(echo.HeaderAuthorization)
		if header == "" {
			if need != "" && s.sec.required {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tabane"`)
				return &Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
					Detail: fmt.Sprintf("%s %s needs an API token with the %s role: send Authorization: Bearer tbn_… (tabane token create)",
						c.Request().Method, path, need)}
			}
			return next(c)
		}
		scheme, secret, _ := strings.Cut(header, " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tabane", error="invalid_request"`)
			return &Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
				Detail: "the Authorization header must be: Bearer tbn_…"}
		}
		tok, err := s.store.TokenBySecret(c.Request().Context(), secret)
		if errors.Is(err, data.ErrTokenInvalid) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tabane", error="invalid_token"`)
			return &Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
				Detail: "the API token is unknown or revoked"}
		}
		if err != nil {
			return err
		}
		if need != "" && !tok.Role.Includes(need) {
			return &Problem{Type: ProblemForbidden, Title: "Forbidden", Status: http.StatusForbidden,
				Detail: fmt.Sprintf("%s %s (%s) needs the %s role; token %d %q has the %s role",
					c.Request().Method, path, group, need, tok.ID, tok.Name, tok.Role)}
		}
		c.Set(tokenContextKey, &tok)
		s.touchToken(c, tok.ID)
		return next(c)
	}
}

// touchToken records the token's use, at most once per touchEvery.
func (s *Server) touchToken(c echo.Context, id int64) {
	now := time.Now()
	s.sec.mu.Lock()
	due := now.Sub(s.sec.touched[id]) >= touchEvery
	if due {
		s.sec.touched[id] = now
	}
	s.sec.mu.Unlock()
	if due {
		if err := s.store.TouchToken(c.Request().Context(), id, now); err != nil {
			s.log.Warn("token last use not recorded", slog.Int64("token", id), slog.Any("err", err))
		}
	}
}

// The tokens routes: admins manage tokens over the API as with tabane token.

func (s *Server) registerTokens(g *echo.Group) {
	g.GET("/tokens", s.listTokens)
	g.POST("/tokens", s.createToken, bodyLimit("16K"))
	g.DELETE("/tokens/:id", s.revokeToken)
}

func (s *Server) listTokens(c echo.Context) error {
	toks, err := s.store.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[data.Token]{Items: toks, Total: len(toks)})
}

// createdToken is the answer of POST /tokens: the only time the secret is shown.
type createdToken struct {
	data.Token
	Secret string `json:"secret"`
}

func (s *Server) createToken(c echo.Context) error {
	var body struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if err := decodeBody(c, &body, false); err != nil {
		return err
	}
	role, err := data.ParseRole(body.Role)
	if err != nil {
		return invalid(err.Error(), solver.InputError{Path: "role", Msg: err.Error()})
	}
	if strings.TrimSpace(body.Name) == "" {
		return invalid("a name is required", solver.InputError{Path: "name", Msg: "required: who or what holds the token"})
	}
	tok, secret, err := s.store.CreateToken(c.Request().Context(), body.Name, role)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/tokens/"+strconv.FormatInt(tok.ID, 10))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, createdToken{Token: tok, Secret: secret})
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return invalidParameter("id", "must be a token id (a positive integer), found %q", c.Param("id"))
	}
	tok, err := s.store.RevokeToken(c.Request().Context(), id)
	if err != nil {
		return fromStoreError(err)
	}
	return c.JSON(http.StatusOK, tok)
}
