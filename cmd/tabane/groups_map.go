package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/tabane/tabane/geo"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// groupPalette holds twelve distinguishable fill colours.
var groupPalette = []color.RGBA{
	{0x8d, 0xd3, 0xc7, 255}, {0xfd, 0xb4, 0x62, 255}, {0xbe, 0xba, 0xda, 255}, {0xfb, 0x80, 0x72, 255},
	{0x80, 0xb1, 0xd3, 255}, {0xb3, 0xde, 0x69, 255}, {0xfc, 0xcd, 0xe5, 255}, {0xff, 0xff, 0xb3, 255},
	{0xbc, 0x80, 0xbd, 255}, {0xcc, 0xeb, 0xc5, 255}, {0xff, 0xed, 0x6f, 255}, {0xd9, 0xd9, 0xd9, 255},
}

// mapCanvas maps WGS84 onto pixels with an equirectangular projection.
type mapCanvas struct {
	img              *image.RGBA
	minLon, maxLat   float64
	kx, scale, inset float64
}

func (c *mapCanvas) px(p orb.Point) (float64, float64) {
	return c.inset + (p[0]-c.minLon)*c.kx*c.scale, c.inset + (c.maxLat-p[1])*c.scale
}

// drawGroupsPNG draws the regions filled by group colour, municipal borders in grey,
// group outlines in dark grey, group labels at their centres and a legend.
func drawGroupsPNG(w io.Writer, regions []geo.Region, res geo.Grouping, outlines []orb.Geometry, weightName string, width int) error {
	if width < 200 || width > 4000 {
		return fmt.Errorf("width %d outside 200..4000 pixels", width)
	}
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, r := range regions {
		if r.Geometry != nil {
			b = b.Union(r.Geometry.Bound())
		} else {
			b = b.Extend(r.Office)
		}
	}
	legendW := 260.0
	c := &mapCanvas{minLon: b.Min[0], maxLat: b.Max[1], inset: 16,
		kx: math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)}
	spanX := math.Max((b.Max[0]-b.Min[0])*c.kx, 1e-9)
	c.scale = (float64(width) - 2*c.inset - legendW) / spanX
	height := int(math.Ceil((b.Max[1]-b.Min[1])*c.scale + 2*c.inset))
	height = max(height, 60+16*len(res.Groups))
	c.img = image.NewRGBA(image.Rect(0, 0, width, height))
	fillRect(c.img, c.img.Bounds(), color.RGBA{255, 255, 255, 255})

	for i, r := range regions {
		col := groupPalette[res.Of[i]%len(groupPalette)]
		for _, p := range polys(r.Geometry) {
			c.fillPolygon(p, col)
		}
	}
	for _, r := range regions {
		for _, p := range polys(r.Geometry) {
			for _, ring := range p {
				c.polyline(ring, color.RGBA{150, 150, 150, 255}, 0)
			}
		}
	}
	for _, o := range outlines {
		for _, p := range polys(o) {
			for _, ring := range p {
				c.polyline(ring, color.RGBA{40, 40, 40, 255}, 1)
			}
		}
	}
	for i, r := range regions {
		if r.Geometry == nil {
			x, y := c.px(r.Office)
			dot(c.img, x, y, 3, groupPalette[res.Of[i]%len(groupPalette)])
		}
	}
	face := basicfont.Face7x13
	for gi, grp := range res.Groups {
		// The label goes on the member anchor nearest to the group's mean, which lies
		// in the group even when the mean does not.
		at, best := grp.Center, math.Inf(1)
		for _, u := range grp.Members {
			a := regions[u].Anchor()
			if d := math.Hypot((a[0]-grp.Center[0])*c.kx, a[1]-grp.Center[1]); d < best {
				at, best = a, d
			}
		}
		x, y := c.px(at)
		label(c.img, face, int(x)-10, int(y)+4, geo.GroupID(gi), true)
	}
	lx := width - int(legendW) + 8
	label(c.img, face, lx, 24, fmt.Sprintf("%d groups, weight = %s", len(res.Groups), strings.Fields(weightName)[0]), false)
	for gi, grp := range res.Groups {
		y := 44 + 16*gi
		fillRect(c.img, image.Rect(lx, y-10, lx+14, y+2), groupPalette[gi%len(groupPalette)])
		label(c.img, face, lx+20, y, fmt.Sprintf("%s %2d members, weight %s", geo.GroupID(gi), len(grp.Members), fmtWeight(grp.Weight)), false)
	}
	return png.Encode(w, c.img)
}

func polys(g orb.Geometry) []orb.Polygon {
	switch t := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{t}
	case orb.MultiPolygon:
		return t
	}
	return nil
}

// fillPolygon fills p (with its holes) by even-odd scanlines through pixel centres.
func (c *mapCanvas) fillPolygon(p orb.Polygon, col color.RGBA) {
	type seg struct{ x0, y0, x1, y1 float64 }
	var segs []seg
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, ring := range p {
		for k := 0; k+1 < len(ring); k++ {
			x0, y0 := c.px(ring[k])
			x1, y1 := c.px(ring[k+1])
			segs = append(segs, seg{x0, y0, x1, y1})
			ymin, ymax = math.Min(ymin, math.Min(y0, y1)), math.Max(ymax, math.Max(y0, y1))
		}
	}
	bounds := c.img.Bounds()
	var xs []float64
	for y := max(int(ymin), bounds.Min.Y); y <= min(int(ymax), bounds.Max.Y-1); y++ {
		yc := float64(y) + 0.5
		xs = xs[:0]
		for _, s := range segs {
			if (s.y0 <= yc) != (s.y1 <= yc) {
				xs = append(xs, s.x0+(yc-s.y0)/(s.y1-s.y0)*(s.x1-s.x0))
			}
		}
		sort.Float64s(xs)
		for k := 0; k+1 < len(xs); k += 2 {
			for x := max(int(math.Ceil(xs[k]-0.5)), bounds.Min.X); x <= min(int(math.Floor(xs[k+1]-0.5)), bounds.Max.X-1); x++ {
				c.img.SetRGBA(x, y, col)
			}
		}
	}
}

// polyline draws the ring with square pens of half-width r pixels.
func (c *mapCanvas) polyline(ring orb.Ring, col color.RGBA, r int) {
	for k := 0; k+1 < len(ring); k++ {
		x0, y0 := c.px(ring[k])
		x1, y1 := c.px(ring[k+1])
		n := int(math.Ceil(math.Max(math.Abs(x1-x0), math.Abs(y1-y0)))) + 1
		for i := 0; i <= n; i++ {
			t := float64(i) / float64(n)
			x, y := int(x0+t*(x1-x0)), int(y0+t*(y1-y0))
			for dx := -r; dx <= r; dx++ {
				for dy := -r; dy <= r; dy++ {
					if image.Pt(x+dx, y+dy).In(c.img.Bounds()) {
						c.img.SetRGBA(x+dx, y+dy, col)
					}
				}
			}
		}
	}
}

func dot(img *image.RGBA, x, y float64, r int, col color.RGBA) {
	for dx := -r; dx <= r; dx++ {
		for dy := -r; dy <= r; dy++ {
			if dx*dx+dy*dy <= r*r && image.Pt(int(x)+dx, int(y)+dy).In(img.Bounds()) {
				img.SetRGBA(int(x)+dx, int(y)+dy, col)
			}
		}
	}
}

func fillRect(img *image.RGBA, r image.Rectangle, col color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, col)
		}
	}
}

// label writes ASCII text with its baseline at (x, y), optionally on a white halo.
func label(img *image.RGBA, face font.Face, x, y int, s string, halo bool) {
	d := &font.Drawer{Dst: img, Face: face}
	if halo {
		d.Src = image.NewUniform(color.RGBA{255, 255, 255, 255})
		for _, o := range [][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}, {-1, -1}, {1, 1}, {-1, 1}, {1, -1}} {
			d.Dot = fixed.P(x+o[0], y+o[1])
			d.DrawString(s)
		}
	}
	d.Src = image.NewUniform(color.RGBA{0, 0, 0, 255})
	d.Dot = fixed.P(x, y)
	d.DrawString(s)
}
