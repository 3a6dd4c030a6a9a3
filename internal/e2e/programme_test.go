package e2e

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

type yearsJSON struct {
	Years []struct {
		FY             int      `json:"fy"`
		Value          float64  `json:"value"`
		Workload       float64  `json:"workload"`
		CapValue       *float64 `json:"cap_value"`
		CapWorkload    *float64 `json:"cap_workload"`
		Lots           int      `json:"lots"`
		Assets         int      `json:"assets"`
		BroughtForward int      `json:"brought_forward"`
	} `json:"years"`
}

type budgetsJSON struct {
	FirstFY int `json:"first_fy"`
	Years   int `json:"years"`
	Rows    []struct {
		Municipality string   `json:"municipality"`
		Name         string   `json:"name"`
		FY           int      `json:"fy"`
		Share        float64  `json:"share"`
		Budget       *float64 `json:"budget"`
		Headroom     *float64 `json:"headroom"`
		Over         bool     `json:"over"`
	} `json:"rows"`
}

// programmeStats is window.tabane.stats().programme.
type programmeStats struct {
	Shown      bool `json:"shown"`
	Year       any  `json:"year"`
	Assets     int  `json:"assets"`
	Lots       int  `json:"lots"`
	Colours    int  `json:"colours"`
	Years      int  `json:"years"`
	BudgetRows int  `json:"budget_rows"`
	OverCells  int  `json:"over_cells"`
}

func (tb *tab) programme(t *testing.T) programmeStats {
	t.Helper()
	var st programmeStats
	tb.eval(t, `window.tabane.stats().programme`, &st)
	return st
}

// standaloneByYear is the baseline the quick fill is checked against, computed another way than
// the page reads it (GET /scenarios/{id}/standalone): the scenario's programme instance evaluated
// with an empty plan, municipality → standalone cost per year of the horizon.
func standaloneByYear(t *testing.T, s *server, scenario string, first, years int) map[string][]float64 {
	t.Helper()
	var inst map[string]any
	if code := s.do(t, "GET", "/api/v1/scenarios/"+scenario+"/instance", nil, &inst); code != 200 {
		t.Fatalf("instance of scenario %s: %d", scenario, code)
	}
	if inst["version"] != float64(2) {
		t.Fatalf("scenario %s's instance is version %v, want 2 (a programme)", scenario, inst["version"])
	}
	var ev struct {
		Budgets []struct {
			Municipality string  `json:"municipality"`
			FY           int     `json:"fy"`
			Standalone   float64 `json:"standalone"`
		} `json:"budgets"`
	}
	body := map[string]any{"instance": inst, "plan": map[string]any{"bundles": []any{}}}
	if code := s.do(t, "POST", "/api/v1/evaluate", body, &ev); code != 200 {
		t.Fatalf("evaluate the empty plan: %d", code)
	}
	out := map[string][]float64{}
	for _, b := range ev.Budgets {
		if out[b.Municipality] == nil {
			out[b.Municipality] = make([]float64, years)
		}
		out[b.Municipality][b.FY-first] += b.Standalone
	}
	return out
}

// TestProgrammeFromPage: a planner sets a five-year programme on the demo from the page only —
// horizon, one-year lots, bring-forward by a year, budgets filled as 1000 % of each year's standalone
// cost, then a tiny budget for 三宅町 — solves it, steps through the years (the map draws exactly
// /years' assets of each year and its lots), reads the payments table (every cell equals /budgets,
// 三宅町 is marked 超過 where it is over), exports the CSV, and a one-year solve afterwards shows the
// one-year view without the programme. The page reports no console error.
func TestProgrammeFromPage(t *testing.T) {
	s := startServer(t)
	tb := openPage(t, s)
	var scID string
	tb.eval(t, `String(window.tabane.stats().scenario)`, &scID)
	if st := tb.programme(t); st.Shown {
		t.Fatalf("programme view shown before any programme run: %+v", st)
	}
	if hidden := tb.isHidden(t, "#prog-body"); !hidden {
		t.Error("the programme fields are shown for a one-year scenario")
	}

	const first, years = 2026, 5
	tb.click(t, "#f-prog-on")
	tb.run(t,
		chromedp.SetValue("#f-prog-first", fmt.Sprint(first), chromedp.ByQuery),
		chromedp.SetValue("#f-prog-years", fmt.Sprint(years), chromedp.ByQuery),
		chromedp.SetValue("#f-prog-contract", "1", chromedp.ByQuery),
		chromedp.SetValue("#f-prog-advance", "1", chromedp.ByQuery),
		chromedp.SetValue("#f-prog-iter", "2", chromedp.ByQuery),
		// A cap no year reaches: drawn on the chart (off its scale), binding nothing.
		chromedp.SetValue("#f-prog-cap-value", "10,000,000,000", chromedp.ByQuery),
	)
	tb.click(t, "#f-prog-yearly")
	// The budget table follows the horizon: a change event redraws it.
	tb.eval(t, `document.getElementById('f-prog-years').dispatchEvent(new Event('change')), true`, nil)
	tb.click(t, "#prog-budgets-box summary")
	var heads []string
	tb.eval(t, `[...document.querySelectorAll('#prog-budget-input thead th')].map((th) => th.textContent)`, &heads)
	if want := []string{"市町村", "2026年度", "2027年度", "2028年度", "2029年度", "2030年度"}; strings.Join(heads, "|") != strings.Join(want, "|") {
		t.Fatalf("budget table headers %q, want %q", heads, want)
	}

	// Quick fill: budget = 1000 % of each year's standalone cost. (Generous: budgets that bind for
	// many municipalities send the solver's budget repair into minutes on the demo's 6,600 assets.)
	tb.run(t, chromedp.SetValue("#f-prog-pct", "1000", chromedp.ByQuery))
	tb.click(t, "#prog-fill")
	tb.waitFor(t, `document.getElementById('status').textContent.includes('1000 %')`)
	alone := standaloneByYear(t, s, scID, first, years)
	if len(alone) == 0 {
		t.Fatal("the demo's programme has no standalone cost")
	}
	var typed map[string][]string
	tb.eval(t, `(() => { const out = {}; for (const i of document.querySelectorAll('#prog-budget-input input[data-code]')) {
		(out[i.dataset.code] = out[i.dataset.code] || [])[Number(i.dataset.k)] = i.value; } return out; })()`, &typed)
	for code, list := range alone {
		for k, v := range list {
			if want := grouped(int64(math.Round(v * 1000 / 100))); typed[code][k] != want {
				t.Errorf("quick fill %s FY%d: %q, want %q (1000 %% of standalone %.2f)", code, first+k, typed[code][k], want, v)
			}
		}
	}

	// 三宅町 gets ¥1 a year: it cannot pay for its inspections.
	tb.eval(t, `(() => { for (const i of document.querySelectorAll('#prog-budget-input input[data-code="29362"]')) i.value = '1'; return true; })()`, nil)
	tb.eval(t, `document.getElementById('programme').scrollIntoView(), true`, nil)
	tb.screenshot(t, "programme-form")
	runID := solveFromPage(t, tb, "8")

	var sc struct {
		Programme struct {
			FirstFY         int            `json:"first_fy"`
			Years           int            `json:"years"`
			ContractYears   int            `json:"contract_years"`
			AdvanceMaxYears int            `json:"advance_max_years"`
			Budgets         map[string]any `json:"budgets"`
		} `json:"programme"`
	}
	if code := s.do(t, "GET", "/api/v1/scenarios/"+scID, nil, &sc); code != 200 {
		t.Fatalf("scenario %s: %d", scID, code)
	}
	if p := sc.Programme; p.FirstFY != first || p.Years != years || p.ContractYears != 1 || p.AdvanceMaxYears != 1 || p.Budgets["29362"] != float64(1) {
		t.Errorf("saved programme %+v, want FY%d, %d years, 1-year lots, 1 year forward, 29362 budget 1", p, first, years)
	}

	var yrs yearsJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/years", nil, &yrs); code != 200 || len(yrs.Years) != years {
		t.Fatalf("years of run %s: %d, %d years", runID, code, len(yrs.Years))
	}
	tb.waitFor(t, `window.tabane.stats().programme.shown === true`)
	st := tb.programme(t)
	total := 0
	for _, y := range yrs.Years {
		total += y.Assets
	}
	if st.Year != "all" || st.Assets != total || st.Years != years {
		t.Errorf("after the solve the page shows year %v with %d assets over %d years; want all, %d, %d", st.Year, st.Assets, st.Years, total, years)
	}
	// The chart: one value bar and one workload bar per year, the value cap drawn in every year.
	var chart struct{ Value, Workload, Caps int }
	tb.eval(t, `({Value: document.querySelectorAll('#prog-chart rect.bar[data-kind="value"]').length,
		Workload: document.querySelectorAll('#prog-chart rect.bar[data-kind="workload"]').length,
		Caps: document.querySelectorAll('#prog-chart line.cap').length})`, &chart)
	if chart.Value != years || chart.Workload != years || chart.Caps != years {
		t.Errorf("chart: %d value bars, %d workload bars, %d cap lines; want %d each", chart.Value, chart.Workload, chart.Caps, years)
	}
	// That cap is far above the bars: drawn along the top and named there.
	if got := tb.textOf(t, "#prog-chart text.cap-off"); got != "上限 10,000.0 百万円（目盛りの外）" {
		t.Errorf("off-scale cap label %q", got)
	}
	for _, y := range yrs.Years {
		if y.CapValue == nil || *y.CapValue != 1e10 || y.CapWorkload != nil {
			t.Errorf("FY%d caps: value %v, workload %v; want 10,000,000,000 and none", y.FY, y.CapValue, y.CapWorkload)
		}
	}
	// The saving against planning each year alone (compare_yearly): with ¥1 for 三宅町 no year
	// alone fits its budget either, so the page says year by year has no feasible plan.
	var rep struct {
		Schedule map[string]int `json:"schedule"`
		Cost     float64        `json:"cost"`
		Bundles  []struct {
			ID    string `json:"id"`
			Depot string `json:"depot"`
			FY    int    `json:"fy"`
		} `json:"bundles"`
		YearlySaving *float64 `json:"yearly_saving"`
		Yearly       *struct {
			Feasible bool    `json:"feasible"`
			Total    float64 `json:"total"`
		} `json:"yearly"`
	}
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/plan", nil, &rep); code != 200 || rep.Yearly == nil {
		t.Fatalf("plan of run %s: %d, yearly %v (compare_yearly was ticked)", runID, code, rep.Yearly)
	}
	wantSaving := "計画の費用 " + yenJa(rep.Cost) + "。"
	switch {
	case rep.YearlySaving != nil:
		wantSaving += " 年度ごとに別々に発注した場合（" + yenJa(rep.Yearly.Total) + "）より " + yenJa(*rep.YearlySaving) + " の削減。"
	case !rep.Yearly.Feasible:
		wantSaving += " 年度ごとに別々の発注では実行可能な計画がない年度があります。"
	}
	wantSaving += " 制約（予算・上限など）を満たさない計画です。"
	if got := tb.textOf(t, "#prog-saving"); got != wantSaving {
		t.Errorf("saving line %q, want %q", got, wantSaving)
	}
	var buttons []string
	tb.eval(t, `[...document.querySelectorAll('#prog-years button')].map((b) => b.textContent)`, &buttons)
	if want := []string{"全年度（年度別の色）", "2026年度", "2027年度", "2028年度", "2029年度", "2030年度"}; strings.Join(buttons, "|") != strings.Join(want, "|") {
		t.Errorf("year buttons %q, want %q", buttons, want)
	}
	if want := yearsWithAssets(yrs); st.Colours != want {
		t.Errorf("all years: the planned assets take %d colours on the map, want %d (one per year with assets)", st.Colours, want)
	}
	tb.screenshot(t, "programme-all")

	for _, y := range yrs.Years {
		tb.click(t, fmt.Sprintf(`#prog-years button[data-fy="%d"]`, y.FY))
		tb.waitFor(t, fmt.Sprintf(`window.tabane.stats().programme.year === %d`, y.FY))
		st := tb.programme(t)
		if st.Assets != y.Assets || st.Lots != y.Lots {
			t.Errorf("FY%d on the map: %d assets, %d lots; /years says %d assets, %d lots", y.FY, st.Assets, st.Lots, y.Assets, y.Lots)
		}
		var pressed string
		tb.eval(t, `document.querySelector('#prog-years button[aria-pressed="true"]').dataset.fy`, &pressed)
		if pressed != fmt.Sprint(y.FY) {
			t.Errorf("FY%d selected, the pressed button is %s", y.FY, pressed)
		}
	}

	// The payments table is /budgets, cell by cell; over-budget cells are marked 超過.
	var bud budgetsJSON
	if code := s.do(t, "GET", "/api/v1/runs/"+runID+"/budgets", nil, &bud); code != 200 {
		t.Fatalf("budgets of run %s: %d", runID, code)
	}
	if bud.FirstFY != first || bud.Years != years || len(bud.Rows) == 0 {
		t.Fatalf("budgets: first_fy %d, %d years, %d rows", bud.FirstFY, bud.Years, len(bud.Rows))
	}
	type cell struct {
		Share, Budget, Over string
		Class               string
	}
	var cells map[string]cell
	tb.eval(t, `(() => { const out = {}; for (const td of document.querySelectorAll('#prog-budgets tbody td[data-fy]')) {
		const q = (c) => { const e = td.querySelector(c); return e ? e.textContent : ''; };
		out[td.parentElement.dataset.code + '/' + td.dataset.fy] = {Share: q('.share'), Budget: q('.budget'), Over: q('.over-label'), Class: td.className};
	} return out; })()`, &cells)
	over, smallOver := 0, 0
	munis := map[string]bool{}
	for _, r := range bud.Rows {
		munis[r.Municipality] = true
		key := fmt.Sprintf("%s/%d", r.Municipality, r.FY)
		c, ok := cells[key]
		if !ok {
			t.Errorf("payments table has no cell %s", key)
			continue
		}
		if c.Share != yenJa(r.Share) {
			t.Errorf("cell %s shows %q, /budgets share %s", key, c.Share, yenJa(r.Share))
		}
		wantBudget := ""
		if r.Budget != nil {
			wantBudget = "予算 " + yenJa(*r.Budget)
		}
		if c.Budget != wantBudget {
			t.Errorf("cell %s budget %q, want %q", key, c.Budget, wantBudget)
		}
		isOver := strings.Contains(" "+c.Class+" ", " over ")
		if isOver != r.Over || (c.Over == "超過") != r.Over {
			t.Errorf("cell %s: class %q label %q, /budgets over=%v", key, c.Class, c.Over, r.Over)
		}
		if r.Over {
			over++
			if r.Municipality == "29362" {
				smallOver++
			}
		}
	}
	if len(cells) != len(bud.Rows) {
		t.Errorf("payments table has %d cells, /budgets %d rows", len(cells), len(bud.Rows))
	}
	if st := tb.programme(t); st.BudgetRows != len(munis) || st.OverCells != over {
		t.Errorf("payments table: %d rows, %d over cells; /budgets has %d municipalities, %d over", st.BudgetRows, st.OverCells, len(munis), over)
	}
	if smallOver == 0 {
		t.Error("三宅町 with a budget of ¥1 a year is over budget in no year")
	}
	if got := tb.textOf(t, `#prog-budgets tr[data-code="29362"] th`); got != "三宅町" {
		t.Errorf("29362's row is named %q", got)
	}

	// The export button fetches the same table as CSV, with a BOM for Excel.
	var href string
	tb.eval(t, `document.getElementById('prog-csv').href`, &href)
	if want := s.URL + "/api/v1/runs/" + runID + "/budgets?format=csv"; href != want {
		t.Errorf("CSV export link %q, want %q", href, want)
	}
	res, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\r\n"), "\n")
	if res.StatusCode != 200 || !strings.HasPrefix(string(raw), "\ufeff") || len(lines) != len(bud.Rows)+1 {
		t.Errorf("CSV export: %d, BOM %v, %d lines for %d rows", res.StatusCode, strings.HasPrefix(string(raw), "\ufeff"), len(lines), len(bud.Rows))
	}

	// English: the years read FY2026 …, the over label "over".
	tb.click(t, "#lang-toggle")
	tb.waitFor(t, `window.tabane.stats().lang === 'en'`)
	if got := tb.textOf(t, `#prog-years button[data-fy="2026"]`); got != "FY2026" {
		t.Errorf("English year button %q, want FY2026", got)
	}
	if got := tb.textOf(t, `#prog-budgets td.over .over-label`); got != "over" {
		t.Errorf("English over-budget label %q, want over", got)
	}
	// Nothing Japanese is left in the programme's panel and results but the names (data).
	var names []string
	for _, r := range bud.Rows {
		names = append(names, r.Name)
	}
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	for _, sel := range []string{"#programme", "#programme-results"} {
		var text string
		tb.eval(t, fmt.Sprintf(`document.querySelector(%q).textContent + ' ' + [...document.querySelectorAll('%s input, %s svg title')].map((e) => e.getAttribute('aria-label') || e.textContent).join(' ')`, sel, sel, sel), &text)
		if m := japanese.FindAllString(withoutData(text, names), 5); len(m) > 0 {
			t.Errorf("English %s still shows %q", sel, m)
		}
	}
	tb.click(t, "#lang-toggle")
	tb.waitFor(t, `window.tabane.stats().lang === 'ja'`)
	tb.click(t, `#prog-years button[data-fy="2027"]`)
	tb.waitFor(t, `window.tabane.stats().programme.year === 2027`)
	tb.screenshot(t, "programme-2027")
	// The README's picture (docs/web-programme.png): the window, the panel scrolled so that the
	// chart and 三宅町's over-budget row show.
	tb.eval(t, `document.querySelector('#prog-budgets tr[data-code="29362"]').scrollIntoView({block: 'end'}), true`, nil)
	tb.viewShot(t, "programme")
	// An asset's popup names the year the plan inspects it in.
	inspected := ""
	for id, fy := range rep.Schedule {
		if fy == 2027 && (inspected == "" || id < inspected) {
			inspected = id
		}
	}
	var opened bool
	tb.eval(t, fmt.Sprintf(`window.tabane.openAsset(%q)`, inspected), &opened)
	if !opened {
		t.Fatalf("the map has no asset %s", inspected)
	}
	tb.waitFor(t, `document.querySelector('.leaflet-popup .asset-popup') !== null`)
	var popupYear string
	tb.eval(t, `(() => { for (const dt of document.querySelectorAll('.asset-popup dt')) if (dt.textContent === '点検年度（計画）') return dt.nextElementSibling.textContent; return ''; })()`, &popupYear)
	if popupYear != "2027" {
		t.Errorf("popup of %s (inspected in FY2027 by the plan) says 点検年度（計画） %q", inspected, popupYear)
	}
	tb.eval(t, `window.tabane.map().closePopup(), true`, nil)

	// A hand move on the programme run: the asset inspected in FY2027 to a new lot of the
	// FY2027 block at a depot that runs none that year. The page prices it as POST …/moves
	// does; "why here" (one-year lots only) is not offered.
	running := map[string]bool{}
	for _, b := range rep.Bundles {
		if b.FY == 2027 {
			running[b.Depot] = true
		}
	}
	var depots []string
	tb.eval(t, `[...document.querySelectorAll('#mv-depot option')].map((o) => o.value)`, &depots)
	free := ""
	for _, d := range depots {
		if !running[d] {
			free = d
			break
		}
	}
	if free == "" {
		t.Fatalf("every depot of %v runs a FY2027 lot", depots)
	}
	var at struct{ X, Y float64 }
	tb.eval(t, fmt.Sprintf(`window.tabane.focusAsset(%q, 18)`, inspected), &at)
	tb.run(t, chromedp.MouseClickXY(at.X, at.Y, chromedp.ButtonModifiers(input.ModifierCtrl)))
	tb.waitFor(t, `window.tabane.movesSelected().length === 1`)
	var sel []string
	tb.eval(t, `window.tabane.movesSelected()`, &sel)
	tb.eval(t, `(() => { const s = document.querySelector('#mv-target'); s.value = 'new'; s.dispatchEvent(new Event('change')); return true; })()`, nil)
	if tb.isHidden(t, "#mv-fy") {
		t.Error("a new lot of a programme run offers no year")
	}
	tb.run(t, chromedp.SetValue("#mv-depot", free, chromedp.ByQuery), chromedp.SetValue("#mv-fy", "2027", chromedp.ByQuery))
	tb.click(t, "#mv-move")
	tb.waitFor(t, `!!document.querySelector('#mv-cost')`)
	var shownCost string
	tb.eval(t, `document.querySelector('#mv-cost').dataset.cost`, &shownCost)
	var priced struct {
		Cost float64 `json:"cost"`
	}
	mv := map[string]any{"moves": []map[string]any{{"asset": sel[0], "to_lot": "new", "depot": free, "fy": 2027}}}
	if code := s.do(t, "POST", "/api/v1/runs/"+runID+"/moves", mv, &priced); code != 200 {
		t.Fatalf("POST moves of %s to a new FY2027 lot at %s: %d", sel[0], free, code)
	}
	if got, err := strconv.ParseFloat(shownCost, 64); err != nil || got != priced.Cost {
		t.Errorf("the page prices the move at %s, POST …/moves at %v", shownCost, priced.Cost)
	}
	var whyButtons int
	tb.eval(t, `document.querySelectorAll('button.mv-why-lot, button.mv-why-asset').length`, &whyButtons)
	if whyButtons != 0 {
		t.Errorf("%d why-here buttons on a programme run", whyButtons)
	}

	// Lock a programme lot from the lot table: the pin names the lot's block by its fy
	// (docs/programme.md), with the lot's assets, closed.
	tb.click(t, "#tab-results")
	var lockFY, lockDepot string
	tb.eval(t, `document.querySelector('#bundles-table button.pin-lock[data-fy]').dataset.fy`, &lockFY)
	tb.eval(t, `document.querySelector('#bundles-table button.pin-lock[data-fy]').dataset.depot`, &lockDepot)
	tb.click(t, `#bundles-table button.pin-lock[data-fy]`)
	tb.waitFor(t, `window.tabane.stats().pins === 1`)
	var lotPins struct {
		Lots []struct {
			Depot  string   `json:"depot"`
			FY     *int     `json:"fy"`
			Assets []string `json:"assets"`
			Closed bool     `json:"closed"`
		} `json:"lots"`
	}
	if code := s.do(t, "GET", "/api/v1/scenarios/"+scID+"/pins", nil, &lotPins); code != 200 || len(lotPins.Lots) != 1 {
		t.Fatalf("pins after locking a programme lot: %d %+v", code, lotPins)
	}
	if l := lotPins.Lots[0]; l.FY == nil || fmt.Sprint(*l.FY) != lockFY || l.Depot != lockDepot || !l.Closed || len(l.Assets) == 0 {
		t.Errorf("locked programme lot at %s FY%s stored as %+v (fy %v)", lockDepot, lockFY, l, l.FY)
	}

	// Back to one year: the programme panel off, a one-year solve shows the one-year view only.
	tb.click(t, "#tab-scenario")
	tb.click(t, `#pins-panel li[data-pin="lot"] button.pin-remove`)
	tb.waitFor(t, `window.tabane.stats().pins === 0`)
	tb.click(t, "#f-prog-on")
	oneYear := solveFromPage(t, tb, "2")
	if st := tb.programme(t); st.Shown {
		t.Errorf("one-year run %s shows the programme view: %+v", oneYear, st)
	}
	if hidden := tb.isHidden(t, "#programme-results"); !hidden {
		t.Error("the programme results stay on the page for a one-year run")
	}
	var after struct {
		Programme any `json:"programme"`
	}
	if code := s.do(t, "GET", "/api/v1/scenarios/"+scID, nil, &after); code != 200 || after.Programme != nil {
		t.Errorf("scenario %s after unticking the programme: %d, programme %v", scID, code, after.Programme)
	}
	tb.noProblems(t)
}

func yearsWithAssets(y yearsJSON) int {
	n := 0
	for _, x := range y.Years {
		if x.Assets > 0 {
			n++
		}
	}
	return n
}

// isHidden reports whether the first node matching sel is not displayed.
func (tb *tab) isHidden(t *testing.T, sel string) bool {
	t.Helper()
	var hidden bool
	tb.eval(t, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !e || e.offsetParent === null; })()`, sel), &hidden)
	return hidden
}

// viewShot writes the visible window (not the whole page) to screenshots/NAME.png.
func (tb *tab) viewShot(t *testing.T, name string) {
	t.Helper()
	var buf []byte
	tb.run(t, chromedp.CaptureScreenshot(&buf))
	dir := filepath.Join("..", "..", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
