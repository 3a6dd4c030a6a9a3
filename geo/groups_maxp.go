package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// GroupsMaxP partitions regions into as many contiguous groups of graph g as it can
// find (the max-p regionalisation), each weighing at least floor and, when cap > 0, at
// most cap. Among partitions with the same number of groups it prefers the compact one
// (least total spread, see Group.SpreadKm2).
//
// Each attempt visits the regions in a random order (every third attempt heaviest
// first, roughly); an unassigned region seeds a group that grows by its nearest
// unassigned neighbour (never past cap; in two attempts out of three by the lightest
// neighbour that completes the floor, when there is one) until it reaches the floor,
// or is dissolved when it cannot. Regions left over join the neighbouring group
// that stays under cap and grows least in spread; a left-over region whose neighbouring
// groups are full makes room by pushing one of their boundary regions to a third group.
// Local search then moves boundary regions to cut the spread while every group stays
// connected and within [floor, cap]. Memory is O(n + edges); time per attempt is about
// O(edges · group size).
//
// Infeasible requests return an *InfeasibleError naming every problem found: a region
// heavier than cap, a component lighter than floor, a component whose weight cannot be
// cut into pieces within [floor, cap] by count alone, or no partition found.
func GroupsMaxP(regions []Region, g Graph, floor, cap float64, opt GroupOptions) (Grouping, error) {
	w, err := checkInput(regions, g)
	if err != nil {
		return Grouping{}, err
	}
	if math.IsNaN(floor) || math.IsInf(floor, 0) || floor < 0 {
		return Grouping{}, fmt.Errorf("groups: floor %v is not a finite non-negative number", floor)
	}
	if math.IsNaN(cap) || math.IsInf(cap, -1) {
		return Grouping{}, fmt.Errorf("groups: cap %v is not a number", cap)
	}
	if cap <= 0 {
		cap = math.Inf(1)
	}
	opt = opt.withDefaults(64)
	var probs []string
	if cap < floor {
		probs = append(probs, fmt.Sprintf("cap %s is below floor %s", num(cap), num(floor)))
	}
	for i, x := range w {
		if x > cap {
			probs = append(probs, fmt.Sprintf("region %s weighs %s, more than the cap %s", regions[i].Code, num(x), num(cap)))
		}
	}
	comps := g.Components()
	for _, comp := range comps {
		wc := 0.0
		for _, u := range comp {
			wc += w[u]
		}
		switch {
		case wc < floor:
			probs = append(probs, fmt.Sprintf("connected component {%s} weighs %s, less than the floor %s (connect islands, or leave them out)", codesOf(regions, comp, 8), num(wc), num(floor)))
		case floor > 0 && !math.IsInf(cap, 1):
			// p groups need p·floor ≤ W_c ≤ p·cap for some integer p.
			lo, hi := math.Ceil(wc/cap-1e-9), math.Floor(wc/floor+1e-9)
			if lo > hi {
				probs = append(probs, fmt.Sprintf("connected component {%s} weighs %s: no number of groups fits, %g groups are needed under the cap %s but at most %g reach the floor %s", codesOf(regions, comp, 8), num(wc), lo, num(cap), hi, num(floor)))
			}
		}
	}
	if len(probs) > 0 {
		return Grouping{}, &InfeasibleError{Problems: probs}
	}

	p := newPartition(regions, g, w)
	delta := func(u, a, b int) float64 { return p.spreadDelta(u, b) }
	allowed := func(u, a, b int) bool {
		return p.size[a] > 1 && p.wt[a]-p.w[u] >= floor && p.wt[b]+p.w[u] <= cap
	}
	bestP, bestSpread := 0, math.Inf(1)
	var bestOf []int
	groups := 0
	for at := 0; at < opt.Attempts; at++ {
		rng := newRand(opt.Seed, at)
		if !constructMaxP(p, rng, floor, cap, at%3 != 0, at%3 == 2) {
			continue
		}
		splitHeavy(p, floor, cap)
		if len(p.size) < bestP {
			continue
		}
		localSearch(p, rng, opt.MaxPasses, delta, allowed)
		spread := 0.0
		for gi := range p.size {
			spread += p.spread(gi)
		}
		if len(p.size) > bestP || spread < bestSpread-1e-9 {
			bestP, bestSpread = len(p.size), spread
			bestOf = append(bestOf[:0], p.of...)
			groups = len(p.size)
		}
	}
	if bestOf == nil {
		bounds := "floor " + num(floor)
		if !math.IsInf(cap, 1) {
			bounds += " and cap " + num(cap)
		}
		return Grouping{}, &InfeasibleError{Problems: []string{fmt.Sprintf(
			"no partition into contiguous groups within %s found in %d attempts (the bounds may be too tight for the adjacency; try more attempts, a wider cap or a lower floor)",
			bounds, opt.Attempts)}}
	}
	p.reset(groups)
	for u, gi := range bestOf {
		p.add(u, gi)
	}
	p.target = nil
	return p.result(regions), nil
}

// constructMaxP builds one partition; false when some region could not be placed.
func constructMaxP(p *partition, rng *rand.Rand, floor, cap float64, completeFirst, heavyFirst bool) bool {
	p.reset(0)
	n := p.n
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := rng.IntN(i + 1)
		order[i], order[j] = order[j], order[i]
	}
	if heavyFirst {
		// Heavy regions seed first (a region at the floor by itself makes a group of its
		// own); a random factor in [1, 1.5) varies the order between attempts.
		key := make([]float64, n)
		for i := range key {
			key[i] = p.w[i] * (1 + rng.Float64()/2)
		}
		sort.SliceStable(order, func(a, b int) bool { return key[order[a]] > key[order[b]] })
	}
	tried := make([]bool, n)
	var grown, front []int
	for _, s := range order {
		if p.of[s] >= 0 || tried[s] {
			continue
		}
		g := p.newGroup()
		p.add(s, g)
		grown = append(grown[:0], s)
		front = append(front[:0], p.adj[s]...)
		ok := true
		for p.wt[g] < floor {
			best, bestD := -1, math.Inf(1)
			keep := front[:0]
			for _, u := range front {
				if p.of[u] >= 0 {
					continue
				}
				keep = append(keep, u)
				if p.wt[g]+p.w[u] > cap {
					continue
				}
				// Every other attempt prefers a neighbour that completes the floor, the
				// lightest such first (heavy regions stay free to seed groups of their
				// own); otherwise the nearest to the group's mean.
				d := p.dist2(u, g)
				if completeFirst && p.wt[g]+p.w[u] >= floor {
					d = -1 / (1 + p.w[u])
				}
				if d < bestD || (d == bestD && u < best) {
					best, bestD = u, d
				}
			}
			front = keep
			if best < 0 {
				ok = false
				break
			}
			p.add(best, g)
			grown = append(grown, best)
			for _, v := range p.adj[best] {
				if p.of[v] < 0 {
					front = append(front, v)
				}
			}
		}
		if !ok {
			for _, u := range grown {
				p.remove(u)
				tried[u] = true
			}
			p.popGroup()
		}
	}
	// Left-over regions (enclaves) join a neighbouring group with room.
	for {
		changed, stuck := false, false
		for _, u := range order {
			if p.of[u] >= 0 {
				continue
			}
			best, bestD := -1, math.Inf(1)
			for _, v := range p.adj[u] {
				b := p.of[v]
				if b < 0 || p.wt[b]+p.w[u] > cap {
					continue
				}
				if d := p.addDelta(u, b); d < bestD || (d == bestD && b < best) {
					best, bestD = b, d
				}
			}
			if best >= 0 {
				p.add(u, best)
				changed = true
				continue
			}
			if ejectFor(p, u, floor, cap) {
				changed = true
				continue
			}
			stuck = true
		}
		if !stuck {
			return true
		}
		if !changed {
			break
		}
	}
	// Connected clusters of left-over regions heavy enough become groups of their own.
	for _, s := range order {
		if p.of[s] >= 0 {
			continue
		}
		cluster := []int{s}
		seen := map[int]bool{s: true}
		wsum := p.w[s]
		for q := 0; q < len(cluster); q++ {
			for _, v := range p.adj[cluster[q]] {
				if p.of[v] < 0 && !seen[v] {
					seen[v] = true
					cluster = append(cluster, v)
					wsum += p.w[v]
				}
			}
		}
		if wsum < floor || wsum > cap {
			return false
		}
		g := p.newGroup()
		for _, u := range cluster {
			p.add(u, g)
		}
	}
	return true
}

// ejectFor places unassigned u into a full neighbouring group b by moving one of b's
// regions v to a third group c with room, keeping b connected and within bounds.
func ejectFor(p *partition, u int, floor, cap float64) bool {
	for _, x := range p.adj[u] {
		b := p.of[x]
		if b < 0 {
			continue
		}
		for v := 0; v < p.n; v++ {
			if p.of[v] != b {
				continue
			}
			nw := p.wt[b] - p.w[v] + p.w[u]
			if nw > cap || nw < floor {
				continue
			}
			for _, y := range p.adj[v] {
				c := p.of[y]
				if c < 0 || c == b || p.wt[c]+p.w[v] > cap {
					continue
				}
				if !p.connectedWithout(b, v, u) {
					break
				}
				p.remove(v)
				p.add(v, c)
				p.add(u, b)
				return true
			}
		}
	}
	return false
}

func (p *partition) popGroup() {
	k := len(p.size) - 1
	p.size, p.wt, p.sx, p.sy, p.sq = p.size[:k], p.wt[:k], p.sx[:k], p.sy[:k], p.sq[:k]
}

// splitHeavy cuts groups of at least twice the floor into two contiguous groups that
// both reach it (and stay under cap), while it can: each member, farthest from the
// group's mean first, seeds a piece grown inside the group to the floor; the cut is
// taken when the rest stays connected. It returns the number of cuts.
func splitHeavy(p *partition, floor, cap float64) int {
	cuts := 0
	for g := 0; g < len(p.size); g++ {
		for p.wt[g] >= 2*floor && p.size[g] > 1 && trySplit(p, g, floor, cap) {
			cuts++
		}
	}
	return cuts
}

func trySplit(p *partition, g int, floor, cap float64) bool {
	var members []int
	for u, gu := range p.of {
		if gu == g {
			members = append(members, u)
		}
	}
	sort.SliceStable(members, func(a, b int) bool { return p.dist2(members[a], g) > p.dist2(members[b], g) })
	inPiece := make(map[int]bool, len(members))
	for _, s := range members {
		clear(inPiece)
		piece := []int{s}
		inPiece[s] = true
		w := p.w[s]
		var sx, sy float64 = p.xy[s][0], p.xy[s][1]
		for w < floor {
			best, bestD := -1, math.Inf(1)
			mx, my := sx/float64(len(piece)), sy/float64(len(piece))
			for _, u := range piece {
				for _, v := range p.adj[u] {
					if p.of[v] != g || inPiece[v] || w+p.w[v] > cap {
						continue
					}
					dx, dy := p.xy[v][0]-mx, p.xy[v][1]-my
					d := dx*dx + dy*dy
					if w+p.w[v] >= floor {
						d = -1 / (1 + p.w[v])
					}
					if d < bestD || (d == bestD && v < best) {
						best, bestD = v, d
					}
				}
			}
			if best < 0 {
				break
			}
			piece = append(piece, best)
			inPiece[best] = true
			w += p.w[best]
			sx += p.xy[best][0]
			sy += p.xy[best][1]
		}
		if w < floor || p.wt[g]-w < floor || w > cap {
			continue
		}
		// The rest must stay connected.
		var start = -1
		for _, u := range members {
			if !inPiece[u] {
				start = u
				break
			}
		}
		seen := map[int]bool{start: true}
		queue := []int{start}
		for q := 0; q < len(queue); q++ {
			for _, v := range p.adj[queue[q]] {
				if p.of[v] == g && !inPiece[v] && !seen[v] {
					seen[v] = true
					queue = append(queue, v)
				}
			}
		}
		if len(queue) != len(members)-len(piece) {
			continue
		}
		ng := p.newGroup()
		for _, u := range piece {
			p.remove(u)
			p.add(u, ng)
		}
		return true
	}
	return false
}
