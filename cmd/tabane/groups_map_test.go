package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/tabane/tabane/geo"
)

// TestDrawGroupsPNG: two squares 0.1° wide side by side, A (group G01) with a square hole
// around its centre whose ring turns the same way as its exterior (so only the even-odd
// rule leaves it empty), B (G02) without. At width 600 the map is 600 − 2·16 − 260 = 308
// px for 0.2°·cos 34.05° of longitude, about 1860 px per degree, so every probe below
// lies at least 15 px from a border or label: A's fill, B's fill, the hole and the
// margin are exact colours, and so is G02's legend swatch (x 348..362, rows 48..60).
func TestDrawGroupsPNG(t *testing.T) {
	square := func(lon, lat, side float64) orb.Ring {
		return orb.Ring{{lon, lat}, {lon + side, lat}, {lon + side, lat + side}, {lon, lat + side}, {lon, lat}}
	}
	a := orb.Polygon{square(135, 34, 0.1), square(135.03, 34.03, 0.04)}
	b := orb.Polygon{square(135.1, 34, 0.1)}
	regions := []geo.Region{{Code: "1", Geometry: a, Weight: 1}, {Code: "2", Geometry: b, Weight: 2}}
	res := geo.Grouping{Of: []int{0, 1}, Groups: []geo.Group{
		{Members: []int{0}, Codes: []string{"1"}, Weight: 1, Center: orb.Point{135.05, 34.05}},
		{Members: []int{1}, Codes: []string{"2"}, Weight: 2, Center: orb.Point{135.15, 34.05}},
	}}
	var buf bytes.Buffer
	if err := drawGroupsPNG(&buf, regions, res, []orb.Geometry{a, b}, "workload (person-days)", 600); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newGroupsMap(regions, 2, 600)
	if img.Bounds() != image.Rect(0, 0, 600, m.height) || m.height < 200 || m.height > 230 {
		t.Fatalf("map %v, height %d; want 600 wide and 0.1° ≈ 186 px + 32 high", img.Bounds(), m.height)
	}
	white := color.RGBA{255, 255, 255, 255}
	for _, c := range []struct {
		what string
		at   image.Point
		want color.RGBA
	}{
		{"A's fill", m.pixel(orb.Point{135.01, 34.05}), groupColor(0)},
		{"B's fill", m.pixel(orb.Point{135.15, 34.02}), groupColor(1)},
		{"A's hole", m.pixel(orb.Point{135.035, 34.035}), white},
		{"the margin", image.Pt(2, 2), white},
		{"G02's legend swatch", image.Pt(355, 54), groupColor(1)},
	} {
		if got := color.RGBAModel.Convert(img.At(c.at.X, c.at.Y)).(color.RGBA); got != c.want {
			t.Errorf("%s at %v: %v, want %v", c.what, c.at, got, c.want)
		}
	}
	if err := drawGroupsPNG(&buf, regions, res, nil, "assets", 100); err == nil || !strings.Contains(err.Error(), "width 100 outside 200..4000 pixels") {
		t.Errorf("width 100: %v", err)
	}
}
