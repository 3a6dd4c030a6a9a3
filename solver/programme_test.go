package solver

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// handProgramme turns handInstance into a version-2 instance: horizon 2026–2029, cycle 5,
// bring forward up to 2 years, lots of contract_years, min_value 2,000,000 (so that a
// two-year lot needs 4,000,000). Last inspections: a1 2022 (due 2027), a2 2023 (due
// 2028), a3 2021 (due 2026), a4 never (Z does not participate). tweak may change the
// instance before it is compiled.
func handProgramme(t testing.TB, contractYears int, tweak func(*Instance)) *Programme {
	t.Helper()
	inst, err := ParseInstance([]byte(handInstance))
	if err != nil {
		t.Fatal(err)
	}
	first, years, cycle, adv := 2026, 4, 5, 2
	inst.Version = 2
	minValue := 2e6
	inst.Params.Limits.MinValue = &minValue
	inst.Programme = &ProgrammeSpec{FirstFY: &first, Years: &years, CycleYears: &cycle,
		AdvanceMaxYears: &adv, ContractYears: &contractYears}
	for i, last := range []string{"2022", "2023", "2021", "null"} {
		if inst.Assets[i].Extra == nil {
			inst.Assets[i].Extra = map[string]json.RawMessage{}
		}
		inst.Assets[i].Extra["last_inspection_fy"] = json.RawMessage(last)
	}
	if tweak != nil {
		tweak(inst)
	}
	p, err := CompileProgramme(inst)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-6*max(1, math.Abs(want)) }

// TestProgrammeLotCostHandChecked prices one two-year lot from hub (block 2026–27): a1
// in 2026 (due 2027: one year early), a2 in 2027 (due 2028: one year early), a3 in 2026
// (due). Travel: a1 0, a2 ¥6,671.704814, a3 ¥13,343.409628.
//
//	letting F 2,000,000 and surcharge S·(2−1) 1,000,000, once per lot, 1,500,000 a year
//	equipment 2026: snooper 500,000 + traffic 80,000 (a1) + boat 200,000 (a3) = 780,000
//	equipment 2027: traffic 80,000 (a2) again: mobilised once per lot and year
//	bring forward: a1 400,000·1/5 = 80,000; a2 150,000·1/5 = 30,000
//	cost = 2,000,000 + 860,000 + 1,000,000 + 1,150,000 + 20,015.114442 + 110,000 = 5,140,015.114442
//	cost_2026 = 1,500,000 + 780,000 + 1,000,000 + 13,343.409628 + 80,000 = 3,373,343.409628
//	cost_2027 = 1,500,000 + 80,000 + 150,000 + 6,671.704814 + 30,000 = 1,766,671.704814
func TestProgrammeLotCostHandChecked(t *testing.T) {
	p := handProgramme(t, 2, nil)
	a1, a2, a3 := p.AssetIndex["a1"], p.AssetIndex["a2"], p.AssetIndex["a3"]
	if got := []int{p.Due[a1], p.Due[a2], p.Due[a3]}; !slices.Equal(got, []int{2027, 2028, 2026}) {
		t.Fatalf("due years %v, want [2027 2028 2026]", got)
	}
	if lo, hi := p.Window(a2); lo != 2026 || hi != 2028 {
		t.Fatalf("window of a2 [%d, %d], want [2026, 2028]", lo, hi)
	}
	lp := p.LotCost(p.DepotIndex["hub"], 2026, []int{a1, a2, a3}, []int{2026, 2027, 2026})
	want := Breakdown{Fixed: 2e6, Equipment: 860000, Surcharge: 1e6, Assets: 1150000, Travel: 20015.114442, Total: 5140015.114442}
	got := lp.Breakdown
	for _, f := range []struct {
		name      string
		got, want float64
	}{{"fixed", got.Fixed, want.Fixed}, {"equipment", got.Equipment, want.Equipment}, {"surcharge", got.Surcharge, want.Surcharge},
		{"assets", got.Assets, want.Assets}, {"travel", got.Travel, want.Travel}, {"bring forward", lp.BringForward, 110000},
		{"total", got.Total, want.Total}, {"2026", lp.Years[0], 3373343.409628}, {"2027", lp.Years[1], 1766671.704814}} {
		if !near(f.got, f.want) {
			t.Errorf("%s: %.6f, want %.6f", f.name, f.got, f.want)
		}
	}

	// Shares by the closed form, X = {a1}, Y = {a2, a3}: lot level X 1,000,000 (F/2),
	// Y 2,000,000 (F/2 + S·(1/2 + 1 − 1/2)), half a year each; traffic control is needed
	// by X alone in 2026 and by Y alone in 2027, so neither splits it.
	//	X 2026 = 500,000 + 580,000 + 400,000 + 80,000 = 1,560,000;  X 2027 = 500,000
	//	Y 2026 = 1,000,000 + 200,000 + 600,000 + 13,343.409628 = 1,813,343.409628
	//	Y 2027 = 1,000,000 + 80,000 + 150,000 + 6,671.704814 + 30,000 = 1,266,671.704814
	sh := p.LotShares(p.DepotIndex["hub"], 2026, []int{a1, a2, a3}, []int{2026, 2027, 2026})
	wantShares := map[string][]float64{"X": {1560000, 500000}, "Y": {1813343.409628, 1266671.704814}}
	if len(sh) != 2 {
		t.Fatalf("shares of %d municipalities, want 2", len(sh))
	}
	for code, w := range wantShares {
		s := sh[p.MuniIndex[code]]
		if len(s) != 2 || !near(s[0], w[0]) || !near(s[1], w[1]) {
			t.Errorf("shares of %s %v, want %v", code, s, w)
		}
	}
}

// TestProgrammeEvaluateHandChecked evaluates the lot above as a plan, with a budget and
// a year cap that each break by a little, and checks the report against hand figures.
// Standalone by due year: Y's a3 (sewer) from its office 0.3° away in 2026:
// 2,000,000 + 200,000 + 600,000 + 20,015.114442; X's a1 in 2027: 2,000,000 + 580,000 +
// 400,000; Y's a2 (road) in 2028: 2,000,000 + 80,000 + 150,000. Total 8,030,015.114442,
// saving 2,890,000.
func TestProgrammeEvaluateHandChecked(t *testing.T) {
	yearCap := 3373343.0
	p := handProgramme(t, 2, func(inst *Instance) {
		inst.Programme.YearLimits = &YearLimits{MaxValue: &yearCap}
		inst.Programme.Budgets = map[string]json.RawMessage{"X": json.RawMessage(`[1560000, 499999, 0, 0]`), "Y": json.RawMessage(`5000000`)}
	})
	fy := 2026
	plan := &Plan{Instance: "hand", Bundles: []Bundle{{ID: "L1", Depot: "hub", FY: &fy, Assets: []string{"a1", "a2", "a3"}}},
		Schedule: map[string]int{"a1": 2026, "a2": 2027, "a3": 2026}}
	ev := EvaluateProgramme(p, plan)
	var rules []string
	for _, v := range ev.Violations {
		rules = append(rules, v.Rule+"@"+itoa(v.Year)+":"+v.Municipality)
	}
	if want := []string{"year_max_value@2026:", "budget@2027:X"}; !slices.Equal(rules, want) {
		t.Fatalf("violations %v, want %v", rules, want)
	}
	if ev.Feasible || !near(ev.Cost, 5140015.114442) || !near(ev.StandaloneTotal, 8030015.114442) || !near(ev.Saving, 2890000) {
		t.Errorf("feasible %v cost %.6f standalone %.6f saving %.6f", ev.Feasible, ev.Cost, ev.StandaloneTotal, ev.Saving)
	}
	wantYears := []YearReport{
		{FY: 2026, Value: 3373343.409628, Workload: 5, Lots: 1, Assets: 2, Standalone: 2820015.114442},
		{FY: 2027, Value: 1766671.704814, Workload: 1, Lots: 1, Assets: 1, Standalone: 2980000},
		{FY: 2028, Standalone: 2230000},
		{FY: 2029},
	}
	for k, w := range wantYears {
		g := ev.Years[k]
		if g.FY != w.FY || !near(g.Value, w.Value) || g.Workload != w.Workload || g.Lots != w.Lots || g.Assets != w.Assets ||
			!near(g.Standalone, w.Standalone) || g.MaxValue == nil || *g.MaxValue != yearCap || g.MaxWorkload != nil {
			t.Errorf("year %d: %+v, want %+v", w.FY, g, w)
		}
	}
	// Budgets: X 2027 has headroom −1; Y's one number caps every year.
	var x2027, y2028 *BudgetReport
	for i := range ev.Budgets {
		b := &ev.Budgets[i]
		switch {
		case b.Municipality == "X" && b.FY == 2027:
			x2027 = b
		case b.Municipality == "Y" && b.FY == 2028:
			y2028 = b
		}
	}
	if len(ev.Budgets) != 8 || x2027 == nil || y2028 == nil {
		t.Fatalf("budget rows %+v, want 2 municipalities × 4 years", ev.Budgets)
	}
	if !near(x2027.Share, 500000) || *x2027.Budget != 499999 || !near(*x2027.Headroom, -1) || !near(x2027.Standalone, 2980000) {
		t.Errorf("X 2027: %+v", *x2027)
	}
	if y2028.Share != 0 || *y2028.Budget != 5e6 || !near(y2028.Standalone, 2230000) {
		t.Errorf("Y 2028: %+v", *y2028)
	}
	if !near(ev.Shares["X"], 2060000) || !near(ev.Shares["Y"], 3080015.114442) || len(ev.IRViolations) != 0 {
		t.Errorf("shares %v, IR %v", ev.Shares, ev.IRViolations)
	}
	if ev.Lots[0].FY != 2026 || !near(ev.Lots[0].BringForward, 110000) || !near(ev.Lots[0].Years[1].Shares["Y"], 1266671.704814) {
		t.Errorf("lot report %+v", ev.Lots[0])
	}
}

func itoa(y int) string { b, _ := json.Marshal(y); return string(b) }

// TestProgrammeLotCostIsBundleCost: with L = 1 and every asset in its due year, a lot
// costs exactly docs/model.md's cost(B), computed by the same code, on the hand instance and
// on random subsets of pp-tiny.
func TestProgrammeLotCostIsBundleCost(t *testing.T) {
	p := handProgramme(t, 1, func(inst *Instance) {
		for i := range inst.Assets {
			inst.Assets[i].Extra["last_inspection_fy"] = json.RawMessage("2021") // all due 2026
		}
	})
	all := []int{0, 1, 2}
	for _, j := range []int{0, 1, 2} {
		if got, want := p.LotCost(j, 2026, all, []int{2026, 2026, 2026}).Breakdown, p.BundleCost(j, all); got != want {
			t.Errorf("depot %d: lot %+v, bundle %+v", j, got, want)
		}
	}
	tiny := testdataProgramme(t, "pp-tiny")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		y := tiny.FirstFY + rng.IntN(tiny.Years)
		var idx, yrs []int
		for _, a := range tiny.Planned {
			if tiny.Due[a] == y && rng.IntN(2) == 0 {
				idx, yrs = append(idx, a), append(yrs, y)
			}
		}
		j := rng.IntN(len(tiny.Depots))
		lp := tiny.LotCost(j, y, idx, yrs)
		if want := tiny.BundleCost(j, idx); lp.Breakdown != want || lp.BringForward != 0 || (len(idx) > 0 && lp.Years[0] != want.Total) {
			t.Fatalf("depot %d year %d %d assets: lot %+v, bundle %+v", j, y, len(idx), lp, want)
		}
	}
}

// TestProgrammeSharesBruteForce checks the closed-form year shares against the Shapley
// value computed over all coalitions of the game "a coalition pays cost_y of its own
// sub-lot" (LotCost on its assets), on random lots of pp-multi (five-year lots) with up
// to six municipalities.
func TestProgrammeSharesBruteForce(t *testing.T) {
	p := testdataProgramme(t, "pp-multi")
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 40 {
		// up to 6 municipalities, up to 3 assets each, each in a random year of its window
		byMuni := map[int][]int{}
		for _, a := range p.Planned {
			byMuni[p.Assets[a].Muni] = append(byMuni[p.Assets[a].Muni], a)
		}
		var munis []int
		for mu := range byMuni {
			munis = append(munis, mu)
		}
		slices.Sort(munis)
		rng.Shuffle(len(munis), func(i, k int) { munis[i], munis[k] = munis[k], munis[i] })
		munis = munis[:1+rng.IntN(min(6, len(munis)))]
		var idx, yrs []int
		for _, mu := range munis {
			for _, a := range byMuni[mu][:min(len(byMuni[mu]), 1+rng.IntN(3))] {
				lo, hi := p.Window(a)
				idx, yrs = append(idx, a), append(yrs, lo+rng.IntN(hi-lo+1))
			}
		}
		j := rng.IntN(len(p.Depots))
		closed := p.LotShares(j, 2026, idx, yrs)
		n := len(munis)
		// value of coalition mask in year k
		value := func(mask, k int) float64 {
			var ci, cy []int
			for i, a := range idx {
				if mask&(1<<slices.Index(munis, p.Assets[a].Muni)) != 0 {
					ci, cy = append(ci, a), append(cy, yrs[i])
				}
			}
			if len(ci) == 0 {
				return 0
			}
			return p.LotCost(j, 2026, ci, cy).Years[k]
		}
		fact := func(x int) float64 {
			f := 1.0
			for i := 2; i <= x; i++ {
				f *= float64(i)
			}
			return f
		}
		for k := range p.ContractYears {
			sum := 0.0
			for i, mu := range munis {
				phi := 0.0
				for mask := 0; mask < 1<<n; mask++ {
					if mask&(1<<i) != 0 {
						continue
					}
					s := popcount(mask)
					phi += fact(s) * fact(n-s-1) / fact(n) * (value(mask|1<<i, k) - value(mask, k))
				}
				if !near(closed[mu][k], phi) {
					t.Fatalf("trial %d, %s year %d: closed form %.6f, brute force %.6f", trial, p.Munis[mu].Code, 2026+k, closed[mu][k], phi)
				}
				sum += phi
			}
			if total := p.LotCost(j, 2026, idx, yrs).Years[k]; !near(sum, total) {
				t.Fatalf("trial %d year %d: shares add to %.6f, cost_y %.6f", trial, 2026+k, sum, total)
			}
		}
	}
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

// TestCompileProgrammeProblems lists every problem of a broken programme, each with its
// path, in one error.
func TestCompileProgrammeProblems(t *testing.T) {
	inst, err := ParseInstance([]byte(handInstance))
	if err != nil {
		t.Fatal(err)
	}
	inst.Version = 2
	years, contract, cycle, neg := 5, 2, 5, -1.0
	inst.Programme = &ProgrammeSpec{Years: &years, ContractYears: &contract, CycleYears: &cycle,
		YearLimits: &YearLimits{MaxWorkload: &neg},
		Budgets: map[string]json.RawMessage{"X": json.RawMessage(`[1, 2, 3, 4]`), "Q": json.RawMessage(`7`),
			"Y": json.RawMessage(`"lots"`)}}
	inst.Assets[0].Extra = map[string]json.RawMessage{"last_inspection_fy": json.RawMessage(`2022.5`)}
	_, err = CompileProgramme(inst)
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("error %v, want a *ValidationError", err)
	}
	want := []InputError{
		{"programme.first_fy", "is required: the first fiscal year of the horizon (2026)"},
		{"programme.contract_years", "2 does not divide years 5 (lots run in aligned blocks)"},
		{"programme.year_limits.max_workload", "must be a finite number ≥ 0, found -1"},
		{"programme.budgets.Q", `"Q" is not among the instance's municipalities`},
		{"programme.budgets.X", "4 values for 5 years"},
		{"programme.budgets.Y", `must be a number (the same cap every year) or a list of 5 numbers, found "lots"`},
		{"assets[0].last_inspection_fy", "must be a fiscal year (an integer) or null, found 2022.5"},
	}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("problems:\n%v\nwant:\n%v", ve.Problems, want)
	}

	// The version decides the compiler: each says where the other kind goes.
	if _, err := Compile(inst); err == nil || err.Error() != "version: must be 1 here (docs/model.md, version 1); 2 is a five-year programme (docs/programme.md): compile it with CompileProgramme" {
		t.Errorf("Compile on version 2: %v", err)
	}
	inst.Version, inst.Programme = 1, nil
	inst.Assets[0].Extra = nil
	if _, err := Compile(inst); err != nil {
		t.Errorf("version 1 no longer compiles: %v", err)
	}
	if _, err := CompileProgramme(inst); err == nil || err.Error() != "version: must be 2 for a programme (docs/programme.md), found 1\nprogramme: is required in version 2: {\"first_fy\": …, \"years\": …} at least" {
		t.Errorf("CompileProgramme on version 1: %v", err)
	}
}

// TestProgrammeDefaultsAndHorizon: absent fields take docs/programme.md's defaults; an asset
// due after the horizon is reported, not planned; a never-inspected or overdue asset is
// due in first_fy.
func TestProgrammeDefaultsAndHorizon(t *testing.T) {
	p := handProgramme(t, 1, func(inst *Instance) {
		inst.Programme.CycleYears, inst.Programme.AdvanceMaxYears, inst.Programme.ContractYears = nil, nil, nil
		two := 2
		inst.Programme.Years = &two                                          // 2026–2027: a2 (due 2028) falls after
		inst.Assets[2].Extra["last_inspection_fy"] = json.RawMessage("2015") // overdue
	})
	if p.CycleYears != 5 || p.AdvanceMaxYears != 0 || p.ContractYears != 1 {
		t.Errorf("defaults: cycle %d advance %d contract %d", p.CycleYears, p.AdvanceMaxYears, p.ContractYears)
	}
	var planned, after []string
	for _, a := range p.Planned {
		planned = append(planned, p.Assets[a].ID)
	}
	for _, a := range p.AfterHorizon {
		after = append(after, p.Assets[a].ID)
	}
	if !slices.Equal(planned, []string{"a1", "a3"}) || !slices.Equal(after, []string{"a2"}) || p.Due[p.AssetIndex["a3"]] != 2026 {
		t.Errorf("planned %v, after the horizon %v, due of a3 %d", planned, after, p.Due[p.AssetIndex["a3"]])
	}
	if lo, hi := p.Window(p.AssetIndex["a1"]); lo != 2027 || hi != 2027 {
		t.Errorf("window of a1 [%d, %d], want [2027, 2027] (no bringing forward by default)", lo, hi)
	}
}

// FuzzCompileProgramme feeds arbitrary documents to the programme compiler and the
// evaluator: no input may panic, and a programme that compiles judges an empty plan
// infeasible exactly when it has assets to plan. The seeds are pp-tiny and broken
// programmes; go test runs them every time.
func FuzzCompileProgramme(f *testing.F) {
	f.Add(readTestdata(f, "pp-tiny"))
	for _, s := range []string{
		`{"version": 2}`, `{"version": 2, "programme": null}`, `{"version": 2, "programme": {"years": 1000000000, "cycle_years": 1000000000}}`,
		`{"version": 2, "programme": {"first_fy": 2026, "years": 5, "budgets": {"x": [1, "a"]}}, "municipalities": [{"code": "x", "office": {"lon": 1, "lat": 1}}]}`,
		`{"version": 2, "programme": {"first_fy": 2026, "years": 3, "contract_years": 0}, "municipalities": [{"code": "x", "office": {"lon": 1, "lat": 1}}],
		  "assets": [{"id": "a", "municipality": "x", "kind": "bridge", "lon": 1, "lat": 1, "cost": 1, "workload": 1, "last_inspection_fy": "2020"}]}`,
		`{"version": 2, "programme": {"first_fy": -9223372036854775808, "years": 1}, "municipalities": [{"code": "x", "office": {"lon": 1, "lat": 1}}],
		  "assets": [{"id": "a", "municipality": "x", "kind": "bridge", "lon": 1, "lat": 1, "cost": 1, "workload": 1, "last_inspection_fy": 9223372036854775807}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		inst, err := ParseInstance(doc)
		if err != nil {
			return
		}
		p, err := CompileProgramme(inst)
		if err != nil {
			return
		}
		fy := p.FirstFY
		ev := EvaluateProgramme(p, &Plan{Bundles: []Bundle{{ID: "x", Depot: "nowhere", FY: &fy}}})
		if ev.Feasible {
			t.Fatalf("a plan with an unknown depot is feasible")
		}
		// An empty plan pays nothing, so only coverage can fail it: caps, budgets and IR hold at 0.
		if ev = EvaluateProgramme(p, &Plan{}); ev.Feasible != (len(p.Planned) == 0) {
			t.Fatalf("empty plan: feasible %v with %d assets to plan", ev.Feasible, len(p.Planned))
		}
	})
}

// BenchmarkEvaluateProgramme judges the levelled plan of pp-tiny (95 assets, 3 lots).
func BenchmarkEvaluateProgramme(b *testing.B) {
	p := testdataProgramme(b, "pp-tiny")
	var plan Plan
	if err := json.Unmarshal(readTestdata(b, "pp-tiny.levelled-plan"), &plan); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ev := EvaluateProgramme(p, &plan); !ev.Feasible {
			b.Fatal(ev.Violations)
		}
	}
}
