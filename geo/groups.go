package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// GroupOptions tune GroupsK and GroupsMaxP; the zero value is usable.
type GroupOptions struct {
	// Seed makes runs reproducible: the same input and seed give the same groups.
	Seed uint64
	// Attempts is the number of randomised constructions, each followed by local
	// search; the best is kept. Zero means 16 for GroupsK and 64 for GroupsMaxP (its
	// constructions are cheaper and the number of groups varies more between them).
	Attempts int
	// Compactness weighs compactness against balance in GroupsK (see GroupsK).
	// Zero means 0.1; a negative value means balance only.
	Compactness float64
	// MaxPasses bounds the local-search passes per attempt. Zero means 100.
	MaxPasses int
}

func (o GroupOptions) withDefaults(attempts int) GroupOptions {
	if o.Attempts <= 0 {
		o.Attempts = attempts
	}
	if o.Compactness == 0 {
		o.Compactness = 0.1
	}
	if o.Compactness < 0 {
		o.Compactness = 0
	}
	if o.MaxPasses <= 0 {
		o.MaxPasses = 100
	}
	return o
}

// Group is one regional group (群): a contiguous set of regions.
type Group struct {
	// Members are indices into the regions, increasing; Codes are their codes.
	Members []int
	Codes   []string
	Weight  float64
	// Center is the mean of the members' anchors (WGS84).
	Center orb.Point
	// SpreadKm2 is the sum of squared distances (km²) from the members' anchors to Center.
	SpreadKm2 float64
}

// Grouping is a partition of the regions into contiguous groups.
type Grouping struct {
	Groups []Group
	// Of[i] is the group of region i.
	Of []int
	// Target is the balanced weight per group (GroupsK), the mean group weight otherwise.
	Target float64
	// MaxImbalance is max over groups of |Weight − target| / target, where the target
	// is the balanced weight of the group's component (0 when all weights are 0).
	MaxImbalance float64
	// SpreadKm2 is the sum of the groups' SpreadKm2 (lower is more compact).
	SpreadKm2 float64
}

// InfeasibleError says why no grouping satisfies the request; every problem names
// the regions (codes) and weights involved.
type InfeasibleError struct {
	Problems []string
}

func (e *InfeasibleError) Error() string {
	return "groups infeasible: " + strings.Join(e.Problems, "; ")
}

// partition is the working state shared by the constructions and the local search.
type partition struct {
	n   int
	xy  []orb.Point // anchors projected to km
	w   []float64
	adj [][]int
	of  []int // group per unit, -1 unassigned
	// per group
	size           []int
	wt, sx, sy, sq []float64
	target         []float64 // GroupsK balance target per group
	// scratch for connectivity checks: mark[v] == stamp means visited
	mark  []int
	stamp int
}

func newPartition(regions []Region, g Graph, weights []float64) *partition {
	n := len(regions)
	anchors := make([]orb.Point, n)
	for i, r := range regions {
		anchors[i] = r.Anchor()
	}
	pr := projectionFor(orb.MultiPoint(anchors).Bound())
	p := &partition{n: n, xy: make([]orb.Point, n), w: weights, adj: g.Adj, of: make([]int, n), mark: make([]int, n)}
	for i, a := range anchors {
		q := pr.Forward(a)
		p.xy[i] = orb.Point{q[0] / 1000, q[1] / 1000}
		p.of[i] = -1
	}
	return p
}

func (p *partition) reset(groups int) {
	for i := range p.of {
		p.of[i] = -1
	}
	p.size = make([]int, groups)
	p.wt = make([]float64, groups)
	p.sx = make([]float64, groups)
	p.sy = make([]float64, groups)
	p.sq = make([]float64, groups)
}

func (p *partition) newGroup() int {
	p.size = append(p.size, 0)
	p.wt = append(p.wt, 0)
	p.sx = append(p.sx, 0)
	p.sy = append(p.sy, 0)
	p.sq = append(p.sq, 0)
	return len(p.size) - 1
}

func (p *partition) add(u, g int) {
	x, y := p.xy[u][0], p.xy[u][1]
	p.of[u] = g
	p.size[g]++
	p.wt[g] += p.w[u]
	p.sx[g] += x
	p.sy[g] += y
	p.sq[g] += x*x + y*y
}

func (p *partition) remove(u int) {
	g := p.of[u]
	x, y := p.xy[u][0], p.xy[u][1]
	p.of[u] = -1
	p.size[g]--
	p.wt[g] -= p.w[u]
	p.sx[g] -= x
	p.sy[g] -= y
	p.sq[g] -= x*x + y*y
}

// sse is the spread of a group given its sums.
func sse(n int, sx, sy, sq float64) float64 {
	if n == 0 {
		return 0
	}
	return math.Max(0, sq-(sx*sx+sy*sy)/float64(n))
}

func (p *partition) spread(g int) float64 { return sse(p.size[g], p.sx[g], p.sy[g], p.sq[g]) }

// spreadDelta is the change in total spread when u moves from its group to b.
func (p *partition) spreadDelta(u, b int) float64 {
	a := p.of[u]
	x, y := p.xy[u][0], p.xy[u][1]
	q := x*x + y*y
	da := sse(p.size[a]-1, p.sx[a]-x, p.sy[a]-y, p.sq[a]-q) - p.spread(a)
	if b < 0 {
		return da
	}
	db := sse(p.size[b]+1, p.sx[b]+x, p.sy[b]+y, p.sq[b]+q) - p.spread(b)
	return da + db
}

// addDelta is the spread increase of adding unassigned u to group b.
func (p *partition) addDelta(u, b int) float64 {
	x, y := p.xy[u][0], p.xy[u][1]
	return sse(p.size[b]+1, p.sx[b]+x, p.sy[b]+y, p.sq[b]+x*x+y*y) - p.spread(b)
}

func (p *partition) dist2(u int, g int) float64 {
	if p.size[g] == 0 {
		return 0
	}
	mx, my := p.sx[g]/float64(p.size[g]), p.sy[g]/float64(p.size[g])
	dx, dy := p.xy[u][0]-mx, p.xy[u][1]-my
	return dx*dx + dy*dy
}

// connectedWithout reports whether group g stays connected when u leaves it and
// extra (if ≥ 0, a unit outside g) joins it.
func (p *partition) connectedWithout(g, u, extra int) bool {
	p.stamp++
	mark, stamp := p.mark, p.stamp
	want := p.size[g] - 1
	if p.of[u] != g {
		want = p.size[g]
	}
	if extra >= 0 {
		want++
	}
	if want <= 1 {
		return true
	}
	in := func(v int) bool { return v != u && (p.of[v] == g || v == extra) }
	// Quick accept: a leaf of the group (one neighbour inside) never disconnects it.
	if extra < 0 && p.of[u] == g {
		inside := 0
		for _, v := range p.adj[u] {
			if p.of[v] == g {
				inside++
			}
		}
		if inside <= 1 {
			return true
		}
	}
	start := -1
	for _, v := range p.adj[u] {
		if in(v) {
			start = v
			break
		}
	}
	if start < 0 {
		if extra >= 0 {
			start = extra
		} else {
			return false
		}
	}
	queue := []int{start}
	mark[start] = stamp
	for q := 0; q < len(queue); q++ {
		for _, v := range p.adj[queue[q]] {
			if mark[v] != stamp && in(v) {
				mark[v] = stamp
				queue = append(queue, v)
			}
		}
	}
	return len(queue) == want
}

// result turns the state into a Grouping with groups ordered by their first member.
func (p *partition) result(regions []Region) Grouping {
	k := len(p.size)
	members := make([][]int, k)
	for u, g := range p.of {
		members[g] = append(members[g], u)
	}
	order := make([]int, 0, k)
	for g := range members {
		if len(members[g]) > 0 {
			order = append(order, g)
		}
	}
	sort.Slice(order, func(a, b int) bool { return members[order[a]][0] < members[order[b]][0] })
	renum := make([]int, k)
	out := Grouping{Of: make([]int, p.n)}
	total := 0.0
	for newg, g := range order {
		renum[g] = newg
		grp := Group{Members: members[g], Weight: p.wt[g], SpreadKm2: p.spread(g)}
		var c orb.Point
		for _, u := range members[g] {
			grp.Codes = append(grp.Codes, regions[u].Code)
			a := regions[u].Anchor()
			c[0] += a[0]
			c[1] += a[1]
		}
		grp.Center = orb.Point{c[0] / float64(len(members[g])), c[1] / float64(len(members[g]))}
		out.Groups = append(out.Groups, grp)
		out.SpreadKm2 += grp.SpreadKm2
		total += grp.Weight
		if p.target != nil && p.target[g] > 0 {
			out.MaxImbalance = math.Max(out.MaxImbalance, math.Abs(grp.Weight-p.target[g])/p.target[g])
		}
	}
	for u, g := range p.of {
		out.Of[u] = renum[g]
	}
	if len(order) > 0 {
		out.Target = total / float64(len(order))
	}
	return out
}

// checkInput validates regions against the graph and the weights.
func checkInput(regions []Region, g Graph) ([]float64, error) {
	if len(regions) == 0 {
		return nil, fmt.Errorf("groups: no regions")
	}
	if len(g.Adj) != len(regions) {
		return nil, fmt.Errorf("groups: graph has %d nodes for %d regions", len(g.Adj), len(regions))
	}
	w := make([]float64, len(regions))
	for i, r := range regions {
		if i < len(g.Codes) && g.Codes[i] != r.Code {
			return nil, fmt.Errorf("groups: region %d is %s but graph node %d is %s", i, r.Code, i, g.Codes[i])
		}
		if math.IsNaN(r.Weight) || math.IsInf(r.Weight, 0) || r.Weight < 0 {
			return nil, fmt.Errorf("groups: region %s: weight %v is not a finite non-negative number", r.Code, r.Weight)
		}
		if !r.hasPlace() {
			return nil, fmt.Errorf("groups: region %s has neither a polygon nor an office", r.Code)
		}
		if a := r.Anchor(); !ValidLonLat(a[0], a[1]) {
			return nil, fmt.Errorf("groups: region %s: anchor %v is not WGS84 degrees", r.Code, a)
		}
		w[i] = r.Weight
	}
	return w, nil
}

func codesOf(regions []Region, idx []int, limit int) string {
	var b strings.Builder
	for k, i := range idx {
		if k == limit {
			fmt.Fprintf(&b, " … (%d in all)", len(idx))
			break
		}
		if k > 0 {
			b.WriteString(" ")
		}
		b.WriteString(regions[i].Code)
	}
	return b.String()
}

// num prints a weight with at most 10 significant digits (718.41, not 718.4100000000002).
func num(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }

func newRand(seed uint64, attempt int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(attempt)*0x9E3779B97F4A7C15+1))
}
