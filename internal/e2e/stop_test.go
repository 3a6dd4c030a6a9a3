package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestStopKeepsBestPlan: a long solve started on the page streams its progress (server-sent
// events drawn on the chart); Stop cancels it and the page shows the best plan found so far.
func TestStopKeepsBestPlan(t *testing.T) {
	s := startServer(t)
	tb := openPage(t, s)
	tb.run(t, chromedp.SetValue("#f-time", "600", chromedp.ByQuery))
	tb.click(t, "#solve")
	// Two progress events with a best cost: the stream is live and the solver has a plan.
	tb.waitFor(t, `window.tabane.stats().progress_points >= 2 && document.getElementById('p-best').textContent.endsWith('円')`)
	if got := tb.textOf(t, "#p-status"); got != "計算中" {
		t.Errorf("status while solving %q, want 計算中", got)
	}
	var stopDisabled, solveDisabled bool
	tb.eval(t, `document.getElementById('stop').disabled`, &stopDisabled)
	tb.eval(t, `document.getElementById('solve').disabled`, &solveDisabled)
	if stopDisabled || !solveDisabled {
		t.Errorf("while solving: stop disabled=%v, solve disabled=%v", stopDisabled, solveDisabled)
	}
	tb.screenshot(t, "solving")
	tb.click(t, "#stop")
	tb.waitFor(t, `(() => { const s = window.tabane.stats(); return !s.solving && s.run_status === 'cancelled' && s.bundles_rows > 0; })()`)
	var runID string
	tb.eval(t, `String(window.tabane.stats().run)`, &runID)
	var run runJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID, nil, &run); code != 200 || run.Status != "cancelled" {
		t.Fatalf("run %s after Stop: %d %q, want cancelled", runID, code, run.Status)
	}
	var plan planJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/plan", nil, &plan); code != 200 {
		t.Fatalf("plan of the stopped run: %d", code)
	}
	if st := tb.stats(t); st.BundlesRows != len(plan.Bundles) {
		t.Errorf("%d bundle rows, the kept plan has %d bundles", st.BundlesRows, len(plan.Bundles))
	}
	if got := tb.textOf(t, "#p-status"); got != "停止" {
		t.Errorf("status after Stop %q, want 停止", got)
	}
	if got := tb.textOf(t, "#status"); !strings.Contains(got, "停止") {
		t.Errorf("status line after Stop %q", got)
	}
	tb.noProblems(t)
}
