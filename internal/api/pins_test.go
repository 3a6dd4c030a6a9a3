package api

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestScenarioPins: PUT /scenarios/{id}/pins checks the pins against the scenario's
// instance (unknown ids and contradictions: 422 naming every pin path), stores them, GET
// returns them, the instance carries them, and a re-solve keeps a closed lot unchanged
// and honours a forbid.
func TestScenarioPins(t *testing.T) {
	srv, _, _ := planningServer(t)
	// The four towns' assets cost ¥25.9M: max_value ¥18M makes at least two lots.
	sc := createScenario(t, srv, map[string]any{"name": "basin pins", "fiscal_year": 2027,
		"params": map[string]any{"limits": map[string]any{"min_value": 8000000, "max_value": 18000000}},
		"filter": map[string]any{"municipalities": smallFilter}})
	pinsURL := fmt.Sprintf("/api/v1/scenarios/%d/pins", sc.ID)

	var empty pinsBody
	resp, raw := call(t, srv, "GET", pinsURL, nil, &empty)
	wantStatus(t, "GET pins", resp, raw, 200)
	if string(raw) != `{"assets":{},"lots":[],"forbid":[]}`+"\n" {
		t.Errorf("no pins: %s", raw)
	}

	type lot struct {
		Depot  string   `json:"depot"`
		Assets []string `json:"assets"`
	}
	pinsReported := 0
	plan := func() map[string][]string {
		run := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "seed": 7})
		if r := doneRun(t, follow(t, srv, run.ID)); !r.HasPlan {
			t.Fatalf("run %d: no plan: %+v", run.ID, r)
		}
		var p struct {
			Feasible bool  `json:"feasible"`
			Bundles  []lot `json:"bundles"`
			Pins     []struct {
				Pin  string `json:"pin"`
				Held bool   `json:"held"`
			} `json:"pins"`
		}
		resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", run.ID), nil, &p)
		wantStatus(t, "plan", resp, raw, 200)
		if !p.Feasible {
			t.Fatalf("run %d: infeasible plan", run.ID)
		}
		for _, pin := range p.Pins {
			if !pin.Held {
				t.Errorf("run %d: %s not held", run.ID, pin.Pin)
			}
		}
		pinsReported = len(p.Pins)
		out := map[string][]string{}
		for _, b := range p.Bundles {
			out[b.Depot] = slices.Sorted(slices.Values(b.Assets))
		}
		return out
	}
	first := plan()
	depots := slices.Sorted(func(yield func(string) bool) {
		for d := range first {
			if !yield(d) {
				return
			}
		}
	})
	if len(depots) < 2 {
		t.Fatalf("the first plan has %d lots; the test needs two", len(depots))
	}
	locked, other := depots[0], depots[1]
	movedAsset := first[other][0]

	// Contradictions and unknown ids: 422, nothing stored.
	bad := map[string]any{
		"assets": map[string]any{movedAsset: other, "NOPE": other},
		"lots":   []any{map[string]any{"depot": locked, "assets": []string{movedAsset}}},
		"forbid": []any{map[string]any{"asset": first[locked][0], "depot": "no-such-depot"}},
	}
	resp, raw = call(t, srv, "PUT", pinsURL, bad, nil)
	p := problemOf(t, "bad pins", resp, raw, 422, ProblemInvalid)
	for _, want := range [][2]string{
		{"pins.assets.NOPE", `asset "NOPE" is not in the instance`},
		{"pins.lots[0].assets[0]", movedAsset + " is also pinned to depot " + other + " by pins.assets." + movedAsset},
		{"pins.forbid[0].depot", `depot "no-such-depot" is not among the instance's depots`},
	} {
		if !hasError(p, want[0], want[1]) {
			t.Errorf("422 lacks %s: %s; got %+v", want[0], want[1], p.Errors)
		}
	}
	resp, raw = call(t, srv, "GET", pinsURL, nil, nil)
	if string(raw) != `{"assets":{},"lots":[],"forbid":[]}`+"\n" {
		t.Errorf("pins after a refused PUT: %s", raw)
	}

	// Lock the first lot, forbid an asset of the second lot from its depot.
	good := pinsBody{Lots: []solver.LotPin{{Depot: locked, Assets: first[locked], Closed: true}},
		Forbid: []solver.ForbidPin{{Asset: movedAsset, Depot: other}}}
	var stored pinsBody
	resp, raw = call(t, srv, "PUT", pinsURL, good, &stored)
	wantStatus(t, "PUT pins", resp, raw, 200)
	var got pinsBody
	call(t, srv, "GET", pinsURL, nil, &got)
	if len(got.Lots) != 1 || !got.Lots[0].Closed || !slices.Equal(got.Lots[0].Assets, first[locked]) ||
		len(got.Forbid) != 1 || got.Forbid[0] != good.Forbid[0] {
		t.Errorf("GET after PUT: %+v", got)
	}
	var inst solver.Instance
	call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)
	if inst.Pins == nil || len(inst.Pins.Lots) != 1 || len(inst.Pins.Forbid) != 1 {
		t.Errorf("instance pins %+v", inst.Pins)
	}
	second := plan()
	if pinsReported != 2 {
		t.Errorf("the plan reports %d pins, want 2", pinsReported)
	}
	if !slices.Equal(second[locked], first[locked]) {
		t.Errorf("locked lot at %s: %v, want %v", locked, second[locked], first[locked])
	}
	if slices.Contains(second[other], movedAsset) {
		t.Errorf("%s still in the lot of %s, which it is forbidden", movedAsset, other)
	}
	resp, raw = call(t, srv, "PUT", "/api/v1/scenarios/999999/pins", good, nil)
	problemOf(t, "unknown scenario", resp, raw, 404, ProblemNotFound)
}

// TestSolvePinsStateless: POST /solve refuses contradictory pins with 422 naming the pin
// path, and answers pins the limits make impossible as infeasible, naming the pin.
func TestSolvePinsStateless(t *testing.T) {
	srv, _, _ := planningServer(t)
	raw, err := os.ReadFile("../../solver/testdata/p-tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	var in map[string]any
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	in["pins"] = map[string]any{"assets": map[string]any{"A000001": "office-29001"},
		"forbid": []any{map[string]any{"asset": "A000001", "depot": "office-29001"}}}
	resp, body := call(t, srv, "POST", "/api/v1/solve", map[string]any{"instance": in, "time_limit_s": 1}, nil)
	p := problemOf(t, "contradictory pins", resp, body, 422, ProblemInvalid)
	if !hasError(p, "instance.pins.forbid[0]", "A000001 may not be in the lot of depot office-29001, but pins.assets.A000001 pins it there") {
		t.Errorf("contradictory pins: %+v", p)
	}
	// A closed lot of one asset is worth far less than min_value.
	in["pins"] = map[string]any{"lots": []any{map[string]any{"depot": "office-29001", "assets": []string{"A000001"}, "closed": true}}}
	resp, body = call(t, srv, "POST", "/api/v1/solve", map[string]any{"instance": in, "time_limit_s": 1}, nil)
	p = problemOf(t, "impossible pins", resp, body, 422, ProblemInfeasible)
	if len(p.Errors) == 0 || p.Errors[0].Path != "instance.pins.lots[0]" || !strings.Contains(p.Errors[0].Msg, "pins.lots[0]: the closed lot of depot office-29001 costs") {
		t.Errorf("impossible pins: %+v", p)
	}
}
