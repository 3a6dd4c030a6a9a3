package api

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
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
//	/login, /logout (the page's session)      anyone     anyone
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
//
// The page signs in at /login with a token (a form, no script); the server then opens a
// session (data.CreateSession: its own random secret, stored hashed, 12 hours, revoked at
// /logout and with its token) whose secret travels in an HttpOnly, SameSite=Strict
// cookie, and GET / redirects to /login while tokens are required and the browser has no
// live session. POST, PUT, PATCH and DELETE without Authorization must come from this
// site whatever the mode (origin.go); POST/GET/DELETE /tokens need an admin's token even
// where tokens are not required.

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
	// AllowedHosts are more names (host or host:port) the Host header may give besides
	// the loopback names and the bound address (serve --allowed-host): a reverse proxy's
	// public name. See origin.go.
	AllowedHosts []string
	// AuthFailureBurst is how many failed authentications a client address may make
	// before its credentials are refused (429); 0 means DefaultAuthFailureBurst.
	AuthFailureBurst int
	// CredentialRecheck is how often an event stream checks its credential is still
	// live; 0 means DefaultCredentialRecheck.
	CredentialRecheck time.Duration
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
	if read || path == "/login" || path == "/logout" {
		return "", "page" // /healthz, the page, its files and its sign-in
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
	// authFails bounds failed authentications per client address (sessions.go).
	authFails *failureLimiter
	// routes are the registered "METHOD /pattern"s, read once at the first request
	// (origin.go: a body for no route is the router's 404 or 405, not a 415).
	routesOnce sync.Once
	routes     map[string]bool
}

// touchEvery is how often last_used_at is written for a token in use.
const touchEvery = time.Minute

// authenticate checks the request's credential against the policy table. The credential
// is the bearer token of the Authorization header, else the session cookie that POST
// /login sets for the page. A cookie is sent by the browser on its own, so a write with
// it must come from this site: SameSite=Strict, and guardSite (origin.go) refuses an
// Origin or Sec-Fetch-Site that names another site. A wrong credential spends one of the
// client address's failed attempts (sessions.go); an event stream is closed once its
// credential is revoked.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		// The route's pattern, not the raw path: the policy judges the handler that runs.
		path := c.Path()
		if path == "" {
			path = r.URL.Path // no route matched: judge the path asked for
		}
		need, group := RequiredRole(r.Method, path)
		secret, fromCookie, err := credential(c)
		if err != nil {
			return err
		}
		if secret == "" {
			if s.sec.required && isPage(c) {
				return c.Redirect(http.StatusSeeOther, "/login")
			}
			// Tokens make tokens: never without an admin's, even where none is required
			// (the first one comes from tabane token create).
			if need != "" && (s.sec.required || group == "tokens") {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tabane"`)
				return &Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
					Detail: fmt.Sprintf("%s %s needs an API token with the %s role: send Authorization: Bearer tbn_… (tabane token create), or sign in at /login",
						r.Method, path, need)}
			}
			return next(c)
		}
		if err := s.refuseBlocked(c); err != nil {
			return err
		}
		tok, err := s.lookup(r.Context(), secret, fromCookie)
		if errors.Is(err, data.ErrTokenInvalid) {
			if !fromCookie { // a stale cookie is a browser left signed in, not a guess
				s.sec.authFails.fail(c.RealIP(), time.Now())
			}
			if fromCookie {
				c.SetCookie(s.sessionCookie(c, "", -1))
				if isPage(c) {
					return c.Redirect(http.StatusSeeOther, "/login")
				}
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tabane", error="invalid_token"`)
			what := "the API token is unknown or revoked"
			if fromCookie {
				what = "the session has ended (signed out, expired, or its token revoked): sign in again at /login"
			}
			return &Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: what}
		}
		if err != nil {
			return err
		}
		if need != "" && !tok.Role.Includes(need) {
			return &Problem{Type: ProblemForbidden, Title: "Forbidden", Status: http.StatusForbidden,
				Detail: fmt.Sprintf("%s %s (%s) needs the %s role; token %d %q has the %s role",
					r.Method, path, group, need, tok.ID, tok.Name, tok.Role)}
		}
		c.Set(tokenContextKey, &tok)
		s.touchToken(c, tok.ID)
		if routeKindOf(c) == routeStream {
			ctx, stop := s.watchCredential(r.Context(), secret, fromCookie)
			defer stop()
			c.SetRequest(r.WithContext(ctx))
		}
		return next(c)
	}
}

// sessionCookieName holds the page's session (data.CreateSession) after POST /login: a
// secret of its own, not the token, revoked at /logout.
const sessionCookieName = "tabane_session"

// sessionLifetime is how long the page stays signed in.
const sessionLifetime = 12 * time.Hour

// credential is the request's secret: the bearer token, else the session cookie.
// A malformed Authorization header is a 401.
func credential(c echo.Context) (secret string, fromCookie bool, err error) {
	if header := c.Request().Header.Get(echo.HeaderAuthorization); header != "" {
		scheme, secret, _ := strings.Cut(header, " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="tabane", error="invalid_request"`)
			return "", false, &Problem{Type: ProblemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
				Detail: "the Authorization header must be: Bearer tbn_…"}
		}
		return secret, false, nil
	}
	if ck, err := c.Cookie(sessionCookieName); err == nil && ck.Value != "" {
		return ck.Value, true, nil
	}
	return "", false, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// isPage reports whether the request is for the page itself (not its files).
func isPage(c echo.Context) bool {
	p := c.Request().URL.Path
	return safeMethod(c.Request().Method) && (p == "/" || p == "/index.html")
}

// sessionCookie is the page's session cookie (maxAge < 0 deletes it): HttpOnly, so that no
// script reads it; SameSite=Strict, so that other sites' pages do not send it; Secure over
// TLS (as the trusted proxy reports it with --trust-proxy).
func (s *Server) sessionCookie(c echo.Context, secret string, maxAge int) *http.Cookie {
	secure := c.Request().TLS != nil || s.sec.opt.TrustProxy && strings.EqualFold(c.Request().Header.Get("X-Forwarded-Proto"), "https")
	return &http.Cookie{Name: sessionCookieName, Value: secret, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode}
}

// loginPage is the sign-in form of the page: plain HTML, no script, no inline style.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>tabane — sign in / サインイン</title><link rel="stylesheet" href="/static/style.css"></head>
<body>
<main>
<h1>tabane</h1>
<p>This server requires an API token. / このサーバーは API トークンが必要です。</p>
{{if .Message}}<p role="alert"><strong>{{.Message}}</strong></p>{{end}}
<form method="post" action="/login">
<label for="token">API token / API トークン (tbn_…)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in / サインイン</button>
</form>
<p>An administrator creates tokens with <code>tabane token create --role viewer --name NAME</code>. /
トークンは管理者が <code>tabane token create</code> で発行します。</p>
</main>
</body>
</html>
`))

func (s *Server) registerLogin(e *echo.Echo) {
	e.GET("/login", s.getLogin)
	e.POST("/login", s.postLogin, bodyLimit("16K"))
	e.POST("/logout", s.postLogout)
}

func (s *Server) renderLogin(c echo.Context, status int, message string) error {
	var buf bytes.Buffer
	if err := loginPage.Execute(&buf, map[string]string{"Message": message}); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) getLogin(c echo.Context) error { return s.renderLogin(c, http.StatusOK, "") }

// postLogin checks the form's token and sets the session cookie; the page follows.
func (s *Server) postLogin(c echo.Context) error {
	// guardSite (origin.go) has refused a sign-in posted from another site's page.
	if err := s.refuseBlocked(c); err != nil {
		return err
	}
	secret := strings.TrimSpace(c.FormValue("token"))
	ctx := c.Request().Context()
	tok, err := s.store.TokenBySecret(ctx, secret)
	if errors.Is(err, data.ErrTokenInvalid) {
		s.sec.authFails.fail(c.RealIP(), time.Now())
		return s.renderLogin(c, http.StatusUnauthorized, "The token is unknown or revoked. / トークンが無効です。")
	}
	if err != nil {
		return err
	}
	session, _, err := s.store.CreateSession(ctx, tok.ID, sessionLifetime)
	if err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(c, session, int(sessionLifetime.Seconds())))
	s.touchToken(c, tok.ID)
	return c.Redirect(http.StatusSeeOther, "/")
}

// postLogout revokes the session on the server and deletes the cookie: a copy of the
// cookie is worth nothing after it.
func (s *Server) postLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookieName); err == nil && ck.Value != "" {
		if err := s.store.RevokeSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(s.sessionCookie(c, "", -1))
	return c.Redirect(http.StatusSeeOther, "/login")
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
	s.registerLogin(s.echo)
	g.GET("/tokens", s.listTokens)
	g.POST("/tokens", s.createToken, bodyLimit("16K"))
	g.DELETE("/tokens/:id", s.revokeToken)
}

// listTokens: GET /api/v1/tokens?limit=&offset= — every token, revoked ones included.
func (s *Server) listTokens(c echo.Context) error {
	limit, offset, err := paging(c.QueryParams(), formatJSON)
	if err != nil {
		return err
	}
	toks, err := s.store.Tokens(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(c, window(toks, limit, offset), len(toks), limit, offset))
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
