package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, srv *httptest.Server, method, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func TestHandlerServesPageAndFiles(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	cases := []struct {
		path, ctype, contains string
		status                int
	}{
		{"/", "text/html; charset=utf-8", `<script type="module" src="/static/app.js">`, 200},
		{"/index.html", "text/html; charset=utf-8", "data-i18n=\"app.title\"", 200},
		{"/static/app.js", "text/javascript; charset=utf-8", "window.tabane", 200},
		{"/static/i18n.js", "text/javascript; charset=utf-8", "国土数値情報（行政区域データ）", 200},
		{"/static/style.css", "text/css; charset=utf-8", "@media print", 200},
		{"/static/vendor/leaflet/leaflet.js", "text/javascript; charset=utf-8", `version="1.9.4"`, 200},
		{"/static/vendor/leaflet/LICENSE", "text/plain; charset=utf-8", "Volodymyr Agafonkin", 200},
		{"/static/vendor/leaflet/images/layers.png", "image/png", "PNG", 200},
		{"/static/nothing.js", "text/plain; charset=utf-8", "404 page not found", 404},
		{"/static/", "text/plain; charset=utf-8", "404 page not found", 404},
		{"/elsewhere", "text/plain; charset=utf-8", "404 page not found", 404},
	}
	for _, c := range cases {
		res, body := get(t, srv, http.MethodGet, c.path)
		if res.StatusCode != c.status {
			t.Errorf("GET %s: status %d, want %d", c.path, res.StatusCode, c.status)
		}
		if got := res.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if !strings.Contains(body, c.contains) {
			t.Errorf("GET %s: body lacks %q", c.path, c.contains)
		}
		if got := res.Header.Get("Content-Security-Policy"); got != Policy("") {
			t.Errorf("GET %s: CSP %q", c.path, got)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: nosniff/frame headers missing: %v", c.path, res.Header)
		}
	}
	res, _ := get(t, srv, http.MethodPost, "/")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: status %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestPolicy(t *testing.T) {
	base := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:%s; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	cases := []struct{ tile, extra string }{
		{"", ""},
		{"https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png", " https://cyberjapandata.gsi.go.jp"},
		{"https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", " https://*.tile.openstreetmap.org"},
		{"http://127.0.0.1:9000/tiles/{z}/{x}/{y}.png", " http://127.0.0.1:9000"},
		{"javascript:alert(1)", ""},
		{"/tiles/{z}/{x}/{y}.png", ""},
		{"https://a.example;script-src *", ""},
		{"https://{z}.example/{x}", ""},
	}
	for _, c := range cases {
		want := strings.Replace(base, "%s", c.extra, 1)
		if got := Policy(c.tile); got != want {
			t.Errorf("Policy(%q)\n got %s\nwant %s", c.tile, got, want)
		}
	}
	srv := httptest.NewServer(NewHandler(Options{TileURL: func() string { return "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png" }}))
	defer srv.Close()
	res, _ := get(t, srv, http.MethodGet, "/")
	if got := res.Header.Get("Content-Security-Policy"); !strings.Contains(got, "img-src 'self' data: https://cyberjapandata.gsi.go.jp;") {
		t.Errorf("CSP with tiles: %q", got)
	}
}

// TestNoInlineScriptOrStyle keeps the page within a CSP without 'unsafe-inline': no inline <script>
// body, no <style> element, no style= or on...= attribute in the HTML, and no script building HTML
// from strings (innerHTML, insertAdjacentHTML, document.write, outerHTML) outside vendored Leaflet.
func TestNoInlineScriptOrStyle(t *testing.T) {
	html, err := static.ReadFile("static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`),
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\sstyle\s*=`),
		regexp.MustCompile(`\son[a-z]+\s*=`),
	} {
		if loc := re.FindIndex(html); loc != nil {
			t.Errorf("index.html matches %s at %q", re, html[loc[0]:min(len(html), loc[1]+40)])
		}
	}
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAll(html, -1)
	if len(scripts) != 2 {
		t.Fatalf("index.html has %d scripts, want 2 (leaflet, app)", len(scripts))
	}
	for _, s := range scripts {
		if !strings.Contains(string(s), ` src="/static/`) {
			t.Errorf("script without a /static/ src: %s", s)
		}
	}
	for _, name := range []string{"app.js", "map.js", "i18n.js", "api.js", "chart.js", "reasons.js"} {
		src, err := static.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"insertAdjacentHTML", "document.write", "outerHTML", "eval(", "new Function"} {
			if strings.Contains(string(src), bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
		// map.js reads innerHTML once, of a span whose textContent it has just set: that is how
		// the tile attribution setting is escaped for Leaflet, which writes attributions as HTML.
		allowed := 0
		if name == "map.js" {
			allowed = 1
			if !strings.Contains(string(src), "attribution: esc.innerHTML") {
				t.Errorf("map.js: the escaped attribution is gone")
			}
		}
		if n := strings.Count(string(src), "innerHTML"); n != allowed {
			t.Errorf("%s uses innerHTML %d times, want %d", name, n, allowed)
		}
	}
}
