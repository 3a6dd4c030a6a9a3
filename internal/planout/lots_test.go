package planout

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/tabane/tabane/solver"
)

// lotsInstance is a toy on the equator, worked by hand. Lot A (depot dA at 0°,0°) holds the
// square of bridges (0, ±0.01) (0.02, ±0.01), one of which needs a snooper truck; lot B (depot
// dB at 0.03°,0°) the square (0.01, ±0.01) (0.03, ±0.01); lot C (depot dC) one bridge at
// (0.1°, 0°). The plan's points span latitudes −0.01…0.01, so the projection is centred on the
// equator and a degree is 6371.0088 km · π/180 = 111.19508 km both ways.
func lotsInstance(params solver.Params, regionA, regionB string) (*solver.Instance, *solver.Plan) {
	inst := &solver.Instance{Version: 1, Name: "lots", Params: params,
		Municipalities: []solver.Municipality{
			{Code: "00001", Name: "甲", Region: regionA, Office: solver.Point{Lon: 0, Lat: 0}},
			{Code: "00002", Name: "乙", Region: regionB, Office: solver.Point{Lon: 0.03, Lat: 0}},
			{Code: "00003", Name: "丙", Region: regionB, Office: solver.Point{Lon: 0.1, Lat: 0}},
		},
		Depots: []solver.Depot{{ID: "dA", Lon: 0, Lat: 0}, {ID: "dB", Lon: 0.03, Lat: 0}, {ID: "dC", Lon: 0.1, Lat: 0}},
	}
	bridge := func(id, muni string, lon, lat float64, eq ...string) solver.Asset {
		return solver.Asset{ID: id, Municipality: muni, Kind: "bridge", Lon: lon, Lat: lat, Cost: 100000, Workload: 1, Equipment: eq}
	}
	inst.Assets = []solver.Asset{
		bridge("a1", "00001", 0, -0.01, "snooper_truck"), bridge("a2", "00001", 0.02, -0.01),
		bridge("a3", "00001", 0.02, 0.01), bridge("a4", "00001", 0, 0.01),
		bridge("b1", "00002", 0.01, -0.01), bridge("b2", "00002", 0.03, -0.01),
		bridge("b3", "00002", 0.03, 0.01), bridge("b4", "00002", 0.01, 0.01),
		bridge("c1", "00003", 0.1, 0),
	}
	plan := &solver.Plan{Instance: "lots", Bundles: []solver.Bundle{
		{ID: "A", Depot: "dA", Assets: []string{"a1", "a2", "a3", "a4"}},
		{ID: "B", Depot: "dB", Assets: []string{"b1", "b2", "b3", "b4"}},
		{ID: "C", Depot: "dC", Assets: []string{"c1"}},
	}}
	return inst, plan
}

func lotsOf(t *testing.T, inst *solver.Instance, plan *solver.Plan) []Lot {
	t.Helper()
	m, err := solver.Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	ev := solver.Evaluate(m, plan)
	return Lots(&solver.Report{Instance: inst.Name, Bundles: ev.Bundles}, inst)
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestLotsSpreadAndOverlap: A and B are 0.02° squares (2.2239016 km a side: 4.9457383 km²)
// sharing the strip 0.01…0.02° × −0.01…0.01° (2.4728692 km²); C's one bridge is drawn as the
// 0.001° square around it (0.0123643 km²) far from both. The farthest asset of A is (0.02°,
// ±0.01°) and of B (0.01°, ±0.01°): 1.3 × 2.4864 = 3.2323168 km (haversine, circuity 1.3);
// C's bridge is at its depot (0 km). With travel free (τ = 0) one lot of A and B from dA
// costs exactly the two less one fixed cost F: delta −2,000,000 (dB ties; a's depot wins).
// Only A needs the snooper truck.
func TestLotsSpreadAndOverlap(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	params := solver.Params{ContractFixedCost: 2_000_000, TravelCostPerKm: 0, Circuity: f(1.3),
		Equipment: map[string]float64{"snooper_truck": 500_000}, MixedDisciplineSurcharge: f(0)}
	inst, plan := lotsInstance(params, "北和", "北和")
	lots := lotsOf(t, inst, plan)
	if len(lots) != 3 {
		t.Fatalf("%d lots, want 3", len(lots))
	}
	for i, want := range []struct {
		lot            string
		farthest, km2  float64
		label          [2]float64
		equipment      []string
		overlapWith    []string
		overlapKm2Each float64
	}{
		{"A", 3.232316843026129, 4.94573834725673, [2]float64{0.01, 0}, []string{"snooper_truck"}, []string{"B"}, 2.472869173628365},
		{"B", 3.232316843026129, 4.94573834725673, [2]float64{0.02, 0}, []string{}, []string{"A"}, 2.472869173628365},
		{"C", 0, 0.012364345868141823, [2]float64{0.1, 0}, []string{}, nil, 0},
	} {
		l := lots[i]
		if l.Lot != want.lot || !near(l.FarthestKm, want.farthest) || !near(l.OutlineKm2, want.km2) ||
			!near(l.Label[0], want.label[0]) || !near(l.Label[1], want.label[1]) || !reflect.DeepEqual(l.Equipment, want.equipment) {
			t.Errorf("lot %d: %s farthest %.12g km, outline %.12g km², label %v, equipment %v; want %s %.12g, %.12g, %v, %v",
				i, l.Lot, l.FarthestKm, l.OutlineKm2, l.Label, l.Equipment, want.lot, want.farthest, want.km2, want.label, want.equipment)
		}
		var with []string
		for _, o := range l.Overlaps {
			with = append(with, o.Lot)
			if !near(o.AreaKm2, want.overlapKm2Each) {
				t.Errorf("lot %s overlaps %s by %.12g km², want %.12g", l.Lot, o.Lot, o.AreaKm2, want.overlapKm2Each)
			}
		}
		if !reflect.DeepEqual(with, want.overlapWith) {
			t.Errorf("lot %s overlaps %v, want %v", l.Lot, with, want.overlapWith)
		}
	}
	// plan.geojson carries the same spread on each outline, for the map's labels and marks.
	m, _ := solver.Compile(inst)
	gj, err := GeoJSON(&solver.Report{Instance: "lots", Bundles: solver.Evaluate(m, plan).Bundles}, inst)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			ID         string `json:"id"`
			Properties struct {
				Overlaps   []string   `json:"overlaps"`
				Label      [2]float64 `json:"label"`
				OutlineKm2 float64    `json:"outline_km2"`
				FarthestKm float64    `json:"farthest_km"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(gj, &fc); err != nil {
		t.Fatal(err)
	}
	outlines := map[string]int{}
	for i, f := range fc.Features {
		outlines[f.ID] = i
	}
	for _, w := range []struct {
		id       string
		overlaps []string
	}{{"outline-A", []string{"B"}}, {"outline-B", []string{"A"}}, {"outline-C", []string{}}} {
		i, ok := outlines[w.id]
		if !ok {
			t.Fatalf("plan.geojson has no %s", w.id)
		}
		p := fc.Features[i].Properties
		l := lots[i]
		if !reflect.DeepEqual(p.Overlaps, w.overlaps) || p.Label != l.Label || p.OutlineKm2 != l.OutlineKm2 || p.FarthestKm != l.FarthestKm {
			t.Errorf("%s properties %+v, want overlaps %v and the spread of %+v", w.id, p, w.overlaps, l)
		}
	}

	got, _ := json.Marshal(lots[0].Overlaps[0].Reasons)
	if want := `[{"code":"equipment","here":["snooper_truck"]},{"code":"merge","depot":"dA","delta":-2000000}]`; string(got) != want {
		t.Errorf("why A and B are two lots:\n got %s\nwant %s", got, want)
	}
	got, _ = json.Marshal(lots[1].Overlaps[0].Reasons)
	if want := `[{"code":"equipment","there":["snooper_truck"]},{"code":"merge","depot":"dB","delta":-2000000}]`; string(got) != want {
		t.Errorf("why B and A are two lots:\n got %s\nwant %s", got, want)
	}
}

// TestLotsOverlapLimits: the same plan where one lot may hold at most 5 assets (A and B
// together hold 8) and, in a second instance, where A and B lie in different regions under
// region_locked: one lot of both would break those rules from either depot.
func TestLotsOverlapLimits(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	five := 5
	params := solver.Params{ContractFixedCost: 2_000_000, TravelCostPerKm: 400, Circuity: f(1.3),
		Equipment: map[string]float64{"snooper_truck": 500_000}, MixedDisciplineSurcharge: f(0),
		Limits: solver.Limits{MaxAssets: &five}}
	inst, plan := lotsInstance(params, "北和", "北和")
	got, _ := json.Marshal(lotsOf(t, inst, plan)[0].Overlaps[0].Reasons)
	if want := `[{"code":"equipment","here":["snooper_truck"]},{"code":"limit","limits":["max_assets"]}]`; string(got) != want {
		t.Errorf("max_assets 5:\n got %s\nwant %s", got, want)
	}
	params.Limits = solver.Limits{}
	params.RegionLocked = true
	inst, plan = lotsInstance(params, "北和", "中和")
	lots := lotsOf(t, inst, plan)
	got, _ = json.Marshal(lots[1].Overlaps[0].Reasons)
	if want := `[{"code":"equipment","there":["snooper_truck"]},{"code":"limit","limits":["region_lock"]}]`; string(got) != want {
		t.Errorf("region_locked, 北和 and 中和:\n got %s\nwant %s", got, want)
	}
	if !reflect.DeepEqual(lots[0].Regions, []string{"北和"}) || !reflect.DeepEqual(lots[1].Regions, []string{"中和"}) {
		t.Errorf("regions %v and %v, want [北和] and [中和]", lots[0].Regions, lots[1].Regions)
	}
}

// TestProgrammeLotsOverlapWithinBlock: the lots of TestLotsSpreadAndOverlap as programme
// lots. A and B overlap when both are FY2026 lots; with B in FY2027 they share ground by
// design (another year) and neither lists the other. Each lot carries its block's year.
func TestProgrammeLotsOverlapWithinBlock(t *testing.T) {
	inst, plan := lotsInstance(solver.Params{ContractFixedCost: 2e6, Equipment: map[string]float64{"snooper_truck": 500_000}}, "R1", "R1")
	m, err := solver.Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	rep := &solver.Report{Instance: inst.Name, Bundles: solver.Evaluate(m, plan).Bundles}
	overlaps := func(ls []Lot) map[string][]string {
		out := map[string][]string{}
		for _, l := range ls {
			for _, o := range l.Overlaps {
				out[l.Lot] = append(out[l.Lot], o.Lot)
			}
		}
		return out
	}
	same := ProgrammeLots(rep, inst, ProgrammeYears{Lots: map[string]int{"A": 2026, "B": 2026, "C": 2026}})
	if got, want := overlaps(same), map[string][]string{"A": {"B"}, "B": {"A"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("one block: overlaps %v, want %v", got, want)
	}
	apart := ProgrammeLots(rep, inst, ProgrammeYears{Lots: map[string]int{"A": 2026, "B": 2027, "C": 2026}})
	if got := overlaps(apart); len(got) != 0 {
		t.Errorf("two blocks: overlaps %v, want none", got)
	}
	if apart[1].FY == nil || *apart[1].FY != 2027 || apart[0].FY == nil || *apart[0].FY != 2026 {
		t.Errorf("fy of A, B: %v, %v, want 2026, 2027", apart[0].FY, apart[1].FY)
	}
	if l := Lots(rep, inst); l[0].FY != nil || len(overlaps(l)) != 2 {
		t.Errorf("one-year lots: fy %v, overlaps %v, want none and A–B", l[0].FY, overlaps(l))
	}
}
