package main

import (
	"strings"
	"testing"
	"time"
)

const sampleCSV = `index,variation,feasible,total_cost,standalone_total,saving,saving_pct,bundles,lower_bound,gap_pct,ir_violations,ir_municipalities,seconds,cached,plan,error
1,today,yes,1000000000.4,1100000000,100000000,9.0909,13,990000000,1.0101,0,,30.5,no,plans/001-today.json,
2,fixed-3m,yes,1010000000,1160000000,150000000,12.931,14,1000000000,0.99,0,,20,no,plans/002.json,
3,no-road-sewer-mix,yes,1001500000,1100000000,98500000,8.9545,16,990000000,1.2,0,,10,no,plans/003.json,
4,cap-50m,yes,1017100000,1100000000,82900000,7.5364,22,1000000000,1.7,1,29201,9.5,no,plans/004.json,
`

func TestFigures(t *testing.T) {
	rows, err := readRows(strings.NewReader(sampleCSV))
	if err != nil {
		t.Fatal(err)
	}
	got, err := figures(rows, time.Date(2026, 12, 3, 14, 30, 0, 0, time.UTC), "2 CPU(s) (X), go1.26")
	if err != nil {
		t.Fatal(err)
	}
	// Hand-checked: 30.5+20+10+9.5 = 70 s; cap-50m − today = ¥17.1M = 1.71 %;
	// no-mix − today = +¥1.5M = +0.15 %, inside the gaps 1.0 % and 1.2 %.
	for _, want := range []string{
		"on 2026-12-03 14:30 UTC, 2 CPU(s) (X), go1.26; 4 solves, 70 s of solving in all.",
		"| 1 | today | ¥1,000,000,000 | ¥1,100,000,000 | 9.1 | 13 | 1.0 | 0 |",
		"| 4 | cap-50m | ¥1,017,100,000 | ¥1,100,000,000 | 7.5 | 22 | 1.7 | 1 (29201) |",
		"changes the saving from 9.1 % to 12.9 %.",
		"A ¥50M cap needs 22 contracts instead of 13 and costs ¥17.1M more (1.7 %); under it 1 municipality(ies) pay more than alone (29201).",
		"changes the cost by +¥1.5M (+0.15 %), against gaps of 1.0 % and 1.2 %: inside what the solver proves",
		"費用は¥17.1M増えます（単独発注より負担が増える市町村: 29201）。",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("figures lack %q:\n%s", want, got)
		}
	}
}

func TestReadRowsRefuses(t *testing.T) {
	for name, csv := range map[string]string{
		"infeasible":  strings.Replace(sampleCSV, "1,today,yes", "1,today,no", 1),
		"no column":   strings.Replace(sampleCSV, "gap_pct", "gap", 1),
		"not numeric": strings.Replace(sampleCSV, ",13,", ",x,", 1),
		"empty":       strings.SplitAfter(sampleCSV, "\n")[0],
	} {
		if _, err := readRows(strings.NewReader(csv)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	rows, _ := readRows(strings.NewReader(sampleCSV))
	if _, err := figures(rows[1:], time.Now(), ""); err == nil || !strings.Contains(err.Error(), `"today"`) {
		t.Errorf("figures without today: %v", err)
	}
}

// TestProgrammeFigures: the programme batch's table is copied as the batch wrote it, and the
// sentences name the variations within every rule and the largest saving against year by year
// (here #3: ¥12,500,494.75 → ¥12,500,495, 17.8 %; #2's year-by-year has no plan, #1 breaks a budget).
func TestProgrammeFigures(t *testing.T) {
	csvText := `index,variation,feasible,total_cost,yearly_total,yearly_saving,yearly_saving_pct,yearly_note,seconds,error
1,a,no,72495644.05,infeasible,infeasible,,FY2027: x,30.06,breaks
2,b,yes,64930006.67,infeasible,infeasible,,FY2027: y,23.469,
3,c,yes,57798637.13,70299131.88,12500494.749,17.7819,,11.077,
4,d,yes,64718059.13,70299131.88,5581072.749,7.939,,15.032,
`
	got, err := programmeFigures(strings.NewReader(csvText), "| # | variation |\n|---|---|\n| 1 | a |\n",
		time.Date(2026, 12, 3, 17, 30, 0, 0, time.UTC), "2 CPU(s) (X), go1.26")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"on 2026-12-03 17:30 UTC, 2 CPU(s) (X), go1.26; 4 variations, 80 s of solving in all.",
		"| 1 | a |\n",
		"Plans within every rule (budgets included): #2 b, #3 c, #4 d. ",
		"The largest saving against planning each due year alone: #3 c, ¥12,500,495 (17.8 %).",
		"年度別計画に対する削減額が最大なのは #3 c で ¥12,500,495（17.8 %）です。",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("figures lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "#1 a") {
		t.Errorf("#1 breaks a budget and is named among the plans within every rule:\n%s", got)
	}
	if _, err := programmeFigures(strings.NewReader("index,variation,feasible\n1,a,yes\n"), "", time.Time{}, ""); err == nil ||
		!strings.Contains(err.Error(), `no column "yearly_saving"`) {
		t.Errorf("a one-year results.csv: err %v, want no column yearly_saving", err)
	}
}
