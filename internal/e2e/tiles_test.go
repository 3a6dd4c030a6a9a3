package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestTileLayerFromSettings: with --tile-url the page adds a raster layer from that server, the
// page's CSP lets its images in (a violation would be reported by the browser), and the tile
// attribution setting is shown as text, not HTML.
func TestTileLayerFromSettings(t *testing.T) {
	png, err := os.ReadFile(filepath.Join("..", "..", "web", "static", "vendor", "leaflet", "images", "layers.png"))
	if err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	defer tiles.Close()
	template := tiles.URL + "/{z}/{x}/{y}.png"
	const attribution = "<b>地理院タイル</b>"
	s := startServer(t, "--tile-url", template, "--tile-attribution", attribution)

	res, err := client.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: "+tiles.URL) {
		t.Errorf("the page's CSP does not allow the tile host %s: %q", tiles.URL, csp)
	}

	tb := openPage(t, s)
	tb.waitFor(t, `document.querySelectorAll('#map img.leaflet-tile-loaded').length > 0`)
	if st := tb.stats(t); st.Tiles != template {
		t.Errorf("tile layer %q, want %q", st.Tiles, template)
	}
	if served.Load() == 0 {
		t.Error("the tile server was never asked")
	}
	if got := tb.textOf(t, ".leaflet-control-attribution"); !strings.Contains(got, attribution) || !strings.Contains(got, creditN03) {
		t.Errorf("attribution %q, want the setting as text and the N03 credit", got)
	}
	var bold int
	tb.eval(t, `document.querySelectorAll('.leaflet-control-attribution b').length`, &bold)
	if bold != 0 {
		t.Errorf("the attribution setting became %d <b> elements", bold)
	}
	tb.screenshot(t, "tiles")
	tb.noProblems(t)
}
