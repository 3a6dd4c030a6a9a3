package whatif

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tabane/tabane/solver"
)

// Lang is the language of the tables, charts and summary written for people.
type Lang string

// The languages of the output: Japanese is the default, because the tables go to the
// mayors' meetings as they are.
const (
	Ja Lang = "ja"
	En Lang = "en"
)

// ParseLang reads a --lang flag or a ?lang= parameter; "" is Japanese.
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "ja":
		return Ja, nil
	case "en":
		return En, nil
	}
	return "", fmt.Errorf("lang %q: expected ja or en", s)
}

// pick is the text of lang: ja or en.
func (l Lang) pick(ja, en string) string {
	if l == En {
		return en
	}
	return ja
}

// Output says for whom and about what the people's files are written: the language,
// the batch and base names of the summary, and the municipality names (code → name)
// that stand for codes in tables and legends.
type Output struct {
	Lang  Lang
	Batch string
	Base  string
	Names map[string]string
}

// NewOutput is the Output of a batch on base (nil base: codes stay codes).
func NewOutput(lang Lang, batch string, base *solver.Instance) Output {
	o := Output{Lang: lang, Batch: batch, Names: map[string]string{}}
	if base != nil {
		o.Base = base.Name
		for _, m := range base.Municipalities {
			o.Names[m.Code] = m.Name
		}
	}
	return o
}

// name is the municipality's name, or its code when the base does not name it.
func (o Output) name(code string) string {
	if n := o.Names[code]; n != "" {
		return n
	}
	return code
}

// paramLabel is the ja/en label of an override key and whether its values are yen.
type paramLabel struct {
	ja, en string
	yen    bool
}

// paramLabels names the override keys of the instance's parameters and the solver.
var paramLabels = map[string]paramLabel{
	"params.contract_fixed_cost":            {"契約固定費", "Fixed cost per contract", true},
	"params.travel_cost_per_km":             {"移動費（1 km あたり）", "Travel cost per km", true},
	"params.circuity":                       {"迂回係数", "Circuity", false},
	"params.mixed_discipline_surcharge":     {"分野混在の加算額", "Mixed-discipline surcharge", true},
	"params.limits.min_value":               {"最低契約額", "Minimum contract value", true},
	"params.limits.max_value":               {"最高契約額", "Maximum contract value", true},
	"params.limits.max_workload":            {"最大作業量", "Maximum workload", false},
	"params.limits.max_assets":              {"最大施設数", "Maximum assets per contract", false},
	"params.limits.max_distance_km":         {"最大距離（km）", "Maximum distance (km)", false},
	"params.region_locked":                  {"圏域内に限る", "Within one region", false},
	"params.require_individual_rationality": {"個別合理性を必須", "Individual rationality required", false},
	"without":                               {"不参加", "Not participating", false},
	BaseKey:                                 {"基準データ", "Base", false},
	"solver.time_limit":                     {"計算時間上限", "Time limit", false},
	"solver.seed":                           {"乱数シード", "Seed", false},
	"solver.max_iterations":                 {"反復上限", "Iteration cap", false},
	"solver.threads":                        {"スレッド数", "Threads", false},
}

// kindLabels names the asset kinds of docs/model.md in Japanese.
var kindLabels = map[string]string{
	"bridge": "橋梁", "culvert": "カルバート", "footbridge": "横断歩道橋", "pump_station": "ポンプ場",
	"road_furniture": "道路附属物", "sewer_plant": "下水処理場", "tunnel": "トンネル", "*": "全種別",
}

var costFieldLabels = map[string][2]string{
	"cost_factor":     {"単価倍率", "Cost factor"},
	"cost_add":        {"単価加算", "Cost added"},
	"cost":            {"単価", "Cost"},
	"workload_factor": {"作業量倍率", "Workload factor"},
	"workload":        {"作業量", "Workload"},
}

// Label is the readable name of an override key in lang: 契約固定費 for
// params.contract_fixed_cost, 単価倍率（橋梁） for cost_model.bridge.cost_factor,
// 参加（奈良市） for municipalities.29201.participates. A key without a label keeps
// its short form.
func (o Output) Label(key string) string {
	if l, ok := paramLabels[key]; ok {
		return o.Lang.pick(l.ja, l.en)
	}
	if l, ok := o.programmeLabel(key); ok {
		return o.Lang.pick(l.ja, l.en)
	}
	segs := strings.Split(key, ".")
	switch {
	case len(segs) == 3 && segs[0] == "params" && segs[1] == "equipment":
		return o.Lang.pick("機材費（"+segs[2]+"）", "Equipment: "+segs[2])
	case len(segs) == 3 && segs[0] == "cost_model":
		if f, ok := costFieldLabels[segs[2]]; ok {
			kind := segs[1]
			if o.Lang == En {
				if kind == "*" {
					kind = "all kinds"
				}
				return f[1] + " (" + kind + ")"
			}
			if k, ok := kindLabels[kind]; ok {
				kind = k
			}
			return f[0] + "（" + kind + "）"
		}
	case len(segs) == 3 && segs[0] == "municipalities":
		field := map[string][2]string{"participates": {"参加", "Participates"}, "region": {"圏域", "Region"}}[segs[2]]
		if field[0] != "" {
			return o.Lang.pick(field[0]+"（"+o.name(segs[1])+"）", field[1]+" ("+o.name(segs[1])+")")
		}
	}
	return ShortKey(key)
}

// isYen says whether the values of key are amounts of money.
func isYen(key string) bool {
	if l, ok := paramLabels[key]; ok {
		return l.yen
	}
	if l, ok := (Output{}).programmeLabel(key); ok {
		return l.yen
	}
	segs := strings.Split(key, ".")
	return len(segs) == 3 && (segs[0] == "params" && segs[1] == "equipment" ||
		segs[0] == "cost_model" && segs[2] == "cost_add" || segs[0] == "assets" && segs[2] == "cost")
}

// Value is an override's value for people: amounts with separators and a currency,
// null as what it means for the key (混在不可 for the surcharge, 上限なし for a limit),
// booleans as はい/いいえ, municipalities of without by name.
func (o Output) Value(key string, v any) string {
	l := o.Lang
	switch x := v.(type) {
	case nil:
		if key == "params.mixed_discipline_surcharge" {
			return l.pick("混在不可", "forbidden")
		}
		if strings.HasPrefix(key, "params.limits.") || strings.HasPrefix(key, "programme.year_limits.") {
			return l.pick("上限なし", "no limit")
		}
		return l.pick("なし", "none")
	case bool:
		if x {
			return l.pick("はい", "yes")
		}
		return l.pick("いいえ", "no")
	case []any:
		if len(x) == 0 {
			return l.pick("なし", "none")
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = o.Value(key, e)
		}
		return strings.Join(parts, l.pick("・", ", "))
	case string:
		if key == "without" {
			return o.name(x)
		}
	case int:
		if key == "without" {
			return o.name(fmt.Sprintf("%05d", x))
		}
	}
	if n, ok := number(v); ok && isYen(key) {
		return o.Yen(n)
	}
	return FormatValue(v)
}

// Yen is an amount with separators: 1,234,567 円 (ja) or ¥1,234,567 (en).
func (o Output) Yen(x float64) string {
	s := solver.FormatYen(x)
	if o.Lang == En {
		return s
	}
	return strings.Replace(s, "¥", "", 1) + " 円"
}

// Pct is a percentage with one decimal.
func Pct(x float64) string { return strconv.FormatFloat(math.Round(10*x)/10, 'f', 1, 64) + " %" }
