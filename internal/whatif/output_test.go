package whatif

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

// meetingBatch asks the tiny instance the summit's questions: a dearer contract, a
// municipality out (by name), no discipline mix, a ¥50M cap. max_iterations makes the
// plans, and so the golden files, the same on any machine.
const meetingBatch = `name: meeting
base: tiny.json
solver: {time_limit: 600s, seed: 7, max_iterations: 100}
variations:
  - name: today
  - name: fixed-3m
    set: {params.contract_fixed_cost: 3000000}
  - name: without-town-02
    without: ["町02"]
  - name: no-mix
    set: {params.mixed_discipline_surcharge: null}
  - name: cap-50m
    set: {params.limits.max_value: 50000000}
`

// meetingRows solves meetingBatch and returns its rows and base.
func meetingRows(t *testing.T) ([]Row, Output) {
	t.Helper()
	dir := t.TempDir()
	b := writeBatch(t, dir, meetingBatch)
	vars := expand(t, b)
	rows, err := Run(context.Background(), vars, RunOptions{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		// The figures that depend on the machine: the time, and the lower bound (its
		// search runs against the clock, not an iteration cap).
		rows[i].Seconds, rows[i].Gap, rows[i].LowerBound = 0, 0, 0
	}
	return rows, NewOutput(Ja, b.Name, vars[0].Instance) // today: the base as it is
}

// golden compares got with testdata/NAME; TABANE_UPDATE_GOLDEN=1 rewrites the file
// (check the diff by hand before committing it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("TABANE_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestMeetingOutputsJapanese(t *testing.T) {
	rows, o := meetingRows(t)
	var md, shares, summary bytes.Buffer
	if err := WriteMarkdown(&md, rows, o); err != nil {
		t.Fatal(err)
	}
	golden(t, "meeting-results.ja.md", md.Bytes())
	if err := WriteShares(&shares, rows, o); err != nil {
		t.Fatal(err)
	}
	golden(t, "meeting-shares.ja.csv", shares.Bytes())

	// The variation without 町02 has five municipalities, the others six: 5×6 + 5 lines.
	if n := strings.Count(shares.String(), "\n"); n != 1+4*6+5 {
		t.Errorf("shares.csv has %d lines, want 30", n)
	}
	if strings.Contains(shares.String(), ",without-town-02,29003,") {
		t.Errorf("shares.csv lists 町02 (29003) in the variation it stays out of")
	}

	if err := WriteSummary(&summary, rows, o); err != nil {
		t.Fatal(err)
	}
	page := summary.String()
	for _, want := range []string{`<html lang="ja">`, "<title>条件別試算の概要 — meeting</title>",
		"基準データ: p-tiny", "分野混在の加算額：混在不可", "契約固定費：3,000,000 円", "不参加：町02",
		"最高契約額：50,000,000 円", "市町村別の負担（today）", "<td>29001</td><td>町01</td>", "市町村ごとの削減率（試算別）"} {
		if !strings.Contains(page, want) {
			t.Errorf("summary.html lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Errorf("summary.html has a script")
	}

	var csvOut, chart bytes.Buffer
	if err := WriteCSV(&csvOut, rows, o.Lang); err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(csvOut.String(), "\n")
	if want := "番号,試算,params.contract_fixed_cost,without,params.mixed_discipline_surcharge,params.limits.max_value," +
		"実行可能,総費用（円）,単独合計（円）,削減額（円）,削減率（%）,契約数,下界（円）,ギャップ（%）,個別合理性違反数," +
		"個別合理性違反団体,計算秒数,キャッシュ,計画ファイル,エラー"; head != want {
		t.Errorf("results.csv header\n%s\nwant\n%s", head, want)
	}
	if err := WriteSharesChartSVG(&chart, rows, o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"市町村ごとの削減率（試算別）", "町01", "村04", "without-town-02"} {
		if !strings.Contains(chart.String(), want) {
			t.Errorf("municipalities.svg lacks %q", want)
		}
	}
}

func TestMeetingOutputsEnglish(t *testing.T) {
	rows, o := meetingRows(t)
	o.Lang = En
	var md, shares bytes.Buffer
	if err := WriteMarkdown(&md, rows, o); err != nil {
		t.Fatal(err)
	}
	golden(t, "meeting-results.en.md", md.Bytes())
	if err := WriteShares(&shares, rows, o); err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(shares.String(), "\n")
	if head != "index,variation,code,municipality,standalone,share,saving,saving_pct,ir_violation" {
		t.Errorf("shares.csv header %q", head)
	}
}

func TestLabelsAndValues(t *testing.T) {
	ja := Output{Lang: Ja, Names: map[string]string{"29201": "奈良市"}}
	en := Output{Lang: En, Names: ja.Names}
	cases := []struct {
		key          string
		v            any
		label, value string
		enLabel      string
		enValue      string
	}{
		{"params.contract_fixed_cost", 3e6, "契約固定費", "3,000,000 円", "Fixed cost per contract", "¥3,000,000"},
		{"params.mixed_discipline_surcharge", nil, "分野混在の加算額", "混在不可", "Mixed-discipline surcharge", "forbidden"},
		{"params.limits.max_value", nil, "最高契約額", "上限なし", "Maximum contract value", "no limit"},
		{"params.limits.max_assets", 40, "最大施設数", "40", "Maximum assets per contract", "40"},
		{"params.region_locked", true, "圏域内に限る", "はい", "Within one region", "yes"},
		{"without", []any{"29201", "29999"}, "不参加", "奈良市・29999", "Not participating", "奈良市, 29999"},
		{"without", []any{}, "不参加", "なし", "Not participating", "none"},
		{"cost_model.bridge.cost_factor", 1.2, "単価倍率（橋梁）", "1.2", "Cost factor (bridge)", "1.2"},
		{"cost_model.*.cost_add", 1000, "単価加算（全種別）", "1,000 円", "Cost added (all kinds)", "¥1,000"},
		{"params.equipment.boat", 2e5, "機材費（boat）", "200,000 円", "Equipment: boat", "¥200,000"},
		{"municipalities.29201.participates", false, "参加（奈良市）", "いいえ", "Participates (奈良市)", "no"},
		{"assets.A1.cost", 5e5, "assets.A1.cost", "500,000 円", "assets.A1.cost", "¥500,000"},
	}
	for _, c := range cases {
		if got := ja.Label(c.key); got != c.label {
			t.Errorf("ja label of %s = %q, want %q", c.key, got, c.label)
		}
		if got := ja.Value(c.key, c.v); got != c.value {
			t.Errorf("ja value of %s = %q, want %q", c.key, got, c.value)
		}
		if got := en.Label(c.key); got != c.enLabel {
			t.Errorf("en label of %s = %q, want %q", c.key, got, c.enLabel)
		}
		if got := en.Value(c.key, c.v); got != c.enValue {
			t.Errorf("en value of %s = %q, want %q", c.key, got, c.enValue)
		}
	}
	if _, err := ParseLang("fr"); err == nil || err.Error() != `lang "fr": expected ja or en` {
		t.Errorf("ParseLang(fr) = %v", err)
	}
	if l, err := ParseLang(""); l != Ja || err != nil {
		t.Errorf("ParseLang(\"\") = %q, %v; want ja", l, err)
	}
}

func TestMunicipalityNames(t *testing.T) {
	// 町02 is 29003: by name in without and in a path, like its code.
	byName := expand(t, writeBatch(t, t.TempDir(), `name: n
base: tiny.json
variations:
  - name: out
    without: ["町02"]
  - name: path
    set: {municipalities.町02.participates: false}
`))
	for _, v := range byName {
		for _, m := range v.Instance.Municipalities {
			if out := m.Participates != nil && !*m.Participates; out != (m.Code == "29003") {
				t.Errorf("variation %s: %s (%s) participates=%v", v.Name, m.Code, m.Name, m.Participates)
			}
		}
	}
	got := expandErr(t, `name: n
base: tiny.json
variations:
  - name: ghost
    without: ["生駒市"]
  - name: ghost-path
    set: {municipalities.生駒市.region: R1}
`)
	want := `variation "ghost": without: municipality "生駒市" is not in the instance (neither a code nor a name)
variation "ghost-path": municipalities.生駒市: no element of municipalities with code "生駒市" in the base instance`
	if got != want {
		t.Errorf("error\n%s\nwant\n%s", got, want)
	}
}

func TestAmbiguousMunicipalityName(t *testing.T) {
	ms := []solver.Municipality{{Code: "29001", Name: "町"}, {Code: "29003", Name: "町"}, {Code: "29201", Name: "奈良市"}}
	if _, err := findMunicipality(ms, "町"); err == nil || err.Error() != `municipality name "町" is ambiguous (codes 29001, 29003): use the code` {
		t.Errorf("ambiguous name: %v", err)
	}
	for ref, want := range map[string]int{"奈良市": 2, "29003": 1, "292010": 2} {
		if i, err := findMunicipality(ms, ref); i != want || err != nil {
			t.Errorf("findMunicipality(%q) = %d, %v; want %d", ref, i, err, want)
		}
	}
	list := []any{map[string]any{"code": "29001", "name": "町"}, map[string]any{"code": "29003", "name": "町"}}
	if _, err := elementByName(list, "町"); err == nil || err.Error() != `name "町" is ambiguous (codes 29001, 29003): use the code` {
		t.Errorf("ambiguous path name: %v", err)
	}
}

func TestSummarySplitsLongMunicipalityTable(t *testing.T) {
	r := Row{Index: 1, Name: "today", Feasible: true, Plan: &solver.Plan{}, Cost: 13e6,
		Standalone: map[string]float64{}, Shares: map[string]float64{}}
	for i := range 13 {
		c := fmt.Sprintf("29%03d", i)
		r.Standalone[c], r.Shares[c] = 2e6, 1e6
	}
	for _, c := range []struct{ n, tables int }{{13, 3}, {12, 2}} {
		n, tables := c.n, c.tables
		if n == 12 {
			delete(r.Standalone, "29012")
			delete(r.Shares, "29012")
		}
		var b bytes.Buffer
		if err := WriteSummary(&b, []Row{r}, Output{Lang: Ja, Batch: "b"}); err != nil {
			t.Fatal(err)
		}
		// The variations' table, then the municipalities in one table (12) or two (13).
		if got := strings.Count(b.String(), "<table>"); got != tables {
			t.Errorf("%d municipalities: %d tables, want %d", n, got, tables)
		}
		if !strings.Contains(b.String(), "<td>29000</td><td>29000</td><td class=\"n\">2,000,000 円</td><td class=\"n\">1,000,000 円</td><td class=\"n\">1,000,000 円</td><td class=\"n\">50.0 %</td>") {
			t.Errorf("%d municipalities: no row of 29000 in\n%s", n, b.String())
		}
	}
}
