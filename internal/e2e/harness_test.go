// Package e2e drives the planner's page in a real headless Chromium against a real `tabane serve`
// process on a temporary SQLite file. No part is mocked: the binary is built from ./cmd/tabane, the
// page is the embedded one, the browser is Debian's chromium driven over the DevTools protocol by
// chromedp.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tabane/tabane/internal/servetest"
)

// chromiumPath is Debian's chromium; .ci/run installs it.
const chromiumPath = "/usr/bin/chromium"

// A stuck page must fail its own test with what it was waiting for, not hang the package until
// go test's global timeout kills every test at once with nothing but a goroutine dump. These are
// deadlines against hangs, not speed limits: a normal test takes seconds, and a loaded CI machine
// is given many times that.
const (
	tabDeadline  = 4 * time.Minute  // every browser action of one tab
	waitDeadline = 2 * time.Minute  // one waitFor
	httpDeadline = 90 * time.Second // one request of the test to the server
)

// client is the tests' HTTP client: a request to a stuck server fails instead of hanging.
var client = &http.Client{Timeout: httpDeadline}

var (
	binPath string // the tabane binary built once for the package
	browser context.Context
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if _, err := os.Stat(chromiumPath); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %s is missing (apt-get install chromium; .ci/run does it): %v\n", chromiumPath, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "tabane-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)

	binPath = filepath.Join(tmp, "tabane")
	build := exec.Command(goTool(), "build", "-o", binPath, "github.com/tabane/tabane/cmd/tabane")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building tabane: %v\n", err)
		return 1
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Run(bctx); err != nil { // starts the browser
		fmt.Fprintf(os.Stderr, "e2e: starting chromium: %v\n", err)
		return 1
	}
	browser = bctx
	return m.Run()
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// server is one `tabane serve` process with its own database file.
type server struct {
	URL string
	DB  string // the SQLite file
}

// startServer starts tabane serve on a free loopback port with a fresh database holding the demo;
// extra are more flags of tabane serve.
func startServer(t testing.TB, extra ...string) *server {
	t.Helper()
	db := filepath.Join(t.TempDir(), "tabane.db")
	u := servetest.Start(t, binPath, append([]string{"--addr", "127.0.0.1:0", "--db", db}, extra...)...)
	return &server{URL: u, DB: db}
}

func tail(s string, n int) string { return servetest.Tail(s, n) }

// do sends a JSON request to the server and decodes a JSON answer into out (when non-nil).
func (s *server) do(t testing.TB, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, tail(string(b), 300))
		}
	}
	if res.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, path, res.StatusCode, tail(string(b), 500))
	}
	return res.StatusCode
}

// tab is one browser tab on the page with everything it reported.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc // closes the tab
	mu     sync.Mutex
	// problems are console errors, uncaught exceptions and browser log errors (failed requests,
	// CSP violations).
	problems []string
	dialogs  []string
	expected []string // problems containing one of these are expected by the test
	name     string   // the test's name, for the screenshot of a failed wait
}

// expect marks browser reports containing s as expected (a refused request the test provokes).
func (tb *tab) expect(s string) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.expected = append(tb.expected, s)
}

// openPage opens a new tab on the server's page and waits for window.tabane.ready.
func openPage(t testing.TB, s *server) *tab {
	t.Helper()
	return openTab(t, s, "/")
}

// openTab opens a new tab; with a path it loads that page and waits for window.tabane.ready.
func openTab(t testing.TB, s *server, path string) *tab {
	t.Helper()
	tabCtx, closeTab := chromedp.NewContext(browser)
	// The deadline derives from the tab's context, so the first Run below allocates the tab on it:
	// when the deadline passes, the tab is closed and every action of the test fails at once.
	ctx, cancel := context.WithTimeout(tabCtx, tabDeadline)
	cancelBoth := func() { cancel(); closeTab() }
	t.Cleanup(cancelBoth)
	tb := &tab{ctx: ctx, cancel: cancelBoth, name: t.Name()}
	chromedp.ListenTarget(ctx, func(ev any) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		switch e := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type == cdpruntime.APITypeError || e.Type == cdpruntime.APITypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				tb.problems = append(tb.problems, "console."+string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *cdpruntime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			tb.problems = append(tb.problems, "exception: "+msg)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.LevelError {
				tb.problems = append(tb.problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *page.EventJavascriptDialogOpening:
			tb.dialogs = append(tb.dialogs, string(e.Type)+": "+e.Message)
			go func() {
				_ = chromedp.Run(ctx, page.HandleJavaScriptDialog(false))
			}()
		}
	})
	if err := chromedp.Run(ctx,
		log.Enable(),
		// Tabs opened from the first one start in the background, where requestAnimationFrame
		// (Leaflet's redraw, chromedp's default polling) does not run.
		page.BringToFront(),
		// No cookie of an earlier test (the sign-in session) may reach this one: cookies ignore
		// the port, and every test's server is on 127.0.0.1. (Local storage is per port.)
		network.ClearBrowserCookies(),
	); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	if path == "" {
		return tb
	}
	var where string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+path),
		chromedp.Location(&where),
	); err != nil {
		t.Fatalf("opening the page: %v", err)
	}
	if where != s.URL+path {
		t.Fatalf("opening %s led to %s", s.URL+path, where)
	}
	tb.waitFor(t, `window.tabane && window.tabane.ready === true`)
	return tb
}

func (tb *tab) run(t testing.TB, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(tb.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JS expression (awaiting a promise) into out.
func (tb *tab) eval(t testing.TB, expr string, out any) {
	t.Helper()
	tb.run(t, chromedp.Evaluate(expr, out, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
}

// waitFor polls a JS expression until it is truthy. A failure the page reports in its status line
// (window.tabane.errors) ends the wait and the test at once; so does waitDeadline, with the page's
// status line, its stats and a screenshot (screenshots/FAILED-<test>.png) to show where it stood.
func (tb *tab) waitFor(t testing.TB, expr string) {
	t.Helper()
	var res struct {
		Errors []string `json:"errors"`
	}
	err := chromedp.Run(tb.ctx, chromedp.Poll(`(() => {
		const errs = window.tabane && window.tabane.errors;
		if (errs && errs.length) return {errors: errs};
		return (`+expr+`) ? {errors: []} : false;
	})()`, &res, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(waitDeadline)))
	if err != nil {
		t.Fatalf("waiting for %s: %v\n%s", expr, err, tb.whereItStood(t))
	}
	if len(res.Errors) > 0 {
		t.Fatalf("the page failed while waiting for %s: %s", expr, strings.Join(res.Errors, "; "))
	}
}

// whereItStood describes the page after a failed wait: its status line, its stats and the
// problems the browser reported; it saves a screenshot when the tab still answers.
func (tb *tab) whereItStood(t testing.TB) string {
	var b strings.Builder
	var state string
	err := chromedp.Run(tb.ctx, chromedp.Evaluate(`JSON.stringify({
		status: (document.getElementById('status') || {}).textContent,
		stats: window.tabane && window.tabane.stats ? window.tabane.stats() : null})`, &state))
	if err != nil {
		fmt.Fprintf(&b, "the tab no longer answers: %v\n", err)
	} else {
		fmt.Fprintf(&b, "page: %s\n", state)
		var buf []byte
		if chromedp.Run(tb.ctx, chromedp.CaptureScreenshot(&buf)) == nil {
			dir := filepath.Join("..", "..", "screenshots")
			name := "FAILED-" + strings.NewReplacer("/", "_", " ", "_").Replace(tb.name) + ".png"
			if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(filepath.Join(dir, name), buf, 0o644) == nil {
				fmt.Fprintf(&b, "screenshot: screenshots/%s\n", name)
			}
		}
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, p := range tb.problems {
		fmt.Fprintf(&b, "browser reported: %s\n", p)
	}
	return b.String()
}

func (tb *tab) noProblems(t testing.TB) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
next:
	for _, p := range tb.problems {
		for _, e := range tb.expected {
			if strings.Contains(p, e) {
				continue next
			}
		}
		t.Errorf("browser reported: %s", p)
	}
	for _, d := range tb.dialogs {
		t.Errorf("a dialog opened: %s", d)
	}
}

// stats is window.tabane.stats().
type stats struct {
	Municipalities       int    `json:"municipalities"`
	MunicipalityPolygons int    `json:"municipality_polygons"`
	Assets               int    `json:"assets"`
	Depots               int    `json:"depots"`
	Outlines             int    `json:"outlines"`
	AssetsInBundles      int    `json:"assets_in_bundles"`
	Renderer             string `json:"renderer"`
	Tiles                string `json:"tiles"`
	AssetDOMNodes        int    `json:"asset_dom_nodes"`
	Scenario             any    `json:"scenario"`
	Run                  any    `json:"run"`
	BundlesRows          int    `json:"bundles_rows"`
	MunicipalityRows     int    `json:"municipality_rows"`
	Solving              bool   `json:"solving"`
	Lang                 string `json:"lang"`
}

func (tb *tab) stats(t testing.TB) stats {
	t.Helper()
	var st stats
	tb.eval(t, `window.tabane.stats()`, &st)
	return st
}

// screenshot writes the page to screenshots/NAME.png at the repository root (git-ignored).
func (tb *tab) screenshot(t testing.TB, name string) {
	t.Helper()
	var buf []byte
	tb.run(t, chromedp.FullScreenshot(&buf, 100))
	dir := filepath.Join("..", "..", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// click clicks the first node matching a CSS selector, as a user would (mouse events at its centre).
// It first waits until the node stands still (the same box in two polls 50 ms apart): a popup
// that just opened pans the map, and a click aimed at the box of a moment ago misses it.
func (tb *tab) click(t testing.TB, sel string) {
	t.Helper()
	var still bool
	if err := chromedp.Run(tb.ctx, chromedp.Poll(fmt.Sprintf(`(() => {
		const n = document.querySelector(%q);
		if (!n) return false;
		const r = n.getBoundingClientRect(), box = [r.x, r.y, r.width, r.height].join();
		const same = window.__e2eBox === box;
		window.__e2eBox = box;
		return same;
	})()`, sel), &still, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(waitDeadline))); err != nil {
		t.Fatalf("waiting for %s to stand still: %v\n%s", sel, err, tb.whereItStood(t))
	}
	tb.run(t, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
}

// textOf is the textContent of the first node matching sel.
func (tb *tab) textOf(t testing.TB, sel string) string {
	t.Helper()
	var s string
	tb.run(t, chromedp.TextContent(sel, &s, chromedp.ByQuery))
	return s
}
