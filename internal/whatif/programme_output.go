package whatif

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// programmeColumns are the columns results.csv and results.md add when some row is a
// programme's: the value of each fiscal year any row plans (a variation may move the
// horizon), the max/min ratio of the yearly values and the saving against year-by-year
// planning. A nil *programmeColumns (a version-1 batch) adds nothing, so version-1
// tables stay as they were.
type programmeColumns struct {
	fys []int
}

func newProgrammeColumns(rows []Row) *programmeColumns {
	var pc *programmeColumns
	seen := map[int]bool{}
	for i := range rows {
		p := rows[i].Programme
		if p == nil {
			continue
		}
		if pc == nil {
			pc = &programmeColumns{}
		}
		for k := range p.Years {
			if fy := p.FirstFY + k; !seen[fy] {
				seen[fy] = true
				pc.fys = append(pc.fys, fy)
			}
		}
	}
	if pc != nil {
		sort.Ints(pc.fys)
	}
	return pc
}

func infeasibleWord(l Lang) string { return l.pick("実行不可能", "infeasible") }

// csvHead: value_fy2026 … value_max_min, yearly_total, yearly_saving,
// yearly_saving_pct, yearly_note (en; ja: 2026年度の額（円） …).
func (pc *programmeColumns) csvHead(l Lang) []string {
	if pc == nil {
		return nil
	}
	var head []string
	for _, fy := range pc.fys {
		head = append(head, l.pick(fmt.Sprintf("%d年度の額（円）", fy), fmt.Sprintf("value_fy%d", fy)))
	}
	return append(head, l.pick("年度額の最大／最小", "value_max_min"), l.pick("年度別計画の合計（円）", "yearly_total"),
		l.pick("年度別計画比の削減額（円）", "yearly_saving"), l.pick("年度別計画比の削減率（%）", "yearly_saving_pct"),
		l.pick("年度別計画の注記", "yearly_note"))
}

// csvCells are r's programme cells: plain numbers; the ratio "inf" when a year has no
// value; the year-by-year total and saving "infeasible" when year-by-year planning has
// no feasible plan (the reasons in yearly_note); empty where there is nothing to say.
func (pc *programmeColumns) csvCells(r *Row, l Lang) []string {
	if pc == nil {
		return nil
	}
	cells := make([]string, len(pc.fys)+5)
	p := r.Programme
	if p == nil {
		return cells
	}
	for i, fy := range pc.fys {
		if v, ok := p.value(fy); ok {
			cells[i] = ff(v)
		}
	}
	rest := cells[len(pc.fys):]
	switch {
	case p.ValueRatio != nil:
		rest[0] = ff(round(*p.ValueRatio, 4))
	case len(p.Values) > 0:
		rest[0] = "inf"
	}
	if !p.YearlyFeasible {
		rest[1], rest[2] = infeasibleWord(l), infeasibleWord(l)
	} else if p.YearlyTotal != nil {
		rest[1] = ff(*p.YearlyTotal)
	}
	if p.YearlySaving != nil {
		rest[2] = ff(*p.YearlySaving)
	}
	if p.YearlySavingPct != nil {
		rest[3] = ff(round(*p.YearlySavingPct, 4))
	}
	rest[4] = strings.Join(p.YearlyWhy, "; ")
	return cells
}

// value is the programme's value in fiscal year fy, when the row plans it.
func (p *ProgrammeRow) value(fy int) (float64, bool) {
	for _, y := range p.Values {
		if y.FY == fy {
			return y.Value, true
		}
	}
	return 0, false
}

// heads are the header cells: 2026年度 … 最大／最小, 年度別計画比の削減.
func (pc *programmeColumns) heads(l Lang) []string {
	var head []string
	for _, fy := range pc.fys {
		head = append(head, l.pick(fmt.Sprintf("%d年度", fy), fmt.Sprintf("FY%d", fy)))
	}
	return append(head, l.pick("最大／最小", "max/min"), l.pick("年度別計画比の削減", "saving vs year by year"))
}

// mdHead is the Markdown header cells, " 2026年度 | … |".
func (pc *programmeColumns) mdHead(l Lang) string {
	if pc == nil {
		return ""
	}
	return " " + strings.Join(pc.heads(l), " | ") + " |"
}

func (pc *programmeColumns) mdRule() string {
	if pc == nil {
		return ""
	}
	return strings.Repeat("---:|", len(pc.fys)+2)
}

// mdCells are r's programme cells of results.md, " 100 円 | … |".
func (pc *programmeColumns) mdCells(r *Row, o Output) string {
	if pc == nil {
		return ""
	}
	return " " + strings.Join(pc.cells(r, o), " | ") + " |"
}

// cells are r's programme cells for people: amounts with separators, the ratio with
// two decimals (∞ when a year has no value), the saving in yen and percent or 実行不可能.
func (pc *programmeColumns) cells(r *Row, o Output) []string {
	cells := make([]string, len(pc.fys)+2)
	for i := range cells {
		cells[i] = "—"
	}
	p := r.Programme
	if p == nil {
		return cells
	}
	for i, fy := range pc.fys {
		if v, ok := p.value(fy); ok {
			cells[i] = o.Yen(v)
		}
	}
	rest := cells[len(pc.fys):]
	switch {
	case p.ValueRatio != nil:
		rest[0] = strconv.FormatFloat(*p.ValueRatio, 'f', 2, 64)
	case len(p.Values) > 0:
		rest[0] = "∞"
	}
	switch {
	case !p.YearlyFeasible:
		rest[1] = infeasibleWord(o.Lang)
	case p.YearlySaving != nil && p.YearlySavingPct != nil:
		rest[1] = o.Yen(*p.YearlySaving) + " (" + Pct(*p.YearlySavingPct) + ")"
	}
	return cells
}

// programmeSummary is summary.html's table of a programme batch: each variation's
// yearly values, their max/min and the saving against year-by-year planning.
type programmeSummary struct {
	Title string
	Head  []string
	Rows  []programmeSummaryRow
}

type programmeSummaryRow struct {
	Index int
	Name  string
	Cells []string
}

// newProgrammeSummary is nil for a version-1 batch, whose page stays as it was.
func newProgrammeSummary(rows []Row, o Output) *programmeSummary {
	pc := newProgrammeColumns(rows)
	if pc == nil {
		return nil
	}
	ps := &programmeSummary{Title: o.Lang.pick("年度別の額と年度別計画との比較", "Value per fiscal year, against year-by-year planning"),
		Head: pc.heads(o.Lang)}
	for i := range rows {
		ps.Rows = append(ps.Rows, programmeSummaryRow{Index: rows[i].Index, Name: rows[i].Name, Cells: pc.cells(&rows[i], o)})
	}
	return ps
}

// mdNotes say why year-by-year planning has no feasible plan, per row.
func (pc *programmeColumns) mdNotes(rows []Row, l Lang) []string {
	if pc == nil {
		return nil
	}
	var notes []string
	for i := range rows {
		if p := rows[i].Programme; p != nil && !p.YearlyFeasible {
			notes = append(notes, fmt.Sprintf("- #%d %s: %s %s", rows[i].Index, mdEscape(rows[i].Name),
				l.pick("年度別計画（各年度を単独で計画）は実行不可能 —", "year by year (each due year alone) has no feasible plan —"),
				mdEscape(strings.Join(p.YearlyWhy, "; "))))
		}
	}
	return notes
}

// programmeLabels name the programme's fields (docs/programme.md) in the tables.
var programmeLabels = map[string]paramLabel{
	"programme.first_fy":                 {"初年度", "First fiscal year", false},
	"programme.years":                    {"計画年数", "Horizon (years)", false},
	"programme.cycle_years":              {"点検周期（年）", "Inspection cycle (years)", false},
	"programme.advance_max_years":        {"前倒し上限（年）", "Brought forward at most (years)", false},
	"programme.contract_years":           {"契約年数", "Contract years", false},
	"programme.year_limits.max_value":    {"年度上限額", "Yearly value cap", true},
	"programme.year_limits.max_workload": {"年度作業量上限", "Yearly workload cap", false},
	BudgetFactorKey:                      {"予算倍率", "Budget factor", false},
	budgetsKey:                           {"予算", "Budgets", false},
}

// programmeLabel is the label of a programme key: programmeLabels, or 予算（奈良市）
// for one municipality's budget, in yen.
func (o Output) programmeLabel(key string) (paramLabel, bool) {
	if l, ok := programmeLabels[key]; ok {
		return l, true
	}
	if ref, ok := strings.CutPrefix(key, budgetsKey+"."); ok && !strings.Contains(ref, ".") {
		return paramLabel{"予算（" + o.name(ref) + "）", "Budget (" + o.name(ref) + ")", true}, true
	}
	return paramLabel{}, false
}
