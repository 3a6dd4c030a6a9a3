package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/tabane/tabane/data"
)

// TestAreaLockPriceAndLots: four basin towns, two of 西和 (斑鳩町, 安堵町) and two of 中和
// (川西町, 三宅町), with a contract fixed cost so high (¥50M) and no limits that the cheapest
// plan is one lot. Locked to their areas the plan has a lot per area and no lot crosses one;
// its counterpart (the same frozen instance, lock lifted) holds them all in one lot that
// crosses both, and lock-price says lifting the lock saves exactly the difference of the two
// costs. Asking again answers the same counterpart; a counterpart has none of its own.
func TestAreaLockPriceAndLots(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "lock", "fiscal_year": 2027,
		"params": map[string]any{"contract_fixed_cost": 50_000_000, "limits": map[string]any{}, "region_locked": true},
		"filter": map[string]any{"municipalities": []string{"29344", "29345", "29361", "29362"}}})
	run := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1})
	if done := doneRun(t, follow(t, srv, run.ID)); done.Status != data.RunDone || done.CounterpartOf != nil {
		t.Fatalf("locked run: %s, counterpart_of %v", done.Status, done.CounterpartOf)
	}

	var price lockPriceAnswer
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/lock-price", run.ID), nil, &price)
	wantStatus(t, "lock-price before the counterpart", resp, raw, http.StatusOK)
	if !price.RegionLocked || !price.Priceable || price.Cost == nil || price.Counterpart != nil || price.LiftingSaves != nil {
		t.Errorf("lock-price before the counterpart: %s", raw)
	}

	lots := func(id int64) lotsAnswer {
		var out lotsAnswer
		resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/lots", id), nil, &out)
		wantStatus(t, "lots", resp, raw, http.StatusOK)
		return out
	}
	locked := lots(run.ID)
	if len(locked.Items) != 2 || locked.Crossing != 0 {
		t.Errorf("locked plan: %d lots, %d crossing an area; want 2 and 0: %+v", len(locked.Items), locked.Crossing, locked.Items)
	}
	var plan struct {
		Bundles []struct {
			ID            string   `json:"id"`
			MaxDistanceKm float64  `json:"max_distance_km"`
			Regions       []string `json:"regions"`
		} `json:"bundles"`
	}
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", run.ID), nil, &plan)
	for i, l := range locked.Items {
		if i >= len(plan.Bundles) || l.Lot != plan.Bundles[i].ID || l.FarthestKm != plan.Bundles[i].MaxDistanceKm ||
			len(l.Regions) != 1 || l.OutlineKm2 <= 0 {
			t.Errorf("lot %d: %+v, the plan's bundle %+v", i, l, plan.Bundles)
		}
	}

	var cp data.Run
	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/runs/%d/counterpart", run.ID), nil, &cp)
	wantStatus(t, "counterpart", resp, raw, http.StatusAccepted)
	if cp.CounterpartOf == nil || *cp.CounterpartOf != run.ID || cp.ScenarioID == nil || *cp.ScenarioID != sc.ID ||
		cp.TimeLimitS != 1 || cp.Seed != 1 {
		t.Errorf("counterpart %s", raw)
	}
	doneRun(t, follow(t, srv, cp.ID))
	var again data.Run
	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/runs/%d/counterpart", run.ID), nil, &again)
	wantStatus(t, "counterpart asked again", resp, raw, http.StatusOK)
	if again.ID != cp.ID || again.Status != data.RunDone {
		t.Errorf("counterpart asked again: run %d %s, want %d done", again.ID, again.Status, cp.ID)
	}
	resp, raw = call(t, srv, "POST", fmt.Sprintf("/api/v1/runs/%d/counterpart", cp.ID), nil, nil)
	if p := problemOf(t, "counterpart of a counterpart", resp, raw, 422, ProblemInvalid); p.Detail !=
		fmt.Sprintf("run %d is itself the counterpart of run %d: ask run %d", cp.ID, run.ID, run.ID) {
		t.Errorf("counterpart of a counterpart: %q", p.Detail)
	}

	free := lots(cp.ID)
	if len(free.Items) != 1 || free.Crossing != 1 || len(free.Items[0].Regions) != 2 {
		t.Errorf("unlocked plan: %d lots, %d crossing; want one lot of 西和 and 中和: %+v", len(free.Items), free.Crossing, free.Items)
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/lock-price", run.ID), nil, &price)
	wantStatus(t, "lock-price", resp, raw, http.StatusOK)
	if price.Counterpart == nil || price.Counterpart.ID != cp.ID || price.Cost == nil || price.CounterpartCost == nil ||
		price.LiftingSaves == nil || *price.LiftingSaves != *price.Cost-*price.CounterpartCost || *price.LiftingSaves < 49_000_000 {
		t.Errorf("lock-price: %s; want lifting_saves = cost − counterpart_cost, about one fixed cost (¥50M)", raw)
	}
	// Asked of the unlocked run, the same price: what lifting the lock saves.
	var back lockPriceAnswer
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/lock-price", cp.ID), nil, &back)
	if back.RegionLocked || back.Counterpart != nil || back.Priceable {
		t.Errorf("lock-price of the counterpart: locked %v, counterpart %v, priceable %v; want false, none, false",
			back.RegionLocked, back.Counterpart, back.Priceable)
	}
}
