package whatif

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
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

// ChartLayout says how the rows map onto the chart. With a grid, the first swept grid
// parameter is the x axis (numeric when every row sets it to a number) and each line is
// one explicit variation and one value of the other swept grid parameters. Without a
// grid, every variation is one bar.
type ChartLayout struct {
	// XKey is the override key on the x axis, "" when the x axis lists variation names.
	XKey string
	// Numeric is true when every row sets XKey to a number.
	Numeric bool
	// Categories are the x labels of a non-numeric axis, in order of first appearance.
	Categories []string
	// SeriesKeys are the other swept grid keys; their values name the lines.
	SeriesKeys []string
	// BySpec is true when the rows come from more than one explicit variation: the
	// variation's name then also names the line.
	BySpec bool
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

func isGridKey(rows []Row, key string) bool {
	for i := range rows {
		for _, a := range rows[i].Overrides {
			if a.Key == key && a.Grid {
				return true
			}
		}
	}
	return false
}

// Layout picks the chart layout of rows (see ChartLayout).
func Layout(rows []Row) ChartLayout {
	var l ChartLayout
	var grid []string
	for _, k := range SweptKeys(rows) {
		if isGridKey(rows, k) {
			grid = append(grid, k)
		}
	}
	specs := map[string]bool{}
	for i := range rows {
		specs[rows[i].Spec] = true
	}
	l.BySpec = len(specs) > 1
	for _, k := range grid {
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
	if l.XKey == "" && len(grid) > 0 {
		l.XKey = grid[0]
	}
	for _, k := range grid {
		if k != l.XKey {
			l.SeriesKeys = append(l.SeriesKeys, k)
		}
	}
	if l.XKey == "" {
		// No grid: one bar per variation, and no lines to tell apart.
		l.BySpec = false
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
		return "\x00base"
	}
	return FormatValue(v)
}

// categoryLabel is a category for people: the base's, or the value by o.
func (l ChartLayout) categoryLabel(c string, rows []Row, o Output) string {
	if l.XKey == "" {
		return c
	}
	if c == "\x00base" {
		return o.Lang.pick("（基準）", "(base)")
	}
	for i := range rows {
		if v, ok := overrideValue(&rows[i], l.XKey); ok && FormatValue(v) == c {
			return o.Value(l.XKey, v)
		}
	}
	return c
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

// Series names the line of row r: its explicit variation (when there are several),
// then key=value for the other swept grid keys.
func (l ChartLayout) Series(r *Row, o Output) string {
	var parts []string
	if l.BySpec {
		parts = append(parts, r.Spec)
	}
	for _, k := range l.SeriesKeys {
		if v, ok := overrideValue(r, k); ok {
			parts = append(parts, o.Label(k)+"="+o.Value(k, v))
		}
	}
	return strings.Join(parts, " ")
}

// WriteChart draws saving % and total cost against the swept parameter into
// dir/chart.svg and dir/chart.png, and each municipality's saving by variation into
// dir/municipalities.svg and .png. Rows without a feasible plan are left out.
func WriteChart(dir string, rows []Row, o Output) error {
	files := []struct {
		name  string
		write func(io.Writer, []Row, Output) error
	}{{ChartSVG, WriteChartSVG}, {ChartPNG, WriteChartPNG}, {SharesSVG, WriteSharesChartSVG}, {SharesPNG, WriteSharesChartPNG}}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), func(w io.Writer) error { return f.write(w, rows, o) }); err != nil {
			return err
		}
	}
	return nil
}

// WriteChartSVG writes the chart of WriteChart as SVG to w.
func WriteChartSVG(w io.Writer, rows []Row, o Output) error {
	top, bottom, err := chartPlots(rows, o)
	if err != nil {
		return err
	}
	return writeSVG(w, chartHeight, top, bottom)
}

// WriteChartPNG writes the chart of WriteChart as PNG (768 × 672 pixels) to w, in
// English: the fonts gonum/plot draws PNG text with have no Japanese glyphs.
func WriteChartPNG(w io.Writer, rows []Row, o Output) error {
	top, bottom, err := chartPlots(rows, o.forPNG())
	if err != nil {
		return err
	}
	return writePNG(w, chartHeight, top, bottom)
}

// forPNG is o for a PNG: English, municipalities by code (see WriteChartPNG).
func (o Output) forPNG() Output {
	return Output{Lang: En, Batch: o.Batch, Base: o.Base}
}

func writeSVG(w io.Writer, height vg.Length, plots ...*plot.Plot) error {
	svg := vgsvg.New(chartWidth, height)
	drawChart(svg, plots...)
	_, err := svg.WriteTo(w)
	return err
}

func writePNG(w io.Writer, height vg.Length, plots ...*plot.Plot) error {
	img := vgimg.NewWith(vgimg.UseWH(chartWidth, height), vgimg.UseDPI(chartDPI))
	drawChart(img, plots...)
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// drawChart draws plots one above the other on a white background.
func drawChart(c vg.CanvasSizer, plots ...*plot.Plot) {
	dc := draw.New(c)
	// A white background: PNG viewers with a dark theme show transparency as black.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(12)}
	grid := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[i][0])
	}
}

// ErrNothingToChart is returned for a chart of no rows at all (an axis of no categories).
var ErrNothingToChart = errors.New("no variation to chart yet")

func chartPlots(rows []Row, o Output) (top, bottom *plot.Plot, err error) {
	if len(rows) == 0 {
		return nil, nil, ErrNothingToChart
	}
	l := Layout(rows)
	series := map[string][]point{}
	var order []string
	for i := range rows {
		r := &rows[i]
		if r.Plan == nil || !r.Feasible {
			continue
		}
		s := l.Series(r, o)
		if _, ok := series[s]; !ok {
			order = append(order, s)
		}
		series[s] = append(series[s], point{l.x(r), r.SavingPct, r.Cost / 1e6})
	}

	top, bottom = plot.New(), plot.New()
	xLabel := o.Lang.pick("試算", "variation")
	yenX := l.Numeric && isYen(l.XKey)
	if l.XKey != "" {
		xLabel = o.Label(l.XKey)
		if yenX {
			xLabel += o.Lang.pick("（百万円）", " (million yen)")
		}
	}
	top.Title.Text = o.Lang.pick(xLabel+"ごとの削減率と総費用", "What-if: saving and cost against "+xLabel)
	if l.XKey == "" {
		top.Title.Text = o.Lang.pick("試算ごとの削減率と総費用", "What-if: saving and cost by variation")
	}
	top.Y.Label.Text = o.Lang.pick("削減率（%）", "saving %")
	bottom.Y.Label.Text = o.Lang.pick("総費用（百万円）", "total cost (million yen)")
	bottom.Y.Tick.Marker = oneDecimalTicks{}
	bottom.X.Label.Text = xLabel
	top.X.Label.Text = xLabel
	if l.Numeric {
		// Ticks at the swept values (when few), labelled without exponents: yen
		// amounts read better as 80000000 than as 8e+07. A margin keeps the end points
		// off the axes.
		values := l.values(rows)
		ticks := plainTicks{millions: yenX}
		if len(values) <= 12 {
			ticks.at = values
		}
		lo, hi := values[0], values[len(values)-1]
		pad := 0.05 * (hi - lo)
		if pad == 0 {
			pad = math.Max(1, 0.05*math.Abs(lo))
		}
		for _, p := range []*plot.Plot{top, bottom} {
			p.X.Tick.Marker = ticks
			p.X.Min, p.X.Max = lo-pad, hi+pad
		}
	}
	// Bottom right: savings grow with larger contracts, so that corner is usually free.
	top.Legend.Top = false
	top.Legend.Left = false
	top.Add(plotter.NewGrid())
	bottom.Add(plotter.NewGrid())
	if l.XKey == "" {
		if err := addBars(top, bottom, series[""]); err != nil {
			return nil, nil, err
		}
		order = nil
	}
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
		labels := make([]string, len(l.Categories))
		for i, c := range l.Categories {
			labels[i] = l.categoryLabel(c, rows, o)
		}
		for _, p := range []*plot.Plot{top, bottom} {
			p.NominalX(labels...)
			if len(l.Categories) > 0 {
				p.X.Min, p.X.Max = -0.5, float64(len(l.Categories))-0.5
			}
			if len(l.Categories) > 4 {
				// Long names side by side overlap: slant them.
				p.X.Tick.Label.Rotation = math.Pi / 8
				p.X.Tick.Label.XAlign = draw.XRight
				p.X.Tick.Label.YAlign = draw.YCenter
			}
		}
	}
	return top, bottom, nil
}

// addBars draws one bar per variation, for a batch without a grid.
func addBars(top, bottom *plot.Plot, pts []point) error {
	for _, pc := range []struct {
		p     *plot.Plot
		value func(point) float64
		c     int
	}{{top, func(p point) float64 { return p.saving }, 0}, {bottom, func(p point) float64 { return p.cost }, 2}} {
		// A bar chart sits at 0, 1, …: keep each value at its category by a bar per point.
		for _, p := range pts {
			bar, err := plotter.NewBarChart(plotter.Values{pc.value(p)}, vg.Points(28))
			if err != nil {
				return fmt.Errorf("chart bar: %w", err)
			}
			bar.XMin = p.x
			bar.Color = plotutil.Color(pc.c)
			bar.LineStyle.Width = 0
			pc.p.Add(bar)
		}
	}
	return nil
}

type point struct{ x, saving, cost float64 }

// values are the distinct x values of a numeric layout, sorted.
func (l ChartLayout) values(rows []Row) []float64 {
	seen := map[float64]bool{}
	var out []float64
	for i := range rows {
		x := l.x(&rows[i])
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Float64s(out)
	return out
}

// plainTicks are ticks labelled without exponents (80000000, not 8e+07), or in
// millions with one decimal (80.0) for amounts of money: at the given values, or the
// default ones.
type plainTicks struct {
	at       []float64
	millions bool
}

func (t plainTicks) label(v float64) string {
	if t.millions {
		return strconv.FormatFloat(v/1e6, 'f', 1, 64)
	}
	return FormatValue(v)
}

func (t plainTicks) Ticks(min, max float64) []plot.Tick {
	if len(t.at) > 0 {
		ticks := make([]plot.Tick, len(t.at))
		for i, v := range t.at {
			ticks[i] = plot.Tick{Value: v, Label: t.label(v)}
		}
		return ticks
	}
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if v := ticks[i].Value; ticks[i].Label != "" && (t.millions || v == math.Trunc(v)) {
			ticks[i].Label = t.label(v)
		}
	}
	return ticks
}

// oneDecimalTicks are the default ticks labelled with one decimal (百万円 axes).
type oneDecimalTicks struct{}

func (oneDecimalTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', 1, 64)
		}
	}
	return ticks
}
