package solver

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestProgrammePrecheckHandChecked: on handProgramme (horizon 2026–29), Y's assets are a3
// (due 2026, ¥600,000, nearest depot hub 33.36 km away: travel ¥13,343.409628) and a2 (due
// 2028, ¥150,000 at y-office: no travel). So
//
//   - Y with a budget of ¥500,000 a year cannot pay a3 in FY2026: ¥613,343.409628 > ¥500,000,
//     while by FY2028 ¥763,343.41 ≤ ¥1,500,000 (only the earliest year is reported);
//   - a year cap max_value of ¥600,000 is below FY2026's ¥613,343.41 (a1 is due 2027);
//   - a year cap max_workload of 2 holds in FY2026 (a3: 2) but not by FY2027 (a1: 3 more,
//     5 > 4).
func TestProgrammePrecheckHandChecked(t *testing.T) {
	p := handProgramme(t, 1, func(inst *Instance) {
		inst.Programme.Budgets = map[string]json.RawMessage{"Y": json.RawMessage("500000"), "X": json.RawMessage("1e9")}
		v, w := 600000.0, 2.0
		inst.Programme.YearLimits = &YearLimits{MaxValue: &v, MaxWorkload: &w}
	})
	got := ProgrammePrecheck(p)
	var msgs []string
	for _, r := range got {
		msgs = append(msgs, r.Rule+": "+r.Message)
	}
	want := []string{
		"budget: municipality Y: assets due by FY2026 cost at least ¥613,343 directly, its budgets for FY2026 add up to ¥500,000",
		"year_max_value: the assets due by FY2026 cost at least ¥613,343, the year caps (max_value) for FY2026 add up to ¥600,000",
		"year_max_workload: the assets due by FY2027 weigh 5, the year caps (max_workload) for FY2026–27 add up to 4",
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Fatalf("got\n%q\nwant\n%q", msgs, want)
	}
	if !near(got[0].Value, 613343.409628) || got[0].Limit != 500000 {
		t.Errorf("budget proof: value %.6f limit %.2f", got[0].Value, got[0].Limit)
	}
	// Without caps and with budgets that cover the due cohorts, nothing is proven.
	if r := ProgrammePrecheck(handProgramme(t, 1, nil)); len(r) != 0 {
		t.Errorf("no caps: %+v", r)
	}
}

// TestProgrammePrecheckShareFloor: budgets the direct terms fit but the letting and
// equipment shares do not. On handProgramme with F = ¥200,000, a3 without equipment and
// a2 at ¥650,000 (due 2028, at y-office: no travel; traffic control), Y's budgets are
// 720,000 / 300,000 / 400,000 / 400,000:
//
//   - by FY2026: a3 ¥613,343.41 directly, plus F/2 (X's a1, window 2026–27, may share
//     FY2026's lot) = ¥713,343 ≤ ¥720,000: no proof;
//   - by FY2028: ¥1,263,343 directly ≤ ¥1,420,000; a3 and a2 can share only FY2026,
//     where together they exceed ¥720,000, so Y needs two years, each paying at least
//     F/2 (FY2026 and FY2027 have X too; FY2028 has Y alone, F/1) = ¥200,000, and a2's
//     traffic control at least ¥80,000/2 (a1 needs it too, in 2026–27) = ¥40,000:
//     ¥1,503,343 > ¥1,420,000.
func TestProgrammePrecheckShareFloor(t *testing.T) {
	p := handProgramme(t, 1, func(inst *Instance) {
		inst.Params.ContractFixedCost = 200000
		inst.Assets[2].Equipment = nil
		inst.Assets[1].Cost = 650000
		inst.Programme.Budgets = map[string]json.RawMessage{"Y": json.RawMessage("[720000, 300000, 400000, 400000]")}
	})
	got := ProgrammePrecheck(p)
	want := "municipality Y: assets due by FY2028 cost it at least ¥1,503,343 (¥1,263,343 directly, ¥200,000 of letting costs in at least 2 lot(s), ¥40,000 of equipment in at least 1 mobilisation(s)), its budgets for FY2026–28 add up to ¥1,420,000"
	if len(got) != 1 || got[0].Message != want || got[0].Rule != "budget" || got[0].Municipality != "Y" {
		t.Fatalf("got %+v\nwant one budget proof: %s", got, want)
	}
	if !near(got[0].Value, 1503343.409628) || got[0].Limit != 1420000 {
		t.Errorf("value %.6f limit %.2f", got[0].Value, got[0].Limit)
	}
	// With FY2028's budget ¥90,000 higher the floor (¥1,503,343 ≤ ¥1,510,000) proves nothing.
	p.Budgets[p.MuniIndex["Y"]][2] = 490000
	if r := ProgrammePrecheck(p); len(r) != 0 {
		t.Errorf("budgets above the floor: %+v", r)
	}
}

// TestProgrammePrecheckPPBudget: pp-budget has no feasible plan. Municipality 29009 must
// inspect by FY2027 S00005 (due 2026) and seven bridges due 2027, ¥12,523,685 directly
// (c_a ¥12,513,395 plus travel); its budget is ¥6,899,055 a year. A000005 (¥4.22M) and
// A000070 (¥4.34M) exceed it together, so they take FY2026 and FY2027 apart: two lots of
// at most 8 municipalities (F/8 = ¥250,000 each), two mobilisations of rail
// coordination (¥1M, shared at best with 29003's A000076: ¥500,000 each), and A000070's
// snooper truck (6 municipalities may share it: ¥83,333) and A000056's boat (no one
// else: ¥200,000) once each.
func TestProgrammePrecheckPPBudget(t *testing.T) {
	p := testdataProgramme(t, "pp-budget")
	got := ProgrammePrecheck(p)
	want := "municipality 29009: assets due by FY2027 cost it at least ¥14,307,019 (¥12,523,685 directly, ¥500,000 of letting costs in at least 2 lot(s), ¥1,283,333 of equipment in at least 4 mobilisation(s)), its budgets for FY2026–27 add up to ¥13,798,110"
	if len(got) != 1 || got[0].Message != want {
		t.Fatalf("got %+v\nwant: %s", got, want)
	}
}

// TestProgrammePrecheckRegion: on handProgramme with region_locked and min_value
// ¥3,100,000, region north holds only X's a1 (¥400,000, snooper truck and traffic
// control, window 2026–27). Its most valuable lot: from y-office (16.68 km: travel
// ¥6,671.70) in FY2026, a year early (¥80,000): 2,000,000 + 400,000 + 500,000 + 80,000 +
// 80,000 + 6,671.70 = ¥3,066,671.70 < ¥3,100,000. Region south (a2, a3) reaches
// ¥4,110,015.11 from hub in FY2026 (a2 two years early: ¥60,000; traffic control and
// boat; a culvert and a pump station: surcharge ¥1,000,000; travel ¥6,671.70 +
// ¥13,343.41): no proof. Without region_locked a1 joins them.
func TestProgrammePrecheckRegion(t *testing.T) {
	tweak := func(locked bool) func(*Instance) {
		return func(inst *Instance) {
			mv := 3.1e6
			inst.Params.Limits.MinValue = &mv
			inst.Params.RegionLocked = locked
		}
	}
	got := ProgrammePrecheck(handProgramme(t, 1, tweak(true)))
	want := "region north (1 asset(s), e.g. a1): over the whole programme a lot of them is worth at most ¥3,066,672 — all 1 that depot y-office reaches in FY2026, the most valuable choice — below 1 × min_value = ¥3,100,000; region_locked keeps them out of other regions' lots"
	if len(got) != 1 || got[0].Message != want || got[0].Rule != "min_value" || got[0].Region != "north" {
		t.Fatalf("got %+v\nwant: %s", got, want)
	}
	if !near(got[0].Value, 3066671.704814) || got[0].Limit != 3.1e6 {
		t.Errorf("value %.6f limit %.2f", got[0].Value, got[0].Limit)
	}
	if r := ProgrammePrecheck(handProgramme(t, 1, tweak(false))); len(r) != 0 {
		t.Errorf("without region_locked: %+v", r)
	}
	// Two-year lots (block 2026–27) need ¥6,200,000: both regions fall short. South's
	// best is as above (traffic control and boat may be mobilised in two years each, but
	// one asset needs each): ¥4,110,015.11.
	got = ProgrammePrecheck(handProgramme(t, 2, tweak(true)))
	if len(got) != 2 || got[1].Region != "south" || !near(got[1].Value, 4110015.114442) || got[1].Limit != 6.2e6 ||
		!strings.Contains(got[1].Message, "in FY2026–27, the most valuable choice — below 2 × min_value = ¥6,200,000") {
		t.Errorf("two-year lots: %+v", got)
	}
}

// TestProgrammePrecheckSound: no proof on the programme instances that have feasible
// plans (recorded in programme-referee or found by the solver).
func TestProgrammePrecheckSound(t *testing.T) {
	for _, name := range []string{"pp-tiny", "pp-multi", "pp-level", "pp-nara", "pp-nara-level"} {
		if r := ProgrammePrecheck(testdataProgramme(t, name)); len(r) != 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
}

// TestProgrammePrecheckShareFloorTwoYearLots: with two-year lots the letting share is
// spread over the block. On handProgramme (L = 2, F = ¥2,000,000) Y's a3 (due 2026,
// ¥613,343.41 directly, a boat no one else needs) is in a lot of block 2026–27, which
// X (a1, window 2026–27) may share: FY2026's part of Y's letting share is at least
// F/(2·2) = ¥500,000, so by FY2026 Y pays at least ¥1,313,343.41 > ¥1,000,000.
func TestProgrammePrecheckShareFloorTwoYearLots(t *testing.T) {
	budget := func(b string) func(*Instance) {
		return func(inst *Instance) {
			inst.Programme.Budgets = map[string]json.RawMessage{"Y": json.RawMessage(b)}
		}
	}
	got := ProgrammePrecheck(handProgramme(t, 2, budget("1000000")))
	want := "municipality Y: assets due by FY2026 cost it at least ¥1,313,343 (¥613,343 directly, ¥500,000 of letting costs in at least 1 lot(s), ¥200,000 of equipment in at least 1 mobilisation(s)), its budgets for FY2026 add up to ¥1,000,000"
	if len(got) != 1 || got[0].Message != want || !near(got[0].Value, 1313343.409628) {
		t.Fatalf("got %+v\nwant: %s", got, want)
	}
	// ¥1,400,000 a year: by FY2027 ¥1,813,343 (two years of the block's letting share)
	// ≤ ¥2,800,000; by FY2028 (a2 too) ¥2,003,343 ≤ ¥4,200,000: nothing proven.
	if r := ProgrammePrecheck(handProgramme(t, 2, budget("1400000"))); len(r) != 0 {
		t.Errorf("budget ¥1,400,000: %+v", r)
	}
}
