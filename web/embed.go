// Package web holds the planner's map page: static files embedded in the binary (no CDN, works with
// no internet) and the handler that serves them.
//
// The page is built for a strict Content-Security-Policy: every script is a file under /static/, no
// inline script or style attribute comes from HTML markup, and user text (asset and municipality names)
// is always set with textContent. Policy returns the header value the server sends with it.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
)

//go:embed static
var static embed.FS

// FS is the page's file tree: index.html at the root, scripts, styles, translations and vendored
// Leaflet below it.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// Options tunes Handler. TileURL, when set, returns the raster tile URL template of the page
// settings, so that its host is allowed by the Content-Security-Policy.
type Options struct {
	TileURL func() string
}

// Handler serves the page: "/" (and "/index.html") is the page, "/static/..." its files. Every
// response carries the Content-Security-Policy of Policy, X-Content-Type-Options: nosniff,
// X-Frame-Options: DENY and a same-origin referrer policy. Other paths are 404.
func Handler() http.Handler { return NewHandler(Options{}) }

// NewHandler is Handler with options.
func NewHandler(opt Options) http.Handler {
	files := http.FileServerFS(FS())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tile := ""
		if opt.TileURL != nil {
			tile = opt.TileURL()
		}
		h := w.Header()
		h.Set("Content-Security-Policy", Policy(tile))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		switch {
		case r.URL.Path == "/" || r.URL.Path == "/index.html":
			h.Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, FS(), "index.html")
		case strings.HasPrefix(r.URL.Path, "/static/") && !strings.HasSuffix(r.URL.Path, "/"):
			h.Set("Cache-Control", "no-cache")
			r2 := new(http.Request)
			*r2 = *r
			u := *r.URL
			u.Path = strings.TrimPrefix(r.URL.Path, "/static")
			u.RawPath = ""
			r2.URL = &u
			files.ServeHTTP(w, r2)
		default:
			http.NotFound(w, r)
		}
	})
}

// Policy is the Content-Security-Policy of the page. tileURL is the optional raster tile URL template
// (e.g. https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png); its origin is added to img-src.
func Policy(tileURL string) string {
	img := "'self' data:"
	if o := tileOrigin(tileURL); o != "" {
		img += " " + o
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// tileOrigin is scheme://host[:port] of an http(s) tile URL template, or "" when there is none or it
// cannot be trusted into a header (template braces in the host are refused).
func tileOrigin(tileURL string) string {
	tileURL = strings.TrimSpace(tileURL)
	if tileURL == "" {
		return ""
	}
	// Leaflet's {s} subdomain placeholder becomes a CSP host wildcard.
	const sub = "subdomain-placeholder"
	u, err := url.Parse(strings.Replace(tileURL, "{s}.", sub+".", 1))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	host := u.Host
	if strings.HasPrefix(host, sub+".") {
		host = "*" + strings.TrimPrefix(host, sub)
	}
	if strings.ContainsAny(host, "{}; ,'\"") || strings.Contains(host, sub) {
		return ""
	}
	return u.Scheme + "://" + host
}
