package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// PageSettings are the server settings the web page reads at start: an optional raster
// tile layer (off by default, so the page works with no internet).
type PageSettings struct {
	// TileURL is a Leaflet URL template such as
	// https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png; empty turns the layer off.
	TileURL string `json:"tile_url"`
	// TileAttribution is shown on the map when the tile layer is on.
	TileAttribution string `json:"tile_attribution"`
	// AssetLayerLimit is the most assets the page's map holds (serve --page-assets): a
	// larger inventory is drawn by the map's view (bbox) at most this many at a time, so
	// that the browser's memory does not grow with the inventory. 0: DefaultAssetLayerLimit.
	AssetLayerLimit int `json:"asset_layer_limit"`
}

// DefaultAssetLayerLimit is the page's default asset cap: the whole demo and its 20,000
// generated assets of the map benchmark fit; a million-asset inventory is drawn by view.
const DefaultAssetLayerLimit = 50_000

// ValidateTileURL checks that a tile URL template is an absolute http(s) URL with {z}, {x}
// and {y}; the empty string (no tile layer) is valid.
func ValidateTileURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("tile URL %q must be an absolute http(s) URL", raw)
	}
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(raw, p) {
			return fmt.Errorf("tile URL %q lacks the placeholder %s", raw, p)
		}
	}
	return nil
}

func (s *Server) registerSettings(g *echo.Group) {
	g.GET("/settings", s.getSettings)
}

func (s *Server) getSettings(c echo.Context) error {
	out := s.settings
	if out.AssetLayerLimit <= 0 {
		out.AssetLayerLimit = DefaultAssetLayerLimit
	}
	return c.JSON(http.StatusOK, out)
}
