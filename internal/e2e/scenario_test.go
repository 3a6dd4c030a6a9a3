package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

type instanceJSON struct {
	Municipalities []struct {
		Code         string `json:"code"`
		Participates *bool  `json:"participates"`
	} `json:"municipalities"`
}

// participation reads the instance the next run of the scenario gets: code → participates
// (absent means true, as docs/model.md says).
func participation(t *testing.T, s *server, scenario string) map[string]bool {
	t.Helper()
	var inst instanceJSON
	if code := s.do(t, "GET", "/api/v1/scenarios/"+scenario+"/instance", nil, &inst); code != 200 {
		t.Fatalf("instance of scenario %s: %d", scenario, code)
	}
	out := map[string]bool{}
	for _, m := range inst.Municipalities {
		out[m.Code] = m.Participates == nil || *m.Participates
	}
	return out
}

// TestToggleParticipation: clicking a municipality on the page and unticking "participates"
// changes the instance of the scenario's next run, and ticking it again restores it.
func TestToggleParticipation(t *testing.T) {
	s := startServer(t)
	tb := openPage(t, s)
	var scID string
	tb.eval(t, `String(window.tabane.stats().scenario)`, &scID)

	before := participation(t, s, scID)
	if len(before) != 39 || !before["29201"] {
		t.Fatalf("instance before the toggle: %d municipalities, 29201 participates=%v", len(before), before["29201"])
	}

	var opened bool
	tb.eval(t, `window.tabane.openMunicipality('29201')`, &opened)
	if !opened {
		t.Fatal("the page has no municipality 29201")
	}
	tb.waitFor(t, `document.querySelector('.leaflet-popup .muni-popup input.participates') !== null`)
	if got := tb.textOf(t, ".muni-popup h3"); got != "奈良市" {
		t.Errorf("popup title %q, want 奈良市", got)
	}
	tb.click(t, ".muni-popup input.participates")
	tb.waitFor(t, `document.getElementById('nonparticipants').textContent === '奈良市'`)
	tb.screenshot(t, "participation-off")

	after := participation(t, s, scID)
	for code, on := range after {
		if want := code != "29201"; on != want {
			t.Errorf("after the toggle, %s participates=%v, want %v", code, on, want)
		}
	}
	if len(after) != 39 {
		t.Errorf("instance after the toggle has %d municipalities", len(after))
	}

	// The same switch in the scenario panel's list, by keyboard: it shows the change made on the
	// map, and Space on it turns 奈良市 back on.
	var listed bool
	tb.eval(t, `document.getElementById('part-29201').checked`, &listed)
	if listed {
		t.Error("the participation list still ticks 奈良市")
	}
	tb.run(t, chromedp.Focus("#participation summary", chromedp.ByQuery), chromedp.KeyEvent(kb.Enter))
	tb.waitFor(t, `document.getElementById('participation').open`)
	tb.run(t, chromedp.Focus("#part-29201", chromedp.ByQuery), chromedp.KeyEvent(" "))
	tb.waitFor(t, `document.getElementById('nonparticipants').textContent === '—'`)
	tb.waitFor(t, `document.activeElement && document.activeElement.id === 'part-29201' && document.activeElement.checked`)
	again := participation(t, s, scID)
	if !again["29201"] {
		t.Errorf("after toggling back, 29201 still does not participate")
	}
	if st := tb.textOf(t, "#status"); !strings.Contains(st, "奈良市") {
		t.Errorf("status line %q does not name the municipality", st)
	}
	tb.noProblems(t)
}
