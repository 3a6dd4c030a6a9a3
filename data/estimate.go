package data

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tabane/tabane/solver"
)

// CostModel estimates an asset's direct inspection cost c_a (yen), workload (person-days)
// and special equipment when the inventory does not give them explicitly. It is a simple,
// documented default; every figure is a field so that a scenario can change it.
//
// The defaults (DefaultCostModel) follow DOMAIN.md:
//   - a municipal bridge costs about ¥280k–570k to inspect: here ¥250k + ¥8k per metre
//     (an 8 m bridge ¥314k, a 30 m bridge ¥490k), 0.8 + 0.06 person-days per metre;
//   - a bridge over a railway adds the railway operator's work (track closure, night work,
//     road-rail vehicles), ¥3.9M–14M: here ¥3.9M + ¥60k per metre, at most ¥14M, plus
//     2 person-days and the rail_coordination equipment;
//   - a bridge rated III or IV costs 15 % more (a detailed damage record);
//   - equipment: a bridge of 15 m or longer needs a bridge inspection vehicle
//     (snooper_truck, 橋梁点検車); over water and 30 m or longer a boat; 200 m or longer a
//     rope access team; 5.5 m wide or more (two lanes), or with a snooper truck, traffic
//     guards (traffic_control, 交通誘導員). Tunnels, footbridges and road furniture need an
//     aerial work platform and traffic guards, culverts traffic guards.
type CostModel struct {
	// InspectionCycleYears: an asset last inspected in fiscal year y falls due in y + cycle.
	InspectionCycleYears int                 `json:"inspection_cycle_years"`
	Kinds                map[string]KindCost `json:"kinds"`
	// DamagedFactor multiplies cost and workload of assets rated III or IV.
	DamagedFactor float64 `json:"damaged_factor"`
	// Over-rail bridges: extra cost Base + PerMetre·length, capped at Max; extra workload.
	OverRailBase     float64 `json:"over_rail_base"`
	OverRailPerMetre float64 `json:"over_rail_per_metre"`
	OverRailMax      float64 `json:"over_rail_max"`
	OverRailWorkload float64 `json:"over_rail_workload"`
	// Bridge equipment thresholds (metres).
	SnooperMinLength       float64 `json:"snooper_min_length_m"`
	BoatMinLength          float64 `json:"boat_min_length_m"`
	RopeAccessMinLength    float64 `json:"rope_access_min_length_m"`
	TrafficControlMinWidth float64 `json:"traffic_control_min_width_m"`
}

// KindCost prices one asset kind: cost = Base + PerMetre·length, workload = Workload +
// WorkloadPerMetre·length (length 0 when unknown), plus the listed equipment.
type KindCost struct {
	Base             float64  `json:"base"`
	PerMetre         float64  `json:"per_metre"`
	Workload         float64  `json:"workload"`
	WorkloadPerMetre float64  `json:"workload_per_metre"`
	Equipment        []string `json:"equipment"`
}

// DefaultCostModel returns the documented defaults (see CostModel).
func DefaultCostModel() *CostModel {
	return &CostModel{
		InspectionCycleYears: 5,
		Kinds: map[string]KindCost{
			"bridge":         {Base: 250_000, PerMetre: 8_000, Workload: 0.8, WorkloadPerMetre: 0.06},
			"tunnel":         {Base: 500_000, PerMetre: 2_500, Workload: 3, WorkloadPerMetre: 0.02, Equipment: []string{"aerial_platform", "traffic_control"}},
			"culvert":        {Base: 180_000, PerMetre: 3_000, Workload: 1.2, WorkloadPerMetre: 0.03, Equipment: []string{"traffic_control"}},
			"footbridge":     {Base: 220_000, PerMetre: 4_000, Workload: 1.2, WorkloadPerMetre: 0.03, Equipment: []string{"aerial_platform", "traffic_control"}},
			"road_furniture": {Base: 80_000, PerMetre: 3_000, Workload: 0.4, WorkloadPerMetre: 0.02, Equipment: []string{"aerial_platform", "traffic_control"}},
			"sewer_plant":    {Base: 2_400_000, Workload: 25},
			"pump_station":   {Base: 450_000, Workload: 5},
		},
		DamagedFactor:          1.15,
		OverRailBase:           3_900_000,
		OverRailPerMetre:       60_000,
		OverRailMax:            14_000_000,
		OverRailWorkload:       2,
		SnooperMinLength:       15,
		BoatMinLength:          30,
		RopeAccessMinLength:    200,
		TrafficControlMinWidth: 5.5,
	}
}

// DefaultEquipmentPrices are the mobilisation prices M_e of docs/model.md's example (yen per bundle).
func DefaultEquipmentPrices() map[string]float64 {
	return map[string]float64{"snooper_truck": 500_000, "aerial_platform": 150_000, "rope_access": 250_000,
		"boat": 200_000, "traffic_control": 80_000, "rail_coordination": 1_000_000}
}

// DefaultParams are the prices, limits and rules of docs/model.md's example instance.
func DefaultParams() solver.Params {
	f := func(x float64) *float64 { return &x }
	maxAssets := 250
	return solver.Params{
		Currency:                 "JPY",
		ContractFixedCost:        2_000_000,
		TravelCostPerKm:          400,
		Circuity:                 f(1.3),
		Equipment:                DefaultEquipmentPrices(),
		MixedDisciplineSurcharge: f(1_000_000),
		Limits: solver.Limits{MinValue: f(8_000_000), MaxValue: f(80_000_000), MaxWorkload: f(600),
			MaxAssets: &maxAssets, MaxDistanceKm: f(35)},
	}
}

// Estimate is an asset's model figures.
type Estimate struct {
	Cost      float64
	Workload  float64
	Equipment []string
}

// Estimate returns the asset's cost, workload and equipment: the explicit values where the
// inventory has them, the model's estimate for the others. It fails for a kind the model
// does not price when the asset lacks an explicit cost or workload.
func (cm *CostModel) Estimate(a Asset) (Estimate, error) {
	e, _, _, err := cm.explain(a, false)
	return e, err
}

// Explain is Estimate with the reasons: one line per figure saying where it comes from
// (the explicit value of the inventory, or the unit costs and attributes that priced it),
// in the order cost, workload, equipment.
func (cm *CostModel) Explain(a Asset) (Estimate, []string, error) {
	e, why, _, err := cm.explain(a, true)
	return e, why, err
}

// Reason is one step of an estimate in a stable form, so that a reader (the page) can say it
// in its own language: Part is cost, workload or equipment; Code names the rule (the list
// is in docs/api-contract.md); Args holds the rule's figures and names (numbers as numbers, yen unrounded).
type Reason struct {
	Part string         `json:"part"`
	Code string         `json:"code"`
	Args map[string]any `json:"args,omitempty"`
}

// ExplainCoded is Explain with the same reasons also as codes (the English lines of Explain
// and the coded reasons come from the same steps; the codes do not carry the totals, which are
// the Estimate's).
func (cm *CostModel) ExplainCoded(a Asset) (Estimate, []string, []Reason, error) {
	return cm.explain(a, true)
}

func (cm *CostModel) explain(a Asset, why bool) (Estimate, []string, []Reason, error) {
	kc, known := cm.Kinds[a.Kind]
	if !known && (a.Cost == nil || a.Workload == nil) {
		return Estimate{}, nil, nil, fmt.Errorf("asset %s: kind %q has no default cost: give cost and workload explicitly", a.ID, a.Kind)
	}
	// A row stored before the rules of validate.go may hold a length that makes every
	// figure infinite: say so instead of answering +Inf, which no reader can carry.
	for _, x := range []*float64{a.LengthM, a.WidthM, a.Cost, a.Workload} {
		if x != nil && (math.IsNaN(*x) || math.IsInf(*x, 0) || *x < 0 || *x > MaxCostYen*MaxLengthM) {
			probs := assetFigures(a, cm)
			return Estimate{}, nil, nil, fmt.Errorf("asset %s: %w", a.ID, invalid(probs))
		}
	}
	length, width := 0.0, 0.0
	if a.LengthM != nil {
		length = *a.LengthM
	}
	if a.WidthM != nil {
		width = *a.WidthM
	}
	// Each step is noted twice, as English prose and as a code with its figures, so that
	// the two can never say different things.
	type step struct {
		text string
		code Reason
	}
	var costWhy, workWhy, equipWhy []step
	note := func(list *[]step, part, code string, args map[string]any, format string, fargs ...any) {
		if why {
			*list = append(*list, step{fmt.Sprintf(format, fargs...), Reason{Part: part, Code: code, Args: args}})
		}
	}
	type m = map[string]any
	cost := kc.Base + kc.PerMetre*length
	work := kc.Workload + kc.WorkloadPerMetre*length
	note(&costWhy, "cost", "kind_rate", m{"kind": a.Kind, "base": kc.Base, "per_metre": kc.PerMetre, "length_m": length},
		"%s: ¥%s + ¥%s/m × %s m", a.Kind, yen(kc.Base), yen(kc.PerMetre), num(length))
	note(&workWhy, "workload", "kind_rate", m{"kind": a.Kind, "base": kc.Workload, "per_metre": kc.WorkloadPerMetre, "length_m": length},
		"%s: %s + %s person-days/m × %s m", a.Kind, num(kc.Workload), num(kc.WorkloadPerMetre), num(length))
	equip := append([]string(nil), kc.Equipment...)
	if len(kc.Equipment) > 0 {
		note(&equipWhy, "equipment", "kind_equipment", m{"kind": a.Kind, "equipment": kc.Equipment},
			"%s: %s", a.Kind, strings.Join(kc.Equipment, ", "))
	}
	if a.Kind == "bridge" {
		snooper := length >= cm.SnooperMinLength
		if snooper {
			equip = append(equip, "snooper_truck")
			note(&equipWhy, "equipment", "snooper_length", m{"length_m": length, "min_m": cm.SnooperMinLength},
				"snooper_truck: length %s m ≥ %s m", num(length), num(cm.SnooperMinLength))
		}
		if a.OverWater && length >= cm.BoatMinLength {
			equip = append(equip, "boat")
			note(&equipWhy, "equipment", "boat_over_water", m{"length_m": length, "min_m": cm.BoatMinLength},
				"boat: over water and length %s m ≥ %s m", num(length), num(cm.BoatMinLength))
		}
		if length >= cm.RopeAccessMinLength {
			equip = append(equip, "rope_access")
			note(&equipWhy, "equipment", "rope_access_length", m{"length_m": length, "min_m": cm.RopeAccessMinLength},
				"rope_access: length %s m ≥ %s m", num(length), num(cm.RopeAccessMinLength))
		}
		if snooper || width >= cm.TrafficControlMinWidth {
			equip = append(equip, "traffic_control")
			if snooper {
				note(&equipWhy, "equipment", "traffic_control_snooper", nil, "traffic_control: guards for the snooper truck")
			} else {
				note(&equipWhy, "equipment", "traffic_control_width", m{"width_m": width, "min_m": cm.TrafficControlMinWidth},
					"traffic_control: width %s m ≥ %s m", num(width), num(cm.TrafficControlMinWidth))
			}
		}
	}
	if a.OverRail {
		extra := math.Min(cm.OverRailMax, cm.OverRailBase+cm.OverRailPerMetre*length)
		cost += extra
		work += cm.OverRailWorkload
		equip = append(equip, "rail_coordination")
		note(&costWhy, "cost", "over_rail", m{"max": cm.OverRailMax, "base": cm.OverRailBase, "per_metre": cm.OverRailPerMetre,
			"length_m": length, "extra": extra},
			"over rail: + min(¥%s, ¥%s + ¥%s/m × %s m) = ¥%s", yen(cm.OverRailMax), yen(cm.OverRailBase),
			yen(cm.OverRailPerMetre), num(length), yen(extra))
		note(&workWhy, "workload", "over_rail", m{"extra": cm.OverRailWorkload}, "over rail: + %s person-days", num(cm.OverRailWorkload))
		note(&equipWhy, "equipment", "rail_coordination", nil, "rail_coordination: over rail")
	}
	if a.Rating != nil && *a.Rating >= 3 {
		cost *= cm.DamagedFactor
		work *= cm.DamagedFactor
		dm := m{"health": *a.Rating, "factor": cm.DamagedFactor}
		note(&costWhy, "cost", "damaged", dm, "health %s: × %s", roman(*a.Rating), num(cm.DamagedFactor))
		note(&workWhy, "workload", "damaged", dm, "health %s: × %s", roman(*a.Rating), num(cm.DamagedFactor))
	}
	e := Estimate{Cost: math.Round(cost), Workload: math.Round(work*100) / 100, Equipment: equip}
	if a.Cost != nil {
		e.Cost = *a.Cost
		costWhy = nil
		note(&costWhy, "cost", "explicit", nil, "explicit in the inventory")
	}
	if a.Workload != nil {
		e.Workload = *a.Workload
		workWhy = nil
		note(&workWhy, "workload", "explicit", nil, "explicit in the inventory")
	}
	if a.Equipment != nil {
		e.Equipment = append([]string{}, a.Equipment...)
		equipWhy = nil
		note(&equipWhy, "equipment", "explicit", nil, "explicit in the inventory")
	}
	if !why {
		return e, nil, nil, nil
	}
	if len(equipWhy) == 0 {
		note(&equipWhy, "equipment", "none_needed", nil, "none needed")
	}
	texts := func(steps []step) string {
		out := make([]string, len(steps))
		for i, s := range steps {
			out[i] = s.text
		}
		return strings.Join(out, "; ")
	}
	reasons := []string{fmt.Sprintf("cost ¥%s: %s", yen(e.Cost), texts(costWhy)),
		fmt.Sprintf("workload %s person-days: %s", num(e.Workload), texts(workWhy))}
	var codes []Reason
	for _, s := range append(append(costWhy, workWhy...), equipWhy...) {
		codes = append(codes, s.code)
	}
	for _, w := range equipWhy {
		reasons = append(reasons, "equipment "+w.text)
	}
	return e, reasons, codes, nil
}

// yen prints an amount with thousands separators (412,000), decimals only when present.
func yen(x float64) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if x < 0 {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// num prints a number without float noise (0.06, 23.5, 2).
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// roman is the 健全性 rating I–IV of 1–4.
func roman(r int) string {
	if r >= 1 && r <= 4 {
		return [...]string{"I", "II", "III", "IV"}[r-1]
	}
	return strconv.Itoa(r)
}

// Due reports whether the asset falls due for inspection in fiscal year fy: never
// inspected, or last inspected InspectionCycleYears or more years before.
func (cm *CostModel) Due(a Asset, fy int) bool {
	return a.LastInspectionFY == nil || *a.LastInspectionFY+cm.InspectionCycleYears <= fy
}
