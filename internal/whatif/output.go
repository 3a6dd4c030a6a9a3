package whatif

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tabane/tabane/solver"
)

// Output file names inside a batch's output folder.
const (
	ResultsCSV  = "results.csv"
	ResultsMD   = "results.md"
	ChartSVG    = "chart.svg"
	ChartPNG    = "chart.png"
	SharesCSV   = "shares.csv"
	SharesSVG   = "municipalities.svg"
	SharesPNG   = "municipalities.png"
	SummaryHTML = "summary.html"
	PlansDir    = "plans"
)

// WriteOutputs writes the batch's results into dir (created if needed): results.csv
// and results.md with one row per variation, shares.csv with one row per variation and
// municipality, plans/NNN-NAME.json with each plan (the plan of docs/model.md plus its
// evaluation), the charts (chart.svg/png, municipalities.svg/png) and summary.html, in
// o's language. The plans folder is emptied first, so that no plan of an earlier batch
// stays behind.
func WriteOutputs(dir string, rows []Row, o Output) error {
	if err := os.RemoveAll(filepath.Join(dir, PlansDir)); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, PlansDir), 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{ResultsCSV, func(w io.Writer) error { return WriteCSV(w, rows, o.Lang) }},
		{ResultsMD, func(w io.Writer) error { return WriteMarkdown(w, rows, o) }},
		{SharesCSV, func(w io.Writer) error { return WriteShares(w, rows, o) }},
		{SummaryHTML, func(w io.Writer) error { return WriteSummary(w, rows, o) }},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	for i := range rows {
		r := &rows[i]
		if r.Plan == nil {
			continue
		}
		if err := writeFile(filepath.Join(dir, PlanFile(r)), func(w io.Writer) error { return writePlan(w, r) }); err != nil {
			return err
		}
	}
	return WriteChart(dir, rows, o)
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// PlanFile is the path of a row's plan inside the output folder: plans/003-NAME.json.
func PlanFile(r *Row) string {
	return filepath.ToSlash(filepath.Join(PlansDir, fmt.Sprintf("%03d-%s.json", r.Index, slug(r.Name))))
}

// slug keeps letters, digits, '.', '_' and '-' of a name and turns the rest into '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range s {
		ok := c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if ok {
			b.WriteRune(c)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 80 {
		out = out[:80]
	}
	if out == "" {
		out = "variation"
	}
	return out
}

// planFile is a plan as written to plans/: the plan report of the solve (solver.Report,
// whose docs/model.md plan fields come first), then the variation that produced it.
type planFile struct {
	*solver.Report
	Variation string       `json:"variation"`
	Overrides []Assignment `json:"overrides"`
}

func writePlan(w io.Writer, r *Row) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if r.ProgrammeReport != nil {
		return enc.Encode(programmePlanFile{ProgrammeSolveReport: r.ProgrammeReport, Variation: r.Name, Overrides: r.Overrides})
	}
	return enc.Encode(planFile{Report: r.Report, Variation: r.Name, Overrides: r.Overrides})
}

// OverrideKeys are the override keys of the rows, in order of first appearance: the
// override columns of the tables.
func OverrideKeys(rows []Row) []string {
	var keys []string
	seen := map[string]bool{}
	for _, r := range rows {
		for _, a := range r.Overrides {
			if !seen[a.Key] {
				seen[a.Key] = true
				keys = append(keys, a.Key)
			}
		}
	}
	return keys
}

func overrideValue(r *Row, key string) (any, bool) {
	for _, a := range r.Overrides {
		if a.Key == key {
			return a.Value, true
		}
	}
	return nil, false
}

func yesNo(b bool, l Lang) string {
	if b {
		return l.pick("はい", "yes")
	}
	return l.pick("いいえ", "no")
}

func ff(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// csvHeads are the result columns of results.csv, en (the stable keys) and ja.
var csvHeads = [][2]string{
	{"feasible", "実行可能"}, {"total_cost", "総費用（円）"}, {"standalone_total", "単独合計（円）"}, {"saving", "削減額（円）"},
	{"saving_pct", "削減率（%）"}, {"bundles", "契約数"}, {"lower_bound", "下界（円）"}, {"gap_pct", "ギャップ（%）"},
	{"ir_violations", "個別合理性違反数"}, {"ir_municipalities", "個別合理性違反団体"}, {"seconds", "計算秒数"},
	{"cached", "キャッシュ"}, {"plan", "計画ファイル"}, {"error", "エラー"},
}

// WriteCSV writes one line per row: index, variation, one column per override key
// (empty when the row does not set it), then the results; money in yen, saving and gap
// in percent, seconds of the solve. Numbers stay plain (no separators) so that a
// spreadsheet computes with them; only the header and yes/no follow lang.
func WriteCSV(w io.Writer, rows []Row, lang Lang) error {
	keys := OverrideKeys(rows)
	pc := newProgrammeColumns(rows)
	cw := csv.NewWriter(w)
	head := []string{lang.pick("番号", "index"), lang.pick("試算", "variation")}
	head = append(head, keys...)
	for _, h := range csvHeads {
		if h[0] == "seconds" {
			// A programme's columns go after the results every row has.
			head = append(head, pc.csvHead(lang)...)
		}
		head = append(head, lang.pick(h[1], h[0]))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		rec := []string{strconv.Itoa(r.Index), r.Name}
		for _, k := range keys {
			v, ok := overrideValue(r, k)
			s := ""
			if ok {
				s = FormatValue(v)
			}
			rec = append(rec, s)
		}
		plan := ""
		if r.Plan != nil {
			plan = PlanFile(r)
		}
		num := func(x float64) string {
			if r.Plan == nil {
				return ""
			}
			return ff(x)
		}
		rec = append(rec, yesNo(r.Feasible, lang), num(r.Cost), num(r.StandaloneTotal), num(r.Saving),
			num(round(r.SavingPct, 4)), num(float64(r.Bundles)), num(r.LowerBound), num(round(100*r.Gap, 4)),
			num(float64(len(r.IRViolations))), strings.Join(r.IRViolations, ";"))
		rec = append(rec, pc.csvCells(r, lang)...)
		rec = append(rec, ff(round(r.Seconds, 3)), yesNo(r.Cached, lang), plan, r.Error)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// WriteMarkdown writes the rows as a Markdown table for people in o's language:
// parameters by their labels and values (契約固定費 3,000,000 円, 分野混在の加算額 混在不可),
// amounts with separators, percentages with one decimal, municipalities by name.
func WriteMarkdown(w io.Writer, rows []Row, o Output) error {
	l := o.Lang
	keys := OverrideKeys(rows)
	pc := newProgrammeColumns(rows)
	var b strings.Builder
	b.WriteString(l.pick("| # | 試算 |", "| # | variation |"))
	for _, k := range keys {
		b.WriteString(" " + mdEscape(o.Label(k)) + " |")
	}
	b.WriteString(l.pick(" 総費用 | 単独合計 | 削減率 | 契約数 | ギャップ | 個別合理性違反 |",
		" total cost | standalone | saving % | bundles | gap % | IR violations |"))
	b.WriteString(pc.mdHead(l) + l.pick(" 計算秒数 | キャッシュ |", " seconds | cached |"))
	b.WriteString("\n|---:|---|")
	for range keys {
		b.WriteString("---|")
	}
	b.WriteString("---:|---:|---:|---:|---:|---:|" + pc.mdRule() + "---:|---|\n")
	for i := range rows {
		r := &rows[i]
		fmt.Fprintf(&b, "| %d | %s |", r.Index, mdEscape(r.Name))
		for _, k := range keys {
			v, ok := overrideValue(r, k)
			s := ""
			if ok {
				s = o.Value(k, v)
			}
			b.WriteString(" " + mdEscape(s) + " |")
		}
		if r.Plan == nil {
			b.WriteString(" — | — | — | — | — | — |")
		} else {
			fmt.Fprintf(&b, " %s | %s | %s | %d | %s | %s |", o.costText(r), o.Yen(r.StandaloneTotal),
				Pct(r.SavingPct), r.Bundles, Pct(100*r.Gap), mdEscape(o.irText(r)))
		}
		fmt.Fprintf(&b, "%s %.1f | %s |\n", pc.mdCells(r, o), r.Seconds, yesNo(r.Cached, l))
	}
	var notes []string
	for i := range rows {
		if rows[i].Error != "" {
			notes = append(notes, fmt.Sprintf("- #%d %s: %s", rows[i].Index, mdEscape(rows[i].Name), mdEscape(rows[i].Error)))
		}
	}
	notes = append(notes, pc.mdNotes(rows, l)...)
	if len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// costText is a row's total cost, marked when its plan breaks a rule.
func (o Output) costText(r *Row) string {
	cost := o.Yen(r.Cost)
	if !r.Feasible {
		cost += o.Lang.pick("（実行不可能）", " (infeasible)")
	}
	return cost
}

// irText is the number of municipalities paying more than alone, and their names.
func (o Output) irText(r *Row) string {
	ir := strconv.Itoa(len(r.IRViolations))
	if len(r.IRViolations) > 0 {
		names := make([]string, len(r.IRViolations))
		for i, c := range r.IRViolations {
			names[i] = o.name(c)
		}
		ir += " (" + strings.Join(names, o.Lang.pick("・", ", ")) + ")"
	}
	return ir
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
