package whatif

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// SummaryCSP is the Content-Security-Policy summary.html is served with: its own
// <style> element and inline SVG chart, nothing else (no script, no fetch).
const SummaryCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// summaryData is what summary.tmpl shows.
type summaryData struct {
	Lang, Title, Batch, Base string
	Overrides                []string
	Rows                     []summaryRow
	Headline                 string
	// ShareCols are the headline's municipalities in one or two side-by-side tables,
	// so that 39 of them still leave room on the page for the charts.
	ShareCols          [][]ShareRow
	Chart, SharesChart template.HTML
	// Programme is the yearly table of a programme (version-2) batch; nil otherwise.
	Programme *programmeSummary
	T         map[string]string
	o         Output
}

type summaryRow struct {
	Index                                       int
	Name, Settings, Cost, Saving, Pct, Lots, IR string
	Error                                       string
}

// summaryText are the words of the page, ja and en.
var summaryText = map[string][2]string{
	"title":      {"条件別試算の概要", "What-if summary"},
	"batch":      {"試算名", "Batch"},
	"base":       {"基準データ", "Base"},
	"variations": {"試算一覧", "Variations"},
	"variation":  {"試算", "Variation"},
	"settings":   {"条件", "Settings"},
	"cost":       {"総費用", "Total cost"},
	"saving":     {"削減額", "Saving"},
	"pct":        {"削減率", "Saving %"},
	"lots":       {"契約数", "Contracts"},
	"ir":         {"個別合理性違反", "IR violations"},
	"headline":   {"市町村別の負担（%s）", "Municipalities in %s"},
	"code":       {"団体コード", "Code"},
	"name":       {"市町村", "Municipality"},
	"standalone": {"単独費用", "Alone"},
	"share":      {"負担額", "Share"},
	"yes":        {"違反", "yes"},
	"base-row":   {"基準のまま", "as the base"},
	"noplan":     {"計画なし", "no plan"},
	"charts":     {"グラフ", "Charts"},
}

// WriteSummary writes summary.html: one printable page per batch with the batch, the
// base, a table of the variations (cost, saving, contracts, IR), the per-municipality
// table of the headline variation (the first with a feasible plan) and the charts.
func WriteSummary(w io.Writer, rows []Row, o Output) error {
	d := summaryData{Lang: string(o.Lang), Batch: o.Batch, Base: o.Base, T: map[string]string{}, o: o}
	for k, v := range summaryText {
		d.T[k] = o.Lang.pick(v[0], v[1])
	}
	d.Title = d.T["title"] + " — " + o.Batch
	d.Programme = newProgrammeSummary(rows, o)
	for i := range rows {
		r := &rows[i]
		sr := summaryRow{Index: r.Index, Name: r.Name, Settings: d.T["base-row"], Error: r.Error,
			Cost: "—", Saving: "—", Pct: "—", Lots: "—", IR: "—"}
		if len(r.Overrides) > 0 {
			sr.Settings = ""
			for j, a := range r.Overrides {
				if j > 0 {
					sr.Settings += o.Lang.pick("、", "; ")
				}
				sr.Settings += o.Label(a.Key) + o.Lang.pick("：", ": ") + o.Value(a.Key, a.Value)
			}
		}
		if r.Plan != nil {
			sr.Cost, sr.Saving, sr.Pct = o.costText(r), o.Yen(r.Saving), Pct(r.SavingPct)
			sr.Lots, sr.IR = strconv.Itoa(r.Bundles), o.irText(r)
		} else if sr.Error == "" {
			sr.Error = d.T["noplan"]
		}
		d.Rows = append(d.Rows, sr)
	}
	for i := range rows {
		if rows[i].Plan != nil && rows[i].Feasible {
			d.Headline = rows[i].Name
			shares := ShareRows(rows[i:i+1], o)
			if half := (len(shares) + 1) / 2; len(shares) > 12 {
				d.ShareCols = [][]ShareRow{shares[:half], shares[half:]}
			} else {
				d.ShareCols = [][]ShareRow{shares}
			}
			break
		}
	}
	var chart, shares bytes.Buffer
	if err := WriteChartSVG(&chart, rows, o); err != nil && !errors.Is(err, ErrNothingToChart) {
		return err
	}
	if err := WriteSharesChartSVG(&shares, rows, o); err != nil && !errors.Is(err, ErrNothingToChart) {
		return err
	}
	// Our own SVG, drawn by gonum/plot from escaped text: safe to inline (without its
	// XML declaration, which HTML does not have).
	d.Chart, d.SharesChart = inlineSVG(chart.String()), inlineSVG(shares.String())
	return summaryTmpl.Execute(w, d)
}

func inlineSVG(svg string) template.HTML {
	if i := strings.Index(svg, "<svg"); i >= 0 {
		svg = svg[i:]
	}
	return template.HTML(svg)
}

// Out is the page's Output, for the template's amounts.
func (d summaryData) Out() Output { return d.o }

var summaryTmpl = template.Must(template.New("summary").Funcs(template.FuncMap{
	"yen": func(o Output, x float64) string { return o.Yen(x) },
	"pct": Pct,
	"headline": func(d summaryData) string {
		return fmt.Sprintf(d.T["headline"], d.Headline)
	},
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 10mm; }
body { font-family: "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; margin: 1.5em; color: #222; font-size: 10pt; }
h1 { font-size: 16pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; width: 100%; margin-bottom: .8em; }
th, td { border: 1px solid #bbb; padding: .2em .4em; vertical-align: top; }
th { background: #eee; word-break: keep-all; }
td.n { text-align: right; white-space: nowrap; }
tr.ir td { background: #fde8e8; }
.meta { color: #555; }
.cols { display: flex; gap: 1em; align-items: flex-start; }
.cols > * { flex: 1 1 0; min-width: 0; }
.chart svg { width: 100%; height: auto; }
@media print {
  body { margin: 0; font-size: 7.5pt; }
  h1 { font-size: 12pt; } h2 { font-size: 9pt; margin: .6em 0 .2em; }
  th, td { padding: 0 .3em; }
  h2 { break-after: avoid; } table, .chart { break-inside: avoid; }
}
</style>
</head>
<body>
<h1>{{.T.title}}</h1>
<p class="meta">{{.T.batch}}: {{.Batch}} ／ {{.T.base}}: {{.Base}}</p>
<h2>{{.T.variations}}</h2>
<table>
<tr><th>#</th><th>{{.T.variation}}</th><th>{{.T.settings}}</th><th>{{.T.cost}}</th><th>{{.T.saving}}</th><th>{{.T.pct}}</th><th>{{.T.lots}}</th><th>{{.T.ir}}</th></tr>
{{range .Rows}}<tr><td class="n">{{.Index}}</td><td>{{.Name}}</td><td>{{.Settings}}{{if .Error}}<br>{{.Error}}{{end}}</td><td class="n">{{.Cost}}</td><td class="n">{{.Saving}}</td><td class="n">{{.Pct}}</td><td class="n">{{.Lots}}</td><td>{{.IR}}</td></tr>
{{end}}</table>
{{with .Programme}}<h2>{{.Title}}</h2>
<table>
<tr><th>#</th><th>{{$.T.variation}}</th>{{range .Head}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td class="n">{{.Index}}</td><td>{{.Name}}</td>{{range .Cells}}<td class="n">{{.}}</td>{{end}}</tr>
{{end}}</table>
{{end}}{{if .ShareCols}}<h2>{{headline .}}</h2>
<div class="cols">{{$o := .}}{{range .ShareCols}}
<table>
<tr><th>{{$o.T.code}}</th><th>{{$o.T.name}}</th><th>{{$o.T.standalone}}</th><th>{{$o.T.share}}</th><th>{{$o.T.saving}}</th><th>{{$o.T.pct}}</th><th>IR</th></tr>
{{range .}}<tr{{if .IR}} class="ir"{{end}}><td>{{.Code}}</td><td>{{.Name}}</td><td class="n">{{yen $o.Out .Standalone}}</td><td class="n">{{yen $o.Out .Share}}</td><td class="n">{{yen $o.Out .Saving}}</td><td class="n">{{pct .SavingPct}}</td><td>{{if .IR}}{{$o.T.yes}}{{end}}</td></tr>
{{end}}</table>{{end}}
</div>
{{end}}<h2>{{.T.charts}}</h2>
<div class="cols"><div class="chart">{{.Chart}}</div><div class="chart">{{.SharesChart}}</div></div>
</body>
</html>
`))
