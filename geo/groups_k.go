package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// GroupsK partitions regions into exactly k contiguous groups of graph g (node i is
// regions[i]), balanced by Weight and compact. Groups never span two connected
// components of g; the k groups are shared among the components in proportion to
// their weight (D'Hondt, at least one each). Within a component of weight W_c with
// k_c groups the balanced weight is T_c = W_c / k_c, and the search minimises
//
//	f = Σ_g ((W_g − T_c)/T_c)² + λ · Σ_g spread_g / S₀
//
// where spread_g is the sum of squared km from members' anchors to their mean, S₀ is
// the spread of the ungrouped components divided by k, and λ = opt.Compactness.
// If every weight is 0 the regions are balanced by count. Each attempt seeds the
// groups k-means++ style, grows them lightest-first, then moves boundary regions
// between neighbouring groups while f decreases and the donor stays connected.
func GroupsK(regions []Region, g Graph, k int, opt GroupOptions) (Grouping, error) {
	w, err := checkInput(regions, g)
	if err != nil {
		return Grouping{}, err
	}
	opt = opt.withDefaults(16)
	n := len(regions)
	total := 0.0
	for _, x := range w {
		total += x
	}
	if total == 0 {
		for i := range w {
			w[i] = 1
		}
	}
	comps := g.Components()
	if k < 1 || k > n {
		return Grouping{}, &InfeasibleError{Problems: []string{fmt.Sprintf("k = %d groups asked for %d regions (need 1 ≤ k ≤ %d)", k, n, n)}}
	}
	if k < len(comps) {
		var probs []string
		probs = append(probs, fmt.Sprintf("k = %d but the adjacency graph has %d connected components (groups cannot span them: connect islands or raise k)", k, len(comps)))
		for c, comp := range comps {
			probs = append(probs, fmt.Sprintf("component %d: %s", c+1, codesOf(regions, comp, 8)))
		}
		return Grouping{}, &InfeasibleError{Problems: probs}
	}
	// D'Hondt allocation of the k groups to the components.
	kc := make([]int, len(comps))
	wc := make([]float64, len(comps))
	for c, comp := range comps {
		kc[c] = 1
		for _, u := range comp {
			wc[c] += w[u]
		}
	}
	for left := k - len(comps); left > 0; left-- {
		best := -1
		for c := range comps {
			if kc[c] >= len(comps[c]) {
				continue
			}
			if best < 0 || wc[c]/float64(kc[c]+1) > wc[best]/float64(kc[best]+1) {
				best = c
			}
		}
		kc[best]++
	}
	p := newPartition(regions, g, w)
	s0 := 0.0
	for _, comp := range comps {
		var sx, sy, sq float64
		for _, u := range comp {
			x, y := p.xy[u][0], p.xy[u][1]
			sx, sy, sq = sx+x, sy+y, sq+x*x+y*y
		}
		s0 += sse(len(comp), sx, sy, sq)
	}
	s0 /= float64(k)
	lambda := opt.Compactness
	if s0 <= 0 {
		lambda, s0 = 0, 1
	}
	bal := func(wg, t float64) float64 {
		if t <= 0 {
			return 0
		}
		d := (wg - t) / t
		return d * d
	}
	objective := func() float64 {
		f := 0.0
		for gi := range p.size {
			f += bal(p.wt[gi], p.target[gi]) + lambda*p.spread(gi)/s0
		}
		return f
	}
	delta := func(u, a, b int) float64 {
		x := p.w[u]
		d := bal(p.wt[a]-x, p.target[a]) - bal(p.wt[a], p.target[a]) +
			bal(p.wt[b]+x, p.target[b]) - bal(p.wt[b], p.target[b])
		return d + lambda*p.spreadDelta(u, b)/s0
	}
	allowed := func(u, a, b int) bool { return p.size[a] > 1 }

	bestF := math.Inf(1)
	var bestOf []int
	var bestTarget []float64
	for at := 0; at < opt.Attempts; at++ {
		rng := newRand(opt.Seed, at)
		p.reset(0)
		p.target = p.target[:0]
		for c, comp := range comps {
			seeds := kmeansppSeeds(p, comp, kc[c], rng)
			first := len(p.size)
			for range seeds {
				p.newGroup()
				p.target = append(p.target, wc[c]/float64(kc[c]))
			}
			if wc[c] == 0 && total != 0 {
				for gi := first; gi < len(p.size); gi++ {
					p.target[gi] = 0
				}
			}
			growLightestFirst(p, seeds, first)
		}
		localSearch(p, rng, opt.MaxPasses, delta, allowed)
		if f := objective(); f < bestF-1e-12 {
			bestF = f
			bestOf = append(bestOf[:0], p.of...)
			bestTarget = append(bestTarget[:0], p.target...)
		}
	}
	// Rebuild the best state (with the true weights when they were all 0).
	p.target = bestTarget
	if total == 0 {
		for i := range p.w {
			p.w[i] = 0
		}
		p.target = nil
	}
	p.reset(k)
	for u, gi := range bestOf {
		p.add(u, gi)
	}
	return p.result(regions), nil
}

// kmeansppSeeds picks m distinct seeds in comp: the first at random, each next with
// probability proportional to its squared distance to the nearest seed so far.
func kmeansppSeeds(p *partition, comp []int, m int, rng *rand.Rand) []int {
	seeds := []int{comp[rng.IntN(len(comp))]}
	d2 := make([]float64, len(comp))
	for i := range d2 {
		d2[i] = math.Inf(1)
	}
	chosen := map[int]bool{seeds[0]: true}
	for len(seeds) < m {
		last := p.xy[seeds[len(seeds)-1]]
		sum := 0.0
		for i, u := range comp {
			dx, dy := p.xy[u][0]-last[0], p.xy[u][1]-last[1]
			d2[i] = math.Min(d2[i], dx*dx+dy*dy)
			if !chosen[u] {
				sum += d2[i]
			}
		}
		pick := -1
		if sum > 0 {
			r := rng.Float64() * sum
			for i, u := range comp {
				if chosen[u] {
					continue
				}
				r -= d2[i]
				pick = u
				if r <= 0 {
					break
				}
			}
		} else {
			// Remaining units coincide with seeds: take any unchosen one.
			for _, u := range comp {
				if !chosen[u] {
					pick = u
					break
				}
			}
		}
		chosen[pick] = true
		seeds = append(seeds, pick)
	}
	sort.Ints(seeds)
	return seeds
}

// growLightestFirst grows groups first, first+1, … from their seeds: the group of
// least weight takes its unassigned neighbour nearest to its mean, until no group can
// grow (the seeds' component is then fully assigned).
func growLightestFirst(p *partition, seeds []int, first int) {
	front := make([][]int, len(seeds))
	active := make([]bool, len(seeds))
	for i, s := range seeds {
		p.add(s, first+i)
		front[i] = append(front[i], p.adj[s]...)
		active[i] = true
	}
	for {
		gi := -1
		for i := range seeds {
			if active[i] && (gi < 0 || p.wt[first+i] < p.wt[first+gi]) {
				gi = i
			}
		}
		if gi < 0 {
			return
		}
		g := first + gi
		best, bestD := -1, math.Inf(1)
		keep := front[gi][:0]
		for _, u := range front[gi] {
			if p.of[u] >= 0 {
				continue
			}
			keep = append(keep, u)
			if d := p.dist2(u, g); d < bestD || (d == bestD && u < best) {
				best, bestD = u, d
			}
		}
		front[gi] = keep
		if best < 0 {
			active[gi] = false
			continue
		}
		p.add(best, g)
		for _, v := range p.adj[best] {
			if p.of[v] < 0 {
				front[gi] = append(front[gi], v)
			}
		}
	}
}

// localSearch moves single boundary units to a neighbouring group while that lowers
// the objective (delta < 0), the move is allowed, and the donor stays connected.
// Units are visited in a random order per pass; it stops after a pass without a move.
func localSearch(p *partition, rng *rand.Rand, maxPasses int, delta func(u, a, b int) float64,
	allowed func(u, a, b int) bool) {
	order := make([]int, p.n)
	for i := range order {
		order[i] = i
	}
	type move struct {
		b int
		d float64
	}
	var moves []move
	for pass := 0; pass < maxPasses; pass++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		improved := false
		for _, u := range order {
			a := p.of[u]
			if a < 0 {
				continue
			}
			moves = moves[:0]
			for _, v := range p.adj[u] {
				b := p.of[v]
				if b < 0 || b == a {
					continue
				}
				dup := false
				for _, m := range moves {
					if m.b == b {
						dup = true
						break
					}
				}
				if dup || !allowed(u, a, b) {
					continue
				}
				if d := delta(u, a, b); d < -1e-12 {
					moves = append(moves, move{b, d})
				}
			}
			if len(moves) == 0 {
				continue
			}
			sort.Slice(moves, func(i, j int) bool {
				if moves[i].d != moves[j].d {
					return moves[i].d < moves[j].d
				}
				return moves[i].b < moves[j].b
			})
			if !p.connectedWithout(a, u, -1) {
				continue
			}
			p.remove(u)
			p.add(u, moves[0].b)
			improved = true
		}
		if !improved {
			return
		}
	}
}
