package e2e

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSignInThenPlan: with tokens required (serve --require-token), the page sends a visitor
// without a session to /login; after signing in with a planner token the page works as on an
// open loopback server (its requests carry the session cookie, its event stream too).
func TestSignInThenPlan(t *testing.T) {
	s := startServer(t, "--require-token")
	out, err := exec.Command(binPath, "token", "create", "--role", "planner", "--name", "e2e", "--db", s.DB).CombinedOutput()
	if err != nil {
		t.Fatalf("token create: %v: %s", err, out)
	}
	secret := regexp.MustCompile(`tbn_[A-Za-z0-9_\-]+`).FindString(string(out))
	if secret == "" {
		t.Fatalf("no token in %q", out)
	}

	tb := openTab(t, s, "")
	var where string
	tb.run(t, chromedp.Navigate(s.URL+"/"), chromedp.Location(&where))
	if !strings.HasSuffix(where, "/login") {
		t.Fatalf("without a session / leads to %s, want /login", where)
	}
	// The form is submitted after the evaluation returns: the navigation it starts would
	// otherwise destroy the context the evaluation runs in.
	tb.run(t,
		chromedp.SendKeys("#token", secret, chromedp.ByQuery),
		chromedp.Evaluate(`setTimeout(() => document.getElementById('token').form.requestSubmit(), 0)`, nil),
	)
	tb.run(t, chromedp.WaitReady("#map", chromedp.ByQuery)) // on the page again, after the redirect
	tb.waitFor(t, `location.pathname === '/' && window.tabane && window.tabane.ready === true`)
	st := tb.stats(t)
	if st.Municipalities != 39 || st.Scenario == nil {
		t.Errorf("signed in: %d municipalities drawn, scenario %v", st.Municipalities, st.Scenario)
	}
	var loginShown bool
	tb.eval(t, `!document.getElementById('login-link').hidden`, &loginShown)
	if loginShown {
		t.Error("the sign-in link shows although the session works")
	}
	runID := solveFromPage(t, tb, "1")
	if runID == "null" {
		t.Error("no run after Solve")
	}
	tb.noProblems(t)
}
