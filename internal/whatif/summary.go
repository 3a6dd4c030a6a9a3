package whatif

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strconv"
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
	Shares                   []ShareRow
	Chart, SharesChart       template.HTML
	T                        map[string]string
	o                        Output
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
			d.Shares = ShareRows(rows[i:i+1], o)
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
	// Our own SVG, drawn by gonum/plot from escaped text: safe to inline.
	d.Chart, d.SharesChart = template.HTML(chart.String()), template.HTML(shares.String())
	return summaryTmpl.Execute(w, d)
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
body { font-family: "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; margin: 1.5em; color: #222; font-size: 11pt; }
h1 { font-size: 16pt; margin: 0 0 .3em; }
h2 { font-size: 13pt; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; width: 100%; margin-bottom: .8em; }
th, td { border: 1px solid #bbb; padding: .2em .4em; vertical-align: top; }
th { background: #eee; word-break: keep-all; }
td.n { text-align: right; white-space: nowrap; }
tr.ir td { background: #fde8e8; }
.meta { color: #555; }
.chart svg { width: 100%; height: auto; }
@media print { body { margin: 0; font-size: 9pt; } h2 { break-after: avoid; } table, .chart { break-inside: avoid; } }
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
{{if .Shares}}<h2>{{headline .}}</h2>
<table>
<tr><th>{{.T.code}}</th><th>{{.T.name}}</th><th>{{.T.standalone}}</th><th>{{.T.share}}</th><th>{{.T.saving}}</th><th>{{.T.pct}}</th><th>{{.T.ir}}</th></tr>
{{$o := .}}{{range .Shares}}<tr{{if .IR}} class="ir"{{end}}><td>{{.Code}}</td><td>{{.Name}}</td><td class="n">{{yen $o.Out .Standalone}}</td><td class="n">{{yen $o.Out .Share}}</td><td class="n">{{yen $o.Out .Saving}}</td><td class="n">{{pct .SavingPct}}</td><td>{{if .IR}}{{$o.T.yes}}{{end}}</td></tr>
{{end}}</table>
{{end}}<h2>{{.T.charts}}</h2>
<div class="chart">{{.Chart}}</div>
<div class="chart">{{.SharesChart}}</div>
</body>
</html>
`))
