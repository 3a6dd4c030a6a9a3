package solver

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tabane/tabane/internal/refereetest"
)

// pinned compiles handInstance with the pins given as JSON.
func pinnedHand(t *testing.T, pins string) (*Model, []byte, error) {
	t.Helper()
	inst, err := ParseInstance([]byte(strings.Replace(handInstance, `"version": 1,`, `"version": 1, "pins": `+pins+`,`, 1)))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	m, err := Compile(inst)
	data, merr := json.Marshal(inst)
	if merr != nil {
		t.Fatal(merr)
	}
	return m, data, err
}

func problems(err error) []string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = p.Path + ": " + p.Msg
	}
	return out
}

// TestPinsValidation: every contradictory or unknown pin is refused, named by its path.
// Distances on handInstance: 0.1° of latitude is 16.67926204 km, so a2 (34.1°N) is
// 66.72 km from "far" (34.5°N), beyond max_distance_km 60.
func TestPinsValidation(t *testing.T) {
	cases := []struct {
		name, pins string
		want       []string
	}{
		{"unknown, far, non-participating, twice pinned, repeated, forbid against pin",
			`{"assets": {"a1": "y-office", "a2": "far", "a4": "hub", "zz": "hub"},
			  "lots": [{"depot": "hub", "assets": ["a1", "a3", "a3"]}, {"depot": "nowhere", "assets": ["a2"]}],
			  "forbid": [{"asset": "a3", "depot": "y-office"}, {"asset": "a1", "depot": "y-office"}, {"asset": "a9", "depot": "hub"}]}`,
			[]string{
				"pins.assets.a2: a2 is 66.72 km from depot far, beyond max_distance_km 60",
				"pins.assets.a4: a4 belongs to Z, which does not participate: it is in no lot",
				`pins.assets.zz: asset "zz" is not in the instance`,
				"pins.lots[0].assets[0]: a1 is also pinned to depot y-office by pins.assets.a1",
				"pins.lots[0].assets[2]: a3 repeats pins.lots[0].assets[1]",
				`pins.lots[1].depot: depot "nowhere" is not among the instance's depots`,
				"pins.forbid[1]: a1 may not be in the lot of depot y-office, but pins.assets.a1 pins it there",
				`pins.forbid[2].asset: asset "a9" is not in the instance`,
			}},
		{"a pin into a closed lot that leaves it out",
			`{"assets": {"a2": "hub"}, "lots": [{"depot": "hub", "assets": ["a1"], "closed": true}, {"depot": "hub", "assets": ["a3"]}]}`,
			[]string{
				"pins.assets.a2: a2 is pinned to depot hub, whose lot pins.lots[0] closes without it",
				"pins.lots[1].assets[0]: a3 is pinned to depot hub, whose lot pins.lots[0] closes without it",
			}},
		{"two closed lots on one depot, an empty open lot, an asset pin without depot",
			`{"assets": {"a1": {"fy": 2027}}, "lots": [{"depot": "hub", "assets": ["a1"], "closed": true}, {"depot": "hub", "assets": ["a1", "a2"], "closed": true}, {"depot": "far", "assets": []}]}`,
			[]string{
				"pins.assets.a1: names no depot",
				"pins.lots[1]: closes the lot of depot hub with other assets than pins.lots[0]",
				"pins.lots[2].assets: is empty: a lot pin names at least one asset (closed: true with no assets keeps the depot without a lot)",
				"pins.lots[1].assets[1]: a2 is pinned to depot hub, whose lot pins.lots[0] closes without it",
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := pinnedHand(t, c.pins)
			if got := problems(err); !slices.Equal(got, c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
	if _, err := ParseInstance([]byte(strings.Replace(handInstance, `"version": 1,`, `"version": 1, "pins": {"assets": {"a1": 7}},`, 1))); err == nil ||
		err.Error() != "line 2, column 43: pins.assets.a1: expected a string, found a number" {
		t.Errorf("a number as an asset pin: %v", err)
	}
}

// TestPinsPrecheck: pins that the rules make impossible are proven so, with the pin named.
// The closed lot of y-office holding a2 alone costs F + traffic_control + c_a2 =
// 2,000,000 + 80,000 + 150,000 = ¥2,230,000 < min_value ¥3,000,000.
func TestPinsPrecheck(t *testing.T) {
	m, _, err := pinnedHand(t, `{"lots": [{"depot": "y-office", "assets": ["a2"], "closed": true}],
		"forbid": [{"asset": "a3", "depot": "hub"}, {"asset": "a3", "depot": "y-office"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	got := Precheck(m)
	want := []Infeasibility{
		{Rule: "min_value", Pin: "pins.lots[0]", Asset: "a2", Value: 2230000, Limit: 3000000,
			Message: "pins.lots[0]: the closed lot of depot y-office costs ¥2,230,000, below min_value ¥3,000,000"},
		{Rule: "pin", Pin: "pins.forbid[0]", Asset: "a3",
			Message: "pins.forbid[0]: every depot within max_distance_km of a3 is forbidden to it or closed by a lot pin"},
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("Precheck:\n%+v\nwant\n%+v", got, want)
	}
	m, _, err = pinnedHand(t, `{"assets": {"a1": "hub", "a2": "hub", "a3": "hub"}}`)
	if err != nil {
		t.Fatal(err)
	}
	m.MaxAssets = 2
	got = Precheck(m)
	if len(got) != 1 || got[0].Rule != "max_assets" || got[0].Pin != "pins.assets.a1" ||
		got[0].Message != "pins.assets.a1: 3 assets are pinned to depot hub, more than max_assets 2" {
		t.Errorf("max_assets: %+v", got)
	}
}

// TestEvaluatePins: rule 6 per pin, with the pin's path; every pin reported held or not.
func TestEvaluatePins(t *testing.T) {
	m, _, err := pinnedHand(t, `{"assets": {"a3": "hub"}, "lots": [{"depot": "y-office", "assets": ["a2"], "closed": true}],
		"forbid": [{"asset": "a1", "depot": "hub"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(m, handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "a3"}}))
	var msgs []string
	for _, v := range ev.Violations {
		if v.Rule == "pin" {
			msgs = append(msgs, v.Message)
		}
	}
	want := []string{
		"pins.lots[0]: a2 must be in the lot of depot y-office, the plan has it in the lot of depot hub",
		"pins.forbid[0]: a1 must not be in the lot of depot hub",
	}
	if !slices.Equal(msgs, want) || ev.Feasible {
		t.Errorf("pin violations %q (feasible %v), want %q", msgs, ev.Feasible, want)
	}
	wantRep := []PinReport{{"pins.assets.a3", "asset", true}, {"pins.lots[0]", "lot", false}, {"pins.forbid[0]", "forbid", false}}
	if !slices.Equal(ev.Pins, wantRep) {
		t.Errorf("pins report %+v, want %+v", ev.Pins, wantRep)
	}
	ev = Evaluate(m, handPlan(Bundle{ID: "L1", Depot: "y-office", Assets: []string{"a2", "a1"}}, Bundle{ID: "L2", Depot: "hub", Assets: []string{"a3"}}))
	msgs = msgs[:0]
	for _, v := range ev.Violations {
		if v.Rule == "pin" {
			msgs = append(msgs, v.Message)
		}
	}
	if want := []string{"pins.lots[0]: the lot of depot y-office is closed, but the plan adds a1"}; !slices.Equal(msgs, want) {
		t.Errorf("closed lot: %q, want %q", msgs, want)
	}
	// Without pins the report is an empty list, not null.
	hm, _ := handModel(t, nil)
	if ev := Evaluate(hm, handPlan()); ev.Pins == nil || len(ev.Pins) != 0 {
		t.Errorf("no pins: report %#v", ev.Pins)
	}
}

// pSmallWithPins reads p-small and adds pins built from its optimal plan by pick.
func pSmallWithPins(t *testing.T, pick func(opt *Plan) *Pins) (*Model, []byte, *Plan) {
	t.Helper()
	inst, err := ParseInstance(readTestdata(t, "p-small"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", "p-small.optimal-plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opt, err := ReadPlan(f)
	if err != nil {
		t.Fatal(err)
	}
	inst.Pins = pick(opt)
	m, err := Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(inst)
	if err != nil {
		t.Fatal(err)
	}
	return m, data, opt
}

// otherDepot is a depot of p-small other than the ones named, within reach of asset id.
func otherDepot(t *testing.T, m *Model, id string, not ...string) string {
	t.Helper()
	a := m.AssetIndex[id]
	for j, d := range m.Depots {
		if !slices.Contains(not, d.ID) && m.Reachable(j, a) {
			return d.ID
		}
	}
	t.Fatalf("no other depot reaches %s", id)
	return ""
}

// TestSolvePins: p-small solved with an asset pinned to the other lot's depot, an open
// lot, a forbid against its optimal plan and a depot kept empty by a closed lot without
// assets: the plan honours every pin and Evaluate finds it feasible.
func TestSolvePins(t *testing.T) {
	var moved, movedTo, forbidden, forbiddenFrom, empty string
	var lot []string
	m, _, opt := pSmallWithPins(t, func(opt *Plan) *Pins {
		b0, b1 := opt.Bundles[0], opt.Bundles[1]
		moved, movedTo = b1.Assets[0], b0.Depot
		forbidden, forbiddenFrom = b1.Assets[1], b1.Depot
		lot = b1.Assets[2:4]
		empty = "office-29001"
		return &Pins{
			Lots:   []LotPin{{Depot: b1.Depot, Assets: lot}, {Depot: empty, Assets: []string{}, Closed: true}},
			Assets: map[string]AssetPin{moved: {Depot: movedTo}},
			Forbid: []ForbidPin{{Asset: forbidden, Depot: forbiddenFrom}},
		}
	})
	res := solveOK(t, m, SolveOptions{Seed: 5, Threads: 2, MaxIterations: 400})
	if !res.Evaluation.Feasible {
		t.Fatalf("infeasible: %+v", res.Evaluation.Violations)
	}
	for _, p := range res.Evaluation.Pins {
		if !p.Held {
			t.Errorf("%s not held", p.Pin)
		}
	}
	if len(res.Evaluation.Pins) != 4 {
		t.Errorf("%d pins reported, want 4", len(res.Evaluation.Pins))
	}
	depotOf := map[string]string{}
	for _, b := range res.Plan.Bundles {
		for _, id := range b.Assets {
			depotOf[id] = b.Depot
		}
		if b.Depot == empty {
			t.Errorf("a lot at %s, which a closed lot without assets keeps empty", empty)
		}
	}
	if depotOf[moved] != movedTo || depotOf[forbidden] == forbiddenFrom || forbiddenFrom != opt.Bundles[1].Depot {
		t.Errorf("%s at %s (pinned to %s); %s at %s (forbidden)", moved, depotOf[moved], movedTo, forbidden, depotOf[forbidden])
	}
	for _, id := range lot {
		if depotOf[id] != opt.Bundles[1].Depot {
			t.Errorf("%s at %s, lot-pinned to %s", id, depotOf[id], opt.Bundles[1].Depot)
		}
	}
}

// TestSolvePinnedLotComesBack: a lot of the optimal plan pinned closed comes back
// identical from a solve with another seed, and the whole plan pinned gives the optimum.
func TestSolvePinnedLotComesBack(t *testing.T) {
	key := func(b Bundle) string {
		as := slices.Clone(b.Assets)
		slices.Sort(as)
		return b.Depot + ":" + strings.Join(as, ",")
	}
	for _, whole := range []bool{false, true} {
		m, _, opt := pSmallWithPins(t, func(opt *Plan) *Pins {
			p := &Pins{}
			for k, b := range opt.Bundles {
				if k == 0 || whole {
					p.Lots = append(p.Lots, LotPin{Depot: b.Depot, Assets: b.Assets, Closed: true})
				}
			}
			return p
		})
		res := solveOK(t, m, SolveOptions{Seed: 99, Threads: 1, MaxIterations: 200})
		var got []string
		for _, b := range res.Plan.Bundles {
			if b.Depot == opt.Bundles[0].Depot || whole {
				got = append(got, key(b))
			}
		}
		want := []string{key(opt.Bundles[0])}
		if whole {
			want = []string{key(opt.Bundles[0]), key(opt.Bundles[1])}
			if d := res.Evaluation.Cost - 75327721.56; d > 0.01 || d < -0.01 {
				t.Errorf("whole plan pinned: cost %.2f, want the optimum 75,327,721.56", res.Evaluation.Cost)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("whole %v: pinned lots came back as\n%v\nwant\n%v", whole, got, want)
		}
	}
}

// TestEvaluatePinsReferee: pinned plans judged by Evaluate and by the referee (recorded
// verdicts): each pin kind held and broken, on handInstance and on p-small.
func TestEvaluatePinsReferee(t *testing.T) {
	all := func(depot string) *Plan {
		return handPlan(Bundle{ID: "L1", Depot: depot, Assets: []string{"a1", "a2", "a3"}})
	}
	cases := []struct {
		name, pins string
		plan       *Plan
		feasible   bool
	}{
		{"asset held", `{"assets": {"a1": "hub"}}`, all("hub"), true},
		{"asset broken", `{"assets": {"a1": "hub"}}`, all("y-office"), false},
		{"asset with fy held (version 1 ignores fy)", `{"assets": {"a1": {"depot": "hub", "fy": 2027}}}`, all("hub"), true},
		{"open lot held", `{"lots": [{"depot": "hub", "assets": ["a1", "a2"]}]}`, all("hub"), true},
		{"open lot broken", `{"lots": [{"depot": "hub", "assets": ["a1", "a2"]}]}`, all("y-office"), false},
		{"closed lot held", `{"lots": [{"depot": "hub", "assets": ["a1", "a2", "a3"], "closed": true}]}`, all("hub"), true},
		{"closed lot with an extra asset", `{"lots": [{"depot": "hub", "assets": ["a1", "a2"], "closed": true}]}`, all("hub"), false},
		{"empty closed lot held", `{"lots": [{"depot": "y-office", "assets": [], "closed": true}]}`, all("hub"), true},
		{"empty closed lot broken", `{"lots": [{"depot": "y-office", "assets": [], "closed": true}]}`, all("y-office"), false},
		{"forbid held", `{"forbid": [{"asset": "a3", "depot": "hub"}]}`, all("y-office"), true},
		{"forbid broken", `{"forbid": [{"asset": "a3", "depot": "hub"}]}`, all("hub"), false},
		{"every kind held", `{"assets": {"a3": "y-office"}, "lots": [{"depot": "y-office", "assets": ["a1", "a2", "a3"], "closed": true}], "forbid": [{"asset": "a1", "depot": "hub"}]}`, all("y-office"), true},
		{"every kind broken", `{"assets": {"a3": "y-office"}, "lots": [{"depot": "y-office", "assets": ["a1", "a2", "a3"], "closed": true}], "forbid": [{"asset": "a1", "depot": "hub"}]}`, all("hub"), false},
		{"asset listed twice, pin read from the last bundle", `{"assets": {"a1": "hub"}}`,
			handPlan(Bundle{ID: "L1", Depot: "hub", Assets: []string{"a1", "a2", "a3"}}, Bundle{ID: "L2", Depot: "y-office", Assets: []string{"a1"}}), false},
	}
	var jobs []refereetest.Job
	for _, c := range cases {
		m, data, err := pinnedHand(t, c.pins)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ev := Evaluate(m, c.plan)
		pinBroken := slices.ContainsFunc(ev.Violations, func(v Violation) bool { return v.Rule == "pin" })
		if ev.Feasible != c.feasible || pinBroken == c.feasible {
			t.Errorf("%s: feasible %v, want %v: %+v", c.name, ev.Feasible, c.feasible, ev.Violations)
		}
		jobs = append(jobs, refJob(t, "TestEvaluatePinsReferee/hand: "+c.name, "", data, c.plan, ev))
	}
	// p-small: its optimal plan under pins taken from it, and under a forbid against it.
	for _, c := range []struct {
		name     string
		pick     func(opt *Plan) *Pins
		feasible bool
	}{
		{"optimal plan, its first lot closed and an asset pinned", func(opt *Plan) *Pins {
			return &Pins{Lots: []LotPin{{Depot: opt.Bundles[0].Depot, Assets: opt.Bundles[0].Assets, Closed: true}},
				Assets: map[string]AssetPin{opt.Bundles[1].Assets[0]: {Depot: opt.Bundles[1].Depot}}}
		}, true},
		{"optimal plan, an asset forbidden from its lot's depot", func(opt *Plan) *Pins {
			return &Pins{Forbid: []ForbidPin{{Asset: opt.Bundles[1].Assets[0], Depot: opt.Bundles[1].Depot}}}
		}, false},
		{"optimal plan, its second lot closed without one of its assets", func(opt *Plan) *Pins {
			return &Pins{Lots: []LotPin{{Depot: opt.Bundles[1].Depot, Assets: opt.Bundles[1].Assets[1:], Closed: true}}}
		}, false},
	} {
		m, data, opt := pSmallWithPins(t, c.pick)
		ev := Evaluate(m, opt)
		if ev.Feasible != c.feasible {
			t.Errorf("p-small %s: feasible %v, want %v: %+v", c.name, ev.Feasible, c.feasible, ev.Violations)
		}
		jobs = append(jobs, refJob(t, "TestEvaluatePinsReferee/p-small: "+c.name, "", data, opt, ev))
	}
	// A solve under pins, judged too.
	m, data, _ := pSmallWithPins(t, func(opt *Plan) *Pins {
		b := opt.Bundles[0]
		return &Pins{Lots: []LotPin{{Depot: b.Depot, Assets: b.Assets, Closed: true}},
			Forbid: []ForbidPin{{Asset: opt.Bundles[1].Assets[0], Depot: opt.Bundles[1].Depot}}}
	})
	res := solveOK(t, m, SolveOptions{Seed: 2, Threads: 2, MaxIterations: 200})
	j := refJob(t, "TestEvaluatePinsReferee/p-small: solved under a closed lot and a forbid", "", data, res.Plan, res.Evaluation)
	j.SolverOutput = true
	jobs = append(jobs, j)
	refs := refereetest.Check(t, jobs)
	if refereetest.Recording() {
		return
	}
	if len(refs) < 15 {
		t.Errorf("%d referee verdicts on pinned plans, want at least 15", len(refs))
	}
}
