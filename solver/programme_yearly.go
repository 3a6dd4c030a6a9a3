package solver

import (
	"context"
	"fmt"
	"time"
)

// YearlyComparison is year-by-year planning next to the programme: each due year's assets
// planned alone with the version-1 model (docs/model.md), every asset in its due year,
// yearly lots, nothing brought forward.
type YearlyComparison struct {
	Years []YearlyYear `json:"years"`
	// Feasible: every year has a plan that passes the version-1 evaluator, within the
	// year caps and every municipality's budget of that year.
	Feasible bool    `json:"feasible"`
	Total    float64 `json:"total"` // Σ of the years' costs (the feasible years' when not Feasible)
}

// YearlyYear is one due year planned alone.
type YearlyYear struct {
	FY       int     `json:"fy"`
	Assets   int     `json:"assets"`
	Lots     int     `json:"lots"`
	Cost     float64 `json:"cost"` // 0 without a plan
	Feasible bool    `json:"feasible"`
	// Why lists why the year has no feasible plan: Precheck's proofs, the solver's stop
	// reason, or the year cap or budget the plan breaks.
	Why []string `json:"why,omitempty"`
}

// CompareYearly plans each due year of the programme alone (the assets due that year,
// the version-1 model and solver) with the same share of opt.TimeLimit per year, and
// checks each year's plan against year_limits and the budgets of that year (shares are
// the version-1 Shapley shares of the year's plan).
func CompareYearly(ctx context.Context, p *Programme, opt SolveOptions) (*YearlyComparison, error) {
	if opt.TimeLimit <= 0 {
		opt.TimeLimit = DefaultTimeLimit
	}
	opt.TimeLimit = max(time.Second, opt.TimeLimit/time.Duration(p.Years))
	opt.Progress = nil
	out := &YearlyComparison{Feasible: true}
	for k := range p.Years {
		fy := p.FirstFY + k
		var assets []int
		for _, a := range p.Planned {
			if p.Due[a] == fy {
				assets = append(assets, a)
			}
		}
		yr := YearlyYear{FY: fy, Assets: len(assets), Feasible: true}
		if len(assets) > 0 {
			if err := p.planYearAlone(ctx, assets, opt, &yr); err != nil {
				return nil, err
			}
		}
		out.Feasible = out.Feasible && yr.Feasible
		if yr.Feasible {
			out.Total += yr.Cost
		}
		out.Years = append(out.Years, yr)
	}
	return out, nil
}

// planYearAlone solves one due year's assets and fills yr.
func (p *Programme) planYearAlone(ctx context.Context, assets []int, opt SolveOptions, yr *YearlyYear) error {
	m, err := p.subModel(assets, 1)
	if err != nil {
		return fmt.Errorf("year-by-year FY%d: %w", yr.FY, err)
	}
	res, err := Solve(ctx, m, opt)
	if err != nil {
		return fmt.Errorf("year-by-year FY%d: %w", yr.FY, err)
	}
	for _, r := range res.Infeasible {
		yr.Why = append(yr.Why, r.Message)
	}
	if res.Plan == nil || res.Evaluation == nil || !res.Evaluation.Feasible {
		yr.Feasible = false
		if len(yr.Why) == 0 {
			yr.Why = append(yr.Why, "no feasible plan found in the time ("+res.StopReason+")")
		}
		return nil
	}
	ev := res.Evaluation
	yr.Cost, yr.Lots = ev.Cost, len(res.Plan.Bundles)
	k := yr.FY - p.FirstFY
	if valueAbove(ev.Cost, p.YearMaxValue) {
		yr.Feasible = false
		yr.Why = append(yr.Why, fmt.Sprintf("its cost %s exceeds the year cap max_value %s", FormatYen(ev.Cost), FormatYen(p.YearMaxValue)))
	}
	work := 0.0
	for _, a := range assets {
		work += p.Assets[a].Workload
	}
	if work > p.YearMaxWorkload+limitEps {
		yr.Feasible = false
		yr.Why = append(yr.Why, fmt.Sprintf("its workload %g exceeds the year cap max_workload %g", work, p.YearMaxWorkload))
	}
	for mu, caps := range p.Budgets {
		code := p.Munis[mu].Code
		if share, ok := ev.Shares[code]; caps != nil && ok && valueAbove(share, caps[k]) {
			yr.Feasible = false
			yr.Why = append(yr.Why, fmt.Sprintf("municipality %s's share %s exceeds its budget %s", code, FormatYen(share), FormatYen(caps[k])))
		}
	}
	return nil
}
