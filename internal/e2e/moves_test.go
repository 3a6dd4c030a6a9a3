package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// handPlan is a plan as the API reads it (docs/model.md): lots with depot and assets.
type handPlan struct {
	Instance string    `json:"instance"`
	Bundles  []handLot `json:"bundles"`
	Cost     float64   `json:"cost"`
}

type handLot struct {
	ID     string   `json:"id"`
	Depot  string   `json:"depot"`
	Assets []string `json:"assets"`
}

// movedTo is p with asset taken out of its lot and put at the end of lot to, as the server moves it.
func (p handPlan) movedTo(asset, to string) handPlan {
	out := handPlan{Instance: p.Instance}
	for _, b := range p.Bundles {
		b.Assets = slices.DeleteFunc(slices.Clone(b.Assets), func(a string) bool { return a == asset })
		if b.ID == to {
			b.Assets = append(b.Assets, asset)
		}
		if len(b.Assets) > 0 {
			out.Bundles = append(out.Bundles, b)
		}
	}
	return out
}

// shiftDrag drags the mouse with Shift held from (x0, y0) to (x1, y1), as a planner draws a box.
func shiftDrag(x0, y0, x1, y1 float64) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		steps := []*input.DispatchMouseEventParams{
			input.DispatchMouseEvent(input.MouseMoved, x0, y0),
			input.DispatchMouseEvent(input.MousePressed, x0, y0).WithButton(input.Left).WithClickCount(1),
			input.DispatchMouseEvent(input.MouseMoved, (x0+x1)/2, (y0+y1)/2).WithButton(input.Left),
			input.DispatchMouseEvent(input.MouseMoved, x1, y1).WithButton(input.Left),
			input.DispatchMouseEvent(input.MouseReleased, x1, y1).WithButton(input.Left).WithClickCount(1),
		}
		for _, s := range steps {
			if err := s.WithModifiers(input.ModifierShift).Do(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestMoveFromPage: solve the demo, Shift-drag a box around an asset of the first lot (it is
// selected), Ctrl-click selects one asset alone, move it to the second lot: the cost the page
// shows is exactly POST /api/v1/evaluate's on the edited plan, and the change is against the run's
// cost. Keep saves a "hand edit" run whose parent is the solve, and the page shows it. The asset's
// popup explains its place, listing a rule that keeps it out of some lot; a lot's "why" lists its
// cost terms and costliest assets.
func TestMoveFromPage(t *testing.T) {
	s := startServer(t)
	tb := openPage(t, s)
	runID := solveFromPage(t, tb, "2")
	var plan handPlan
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/plan", nil, &plan); code != 200 || len(plan.Bundles) < 2 {
		t.Fatalf("plan of run %s: %d, %d lots; the test needs two", runID, code, len(plan.Bundles))
	}
	from, to := plan.Bundles[0], plan.Bundles[1]
	t.Logf("run %s: %d lots; box around %s", runID, len(plan.Bundles), from.Assets[0])

	// A box around an asset of the first lot selects it (and maybe neighbours).
	var at struct{ X, Y float64 }
	tb.eval(t, fmt.Sprintf(`window.tabane.focusAsset(%q)`, from.Assets[0]), &at)
	tb.run(t, shiftDrag(at.X-12, at.Y-12, at.X+12, at.Y+12))
	var sel []string
	tb.eval(t, `window.tabane.movesSelected()`, &sel)
	if !slices.Contains(sel, from.Assets[0]) {
		t.Fatalf("box around %s selected %v", from.Assets[0], sel)
	}
	if got := tb.textOf(t, "#mv-selected"); !strings.Contains(got, fmt.Sprintf("%d 施設", len(sel))) {
		t.Errorf("selection line %q, want %d assets", got, len(sel))
	}
	// Ctrl-click on one asset after clearing: exactly the asset drawn there.
	tb.click(t, "#mv-clear")
	tb.eval(t, fmt.Sprintf(`window.tabane.focusAsset(%q, 18)`, from.Assets[0]), &at)
	tb.run(t, chromedp.MouseClickXY(at.X, at.Y, chromedp.ButtonModifiers(input.ModifierCtrl)))
	tb.waitFor(t, `window.tabane.movesSelected().length === 1`)
	tb.eval(t, `window.tabane.movesSelected()`, &sel)
	asset := sel[0]
	if !slices.ContainsFunc(plan.Bundles, func(b handLot) bool { return slices.Contains(b.Assets, asset) }) {
		t.Fatalf("Ctrl-click selected %s, which is in no lot", asset)
	}
	if slices.Contains(to.Assets, asset) {
		to = plan.Bundles[0]
	}

	// Move it: the numbers are the evaluator's.
	t.Logf("moving %s to %s", asset, to.ID)
	tb.run(t, chromedp.SetValue("#mv-target", to.ID, chromedp.ByQuery))
	tb.click(t, "#mv-move")
	tb.waitFor(t, `!!document.querySelector('#mv-cost')`)
	var shown struct {
		Cost  string `json:"cost"`
		Text  string `json:"text"`
		Delta string `json:"delta"`
		Rules []string
	}
	tb.eval(t, `({cost: document.querySelector('#mv-cost').dataset.cost, text: document.querySelector('#mv-cost').textContent,
		delta: document.querySelector('#mv-delta').textContent})`, &shown)
	var inst json.RawMessage
	var scID int
	tb.eval(t, `window.tabane.stats().scenario`, &scID)
	if code := s.do(t, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", scID), nil, &inst); code != 200 {
		t.Fatalf("instance: %d", code)
	}
	edited := plan.movedTo(asset, to.ID)
	var ev struct {
		Cost       float64 `json:"cost"`
		Violations []struct {
			Rule string `json:"rule"`
		} `json:"violations"`
	}
	if code := s.do(t, "POST", "/api/v1/evaluate", map[string]any{"instance": inst, "plan": edited}, &ev); code != 200 {
		t.Fatalf("evaluate: %d", code)
	}
	cost, err := strconv.ParseFloat(shown.Cost, 64)
	if err != nil || cost != ev.Cost {
		t.Errorf("page shows cost %s (%q), POST /evaluate says %v", shown.Cost, shown.Text, ev.Cost)
	}
	if want := yenJa(ev.Cost); shown.Text != want {
		t.Errorf("cost text %q, want %q", shown.Text, want)
	}
	// The change as the page signs it: +, − (U+2212) or ± for nothing.
	d := math.Round(ev.Cost - plan.Cost)
	want := "±0 円"
	if d > 0 {
		want = "+" + yenJa(d)
	} else if d < 0 {
		want = "−" + yenJa(-d)
	}
	if shown.Delta != want {
		t.Errorf("delta %q, want %q", shown.Delta, want)
	}
	var rules int
	tb.eval(t, `document.querySelectorAll('#mv-rules li').length`, &rules)
	if rules != len(ev.Violations) {
		t.Errorf("%d rules listed, /evaluate reports %d", rules, len(ev.Violations))
	}

	// Keep: a run of its own, shown at once.
	tb.click(t, "#mv-keep")
	tb.waitFor(t, fmt.Sprintf(`String(window.tabane.stats().run) !== %q && window.tabane.stats().bundles_rows > 0`, runID))
	var keptID string
	tb.eval(t, `String(window.tabane.stats().run)`, &keptID)
	var kept struct {
		Label     string `json:"label"`
		ParentRun int    `json:"parent_run"`
		Status    string `json:"status"`
	}
	if code := s.do(t, "GET", "/api/v1/runs/"+keptID, nil, &kept); code != 200 || kept.Label != "hand edit" ||
		strconv.Itoa(kept.ParentRun) != runID || kept.Status != "done" {
		t.Errorf("kept run %s: %d %+v", keptID, code, kept)
	}
	var keptPlan handPlan
	s.do(t, "GET", "/api/v1/runs/"+keptID+"/plan", nil, &keptPlan)
	if keptPlan.Cost != ev.Cost {
		t.Errorf("kept plan costs %v, evaluate %v", keptPlan.Cost, ev.Cost)
	}
	if label := tb.textOf(t, "#run-select option:checked"); !strings.Contains(label, "手で変更（#"+runID+" から）") {
		t.Errorf("run label %q", label)
	}

	// Why here: the popup names the cost of its place and a rule that keeps it out of a lot.
	tb.eval(t, fmt.Sprintf(`window.tabane.openAsset(%q)`, asset), nil)
	tb.waitFor(t, `!!document.querySelector('.leaflet-popup button.mv-why-asset')`)
	tb.click(t, ".leaflet-popup button.mv-why-asset")
	tb.waitFor(t, `!!document.querySelector('.leaflet-popup .mv-here')`)
	var why struct {
		Here   string   `json:"here"`
		Rules  []string `json:"rules"`
		Ruled  []string `json:"ruled"`
		Allows int      `json:"allows"`
	}
	tb.eval(t, `({here: document.querySelector('.leaflet-popup .mv-here').textContent,
		rules: [...document.querySelectorAll('.leaflet-popup .mv-forbidden li[data-rules]')].map((li) => li.dataset.rules),
		ruled: [...document.querySelectorAll('.leaflet-popup .mv-forbidden li[data-rules]')].map((li) => li.textContent),
		allows: document.querySelectorAll('.leaflet-popup .mv-options li').length})`, &why)
	if !strings.Contains(why.Here, to.ID) || len(why.Rules) == 0 || why.Rules[0] == "" {
		t.Fatalf("why popup: %+v", why)
	}
	if !strings.ContainsAny(why.Ruled[0], "超下回またぐ反混") {
		t.Errorf("the reason %q is not said in Japanese", why.Ruled[0])
	}

	// Why a lot: its cost terms and its costliest assets.
	tb.click(t, "#tab-results")
	tb.click(t, fmt.Sprintf(`#bundles-table button.mv-why-lot[data-lot=%q]`, to.ID))
	tb.waitFor(t, `document.querySelectorAll('#lot-why .mv-costliest tbody tr').length > 0`)
	tb.screenshot(t, "moves")
	tb.noProblems(t)
}
