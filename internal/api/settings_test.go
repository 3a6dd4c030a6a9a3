package api

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/tabane/tabane/data"
)

func TestSettingsDefaultOffAndConfigured(t *testing.T) {
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "settings.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	off := httptest.NewServer(New(store, Options{}).Handler())
	t.Cleanup(off.Close)
	var got PageSettings
	get(t, off, "/api/v1/settings", &got)
	if got != (PageSettings{AssetLayerLimit: DefaultAssetLayerLimit}) {
		t.Fatalf("default settings = %+v, want the tile layer off and the default asset layer limit", got)
	}

	const tiles = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
	on := httptest.NewServer(New(store, Options{Page: PageSettings{TileURL: tiles, TileAttribution: "地理院タイル", AssetLayerLimit: 1000}}).Handler())
	t.Cleanup(on.Close)
	get(t, on, "/api/v1/settings", &got)
	if got.TileURL != tiles || got.TileAttribution != "地理院タイル" || got.AssetLayerLimit != 1000 {
		t.Fatalf("settings = %+v", got)
	}
}

func TestValidateTileURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"": true,
		"https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png": true,
		"http://127.0.0.1:9000/{z}/{x}/{y}.png":                    true,
		"https://example.org/tiles.png":                            false, // no placeholders
		"ftp://example.org/{z}/{x}/{y}.png":                        false,
		"/tiles/{z}/{x}/{y}.png":                                   false, // not absolute
		"https://example.org/{z}/{x}.png":                          false, // {y} missing
	} {
		if err := ValidateTileURL(raw); (err == nil) != ok {
			t.Errorf("ValidateTileURL(%q) = %v, want ok=%v", raw, err, ok)
		}
	}
}
