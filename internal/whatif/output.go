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
	ResultsCSV = "results.csv"
	ResultsMD  = "results.md"
	ChartSVG   = "chart.svg"
	ChartPNG   = "chart.png"
	PlansDir   = "plans"
)

// WriteOutputs writes the batch's results into dir (created if needed): results.csv
// and results.md with one row per variation, plans/NNN-NAME.json with each plan (the
// plan of MODEL.md plus its evaluation), and the chart as chart.svg and chart.png.
// The plans folder is emptied first, so that no plan of an earlier batch stays behind.
func WriteOutputs(dir string, rows []Row) error {
	if err := os.RemoveAll(filepath.Join(dir, PlansDir)); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, PlansDir), 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if err := writeFile(filepath.Join(dir, ResultsCSV), func(w io.Writer) error { return WriteCSV(w, rows) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, ResultsMD), func(w io.Writer) error { return WriteMarkdown(w, rows) }); err != nil {
		return err
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
	return WriteChart(dir, rows)
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
// whose MODEL.md plan fields come first), then the variation that produced it.
type planFile struct {
	*solver.Report
	Variation string       `json:"variation"`
	Overrides []Assignment `json:"overrides"`
}

func writePlan(w io.Writer, r *Row) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
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

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func ff(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// WriteCSV writes one line per row: index, variation, one column per override key
// (empty when the row does not set it), then the results; money in yen, saving and gap
// in percent, seconds of the solve.
func WriteCSV(w io.Writer, rows []Row) error {
	keys := OverrideKeys(rows)
	cw := csv.NewWriter(w)
	head := append([]string{"index", "variation"}, keys...)
	head = append(head, "feasible", "total_cost", "standalone_total", "saving", "saving_pct", "bundles",
		"lower_bound", "gap_pct", "ir_violations", "ir_municipalities", "seconds", "cached", "plan", "error")
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
		rec = append(rec, yesNo(r.Feasible), num(r.Cost), num(r.StandaloneTotal), num(r.Saving),
			num(round(r.SavingPct, 4)), num(float64(r.Bundles)), num(r.LowerBound), num(round(100*r.Gap, 4)),
			num(float64(len(r.IRViolations))), strings.Join(r.IRViolations, ";"),
			ff(round(r.Seconds, 3)), yesNo(r.Cached), plan, r.Error)
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

// WriteMarkdown writes the rows as a Markdown table for people (yen with separators,
// percentages with one decimal).
func WriteMarkdown(w io.Writer, rows []Row) error {
	keys := OverrideKeys(rows)
	var b strings.Builder
	b.WriteString("| # | variation |")
	for _, k := range keys {
		b.WriteString(" " + mdEscape(ShortKey(k)) + " |")
	}
	b.WriteString(" total cost | standalone | saving % | bundles | gap % | IR violations | seconds | cached |\n|---:|---|")
	for range keys {
		b.WriteString("---|")
	}
	b.WriteString("---:|---:|---:|---:|---:|---:|---:|---|\n")
	for i := range rows {
		r := &rows[i]
		fmt.Fprintf(&b, "| %d | %s |", r.Index, mdEscape(r.Name))
		for _, k := range keys {
			v, ok := overrideValue(r, k)
			s := ""
			if ok {
				s = FormatValue(v)
			}
			b.WriteString(" " + mdEscape(s) + " |")
		}
		if r.Plan == nil {
			fmt.Fprintf(&b, " — | — | — | — | — | — | %.1f | %s |\n", r.Seconds, yesNo(r.Cached))
			continue
		}
		cost := solver.FormatYen(r.Cost)
		if !r.Feasible {
			cost += " (infeasible)"
		}
		ir := strconv.Itoa(len(r.IRViolations))
		if len(r.IRViolations) > 0 {
			ir += " (" + strings.Join(r.IRViolations, ", ") + ")"
		}
		fmt.Fprintf(&b, " %s | %s | %.1f | %d | %.1f | %s | %.1f | %s |\n", cost, solver.FormatYen(r.StandaloneTotal),
			r.SavingPct, r.Bundles, 100*r.Gap, mdEscape(ir), r.Seconds, yesNo(r.Cached))
	}
	var notes []string
	for i := range rows {
		if rows[i].Error != "" {
			notes = append(notes, fmt.Sprintf("- #%d %s: %s", rows[i].Index, mdEscape(rows[i].Name), mdEscape(rows[i].Error)))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
