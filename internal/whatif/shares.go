package whatif

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ShareRow is one municipality in one variation: what it would pay alone, its share
// of the bundled plan, the saving, and whether it pays more than alone (IR).
type ShareRow struct {
	Index      int
	Variation  string
	Code, Name string
	Standalone float64
	Share      float64
	Saving     float64
	SavingPct  float64
	IR         bool
}

// ShareRows are the municipalities of every row with a plan, by row and then by code.
// A municipality that does not take part in a variation has no row there.
func ShareRows(rows []Row, o Output) []ShareRow {
	var out []ShareRow
	for i := range rows {
		r := &rows[i]
		if r.Plan == nil {
			continue
		}
		codes := make([]string, 0, len(r.Standalone))
		for c := range r.Standalone {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			sr := ShareRow{Index: r.Index, Variation: r.Name, Code: c, Name: o.name(c),
				Standalone: r.Standalone[c], Share: r.Shares[c], IR: slices.Contains(r.IRViolations, c)}
			// Whole yen, and the saving from them, so that the table adds up as printed.
			sr.Standalone, sr.Share = round(sr.Standalone, 0), round(sr.Share, 0)
			sr.Saving = sr.Standalone - sr.Share
			if sr.Standalone > 0 {
				sr.SavingPct = 100 * sr.Saving / sr.Standalone
			}
			out = append(out, sr)
		}
	}
	return out
}

// sharesHeads are the columns of shares.csv, en and ja.
var sharesHeads = [][2]string{
	{"index", "番号"}, {"variation", "試算"}, {"code", "団体コード"}, {"municipality", "市町村"},
	{"standalone", "単独費用（円）"}, {"share", "負担額（円）"}, {"saving", "削減額（円）"},
	{"saving_pct", "削減率（%）"}, {"ir_violation", "個別合理性違反"},
}

// WriteShares writes shares.csv: one line per variation and municipality, in whole yen
// and the saving in percent with two decimals, the header in o's language.
func WriteShares(w io.Writer, rows []Row, o Output) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(sharesHeads))
	for i, h := range sharesHeads {
		head[i] = o.Lang.pick(h[1], h[0])
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, s := range ShareRows(rows, o) {
		rec := []string{strconv.Itoa(s.Index), s.Variation, s.Code, s.Name, ff(s.Standalone),
			ff(s.Share), ff(s.Saving), strconv.FormatFloat(s.SavingPct, 'f', 2, 64), yesNo(s.IR, o.Lang)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// sharesChartHeight grows with nothing: the municipalities are on the x axis.
const sharesChartHeight = 5 * vg.Inch

// WriteSharesChartSVG writes each municipality's saving % (x: municipality, one marker
// series per variation) as SVG.
func WriteSharesChartSVG(w io.Writer, rows []Row, o Output) error {
	p, err := sharesPlot(rows, o)
	if err != nil {
		return err
	}
	return writeSVG(w, sharesChartHeight, p)
}

// WriteSharesChartPNG is WriteSharesChartSVG as PNG, in English with codes (see WriteChartPNG).
func WriteSharesChartPNG(w io.Writer, rows []Row, o Output) error {
	p, err := sharesPlot(rows, o.forPNG())
	if err != nil {
		return err
	}
	return writePNG(w, sharesChartHeight, p)
}

func sharesPlot(rows []Row, o Output) (*plot.Plot, error) {
	if len(rows) == 0 {
		return nil, ErrNothingToChart
	}
	// Rows without a plan draw an empty chart, as the main chart does.
	shares := ShareRows(rows, o)
	var codes []string
	at := map[string]int{}
	for _, s := range shares {
		if _, ok := at[s.Code]; !ok {
			at[s.Code] = 0
			codes = append(codes, s.Code)
		}
	}
	sort.Strings(codes)
	labels := make([]string, len(codes))
	for i, c := range codes {
		at[c] = i
		labels[i] = o.name(c)
	}
	p := plot.New()
	p.Title.Text = o.Lang.pick("市町村ごとの削減率（試算別）", "Saving by municipality and variation")
	p.Y.Label.Text = o.Lang.pick("削減率（%）", "saving %")
	p.Add(plotter.NewGrid())
	series := map[int]plotter.XYs{}
	var order []int
	for _, s := range shares {
		if _, ok := series[s.Index]; !ok {
			order = append(order, s.Index)
		}
		series[s.Index] = append(series[s.Index], plotter.XY{X: float64(at[s.Code]), Y: s.SavingPct})
	}
	names := map[int]string{}
	for _, s := range shares {
		names[s.Index] = s.Variation
	}
	for i, idx := range order {
		sc, err := plotter.NewScatter(series[idx])
		if err != nil {
			return nil, fmt.Errorf("municipality chart, variation %q: %w", names[idx], err)
		}
		sc.Color = plotutil.Color(i)
		sc.Shape = plotutil.Shape(i)
		sc.Radius = vg.Points(4)
		p.Add(sc)
		p.Legend.Add(names[idx], sc)
	}
	// The legend sits top right, above the markers: headroom of a quarter of the range.
	p.Legend.Top = true
	p.Y.Max += 0.25 * (p.Y.Max - p.Y.Min)
	if len(labels) == 0 {
		return p, nil
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(labels))-0.5
	if len(labels) > 6 {
		p.X.Tick.Label.Rotation = 3 * math.Pi / 8
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	return p, nil
}
