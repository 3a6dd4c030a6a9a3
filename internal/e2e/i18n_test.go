package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// japanese matches kana, kanji and the Japanese punctuation and yen sign the page writes
// (、（）円 are what the English page showed before: "1,048,618,918 円", "…（9.5 %）").
var japanese = regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}、。（）「」：；＋＝ー]`)

// englishWord matches a run of three or more Latin letters: an English word in a Japanese reason.
var englishWord = regexp.MustCompile(`[A-Za-z]{3,}`)

// dataNames are the names of the demo's municipalities, depots and assets, longest first: they
// are data, shown as they are in either language, and are taken out of a text before it is checked.
func dataNames(t *testing.T, s *server) []string {
	t.Helper()
	var names []string
	for _, path := range []string{"/api/v1/municipalities?format=geojson", "/api/v1/depots?format=geojson", "/api/v1/assets?format=geojson"} {
		var fc featureCollection
		if code := s.do(t, "GET", path, nil, &fc); code != 200 {
			t.Fatalf("%s: %d", path, code)
		}
		for _, f := range fc.Features {
			for _, k := range []string{"name", "region", "id"} {
				if n, _ := f.Properties[k].(string); n != "" {
					names = append(names, n)
				}
			}
		}
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return names
}

func withoutData(text string, names []string) string {
	for _, n := range names {
		text = strings.ReplaceAll(text, n, "")
	}
	return text
}

// regionTexts is the visible text of each element matching the selectors, by selector.
func regionTexts(t *testing.T, tb *tab, selectors []string) map[string]string {
	t.Helper()
	js, err := json.Marshal(selectors)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	tb.eval(t, `(() => { const out = {}; for (const sel of `+string(js)+`) {
		out[sel] = [...document.querySelectorAll(sel)].map((e) => e.innerText).join(' | ');
	} return out; })()`, &out)
	return out
}

// TestBothLanguages: after an import and a solve, the English page shows no Japanese in its
// statuses, amounts, table headers, asset popup, import report and chart axis (names, which are
// data, aside), and the Japanese page no English word in the import reasons and the popup's
// reasons; health reads Ⅱ, 渡河 is the popup's word as in the import headers; amount inputs show
// thousands separators and still save numbers; headers stay on one line; the print summary lists
// the scenario's parameters and hides an open popup.
func TestBothLanguages(t *testing.T) {
	s := startServer(t)
	bad, err := filepath.Abs(filepath.Join("..", "..", "data", "testdata", "import", "assets_sjis.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := filepath.Abs(filepath.Join("..", "..", "data", "testdata", "import", "assets_bom.csv"))
	if err != nil {
		t.Fatal(err)
	}
	tb := openPage(t, s)
	tb.expect("status of 422 (Unprocessable Entity) " + s.URL + "/api/v1/imports")

	// Amount inputs: the stored 2,000,000 is shown grouped; a typed 3500000 is grouped on blur
	// and saved as the number.
	if got := tb.textOfValue(t, "#f-fixed"); got != "2,000,000" {
		t.Errorf("fixed cost input shows %q, want 2,000,000", got)
	}
	tb.run(t, chromedp.SetValue("#f-fixed", "3500000", chromedp.ByQuery),
		chromedp.Focus("#f-fixed", chromedp.ByQuery), chromedp.Focus("#f-travel", chromedp.ByQuery))
	if got := tb.textOfValue(t, "#f-fixed"); got != "3,500,000" {
		t.Errorf("after blur the fixed cost input shows %q, want 3,500,000", got)
	}

	// The import in Japanese: a refused file (rejected rows) and a partial one (a flagged row).
	tb.click(t, "#tab-import")
	tb.run(t, chromedp.SetUploadFiles("#imp-file", []string{bad}, chromedp.ByQuery))
	tb.click(t, `#import-form button[type=submit]`)
	tb.waitFor(t, `!document.getElementById('imp-report').hidden`)
	rejected := importRows(t, tb)
	tb.click(t, "#imp-partial")
	tb.run(t, chromedp.SetUploadFiles("#imp-file", []string{good}, chromedp.ByQuery))
	tb.click(t, `#import-form button[type=submit]`)
	tb.waitFor(t, `document.getElementById('imp-counts').textContent.startsWith('新規')`)
	rows := append(rejected, importRows(t, tb)...)
	if len(rows) < 2 {
		t.Fatalf("the import report has %d rows: %q", len(rows), rows)
	}
	names := dataNames(t, s) // after the import: its asset names are data too
	for _, r := range rows {
		if w := englishWord.FindString(withoutData(r[3], append(strings.Split(r[2], " / "), names...))); w != "" || r[3] == "" {
			t.Errorf("Japanese import reason %q has the English word %q", r[3], w)
		}
	}
	// 緯度 北緯34.6 of line 4 of the Shift_JIS file, said in Japanese with the value as written.
	if !containsRow(rejected, "緯度の「北緯34.6」は数値ではありません") {
		t.Errorf("the bad latitude is not said in Japanese: %q", rejected)
	}

	// Solve in Japanese; the chart's axis is in 百万円.
	tb.click(t, "#tab-scenario")
	solveFromPage(t, tb, "2")
	var run struct {
		Summary struct {
			StopReason string `json:"stop_reason"`
		} `json:"summary"`
	}
	var runID string
	tb.eval(t, `String(window.tabane.stats().run)`, &runID)
	if code := s.do(t, "GET", "/api/v1/runs/"+runID, nil, &run); code != 200 {
		t.Fatalf("run %s: %d", runID, code)
	}
	stopJa := map[string]string{"time_limit": "計算時間に到達", "gap_closed": "最適性を確認", "iteration_limit": "反復回数に到達"}
	if got, want := tb.textOf(t, "#p-stop"), stopJa[run.Summary.StopReason]; got != want || want == "" {
		t.Errorf("stop reason shown %q, want %q (the run says %q)", got, want, run.Summary.StopReason)
	}
	var axis []string
	tb.eval(t, `window.tabane.chartLabels()`, &axis)
	if len(axis) != 2 || !strings.HasSuffix(axis[0], " 百万円") {
		t.Errorf("chart axis %q, want … 百万円", axis)
	}

	// A health-II asset's popup in Japanese: Ⅱ, 渡河, reasons without English words.
	var assets featureCollection
	if code := s.do(t, "GET", "/api/v1/assets?format=geojson", nil, &assets); code != 200 {
		t.Fatalf("assets GeoJSON: %d", code)
	}
	asset := ""
	for _, f := range assets.Features {
		p := f.Properties
		if h, _ := p["health"].(float64); h == 2 && p["kind"] == "bridge" && p["length_m"] != nil && p["length_m"].(float64) >= 15 {
			asset = p["id"].(string)
			break
		}
	}
	if asset == "" {
		t.Fatal("the demo has no health-II bridge of 15 m or more")
	}
	popup := openAssetPopup(t, tb, asset)
	if popup["a.health"] != "Ⅱ" {
		t.Errorf("health shows %q, want Ⅱ", popup["a.health"])
	}
	if _, ok := popup["渡河"]; !ok {
		t.Errorf("the popup does not say 渡河: %q", popup)
	}
	why := tb.textOf(t, ".asset-popup ul.why")
	if w := englishWord.FindString(withoutData(why, names)); w != "" || !strings.Contains(why, "橋梁点検車") {
		t.Errorf("Japanese popup reasons %q: English word %q or no 橋梁点検車", why, w)
	}

	// The header ロット and every other column header break only between words: no more lines
	// than words (a Japanese header, one word, takes one line).
	// The panel is narrowed to its minimum (a small window) for the check, then restored.
	var wrapped []string
	tb.eval(t, `document.querySelector('.layout').style.gridTemplateColumns = '360px 1fr'`, nil)
	tb.eval(t, `[...document.querySelectorAll('table.data thead th')].filter((th) => {
		if (!th.textContent || th.offsetParent === null) return false;
		const r = document.createRange(); r.selectNodeContents(th);
		const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
		return lines > th.textContent.trim().split(/\s+/).length;
	}).map((th) => th.textContent)`, &wrapped)
	tb.eval(t, `document.querySelector('.layout').style.gridTemplateColumns = ''`, nil)
	if len(wrapped) > 0 {
		t.Errorf("headers wrap inside words: %q", wrapped)
	}

	// English: statuses, amounts, headers, popup, import report and axis without Japanese.
	tb.click(t, "#lang-toggle")
	tb.waitFor(t, `document.documentElement.lang === 'en'`)
	if got := tb.textOf(t, "#p-status"); got != "done" {
		t.Errorf("English progress status %q, want done", got)
	}
	if got := tb.textOf(t, "#t-plan"); !strings.HasPrefix(got, "¥") || strings.Contains(got, "円") {
		t.Errorf("English plan cost %q, want ¥…", got)
	}
	tb.eval(t, `window.tabane.chartLabels()`, &axis)
	if len(axis) != 2 || !strings.HasPrefix(axis[0], "¥") || !strings.HasSuffix(axis[0], " million") {
		t.Errorf("English chart axis %q, want ¥… million", axis)
	}
	openAssetPopup(t, tb, asset)
	regions := []string{"#progress-kv", "#totals", "table.data thead", "#bundles-table tbody", "#munis-table tbody",
		"#imp-counts", "#imp-rows tbody", ".leaflet-popup", "#print-params"}
	tb.click(t, "#tab-results")
	for sel, text := range regionTexts(t, tb, regions) {
		if m := japanese.FindAllString(withoutData(text, names), 5); len(m) > 0 {
			t.Errorf("English page: %s shows Japanese %q in %q", sel, m, text)
		}
	}
	tb.screenshot(t, "english")

	// Print: the parameters as a table (the fixed cost as saved), the open popup hidden.
	tb.run(t, emulation.SetEmulatedMedia().WithMedia("print"))
	tb.eval(t, `window.dispatchEvent(new Event('beforeprint'))`, nil)
	var printed struct {
		Rows   [][]string `json:"rows"`
		Popup  string     `json:"popup"`
		Params string     `json:"params"`
	}
	tb.eval(t, `({rows: [...document.querySelectorAll('#print-params tbody tr')].map((r) => [...r.cells].map((c) => c.textContent)),
		popup: getComputedStyle(document.querySelector('.leaflet-popup')).display,
		params: getComputedStyle(document.getElementById('print-params')).display})`, &printed)
	tb.run(t, emulation.SetEmulatedMedia().WithMedia(""))
	if printed.Popup != "none" || printed.Params == "none" {
		t.Errorf("print: popup display %q (want none), parameters display %q", printed.Popup, printed.Params)
	}
	want := map[string]string{"Fixed cost per contract (JPY)": "¥3,500,000", "Fiscal year": "", "Keep each bundle within one region": "",
		"Minimum value (JPY)": "¥8,000,000", "Mixing road and sewer work": "allowed, surcharge ¥1,000,000"}
	got := map[string]string{}
	for _, r := range printed.Rows {
		if len(r) == 2 {
			got[r[0]] = r[1]
		}
	}
	for k, v := range want {
		g, ok := got[k]
		if !ok || (v != "" && g != v) {
			t.Errorf("print parameter %q = %q (present %v), want %q", k, g, ok, v)
		}
	}
	if len(printed.Rows) < 12 {
		t.Errorf("the print summary lists %d parameters, want the fiscal year, prices, limits and rules: %q", len(printed.Rows), printed.Rows)
	}
	tb.noProblems(t)
}

func containsRow(rows [][]string, reason string) bool {
	for _, r := range rows {
		if len(r) == 4 && r[3] == reason {
			return true
		}
	}
	return false
}

// openAssetPopup opens an asset's popup and returns its attributes, label → value.
func openAssetPopup(t *testing.T, tb *tab, id string) map[string]string {
	t.Helper()
	tb.eval(t, fmt.Sprintf(`window.tabane.openAsset(%q)`, id), nil)
	// A popup closed by the language toggle fades out for 200 ms before Leaflet removes it.
	tb.waitFor(t, fmt.Sprintf(`(() => { const ps = document.querySelectorAll('.leaflet-popup');
		const d = document.querySelector('.leaflet-popup .asset-popup dl.kv dd'); return ps.length === 1 && d && d.textContent === %q; })()`, id))
	var kv map[string]string
	tb.eval(t, `(() => { const out = {}; const dts = document.querySelectorAll('.leaflet-popup .asset-popup dl.kv dt');
		for (const dt of dts) out[dt.textContent] = dt.nextElementSibling.textContent;
		const h = [...dts].find((dt) => ['健全性', 'Health'].includes(dt.textContent));
		if (h) out['a.health'] = h.nextElementSibling.textContent;
		return out; })()`, &kv)
	return kv
}

// textOfValue is the value of the first input matching sel.
func (tb *tab) textOfValue(t testing.TB, sel string) string {
	t.Helper()
	var v string
	tb.run(t, chromedp.Value(sel, &v, chromedp.ByQuery))
	return v
}
