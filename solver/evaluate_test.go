package solver

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tabane/tabane/internal/refereetest"
)

// readTestdata reads solver/testdata/NAME.json (copies of the public instances).
func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testdataModel compiles solver/testdata/NAME.json.
func testdataModel(t testing.TB, name string) *Model {
	t.Helper()
	data := readTestdata(t, name)
	inst, err := ParseInstance(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// handInstance is small enough to price by hand. Every point lies on the meridian 135°E,
// where the haversine distance is exactly R·Δφ: one tenth of a degree is
// 6371.0088 × π/180 × 0.1 = 11.11950802 km, × circuity 1.5 = 16.67926204 km, and at
// τ = ¥400/km costs ¥6,671.704814.
//
//	municipalities: X (north, office 34.0°N), Y (south, office 34.1°N), Z (north, office 34.2°N, not participating)
//	depots: hub 34.0°N, far 34.5°N, y-office 34.1°N
//	a1 X bridge        34.0°N  ¥400,000  3 days  snooper_truck, traffic_control
//	a2 Y culvert       34.1°N  ¥150,000  1 day   traffic_control
//	a3 Y pump_station  33.8°N  ¥600,000  2 days  boat
//	a4 Z bridge        34.2°N  ¥100,000  1 day
const handInstance = `{
  "version": 1, "name": "hand",
  "params": {
    "contract_fixed_cost": 2000000, "travel_cost_per_km": 400, "circuity": 1.5,
    "equipment": {"snooper_truck": 500000, "traffic_control": 80000, "boat": 200000},
    "mixed_discipline_surcharge": 1000000,
    "limits": {"min_value": 3000000, "max_value": 10000000, "max_workload": 10, "max_assets": 5, "max_distance_km": 60},
    "region_locked": false, "require_individual_rationality": false
  },
  "municipalities": [
    {"code": "X", "name": "X-machi", "region": "north", "office": {"lon": 135, "lat": 34.0}},
    {"code": "Y", "name": "Y-mura", "region": "south", "office": {"lon": 135, "lat": 34.1}},
    {"code": "Z", "name": "Z-cho", "region": "north", "participates": false, "office": {"lon": 135, "lat": 34.2}}
  ],
  "depots": [
    {"id": "hub", "lon": 135, "lat": 34.0},
    {"id": "far", "lon": 135, "lat": 34.5},
    {"id": "y-office", "lon": 135, "lat": 34.1}
  ],
  "assets": [
    {"id": "a1", "municipality": "X", "kind": "bridge", "lon": 135, "lat": 34.0, "cost": 400000, "workload": 3,
     "equipment": ["snooper_truck", "traffic_control"], "name": "Ichi-bashi"},
    {"id": "a2", "municipality": "Y", "kind": "culvert", "lon": 135, "lat": 34.1, "cost": 150000, "workload": 1,
     "equipment": ["traffic_control"]},
    {"id": "a3", "municipality": "Y", "kind": "pump_station", "lon": 135, "lat": 33.8, "cost": 600000, "workload": 2,
     "equipment": ["boat"]},
    {"id": "a4", "municipality": "Z", "kind": "bridge", "lon": 135, "lat": 34.2, "cost": 100000, "workload": 1}
  ]
}`

// handModel compiles handInstance after tweak changes it (nil: as is).
func handModel(t testing.TB, tweak func(*Instance)) (*Model, []byte) {
	t.Helper()
	inst, err := ParseInstance([]byte(handInstance))
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(inst)
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(inst)
	if err != nil {
		t.Fatal(err)
	}
	return m, data
}

// handPlan builds a plan; its JSON has "bundles": [] rather than null, which the referee
// cannot read.
func handPlan(bundles ...Bundle) *Plan {
	return &Plan{Instance: "hand", Bundles: append([]Bundle{}, bundles...)}
}

func evNear(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// TestEvaluateHandChecked prices the plan {hub: a1, a2, a3} by hand:
//
//	F                                   2,000,000
//	equipment snooper + traffic + boat    780,000   (traffic counted once)
//	surcharge S·(|{road, sewer}| − 1)   1,000,000
//	asset costs 400,000+150,000+600,000 1,150,000
//	travel 400 × (0 + 0.1° + 0.2°)         20,015.114442  (3 × 6,671.704814)
//	cost                                4,950,015.114442
//
// Standalone: X runs {a1} from its office at distance 0: 2,000,000 + 580,000 + 400,000 =
// 2,980,000. Y runs road {a2} from its office: 2,000,000 + 80,000 + 150,000 = 2,230,000, and
// sewer {a3}, 0.3° away: 2,000,000 + 200,000 + 600,000 + 20,015.114442 = 2,820,015.114442;
// Y = 5,050,015.114442. Baseline 8,030,015.114442; saving exactly 3,080,000 = 38.356…%.
// Z does not participate and has no standalone cost.
//
// Shapley shares (N = {X, Y}): X pays F/2 = 1,000,000, snooper alone 500,000, half the
// traffic control 40,000, S·(1/2 − 1/2) = 0 (road is shared, X has no sewer) and its
// asset 400,000: 1,940,000. Y pays 1,000,000 + 40,000 + boat 200,000 + S·(1/2 + 1 − 1/2) =
// 1,000,000 + 750,000 + 20,015.114442 = 3,010,015.114442. Check against the coalitions:
// c(X) = 2,980,000, c(Y) = 2,000,000 + 280,000 + 1,000,000 + 750,000 + 20,015.114442 =
// 4,050,015.114442, so φ_X = ½·c(X) + ½·(c(XY) − c(Y)) = 1,490,000 + 450,000 = 1,940,000.
func TestEvaluateHandChecked(t *testing.T) {
	m, _ := handModel(t, nil)
	ev := Evaluate(m, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "a3"}}))
	if !ev.Feasible || len(ev.Violations) != 0 {
		t.Fatalf("feasible plan judged infeasible: %+v", ev.Violations)
	}
	const cost = 4950015.114442
	b := ev.Bundles[0].Breakdown
	want := Breakdown{Fixed: 2e6, Equipment: 780000, Surcharge: 1e6, Assets: 1150000, Travel: 20015.114442, Total: cost}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"fixed", b.Fixed, want.Fixed}, {"equipment", b.Equipment, want.Equipment},
		{"surcharge", b.Surcharge, want.Surcharge}, {"assets", b.Assets, want.Assets},
		{"travel", b.Travel, want.Travel}, {"total", b.Total, want.Total}, {"plan cost", ev.Cost, cost},
		{"standalone X", ev.Standalone["X"], 2980000}, {"standalone Y", ev.Standalone["Y"], 5050015.114442},
		{"standalone total", ev.StandaloneTotal, 8030015.114442}, {"saving", ev.Saving, 3080000},
		{"saving %", ev.SavingPct, 100 * 3080000 / 8030015.114442},
		{"share X", ev.Shares["X"], 1940000}, {"share Y", ev.Shares["Y"], 3010015.114442},
		{"bundle share X", ev.Bundles[0].Shares["X"], 1940000},
		{"workload", ev.Bundles[0].Workload, 6},
		{"max distance km", ev.Bundles[0].MaxDistanceKm, 2 * 16.679262035},
	} {
		if !evNear(c.got, c.want, 1e-6) {
			t.Errorf("%s = %.6f, want %.6f", c.name, c.got, c.want)
		}
	}
	if _, ok := ev.Standalone["Z"]; ok || len(ev.Standalone) != 2 {
		t.Errorf("standalone = %v, want X and Y only (Z does not participate)", ev.Standalone)
	}
	r := ev.Bundles[0]
	if r.AssetCount != 3 || !r.Priced || strings.Join(r.Municipalities, ",") != "X,Y" ||
		strings.Join(r.Disciplines, ",") != "road,sewer" || strings.Join(r.Regions, ",") != "north,south" {
		t.Errorf("bundle report = %+v", r)
	}
	if len(ev.IRViolations) != 0 {
		t.Errorf("IR violations %v, want none", ev.IRViolations)
	}
	// The referee script itself, as a planner runs it, agreed and exited 0; without a3 it
	// exited 1.
	_, data := handModel(t, nil)
	whole, missing := t.Name()+"/a1 a2 a3", t.Name()+"/a1 a2"
	pMissing := handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2"}})
	refs := refereetest.Check(t, []refereetest.Job{
		refJob(t, whole, "", data, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "a3"}}), ev),
		refJob(t, missing, "", data, pMissing, Evaluate(m, pMissing)),
	})
	if refereetest.Recording() {
		return
	}
	if ref := refs[whole]; ref.Exit != 0 || !ref.Feasible || !evNear(ref.Cost, cost, 1e-6) || !evNear(ref.Baseline, 8030015.114442, 1e-6) {
		t.Errorf("referee.py: exit %d, %+v", ref.Exit, ref)
	}
	if ref := refs[missing]; ref.Exit != 1 || ref.Feasible {
		t.Errorf("referee.py on a plan missing a3: exit %d, %+v", ref.Exit, ref)
	}
}

// TestEvaluateViolations breaks every rule of docs/model.md once on handInstance, checks the
// rules Evaluate names, and has the referee judge the same plan.
func TestEvaluateViolations(t *testing.T) {
	full := []string{"a1", "a2", "a3"}
	cases := []struct {
		name  string
		tweak func(*Instance)
		plan  *Plan
		rules []string // expected Violation.Rule values, in order
		cost  float64  // expected plan cost
		ir    []string
	}{
		{"unknown depot", nil, handPlan(Bundle{ID: "L1", Depot: "nowhere", Assets: full}),
			[]string{"unknown_depot"}, 0, nil},
		{"depot reused", nil, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a2", "a3"}}, Bundle{ID: "L2", Depot: "hub", Assets: []string{"a1"}}),
			// L1 is Y's contract from the hub: 4,050,015.114442; L2 = c(X) = 2,980,000 < min_value.
			[]string{"depot_reused", "min_value"}, 4050015.114442 + 2980000, nil},
		{"unknown asset", nil, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "zz", "a3"}}),
			[]string{"unknown_asset"}, 4950015.114442, nil},
		{"duplicate", nil, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}, Bundle{ID: "L2", Depot: "y-office", Assets: []string{"a2"}}),
			// L2 = 2,000,000 + 80,000 + 150,000 at distance 0 — priced, and below min_value. Y
			// now pays 3,010,015.114442 + 2,230,000, more than its standalone 5,050,015.114442.
			[]string{"duplicate", "min_value"}, 4950015.114442 + 2230000, []string{"Y"}},
		{"non-participating asset", nil, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "a3", "a4"}}),
			// a4 adds ¥100,000 and 0.2° of travel (13,343.409628).
			[]string{"non_participating"}, 4950015.114442 + 100000 + 13343.409628, nil},
		{"empty bundle", nil, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}, Bundle{ID: "L2", Depot: "far", Assets: []string{}}),
			[]string{"empty_bundle"}, 4950015.114442, nil},
		{"only unknown assets", nil, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}, Bundle{Depot: "far", Assets: []string{"q"}}),
			[]string{"unknown_asset", "empty_bundle"}, 4950015.114442, nil},
		{"coverage", nil, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2"}}),
			// 2,000,000 + 580,000 + 550,000 + 6,671.704814, road only.
			[]string{"coverage"}, 3136671.704814, nil},
		{"empty plan", nil, handPlan(), []string{"coverage", "coverage"}, 0, nil},
		{"min value", func(in *Instance) { in.Params.Limits.MinValue = evFloat(5e6) }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			[]string{"min_value"}, 4950015.114442, nil},
		{"min value within tolerance", func(in *Instance) { in.Params.Limits.MinValue = evFloat(4950019) }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			nil, 4950015.114442, nil},
		{"max value", func(in *Instance) { in.Params.Limits.MaxValue = evFloat(4.9e6) }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			[]string{"max_value"}, 4950015.114442, nil},
		{"max workload", func(in *Instance) { in.Params.Limits.MaxWorkload = evFloat(5.5) }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			[]string{"max_workload"}, 4950015.114442, nil},
		{"workload at the limit", func(in *Instance) { in.Params.Limits.MaxWorkload = evFloat(6) }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			nil, 4950015.114442, nil},
		{"max assets", func(in *Instance) { in.Params.Limits.MaxAssets = evInt(2) }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			[]string{"max_assets"}, 4950015.114442, nil},
		{"max distance", nil, handPlan(Bundle{ID: "L1", Depot: "far", Assets: full}),
			// From 34.5°N: 0.5° + 0.4° + 0.7° = 1.6° of travel = 16 × 6,671.704814.
			[]string{"max_distance"}, 4930000 + 106747.277024, nil},
		{"mixed discipline", func(in *Instance) { in.Params.MixedDisciplineSurcharge = nil }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			// No surcharge when S is null: the bundle is priced 1,000,000 lower.
			[]string{"mixed_discipline"}, 3950015.114442, nil},
		{"region lock", func(in *Instance) { in.Params.RegionLocked = true }, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: full}),
			[]string{"region_lock"}, 4950015.114442, nil},
		{"IR reported, not required", func(in *Instance) { in.Params.Limits.MinValue = nil },
			handPlan(Bundle{ID: "LX", Depot: "y-office", Assets: []string{"a1"}}, Bundle{ID: "LY", Depot: "hub", Assets: []string{"a2", "a3"}}),
			// X alone 0.1° from y-office: 2,986,671.704814 > standalone 2,980,000.
			nil, 2986671.704814 + 4050015.114442, []string{"X"}},
		{"IR required", func(in *Instance) { in.Params.Limits.MinValue = nil; in.Params.RequireIndividualRationality = true },
			handPlan(Bundle{ID: "LX", Depot: "y-office", Assets: []string{"a1"}}, Bundle{ID: "LY", Depot: "hub", Assets: []string{"a2", "a3"}}),
			[]string{"individual_rationality"}, 2986671.704814 + 4050015.114442, []string{"X"}},
	}
	var jobs []refereetest.Job
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, data := handModel(t, c.tweak)
			ev := Evaluate(m, c.plan)
			var rules []string
			for _, v := range ev.Violations {
				rules = append(rules, v.Rule)
				if v.Message == "" {
					t.Errorf("violation %+v has no message", v)
				}
			}
			if strings.Join(rules, " ") != strings.Join(c.rules, " ") {
				t.Errorf("rules = %v, want %v\n%+v", rules, c.rules, ev.Violations)
			}
			if ev.Feasible != (len(c.rules) == 0) {
				t.Errorf("feasible = %v with violations %v", ev.Feasible, rules)
			}
			if !evNear(ev.Cost, c.cost, 1e-5) {
				t.Errorf("cost = %.6f, want %.6f", ev.Cost, c.cost)
			}
			if strings.Join(ev.IRViolations, ",") != strings.Join(c.ir, ",") {
				t.Errorf("IR violations = %v, want %v", ev.IRViolations, c.ir)
			}
			if len(ev.Bundles) != len(c.plan.Bundles) {
				t.Errorf("%d bundle reports for %d bundles", len(ev.Bundles), len(c.plan.Bundles))
			}
			jobs = append(jobs, refJob(t, t.Name(), "", data, c.plan, ev))
		})
	}
	refereetest.Check(t, jobs)
}

// TestEvaluateViolationDetails checks the locating fields of grouped violations.
func TestEvaluateViolationDetails(t *testing.T) {
	m, _ := handModel(t, nil)
	ev := Evaluate(m, handPlan(Bundle{ID: "L1", Depot: "far", Assets: []string{"a1", "a2", "a3"}}))
	if len(ev.Violations) != 1 {
		t.Fatalf("violations %+v", ev.Violations)
	}
	v := ev.Violations[0]
	if v.Rule != "max_distance" || v.Bundle != "L1" || v.Asset != "a1" || v.Count != 3 ||
		!strings.Contains(v.Message, "83.40 km") {
		t.Errorf("max_distance violation = %+v", v)
	}
	if !evNear(ev.Bundles[0].MaxDistanceKm, 7*16.679262035, 1e-6) {
		t.Errorf("max distance = %v km, want 0.7° = 116.754834 km", ev.Bundles[0].MaxDistanceKm)
	}
	ev = Evaluate(m, handPlan(Bundle{Depot: "hub", Assets: []string{"a1"}}))
	var cov *Violation
	for i := range ev.Violations {
		if ev.Violations[i].Rule == "coverage" {
			cov = &ev.Violations[i]
		}
	}
	if cov == nil || cov.Municipality != "Y" || cov.Count != 2 || cov.Asset != "a2" || cov.Message != "municipality Y: 2 asset(s) in no bundle: a2, a3" {
		t.Errorf("coverage violation = %+v", cov)
	}
	if ev.Violations[0].Rule != "min_value" || ev.Violations[0].Bundle != "bundles[0]" {
		t.Errorf("an unnamed bundle is named by its index: %+v", ev.Violations[0])
	}
}

func evFloat(x float64) *float64 { return &x }
func evInt(x int) *int           { return &x }

// refJob is a plan Evaluate judged (ev), for the referee's recorded verdict: on the
// instance file (relative to this package) or, when file is "", on the instance JSON data.
func refJob(t testing.TB, name, file string, data []byte, p *Plan, ev *Evaluation) refereetest.Job {
	t.Helper()
	plan, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	j := refereetest.Job{Name: name, Plan: plan, Ours: refereetest.Ours{Feasible: ev.Feasible, Cost: ev.Cost,
		Baseline: ev.StandaloneTotal, SavingPct: ev.SavingPct, IRViolations: len(ev.IRViolations)}}
	if file != "" {
		j.InstanceFile = refereetest.FromRoot(t, file)
	} else {
		j.Instance = data
	}
	return j
}

// TestEvaluateAgreesWithReferee judges plans on every public test instance with Evaluate
// and compares with referee.py's recorded verdicts: the proven optima, perturbations of them (assets moved between
// bundles, a bundle moved to another depot), one contract per municipality and
// discipline, nearest-depot and random assignments, and a plan with every kind of
// reference error.
func TestEvaluateAgreesWithReferee(t *testing.T) {
	optimum := map[string]float64{ // testdata/README.md, proven by CBC/HiGHS
		"p-tiny": 31279239.68, "p-small": 75327721.56, "p-small-strict": 118329041.78,
	}
	var jobs []refereetest.Job
	for _, name := range []string{"p-tiny", "p-small", "p-small-strict", "p-infeasible", "p-ir", "p-nara"} {
		m := testdataModel(t, name)
		rng := rand.New(rand.NewPCG(7, uint64(len(m.Assets))))
		plans := map[string]*Plan{
			"office":  officePlan(m),
			"nearest": nearestDepotPlan(m),
			"random":  randomPlan(m, rng),
			"broken":  brokenPlan(m, rng),
		}
		if opt, ok := optimum[name]; ok {
			f, err := os.Open(filepath.Join("testdata", name+".optimal-plan.json"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := ReadPlan(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			ev := Evaluate(m, p)
			if !ev.Feasible || math.Abs(ev.Cost-opt) > 0.01 {
				t.Errorf("%s: optimal plan: feasible %v cost %.2f, want feasible at %.2f; %+v", name, ev.Feasible, ev.Cost, opt, ev.Violations)
			}
			plans["optimal"] = p
			q := p
			for k := 1; k <= 6; k++ {
				q = movedPlan(q, rng)
				plans[fmt.Sprintf("optimal, %d asset(s) moved", k)] = q
			}
			for k := range 3 {
				plans[fmt.Sprintf("optimal, bundle moved to another depot #%d", k)] = depotMovedPlan(m, p, rng)
			}
		}
		for k := range 3 {
			plans[fmt.Sprintf("random #%d", k)] = randomPlan(m, rng)
		}
		for _, pname := range slices.Sorted(maps.Keys(plans)) {
			p := plans[pname]
			jobs = append(jobs, refJob(t, t.Name()+"/"+name+"/"+pname, filepath.Join("testdata", name+".json"), nil, p, Evaluate(m, p)))
		}
	}
	refereetest.Check(t, jobs)
}

// officePlan is every municipality going alone: one bundle per municipality and
// discipline at the depot nearest its office (depots repeat when offices share one).
func officePlan(m *Model) *Plan {
	p := &Plan{Bundles: []Bundle{}}
	key := map[[2]int]int{}
	for _, a := range m.Participating {
		ai := &m.Assets[a]
		k := [2]int{ai.Muni, ai.Discipline}
		bi, ok := key[k]
		if !ok {
			bi = len(p.Bundles)
			key[k] = bi
			mu := &m.Munis[ai.Muni]
			p.Bundles = append(p.Bundles, Bundle{ID: mu.Code + "-" + m.Disciplines[ai.Discipline],
				Depot: m.Depots[nearestDepot(m, mu.Office)].ID, Assets: []string{}})
		}
		p.Bundles[bi].Assets = append(p.Bundles[bi].Assets, ai.ID)
	}
	return p
}

func nearestDepot(m *Model, at Point) int {
	best, bd := 0, math.Inf(1)
	for j := range m.Depots {
		if d := m.Dist(m.Depots[j].At, at); d < bd {
			best, bd = j, d
		}
	}
	return best
}

// depotPlan turns an assignment asset → depot into one bundle per depot.
func depotPlan(m *Model, depotOf func(a int) int) *Plan {
	p := &Plan{Bundles: []Bundle{}}
	at := map[int]int{}
	for _, a := range m.Participating {
		j := depotOf(a)
		bi, ok := at[j]
		if !ok {
			bi = len(p.Bundles)
			at[j] = bi
			p.Bundles = append(p.Bundles, Bundle{ID: fmt.Sprintf("B%d", bi+1), Depot: m.Depots[j].ID, Assets: []string{}})
		}
		p.Bundles[bi].Assets = append(p.Bundles[bi].Assets, m.Assets[a].ID)
	}
	return p
}

func nearestDepotPlan(m *Model) *Plan {
	return depotPlan(m, func(a int) int { return nearestDepot(m, m.Assets[a].At) })
}

func randomPlan(m *Model, rng *rand.Rand) *Plan {
	return depotPlan(m, func(int) int { return rng.IntN(len(m.Depots)) })
}

// brokenPlan is a random plan with an asset dropped, one listed twice, an unknown asset,
// an asset of a non-participating municipality (when there is one), a bundle at an
// unknown depot and an empty bundle.
func brokenPlan(m *Model, rng *rand.Rand) *Plan {
	p := randomPlan(m, rng)
	b0 := &p.Bundles[0]
	dropped := b0.Assets[0]
	b0.Assets = b0.Assets[1:]
	last := &p.Bundles[len(p.Bundles)-1]
	last.Assets = append(last.Assets, p.Bundles[len(p.Bundles)/2].Assets[0], "no-such-asset")
	for a := range m.Assets {
		if !m.Munis[m.Assets[a].Muni].Participates {
			last.Assets = append(last.Assets, m.Assets[a].ID)
			break
		}
	}
	p.Bundles = append(p.Bundles, Bundle{ID: "ghost", Depot: "no-such-depot", Assets: []string{dropped}},
		Bundle{ID: "void", Depot: m.Depots[0].ID, Assets: []string{}})
	return p
}

// depotMovedPlan copies p and runs one random bundle from a random depot instead.
func depotMovedPlan(m *Model, p *Plan, rng *rand.Rand) *Plan {
	q := &Plan{Instance: p.Instance, Bundles: make([]Bundle, len(p.Bundles))}
	copy(q.Bundles, p.Bundles)
	q.Bundles[rng.IntN(len(q.Bundles))].Depot = m.Depots[rng.IntN(len(m.Depots))].ID
	return q
}

// movedPlan copies p and moves one random asset to another random bundle (or, with one
// bundle, into a new bundle at a depot p does not use).
func movedPlan(p *Plan, rng *rand.Rand) *Plan {
	q := &Plan{Instance: p.Instance, Bundles: make([]Bundle, len(p.Bundles))}
	used := map[string]bool{}
	for i, b := range p.Bundles {
		q.Bundles[i] = Bundle{ID: b.ID, Depot: b.Depot, Assets: append([]string{}, b.Assets...)}
		used[b.Depot] = true
	}
	from := &q.Bundles[rng.IntN(len(q.Bundles))]
	k := rng.IntN(len(from.Assets))
	moved := from.Assets[k]
	from.Assets = append(from.Assets[:k], from.Assets[k+1:]...)
	if len(q.Bundles) > 1 {
		to := &q.Bundles[rng.IntN(len(q.Bundles))]
		to.Assets = append(to.Assets, moved)
		return q
	}
	q.Bundles = append(q.Bundles, Bundle{ID: "moved", Depot: from.Depot + "-other", Assets: []string{moved}})
	return q
}

// BenchmarkEvaluate judges the nearest-depot plan of p-nara (1,019 assets, 44 depots).
func BenchmarkEvaluate(b *testing.B) {
	m := testdataModel(b, "p-nara")
	p := nearestDepotPlan(m)
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(m, p)
	}
}

// ExampleEvaluate judges a one-bundle plan on the hand-checked instance above.
func ExampleEvaluate() {
	inst, err := ParseInstance([]byte(handInstance))
	if err != nil {
		panic(err)
	}
	m, err := Compile(inst)
	if err != nil {
		panic(err)
	}
	ev := Evaluate(m, &Plan{Bundles: []Bundle{{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "a3"}}}})
	fmt.Println("feasible:", ev.Feasible)
	fmt.Println("cost:", FormatYen(ev.Cost), "standalone:", FormatYen(ev.StandaloneTotal))
	fmt.Printf("saving: %s (%.2f %%)\n", FormatYen(ev.Saving), ev.SavingPct)
	fmt.Println("shares: X", FormatYen(ev.Shares["X"]), "Y", FormatYen(ev.Shares["Y"]))
	// Output:
	// feasible: true
	// cost: ¥4,950,015 standalone: ¥8,030,015
	// saving: ¥3,080,000 (38.36 %)
	// shares: X ¥1,940,000 Y ¥3,010,015
}

func TestFormatYen(t *testing.T) {
	for x, want := range map[float64]string{0: "¥0", 999.5: "¥1,000", 1234567.4: "¥1,234,567", -2500: "-¥2,500", 100000: "¥100,000"} {
		if got := FormatYen(x); got != want {
			t.Errorf("FormatYen(%v) = %q, want %q", x, got, want)
		}
	}
}
