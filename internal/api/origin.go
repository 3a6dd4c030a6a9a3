package api

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// Requests from other sites. Without tokens (the default on loopback) the server trusts
// whoever can reach it, and a browser reaches it on behalf of any page it shows: a form
// or a no-cors fetch on evil.example can POST to http://127.0.0.1:8080 (a cross-site
// write), and a name that evil.example's DNS re-points at 127.0.0.1 makes that page
// same-origin with the server (DNS rebinding: it can then read and write). Three checks,
// on every request, tokens or not:
//
//   - Host: on a loopback address, the Host header must name the server: localhost,
//     127.0.0.1 or [::1] (or the bound address) with the bound port, or a name given with
//     serve --allowed-host (a reverse proxy's public name). A rebinding page sends its
//     own name: 403. On other addresses tokens are required and the check applies only
//     when --allowed-host is given.
//   - Origin: a POST, PUT, PATCH or DELETE without an Authorization header (no token,
//     or the page's session cookie) must come from this site: its Origin must name the
//     Host, or without Origin its Sec-Fetch-Site must be same-origin or none (the
//     address bar). Scripts (curl) send neither and pass; browsers always send Origin on
//     cross-site writes. A request with Authorization cannot come from another site's
//     page: the browser would ask first (CORS preflight), and the server never allows it.
//   - Content-Type: a body must have the type its route documents (routeContentTypes):
//     JSON routes take application/json only, so that a form (text/plain,
//     application/x-www-form-urlencoded, multipart/form-data: the types a page may send
//     to another site without asking) never reaches them.

// ProblemHostNotAllowed, ProblemCrossSite and ProblemUnsupportedMediaType are the types of
// the three refusals.
const (
	ProblemHostNotAllowed       = "urn:tabane:problem:host-not-allowed"
	ProblemCrossSite            = "urn:tabane:problem:cross-site"
	ProblemUnsupportedMediaType = "urn:tabane:problem:unsupported-media-type"
)

// guardSite applies the Host, Origin and Content-Type checks (see above).
func (s *Server) guardSite(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !s.hostAllowed(r.Host) {
			return &Problem{Type: ProblemHostNotAllowed, Title: "Host not allowed", Status: http.StatusForbidden,
				Detail: fmt.Sprintf("Host %q does not name this server (%s); a reverse proxy's name is allowed with tabane serve --allowed-host NAME",
					r.Host, strings.Join(s.allowedHostsList(), ", "))}
		}
		if safeMethod(r.Method) {
			return next(c)
		}
		if r.Header.Get(echo.HeaderAuthorization) == "" && !s.sameSite(c) {
			return &Problem{Type: ProblemCrossSite, Title: "Cross-site request refused", Status: http.StatusForbidden,
				Detail: fmt.Sprintf("%s %s must come from this site's page (Origin %q, Sec-Fetch-Site %q); scripts send no Origin, or Authorization: Bearer",
					r.Method, r.URL.Path, r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"))}
		}
		if err := s.checkContentType(c); err != nil {
			return err
		}
		return next(c)
	}
}

// loopbackHosts are the names of the loopback interface a browser on this machine uses.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// hostAllowed reports whether a Host header names this server (see guardSite).
func (s *Server) hostAllowed(hostport string) bool {
	allowed := s.sec.opt.AllowedHosts
	if !IsLoopback(s.sec.opt.ListenAddr) && len(allowed) == 0 {
		return true // tokens are required; the server does not know its public names
	}
	host, port := splitHostPort(hostport)
	for _, a := range allowed {
		ah, ap := splitHostPort(a)
		if strings.EqualFold(host, ah) && (ap == "" || ap == port) {
			return true
		}
	}
	boundHost, boundPort := splitHostPort(s.sec.opt.ListenAddr)
	if boundPort != "" && boundPort != "0" && port != boundPort {
		return false
	}
	if boundHost != "" && strings.EqualFold(host, boundHost) {
		return true
	}
	for _, h := range loopbackHosts {
		if strings.EqualFold(host, h) {
			return true
		}
	}
	return false
}

// allowedHostsList names the allowed hosts for a refusal's detail.
func (s *Server) allowedHostsList() []string {
	_, port := splitHostPort(s.sec.opt.ListenAddr)
	out := []string{}
	for _, h := range loopbackHosts {
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		if port != "" && port != "0" {
			h += ":" + port
		}
		out = append(out, h)
	}
	return append(out, s.sec.opt.AllowedHosts...)
}

// splitHostPort splits host[:port] (IPv6 in brackets); a missing port is "".
func splitHostPort(hp string) (host, port string) {
	if h, p, err := net.SplitHostPort(hp); err == nil {
		return h, p
	}
	return strings.Trim(hp, "[]"), ""
}

// sameSite reports whether a request comes from this site: its Origin names this host
// (X-Forwarded-Host behind a trusted proxy), or without Origin, Sec-Fetch-Site says
// same-origin or none, or is absent (not a browser). Origin "null" (a sandboxed frame, a
// file) is another site.
func (s *Server) sameSite(c echo.Context) bool {
	r := c.Request()
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" && site != "none" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	host := r.Host
	if fh := r.Header.Get("X-Forwarded-Host"); s.sec.opt.TrustProxy && fh != "" {
		host = strings.TrimSpace(strings.Split(fh, ",")[0])
	}
	return strings.EqualFold(u.Host, host)
}

// The documented body types of the routes that take one.
var (
	jsonTypes   = []string{"application/json"}
	formTypes   = []string{"application/x-www-form-urlencoded", "multipart/form-data"}
	importTypes = []string{"multipart/form-data", "text/csv", "text/tab-separated-values", "application/geo+json",
		"application/json", "application/octet-stream"}
	batchTypes = []string{"application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
)

// routeContentTypes are the body types a route takes: JSON unless listed.
func routeContentTypes(path string) []string {
	switch path {
	case "/login", "/logout":
		return formTypes
	case "/api/v1/imports":
		return importTypes
	case "/api/v1/batches":
		return batchTypes
	}
	return jsonTypes
}

// checkContentType refuses a body whose Content-Type its route does not take (415).
// A request without a body passes whatever it says, and so does one no route takes (the
// router answers 404 or 405). An import may come without a type: its format is sniffed.
func (s *Server) checkContentType(c echo.Context) error {
	r := c.Request()
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody || !s.isRoute(r.Method, c.Path()) {
		return nil
	}
	path := c.Path()
	want := routeContentTypes(path)
	got := r.Header.Get(echo.HeaderContentType)
	if got == "" && path == "/api/v1/imports" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(got)
	if err == nil {
		for _, w := range want {
			if mt == w || (w == "application/json" && strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
				return nil
			}
		}
	}
	if got == "" {
		got = "none"
	}
	return &Problem{Type: ProblemUnsupportedMediaType, Title: "Unsupported media type", Status: http.StatusUnsupportedMediaType,
		Detail: fmt.Sprintf("%s %s takes a body of type %s, found Content-Type %s", r.Method, r.URL.Path, strings.Join(want, ", "), got)}
}

// headAsGet answers HEAD on every GET route (RFC 9110: HEAD is GET without the body; echo
// routes GET only). Echo routes the request it was given, so the method is set to GET
// for the handler and set back before net/http finishes the answer (it must see HEAD
// then: no body, no Content-Length of its own), and the body the handler writes is
// dropped. Event streams stay GET only: a HEAD would wait for the run to end.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead || strings.HasSuffix(r.URL.Path, "/events") {
			return next(c)
		}
		w := c.Response().Writer
		r.Method = http.MethodGet
		c.Response().Writer = bodyless{w}
		defer func() { r.Method, c.Response().Writer = http.MethodHead, w }()
		return next(c)
	}
}

// bodyless is a ResponseWriter that keeps the headers and status and drops the body.
type bodyless struct{ http.ResponseWriter }

func (bodyless) Write(p []byte) (int, error) { return len(p), nil }
func (bodyless) Flush()                      {}

// isRoute reports whether method and route pattern name a registered route.
func (s *Server) isRoute(method, path string) bool {
	s.sec.routesOnce.Do(func() {
		s.sec.routes = map[string]bool{}
		for _, r := range s.echo.Routes() {
			s.sec.routes[r.Method+" "+r.Path] = true
		}
	})
	return s.sec.routes[method+" "+path]
}
