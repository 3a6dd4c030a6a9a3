package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strings"

	"git.sr.ht/~sbinet/gg"
	"github.com/paulmach/orb"
	"github.com/tabane/tabane/geo"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// groupColor is the fill of group gi: twelve distinguishable colours, repeated.
func groupColor(gi int) color.RGBA {
	palette := [...]color.RGBA{
		{0x8d, 0xd3, 0xc7, 255}, {0xfd, 0xb4, 0x62, 255}, {0xbe, 0xba, 0xda, 255}, {0xfb, 0x80, 0x72, 255},
		{0x80, 0xb1, 0xd3, 255}, {0xb3, 0xde, 0x69, 255}, {0xfc, 0xcd, 0xe5, 255}, {0xff, 0xff, 0xb3, 255},
		{0xbc, 0x80, 0xbd, 255}, {0xcc, 0xeb, 0xc5, 255}, {0xff, 0xed, 0x6f, 255}, {0xd9, 0xd9, 0xd9, 255},
	}
	return palette[gi%len(palette)]
}

// Layout of the map, in pixels (the canvas runs at 72 dpi, so one vg point is one pixel).
const (
	mapInset   = 16.0
	mapLegendW = 260.0
	mapDPI     = 72
)

// groupsMap projects WGS84 onto the canvas (equirectangular, y up as in vg).
type groupsMap struct {
	minLon, minLat float64
	kx, scale      float64
	width, height  int
}

// newGroupsMap fits the regions' extent into width pixels less the legend.
func newGroupsMap(regions []geo.Region, groups, width int) (groupsMap, error) {
	if width < 200 || width > 4000 {
		return groupsMap{}, fmt.Errorf("width %d outside 200..4000 pixels", width)
	}
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, r := range regions {
		if r.Geometry != nil {
			b = b.Union(r.Geometry.Bound())
		} else {
			b = b.Extend(r.Office)
		}
	}
	m := groupsMap{minLon: b.Min[0], minLat: b.Min[1], width: width,
		kx: math.Cos((b.Min[1] + b.Max[1]) / 2 * math.Pi / 180)}
	m.scale = (float64(width) - 2*mapInset - mapLegendW) / math.Max((b.Max[0]-b.Min[0])*m.kx, 1e-9)
	m.height = max(int(math.Ceil((b.Max[1]-b.Min[1])*m.scale+2*mapInset)), 60+16*groups)
	return m, nil
}

// pt is p on the canvas.
func (m groupsMap) pt(p orb.Point) vg.Point {
	return vg.Point{X: vg.Length(mapInset + (p[0]-m.minLon)*m.kx*m.scale), Y: vg.Length(mapInset + (p[1]-m.minLat)*m.scale)}
}

// pixel is the image pixel (x right, y down) that holds p.
func (m groupsMap) pixel(p orb.Point) image.Point {
	q := m.pt(p)
	return image.Pt(int(q.X), m.height-1-int(q.Y))
}

// path is the outline of a Polygon or MultiPolygon, every ring a closed sub-path.
func (m groupsMap) path(g orb.Geometry) vg.Path {
	var rings []orb.Ring
	switch t := g.(type) {
	case orb.Polygon:
		rings = t
	case orb.MultiPolygon:
		for _, p := range t {
			rings = append(rings, p...)
		}
	}
	var path vg.Path
	for _, ring := range rings {
		for k, p := range ring {
			if k == 0 {
				path.Move(m.pt(p))
			} else {
				path.Line(m.pt(p))
			}
		}
		path.Close()
	}
	return path
}

// drawGroupsPNG draws the regions filled by group colour, municipal borders in grey,
// group outlines in dark grey, group labels and a legend, with gonum/plot's vg canvas.
func drawGroupsPNG(w io.Writer, regions []geo.Region, res geo.Grouping, outlines []orb.Geometry, weightName string, width int) error {
	m, err := newGroupsMap(regions, len(res.Groups), width)
	if err != nil {
		return err
	}
	img := image.NewRGBA(image.Rect(0, 0, m.width, m.height))
	// Our own gg context, for the even-odd rule: a hole (an enclave) stays unfilled
	// whichever way its ring turns. vgimg expects it flipped to y up, as it makes its own.
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	ctx.SetFillRuleEvenOdd()
	c := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(mapDPI))

	for i, r := range regions {
		c.SetColor(groupColor(res.Of[i]))
		c.Fill(m.path(r.Geometry))
	}
	c.SetColor(color.RGBA{150, 150, 150, 255})
	c.SetLineWidth(0.7)
	for _, r := range regions {
		c.Stroke(m.path(r.Geometry))
	}
	c.SetColor(color.RGBA{40, 40, 40, 255})
	c.SetLineWidth(2)
	for _, o := range outlines {
		c.Stroke(m.path(o))
	}
	for i, r := range regions {
		if r.Geometry == nil { // offices only: a dot
			var dot vg.Path
			dot.Arc(m.pt(r.Office), 3, 0, 2*math.Pi)
			c.SetColor(groupColor(res.Of[i]))
			c.Fill(dot)
		}
	}

	dc := draw.New(c)
	sty := text.Style{Color: color.Black, Font: font.From(font.Font{Typeface: "Liberation", Variant: "Sans"}, 11),
		Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YCenter}
	for gi, grp := range res.Groups {
		// The label goes on the member anchor nearest to the group's mean, which lies
		// in the group even when the mean does not; a white box keeps it readable.
		at, best := grp.Center, math.Inf(1)
		for _, u := range grp.Members {
			a := regions[u].Anchor()
			if d := math.Hypot((a[0]-grp.Center[0])*m.kx, a[1]-grp.Center[1]); d < best {
				at, best = a, d
			}
		}
		p, id := m.pt(at), geo.GroupID(gi)
		hw, hh := sty.Width(id)/2+3, sty.Height(id)/2+1
		dc.FillPolygon(color.White, []vg.Point{{X: p.X - hw, Y: p.Y - hh}, {X: p.X + hw, Y: p.Y - hh}, {X: p.X + hw, Y: p.Y + hh}, {X: p.X - hw, Y: p.Y + hh}})
		dc.FillText(sty, p, id)
	}

	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	lx := vg.Length(float64(m.width) - mapLegendW + 8)
	top := vg.Length(m.height)
	dc.FillText(sty, vg.Point{X: lx, Y: top - 24}, fmt.Sprintf("%d groups, weight = %s", len(res.Groups), strings.Fields(weightName)[0]))
	for gi, grp := range res.Groups {
		y := top - vg.Length(44+16*gi)
		dc.FillPolygon(groupColor(gi), []vg.Point{{X: lx, Y: y}, {X: lx + 14, Y: y}, {X: lx + 14, Y: y + 12}, {X: lx, Y: y + 12}})
		dc.FillText(sty, vg.Point{X: lx + 20, Y: y}, fmt.Sprintf("%s %2d members, weight %s", geo.GroupID(gi), len(grp.Members), fmtWeight(grp.Weight)))
	}
	// The best compression: the map is flat colour, and docs/groups-nara.png is committed.
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	return enc.Encode(w, img)
}
