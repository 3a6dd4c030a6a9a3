package solver

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
	"time"
)

// fixShortCase runs fixShort on handProgramme (yearly lots, min_value set) from the
// given years with the given short lots at hub, and returns a1…a3's years.
func fixShortCase(t *testing.T, minValue float64, last1 string, years map[string]int, short map[int][]string) ([]int, bool) {
	t.Helper()
	p := handProgramme(t, 1, func(inst *Instance) {
		inst.Params.Limits.MinValue = &minValue
		if last1 != "" {
			inst.Assets[0].Extra["last_inspection_fy"] = json.RawMessage(last1)
		}
	})
	year := make([]int, len(p.Assets))
	for id, y := range years {
		year[p.AssetIndex[id]] = y
	}
	var blocks []BlockResult
	for fy := p.FirstFY; fy <= p.LastFY(); fy++ {
		br := BlockResult{FY: fy}
		if ids := short[fy]; ids != nil {
			sb := shortBundle{depot: p.DepotIndex["hub"]}
			for _, id := range ids {
				sb.assets = append(sb.assets, p.AssetIndex[id])
			}
			br.short = []shortBundle{sb}
		}
		blocks = append(blocks, br)
	}
	changed := p.fixShort(year, blocks)
	return []int{year[p.AssetIndex["a1"]], year[p.AssetIndex["a2"]], year[p.AssetIndex["a3"]]}, changed
}

// TestFixShortHandChecked follows fixShort on handProgramme's three assets at hub
// (a1 due 2027 at hub, a2 due 2028 16.68 km away, a3 due 2026 with a boat):
//
//   - pull: a3 alone in 2026 costs 2,000,000 + 200,000 + 600,000 + 13,343.41 = 2,813,343.41,
//     below min_value 4,000,000; the nearest later inspection, a1 (0 km), joins: + surcharge
//     1,000,000 (a bridge with a pump station) + snooper and traffic 580,000 + 400,000 +
//     bring-forward 80,000 = 4,873,343.41 ≥ 1.05 × 4,000,000, so a2 stays in 2028;
//   - hand back: a1 alone in 2027 is short of 4,000,000; a2 pulled in would make
//     2,000,000 + 580,000 + 550,000 + 30,000 + 6,671.70 = 3,166,671.70, still short, so a2 stays in
//     2028 and a1 goes to 2026 (its window [2026, 2027]);
//   - push: with a1 last inspected in 2024 (due 2029, window [2027, 2029]) and brought to 2027,
//     a2 brought to 2026 is short of 3,000,000 (2,296,671.70) and nothing can be pulled into 2026
//     (a1's window starts in 2027), nor can it go earlier: it joins the short lot of hub in
//     2027, making 2,000,000 + 580,000 + 550,000 + 160,000 + 30,000 + 6,671.70 = 3,326,671.70.
func TestFixShortHandChecked(t *testing.T) {
	got, changed := fixShortCase(t, 4e6, "", map[string]int{"a1": 2027, "a2": 2028, "a3": 2026}, map[int][]string{2026: {"a3"}})
	if want := []int{2026, 2028, 2026}; !slices.Equal(got, want) || !changed {
		t.Errorf("pull: years %v changed %v, want %v true", got, changed, want)
	}
	got, changed = fixShortCase(t, 4e6, "", map[string]int{"a1": 2027, "a2": 2028, "a3": 2026}, map[int][]string{2027: {"a1"}})
	if want := []int{2026, 2028, 2026}; !slices.Equal(got, want) || !changed {
		t.Errorf("hand back: years %v changed %v, want %v true", got, changed, want)
	}
	got, changed = fixShortCase(t, 3e6, "2024", map[string]int{"a1": 2027, "a2": 2026, "a3": 2026}, map[int][]string{2026: {"a2"}, 2027: {"a1"}})
	if want := []int{2027, 2027, 2026}; !slices.Equal(got, want) || !changed {
		t.Errorf("push: years %v changed %v, want %v true", got, changed, want)
	}
	p := handProgramme(t, 1, nil)
	lot := []int{p.AssetIndex["a1"], p.AssetIndex["a2"]}
	if c := p.LotCost(p.DepotIndex["hub"], 2027, lot, []int{2027, 2027}).Total; !near(c, 3166671.704814) {
		t.Errorf("a1 and a2 in 2027 cost %.6f, want 3,166,671.704814", c)
	}
	// Three short lots: 2026's pulls a1 (of a later short lot, and nearer than a2), which
	// leaves 2027's empty; a2 alone in 2028 (2,236,671.70) has nothing to pull and goes to
	// the block before.
	got, changed = fixShortCase(t, 4e6, "", map[string]int{"a1": 2027, "a2": 2028, "a3": 2026}, map[int][]string{2026: {"a3"}, 2027: {"a1"}, 2028: {"a2"}})
	if want := []int{2026, 2027, 2026}; !slices.Equal(got, want) || !changed {
		t.Errorf("three short lots: years %v changed %v, want %v true", got, changed, want)
	}
	// Nothing to move: a3 short in 2026, its first year and due year, nothing due later in reach.
	got, changed = fixShortCase(t, 4e6, "", map[string]int{"a1": 2026, "a2": 2026, "a3": 2026}, map[int][]string{2026: {"a1", "a2", "a3"}})
	if want := []int{2026, 2026, 2026}; !slices.Equal(got, want) || changed {
		t.Errorf("nothing to move: years %v changed %v, want %v false", got, changed, want)
	}
}

// TestBlockModelCarriesBringForward: an inspection brought forward carries its charge in
// the block's version-1 model (a2 due 2028 in 2026: 150,000 × 2/5 = 60,000 more).
func TestBlockModelCarriesBringForward(t *testing.T) {
	p := handProgramme(t, 1, nil)
	a2, a3 := p.AssetIndex["a2"], p.AssetIndex["a3"]
	year := make([]int, len(p.Assets))
	year[a2], year[a3] = 2026, 2026
	m, err := p.pinnedBlockModel([]int{a2, a3}, 2026, year)
	if err != nil {
		t.Fatal(err)
	}
	if got := []float64{m.Assets[0].Cost, m.Assets[1].Cost}; !near(got[0], 210000) || !near(got[1], 600000) {
		t.Errorf("costs in the block model %v, want [210000 600000]", got)
	}
	if p.Assets[a2].Cost != 150000 {
		t.Errorf("the programme's own cost of a2 changed to %v", p.Assets[a2].Cost)
	}
}

func readProgramme(t testing.TB, path string) *Programme {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := ParseInstance(data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := CompileProgramme(inst)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPartition cuts pp-nara (924 planned assets, 44 depots) into parts of about 250:
// every planned asset lies in exactly one part, with a depot of its part that reaches it;
// every depot lies in at most one part; the parts are balanced.
func TestPartition(t *testing.T) {
	p := readProgramme(t, "testdata/pp-nara.json")
	parts := p.partition(250)
	if len(parts) != 4 {
		t.Fatalf("%d parts, want 4 (⌈924/250⌉)", len(parts))
	}
	seenAsset, seenDepot := map[int]int{}, map[int]int{}
	for k, pt := range parts {
		for _, j := range pt.depots {
			if q, ok := seenDepot[j]; ok {
				t.Errorf("depot %s in parts %d and %d", p.Depots[j].ID, q, k)
			}
			seenDepot[j] = k
		}
		if n := len(pt.assets); n < 150 || n > 350 {
			t.Errorf("part %d has %d assets, want about 231", k, n)
		}
		for _, a := range pt.assets {
			if q, ok := seenAsset[a]; ok {
				t.Errorf("asset %s in parts %d and %d", p.Assets[a].ID, q, k)
			}
			seenAsset[a] = k
			if !slices.ContainsFunc(pt.depots, func(j int) bool { return p.Reachable(j, a) }) {
				t.Errorf("asset %s: no depot of part %d reaches it", p.Assets[a].ID, k)
			}
		}
	}
	if len(seenAsset) != len(p.Planned) {
		t.Errorf("%d assets in parts, want %d", len(seenAsset), len(p.Planned))
	}
}

// TestPartShares: the parts' year caps add up to the whole's, and each municipality's
// budgets over the parts add up to its own (pp-level's caps, pp-budget's budgets).
func TestPartShares(t *testing.T) {
	for _, name := range []string{"pp-level", "pp-budget"} {
		p := readProgramme(t, "testdata/"+name+".json")
		parts := p.partition(40)
		if len(parts) < 3 {
			t.Fatalf("%s: %d parts, want at least 3", name, len(parts))
		}
		capV, capW := 0.0, 0.0
		budgets := make([][]float64, len(p.Munis))
		for _, pt := range parts {
			sp, err := p.partProgramme(pt)
			if err != nil {
				t.Fatal(err)
			}
			if !sp.part || len(sp.Planned) != len(pt.assets) || len(sp.Depots) != len(pt.depots) {
				t.Fatalf("%s: part programme with %d planned, %d depots, want %d, %d", name, len(sp.Planned), len(sp.Depots), len(pt.assets), len(pt.depots))
			}
			if finite(sp.YearMaxValue) {
				capV += sp.YearMaxValue
			}
			if finite(sp.YearMaxWorkload) {
				capW += sp.YearMaxWorkload
			}
			for mu, caps := range sp.Budgets {
				if caps == nil {
					continue
				}
				w := p.MuniIndex[sp.Munis[mu].Code]
				if budgets[w] == nil {
					budgets[w] = make([]float64, len(caps))
				}
				for y, c := range caps {
					budgets[w][y] += c
				}
			}
		}
		if finite(p.YearMaxValue) && !near(capV, p.YearMaxValue) {
			t.Errorf("%s: the parts' value caps add up to %.2f, want %.2f", name, capV, p.YearMaxValue)
		}
		for mu, caps := range p.Budgets {
			if caps == nil {
				continue
			}
			for y, c := range caps {
				if budgets[mu] == nil || !near(budgets[mu][y], c) {
					t.Errorf("%s: %s's budgets in year %d add up to %v, want %v", name, p.Munis[mu].Code, y, budgets[mu], c)
					break
				}
			}
		}
		if !finite(p.YearMaxValue) && capV != 0 {
			t.Errorf("%s: parts have a value cap the whole has not", name)
		}
	}
}

// TestSolveParts plans pp-nara in four parts: the joined plan passes the evaluator, every
// lot's depot and assets come from one part, and it costs at least the whole's bound.
func TestSolveParts(t *testing.T) {
	p := readProgramme(t, "testdata/pp-nara.json")
	res, err := p.solvePartsOf(context.Background(), p.partition(250), SolveOptions{Threads: 2, Seed: 1, MaxIterations: 30},
		time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan == nil || res.Evaluation == nil || !res.Evaluation.Feasible {
		t.Fatalf("no feasible plan: %+v", res.Evaluation)
	}
	if ev := EvaluateProgramme(p, res.Plan); !ev.Feasible || !near(ev.Cost, res.Evaluation.Cost) {
		t.Errorf("the plan re-evaluates to %v (feasible %v), want %v", ev.Cost, ev.Feasible, res.Evaluation.Cost)
	}
	parts := p.partition(250)
	partOf := map[string]int{}
	for k, pt := range parts {
		for _, j := range pt.depots {
			partOf[p.Depots[j].ID] = k
		}
		for _, a := range pt.assets {
			partOf[p.Assets[a].ID] = k
		}
	}
	for _, b := range res.Plan.Bundles {
		for _, id := range b.Assets {
			if partOf[id] != partOf[b.Depot] {
				t.Errorf("lot %s at %s (part %d) holds %s of part %d", b.ID, b.Depot, partOf[b.Depot], id, partOf[id])
			}
		}
	}
	lb, err := ProgrammeLowerBound(context.Background(), p, BoundOptions{Threads: 1, MaxIter: 200})
	if err != nil {
		t.Fatal(err)
	}
	if res.Evaluation.Cost < lb.LowerBound-1e-6 || math.IsNaN(res.Evaluation.Cost) {
		t.Errorf("cost %.2f below the bound %.2f", res.Evaluation.Cost, lb.LowerBound)
	}
	var blocks int
	for _, b := range res.Blocks {
		blocks += b.Assets
	}
	if blocks != len(p.Planned) || len(res.Blocks) != p.Years {
		t.Errorf("blocks hold %d assets in %d blocks, want %d in %d", blocks, len(res.Blocks), len(p.Planned), p.Years)
	}
}
