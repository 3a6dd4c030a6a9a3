package solver

import (
	"fmt"
	"math"
)

// ProgrammePrecheck proves, where it can, that a programme has no feasible plan, with
// reasons a planner can act on. Each reason rests on what every plan must pay: an asset
// due by FY Y is inspected in some year ≤ Y, and its inspection adds at least
// c_a + τ·(distance to the nearest depot that reaches it) to its year's value and to its
// municipality's year share (the other Shapley terms are ≥ 0). So
//
//   - budget: a municipality whose assets due by FY Y cost more, directly, than its
//     budgets for first_fy … Y add up to; or more once the least letting and equipment
//     shares it must pay are added (shareFloor, programme_precheck_share.go);
//   - year_max_value, year_max_workload: the assets due by FY Y cost (or weigh) more than
//     the year caps of first_fy … Y add up to;
//   - min_value: a region's assets (or a discipline's, or all) cannot fill any lot up to
//     L × min_value over the whole horizon (programmeMinValue).
//
// For each municipality and cap only the earliest such Y is reported.
func ProgrammePrecheck(p *Programme) []Infeasibility {
	// least[a]: the least direct term of asset a (+Inf when no depot reaches it, which
	// Precheck's own rules report).
	least := make([]float64, len(p.Assets))
	for _, a := range p.Planned {
		least[a] = math.Inf(1)
		for j := range p.Depots {
			if p.Reachable(j, a) {
				least[a] = min(least[a], p.AssetTerm(j, a))
			}
		}
	}
	var out []Infeasibility
	span := func(y int) string {
		if y == p.FirstFY {
			return fmt.Sprintf("FY%d", y)
		}
		return fmt.Sprintf("FY%d–%02d", p.FirstFY, y%100)
	}
	// byYear[k]: Σ over the assets due in first_fy+k of f(a), for muni (or all when −1).
	byYear := func(muni int, f func(a int) float64) []float64 {
		s := make([]float64, p.Years)
		for _, a := range p.Planned {
			if muni < 0 || p.Assets[a].Muni == muni {
				s[p.Due[a]-p.FirstFY] += f(a)
			}
		}
		return s
	}
	direct := func(a int) float64 { return least[a] }
	floor := p.newShareFloor(least)
	for mu, caps := range p.Budgets {
		if caps == nil {
			continue
		}
		need, have := 0.0, 0.0
		for k, x := range byYear(mu, direct) {
			need, have = need+x, have+caps[k]
			if !finite(need) {
				break
			}
			code, y := p.Munis[mu].Code, p.FirstFY+k
			if valueAbove(need, have) {
				out = append(out, Infeasibility{Rule: "budget", Municipality: code, Value: need, Limit: have,
					Message: fmt.Sprintf("municipality %s: assets due by FY%d cost at least %s directly, its budgets for %s add up to %s",
						code, y, FormatYen(need), span(y), FormatYen(have))})
				break
			}
			// The direct terms fit: add the least letting and equipment shares.
			if f := floor.of(mu, y, caps); valueAbove(need+f.letting+f.equipment, have) {
				total := need + f.letting + f.equipment
				out = append(out, Infeasibility{Rule: "budget", Municipality: code, Value: total, Limit: have,
					Message: fmt.Sprintf("municipality %s: assets due by FY%d cost it at least %s (%s directly, %s of letting costs in at least %d lot(s), %s of equipment in at least %d mobilisation(s)), its budgets for %s add up to %s",
						code, y, FormatYen(total), FormatYen(need), FormatYen(f.letting), f.lots, FormatYen(f.equipment), f.mobilisations, span(y), FormatYen(have))})
				break
			}
		}
	}
	caps := []struct {
		rule, what string
		limit      float64
		f          func(a int) float64
		format     func(float64) string
	}{
		{"year_max_value", "cost at least", p.YearMaxValue, direct, FormatYen},
		{"year_max_workload", "weigh", p.YearMaxWorkload, func(a int) float64 { return p.Assets[a].Workload },
			func(x float64) string { return fmt.Sprintf("%g", x) }},
	}
	for _, c := range caps {
		if !finite(c.limit) {
			continue
		}
		need := 0.0
		for k, x := range byYear(-1, c.f) {
			need += x
			have := float64(k+1) * c.limit
			if finite(need) && valueAbove(need, have) {
				out = append(out, Infeasibility{Rule: c.rule, Value: need, Limit: have,
					Message: fmt.Sprintf("the assets due by FY%d %s %s, the year caps (%s) for %s add up to %s",
						p.FirstFY+k, c.what, c.format(need), c.rule[5:], span(p.FirstFY+k), c.format(have))})
				break
			}
		}
	}
	return append(out, programmeMinValue(p)...)
}
