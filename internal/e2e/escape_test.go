package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAssetNameIsText: an asset whose name is an HTML payload is shown as that text in its popup
// (opened by clicking its point on the canvas); no element is created from it and no dialog opens.
func TestAssetNameIsText(t *testing.T) {
	s := startServer(t)
	const name = `<img src=x onerror=alert(1)>`
	body := map[string]any{
		"id": "XSS-1", "municipality": "29201", "kind": "bridge", "name": name,
		"lon": 135.9300, "lat": 34.6200, "length_m": 12.5, "width_m": 4,
	}
	if code := s.do(t, "POST", "/api/v1/assets", body, nil); code != 201 {
		t.Fatalf("creating the asset: %d", code)
	}
	tb := openPage(t, s)

	var pt *struct{ X, Y float64 }
	tb.eval(t, `window.tabane.focusAsset('XSS-1', 18)`, &pt)
	if pt == nil {
		t.Fatal("the page has no asset XSS-1")
	}
	tb.run(t, chromedp.MouseClickXY(pt.X, pt.Y))
	tb.waitFor(t, `document.querySelector('.leaflet-popup .asset-popup') !== null`)
	if got := tb.textOf(t, ".asset-popup h3"); got != name {
		t.Errorf("popup title %q, want the name as text %q", got, name)
	}
	var imgs int
	tb.eval(t, `document.querySelectorAll('.leaflet-popup img, #panel img').length`, &imgs)
	if imgs != 0 {
		t.Errorf("%d img elements in the popup and the panel", imgs)
	}
	// Wait for a round trip through the page so that an injected image would have failed to load.
	var ok bool
	tb.eval(t, `fetch('/static/app.js', {cache: 'no-store'}).then(r => r.ok)`, &ok)
	tb.screenshot(t, "escaped-name")
	tb.noProblems(t) // also fails on any alert/confirm dialog
	if !ok {
		t.Error("fetch after the popup failed")
	}
}
