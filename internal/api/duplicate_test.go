package api

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/tabane/tabane/data"
)

// TestDuplicateScenario: POST /scenarios/{id}/duplicate copies every stored field of a
// scenario — params, participation, filter and its pins — under the new name; the copy's
// instance carries the pins, so its runs keep them. No body names it "<name> (copy)"; an
// empty name is refused (422) and an unknown scenario is 404.
func TestDuplicateScenario(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "慣行どおり", "fiscal_year": 2027,
		"params":        map[string]any{"region_locked": true, "limits": map[string]any{"max_assets": 40}},
		"participation": map[string]any{"29343": false},
		"filter":        map[string]any{"municipalities": smallFilter}})
	var inst struct {
		Assets []struct{ ID, Municipality string } `json:"assets"`
	}
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)
	wantStatus(t, "instance", resp, raw, 200)
	var first, second string
	for _, a := range inst.Assets {
		if a.Municipality == "29342" && first == "" {
			first = a.ID
		} else if a.Municipality == "29344" && second == "" {
			second = a.ID
		}
	}
	pins := map[string]any{"assets": map[string]any{first: "office-29342"}, "lots": []any{},
		"forbid": []any{map[string]any{"asset": second, "depot": "office-29342"}}}
	var stored pinsBody
	resp, raw = call(t, srv, "PUT", fmt.Sprintf("/api/v1/scenarios/%d/pins", sc.ID), pins, &stored)
	wantStatus(t, "PUT pins", resp, raw, 200)

	var cp data.Scenario
	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/duplicate", sc.ID), map[string]any{"name": "上限40件の写し"}, &cp)
	wantStatus(t, "duplicate", resp, raw, 201)
	if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/scenarios/%d", cp.ID) || cp.ID == sc.ID {
		t.Errorf("copy %d of %d at %q", cp.ID, sc.ID, loc)
	}
	if cp.Name != "上限40件の写し" || cp.FiscalYear != 2027 || !reflect.DeepEqual(cp.Params, sc.Params) ||
		!reflect.DeepEqual(cp.Participation, sc.Participation) || !reflect.DeepEqual(cp.Filter, sc.Filter) {
		t.Errorf("copy %+v\nof   %+v", cp, sc)
	}
	var got pinsBody
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/pins", cp.ID), nil, &got)
	wantStatus(t, "copy's pins", resp, raw, 200)
	if !reflect.DeepEqual(got, stored) || len(got.Assets) != 1 || len(got.Forbid) != 1 {
		t.Errorf("copy's pins %+v, want %+v", got, stored)
	}
	var cpInst struct {
		Pins pinsBody `json:"pins"`
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", cp.ID), nil, &cpInst)
	wantStatus(t, "copy's instance", resp, raw, 200)
	if cpInst.Pins.Assets[first].Depot != "office-29342" || len(cpInst.Pins.Forbid) != 1 || cpInst.Pins.Forbid[0].Asset != second {
		t.Errorf("copy's instance pins %+v", cpInst.Pins)
	}

	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/duplicate", sc.ID), nil, &cp)
	wantStatus(t, "duplicate without a body", resp, raw, 201)
	if cp.Name != "慣行どおり (copy)" {
		t.Errorf("default name %q", cp.Name)
	}
	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/duplicate", sc.ID), map[string]any{"name": "  "}, nil)
	if p := problemOf(t, "empty name", resp, raw, 422, ProblemInvalid); !hasError(p, "name", "must not be empty") {
		t.Errorf("problem %+v", p)
	}
	resp, raw = call(t, srv, "POST", "/api/v1/scenarios/9999/duplicate", map[string]any{"name": "x"}, nil)
	problemOf(t, "unknown scenario", resp, raw, 404, ProblemNotFound)
}
