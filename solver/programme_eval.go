package solver

import (
	"fmt"
	"sort"
)

// ProgrammeReport is what the evaluation of a version-2 plan adds to Evaluation.
type ProgrammeReport struct {
	FirstFY       int `json:"first_fy"`
	ContractYears int `json:"contract_years"`
	// PlannedAssets counts the programme's assets; AfterHorizon lists the participating
	// assets due after the horizon (not planned).
	PlannedAssets int      `json:"planned_assets"`
	AfterHorizon  []string `json:"after_horizon"`
	// BringForward is Σ pen(a) over the priced lots.
	BringForward float64 `json:"bring_forward"`
	// Lots parallels Evaluation.Bundles: each lot's block and its years.
	Lots    []LotReport    `json:"lots"`
	Years   []YearReport   `json:"years"`
	Budgets []BudgetReport `json:"budgets"`
}

// LotReport is one lot's block and its part in each year of the block.
type LotReport struct {
	ID string `json:"id"`
	FY int    `json:"fy"` // first year of the block; 0 when the plan gave none valid
	// BringForward is Σ pen(a) of the lot; the bundle's breakdown total includes it.
	BringForward float64   `json:"bring_forward"`
	Years        []LotYear `json:"years"`
}

// LotYear is the year-y part of a lot: cost_y(lot), B_y's workload and size, and the
// municipalities' year-y Shapley shares (which add up to Value).
type LotYear struct {
	FY       int                `json:"fy"`
	Value    float64            `json:"value"`
	Workload float64            `json:"workload"`
	Assets   int                `json:"assets"`
	Shares   map[string]float64 `json:"shares"`
}

// YearReport is the whole programme in one fiscal year, next to its caps (nil: no cap).
type YearReport struct {
	FY          int      `json:"fy"`
	Value       float64  `json:"value"`
	Workload    float64  `json:"workload"`
	MaxValue    *float64 `json:"max_value"`
	MaxWorkload *float64 `json:"max_workload"`
	Lots        int      `json:"lots"`   // lots whose block holds the year
	Assets      int      `json:"assets"` // inspections in the year
	// Standalone is the baseline's cost of the assets due in the year.
	Standalone float64 `json:"standalone"`
}

// BudgetReport is one municipality's share in one year next to its budget (nil: none)
// and its standalone cost of the assets due that year.
type BudgetReport struct {
	Municipality string   `json:"municipality"`
	FY           int      `json:"fy"`
	Share        float64  `json:"share"`
	Budget       *float64 `json:"budget"`
	Headroom     *float64 `json:"headroom"` // budget − share
	Standalone   float64  `json:"standalone"`
}

// LotPrice is a priced lot: the breakdown over the whole block (Equipment sums each
// year's mobilisations) and cost_y for each year of the block, in order.
type LotPrice struct {
	Breakdown
	// BringForward is Σ pen(a) over the lot; Breakdown.Total includes it (Breakdown
	// keeps docs/model.md's five terms, so that a lot's report reads like a bundle's).
	BringForward float64
	Years        []float64
}

// LotCost prices a programme lot run from depot j in the block starting fy: asset
// assets[k] inspected in years[k] (inside the block). It is docs/model.md's formula,
// computed by the same code, with equipment mobilised once per year and the
// bring-forward charge added:
//
//	cost(lot) = F + S·(|D(B)|−1) + Σ_y Σ_{e∈E(B_y)} M_e + Σ_{a∈B} (c_a + τ·d(j,a) + pen(a))
//	cost_y(lot) = (F + S·(|D(B)|−1))/L + Σ_{e∈E(B_y)} M_e + Σ_{a∈B_y} (c_a + τ·d(j,a) + pen(a))
//
// With L = 1 and nothing brought forward it equals BundleCost(j, assets).
func (p *Programme) LotCost(j, fy int, assets, years []int) LotPrice {
	at := p.Depots[j].At
	whole := p.costAt(at, assets)
	L := p.ContractYears
	lp := LotPrice{Years: make([]float64, L)}
	if len(assets) == 0 {
		return lp
	}
	lotLevel := whole.Fixed + whole.Surcharge
	lp.Fixed, lp.Surcharge = whole.Fixed, whole.Surcharge
	var inYear []int
	for k := range L {
		y := fy + k
		var part Breakdown
		if L == 1 {
			part = whole
		} else {
			inYear = inYear[:0]
			for i, a := range assets {
				if years[i] == y {
					inYear = append(inYear, a)
				}
			}
			part = p.costAt(at, inYear)
		}
		var pen float64
		for i, a := range assets {
			if years[i] == y {
				pen += p.BringForward(a, y)
			}
		}
		lp.Equipment += part.Equipment
		lp.Assets += part.Assets
		lp.Travel += part.Travel
		lp.BringForward += pen
		lp.Years[k] = lotLevel/float64(L) + part.Equipment + part.Assets + part.Travel + pen
	}
	// The order of docs/model.md's sum, so that L = 1 without bringing forward reproduces
	// BundleCost to the last bit.
	lp.Total = lp.Fixed + lp.Equipment + lp.Surcharge + lp.Assets + lp.Travel + lp.BringForward
	return lp
}

// LotShares splits a lot (as in LotCost) among its municipalities by the closed form of
// docs/programme.md and returns, per municipality index, its year-y share for each year of
// the block: the lot-level part
//
//	F/|N(B)| + S·(Σ_{g used by m} 1/|N_g| − 1/|N(B)|)
//
// divided by L, plus Σ_{e needed by m in y} M_e/|N_{e,y}| and its assets' terms in y.
// It is the Shapley value of the game "a coalition pays cost_y of its own sub-lot", so a
// lot's year-y shares add up to cost_y(lot) and a municipality's years to its share of
// cost(lot).
func (p *Programme) LotShares(j, fy int, assets, years []int) map[int][]float64 {
	at := p.Depots[j].At
	L := p.ContractYears
	type member struct {
		discs map[int]bool
		equip map[[2]int]bool // (equipment, year offset)
		years []float64
	}
	members := map[int]*member{}
	useG := map[int]int{}     // discipline → |N_g|
	needE := map[[2]int]int{} // (equipment, year offset) → |N_{e,y}|
	for i, a := range assets {
		ai := &p.Assets[a]
		mb := members[ai.Muni]
		if mb == nil {
			mb = &member{discs: map[int]bool{}, equip: map[[2]int]bool{}, years: make([]float64, L)}
			members[ai.Muni] = mb
		}
		k := years[i] - fy
		mb.years[k] += ai.Cost + p.Tau*p.Dist(at, ai.At) + p.BringForward(a, years[i])
		if !mb.discs[ai.Discipline] {
			mb.discs[ai.Discipline] = true
			useG[ai.Discipline]++
		}
		for _, e := range ai.Equip {
			if key := [2]int{e, k}; !mb.equip[key] {
				mb.equip[key] = true
				needE[key]++
			}
		}
	}
	n := float64(len(members))
	out := make(map[int][]float64, len(members))
	for mu, mb := range members {
		used := 0.0
		for g := range mb.discs {
			used += 1 / float64(useG[g])
		}
		lotLevel := p.F/n + p.Surcharge*(used-1/n)
		for key := range mb.equip {
			mb.years[key[1]] += p.EquipPrice[key[0]] / float64(needE[key])
		}
		for k := range mb.years {
			mb.years[k] += lotLevel / float64(L)
		}
		out[mu] = mb.years
	}
	return out
}

// Rules a programme plan can break, beyond Evaluate's (see Violation): block (a lot's
// fy is not a block start, or an asset's year lies outside its lot's block), schedule
// (the schedule disagrees with a one-year lot, or gives no year when contract_years >
// 1), window (a year outside the asset's window), not_in_programme, year_max_value,
// year_max_workload, budget.

// EvaluateProgramme judges a version-2 plan by docs/programme.md alone; it never fails: bad
// references become violations. It agrees with the independent referee (referee.py, version 2) on
// cost, feasibility, baseline, saving, individual rationality and each year's value and
// workload, including for broken plans: a lot with an unknown depot or no valid block
// adds nothing, nor does an asset without a year in its lot's block.
func EvaluateProgramme(p *Programme, plan *Plan) *Evaluation {
	H, L := p.Years, p.ContractYears
	rep := &ProgrammeReport{FirstFY: p.FirstFY, ContractYears: L, PlannedAssets: len(p.Planned),
		AfterHorizon: []string{}, Lots: []LotReport{}, Years: make([]YearReport, H), Budgets: []BudgetReport{}}
	ev := &Evaluation{Violations: []Violation{}, Bundles: make([]BundleReport, 0, len(plan.Bundles)),
		Standalone: map[string]float64{}, Shares: map[string]float64{}, IRViolations: []string{}, ProgrammeReport: rep}
	for _, a := range p.AfterHorizon {
		rep.AfterHorizon = append(rep.AfterHorizon, p.Assets[a].ID)
	}
	for k := range rep.Years {
		rep.Years[k].FY = p.FirstFY + k
		if finite(p.YearMaxValue) {
			rep.Years[k].MaxValue = &p.YearMaxValue
		}
		if finite(p.YearMaxWorkload) {
			rep.Years[k].MaxWorkload = &p.YearMaxWorkload
		}
	}
	add := func(v Violation) { ev.Violations = append(ev.Violations, v) }
	lotName := func(bi int) string {
		if id := plan.Bundles[bi].ID; id != "" {
			return id
		}
		return fmt.Sprintf("bundles[%d]", bi)
	}
	owner := make([]int32, len(p.Assets)) // 1 + index of the first lot listing the asset
	// at and year: where the (last) lot listing an asset puts it, as the referee reads a
	// plan for its pins; only kept when there are pins.
	var at []int32
	var year []int
	if p.pins != nil {
		at, year = make([]int32, len(p.Assets)), make([]int, len(p.Assets))
		for i := range at {
			at[i] = -1
		}
	}
	host := map[[2]int]int{} // (depot, block) → 1 + lot index
	shareY := make([][]float64, len(p.Munis))
	var idx, yrs []int
	discSeen, regionSeen := make([]bool, len(p.Disciplines)), make([]bool, len(p.Regions))
	for bi := range plan.Bundles {
		b := &plan.Bundles[bi]
		name := lotName(bi)
		br := BundleReport{ID: b.ID, Depot: b.Depot, Assets: []string{}, Municipalities: []string{},
			Disciplines: []string{}, Regions: []string{}, Shares: map[string]float64{}}
		lr := LotReport{ID: b.ID, Years: []LotYear{}}
		done := func() {
			ev.Bundles = append(ev.Bundles, br)
			rep.Lots = append(rep.Lots, lr)
		}
		j, depotOK := p.DepotIndex[b.Depot]
		if !depotOK {
			add(Violation{Rule: "unknown_depot", Bundle: name,
				Message: fmt.Sprintf("lot %s: depot %q is not among the instance's depots", name, b.Depot)})
			done()
			continue
		}
		if b.FY == nil || !p.IsBlockStart(*b.FY) {
			fy := "none"
			if b.FY != nil {
				fy = fmt.Sprint(*b.FY)
			}
			add(Violation{Rule: "block", Bundle: name,
				Message: fmt.Sprintf("lot %s: fy %s is not the first year of a block of the horizon (%d–%d, blocks of %d years)",
					name, fy, p.FirstFY, p.LastFY(), L)})
			done()
			continue
		}
		fy := *b.FY
		lr.FY = fy
		if prev := host[[2]int{j, fy}]; prev != 0 {
			add(Violation{Rule: "depot_reused", Bundle: name, Year: fy,
				Message: fmt.Sprintf("lot %s: depot %q already hosts lot %s in the block from %d (one lot per depot and block)",
					name, b.Depot, lotName(prev-1), fy)})
		} else {
			host[[2]int{j, fy}] = bi + 1
		}
		idx, yrs = idx[:0], yrs[:0]
		for _, id := range b.Assets {
			a, ok := p.planAsset(id, bi, "lot", owner, lotName, add)
			if !ok {
				continue
			}
			if at != nil {
				y, scheduled := plan.Schedule[id]
				if !scheduled {
					y = fy
				}
				at[a], year[a] = int32(j), y
			}
			if !p.InProgramme[a] {
				why := fmt.Sprintf("due %d, after the horizon", p.Due[a])
				if !p.Munis[p.Assets[a].Muni].Participates {
					why = "its municipality " + p.Munis[p.Assets[a].Muni].Code + " does not participate"
				}
				add(Violation{Rule: "not_in_programme", Bundle: name, Asset: id,
					Message: fmt.Sprintf("lot %s: asset %s is not in the programme (%s)", name, id, why)})
			}
			y, scheduled := plan.Schedule[id]
			switch {
			case scheduled && L == 1 && y != fy:
				add(Violation{Rule: "schedule", Bundle: name, Asset: id, Year: y,
					Message: fmt.Sprintf("asset %s: the schedule says %d, but its lot %s is in %d", id, y, name, fy)})
			case !scheduled && L == 1:
				y = fy
			case !scheduled:
				add(Violation{Rule: "schedule", Bundle: name, Asset: id,
					Message: fmt.Sprintf("asset %s: no year in the schedule (contract_years %d: each asset needs one)", id, L)})
				continue
			}
			if lo, hi := p.Window(a); y < lo || y > hi {
				add(Violation{Rule: "window", Bundle: name, Asset: id, Year: y,
					Message: fmt.Sprintf("asset %s: year %d is outside its window [%d, %d] (due %d)", id, y, lo, hi, p.Due[a])})
			}
			if y < fy || y >= fy+L {
				add(Violation{Rule: "block", Bundle: name, Asset: id, Year: y,
					Message: fmt.Sprintf("asset %s: year %d is outside lot %s's block %d–%d", id, y, name, fy, fy+L-1)})
				continue
			}
			idx = append(idx, a)
			yrs = append(yrs, y)
		}
		for _, a := range idx {
			br.Assets = append(br.Assets, p.Assets[a].ID)
		}
		br.AssetCount = len(idx)
		if len(idx) == 0 {
			add(Violation{Rule: "empty_bundle", Bundle: name,
				Message: fmt.Sprintf("lot %s holds no asset that can be priced", name)})
			done()
			continue
		}
		br.Priced = true
		price := p.LotCost(j, fy, idx, yrs)
		br.Breakdown = price.Breakdown
		c := price.Total
		ev.Cost += c
		rep.BringForward += price.BringForward
		lr.BringForward = price.BringForward
		if valueBelow(c, float64(L)*p.MinValue) {
			add(Violation{Rule: "min_value", Bundle: name,
				Message: fmt.Sprintf("lot %s: cost %s is below %d × min_value %s", name, FormatYen(c), L, FormatYen(p.MinValue))})
		}
		if valueAbove(c, float64(L)*p.MaxValue) {
			add(Violation{Rule: "max_value", Bundle: name,
				Message: fmt.Sprintf("lot %s: cost %s is above %d × max_value %s", name, FormatYen(c), L, FormatYen(p.MaxValue))})
		}
		shares := p.LotShares(j, fy, idx, yrs)
		for k := range L {
			y := fy + k
			ly := LotYear{FY: y, Value: price.Years[k], Shares: map[string]float64{}}
			for i, a := range idx {
				if yrs[i] == y {
					ly.Workload += p.Assets[a].Workload
					ly.Assets++
				}
			}
			if ly.Workload > p.MaxWorkload+limitEps {
				add(Violation{Rule: "max_workload", Bundle: name, Year: y,
					Message: fmt.Sprintf("lot %s, year %d: workload %.2f person-days exceeds max_workload %g", name, y, ly.Workload, p.MaxWorkload)})
			}
			if ly.Assets > p.MaxAssets {
				add(Violation{Rule: "max_assets", Bundle: name, Year: y,
					Message: fmt.Sprintf("lot %s, year %d: %d assets exceed max_assets %d", name, y, ly.Assets, p.MaxAssets)})
			}
			yr := &rep.Years[y-p.FirstFY]
			yr.Value += ly.Value
			yr.Workload += ly.Workload
			yr.Assets += ly.Assets
			yr.Lots++
			br.Workload += ly.Workload
			for mu, s := range shares {
				ly.Shares[p.Munis[mu].Code] = s[k]
			}
			lr.Years = append(lr.Years, ly)
		}
		p.checkWhole(&br, j, idx, "lot", name, discSeen, regionSeen, add)
		for mu, s := range shares {
			if shareY[mu] == nil {
				shareY[mu] = make([]float64, H)
			}
			total := 0.0
			for k, x := range s {
				shareY[mu][fy-p.FirstFY+k] += x
				total += x
			}
			br.Shares[p.Munis[mu].Code] = total
			br.Municipalities = append(br.Municipalities, p.Munis[mu].Code)
		}
		sort.Strings(br.Municipalities)
		done()
	}
	p.coverage(p.Planned, owner, "programme asset(s) in no lot", add)
	if p.pins != nil {
		var broken []Violation
		ev.Pins, broken = p.evaluatePins(at, year)
		ev.Violations = append(ev.Violations, broken...)
	}
	p.yearChecks(rep, add)
	p.baselineAndShares(ev, shareY, add)
	ev.Feasible = len(ev.Violations) == 0
	return ev
}

// yearChecks applies year_limits to the programme's yearly totals; the value cap is
// broken by more than 1e-9 relative, the workload cap by more than limitEps, as the
// referee counts.
func (p *Programme) yearChecks(rep *ProgrammeReport, add func(Violation)) {
	for _, yr := range rep.Years {
		if yr.Value > p.YearMaxValue*(1+irRelEps) {
			add(Violation{Rule: "year_max_value", Year: yr.FY,
				Message: fmt.Sprintf("year %d: the programme's value %s exceeds year_limits.max_value %s", yr.FY, FormatYen(yr.Value), FormatYen(p.YearMaxValue))})
		}
		if yr.Workload > p.YearMaxWorkload+limitEps {
			add(Violation{Rule: "year_max_workload", Year: yr.FY,
				Message: fmt.Sprintf("year %d: the programme's workload %.2f person-days exceeds year_limits.max_workload %g", yr.FY, yr.Workload, p.YearMaxWorkload)})
		}
	}
}

// StandaloneByYear is the programme's baseline: for every participating municipality
// with programme assets (index), its cost in each year of the horizon when it inspects
// each asset in its due year alone, one contract per discipline and year, from its own
// office.
func StandaloneByYear(p *Programme) map[int][]float64 {
	byYear := make([][]int, p.Years)
	for _, a := range p.Planned {
		k := p.Due[a] - p.FirstFY
		byYear[k] = append(byYear[k], a)
	}
	out := map[int][]float64{}
	for k, assets := range byYear {
		p.standaloneOf(assets, func(mu, _ int, b Breakdown) {
			if out[mu] == nil {
				out[mu] = make([]float64, p.Years)
			}
			out[mu][k] += b.Total
		})
	}
	return out
}

// baselineAndShares fills the standalone costs, the shares, individual rationality and
// the budgets (municipality × year), and reports broken budgets and, when required,
// broken individual rationality.
func (p *Programme) baselineAndShares(ev *Evaluation, shareY [][]float64, add func(Violation)) {
	rep := ev.ProgrammeReport
	base := StandaloneByYear(p)
	for mu := range p.Munis {
		code := p.Munis[mu].Code
		sy, by := shareY[mu], base[mu]
		if sy == nil && by == nil && p.Budgets[mu] == nil {
			continue
		}
		var share, alone float64
		for k := range p.Years {
			br := BudgetReport{Municipality: code, FY: p.FirstFY + k}
			if sy != nil {
				br.Share = sy[k]
				share += sy[k]
			}
			if by != nil {
				br.Standalone = by[k]
				alone += by[k]
				rep.Years[k].Standalone += by[k]
			}
			if caps := p.Budgets[mu]; caps != nil {
				budget, headroom := caps[k], caps[k]-br.Share
				br.Budget, br.Headroom = &budget, &headroom
				if br.Share > budget*(1+irRelEps)+1e-6 {
					add(Violation{Rule: "budget", Municipality: code, Year: br.FY,
						Message: fmt.Sprintf("municipality %s, year %d: share %s exceeds its budget %s", code, br.FY, FormatYen(br.Share), FormatYen(budget))})
				}
			}
			rep.Budgets = append(rep.Budgets, br)
		}
		if sy != nil {
			ev.Shares[code] = share
		}
		if by == nil {
			continue
		}
		ev.Standalone[code] = alone
		ev.StandaloneTotal += alone
		if share > alone*(1+irRelEps) {
			ev.IRViolations = append(ev.IRViolations, code)
			if p.RequireIR {
				add(Violation{Rule: "individual_rationality", Municipality: code,
					Message: fmt.Sprintf("municipality %s pays %s over the horizon, more than its standalone cost %s",
						code, FormatYen(share), FormatYen(alone))})
			}
		}
	}
	sort.Strings(ev.IRViolations)
	ev.Saving = ev.StandaloneTotal - ev.Cost
	if ev.StandaloneTotal != 0 {
		ev.SavingPct = 100 * ev.Saving / ev.StandaloneTotal
	}
}
