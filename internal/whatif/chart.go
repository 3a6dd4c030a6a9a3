package whatif

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart size: small enough for a README, large enough to read.
const (
	chartWidth  = 8 * vg.Inch
	chartHeight = 7 * vg.Inch
	chartDPI    = 96
)

// ChartLayout says how the rows map onto the chart: the swept parameter on the x axis
// and one line per value of the other swept parameters.
type ChartLayout struct {
	// XKey is the override key on the x axis, "" when the x axis lists variation names.
	XKey string
	// Numeric is true when every row sets XKey to a number.
	Numeric bool
	// Categories are the x labels of a non-numeric axis, in order of first appearance.
	Categories []string
	// SeriesKeys are the other swept keys; their values name the lines.
	SeriesKeys []string
}

// SweptKeys are the override keys whose value is not the same in every row, in order
// of first appearance.
func SweptKeys(rows []Row) []string {
	var out []string
	for _, k := range OverrideKeys(rows) {
		first, same := "", true
		for i := range rows {
			v, ok := overrideValue(&rows[i], k)
			s := "\x00unset"
			if ok {
				s = FormatValue(v)
			}
			if i == 0 {
				first = s
			} else if s != first {
				same = false
				break
			}
		}
		if !same {
			out = append(out, k)
		}
	}
	return out
}

// Layout picks the chart layout of rows: the first swept key set to a number in every
// row goes on the x axis (else the first swept key, as categories; else the variation
// names), and the other swept keys name the lines.
func Layout(rows []Row) ChartLayout {
	swept := SweptKeys(rows)
	var l ChartLayout
	for _, k := range swept {
		numeric := true
		for i := range rows {
			v, ok := overrideValue(&rows[i], k)
			if _, isNum := number(v); !ok || !isNum {
				numeric = false
				break
			}
		}
		if numeric {
			l.XKey, l.Numeric = k, true
			break
		}
	}
	if l.XKey == "" && len(swept) > 0 {
		l.XKey = swept[0]
	}
	for _, k := range swept {
		if k != l.XKey {
			l.SeriesKeys = append(l.SeriesKeys, k)
		}
	}
	if !l.Numeric {
		seen := map[string]bool{}
		for i := range rows {
			c := l.category(&rows[i])
			if !seen[c] {
				seen[c] = true
				l.Categories = append(l.Categories, c)
			}
		}
	}
	return l
}

func (l ChartLayout) category(r *Row) string {
	if l.XKey == "" {
		return r.Name
	}
	v, ok := overrideValue(r, l.XKey)
	if !ok {
		return "(base)"
	}
	return FormatValue(v)
}

func (l ChartLayout) x(r *Row) float64 {
	if l.Numeric {
		v, _ := overrideValue(r, l.XKey)
		x, _ := number(v)
		return x
	}
	c := l.category(r)
	for i, s := range l.Categories {
		if s == c {
			return float64(i)
		}
	}
	return 0
}

// Series names the line of row r: the explicit variation's name for the keys it sets,
// then key=value for the grid's other swept keys.
func (l ChartLayout) Series(r *Row) string {
	var parts []string
	specUsed := false
	for _, k := range l.SeriesKeys {
		v, ok := overrideValue(r, k)
		grid := false
		for _, a := range r.Overrides {
			if a.Key == k {
				grid = a.Grid
			}
		}
		switch {
		case ok && !grid && r.Spec != "":
			if !specUsed {
				parts = append(parts, r.Spec)
				specUsed = true
			}
		case ok:
			parts = append(parts, ShortKey(k)+"="+FormatValue(v))
		case r.Spec != "" && !specUsed:
			parts = append(parts, r.Spec)
			specUsed = true
		}
	}
	return strings.Join(parts, " ")
}

// WriteChart draws saving % and total cost against the swept parameter into
// dir/chart.svg and dir/chart.png. Rows without a feasible plan are left out of the
// lines.
func WriteChart(dir string, rows []Row) error {
	top, bottom, err := chartPlots(rows)
	if err != nil {
		return err
	}
	svg := vgsvg.New(chartWidth, chartHeight)
	drawChart(svg, top, bottom)
	if err := writeFile(filepath.Join(dir, ChartSVG), func(w io.Writer) error {
		_, err := svg.WriteTo(w)
		return err
	}); err != nil {
		return err
	}
	img := vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))
	drawChart(img, top, bottom)
	return writeFile(filepath.Join(dir, ChartPNG), func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

func drawChart(c vg.CanvasSizer, top, bottom *plot.Plot) {
	dc := draw.New(c)
	// A white background: PNG viewers with a dark theme show transparency as black.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(12)}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
}

func chartPlots(rows []Row) (top, bottom *plot.Plot, err error) {
	l := Layout(rows)
	type point struct{ x, saving, cost float64 }
	series := map[string][]point{}
	var order []string
	for i := range rows {
		r := &rows[i]
		if r.Plan == nil || !r.Feasible {
			continue
		}
		s := l.Series(r)
		if _, ok := series[s]; !ok {
			order = append(order, s)
		}
		series[s] = append(series[s], point{l.x(r), r.SavingPct, r.Cost / 1e6})
	}

	top, bottom = plot.New(), plot.New()
	xLabel := "variation"
	if l.XKey != "" {
		xLabel = ShortKey(l.XKey)
	}
	top.Title.Text = "What-if: saving and cost against " + xLabel
	top.Y.Label.Text = "saving %"
	bottom.Y.Label.Text = "total cost (million yen)"
	bottom.X.Label.Text = xLabel
	top.X.Label.Text = xLabel
	if l.Numeric {
		// Large yen amounts read better without exponents.
		top.X.Tick.Marker = plainTicks{}
		bottom.X.Tick.Marker = plainTicks{}
	}
	top.Legend.Top = true
	top.Legend.Left = true
	top.Add(plotter.NewGrid())
	bottom.Add(plotter.NewGrid())
	for i, name := range order {
		pts := series[name]
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].x < pts[b].x })
		sav, cost := make(plotter.XYs, len(pts)), make(plotter.XYs, len(pts))
		for j, p := range pts {
			sav[j] = plotter.XY{X: p.x, Y: p.saving}
			cost[j] = plotter.XY{X: p.x, Y: p.cost}
		}
		for _, pc := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{top, sav}, {bottom, cost}} {
			line, points, err := plotter.NewLinePoints(pc.xys)
			if err != nil {
				return nil, nil, fmt.Errorf("chart series %q: %w", name, err)
			}
			line.Color = plotutil.Color(i)
			line.Dashes = plotutil.Dashes(i)
			points.Color = plotutil.Color(i)
			points.Shape = plotutil.Shape(i)
			pc.p.Add(line, points)
			if pc.p == top && name != "" {
				top.Legend.Add(name, line, points)
			}
		}
	}
	if !l.Numeric {
		top.NominalX(l.Categories...)
		bottom.NominalX(l.Categories...)
		if len(l.Categories) > 0 {
			top.X.Min, top.X.Max = -0.5, float64(len(l.Categories))-0.5
			bottom.X.Min, bottom.X.Max = top.X.Min, top.X.Max
		}
	}
	return top, bottom, nil
}

// plainTicks are the default ticks labelled without exponents (80000000, not 8e+07).
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if v := ticks[i].Value; ticks[i].Label != "" && v == math.Trunc(v) {
			ticks[i].Label = FormatValue(v)
		}
	}
	return ticks
}
