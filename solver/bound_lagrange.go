package solver

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// lagrangian improves res by the Lagrangian relaxation of "every participating asset
// in exactly one bundle":
//
//	L(λ) = Σ_a λ_a + Σ_j min(0, LB_j(λ))
//
// where LB_j(λ) bounds from below the cheapest reduced cost cost(B) − Σ_{a∈B} λ_a of
// a feasible bundle at depot j (bound_sub.go). For every feasible plan, cost =
// Σ_a λ_a + Σ_{B} (cost(B) − Σ_{a∈B} λ_a) ≥ L(λ), since its bundles sit at distinct
// depots; so every λ gives a valid bound. λ is improved by the volume algorithm, then
// plain subgradient steps, with Polyak step lengths towards the upper bound (or a
// target a little above the best bound).
//
// Step parameters of the volume algorithm and the polishing phase:
const (
	volumeAlpha    = 0.02 // the averaging weight settles here, halving from a trajectory's start whenever the step shrinks
	volumeThetaMax = 1.0
	volumeReds     = 20
	volumeShare    = 0.6 // of the iterations, then plain subgradient polishing
	polishTheta    = 0.25
	polishReds     = 15
)

// initEquipShare is the part of all equipment prices the starting λ spreads over a
// full bundle's value, with F (each asset starts at t_min·(1 + (F + s·ΣM)/V)).
const initEquipShare = 0.5

// trajectoryParams start one run of the volume algorithm.
type trajectoryParams struct{ theta, alpha float64 }

// trajectories are the starts of the volume algorithm: the first is the one large
// instances run; small ones (at most multiStartPairs depot–asset pairs, where an
// iteration costs microseconds) run all three from the same start and keep the best,
// because the dual's non-smoothness makes a single run's result depend on its step
// parameters. A function, not a variable, so that no caller can change them.
func trajectories() [3]trajectoryParams {
	return [...]trajectoryParams{{0.1, 0.1}, {0.5, 0.3}, {0.1, 0.02}}
}

const multiStartPairs = 20000

// lagrangeEval computes L(λ) with the depot subproblems spread over threads; sols
// holds every depot's solution of the last evaluation.
type lagrangeEval struct {
	bd      *boundData
	threads int
	sols    []subSolution
	scratch []subScratch
}

func newLagrangeEval(bd *boundData, threads int) *lagrangeEval {
	return &lagrangeEval{bd: bd, threads: threads,
		sols: make([]subSolution, len(bd.cands)), scratch: make([]subScratch, threads)}
}

// value is L(λ) for λ over the participating positions; it is a valid lower bound for
// every λ. The sum runs in a fixed order, so it does not depend on the thread count.
func (ev *lagrangeEval) value(lam, mu []float64) float64 {
	bd := ev.bd
	if ev.threads <= 1 {
		for j := range bd.cands {
			bd.solveDepot(&bd.cands[j], lam, mu, &ev.scratch[0], &ev.sols[j])
		}
		return ev.sum(lam, mu)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < ev.threads; w++ {
		wg.Add(1)
		go func(sc *subScratch) {
			defer wg.Done()
			for {
				j := int(next.Add(1)) - 1
				if j >= len(bd.cands) {
					return
				}
				bd.solveDepot(&bd.cands[j], lam, mu, sc, &ev.sols[j])
			}
		}(&ev.scratch[w])
	}
	wg.Wait()
	return ev.sum(lam, mu)
}

// sum adds L(λ, μ) up in a fixed order, whatever the thread count.
func (ev *lagrangeEval) sum(lam, mu []float64) float64 {
	bd := ev.bd
	L := 0.0
	for _, l := range lam {
		L += l
	}
	for c, x := range mu {
		L += x * bd.cellBundles[c]
	}
	for j := range ev.sols {
		L += ev.sols[j].lb
	}
	return L
}

// lagrangian: see the comment above the step parameters. Besides λ it carries one
// multiplier μ_c ≥ 0 per cell for "cell c needs at least N_c bundles" (N_c from the
// counting bound): L(λ, μ) = Σ λ + Σ μ_c N_c + Σ_j min(0, LB_j(λ) − μ_{cell}), valid
// because a feasible plan has at least N_c bundles in cell c.
func lagrangian(ctx context.Context, bd *boundData, opt BoundOptions, res *BoundResult) {
	m := bd.m
	if bd.n == 0 {
		return
	}
	em, cands := bd.em, bd.cands
	nz := bd.n + bd.ncells
	z := make([]float64, nz) // (λ, μ)
	lam, mu := z[:bd.n], z[bd.n:]
	// Start from the cheapest term plus a share of the fixed cost and equipment.
	share := 0.0
	if !math.IsInf(m.MaxValue, 1) && m.MaxValue > 0 {
		share = (m.F + initEquipShare*em.cost(^uint16(0))) / m.MaxValue
	}
	for p := range lam {
		lam[p] = bd.tmin[p] * (1 + share)
	}
	maxIter := opt.MaxIter
	if maxIter <= 0 {
		maxIter = 500
	}
	ev := newLagrangeEval(bd, opt.Threads)
	sols := ev.sols
	// rhs of the dualised rows: 1 per asset, N_c per cell
	rhs := make([]float64, nz)
	for i := range rhs {
		if i < bd.n {
			rhs[i] = 1
		} else {
			rhs[i] = bd.cellBundles[i-bd.n]
		}
	}

	start := time.Now()
	floor := res.LowerBound // the counting bound: a target floor for the steps
	// Volume algorithm (Barahona & Anbil 2000): steps go from the best point so far
	// (the centre) along rhs − x̄, where x̄ averages the subproblems' solutions (cover
	// of each asset, bundles opened in each cell); averaging damps the zig-zag of
	// plain subgradient steps.
	// trajectory runs the volume algorithm and the polishing phase from z0 with step
	// parameters tp; overall tracks the best L of all trajectories, closed reports a
	// stop that ends every trajectory (cancel, deadline, gap closed).
	trajectory := func(tp trajectoryParams, z0 []float64, maxIter int, overall *float64, closed *bool) (float64, []float64, int) {
		copy(z, z0)
		best := math.Inf(-1) // L at the centre (unshaved)
		bestZ := append([]float64(nil), z...)
		ax := make([]float64, nz)   // the last evaluation's row activities
		xbar := make([]float64, nz) // averaged activities
		v := make([]float64, nz)    // direction rhs − x̄
		theta := tp.theta
		volAlpha := math.Max(tp.alpha, volumeAlpha)
		reds := 0
		polishing := false
		it := 0
		for ; it < maxIter; it++ {
			if ctx.Err() != nil || (!opt.Deadline.IsZero() && time.Now().After(opt.Deadline)) {
				*closed = true
				break
			}
			ub := opt.UpperBound
			if opt.UpperBoundFunc != nil {
				if u := opt.UpperBoundFunc(); u > 0 && (ub <= 0 || u < ub) {
					ub = u
				}
			}
			L := ev.value(lam, mu)
			clear(ax)
			for j := range sols {
				for i, k := range sols[j].take {
					ax[cands[j].p[k]] += sols[j].frac[i]
				}
				if sols[j].lb < 0 {
					ax[bd.n+int(sols[j].cell)]++
				}
			}
			alpha := volAlpha
			// polish for the last 40 % of the iterations, or of the time when a deadline
			// comes first
			polish := it >= int(volumeShare*float64(maxIter)) ||
				(!opt.Deadline.IsZero() && time.Since(start) >= time.Duration(volumeShare*float64(opt.Deadline.Sub(start))))
			if it == 0 || polish {
				alpha = 1 // plain subgradient steps from the centre in the polishing phase
			}
			if polish && !polishing {
				polishing, theta, reds = true, polishTheta, 0
			}
			for i := range xbar {
				xbar[i] = alpha*ax[i] + (1-alpha)*xbar[i]
			}
			if L > best {
				// green when the new subgradient agrees with the direction: lengthen
				dotgv := 0.0
				for i := range ax {
					dotgv += (rhs[i] - ax[i]) * v[i]
				}
				if dotgv >= 0 && it > 0 && !polishing {
					theta = math.Min(volumeThetaMax, theta*1.1)
				}
				if L > best+1e-7*math.Abs(best) {
					reds = 0
				}
				best = L
				copy(bestZ, z)
				if L > *overall {
					*overall = L
					if opt.Progress != nil && shave(L) > floor {
						opt.Progress(shave(L))
					}
				}
			} else {
				reds++
				if polishing && reds >= polishReds {
					theta /= 2
					reds = 0
					if theta < 1e-5 {
						it++
						break
					}
				} else if !polishing && reds >= volumeReds {
					theta *= 0.66
					volAlpha = math.Max(volumeAlpha, volAlpha/2)
					reds = 0
					if theta < 1e-5 {
						it++
						break
					}
				}
			}
			if opt.Log != nil {
				refined := 0
				for j := range sols {
					refined += sols[j].refined
				}
				opt.Log(fmt.Sprintf("it %d L %.2f best %.2f theta %.4g refined %d mu %.0f", it, L, best, theta, refined, mu))
			}
			if ub > 0 && shave(best) >= ub*(1-1e-7) {
				it++
				*closed = true
				break
			}
			norm := 0.0
			for i := range v {
				v[i] = rhs[i] - xbar[i]
				if i >= bd.n && bestZ[i] <= 0 && v[i] < 0 {
					v[i] = 0 // μ ≥ 0 sits on its bound: project the direction
				}
				norm += v[i] * v[i]
			}
			if norm < 1e-18 {
				it++
				break
			}
			target := ub
			if lo := math.Max(best, floor); target <= lo {
				target = lo + 0.01*math.Abs(lo) + 1
			}
			step := theta * (target - best) / norm
			for i := range z {
				z[i] = bestZ[i] + step*v[i]
			}
			for c := range mu {
				mu[c] = math.Max(0, mu[c])
			}
		}
		return best, bestZ, it
	}
	z0 := append([]float64(nil), z...)
	overall := math.Inf(-1)
	best, bestZ, it := math.Inf(-1), z0, 0
	closed := false
	starts := trajectories()
	plan := starts[:1]
	if len(bd.cands)*bd.n <= multiStartPairs {
		plan = starts[:]
	}
	for _, tp := range plan {
		b, bz, n := trajectory(tp, z0, maxIter, &overall, &closed)
		it += n
		if b > best {
			best, bestZ = b, bz
		}
		if closed {
			break
		}
	}
	if shave(best) > res.LowerBound {
		res.LowerBound = shave(best)
		res.Method = fmt.Sprintf("lagrangian(volume, %d it)", it)
		for p, a := range bd.asset {
			res.Multipliers[a] = bestZ[p]
		}
	}
	res.Iterations = it
}
