package solver

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// twoDepotInstance: depots D0 (135.0°E, 34.0°N) and D1 (0.1° north), assets A0 (¥1,000,000)
// and A1 (¥500,000) both at D0, F = ¥2,000,000, ¥400/km, circuity 1.3, no limits. D1 is
// d = 1.3 × 6371.0088 × 0.1·π/180 = 14.455360430 km from both assets.
func twoDepotInstance(pins string) string {
	s := `{"version": 1, "name": "two-depots",
	  "params": {"contract_fixed_cost": 2000000, "travel_cost_per_km": 400, "circuity": 1.3, "equipment": {},
	             "mixed_discipline_surcharge": 0},
	  "municipalities": [{"code": "M", "name": "M", "region": "R", "office": {"lon": 135.0, "lat": 34.0}}],
	  "depots": [{"id": "D0", "lon": 135.0, "lat": 34.0}, {"id": "D1", "lon": 135.0, "lat": 34.1}],
	  "assets": [{"id": "A0", "municipality": "M", "kind": "bridge", "lon": 135.0, "lat": 34.0, "cost": 1000000, "workload": 1},
	             {"id": "A1", "municipality": "M", "kind": "bridge", "lon": 135.0, "lat": 34.0, "cost": 500000, "workload": 1}]`
	if pins != "" {
		s += `, "pins": ` + pins
	}
	return s + "}"
}

// TestLowerBoundPinsHandChecked: the bound prices a pinned asset at its pinned depot only.
// With 400·d = ¥5,782.144172 (twoDepotInstance):
//   - no pin: one lot at D0, F + 1.5M = ¥3,500,000 (the bound reaches it);
//   - A1 pinned to D1: both at D1, F + 1.5M + 800·d = ¥3,511,564.288 (cheaper than two lots);
//     the counting bound alone proves F + 1.5M + 400·d = ¥3,505,782.144;
//   - A0 and A1 forbidden at D0: the same plan and bound;
//   - D0's lot closed on A0: A1 must go to D1, two lots, 2F + 1.5M + 400·d = ¥5,505,782.144;
//     the Lagrangian sees the two lots (D0 may take A0 only, D1 A1 only) and proves it.
func TestLowerBoundPinsHandChecked(t *testing.T) {
	const d400 = 5782.144172143711
	cases := []struct {
		name, pins string
		opt, least float64 // the optimum, and what the bound must prove at least
	}{
		{"no pin", "", 3.5e6, 3.5e6},
		{"asset pinned away", `{"assets": {"A1": "D1"}}`, 3.5e6 + 2*d400, 3.5e6 + d400},
		{"depot forbidden", `{"forbid": [{"asset": "A0", "depot": "D0"}, {"asset": "A1", "depot": "D0"}]}`, 3.5e6 + 2*d400, 3.5e6 + 2*d400},
		{"lot closed", `{"lots": [{"depot": "D0", "assets": ["A0"], "closed": true}]}`, 5.5e6 + d400, 5.5e6 + d400},
	}
	for _, c := range cases {
		inst, err := ParseInstance([]byte(twoDepotInstance(c.pins)))
		if err != nil {
			t.Fatalf("%s: parse: %v", c.name, err)
		}
		m, err := Compile(inst)
		if err != nil {
			t.Fatalf("%s: compile: %v", c.name, err)
		}
		if got := bruteOptimum(m); math.Abs(got-c.opt) > 1e-6 {
			t.Fatalf("%s: enumerated optimum %.6f, hand-checked %.6f", c.name, got, c.opt)
		}
		r := LowerBound(context.Background(), m, BoundOptions{Threads: 1, MaxIter: 500, UpperBound: c.opt})
		if r.LowerBound > c.opt+1e-6 || r.LowerBound < c.least-1e-2 {
			t.Errorf("%s: bound %.6f (%s), want between %.6f and the optimum %.6f", c.name, r.LowerBound, r.Method, c.least, c.opt)
		}
	}
}

// randomPins draws one to three pins on a tiny instance's seven assets A<i>_<k> and
// depots DM0..DM2: an asset pinned to a depot, an asset kept out of one, a lot closed
// on one or two assets. Contradictory draws are refused by Compile and skipped.
func randomPins(rng *rand.Rand, assets []map[string]any) map[string]any {
	id := func() string { return assets[rng.IntN(len(assets))]["id"].(string) }
	depot := func() string { return fmt.Sprintf("DM%d", rng.IntN(3)) }
	pins := map[string]any{}
	if rng.IntN(2) == 0 {
		pins["assets"] = map[string]any{id(): depot()}
	}
	if rng.IntN(2) == 0 {
		pins["forbid"] = []map[string]any{{"asset": id(), "depot": depot()}, {"asset": id(), "depot": depot()}}
	}
	if rng.IntN(3) == 0 || len(pins) == 0 {
		lot := []string{id()}
		if rng.IntN(2) == 0 {
			lot = append(lot, id())
		}
		pins["lots"] = []map[string]any{{"depot": depot(), "assets": lot, "closed": rng.IntN(2) == 0}}
	}
	return pins
}

// TestLowerBoundPinsBruteForce: on the tiny random instances of
// TestLowerBoundBruteForcePlans with random pins, the bound never exceeds the cheapest
// plan that holds every pin (enumerated), and pins only raise each asset's cheapest term
// and the counting bound (they remove depot–asset pairs, never add one).
func TestLowerBoundPinsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(77, 15))
	feasible, raised := 0, 0
	for trial := 0; trial < 96; trial++ {
		inst := tinyBoundInstance(rng, trial)
		free := boundModelFromJSON(t, inst)
		inst["pins"] = randomPins(rng, inst["assets"].([]map[string]any))
		raw, err := json.Marshal(inst)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := ParseInstance(raw)
		if err != nil {
			t.Fatalf("trial %d: parse: %v", trial, err)
		}
		m, err := Compile(parsed)
		if err != nil {
			continue // contradictory or impossible pins: refused, nothing to bound
		}
		bdFree, bdPinned := newBoundData(free, 1, BoundTuning{}), newBoundData(m, 1, BoundTuning{})
		for p := range bdPinned.tmin {
			if bdPinned.tmin[p] < bdFree.tmin[p] {
				t.Fatalf("trial %d: asset %s's cheapest term fell from %.4f to %.4f with pins %v",
					trial, m.Assets[bdPinned.asset[p]].ID, bdFree.tmin[p], bdPinned.tmin[p], inst["pins"])
			}
		}
		if bdPinned.countingWhy == "" && bdPinned.infeasible == "" && bdPinned.counting < bdFree.counting {
			t.Fatalf("trial %d: counting bound fell from %.4f to %.4f with pins", trial, bdFree.counting, bdPinned.counting)
		}
		opt := bruteOptimum(m)
		r := LowerBound(context.Background(), m, BoundOptions{Threads: 1, MaxIter: 200})
		if math.IsInf(opt, 1) {
			continue
		}
		feasible++
		if r.LowerBound > opt+1e-6 {
			t.Fatalf("trial %d: bound %.4f (%s) exceeds the pinned optimum %.4f (pins %v)", trial, r.LowerBound, r.Method, opt, inst["pins"])
		}
		if rFree := LowerBound(context.Background(), free, BoundOptions{Threads: 1, MaxIter: 200}); r.LowerBound > rFree.LowerBound+1e-6 {
			raised++
		}
	}
	t.Logf("%d feasible pinned instances, bound raised by the pins on %d", feasible, raised)
	if feasible < 20 || raised == 0 {
		t.Fatalf("%d feasible pinned instances, %d with a raised bound: the test checks too little", feasible, raised)
	}
}
