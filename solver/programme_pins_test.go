package solver

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabane/tabane/internal/refereetest"
)

// ppTinyPinned is pp-tiny (version 2, contract_years 1, horizon 2026–2030) with pins, and
// its levelled plan (testdata/pp-tiny.levelled-plan.json: lots at office-29005 in 2026,
// 2027 and 2029).
func ppTinyPinned(t *testing.T, pins *Pins) (*Programme, []byte, *Plan, error) {
	t.Helper()
	inst, err := ParseInstance(readTestdata(t, "pp-tiny"))
	if err != nil {
		t.Fatal(err)
	}
	inst.Pins = pins
	data, err := json.Marshal(inst)
	if err != nil {
		t.Fatal(err)
	}
	var plan Plan
	if err := json.Unmarshal(readTestdata(t, "pp-tiny.levelled-plan"), &plan); err != nil {
		t.Fatal(err)
	}
	p, err := CompileProgramme(inst)
	return p, data, &plan, err
}

// TestProgrammePinsValidation: version-2 pins are checked in the programme's years, each
// problem named by its path: a lot pin names its block by fy (a block start), an asset
// pin's fy lies in the asset's window, an asset goes to one depot and one block.
func TestProgrammePinsValidation(t *testing.T) {
	// A000001 and A000003: due 2029, window [2027, 2029] (advance_max_years 2); A000002: due
	// 2026 (overdue), window [2026, 2026].
	y := func(v int) *int { return &v }
	_, _, _, err := ppTinyPinned(t, &Pins{
		Assets: map[string]AssetPin{"A000001": {Depot: "office-29005", FY: y(2026)}, "A000002": {Depot: "office-29005", FY: y(2026)},
			"A000003": {Depot: "office-29005", FY: y(2028)}},
		Lots: []LotPin{{Depot: "office-29005", Assets: []string{"A000003"}},
			{Depot: "office-29005", Assets: []string{"A000003"}, FY: y(2031)},
			{Depot: "district-1", Assets: []string{"A000002"}, FY: y(2026)},
			{Depot: "office-29005", Assets: []string{"A000003"}, FY: y(2027)},
			{Depot: "office-29005", Assets: []string{"A000002"}, FY: y(2027)}},
		Forbid: []ForbidPin{{Asset: "A000002", Depot: "office-29005"}, {Asset: "A000009", Depot: "nowhere"}},
	})
	want := []string{
		"pins.assets.A000001.fy: 2026 is outside A000001's window [2027, 2029] (due 2029)",
		"pins.lots[0].fy: is required in version 2: the first year of the lot's block",
		"pins.lots[1].fy: 2031 is not the first year of a block of the horizon (2026–2030, blocks of 1 years)",
		"pins.lots[2].assets[0]: A000002 is also pinned to depot office-29005 by pins.assets.A000002",
		"pins.lots[3].assets[0]: A000003 is also pinned to the block of 2028 by pins.assets.A000003",
		"pins.lots[4].assets[0]: A000002's window [2026, 2026] does not meet the block 2027–2027",
		"pins.forbid[0]: A000002 may not be in the lot of depot office-29005, but pins.assets.A000002 pins it there",
		`pins.forbid[1].depot: depot "nowhere" is not among the instance's depots`,
	}
	if got := problems(err); !slices.Equal(got, want) {
		t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestProgrammePinsReferee: EvaluateProgramme judges the pins of pp-tiny's levelled plan in
// its years — held, and each kind broken — with the message naming the pin, and agrees
// with the referee's recorded verdicts.
func TestProgrammePinsReferee(t *testing.T) {
	_, _, plan, err := ppTinyPinned(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	lot := map[int]Bundle{}
	for _, b := range plan.Bundles {
		lot[*b.FY] = b
	}
	l26, l27 := lot[2026], lot[2027]
	if len(l26.Assets) < 2 || len(l27.Assets) < 2 {
		t.Fatalf("levelled plan lots %v", plan.Bundles)
	}
	y := func(v int) *int { return &v }
	// An asset of the 2027 lot whose window holds another year: pinned there, it breaks.
	base, _, _, _ := ppTinyPinned(t, nil)
	moveable, other := "", 0
	for _, id := range l27.Assets {
		lo, hi := base.Window(base.AssetIndex[id])
		if lo < hi {
			moveable, other = id, hi
			if hi == 2027 {
				other = lo
			}
			break
		}
	}
	if moveable == "" {
		t.Fatal("no asset of the 2027 lot may move to another year")
	}
	// An asset of the 2027 lot that 2026 could take too: pinned to the 2026 block, it breaks.
	early := ""
	for _, id := range l27.Assets {
		if lo, _ := base.Window(base.AssetIndex[id]); lo <= 2026 {
			early = id
			break
		}
	}
	if early == "" {
		t.Fatal("no asset of the 2027 lot may be inspected in 2026")
	}
	first := l26.Assets[0]
	cases := []struct {
		name     string
		pins     *Pins
		feasible bool
		message  string // of the pin violation when broken
	}{
		{"asset with its year held", &Pins{Assets: map[string]AssetPin{moveable: {Depot: l27.Depot, FY: y(2027)}}}, true, ""},
		{"asset pinned to another year of its window", &Pins{Assets: map[string]AssetPin{moveable: {Depot: l27.Depot, FY: y(other)}}}, false,
			fmt.Sprintf("pins.assets.%s: %s must be in the lot of depot office-29005 in %d, the plan has it in the lot of depot office-29005 in 2027", moveable, moveable, other)},
		{"closed lot held", &Pins{Lots: []LotPin{{Depot: l27.Depot, FY: y(2027), Assets: l27.Assets, Closed: true}}}, true, ""},
		{"closed lot the plan adds to", &Pins{Lots: []LotPin{{Depot: l27.Depot, FY: y(2027), Assets: l27.Assets[1:], Closed: true}}}, false,
			fmt.Sprintf("pins.lots[0]: the lot of depot office-29005 in the block from 2027 is closed, but the plan adds %s", l27.Assets[0])},
		{"lot pinned to another block", &Pins{Lots: []LotPin{{Depot: l26.Depot, FY: y(2026), Assets: []string{early}}}}, false,
			fmt.Sprintf("pins.lots[0]: %s must be in the lot of depot office-29005 in the block from 2026, the plan has it in the lot of depot office-29005 in 2027", early)},
		{"forbid held", &Pins{Forbid: []ForbidPin{{Asset: first, Depot: "district-1"}}}, true, ""},
		{"forbid broken", &Pins{Forbid: []ForbidPin{{Asset: first, Depot: l26.Depot}}}, false,
			fmt.Sprintf("pins.forbid[0]: %s must not be in the lot of depot office-29005", first)},
	}
	var jobs []refereetest.Job
	for _, c := range cases {
		p, data, plan, err := ppTinyPinned(t, c.pins)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ev := EvaluateProgramme(p, plan)
		var msgs []string
		for _, v := range ev.Violations {
			if v.Rule == "pin" {
				msgs = append(msgs, v.Message)
			}
		}
		if ev.Feasible != c.feasible || len(ev.Pins) != 1 || ev.Pins[0].Held != c.feasible ||
			(c.message == "" && len(msgs) > 0) || (c.message != "" && !slices.Equal(msgs, []string{c.message})) {
			t.Errorf("%s: feasible %v, pins %+v, pin violations %q; want feasible %v and %q", c.name, ev.Feasible, ev.Pins, msgs, c.feasible, c.message)
		}
		jobs = append(jobs, refJob(t, "TestProgrammePinsReferee/pp-tiny levelled: "+c.name, "", data, plan, ev))
	}
	refs := refereetest.Check(t, jobs)
	if !refereetest.Recording() && len(refs) != len(cases) {
		t.Errorf("%d referee verdicts on pinned programme plans, want %d", len(refs), len(cases))
	}

}

// TestSolveProgrammePins: the programme solver keeps pins in their years. On pp-tiny, the
// levelled plan's 2027 lot is closed without one of its assets, and that asset is pinned to
// another year of its window at the same depot: the solved plan holds both — the 2027 lot
// at office-29005 is exactly the pinned assets, the asset is inspected in its pinned year —
// and an asset forbidden a depot is not there; the referee prices the plan as we do.
func TestSolveProgrammePins(t *testing.T) {
	base, _, plan, err := ppTinyPinned(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	var l27 Bundle
	for _, b := range plan.Bundles {
		if *b.FY == 2027 {
			l27 = b
		}
	}
	moveable, other := "", 0
	for _, id := range l27.Assets {
		if lo, hi := base.Window(base.AssetIndex[id]); lo < hi {
			moveable, other = id, lo
			if lo == 2027 {
				other = hi
			}
			break
		}
	}
	rest := slices.DeleteFunc(slices.Clone(l27.Assets), func(id string) bool { return id == moveable })
	y := func(v int) *int { return &v }
	pins := &Pins{Assets: map[string]AssetPin{moveable: {Depot: l27.Depot, FY: y(other)}},
		Lots:   []LotPin{{Depot: l27.Depot, FY: y(2027), Assets: rest, Closed: true}},
		Forbid: []ForbidPin{{Asset: rest[0], Depot: "district-1"}}}
	p, data, _, err := ppTinyPinned(t, pins)
	if err != nil {
		t.Fatal(err)
	}
	res, err := SolveProgramme(context.Background(), p, SolveOptions{Seed: 3, Threads: 1, MaxIterations: 200, TimeLimit: 20 * time.Second})
	if err != nil || res.Plan == nil {
		t.Fatalf("solve: %v (%+v)", err, res)
	}
	ev := res.Evaluation
	if len(ev.Pins) != 3 {
		t.Fatalf("pins reported %+v", ev.Pins)
	}
	for _, pr := range ev.Pins {
		if !pr.Held {
			t.Errorf("%s not held: %v", pr.Pin, ev.Violations)
		}
	}
	for _, b := range res.Plan.Bundles {
		if b.Depot == l27.Depot && *b.FY == 2027 && !slices.Equal(slices.Sorted(slices.Values(b.Assets)), slices.Sorted(slices.Values(rest))) {
			t.Errorf("the closed 2027 lot holds %v, want %v", b.Assets, rest)
		}
	}
	if got := res.Plan.Schedule[moveable]; got != other {
		t.Errorf("%s inspected in %d, pinned to %d", moveable, got, other)
	}
	j := refJob(t, "TestSolveProgrammePins/pp-tiny: solved under a closed lot, a year pin and a forbid", "", data, res.Plan, ev)
	j.SolverOutput = true
	refereetest.Check(t, []refereetest.Job{j})
}
