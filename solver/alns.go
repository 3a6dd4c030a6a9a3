package solver

import (
	"math"
	"math/rand/v2"
)

// Adaptive large neighbourhood search (ruin and recreate) with simulated-annealing
// acceptance on the penalised objective
//
//	f = Σ cost(B) + λ·Σ violation(B) [+ λ_IR·Σ_m max(0, share_m − standalone_m)]
//
// Each iteration removes a set of assets chosen by one of the destroy operators
// (destroy.go; picked by an adaptiveRoulette, roulette.go), re-inserts them greedily
// (cheapest or regret-2) and polishes the touched assets with relocate/swap
// (repair.go), and accepts or undoes the change from the state's journal (here). A worker is a single goroutine with its own random
// source: its sequence of decisions depends on its seed and on the plans it is handed
// at synchronisation points only, never on the clock.

const (
	opRandom = iota
	opRelated
	opBundle
	opMergeNeighbours
	opEquipment
	opMoveDepot
	opOpenDepot
	opMunicipality
	opFeature
	opGather
	opConsolidate
	nOps
)

type worker struct {
	s      *state
	rng    *rand.Rand
	lambda float64
	ir     *irPenalty // nil unless require_individual_rationality
	curF   float64

	ops      adaptiveRoulette // destroy operators, weighted by the scores they earn
	features roulette         // scratch wheel of pickFeature: nE equipment, then nG disciplines

	t0, t1    float64 // temperature at the start and the end of a cooling cycle
	cycleLen  int
	it        int // iterations done
	feasCount int

	best     []int32 // best feasible assignment
	bestCost float64 // +Inf when none

	unassignedYen float64 // violation charged for an asset that no depot may take now

	removed   []int
	hot       []int // assets of violating bundles while no feasible plan is known
	gathered  []int // when set, only these go to the forced depot first
	focus     []int
	touched   []int
	isTouched []bool
	inFocus   []bool
	buf       []int
}

func newWorker(s *state, seed uint64, ir *irPenalty, cycleLen int) *worker {
	w := &worker{s: s, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), lambda: 1, ir: ir,
		bestCost: math.Inf(1), best: make([]int32, len(s.assign)), inFocus: make([]bool, len(s.assign)),
		isTouched: make([]bool, s.J),
		cycleLen:  cycleLen, unassignedYen: 10 * (s.m.F + s.countYen)}
	w.ops = newAdaptiveRoulette(nOps)
	w.features.weights = make([]float64, s.nE+s.nG)
	if ir == nil {
		w.ops.weights[opMunicipality] = 0
	}
	open := 0
	for j := 0; j < s.J; j++ {
		if s.n[j] > 0 {
			open++
		}
	}
	scale := s.cost / float64(max(open, 1))
	// Tuned on p-nara: hot enough to leave the 7-bundle plans that mix sewer into every
	// bundle (the sewer-only bundle needs several uphill steps), cool at the cycle's end.
	w.t0, w.t1 = 0.01*scale, 0.00002*scale
	w.curF = w.objective()
	w.offerBest()
	w.refreshHot()
	return w
}

func (w *worker) objective() float64 {
	f := w.s.cost + w.lambda*(w.s.viol+float64(w.s.unassigned)*w.unassignedYen)
	if w.ir != nil {
		// Individual rationality is a hard rule that local moves cannot see (a share
		// depends on the whole bundle): a steep price keeps the search on fair plans.
		f += 100 * math.Max(w.lambda, 1) * w.ir.excess(w.s)
	}
	return f
}

// offerBest stores the current plan if it is feasible and cheaper than the best.
func (w *worker) offerBest() bool {
	s := w.s
	if s.unassigned != 0 || s.viol > 1e-3 || s.cost >= w.bestCost-1e-7 {
		return false
	}
	if !s.feasible() || (w.ir != nil && w.ir.excess(s) > 0) {
		return false
	}
	copy(w.best, s.assign)
	w.bestCost = s.cost
	return true
}

// adopt makes the worker continue from the given assignment.
func (w *worker) adopt(assign []int32, cost float64) {
	w.s.loadAssignment(assign)
	w.curF = w.objective()
	if cost < w.bestCost {
		copy(w.best, assign)
		w.bestCost = cost
	}
}

func (w *worker) temperature() float64 {
	frac := float64(w.it%w.cycleLen) / float64(w.cycleLen)
	return w.t0 * math.Pow(w.t1/w.t0, frac)
}

// pickOp spins the operators' wheel (never empty: weights stay positive but
// opMunicipality's, which is 0 without individual rationality).
func (w *worker) pickOp() int {
	if op := w.ops.spin(w.rng); op >= 0 {
		return op
	}
	return opRandom
}

// iterate runs n ALNS iterations.
func (w *worker) iterate(n int) {
	s := w.s
	for k := 0; k < n; k++ {
		op := w.pickOp()
		s.mark()
		w.removed = w.removed[:0]
		w.gathered = w.gathered[:0]
		forced := w.destroy(op)
		w.repair(forced)
		if op != opMunicipality || forced < 0 {
			// A municipality moved to a contract of its own is judged as it is: local
			// search, blind to shares, would merge it straight back.
			w.polish(forced)
		}
		f := w.objective()
		T := w.temperature()
		score := 0.0
		if f < w.curF-improveEps || (T > 0 && w.rng.Float64() < math.Exp(-(f-w.curF)/T)) {
			// An accepted change scores; a destroy and repair that put the plan back
			// as it was does not (rewarding it let the operators that achieve nothing
			// outweigh the ones that move the plan).
			if f < w.curF-improveEps {
				score = 9
			} else if f > w.curF+improveEps {
				score = 3
			}
			s.commit()
			w.curF = f
			if w.offerBest() {
				score = 33
			}
		} else {
			s.undo()
		}
		w.ops.reward(op, score)
		w.it++
		if s.unassigned == 0 && s.viol <= 1e-3 {
			w.feasCount++
		}
		if w.it%100 == 0 {
			w.adapt()
			w.refreshHot()
		}
		if w.it%1000 == 0 {
			s.refresh()
			w.curF = w.objective()
		}
	}
}

// adapt updates the operator weights and the penalty weight λ.
func (w *worker) adapt() {
	w.ops.adaptWeights()
	if w.ir == nil {
		w.ops.weights[opMunicipality] = 0
	}
	frac := float64(w.feasCount) / 100
	w.feasCount = 0
	old := w.lambda
	if frac < 0.3 {
		w.lambda = math.Min(w.lambda*1.3, 1000)
	} else if frac > 0.7 {
		w.lambda = math.Max(w.lambda/1.3, 0.5)
	}
	if w.lambda != old {
		w.curF = w.objective()
	}
}

func (w *worker) take(a int) {
	if w.s.assign[a] >= 0 {
		w.s.remove(a)
		w.removed = append(w.removed, a)
	}
}

// bundleAssets appends the assets of depot j.
func (w *worker) bundleAssets(j int, out []int) []int {
	for _, a := range w.s.c.byDepot[j] {
		if int(w.s.assign[a]) == j {
			out = append(out, int(a))
		}
	}
	return out
}
