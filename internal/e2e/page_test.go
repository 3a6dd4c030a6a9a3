package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

const creditN03 = "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成"

// point is the [lon, lat] of a Point geometry, or nil.
func point(raw json.RawMessage) []float64 {
	var c []float64
	if json.Unmarshal(raw, &c) != nil || len(c) != 2 {
		return nil
	}
	return c
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

// TestPageLoads: the page comes up with no console error, no failed request and no CSP
// violation; the 39 Nara municipalities are drawn as polygons, every asset is on the canvas (no
// DOM node per asset), the N03 credit is in the attribution, and the language toggle works.
func TestPageLoads(t *testing.T) {
	s := startServer(t)

	res, err := client.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP of the page: %q", csp)
	}

	var assets featureCollection
	if code := s.do(t, "GET", "/api/v1/assets?format=geojson", nil, &assets); code != 200 {
		t.Fatalf("assets GeoJSON: %d", code)
	}

	tb := openPage(t, s)
	st := tb.stats(t)
	if st.Municipalities != 39 || st.MunicipalityPolygons != 39 {
		t.Errorf("drawn municipalities %d (polygons %d), want 39", st.Municipalities, st.MunicipalityPolygons)
	}
	if st.Assets != len(assets.Features) || st.Assets == 0 {
		t.Errorf("drawn assets %d, the API has %d", st.Assets, len(assets.Features))
	}
	if st.Renderer != "canvas" || st.AssetDOMNodes != 0 {
		t.Errorf("renderer %q with %d DOM nodes for shapes, want canvas and 0", st.Renderer, st.AssetDOMNodes)
	}
	if st.Depots == 0 {
		t.Errorf("no depot drawn")
	}
	if st.Scenario == nil {
		t.Errorf("no scenario selected")
	}
	if got := tb.textOf(t, ".leaflet-control-attribution"); !strings.Contains(got, creditN03) {
		t.Errorf("attribution %q lacks the N03 credit", got)
	}
	if got := tb.textOf(t, "h1"); !strings.Contains(got, "包括発注計画") {
		t.Errorf("title %q is not Japanese", got)
	}
	tb.screenshot(t, "page-loaded")

	tb.click(t, "#lang-toggle")
	tb.waitFor(t, `document.documentElement.lang === 'en'`)
	if got := tb.textOf(t, "h1"); !strings.Contains(got, "Bundled inspection contract planner") {
		t.Errorf("title after the toggle: %q", got)
	}
	if got := tb.textOf(t, "#solve"); got != "Solve" {
		t.Errorf("solve button after the toggle: %q", got)
	}
	if got := tb.textOf(t, ".leaflet-control-attribution"); !strings.Contains(got, creditN03) {
		t.Errorf("English attribution %q lacks the N03 credit", got)
	}
	tb.screenshot(t, "page-english")
	// Keyboard: the toggle is a button, Enter on it switches back.
	tb.run(t, chromedp.Focus("#lang-toggle", chromedp.ByQuery), chromedp.KeyEvent(kb.Enter))
	tb.waitFor(t, `document.documentElement.lang === 'ja'`)
	if got := tb.textOf(t, "#solve"); got != "計算する" {
		t.Errorf("solve button after toggling back: %q", got)
	}
	tb.noProblems(t)
}
