package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// openEvents follows a run's event stream in the background; the channel closes at the
// stream's end.
func openEvents(t *testing.T, srv *httptest.Server, runID int64) <-chan sseEvent {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/runs/%d/events", srv.URL, runID))
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan sseEvent, 1024)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		var cur sseEvent
		buf := make([]byte, 0, 1<<16)
		var line []byte
		one := make([]byte, 1)
		for {
			n, err := resp.Body.Read(one)
			if n == 1 {
				if one[0] != '\n' {
					line = append(line, one[0])
					continue
				}
				s := string(line)
				line = buf[:0]
				switch {
				case s == "":
					if cur.name != "" {
						ch <- cur
					}
					cur = sseEvent{}
				case strings.HasPrefix(s, "event: "):
					cur.name = strings.TrimPrefix(s, "event: ")
				case strings.HasPrefix(s, "data: "):
					cur.data += strings.TrimPrefix(s, "data: ")
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// waitFeasible reads progress events until one reports a feasible plan.
func waitFeasible(t *testing.T, evs <-chan sseEvent) {
	t.Helper()
	for e := range evs {
		if e.name != "progress" {
			t.Fatalf("event %s before a feasible plan: %s", e.name, e.data)
		}
		var p data.RunProgress
		if err := json.Unmarshal([]byte(e.data), &p); err != nil {
			t.Fatal(err)
		}
		if p.Feasible && p.BestCost != nil {
			return
		}
	}
	t.Fatal("the stream ended before a feasible plan")
}

// TestCancelRuns: DELETE stops a running run and keeps its best plan; a queued run is
// cancelled without one; a scenario with an active run cannot be deleted; a finished
// run cannot be cancelled.
func TestCancelRuns(t *testing.T) {
	srv, _, _ := planningServer(t)
	// The northern cities: hundreds of assets, so that the bound does not close the gap
	// and the runs go on until cancelled.
	sc := createScenario(t, srv, map[string]any{"name": "long", "fiscal_year": 2027,
		"filter": map[string]any{"municipalities": []string{"29201", "29202", "29203", "29204"}}})
	long := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 600})
	queued := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 600})
	evs := openEvents(t, srv, long.ID)
	waitFeasible(t, evs)

	var r data.Run
	// The running run shows its latest progress (in memory; the database's copy lags by
	// up to a second).
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d", long.ID), nil, &r)
	if r.Status != data.RunRunning || r.Progress == nil || !r.Progress.Feasible || r.Progress.BestCost == nil || r.StartedAt == nil {
		t.Errorf("running run %+v, progress %+v", r, r.Progress)
	}
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d", queued.ID), nil, &r)
	if r.Status != data.RunQueued {
		t.Errorf("second run %s while the first runs (concurrency 1), want queued", r.Status)
	}
	resp, raw := call(t, srv, "DELETE", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), nil, nil)
	p := problemOf(t, "delete scenario with active runs", resp, raw, 409, ProblemConflict)
	if !strings.Contains(p.Detail, fmt.Sprintf("run %d", long.ID)) {
		t.Errorf("409 detail %q does not name run %d", p.Detail, long.ID)
	}

	// The queued run: cancelled at once, no plan.
	resp, raw = call(t, srv, "DELETE", fmt.Sprintf("/api/v1/runs/%d", queued.ID), nil, &r)
	wantStatus(t, "cancel queued", resp, raw, 200)
	if r.Status != data.RunCancelled || r.HasPlan || r.StartedAt != nil || r.FinishedAt == nil {
		t.Errorf("cancelled queued run %+v", r)
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", queued.ID), nil, nil)
	problemOf(t, "plan of a run without one", resp, raw, 404, ProblemNotFound)

	// The running run: stops, keeps its best plan.
	resp, raw = call(t, srv, "DELETE", fmt.Sprintf("/api/v1/runs/%d", long.ID), nil, &r)
	wantStatus(t, "cancel running", resp, raw, 200)
	if r.Status != data.RunCancelled || !r.HasPlan || r.Summary == nil || r.Summary.Cost <= 0 || r.Error != nil {
		t.Fatalf("cancelled running run %+v", r)
	}
	var last sseEvent
	for e := range evs {
		last = e
	}
	var done data.Run
	if last.name != "done" || json.Unmarshal([]byte(last.data), &done) != nil || done.Status != data.RunCancelled {
		t.Errorf("stream ended with %s %s", last.name, last.data)
	}
	var plan struct {
		Cost     float64 `json:"cost"`
		Feasible bool    `json:"feasible"`
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", long.ID), nil, &plan)
	wantStatus(t, "plan of the cancelled run", resp, raw, 200)
	if !plan.Feasible || plan.Cost != r.Summary.Cost {
		t.Errorf("kept plan: feasible %v cost %v, summary %v", plan.Feasible, plan.Cost, r.Summary.Cost)
	}

	// Finished runs cannot be cancelled again.
	resp, raw = call(t, srv, "DELETE", fmt.Sprintf("/api/v1/runs/%d", long.ID), nil, nil)
	p = problemOf(t, "cancel a finished run", resp, raw, 409, ProblemConflict)
	if !strings.Contains(p.Detail, "already ended (cancelled)") {
		t.Errorf("409 detail %q", p.Detail)
	}
	// Now the scenario can go; its runs stay, without it.
	resp, raw = call(t, srv, "DELETE", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), nil, nil)
	wantStatus(t, "delete scenario", resp, raw, 204)
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d", long.ID), nil, &r)
	if r.ScenarioID != nil || r.Status != data.RunCancelled {
		t.Errorf("run after its scenario was deleted: %+v", r)
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), nil, nil)
	problemOf(t, "deleted scenario", resp, raw, 404, ProblemNotFound)
}

// TestStatelessSolveEvaluate: POST /solve answers a plan for an instance; POST /evaluate
// judges it feasible at the same cost, and lists every violation of a broken hand-made
// plan; an instance without a feasible plan is a 422 that says why.
func TestStatelessSolveEvaluate(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "stateless", "fiscal_year": 2027,
		"filter": map[string]any{"municipalities": smallFilter}})
	var inst json.RawMessage
	call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)

	var plan struct {
		Instance string                `json:"instance"`
		Bundles  []solver.BundleReport `json:"bundles"`
		Cost     float64               `json:"cost"`
		Feasible bool                  `json:"feasible"`
		Shares   map[string]float64    `json:"shares"`
	}
	resp, raw := call(t, srv, "POST", "/api/v1/solve", map[string]any{"instance": inst, "time_limit_s": 1, "seed": 3}, &plan)
	wantStatus(t, "solve", resp, raw, 200)
	sum := 0.0
	for _, v := range plan.Shares {
		sum += v
	}
	if !plan.Feasible || len(plan.Bundles) == 0 || !relClose(sum, plan.Cost) {
		t.Fatalf("solve: feasible %v, %d bundles, shares %v for cost %v", plan.Feasible, len(plan.Bundles), sum, plan.Cost)
	}
	bare := map[string]any{"instance": plan.Instance}
	var bundles []map[string]any
	var all []string
	for _, b := range plan.Bundles {
		bundles = append(bundles, map[string]any{"id": b.ID, "depot": b.Depot, "assets": b.Assets})
		all = append(all, b.Assets...)
	}
	bare["bundles"] = bundles
	var ev solver.Evaluation
	resp, raw = call(t, srv, "POST", "/api/v1/evaluate", map[string]any{"instance": inst, "plan": bare}, &ev)
	wantStatus(t, "evaluate", resp, raw, 200)
	if !ev.Feasible || !relClose(ev.Cost, plan.Cost) || len(ev.Violations) != 0 {
		t.Errorf("evaluate the solver's plan: feasible %v cost %v (plan %v) violations %v", ev.Feasible, ev.Cost, plan.Cost, ev.Violations)
	}

	// A hand-made plan: all but the last asset in one contract at 平群町役場, the first
	// asset again at a depot that does not exist.
	hand := map[string]any{"instance": plan.Instance, "bundles": []map[string]any{
		{"id": "L1", "depot": "office-29342", "assets": all[:len(all)-1]},
		{"id": "L2", "depot": "no-such-depot", "assets": all[:1]},
	}}
	resp, raw = call(t, srv, "POST", "/api/v1/evaluate", map[string]any{"instance": inst, "plan": hand}, &ev)
	wantStatus(t, "evaluate a broken plan", resp, raw, 200)
	rules := map[string]bool{}
	for _, v := range ev.Violations {
		rules[v.Rule] = true
	}
	for _, want := range []string{"coverage", "duplicate", "unknown_depot"} {
		if !rules[want] {
			t.Errorf("broken plan: no %s violation among %v", want, ev.Violations)
		}
	}
	if ev.Feasible {
		t.Error("broken plan judged feasible")
	}

	// No feasible plan: no asset is within 10 m of a depot.
	var in map[string]any
	_ = json.Unmarshal(inst, &in)
	in["params"].(map[string]any)["limits"].(map[string]any)["max_distance_km"] = 0.01
	resp, raw = call(t, srv, "POST", "/api/v1/solve", map[string]any{"instance": in, "time_limit_s": 1}, nil)
	p := problemOf(t, "solve an infeasible instance", resp, raw, 422, ProblemInfeasible)
	if len(p.Errors) == 0 || !strings.HasPrefix(p.Errors[0].Path, "instance.assets[") || !strings.Contains(p.Detail, "no feasible plan") {
		t.Errorf("infeasible: %+v", p)
	}
}

// TestPlanningProblems: every kind of bad input gets its problem+json: 400 malformed
// (line and column, also inside an instance), 404, 409, 413, 422 with field paths.
func TestPlanningProblems(t *testing.T) {
	srv, _, _ := planningServer(t)
	post := func(path string, body any) (*http.Response, []byte) { return call(t, srv, "POST", path, body, nil) }

	resp, raw := post("/api/v1/scenarios", "{\n  \"name\": \"x\",\n  \"fiscal_year\": 2027,,\n}")
	p := problemOf(t, "malformed scenario", resp, raw, 400, ProblemMalformed)
	if !hasError(p, "line 3, column 23", "invalid character ','") {
		t.Errorf("malformed scenario errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/scenarios", "")
	problemOf(t, "empty body", resp, raw, 400, ProblemMalformed)
	resp, raw = post("/api/v1/scenarios", `{"name": "x", "fiscal_year": 2027`)
	problemOf(t, "truncated body", resp, raw, 400, ProblemMalformed)
	resp, raw = post("/api/v1/scenarios", `[1, 2]`)
	problemOf(t, "array body", resp, raw, 400, ProblemMalformed)

	resp, raw = post("/api/v1/scenarios", map[string]any{"name": "x", "fiscal_year": 2027,
		"params":        map[string]any{"contract_fixed_cost": -1, "limits": map[string]any{"max_value": "lots"}},
		"participation": map[string]bool{"29999": false}})
	p = problemOf(t, "invalid params", resp, raw, 422, ProblemInvalid)
	if !hasError(p, "params.limits.max_value", "expected a number") {
		t.Errorf("invalid params errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/scenarios", map[string]any{"name": "x", "fiscal_year": 2027,
		"params": map[string]any{"contract_fixed_cost": -1}, "participation": map[string]bool{"29999": false},
		"regions": map[string]string{"29201": ""}, "filter": map[string]any{"municipalities": []string{"2920"}}})
	p = problemOf(t, "invalid scenario", resp, raw, 422, ProblemInvalid)
	for _, want := range [][2]string{{"params.contract_fixed_cost", "≥ 0"}, {"participation.29999", "no municipality 29999"},
		{"regions.29201", "must name a region"}, {"filter.municipalities[0]", ""}} {
		if !hasError(p, want[0], want[1]) {
			t.Errorf("invalid scenario: no error at %s (%q) in %+v", want[0], want[1], p.Errors)
		}
	}
	resp, raw = post("/api/v1/scenarios", "{\"name\": \"x\",\n \"fiscal_year\": \"2027\"}")
	p = problemOf(t, "fiscal year as a string", resp, raw, 422, ProblemInvalid)
	if !hasError(p, "fiscal_year", "must be an integer") {
		t.Errorf("fiscal_year errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/scenarios", map[string]any{"name": "x", "fiscal_year": 2027, "fiscal_yaer": 2028})
	p = problemOf(t, "unknown field", resp, raw, 422, ProblemInvalid)
	if !hasError(p, "fiscal_yaer", "unknown field") {
		t.Errorf("unknown field errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/scenarios", map[string]any{"params": map[string]any{"circuity": 0}})
	p = problemOf(t, "missing fields", resp, raw, 422, ProblemInvalid)
	for _, want := range []string{"name", "fiscal_year", "params.circuity"} {
		if !hasError(p, want, "") {
			t.Errorf("missing fields: no error at %s in %+v", want, p.Errors)
		}
	}

	// 413: a body over the limit of the route.
	big := `{"name": "` + strings.Repeat("x", 2<<20) + `", "fiscal_year": 2027}`
	resp, raw = post("/api/v1/scenarios", big)
	p = problemOf(t, "too large", resp, raw, 413, ProblemTooLarge)
	if !strings.Contains(p.Detail, "1MB") {
		t.Errorf("413 detail %q", p.Detail)
	}

	// 404 and bad ids.
	for _, path := range []string{"/api/v1/scenarios/999", "/api/v1/scenarios/999/instance", "/api/v1/runs/999",
		"/api/v1/runs/999/plan", "/api/v1/runs/999/plan.geojson", "/api/v1/runs/999/events", "/api/v1/runs/999/compare/998"} {
		resp, raw = call(t, srv, "GET", path, nil, nil)
		problemOf(t, "GET "+path, resp, raw, 404, ProblemNotFound)
	}
	resp, raw = call(t, srv, "DELETE", "/api/v1/runs/999", nil, nil)
	problemOf(t, "cancel a missing run", resp, raw, 404, ProblemNotFound)
	resp, raw = post("/api/v1/scenarios/999/runs", nil)
	problemOf(t, "run a missing scenario", resp, raw, 404, ProblemNotFound)
	resp, raw = call(t, srv, "GET", "/api/v1/runs/abc", nil, nil)
	problemOf(t, "bad run id", resp, raw, 400, ProblemInvalidParameter)
	resp, raw = call(t, srv, "GET", "/api/v1/runs?status=finished", nil, nil)
	problemOf(t, "bad status filter", resp, raw, 400, ProblemInvalidParameter)

	// A run with an out-of-range time limit; a scenario whose instance is invalid.
	sc := createScenario(t, srv, map[string]any{"name": "x", "fiscal_year": 2027, "filter": map[string]any{"municipalities": smallFilter}})
	resp, raw = post(fmt.Sprintf("/api/v1/scenarios/%d/runs", sc.ID), map[string]any{"time_limit_s": 0})
	p = problemOf(t, "zero time limit", resp, raw, 422, ProblemInvalid)
	if !hasError(p, "time_limit_s", "must be > 0") {
		t.Errorf("time limit errors %+v", p.Errors)
	}
	resp, raw = post(fmt.Sprintf("/api/v1/scenarios/%d/runs", sc.ID), map[string]any{"time_limit_s": 1, "threads": 4})
	problemOf(t, "unknown run field", resp, raw, 422, ProblemInvalid)

	// Stateless: malformed JSON inside the instance is located in the whole body; an
	// invalid instance lists its problems under instance.
	body := "{\"time_limit_s\": 1,\n \"instance\": {\n  \"version\": 1,\n  \"assets\": [}\n}"
	resp, raw = post("/api/v1/solve", body)
	p = problemOf(t, "malformed instance", resp, raw, 400, ProblemMalformed)
	if !hasError(p, "line 4, column 14", "") {
		t.Errorf("malformed instance errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/solve", "{\"instance\": {\n \"version\": 1, \"name\": \"t\",\n \"params\": {\"contract_fixed_cost\": \"x\"}}}")
	p = problemOf(t, "wrong type in instance", resp, raw, 400, ProblemMalformed)
	if !hasError(p, "line 3, column 36", "instance: params.contract_fixed_cost: expected a number") {
		t.Errorf("wrong type errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/solve", map[string]any{"instance": map[string]any{"version": 3, "name": "t",
		"params":         map[string]any{"contract_fixed_cost": 1, "travel_cost_per_km": 1},
		"municipalities": []any{map[string]any{"code": "29201", "name": "a", "office": map[string]any{"lon": 135.8, "lat": 34.6}}},
		"assets":         []any{map[string]any{"id": "A1", "municipality": "29201", "kind": "bridge", "lon": 135.8, "lat": 34.6, "cost": -5, "workload": 1}}}})
	p = problemOf(t, "invalid instance", resp, raw, 422, ProblemInvalid)
	if !hasError(p, "instance.version", "must be 1") || !hasError(p, "instance.assets[0].cost", "") {
		t.Errorf("invalid instance errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/evaluate", map[string]any{"plan": map[string]any{}})
	p = problemOf(t, "evaluate without instance", resp, raw, 422, ProblemInvalid)
	if !hasError(p, "instance", "is required") {
		t.Errorf("evaluate errors %+v", p.Errors)
	}
	resp, raw = post("/api/v1/solve", map[string]any{"instance": map[string]any{}, "timelimit": 3})
	p = problemOf(t, "solve unknown field", resp, raw, 422, ProblemInvalid)
	if !hasError(p, "timelimit", "unknown field") {
		t.Errorf("solve unknown field errors %+v", p.Errors)
	}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRequestIDs: every response carries X-Request-Id (the caller's when it is sane, a
// fresh one otherwise, errors included) and the access log line names it.
func TestRequestIDs(t *testing.T) {
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "rid.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs syncBuffer
	s := New(store, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	fresh := regexp.MustCompile(`^[0-9a-f]{16}$`)
	seen := map[string]bool{}
	for _, c := range []struct{ path, sent, want string }{
		{"/healthz", "script-42:a.b_c", "script-42:a.b_c"},
		{"/api/v1/runs/7", "", ""},
		{"/api/v1/scenarios", "bad id with spaces", ""},
		{"/nowhere", strings.Repeat("x", 65), ""},
	} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		if c.sent != "" {
			req.Header.Set("X-Request-Id", c.sent)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-Id")
		if (c.want != "" && id != c.want) || (c.want == "" && !fresh.MatchString(id)) || seen[id] {
			t.Errorf("GET %s with %q: X-Request-Id %q", c.path, c.sent, id)
		}
		seen[id] = true
		if !strings.Contains(logs.String(), `"request_id":"`+id+`"`) {
			t.Errorf("access log lacks request_id %s: %s", id, logs.String())
		}
	}
	// A server error's log line names the request too.
	store.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/runs", nil)
	req.Header.Set("X-Request-Id", "after-close")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 500 || resp.Header.Get("X-Request-Id") != "after-close" {
		t.Errorf("closed store: %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	found := false
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"msg":"internal error"`) && strings.Contains(line, `"request_id":"after-close"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no internal error log line with the request id: %s", logs.String())
	}
}

// TestScenarioFilterAndPatch: a kind filter narrows the instance; PATCH with filter null
// removes it and leaves the other fields; the list pages with a next link.
func TestScenarioFilterAndPatch(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "tunnels", "fiscal_year": 2027,
		"filter": map[string]any{"kinds": []string{"tunnel", "culvert"}, "municipalities": []string{"29449"}}})
	var inst solver.Instance
	call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)
	kinds := map[string]int{}
	for _, a := range inst.Assets {
		kinds[a.Kind]++
	}
	if len(inst.Assets) == 0 || len(kinds) > 2 || kinds["tunnel"]+kinds["culvert"] != len(inst.Assets) {
		t.Errorf("kind-filtered instance: %v", kinds)
	}
	var patched data.Scenario
	resp, raw := call(t, srv, "PATCH", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), map[string]any{"filter": nil, "name": "all"}, &patched)
	wantStatus(t, "patch", resp, raw, 200)
	if patched.Filter != nil || patched.Name != "all" || patched.FiscalYear != 2027 || patched.UpdatedAt == "" {
		t.Errorf("patched scenario %+v", patched)
	}
	call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)
	kinds = map[string]int{}
	for _, a := range inst.Assets {
		kinds[a.Kind]++
	}
	if len(inst.Municipalities) != 39 || kinds["bridge"] == 0 {
		t.Errorf("unfiltered instance: %d municipalities, kinds %v", len(inst.Municipalities), kinds)
	}
	createScenario(t, srv, map[string]any{"name": "second", "fiscal_year": 2028})
	var page struct {
		Items []data.Scenario `json:"items"`
		Total int             `json:"total"`
		Next  string          `json:"next"`
	}
	// The demo's default scenario (data.DemoScenario) comes first.
	call(t, srv, "GET", "/api/v1/scenarios?limit=1&offset=1", nil, &page)
	if page.Total != 3 || len(page.Items) != 1 || page.Items[0].ID != sc.ID || page.Next != "/api/v1/scenarios?limit=1&offset=2" {
		t.Errorf("first page %+v", page)
	}
	next := page.Next
	page.Items, page.Next = nil, ""
	call(t, srv, "GET", next, nil, &page)
	if len(page.Items) != 1 || page.Items[0].Name != "second" || page.Next != "" || page.Items[0].UpdatedAt != "" {
		t.Errorf("second page %+v", page)
	}
}

// TestRunWithoutFeasiblePlan: a scenario whose limits no plan can meet gives a failed run
// that says why, without a plan.
func TestRunWithoutFeasiblePlan(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{"name": "too tight", "fiscal_year": 2027,
		"params": map[string]any{"limits": map[string]any{"max_distance_km": 0.01}},
		"filter": map[string]any{"municipalities": smallFilter}})
	run := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1})
	final := doneRun(t, follow(t, srv, run.ID))
	if final.Status != data.RunFailed || final.HasPlan || final.Summary != nil || final.Error == nil ||
		!strings.HasPrefix(*final.Error, "no feasible plan: ") || !strings.Contains(*final.Error, "max_distance_km") {
		t.Fatalf("infeasible run %+v (error %v)", final, final.Error)
	}
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", run.ID), nil, nil)
	p := problemOf(t, "plan of a failed run", resp, raw, 404, ProblemNotFound)
	if !strings.Contains(p.Detail, "has no plan") {
		t.Errorf("404 detail %q", p.Detail)
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/compare/%d", run.ID, run.ID), nil, nil)
	problemOf(t, "compare a run without plan", resp, raw, 404, ProblemNotFound)
}
