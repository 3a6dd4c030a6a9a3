package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/web"
)

// secServer is a real HTTP server over a real SQLite file (the demo loaded when demo is
// true) with the given security options.
func secServer(t *testing.T, demo bool, opt SecurityOptions) (*httptest.Server, *Server, *data.Store) {
	t.Helper()
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "sec.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if demo {
		if _, err := store.LoadDemo(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	s := New(store, Options{Security: opt})
	t.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, s, store
}

// authCall sends a request with an optional bearer token and body.
func authCall(t *testing.T, srv *httptest.Server, method, path, token string, body []byte) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// limitRefusal decodes a problem+json refusal by a limit.
func limitRefusal(t *testing.T, what string, resp *http.Response, b []byte, status int, limit string) limitProblem {
	t.Helper()
	var p limitProblem
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: %v in %s", what, err, b)
	}
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != ProblemContentType || p.Status != status || p.Limit != limit {
		t.Fatalf("%s: %d %s %s, want %d problem+json with limit %s", what, resp.StatusCode, resp.Header.Get("Content-Type"), b, status, limit)
	}
	return p
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"": true, "127.0.0.1:8080": true, "127.0.0.2:1": true, "[::1]:8080": true, "::1": true, "localhost:8080": true,
		"LOCALHOST": true, "0.0.0.0:8080": false, "[::]:8080": false, ":8080": false, "192.168.1.20:8080": false,
		"10.0.0.1": false, "tabane.example.jp:443": false, "[fe80::1]:80": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
		if got := (SecurityOptions{ListenAddr: addr}).TokensRequired(); got != !want {
			t.Errorf("TokensRequired(%q) = %v, want %v", addr, got, !want)
		}
		if !(SecurityOptions{ListenAddr: addr, RequireToken: true}).TokensRequired() {
			t.Errorf("--require-token on %q does not require tokens", addr)
		}
	}
}

// TestPolicyTable pins the documented policy: each route group's read and write roles.
func TestPolicyTable(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         data.Role
	}{
		{"GET", "/healthz", ""}, {"HEAD", "/healthz", ""}, {"GET", "/", ""}, {"GET", "/static/app.js", ""},
		{"GET", "/api/v1/assets", data.RoleViewer}, {"POST", "/api/v1/assets", data.RolePlanner},
		{"PATCH", "/api/v1/assets/:id", data.RolePlanner}, {"DELETE", "/api/v1/municipalities/:code", data.RolePlanner},
		{"POST", "/api/v1/depots", data.RolePlanner}, {"POST", "/api/v1/imports", data.RolePlanner},
		{"GET", "/api/v1/scenarios/:id/instance", data.RoleViewer}, {"POST", "/api/v1/scenarios/:id/runs", data.RolePlanner},
		{"DELETE", "/api/v1/runs/:id", data.RolePlanner}, {"GET", "/api/v1/runs/:id/events", data.RoleViewer},
		{"POST", "/api/v1/solve", data.RolePlanner}, {"POST", "/api/v1/evaluate", data.RolePlanner},
		{"POST", "/api/v1/groups", data.RolePlanner}, {"POST", "/api/v1/batches", data.RolePlanner},
		{"GET", "/api/v1/cost-model", data.RoleViewer}, {"PUT", "/api/v1/cost-model", data.RoleAdmin},
		{"GET", "/api/v1/settings", data.RoleViewer}, {"GET", "/api/v1/openapi.json", data.RoleViewer},
		{"GET", "/api/v1/tokens", data.RoleAdmin}, {"POST", "/api/v1/tokens", data.RoleAdmin}, {"DELETE", "/api/v1/tokens/:id", data.RoleAdmin},
		{"GET", "/api/v1/something-new", data.RoleViewer}, {"POST", "/api/v1/something-new", data.RoleAdmin},
		{"POST", "/elsewhere", data.RoleAdmin}, {"GET", "/api/v1assets", ""},
	} {
		if got, _ := RequiredRole(c.method, c.path); got != c.want {
			t.Errorf("RequiredRole(%s %s) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

// concretePath fills a route pattern's parameters with an id that names nothing, so that
// an allowed write reaches its handler and changes nothing.
func concretePath(p string) string {
	p = regexp.MustCompile(`:[a-z]+`).ReplaceAllString(p, "999999")
	return strings.Replace(p, "*", "app.js", 1)
}

// TestRolesOnEveryRoute walks the router: with tokens required, every route answers 401
// without a token and with a revoked or unknown one, 403 to a token whose role is below
// the route's, and lets a sufficient role through to its handler. Every /api/v1 route
// belongs to a named group of the policy table (a new route must be placed there).
func TestRolesOnEveryRoute(t *testing.T) {
	ctx := context.Background()
	srv, s, store := secServer(t, false, SecurityOptions{ListenAddr: "0.0.0.0:8080", Limits: Limits{RateLimit: -1},
		AuthFailureBurst: 1 << 30}) // this test sends bad tokens on purpose
	secrets := map[data.Role]string{}
	for _, r := range []data.Role{data.RoleViewer, data.RolePlanner, data.RoleAdmin} {
		_, secret, err := store.CreateToken(ctx, string(r)+" token", r)
		if err != nil {
			t.Fatal(err)
		}
		secrets[r] = secret
	}
	revoked, revokedSecret, _ := store.CreateToken(ctx, "old admin", data.RoleAdmin)
	if _, err := store.RevokeToken(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	routes := 0
	for _, r := range s.Echo().Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		routes++
		need, group := RequiredRole(r.Method, r.Path)
		if strings.HasPrefix(r.Path, "/api/v1") && (group == "api" || need == "") {
			t.Errorf("%s %s is not in a named group of the policy table (group %q, role %q)", r.Method, r.Path, group, need)
		}
		path := concretePath(r.Path)
		what := r.Method + " " + path
		var body []byte
		if r.Method != "GET" && r.Method != "HEAD" && r.Method != "DELETE" {
			body = []byte(`{}`)
		}
		resp, b := authCall(t, srv, r.Method, path, "", body)
		if need == "" {
			// Public: no access-control refusal (POST /login's own 401 is its form again).
			if resp.Header.Get("WWW-Authenticate") != "" || resp.StatusCode == 403 {
				t.Errorf("%s without a token: %d, want it public", what, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="tabane"` {
			t.Errorf("%s without a token: %d %q %s, want 401 with WWW-Authenticate", what, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), b)
		}
		if r.Method != "HEAD" && !strings.Contains(string(b), ProblemUnauthorized) {
			t.Errorf("%s without a token: %s, want a problem of type %s", what, b, ProblemUnauthorized)
		}
		for _, bad := range []string{revokedSecret, "tbn_" + strings.Repeat("A", 43)} {
			if resp, b := authCall(t, srv, r.Method, path, bad, body); resp.StatusCode != 401 {
				t.Errorf("%s with a revoked or unknown token: %d %s, want 401", what, resp.StatusCode, b)
			}
		}
		for _, role := range []data.Role{data.RoleViewer, data.RolePlanner, data.RoleAdmin} {
			resp, b := authCall(t, srv, r.Method, path, secrets[role], body)
			switch {
			case !role.Includes(need) && resp.StatusCode != 403:
				t.Errorf("%s as %s: %d %s, want 403 (needs %s)", what, role, resp.StatusCode, b, need)
			case !role.Includes(need) && r.Method != "HEAD" && !strings.Contains(string(b), "needs the "+string(need)+" role"):
				t.Errorf("%s as %s: %s, want a detail naming the role needed", what, role, b)
			case role.Includes(need) && (resp.StatusCode == 401 || resp.StatusCode == 403):
				t.Errorf("%s as %s: %d %s, want it let through", what, role, resp.StatusCode, b)
			}
		}
	}
	if routes < 40 {
		t.Errorf("walked %d routes, expected the whole API", routes)
	}
	// The tokens used are recorded (at most once a minute each).
	toks, _ := store.Tokens(ctx)
	for _, tok := range toks {
		if (tok.LastUsedAt != nil) == tok.Revoked() {
			t.Errorf("token %d %q: last_used_at %v, revoked %v", tok.ID, tok.Name, tok.LastUsedAt, tok.Revoked())
		}
	}
}

// TestLoopbackWithoutTokens: on loopback without --require-token no token is needed, but
// a token that is sent is held to its role, and a bad one is refused.
func TestLoopbackWithoutTokens(t *testing.T) {
	ctx := context.Background()
	srv, _, store := secServer(t, false, SecurityOptions{ListenAddr: "127.0.0.1"})
	_, viewer, _ := store.CreateToken(ctx, "v", data.RoleViewer)
	if resp, _ := authCall(t, srv, "GET", "/api/v1/assets", "", nil); resp.StatusCode != 200 {
		t.Errorf("read without a token on loopback: %d, want 200", resp.StatusCode)
	}
	// Tokens are made by an admin's token only, even here (the CLI makes the first one).
	if resp, b := authCall(t, srv, "POST", "/api/v1/tokens", "", []byte(`{"name": "ci", "role": "planner"}`)); resp.StatusCode != 401 ||
		!strings.Contains(string(b), "needs an API token with the admin role") {
		t.Errorf("create a token without one on loopback: %d %s, want 401", resp.StatusCode, b)
	}
	if toks, _ := store.Tokens(ctx); len(toks) != 1 {
		t.Errorf("%d tokens after the refused creation, want 1", len(toks))
	}
	if resp, _ := authCall(t, srv, "GET", "/api/v1/tokens", viewer, nil); resp.StatusCode != 403 {
		t.Errorf("a viewer token on loopback listed tokens: %d", resp.StatusCode)
	}
	if resp, _ := authCall(t, srv, "GET", "/api/v1/assets", "tbn_nope", nil); resp.StatusCode != 401 {
		t.Errorf("an unknown token on loopback: %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/assets", nil)
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_request") {
		t.Errorf("Basic credentials: %d %q, want 401 invalid_request", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// TestTokensAPI: an admin creates a token over the API, the secret works at once and is
// never shown again, and a revocation locks it out with the next request.
func TestTokensAPI(t *testing.T) {
	ctx := context.Background()
	srv, _, store := secServer(t, false, SecurityOptions{ListenAddr: "10.0.0.5:8080"})
	_, admin, _ := store.CreateToken(ctx, "root", data.RoleAdmin)
	resp, b := authCall(t, srv, "POST", "/api/v1/tokens", admin, []byte(`{"name": "nara-city", "role": "planner"}`))
	var created createdToken
	json.Unmarshal(b, &created)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != fmt.Sprintf("/api/v1/tokens/%d", created.ID) ||
		created.Role != data.RolePlanner || !strings.HasPrefix(created.Secret, "tbn_") || !strings.HasPrefix(created.Secret, strings.TrimSuffix(created.Hint, "…")) {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	if resp, b := authCall(t, srv, "POST", "/api/v1/scenarios", created.Secret, []byte(`{"name": "a", "fiscal_year": 2027}`)); resp.StatusCode != 201 {
		t.Errorf("the new planner token creates a scenario: %d %s", resp.StatusCode, b)
	}
	resp, b = authCall(t, srv, "GET", "/api/v1/tokens", admin, nil)
	if resp.StatusCode != 200 || strings.Contains(string(b), created.Secret) || strings.Contains(string(b), data.HashToken(created.Secret)) {
		t.Errorf("list: %d %s (must hold neither secret nor hash)", resp.StatusCode, b)
	}
	for body, want := range map[string]string{
		`{"name": "x", "role": "root"}`: `"path":"role"`, `{"role": "viewer"}`: `"path":"name"`, `{"name": "x", "role": "viewer", "admin": true}`: "admin",
	} {
		if resp, b := authCall(t, srv, "POST", "/api/v1/tokens", admin, []byte(body)); resp.StatusCode != 422 || !strings.Contains(string(b), want) {
			t.Errorf("create %s: %d %s, want 422 naming %s", body, resp.StatusCode, b, want)
		}
	}
	resp, b = authCall(t, srv, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), admin, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"revoked_at":"20`) {
		t.Fatalf("revoke: %d %s", resp.StatusCode, b)
	}
	if resp, _ := authCall(t, srv, "GET", "/api/v1/assets", created.Secret, nil); resp.StatusCode != 401 {
		t.Errorf("a revoked token reads: %d, want 401", resp.StatusCode)
	}
	if resp, _ := authCall(t, srv, "DELETE", "/api/v1/tokens/12345", admin, nil); resp.StatusCode != 404 {
		t.Errorf("revoke unknown: %d, want 404", resp.StatusCode)
	}
}

func TestBodyLimits(t *testing.T) {
	srv, _, _ := secServer(t, false, SecurityOptions{Limits: Limits{BodyLimit: 100, InstanceBodyLimit: 1000}})
	big := []byte(`{"name": "` + strings.Repeat("x", 200) + `", "fiscal_year": 2027}`)
	resp, b := authCall(t, srv, "POST", "/api/v1/scenarios", "", big)
	p := limitRefusal(t, "scenario over body_limit", resp, b, 413, "body_limit")
	if p.LimitBytes != 100 || p.Type != ProblemTooLarge || !strings.Contains(p.Detail, "at most 100 bytes") || p.Instance != "/api/v1/scenarios" {
		t.Errorf("413 = %+v", p)
	}
	// Without Content-Length (chunked), the overflow is seen while reading.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/scenarios", io.MultiReader(bytes.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	cresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := io.ReadAll(cresp.Body)
	cresp.Body.Close()
	if p := limitRefusal(t, "chunked body over body_limit", cresp, cb, 413, "body_limit"); p.LimitBytes != 100 {
		t.Errorf("chunked 413 = %+v", p)
	}
	// Under the limit the route answers as usual.
	if resp, b := authCall(t, srv, "POST", "/api/v1/scenarios", "", []byte(`{"name": "ok", "fiscal_year": 2027}`)); resp.StatusCode != 201 {
		t.Errorf("small body: %d %s", resp.StatusCode, b)
	}
	// Instances have their own limit.
	inst := readSecTestdata(t, "p-tiny.json")
	resp, b = authCall(t, srv, "POST", "/api/v1/evaluate", "", []byte(`{"instance": `+string(inst)+`, "plan": {"bundles": []}}`))
	if p := limitRefusal(t, "evaluate over instance_body_limit", resp, b, 413, "instance_body_limit"); p.LimitBytes != 1000 ||
		!strings.Contains(p.Detail, "POST /api/v1/evaluate may hold at most 1000 bytes") {
		t.Errorf("413 = %+v", p)
	}
}

func readSecTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "solver", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMaxAssets: an instance with more assets than max_assets is refused before any
// solving, in the body of solve and evaluate and as a scenario's instance for a run.
func TestMaxAssets(t *testing.T) {
	ctx := context.Background()
	srv, _, store := secServer(t, true, SecurityOptions{Limits: Limits{MaxAssets: 40}})
	inst := string(readSecTestdata(t, "p-tiny.json")) // 43 assets
	for _, path := range []string{"/api/v1/solve", "/api/v1/evaluate"} {
		resp, b := authCall(t, srv, "POST", path, "", []byte(`{"instance": `+inst+`, "plan": {"bundles": []}, "time_limit_s": 1}`))
		p := limitRefusal(t, path, resp, b, 422, "max_assets")
		if p.MaxAssets != 40 || p.Assets != 43 || p.Type != ProblemTooManyAssets || !strings.Contains(p.Detail, "43 assets") {
			t.Errorf("%s: %+v", path, p)
		}
	}
	small, err := store.CreateScenario(ctx, data.Scenario{Name: "small", FiscalYear: 2027, Params: data.DefaultParams(),
		Filter: &data.ScenarioFilter{Municipalities: []string{"29345"}}})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := store.CreateScenario(ctx, data.Scenario{Name: "prefecture", FiscalYear: 2027, Params: data.DefaultParams()})
	if err != nil {
		t.Fatal(err)
	}
	wholeInst, _ := store.ScenarioInstance(ctx, whole)
	smallInst, _ := store.ScenarioInstance(ctx, small)
	if len(smallInst.Assets) > 40 || len(wholeInst.Assets) <= 40 {
		t.Fatalf("fixture: %d and %d assets", len(smallInst.Assets), len(wholeInst.Assets))
	}
	resp, b := authCall(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/runs", whole.ID), "", []byte(`{"time_limit_s": 1}`))
	if p := limitRefusal(t, "run of the prefecture", resp, b, 422, "max_assets"); p.Assets != len(wholeInst.Assets) {
		t.Errorf("run: %+v, want %d assets", p, len(wholeInst.Assets))
	}
	if runs, n, _ := store.Runs(ctx, data.RunFilter{Limit: 10}); n != 0 {
		t.Errorf("a refused run was stored: %+v", runs)
	}
	resp, b = authCall(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/runs", small.ID), "", []byte(`{"time_limit_s": 0.2}`))
	if resp.StatusCode != 202 {
		t.Errorf("a run within the limit: %d %s", resp.StatusCode, b)
	}
}

// TestRateLimit: one bucket per token (per client address without one), a 429 problem
// with Retry-After once it is empty; the page is not limited.
func TestRateLimit(t *testing.T) {
	ctx := context.Background()
	// 0.001 request per second: the bucket does not refill during the test.
	srv, _, store := secServer(t, false, SecurityOptions{Limits: Limits{RateLimit: 0.001, RateBurst: 2}})
	_, a, _ := store.CreateToken(ctx, "a", data.RoleViewer)
	_, b2, _ := store.CreateToken(ctx, "b", data.RoleViewer)
	for i := 0; i < 2; i++ {
		if resp, b := authCall(t, srv, "GET", "/api/v1/settings", a, nil); resp.StatusCode != 200 {
			t.Fatalf("request %d of token a: %d %s", i+1, resp.StatusCode, b)
		}
	}
	resp, b := authCall(t, srv, "GET", "/api/v1/settings", a, nil)
	p := limitRefusal(t, "third request of token a", resp, b, 429, "rate_limit")
	if resp.Header.Get("Retry-After") != "1000" || p.RatePerSecond != 0.001 || p.Burst != 2 || p.Type != ProblemRateLimited ||
		!strings.Contains(p.Detail, "per token") {
		t.Errorf("429: Retry-After %q, %+v", resp.Header.Get("Retry-After"), p)
	}
	if resp, _ := authCall(t, srv, "GET", "/api/v1/settings", b2, nil); resp.StatusCode != 200 {
		t.Errorf("token b shares token a's bucket: %d", resp.StatusCode)
	}
	for i := 0; i < 2; i++ {
		authCall(t, srv, "GET", "/api/v1/settings", "", nil)
	}
	resp, b = authCall(t, srv, "GET", "/api/v1/settings", "", nil)
	if p := limitRefusal(t, "third request without a token", resp, b, 429, "rate_limit"); !strings.Contains(p.Detail, "per client address") {
		t.Errorf("429 without token: %+v", p)
	}
	for i := 0; i < 5; i++ {
		if resp, _ := authCall(t, srv, "GET", "/static/app.js", "", nil); resp.StatusCode != 200 {
			t.Errorf("the page's files are rate limited: %d", resp.StatusCode)
		}
	}
}

// TestTimeouts: echo's ContextTimeout ends an ordinary request's context after
// request_timeout (503 problem naming it); long routes get long_request_timeout; the run
// event stream has none. The handlers here wait for their context, as the database calls
// of the real ones do.
func TestTimeouts(t *testing.T) {
	srv, s, _ := secServer(t, false, SecurityOptions{Limits: Limits{RequestTimeout: 20 * time.Millisecond, LongRequestTimeout: time.Hour}})
	waiting := func(c echo.Context) error {
		ctx := c.Request().Context()
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
		if err := ctx.Err(); err != nil { // decided by the context alone, however late this runs
			return fmt.Errorf("waiting: %w", err)
		}
		return c.String(http.StatusOK, "finished")
	}
	s.Echo().GET("/api/v1/municipalities/:code", waiting) // an ordinary route
	s.Echo().POST("/api/v1/imports", waiting)             // a long one
	s.Echo().GET("/api/v1/runs/:id/events", waiting)      // a stream
	resp, b := authCall(t, srv, "GET", "/api/v1/municipalities/29201", "", nil)
	p := limitRefusal(t, "ordinary route", resp, b, 503, "request_timeout")
	if p.TimeoutS != 0.02 || p.Type != ProblemTimeout || !strings.Contains(p.Detail, "GET /api/v1/municipalities/:code took longer than 20ms") {
		t.Errorf("timeout: %+v", p)
	}
	if resp, b := authCall(t, srv, "POST", "/api/v1/imports", "", []byte("x")); resp.StatusCode != 200 || string(b) != "finished" {
		t.Errorf("long route under long_request_timeout: %d %s", resp.StatusCode, b)
	}
	if resp, b := authCall(t, srv, "GET", "/api/v1/runs/1/events", "", nil); resp.StatusCode != 200 || string(b) != "finished" {
		t.Errorf("event stream: %d %s", resp.StatusCode, b)
	}

	srv2, s2, _ := secServer(t, false, SecurityOptions{Limits: Limits{LongRequestTimeout: 20 * time.Millisecond}})
	s2.Echo().POST("/api/v1/imports", waiting)
	resp, b = authCall(t, srv2, "POST", "/api/v1/imports", "", []byte("x"))
	if p := limitRefusal(t, "long route", resp, b, 503, "long_request_timeout"); p.TimeoutS != 0.02 {
		t.Errorf("long timeout: %+v", p)
	}
}

// TestSecurityHeaders: the page carries the strict policy (with the tile host when a tile
// layer is set), every other answer a policy that loads nothing, and all of them nosniff,
// frame denial and a referrer policy — errors and refusals included.
func TestSecurityHeaders(t *testing.T) {
	tile := "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := New(store, Options{Page: PageSettings{TileURL: tile}, Security: SecurityOptions{ListenAddr: "[::]:80"}})
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	page := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://cyberjapandata.gsi.go.jp; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if web.Policy(tile) != page {
		t.Fatalf("web.Policy = %q", web.Policy(tile))
	}
	for _, c := range []struct {
		path   string
		status int
		csp    string
	}{
		{"/", 200, page}, {"/static/app.js", 200, page}, {"/healthz", 200, page}, {"/nowhere", 404, page},
		{"/api/v1/assets", 401, apiPolicy}, {"/api/v1/nowhere", 401, apiPolicy},
	} {
		resp, b := authCall(t, srv, "GET", c.path, "", nil)
		h := resp.Header
		if resp.StatusCode != c.status || h.Get("Content-Security-Policy") != c.csp || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("GET %s: %d CSP %q nosniff %q frame %q referrer %q (%.80s)", c.path, resp.StatusCode, h.Get("Content-Security-Policy"),
				h.Get("X-Content-Type-Options"), h.Get("X-Frame-Options"), h.Get("Referrer-Policy"), b)
		}
		if strings.Contains(h.Get("Content-Security-Policy"), "unsafe") {
			t.Errorf("GET %s: the policy allows something unsafe", c.path)
		}
	}
	// Without a tile layer the page loads images from itself and data: only.
	srv2, _, _ := secServer(t, false, SecurityOptions{})
	resp, _ := authCall(t, srv2, "GET", "/", "", nil)
	if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "img-src 'self' data:;") {
		t.Errorf("page policy without tiles: %q", got)
	}
}

// TestEscapedNameComesBackAsText: a name written as HTML is stored and answered as JSON
// text, byte for byte, in a response no browser would render (JSON type, nosniff, a policy
// that runs nothing). The page's side (textContent) is tested in internal/e2e.
func TestEscapedNameComesBackAsText(t *testing.T) {
	srv, _, _ := secServer(t, true, SecurityOptions{})
	name := `<img src=x onerror=alert(1)>`
	body, _ := json.Marshal(map[string]any{"id": "XSS-1", "municipality": "29201", "kind": "bridge", "name": name,
		"lon": 135.80, "lat": 34.68, "length_m": 12})
	if resp, b := authCall(t, srv, "POST", "/api/v1/assets", "", body); resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	for _, path := range []string{"/api/v1/assets/XSS-1", "/api/v1/assets?municipality=29201&limit=10000", "/api/v1/assets?municipality=29201&format=geojson"} {
		resp, b := authCall(t, srv, "GET", path, "", nil)
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode != 200 || !(strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, GeoJSONContentType)) ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") != apiPolicy {
			t.Fatalf("GET %s: %d %q", path, resp.StatusCode, ct)
		}
		var found []string
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				if x["name"] != nil && (x["id"] == "XSS-1") {
					found = append(found, fmt.Sprint(x["name"]))
				}
				for _, e := range x {
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		walk(doc)
		if len(found) != 1 || found[0] != name {
			t.Errorf("GET %s: names %q, want exactly %q", path, found, name)
		}
	}
	resp, b := authCall(t, srv, "GET", "/api/v1/assets?municipality=29201&format=csv", "", nil)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(b), name) {
		t.Errorf("CSV: %q, name missing or not text/csv", resp.Header.Get("Content-Type"))
	}
}

// TestPageSession: with tokens required the page redirects to /login; a valid token there
// sets an HttpOnly, SameSite=Strict cookie that the page's API calls then carry, held to
// the token's role; the cookie is a server-side session, not the token; a write with the
// cookie from another site is refused; a revoked token ends its sessions and sends the
// page back to /login; /logout revokes the session; an expired one is refused.
func TestPageSession(t *testing.T) {
	ctx := context.Background()
	srv, _, store := secServer(t, false, SecurityOptions{ListenAddr: "0.0.0.0:8080"})
	planner, plannerSecret, _ := store.CreateToken(ctx, "page", data.RolePlanner)
	_, viewerSecret, _ := store.CreateToken(ctx, "viewer page", data.RoleViewer)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, cookie, origin, ctype, body string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "tabane_session", Value: cookie})
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, _ := do("GET", "/", "", "", "", ""); resp.StatusCode != 303 || resp.Header.Get("Location") != "/login" {
		t.Fatalf("GET / without a session: %d %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body := do("GET", "/login", "", "", "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `<form method="post" action="/login">`) || strings.Contains(body, "<script") ||
		strings.Contains(body, "style=") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "form-action 'self'") {
		t.Fatalf("GET /login: %d %s", resp.StatusCode, body)
	}
	form := "application/x-www-form-urlencoded"
	if resp, body := do("POST", "/login", "", "", form, "token=tbn_wrong"); resp.StatusCode != 401 || !strings.Contains(body, "unknown or revoked") ||
		len(resp.Cookies()) != 0 {
		t.Errorf("POST /login with a wrong token: %d %v %s", resp.StatusCode, resp.Cookies(), body)
	}
	if resp, _ := do("POST", "/login", "", "https://evil.example", form, "token="+plannerSecret); resp.StatusCode != 403 || len(resp.Cookies()) != 0 {
		t.Errorf("POST /login from another site: %d %v, want 403 without a cookie", resp.StatusCode, resp.Cookies())
	}
	login := func(secret string) string {
		t.Helper()
		resp, _ := do("POST", "/login", "", srv.URL, form, "token="+secret)
		cks := resp.Cookies()
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" || len(cks) != 1 || cks[0].Name != "tabane_session" ||
			!strings.HasPrefix(cks[0].Value, data.SessionPrefix) || len(cks[0].Value) != len(data.SessionPrefix)+43 ||
			strings.Contains(cks[0].Value, secret[len(data.TokenPrefix):]) ||
			!cks[0].HttpOnly || cks[0].SameSite != http.SameSiteStrictMode || cks[0].MaxAge != 12*3600 || cks[0].Path != "/" {
			t.Fatalf("POST /login: %d %q %+v", resp.StatusCode, resp.Header.Get("Location"), cks)
		}
		return cks[0].Value
	}
	session, viewerSession := login(plannerSecret), login(viewerSecret)
	if session == viewerSession {
		t.Fatalf("two sign-ins share the session %s", session)
	}
	// The cookie holds a session of its own, never the token: the token is no cookie.
	if resp, _ := do("GET", "/api/v1/municipalities", plannerSecret, "", "", ""); resp.StatusCode != 401 {
		t.Errorf("the raw token as the cookie: %d, want 401", resp.StatusCode)
	}
	if resp, body := do("GET", "/", session, "", "", ""); resp.StatusCode != 200 || !strings.Contains(body, "/static/app.js") {
		t.Errorf("GET / with the session: %d", resp.StatusCode)
	}
	if resp, _ := do("GET", "/api/v1/municipalities", session, "", "", ""); resp.StatusCode != 200 {
		t.Errorf("API read with the session: %d", resp.StatusCode)
	}
	scenario := `{"name": "page", "fiscal_year": 2027}`
	if resp, body := do("POST", "/api/v1/scenarios", session, srv.URL, "application/json", scenario); resp.StatusCode != 201 {
		t.Errorf("write with the session from the page: %d %s", resp.StatusCode, body)
	}
	if resp, body := do("POST", "/api/v1/scenarios", session, "https://evil.example", "application/json", scenario); resp.StatusCode != 403 ||
		!strings.Contains(body, "must come from this site") {
		t.Errorf("write with the session from another site: %d %s, want 403", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("DELETE", srv.URL+"/api/v1/scenarios/1", nil)
	req.AddCookie(&http.Cookie{Name: "tabane_session", Value: session})
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := noRedirect.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("cross-site delete without Origin: %v %v, want 403", resp.StatusCode, err)
	}
	if resp, _ := do("POST", "/api/v1/scenarios", viewerSession, srv.URL, "application/json", scenario); resp.StatusCode != 403 {
		t.Errorf("a viewer's session writes: %d, want 403", resp.StatusCode)
	}
	// Revoking the token ends its sessions.
	store.RevokeToken(ctx, planner.ID)
	resp, _ = do("GET", "/", session, "", "", "")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login" || len(resp.Cookies()) != 1 || resp.Cookies()[0].MaxAge >= 0 {
		t.Errorf("GET / with a revoked session: %d %q %v, want 303 to /login deleting the cookie", resp.StatusCode, resp.Header.Get("Location"), resp.Cookies())
	}
	if resp, body := do("GET", "/api/v1/municipalities", session, "", "", ""); resp.StatusCode != 401 || !strings.Contains(body, "the session has ended") {
		t.Errorf("API with a revoked token's session: %d %s, want 401", resp.StatusCode, body)
	}
	// /logout revokes the session on the server: a copy of the cookie is worth nothing.
	resp, _ = do("POST", "/logout", viewerSession, srv.URL, "", "")
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login" || len(resp.Cookies()) != 1 || resp.Cookies()[0].MaxAge >= 0 {
		t.Errorf("POST /logout: %d %v", resp.StatusCode, resp.Cookies())
	}
	if resp, _ := do("GET", "/api/v1/municipalities", viewerSession, "", "", ""); resp.StatusCode != 401 {
		t.Errorf("the cookie after /logout: %d, want 401", resp.StatusCode)
	}
	// An expired session is refused (the store's clock: a session of 1 ns).
	tok, _ := store.TokenBySecret(ctx, viewerSecret)
	expired, _, err := store.CreateSession(ctx, tok.ID, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := do("GET", "/api/v1/municipalities", expired, "", "", ""); resp.StatusCode != 401 {
		t.Errorf("an expired session: %d, want 401", resp.StatusCode)
	}
	// On loopback without --require-token the page opens at once.
	srv2, _, _ := secServer(t, false, SecurityOptions{})
	if resp, _ := authCall(t, srv2, "GET", "/", "", nil); resp.StatusCode != 200 || resp.Request.URL.Path != "/" {
		t.Errorf("loopback page: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
}

// TestMaxQueuedRuns: with max_queued_runs runs waiting, a new run is refused with a 503
// problem and Retry-After; nothing is stored.
func TestMaxQueuedRuns(t *testing.T) {
	ctx := context.Background()
	srv, _, store := secServer(t, true, SecurityOptions{Limits: Limits{MaxQueuedRuns: 2}})
	sc, err := store.CreateScenario(ctx, data.Scenario{Name: "q", FiscalYear: 2027, Params: data.DefaultParams(),
		Filter: &data.ScenarioFilter{Municipalities: []string{"29342"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Two runs a previous server left queued (this server's queue does not know them).
	for i := 0; i < 2; i++ {
		if _, err := store.CreateRun(ctx, data.NewRun{ScenarioID: sc.ID, Seed: 1, TimeLimitS: 5, Instance: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	resp, b := authCall(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/runs", sc.ID), "", []byte(`{"time_limit_s": 1}`))
	p := limitRefusal(t, "third queued run", resp, b, 503, "max_queued_runs")
	if p.MaxQueuedRuns != 2 || resp.Header.Get("Retry-After") != "30" || p.Type != ProblemQueueFull || !strings.Contains(p.Detail, "2 runs are waiting") {
		t.Errorf("503: %q %+v", resp.Header.Get("Retry-After"), p)
	}
	if _, n, _ := store.Runs(ctx, data.RunFilter{}); n != 2 {
		t.Errorf("%d runs stored, want the 2 queued ones", n)
	}
}

// TestImportAtomicUnderLimits: an import that fails — a bad row in the middle, a body over
// the import limit, a request past its timeout — leaves the inventory exactly as it was:
// not even the good rows before the failure are written.
func TestImportAtomicUnderLimits(t *testing.T) {
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "atomic.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.LoadDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	newServer := func(opt Options) *httptest.Server {
		s := New(store, opt)
		t.Cleanup(func() { s.Close() })
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		return srv
	}
	fingerprint := func(srv *httptest.Server) string {
		var sb strings.Builder
		for _, p := range []string{"/api/v1/assets?format=csv", "/api/v1/municipalities?format=csv", "/api/v1/depots?format=csv"} {
			resp, b := authCall(t, srv, "GET", p, "", nil)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s: %d", p, resp.StatusCode)
			}
			fmt.Fprintf(&sb, "%s %d %x\n", p, len(b), b)
		}
		return sb.String()
	}
	post := func(srv *httptest.Server, body string, chunked bool) (*http.Response, []byte) {
		var rd io.Reader = strings.NewReader(body)
		if chunked {
			rd = io.MultiReader(rd) // hides the length: sent chunked
		}
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/imports?format=csv", rd)
		req.Header.Set("Content-Type", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	header := "id,municipality,kind,name,lon,lat,length_m\n"
	good := func(i int) string { return fmt.Sprintf("ATOM-%03d,29201,bridge,橋%d,135.80,34.68,12\n", i, i) }

	srv := newServer(Options{Inventory: InventoryOptions{ImportBodyLimit: "2K"}})
	before := fingerprint(srv)
	resp, b := post(srv, header+good(1)+"ATOM-002,29201,bridge,壊れた行,east,34.68,12\n"+good(3), false)
	if resp.StatusCode != 422 || !strings.Contains(string(b), `"line":3`) {
		t.Errorf("bad row in the middle: %d %s", resp.StatusCode, b)
	}
	var big strings.Builder
	big.WriteString(header)
	for i := 1; big.Len() < 4000; i++ {
		big.WriteString(good(i))
	}
	resp, b = post(srv, big.String(), true)
	if p := limitRefusal(t, "chunked import over the limit", resp, b, 413, "import_body_limit"); p.LimitBytes != 2000 ||
		!strings.Contains(p.Detail, "at most 2KB (2000 bytes)") {
		t.Errorf("import over the limit: %+v", p)
	}
	timedOut := newServer(Options{Security: SecurityOptions{Limits: Limits{LongRequestTimeout: time.Nanosecond}}})
	resp, b = post(timedOut, header+good(1)+good(2), false)
	limitRefusal(t, "import past its timeout", resp, b, 503, "long_request_timeout")
	if after := fingerprint(srv); after != before {
		t.Error("a failed import changed the inventory")
	}
	if resp, _ := authCall(t, srv, "GET", "/api/v1/assets/ATOM-001", "", nil); resp.StatusCode != 404 {
		t.Errorf("the good row before the failure was written: %d", resp.StatusCode)
	}
	// The same rows without the bad one go in.
	if resp, b := post(srv, header+good(1)+good(3), false); resp.StatusCode != 200 {
		t.Errorf("good import: %d %s", resp.StatusCode, b)
	}
	if resp, _ := authCall(t, srv, "GET", "/api/v1/assets/ATOM-001", "", nil); resp.StatusCode != 200 {
		t.Errorf("the good import did not write: %d", resp.StatusCode)
	}
}
