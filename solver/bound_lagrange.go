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
// depots; so every λ gives a valid bound. λ is improved by subgradient ascent with
// Polyak steps towards the upper bound (or a target a little above the best bound).
func lagrangian(ctx context.Context, bd *boundData, opt BoundOptions, res *BoundResult) {
	m := bd.m
	if bd.n == 0 {
		return
	}
	em, lim, cands := bd.em, bd.lim, bd.cands
	lam := make([]float64, bd.n)
	// Start from the cheapest term plus a share of the fixed cost and equipment.
	share := 0.0
	if !math.IsInf(m.MaxValue, 1) && m.MaxValue > 0 {
		share = (m.F + 0.5*em.cost(^uint16(0))) / m.MaxValue
	}
	for p := range lam {
		lam[p] = bd.tmin[p] * (1 + share)
	}
	maxIter := opt.MaxIter
	if maxIter <= 0 {
		maxIter = 400
	}
	sols := make([]subSolution, len(cands))
	scratch := make([]subScratch, opt.Threads)
	evaluate := func() float64 {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < opt.Threads; w++ {
			wg.Add(1)
			go func(sc *subScratch) {
				defer wg.Done()
				for {
					j := int(next.Add(1)) - 1
					if j >= len(cands) {
						return
					}
					solveDepot(m, em, lim, &cands[j], lam, sc, &sols[j])
				}
			}(&scratch[w])
		}
		wg.Wait()
		L := 0.0
		for _, l := range lam {
			L += l
		}
		for j := range sols {
			L += sols[j].lb
		}
		return L
	}

	floor := res.LowerBound // the counting bound: a target floor for the steps
	best := math.Inf(-1)    // best L(λ) so far (unshaved)
	bestLam := append([]float64(nil), lam...)
	g := make([]float64, bd.n)
	theta := 1.0
	stall := 0
	it := 0
	for ; it < maxIter; it++ {
		if ctx.Err() != nil || (!opt.Deadline.IsZero() && time.Now().After(opt.Deadline)) {
			break
		}
		L := evaluate()
		if L > best {
			if L > best+1e-7*math.Abs(best) {
				stall = 0
			}
			best = L
			copy(bestLam, lam)
			if opt.Progress != nil && shave(L) > floor {
				opt.Progress(shave(L))
			}
		} else {
			stall++
		}
		if stall >= 15 {
			theta /= 2
			stall = 0
			copy(lam, bestLam)
			if theta < 1e-4 {
				break
			}
		}
		if opt.Log != nil {
			refined := 0
			for j := range sols {
				refined += sols[j].refined
			}
			opt.Log(fmt.Sprintf("it %d L %.2f best %.2f theta %.4g refined %d", it, L, best, theta, refined))
		}
		if opt.UpperBound > 0 && shave(best) >= opt.UpperBound*(1-1e-7) {
			it++
			break
		}
		// subgradient g_a = 1 − Σ_j x_ja
		for p := range g {
			g[p] = 1
		}
		for j := range sols {
			for i, k := range sols[j].take {
				g[cands[j].p[k]] -= sols[j].frac[i]
			}
		}
		norm := 0.0
		for _, x := range g {
			norm += x * x
		}
		if norm == 0 {
			it++
			break
		}
		target := opt.UpperBound
		if lo := math.Max(best, floor); target <= lo {
			target = lo + 0.01*math.Abs(lo) + 1
		}
		step := theta * (target - L) / norm
		for p := range lam {
			lam[p] += step * g[p]
		}
	}
	if shave(best) > res.LowerBound {
		res.LowerBound = shave(best)
		res.Method = fmt.Sprintf("lagrangian(subgradient, %d it)", it)
		for p, a := range bd.asset {
			res.Multipliers[a] = bestLam[p]
		}
	}
	res.Iterations = it
}
