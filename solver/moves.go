package solver

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// NewLot is Move.ToLot for a lot opened by the move at Move.Depot.
const NewLot = "new"

// Move is a planner's hand edit of a plan: take Asset out of its lot (or out of no lot)
// and put it into the lot ToLot, or, with ToLot "new", into a new lot run from Depot.
//
// FY is for programme plans (ApplyProgrammeMoves): the asset's inspection year, and with
// ToLot "new" the first year of the new lot's block.
type Move struct {
	Asset string `json:"asset"`
	ToLot string `json:"to_lot"`
	Depot string `json:"depot,omitempty"`
	FY    *int   `json:"fy,omitempty"`
}

// ApplyMoves returns a copy of p with the moves applied in order; p is left as it was.
// A lot the moves empty is dropped (moving its last asset away closes it); moves to
// "new" with the same depot fill one new lot, named like the solver's lots (B01, B02 …)
// with the first free number; a move to "new" at the depot of a lot the moves emptied
// reopens that lot. A move that cannot be read against the plan and the model
// (unknown asset, lot or depot, a new lot at a depot that already runs one) is refused
// with a *ValidationError naming it (moves[2].to_lot); the rules a valid move breaks
// are for Evaluate to report, not refused here.
func ApplyMoves(m *Model, p *Plan, moves []Move) (*Plan, error) {
	out, lotOf, lotByID := copyLots(p)
	depotLot := map[string]int{}
	for bi, b := range out.Bundles {
		depotLot[b.Depot] = bi
	}
	opened := map[int]bool{} // bundles the moves opened
	v := &ValidationError{}
	for i, mv := range moves {
		path := fmt.Sprintf("moves[%d]", i)
		if _, ok := m.AssetIndex[mv.Asset]; !ok {
			v.add(path+".asset", "asset %q is not in the plan's instance", mv.Asset)
			continue
		}
		if mv.FY != nil {
			v.add(path+".fy", "a version-1 plan has no years: fy is for the moves of a programme (version 2) run")
			continue
		}
		to, ok := -1, false
		switch mv.ToLot {
		case NewLot:
			if mv.Depot == "" {
				v.add(path+".depot", "is required with to_lot %q: the depot the new lot is run from", NewLot)
				continue
			}
			if _, known := m.DepotIndex[mv.Depot]; !known {
				v.add(path+".depot", "depot %q is not among the instance's depots", mv.Depot)
				continue
			}
			if bi, runs := depotLot[mv.Depot]; runs {
				// A lot the moves opened, or emptied, takes more assets under its own id.
				if !opened[bi] && len(out.Bundles[bi].Assets) > 0 {
					v.add(path+".depot", "depot %s already runs lot %s: move to_lot %q instead", mv.Depot, out.Bundles[bi].ID, out.Bundles[bi].ID)
					continue
				}
				to, ok = bi, true
				break
			}
			out.Bundles = append(out.Bundles, Bundle{ID: freeLotID(out.Bundles), Depot: mv.Depot, Assets: []string{}})
			to, ok = len(out.Bundles)-1, true
			opened[to] = true
			lotByID[out.Bundles[to].ID] = to
			depotLot[mv.Depot] = to
		case "":
			v.add(path+".to_lot", "is required: a lot id of the plan or %q", NewLot)
		default:
			to, ok = lotByID[mv.ToLot]
			if !ok {
				v.add(path+".to_lot", "lot %q is not in the plan (its lots: %s)", mv.ToLot, lotIDs(out.Bundles))
			} else if mv.Depot != "" && mv.Depot != out.Bundles[to].Depot {
				v.add(path+".depot", "lot %s is run from depot %s, not %s (leave depot out, or move to_lot %q)",
					mv.ToLot, out.Bundles[to].Depot, mv.Depot, NewLot)
				ok = false
			}
		}
		if !ok {
			continue
		}
		moveAsset(out, lotOf, mv.Asset, to)
	}
	return dropEmptyLots(out, v)
}

// copyLots is a copy of p's lots (its schedule is not copied) to apply moves to, with
// lotOf (asset → index of the first lot listing it) and lotByID (lot id → index).
func copyLots(p *Plan) (out *Plan, lotOf, lotByID map[string]int) {
	out = &Plan{Instance: p.Instance, Bundles: make([]Bundle, len(p.Bundles))}
	lotOf, lotByID = map[string]int{}, map[string]int{}
	for bi, b := range p.Bundles {
		nb := Bundle{ID: b.ID, Depot: b.Depot, Assets: append([]string{}, b.Assets...)}
		if b.FY != nil {
			fy := *b.FY
			nb.FY = &fy
		}
		out.Bundles[bi] = nb
		lotByID[b.ID] = bi
		for _, a := range b.Assets {
			if _, seen := lotOf[a]; !seen {
				lotOf[a] = bi
			}
		}
	}
	return out, lotOf, lotByID
}

// moveAsset takes asset out of its lot in out (lotOf: asset → bundle index), if any, and
// appends it to bundle to; nothing when it is there already.
func moveAsset(out *Plan, lotOf map[string]int, asset string, to int) {
	if from, in := lotOf[asset]; in {
		if from == to {
			return
		}
		out.Bundles[from].Assets = removeString(out.Bundles[from].Assets, asset)
	}
	out.Bundles[to].Assets = append(out.Bundles[to].Assets, asset)
	lotOf[asset] = to
}

// dropEmptyLots ends ApplyMoves and ApplyProgrammeMoves: v's problems if any, else out
// without the lots the moves emptied.
func dropEmptyLots(out *Plan, v *ValidationError) (*Plan, error) {
	if err := v.orNil(); err != nil {
		return nil, err
	}
	kept := out.Bundles[:0]
	for _, b := range out.Bundles {
		if len(b.Assets) > 0 {
			kept = append(kept, b)
		}
	}
	out.Bundles = kept
	return out, nil
}

// freeLotID is the first lot id B01, B02 … (numbered from the plan's lot count + 1, as a
// solver would name one more lot) that no lot of bundles uses.
func freeLotID(bundles []Bundle) string {
	return nextFreeID(bundles, len(bundles)+1, func(n int) string { return fmt.Sprintf("B%02d", n) })
}

// nextFreeID is name(n) for the first n ≥ from that no lot of bundles uses as its id.
func nextFreeID(bundles []Bundle, from int, name func(int) string) string {
	used := map[string]bool{}
	for _, b := range bundles {
		used[b.ID] = true
	}
	for n := from; ; n++ {
		if id := name(n); !used[id] {
			return id
		}
	}
}

func lotIDs(bundles []Bundle) string {
	ids := make([]string, len(bundles))
	for i, b := range bundles {
		ids[i] = b.ID
	}
	return strings.Join(ids, ", ")
}

// removeString returns xs without its first x, in a new slice (xs may be shared).
func removeString(xs []string, x string) []string {
	out := make([]string, 0, len(xs))
	done := false
	for _, y := range xs {
		if !done && y == x {
			done = true
			continue
		}
		out = append(out, y)
	}
	return out
}

// MoveEvaluation is what a hand edit does to a plan, judged by Evaluate before and after:
// Delta is exactly Evaluate(after).Cost − Evaluate(before).Cost, so that the page's
// number is the evaluator's.
type MoveEvaluation struct {
	Plan       *Plan   `json:"plan"` // the edited plan
	Cost       float64 `json:"cost"`
	CostBefore float64 `json:"cost_before"`
	Delta      float64 `json:"delta"`
	Feasible   bool    `json:"feasible"`
	// Violations are every rule the edited plan breaks, as Evaluate reports them;
	// NewViolations those of them the plan before did not break (violationKey).
	// ResolvedViolations are those the plan before broke and the edited plan does not.
	Violations         []Violation `json:"violations"`
	NewViolations      []Violation `json:"new_violations"`
	ResolvedViolations []Violation `json:"resolved_violations"`
	// Shares lists, by municipality code, every municipality whose Shapley share is
	// non-zero before or after, with its change.
	Shares []ShareChange `json:"shares"`
	// Lots lists the lots whose cost changed, opened or closed, in the edited plan's
	// order then the closed ones.
	Lots []LotChange `json:"lots"`
	// After is the full evaluation of the edited plan (not in the JSON: the caller
	// stores it as the edited run's report).
	After  *Evaluation `json:"-"`
	Before *Evaluation `json:"-"`
}

// ShareChange is one municipality's Shapley share before and after a hand edit.
type ShareChange struct {
	Municipality string  `json:"municipality"`
	Name         string  `json:"name"`
	Before       float64 `json:"before"`
	After        float64 `json:"after"`
	Delta        float64 `json:"delta"`
	Standalone   float64 `json:"standalone"`
}

// LotChange is one lot's cost before and after a hand edit; Before is 0 for a lot the
// edit opened, After 0 for one it closed.
type LotChange struct {
	Lot    string  `json:"lot"`
	Depot  string  `json:"depot"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
	Delta  float64 `json:"delta"`
	Opened bool    `json:"opened,omitempty"`
	Closed bool    `json:"closed,omitempty"`
	// FY is a programme lot's block (its first year); absent in version 1.
	FY *int `json:"fy,omitempty"`
}

// EvaluateMoves applies the moves to p (ApplyMoves) and compares Evaluate of the plan
// before and after. before may be p's evaluation when the caller has it (nil: computed).
func EvaluateMoves(m *Model, p *Plan, before *Evaluation, moves []Move) (*MoveEvaluation, error) {
	moved, err := ApplyMoves(m, p, moves)
	if err != nil {
		return nil, err
	}
	if before == nil {
		before = Evaluate(m, p)
	}
	return compareEvaluations(m, moved, before, Evaluate(m, moved)), nil
}

// compareEvaluations describes the change from before to after (the evaluation of plan).
func compareEvaluations(m *Model, plan *Plan, before, after *Evaluation) *MoveEvaluation {
	me := &MoveEvaluation{Plan: plan, Cost: after.Cost, CostBefore: before.Cost, Delta: after.Cost - before.Cost,
		Feasible: after.Feasible, Violations: after.Violations, NewViolations: newViolations(before, after),
		ResolvedViolations: newViolations(after, before),
		Shares:             []ShareChange{}, Lots: []LotChange{}, After: after, Before: before}
	codes := map[string]bool{}
	for c := range before.Shares {
		codes[c] = true
	}
	for c := range after.Shares {
		codes[c] = true
	}
	for c := range codes {
		sc := ShareChange{Municipality: c, Before: before.Shares[c], After: after.Shares[c], Standalone: after.Standalone[c]}
		sc.Delta = sc.After - sc.Before
		if mu, ok := m.MuniIndex[c]; ok {
			sc.Name = m.Munis[mu].Name
		}
		me.Shares = append(me.Shares, sc)
	}
	sort.Slice(me.Shares, func(i, k int) bool { return me.Shares[i].Municipality < me.Shares[k].Municipality })
	old := map[string]BundleReport{}
	for _, b := range before.Bundles {
		old[b.ID] = b
	}
	for _, b := range after.Bundles {
		ob, was := old[b.ID]
		delete(old, b.ID)
		lc := LotChange{Lot: b.ID, Depot: b.Depot, Before: ob.Breakdown.Total, After: b.Breakdown.Total, Opened: !was}
		lc.Delta = lc.After - lc.Before
		if lc.Opened || lc.Delta != 0 || !slices.Equal(ob.Assets, b.Assets) {
			me.Lots = append(me.Lots, lc)
		}
	}
	for _, b := range before.Bundles {
		if _, gone := old[b.ID]; gone {
			me.Lots = append(me.Lots, LotChange{Lot: b.ID, Depot: b.Depot, Before: b.Breakdown.Total,
				Delta: -b.Breakdown.Total, Closed: true})
		}
	}
	return me
}

// violationKey identifies a broken rule across two evaluations of neighbouring plans:
// the rule and the lot, and for a pin or a plan-wide rule the pin's path or the asset
// and municipality it concerns. Amounts in the message (a workload, a cost) are not
// part of it, so that a lot already over max_workload is not reported again because a
// move made it heavier.
func violationKey(v Violation) string {
	k := v.Rule + "|" + v.Bundle
	switch v.Rule {
	case "pin":
		path, _, _ := strings.Cut(v.Message, ":")
		return k + "|" + path + "|" + v.Asset
	case "coverage", "individual_rationality":
		return k + "|" + v.Municipality // Asset names the first of several and may change
	case "non_participating", "duplicate", "unknown_asset", "window", "schedule", "not_in_programme", "block":
		return k + "|" + v.Asset
	case "budget":
		return k + "|" + v.Municipality + "|" + fmt.Sprint(v.Year)
	}
	// A programme's yearly rules (year_max_*, a lot's max_workload in one year) concern
	// their year; version 1 leaves Year 0.
	if v.Year != 0 {
		return k + "|" + fmt.Sprint(v.Year)
	}
	return k
}

// newViolations are the violations of after that before does not have (violationKey);
// with the arguments swapped, those a move resolved.
func newViolations(before, after *Evaluation) []Violation {
	had := map[string]bool{}
	for _, v := range before.Violations {
		had[violationKey(v)] = true
	}
	out := []Violation{}
	for _, v := range after.Violations {
		if !had[violationKey(v)] {
			out = append(out, v)
		}
	}
	return out
}

// EditedResult is the Result of a hand edit, for NewReport: the edited plan and its
// evaluation, with the lower bound of the plan it was edited from (a bound of the
// instance holds for every plan of it; nil: none) and the gap to it.
func EditedResult(me *MoveEvaluation, bound *float64, method, stopReason string) *Result {
	lb := math.Inf(-1)
	if bound != nil {
		lb = *bound
	}
	return &Result{Plan: me.Plan, Evaluation: me.After, LowerBound: lb, BoundMethod: method,
		Gap: gapOf(me.Cost, lb), StopReason: stopReason}
}
