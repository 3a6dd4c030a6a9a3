package solver

import (
	"context"
	"fmt"
)

// ProgrammeLowerBound proves a lower bound on the cost of every feasible plan of the
// programme by a relaxation that LowerBound (bound.go) solves as it is: a one-year model
// with one copy of every depot per block ("office-29201@2026"), since a depot hosts at
// most one lot per block, in which
//
//   - asset a may join the copy of block b only when its window W(a) meets b and the
//     depot reaches it, paying c_a + τ·d(j,a) + min_{y ∈ W(a) ∩ b} pen(a, y) (the
//     latest such year), which is at most what any lot of that block pays for it;
//   - equipment is paid once per lot, not once per lot and year;
//   - the value, workload and size limits are L times the yearly ones (a lot's block
//     total; the per-year limits imply them), min_value, individual rationality,
//     year_limits and budgets are dropped.
//
// Every feasible programme plan is then a plan of the relaxation (lot (j, b) → the copy
// of j for b, the same assets) that costs at most as much, so the relaxation's lower
// bound is valid for the programme, with or without caps and budgets. The bound knows
// nothing of years inside a block, so with L > 1 it is weaker on equipment.
func ProgrammeLowerBound(ctx context.Context, p *Programme, opt BoundOptions) (BoundResult, error) {
	if len(p.Planned) == 0 {
		return BoundResult{Method: "empty programme"}, nil
	}
	sub, err := p.blockModel(p.Planned)
	if err != nil {
		return BoundResult{}, fmt.Errorf("programme bound: %w", err)
	}
	L := p.ContractYears
	blocks := p.Years / L
	relaxed := *sub
	relaxed.Depots = make([]DepotInfo, 0, len(sub.Depots)*blocks)
	relaxed.DepotIndex = make(map[string]int, len(sub.Depots)*blocks)
	type copyOf struct{ depot, fy int }
	copies := make([]copyOf, 0, len(sub.Depots)*blocks)
	for b := range blocks {
		fy := p.FirstFY + b*L
		for j, d := range sub.Depots {
			d.ID = fmt.Sprintf("%s@%d", d.ID, fy)
			relaxed.DepotIndex[d.ID] = len(relaxed.Depots)
			relaxed.Depots = append(relaxed.Depots, d)
			copies = append(copies, copyOf{j, fy})
		}
	}
	// sub's asset k is p.Planned[k] (blockModel keeps the order).
	relaxed.pairTerm = func(j, k int) (float64, bool) {
		a, c := p.Planned[k], copies[j]
		lo, hi := p.Window(a)
		last := min(hi, c.fy+L-1)
		if last < max(lo, c.fy) {
			return 0, false
		}
		return p.BringForward(a, last), true
	}
	return LowerBound(ctx, &relaxed, opt), nil
}
