package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAssetLayerByView: with --page-assets 1000 the demo's 6,600 assets are more than the page
// may hold, so the map loads the assets of its view, at most 1,000 (the whole prefecture: 1,000
// and marked truncated); zoomed in on a town it holds every asset of the view (as many as the API
// counts in that bbox), and an asset there opens its popup when clicked. The legend says when the
// view holds more assets than are drawn.
func TestAssetLayerByView(t *testing.T) {
	s := startServer(t, "--page-assets", "1000")
	tb := openPage(t, s)
	var st struct {
		Assets          int    `json:"assets"`
		AssetLayer      string `json:"asset_layer"`
		AssetBBox       string `json:"asset_bbox"`
		AssetsTruncated bool   `json:"assets_truncated"`
	}
	tb.eval(t, `window.tabane.stats()`, &st)
	if st.AssetLayer != "view" || st.Assets != 1000 || !st.AssetsTruncated || st.AssetBBox == "" {
		t.Fatalf("whole prefecture in view: %+v, want layer view, 1000 assets, truncated", st)
	}
	initial := st.AssetBBox
	if got := tb.textOf(t, "#map-legend .truncated"); !strings.Contains(got, "1,000 件だけ表示") {
		t.Errorf("legend note of a truncated view: %q", got)
	}

	var list struct {
		Items []struct {
			ID       string
			Lon, Lat float64
		}
	}
	if code := s.do(t, "GET", "/api/v1/assets?municipality=29201&limit=50", nil, &list); code != 200 || len(list.Items) == 0 {
		t.Fatalf("assets of 29201: %d", code)
	}
	ids := make([]string, len(list.Items))
	for i, a := range list.Items {
		ids[i] = a.ID
	}
	target := awayFromDepots(t, s, ids)
	var lon, lat float64
	for _, a := range list.Items {
		if a.ID == target {
			lon, lat = a.Lon, a.Lat
		}
	}
	tb.eval(t, fmt.Sprintf(`window.tabane.map().setView([%f, %f], 18, {animate: false}) && true`, lat, lon), nil)
	tb.waitFor(t, fmt.Sprintf(`(() => { const s = window.tabane.stats(); return s.asset_bbox !== %q && !s.assets_truncated; })()`, initial))
	tb.eval(t, `window.tabane.stats()`, &st)
	var page struct{ Total int }
	if code := s.do(t, "GET", "/api/v1/assets?limit=1&bbox="+url.QueryEscape(st.AssetBBox), nil, &page); code != 200 {
		t.Fatalf("assets in %s: %d", st.AssetBBox, code)
	}
	if st.Assets != page.Total || st.Assets == 0 {
		t.Errorf("zoomed in: the layer holds %d assets, the API has %d in %s", st.Assets, page.Total, st.AssetBBox)
	}
	var noted bool
	tb.eval(t, `document.querySelector('#map-legend .truncated') !== null`, &noted)
	if noted {
		t.Errorf("the legend still says the view is truncated when every asset in it is drawn")
	}
	var pt struct{ X, Y float64 }
	tb.eval(t, fmt.Sprintf(`(() => { const m = window.tabane.map(); const p = m.latLngToContainerPoint([%f, %f]);
		const r = m.getContainer().getBoundingClientRect(); return {X: r.left + p.x, Y: r.top + p.y}; })()`, lat, lon), &pt)
	tb.run(t, chromedp.MouseClickXY(pt.X, pt.Y))
	tb.waitFor(t, `document.querySelector('.leaflet-popup .asset-popup') !== null`)
	if got := tb.textOf(t, ".asset-popup dl.kv dd"); got != target {
		t.Errorf("clicked asset %s, the popup shows %q", target, got)
	}
	tb.noProblems(t)
}

// TestAssetLayerPagesPastTheListLimit: a view cap above the API's largest page (10,000) is
// filled in pages: with --page-assets 12000 and 26,600 assets the whole prefecture's view holds
// 12,000.
func TestAssetLayerPagesPastTheListLimit(t *testing.T) {
	s := startServer(t, "--page-assets", "12000")
	addAssets(t, s, 20000)
	tb := openPage(t, s)
	var st struct {
		Assets          int    `json:"assets"`
		AssetLayer      string `json:"asset_layer"`
		AssetsTruncated bool   `json:"assets_truncated"`
	}
	tb.waitFor(t, `window.tabane.stats().assets > 0`) // the map may move once more after ready
	tb.eval(t, `window.tabane.stats()`, &st)
	if st.AssetLayer != "view" || st.Assets != 12000 || !st.AssetsTruncated {
		t.Errorf("26,600 assets with --page-assets 12000: %+v, want layer view, 12000 assets, truncated", st)
	}
	tb.noProblems(t)
}
