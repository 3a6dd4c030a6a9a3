package solver

import (
	"fmt"
	"maps"
)

// ApplyProgrammeMoves is ApplyMoves for a programme plan (version 2, docs/programme.md): it
// returns a copy of plan with the moves applied in order, its schedule updated; plan is
// left as it was. A move takes Move.Asset into lot ToLot (whose block b is the lot's fy …
// fy+L−1) in a year of b: Move.FY when given (it must lie in the asset's window and in
// b), else the asset's current year when that lies in b, else the latest year of its
// window in b. A move within the asset's own lot with FY only changes its year. To_lot
// "new" opens a lot at Depot in the block starting FY, named like the solver's lots
// (FY2027-L03: the first free number of the block); a depot that already runs a lot in
// that block is refused, unless the moves opened or emptied that lot (as in ApplyMoves).
// There FY is both the block's first year and the asset's year; a later move within
// the new lot may give another year of its block. A lot the moves empty is dropped. A move that cannot be read against the plan and the
// programme is refused with a *ValidationError naming it (moves[1].fy); the rules a
// valid move breaks are for EvaluateProgramme to report.
func ApplyProgrammeMoves(p *Programme, plan *Plan, moves []Move) (*Plan, error) {
	L := p.ContractYears
	out, lotOf, lotByID := copyLots(plan)
	out.Schedule = maps.Clone(plan.Schedule)
	if out.Schedule == nil {
		out.Schedule = map[string]int{}
	}
	host := map[lotHost]int{} // (depot, block) → bundle index in out
	for bi, b := range out.Bundles {
		if b.FY != nil {
			host[lotHost{b.Depot, *b.FY}] = bi
		}
	}
	opened := map[int]bool{} // bundles the moves opened
	v := &ValidationError{}
	for i, mv := range moves {
		path := fmt.Sprintf("moves[%d]", i)
		a, ok := p.AssetIndex[mv.Asset]
		if !ok {
			v.add(path+".asset", "asset %q is not in the plan's instance", mv.Asset)
			continue
		}
		to := -1
		switch mv.ToLot {
		case NewLot:
			to = p.newLotFor(out, mv, path, host, opened, lotByID, v)
		case "":
			v.add(path+".to_lot", "is required: a lot id of the plan or %q", NewLot)
		default:
			bi, known := lotByID[mv.ToLot]
			switch {
			case !known:
				v.add(path+".to_lot", "lot %q is not in the plan (its lots: %s)", mv.ToLot, lotIDs(out.Bundles))
			case mv.Depot != "" && mv.Depot != out.Bundles[bi].Depot:
				v.add(path+".depot", "lot %s is run from depot %s, not %s (leave depot out, or move to_lot %q)",
					mv.ToLot, out.Bundles[bi].Depot, mv.Depot, NewLot)
			case out.Bundles[bi].FY == nil || !p.IsBlockStart(*out.Bundles[bi].FY):
				v.add(path+".to_lot", "lot %s has no valid fy (the first year of a block of %d–%d)", mv.ToLot, p.FirstFY, p.LastFY())
			default:
				to = bi
			}
		}
		if to < 0 {
			continue
		}
		from, in := lotOf[mv.Asset]
		cur, scheduled := out.Schedule[mv.Asset]
		if !scheduled && in && L == 1 && out.Bundles[from].FY != nil {
			cur, scheduled = *out.Bundles[from].FY, true // a yearly lot's assets may go unscheduled
		}
		y, ok := p.moveYear(a, *out.Bundles[to].FY, mv, cur, scheduled, path, v)
		if !ok {
			continue
		}
		out.Schedule[mv.Asset] = y
		moveAsset(out, lotOf, mv.Asset, to)
	}
	return dropEmptyLots(out, v)
}

// lotHost is a depot in a block: it runs at most one lot (docs/programme.md).
type lotHost struct {
	depot string
	fy    int
}

// newLotFor reads a move to "new" on a programme plan: it returns the bundle index the
// move goes to (a lot it opens, or one the moves opened or emptied at the same depot and
// block), or −1 after adding the problem to v.
func (p *Programme) newLotFor(out *Plan, mv Move, path string, host map[lotHost]int, opened map[int]bool, lotByID map[string]int, v *ValidationError) int {
	if mv.Depot == "" {
		v.add(path+".depot", "is required with to_lot %q: the depot the new lot is run from", NewLot)
		return -1
	}
	if _, known := p.DepotIndex[mv.Depot]; !known {
		v.add(path+".depot", "depot %q is not among the instance's depots", mv.Depot)
		return -1
	}
	if mv.FY == nil {
		v.add(path+".fy", "is required with to_lot %q: the first year of the new lot's block (%s)", NewLot, p.blockStarts())
		return -1
	}
	fy := *mv.FY
	if !p.IsBlockStart(fy) {
		v.add(path+".fy", "%d does not start a block of the horizon (%s)", fy, p.blockStarts())
		return -1
	}
	key := lotHost{mv.Depot, fy}
	if bi, runs := host[key]; runs {
		if !opened[bi] && len(out.Bundles[bi].Assets) > 0 {
			v.add(path+".depot", "depot %s already runs lot %s in the block from %d: move to_lot %q instead",
				mv.Depot, out.Bundles[bi].ID, fy, out.Bundles[bi].ID)
			return -1
		}
		return bi
	}
	inBlock := 0
	for _, b := range out.Bundles {
		if b.FY != nil && *b.FY == fy {
			inBlock++
		}
	}
	id := nextFreeID(out.Bundles, inBlock+1, func(n int) string { return fmt.Sprintf("FY%d-L%02d", fy, n) })
	out.Bundles = append(out.Bundles, Bundle{ID: id, Depot: mv.Depot, Assets: []string{}, FY: &fy})
	to := len(out.Bundles) - 1
	opened[to] = true
	lotByID[id] = to
	host[key] = to
	return to
}

// moveYear is the year a move puts asset a in, in the block starting b: mv.FY, else the
// current year cur (when scheduled) if it lies in the block, else the latest year of the
// asset's window in the block. ok is false after adding the problem to v.
func (p *Programme) moveYear(a, b int, mv Move, cur int, scheduled bool, path string, v *ValidationError) (int, bool) {
	lo, hi := p.Window(a)
	last := b + p.ContractYears - 1
	if mv.FY != nil {
		y := *mv.FY
		switch {
		case y < lo || y > hi:
			v.add(path+".fy", "%d is outside asset %s's window [%d, %d] (due %d)", y, mv.Asset, lo, hi, p.Due[a])
		case y < b || y > last:
			v.add(path+".fy", "%d is outside the block %d–%d of lot %s", y, b, last, mv.ToLot)
		default:
			return y, true
		}
		return 0, false
	}
	if scheduled && cur >= b && cur <= last {
		return cur, true
	}
	if y := min(hi, last); y >= max(lo, b) {
		return y, true
	}
	v.add(path+".to_lot", "lot %s's block %d–%d holds no year of asset %s's window [%d, %d] (due %d)",
		mv.ToLot, b, last, mv.Asset, lo, hi, p.Due[a])
	return 0, false
}

// blockStarts lists the first years of the horizon's blocks, for messages.
func (p *Programme) blockStarts() string {
	s := ""
	for fy := p.FirstFY; fy <= p.LastFY(); fy += p.ContractYears {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprint(fy)
	}
	return "blocks start in " + s
}

// EvaluateProgrammeMoves applies the moves to plan (ApplyProgrammeMoves) and compares
// EvaluateProgramme of the plan before and after, as EvaluateMoves does for version 1;
// each changed lot carries its block's first year. before may be plan's evaluation
// (nil: computed).
func EvaluateProgrammeMoves(p *Programme, plan *Plan, before *Evaluation, moves []Move) (*MoveEvaluation, error) {
	moved, err := ApplyProgrammeMoves(p, plan, moves)
	if err != nil {
		return nil, err
	}
	if before == nil {
		before = EvaluateProgramme(p, plan)
	}
	me := compareEvaluations(p.Model, moved, before, EvaluateProgramme(p, moved))
	fy := map[string]int{}
	for _, pl := range []*Plan{plan, moved} {
		for _, b := range pl.Bundles {
			if b.FY != nil {
				fy[b.ID] = *b.FY
			}
		}
	}
	for i := range me.Lots {
		if y, ok := fy[me.Lots[i].Lot]; ok {
			me.Lots[i].FY = &y
		}
	}
	return me, nil
}

// EditedProgrammeResult is the ProgrammeResult of a hand edit of a programme plan, for
// NewProgrammeSolveReport: the edited plan and its evaluation, the inspections it brings
// forward, and the lower bound of the plan it was edited from (nil: none) with the gap.
func EditedProgrammeResult(p *Programme, me *MoveEvaluation, bound *float64, method, stopReason string) *ProgrammeResult {
	r := EditedResult(me, bound, method, stopReason) // the bound and gap, as for version 1
	res := &ProgrammeResult{Plan: me.Plan, Evaluation: me.After, LowerBound: r.LowerBound, BoundMethod: method,
		Gap: r.Gap, StopReason: stopReason, Blocks: []BlockResult{}}
	for _, b := range me.Plan.Bundles {
		for _, id := range b.Assets {
			if a, ok := p.AssetIndex[id]; ok {
				if y, ok := me.Plan.Schedule[id]; ok && y < p.Due[a] {
					res.Moved++
				}
			}
		}
	}
	return res
}
