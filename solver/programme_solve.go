package solver

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ProgrammeResult is the outcome of SolveProgramme. It reports no lower bound: the
// per-block bounds of the one-year solver hold for the schedule chosen here only, not
// for every schedule of the programme.
type ProgrammeResult struct {
	Plan       *Plan       `json:"plan"`       // nil when no block could be planned
	Evaluation *Evaluation `json:"evaluation"` // EvaluateProgramme on Plan
	// Moved counts the inspections brought forward from their due year to let a block
	// reach min_value.
	Moved int `json:"moved"`
	// Blocks is one entry per block of the horizon, in order.
	Blocks     []BlockResult `json:"blocks"`
	StopReason string        `json:"stop_reason"` // done, infeasible (some block has no plan), cancelled
	Elapsed    time.Duration `json:"-"`
}

// BlockResult is how one block of the programme was planned.
type BlockResult struct {
	FY         int             `json:"fy"`
	Assets     int             `json:"assets"`
	Lots       int             `json:"lots"`
	Cost       float64         `json:"cost"` // the one-year solver's cost (equipment once per lot)
	StopReason string          `json:"stop_reason"`
	Infeasible []Infeasibility `json:"infeasible,omitempty"`
}

// SolveProgramme is a first programme solver (PROGRAMME.md). It schedules every asset in
// its due year; a block whose assets cannot be feasible on their own (Precheck: a group
// that cannot reach L·min_value, …) hands the assets that may go earlier to the block
// before, latest block first; a block still short pulls assets due later whose window
// reaches it. Then it plans each block's lots with the one-year solver (Solve) on the
// block's assets, with the yearly limits scaled by L for multi-year lots (a
// relaxation: the evaluator checks each year), and judges the whole plan with
// EvaluateProgramme. The bring-forward charge is additive per asset, so it does not
// change which lots are best once the years are fixed. Year caps and budgets are
// checked, not yet planned for. The time limit is shared among the blocks.
func SolveProgramme(ctx context.Context, p *Programme, opt SolveOptions) (*ProgrammeResult, error) {
	start := time.Now()
	if opt.TimeLimit <= 0 {
		opt.TimeLimit = DefaultTimeLimit
	}
	L := p.ContractYears
	year := make([]int, len(p.Assets))
	for _, a := range p.Planned {
		year[a] = p.Due[a]
	}
	res := &ProgrammeResult{StopReason: "done"}
	blocks := p.Years / L
	// block b's assets, built fresh whenever the years change
	inBlock := func(b int) []int {
		var out []int
		for _, a := range p.Planned {
			if (year[a]-p.FirstFY)/L == b {
				out = append(out, a)
			}
		}
		return out
	}
	short := func(b int) bool {
		assets := inBlock(b)
		if len(assets) == 0 {
			return false
		}
		sub, err := p.blockModel(assets)
		return err != nil || len(Precheck(sub)) > 0
	}
	// Latest block first: hand what may go earlier to the block before.
	for b := blocks - 1; b >= 1; b-- {
		if !short(b) {
			continue
		}
		last := p.FirstFY + b*L - 1 // the last year of the block before
		for _, a := range inBlock(b) {
			if lo, _ := p.Window(a); lo <= last {
				year[a] = last
				res.Moved++
			}
		}
	}
	// Earliest block first: a block still short pulls assets due later, nearest due first.
	for b := range blocks {
		if !short(b) {
			continue
		}
		end := p.FirstFY + (b+1)*L - 1
		var later []int
		for _, a := range p.Planned {
			if lo, _ := p.Window(a); year[a] > end && lo <= end {
				later = append(later, a)
			}
		}
		slices.SortStableFunc(later, func(x, y int) int { return year[x] - year[y] })
		for _, a := range later {
			year[a] = end
			res.Moved++
			if !short(b) {
				break
			}
		}
	}

	plan := &Plan{Instance: p.Inst.Name, Bundles: []Bundle{}, Schedule: map[string]int{}}
	for b := range blocks {
		if err := ctx.Err(); err != nil {
			res.StopReason = "cancelled"
			break
		}
		fy := p.FirstFY + b*L
		assets := inBlock(b)
		br := BlockResult{FY: fy, Assets: len(assets)}
		if len(assets) == 0 {
			br.StopReason = "empty"
			res.Blocks = append(res.Blocks, br)
			continue
		}
		sub, err := p.blockModel(assets)
		if err != nil {
			return nil, fmt.Errorf("programme block %d: %w", fy, err)
		}
		sopt := opt
		// What is left of the time, shared evenly among the blocks still to plan.
		sopt.TimeLimit = max(time.Second, (opt.TimeLimit-time.Since(start))/time.Duration(blocks-b))
		sopt.Progress = nil
		r, err := Solve(ctx, sub, sopt)
		if err != nil {
			return nil, fmt.Errorf("programme block %d: %w", fy, err)
		}
		br.StopReason, br.Infeasible = r.StopReason, r.Infeasible
		if r.Plan == nil {
			res.StopReason = "infeasible"
			res.Blocks = append(res.Blocks, br)
			continue
		}
		br.Lots, br.Cost = len(r.Plan.Bundles), r.Evaluation.Cost
		for k, bu := range r.Plan.Bundles {
			fyCopy := fy
			plan.Bundles = append(plan.Bundles, Bundle{ID: fmt.Sprintf("FY%d-L%02d", fy, k+1), Depot: bu.Depot, FY: &fyCopy, Assets: bu.Assets})
			for _, id := range bu.Assets {
				plan.Schedule[id] = year[p.AssetIndex[id]]
			}
		}
		res.Blocks = append(res.Blocks, br)
	}
	if len(plan.Bundles) > 0 {
		res.Plan = plan
		res.Evaluation = EvaluateProgramme(p, plan)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// blockModel is the one-year model of a block's assets: the instance's prices, places
// and rules with only these assets, version 1, the value, workload and size limits
// scaled by the block's length L (max_distance_km is not).
func (p *Programme) blockModel(assets []int) (*Model, error) {
	inst := *p.Inst
	inst.Version, inst.Programme = 1, nil
	inst.Assets = make([]Asset, len(assets))
	for k, a := range assets {
		inst.Assets[k] = p.Inst.Assets[a]
	}
	if L := float64(p.ContractYears); L > 1 {
		lim := inst.Params.Limits
		scale := func(x *float64) *float64 {
			if x == nil {
				return nil
			}
			y := *x * L
			return &y
		}
		lim.MinValue, lim.MaxValue, lim.MaxWorkload = scale(lim.MinValue), scale(lim.MaxValue), scale(lim.MaxWorkload)
		if lim.MaxAssets != nil {
			n := *lim.MaxAssets * p.ContractYears
			lim.MaxAssets = &n
		}
		inst.Params.Limits = lim
	}
	return Compile(&inst)
}
