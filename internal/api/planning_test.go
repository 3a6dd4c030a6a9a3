package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/solver"
)

// smallFilter keeps four neighbouring towns of the Nara basin (平群町, 三郷町, 斑鳩町,
// 安堵町): a few dozen assets, so that a one-second run finds a good plan.
var smallFilter = []string{"29342", "29343", "29344", "29345"}

// planningServer is a real HTTP server over a real SQLite file holding the demo, with a
// run queue solving one run at a time on one thread.
func planningServer(t *testing.T) (*httptest.Server, *data.Store, *jobs.Queue) {
	t.Helper()
	store, q := planningStore(t)
	srv := httptest.NewServer(New(store, Options{Runs: q}).Handler())
	t.Cleanup(func() {
		q.Close()
		srv.Close()
	})
	return srv, store, q
}

// planningStore is a demo store in a temporary file with a run queue of one worker.
func planningStore(t testing.TB) (*data.Store, *jobs.Queue) {
	t.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "planning.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.Open(ctx, store, jobs.Options{Concurrency: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return store, q // the caller closes q before its server
}

// call sends a request with a JSON (or raw) body and decodes a JSON answer into out.
func call(t *testing.T, srv *httptest.Server, method, path string, body any, out any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %d, %v in %s", method, path, resp.StatusCode, err, raw)
		}
	}
	return resp, raw
}

// wantStatus fails unless the response has the status.
func wantStatus(t *testing.T, what string, resp *http.Response, raw []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", what, resp.StatusCode, status, raw)
	}
}

// problemOf checks a problem+json answer and returns it.
func problemOf(t *testing.T, what string, resp *http.Response, raw []byte, status int, typ string) Problem {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("%s: %v in %s", what, err, raw)
	}
	if resp.StatusCode != status || p.Status != status || p.Type != typ || resp.Header.Get("Content-Type") != ProblemContentType {
		t.Fatalf("%s: %d %s %+v, want %d %s", what, resp.StatusCode, resp.Header.Get("Content-Type"), p, status, typ)
	}
	return p
}

func hasError(p Problem, path, msgPart string) bool {
	for _, e := range p.Errors {
		if e.Path == path && strings.Contains(e.Msg, msgPart) {
			return true
		}
	}
	return false
}

type sseEvent struct{ name, data string }

// follow reads a run's event stream to its end.
func follow(t *testing.T, srv *httptest.Server, runID int64) []sseEvent {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s/api/v1/runs/%d/events", srv.URL, runID))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data += strings.TrimPrefix(line, "data: ")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// doneRun checks that events end with exactly one done event and returns its run.
func doneRun(t *testing.T, evs []sseEvent) data.Run {
	t.Helper()
	if len(evs) == 0 || evs[len(evs)-1].name != "done" {
		t.Fatalf("events %v do not end with done", evs)
	}
	for _, e := range evs[:len(evs)-1] {
		if e.name != "progress" {
			t.Fatalf("event %q before done, want only progress", e.name)
		}
	}
	var run data.Run
	if err := json.Unmarshal([]byte(evs[len(evs)-1].data), &run); err != nil {
		t.Fatal(err)
	}
	return run
}

func createScenario(t *testing.T, srv *httptest.Server, body map[string]any) data.Scenario {
	t.Helper()
	var sc data.Scenario
	resp, raw := call(t, srv, "POST", "/api/v1/scenarios", body, &sc)
	wantStatus(t, "create scenario", resp, raw, 201)
	if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/scenarios/%d", sc.ID) {
		t.Errorf("Location %q for scenario %d", loc, sc.ID)
	}
	return sc
}

func startRun(t *testing.T, srv *httptest.Server, scenario int64, body any) data.Run {
	t.Helper()
	var run data.Run
	resp, raw := call(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/runs", scenario), body, &run)
	wantStatus(t, "start run", resp, raw, 202)
	if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/runs/%d", run.ID) {
		t.Errorf("Location %q for run %d", loc, run.ID)
	}
	if run.Status != data.RunQueued && run.Status != data.RunRunning {
		t.Errorf("new run status %q", run.Status)
	}
	return run
}

func relClose(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// TestScenarioRunPlan: create a scenario, read its instance, run it, follow the events
// to the end, fetch every plan format and check it, run again and compare.
func TestScenarioRunPlan(t *testing.T) {
	srv, _, _ := planningServer(t)
	sc := createScenario(t, srv, map[string]any{
		"name": "basin west", "fiscal_year": 2027,
		"params":        map[string]any{"travel_cost_per_km": 500, "equipment": map[string]any{"boat": 250000}},
		"participation": map[string]bool{"29345": false},
		"regions":       map[string]string{"29342": "西和"},
		"filter":        map[string]any{"municipalities": smallFilter},
	})
	// Omitted params parts take the defaults; given ones win, equipment merges per price.
	def := data.DefaultParams()
	if sc.Params.TravelCostPerKm != 500 || sc.Params.ContractFixedCost != def.ContractFixedCost ||
		sc.Params.Equipment["boat"] != 250000 || sc.Params.Equipment["snooper_truck"] != def.Equipment["snooper_truck"] ||
		*sc.Params.Limits.MaxValue != *def.Limits.MaxValue || *sc.Params.MixedDisciplineSurcharge != *def.MixedDisciplineSurcharge {
		t.Errorf("scenario params %+v", sc.Params)
	}

	var inst solver.Instance
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), nil, &inst)
	wantStatus(t, "instance", resp, raw, 200)
	if inst.Name != fmt.Sprintf("scenario-%d-fy2027", sc.ID) || len(inst.Municipalities) != 4 || inst.Params.TravelCostPerKm != 500 {
		t.Errorf("instance %s: %d municipalities, travel %v", inst.Name, len(inst.Municipalities), inst.Params.TravelCostPerKm)
	}
	participating := map[string]bool{}
	for _, m := range inst.Municipalities {
		participating[m.Code] = m.Participating()
		if m.Code == "29342" && m.Region != "西和" {
			t.Errorf("29342 region %q, want 西和", m.Region)
		}
	}
	if participating["29345"] || !participating["29342"] {
		t.Errorf("participation %v", participating)
	}
	inPlanWant := 0
	for _, a := range inst.Assets {
		if !strings.HasPrefix(a.Municipality, "2934") {
			t.Errorf("asset %s of %s outside the filter", a.ID, a.Municipality)
		}
		if participating[a.Municipality] {
			inPlanWant++
		}
	}
	if inPlanWant < 10 || inPlanWant == len(inst.Assets) {
		t.Fatalf("%d of %d assets participate; the test needs some of each", inPlanWant, len(inst.Assets))
	}

	run := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "seed": 7})
	if run.Seed != 7 || run.TimeLimitS != 1 || *run.ScenarioID != sc.ID {
		t.Errorf("run %+v", run)
	}
	evs := follow(t, srv, run.ID)
	final := doneRun(t, evs)
	if len(evs) < 2 {
		t.Errorf("no progress event before done: %v", evs)
	}
	var p data.RunProgress
	if err := json.Unmarshal([]byte(evs[0].data), &p); err != nil || p.Phase == "" {
		t.Errorf("first progress %s: %v", evs[0].data, err)
	}
	// A late subscriber (the run has ended) gets the same shape: the last progress, then done.
	late := follow(t, srv, run.ID)
	if len(late) != 2 || late[0].name != "progress" || late[1].name != "done" {
		t.Errorf("events of an ended run: %v, want progress then done", late)
	} else if late[0].data != string(mustJSON(t, final.Progress)) {
		t.Errorf("late progress %s, want the run's last %s", late[0].data, mustJSON(t, final.Progress))
	}
	if final.Status != data.RunDone || !final.HasPlan || final.Summary == nil || final.FinishedAt == nil || final.Progress == nil {
		t.Fatalf("final run %+v", final)
	}
	var got data.Run
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d", run.ID), nil, &got)
	if got.Status != data.RunDone || got.Summary.Cost != final.Summary.Cost {
		t.Errorf("GET run %+v, done event %+v", got, final)
	}
	// A client connecting after the end gets done at once.
	if again := doneRun(t, follow(t, srv, run.ID)); again.ID != run.ID || again.Status != data.RunDone {
		t.Errorf("late subscriber got %+v", again)
	}

	// The plan.
	var plan struct {
		Instance string                `json:"instance"`
		Bundles  []solver.BundleReport `json:"bundles"`
		Cost     float64               `json:"cost"`
		Feasible bool                  `json:"feasible"`
		Shares   map[string]float64    `json:"shares"`
		Gap      *float64              `json:"gap"`
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", run.ID), nil, &plan)
	wantStatus(t, "plan", resp, raw, 200)
	if !plan.Feasible || plan.Instance != inst.Name || plan.Cost != final.Summary.Cost || len(plan.Bundles) != final.Summary.Bundles {
		t.Errorf("plan: feasible %v, instance %s, cost %v (summary %v), %d bundles", plan.Feasible, plan.Instance, plan.Cost, final.Summary.Cost, len(plan.Bundles))
	}
	// The plan is the evaluator's verdict on its own bundles.
	m, err := solver.Compile(&inst)
	if err != nil {
		t.Fatal(err)
	}
	mp := &solver.Plan{Instance: plan.Instance}
	bundleOf := map[string]string{}
	inPlan := 0
	for _, b := range plan.Bundles {
		mp.Bundles = append(mp.Bundles, solver.Bundle{ID: b.ID, Depot: b.Depot, Assets: b.Assets})
		for _, a := range b.Assets {
			bundleOf[a] = b.ID
		}
		inPlan += len(b.Assets)
	}
	if ev := solver.Evaluate(m, mp); !ev.Feasible || !relClose(ev.Cost, plan.Cost) {
		t.Errorf("evaluator: feasible %v cost %v, plan says %v", ev.Feasible, ev.Cost, plan.Cost)
	}
	if inPlan != inPlanWant {
		t.Errorf("%d assets in bundles, %d participate", inPlan, inPlanWant)
	}

	// GeoJSON: valid, every asset once, one closed outline per bundle.
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan.geojson", run.ID), nil, nil)
	wantStatus(t, "plan.geojson", resp, raw, 200)
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("plan.geojson content type %q", ct)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatalf("plan.geojson: %v", err)
	}
	seen := map[string]int{}
	outlines, depots := 0, 0
	for _, f := range fc.Features {
		switch f.Properties["role"] {
		case "asset":
			id := f.Properties.MustString("id")
			seen[id]++
			pt, ok := f.Geometry.(orb.Point)
			if !ok {
				t.Errorf("asset %s geometry %T", id, f.Geometry)
			}
			want, in := bundleOf[id]
			if (in && f.Properties["bundle"] != want) || (!in && f.Properties["bundle"] != nil) {
				t.Errorf("asset %s bundle %v, want %q", id, f.Properties["bundle"], want)
			}
			_ = pt
		case "outline":
			outlines++
			poly, ok := f.Geometry.(orb.Polygon)
			if !ok || len(poly) != 1 || len(poly[0]) < 4 || poly[0][0] != poly[0][len(poly[0])-1] {
				t.Errorf("outline %v: not a closed polygon: %v", f.Properties["bundle"], f.Geometry)
				continue
			}
			if poly[0].Orientation() != orb.CCW {
				t.Errorf("outline %v is not counter-clockwise", f.Properties["bundle"])
			}
		case "depot":
			depots++
		default:
			t.Errorf("feature with role %v", f.Properties["role"])
		}
	}
	if len(seen) != len(inst.Assets) {
		t.Errorf("%d assets in the GeoJSON, the instance has %d", len(seen), len(inst.Assets))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("asset %s appears %d times", id, n)
		}
	}
	if outlines != len(plan.Bundles) || depots != len(plan.Bundles) {
		t.Errorf("%d outlines and %d depots for %d bundles", outlines, depots, len(plan.Bundles))
	}

	// CSV: a header and one row per asset in a bundle.
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan.csv", run.ID), nil, nil)
	wantStatus(t, "plan.csv", resp, raw, 200)
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != inPlan+1 || strings.Join(rows[0], ",") != "asset_id,name,municipality,municipality_name,kind,lon,lat,cost,fy,lot,depot" {
		t.Fatalf("plan.csv: %d rows (want %d + header), header %v", len(rows), inPlan, rows[0])
	}
	instAsset := map[string]solver.Asset{}
	for _, a := range inst.Assets {
		instAsset[a.ID] = a
	}
	muniName := map[string]string{}
	for _, m := range inst.Municipalities {
		muniName[m.Code] = m.Name
	}
	for _, r := range rows[1:] {
		a := instAsset[r[0]]
		var name string
		_ = json.Unmarshal(a.Extra["name"], &name)
		want := []string{a.ID, name, a.Municipality, muniName[a.Municipality], a.Kind, strconv.FormatFloat(a.Lon, 'f', -1, 64),
			strconv.FormatFloat(a.Lat, 'f', -1, 64), strconv.FormatFloat(a.Cost, 'f', -1, 64), "2027", bundleOf[r[0]], ""}
		want[10] = r[10]
		if strings.Join(r, ",") != strings.Join(want, ",") || name == "" || want[3] == "" || r[10] == "" {
			t.Errorf("csv row %v\nwant     %v", r, want)
		}
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan.csv?bom=true", run.ID), nil, nil)
	wantStatus(t, "plan.csv?bom=true", resp, raw, 200)
	if !bytes.HasPrefix(raw, []byte("\uFEFFasset_id,name,")) {
		t.Errorf("plan.csv?bom=true starts %q", raw[:20])
	}

	// Shares add up to the plan's cost.
	var shares struct {
		Items []shareRow `json:"items"`
		Total int        `json:"total"`
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/shares", run.ID), nil, &shares)
	wantStatus(t, "shares", resp, raw, 200)
	sum := 0.0
	for _, r := range shares.Items {
		sum += r.Share
		if r.Code == "29345" || r.Name == "" || !relClose(r.Saving, r.Standalone-r.Share) {
			t.Errorf("share row %+v", r)
		}
	}
	if shares.Total != 3 || !relClose(sum, plan.Cost) {
		t.Errorf("%d share rows summing to %v, plan cost %v", shares.Total, sum, plan.Cost)
	}

	// A second run with another seed and a tighter asset cap; compare.
	resp, raw = call(t, srv, "PATCH", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), map[string]any{
		"params": map[string]any{"limits": map[string]any{"max_assets": 20}}}, nil)
	wantStatus(t, "patch", resp, raw, 200)
	run2 := startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "seed": 8})
	if r := doneRun(t, follow(t, srv, run2.ID)); r.Status != data.RunDone {
		t.Fatalf("second run %+v", r)
	}
	var plan2 struct {
		Bundles []solver.BundleReport `json:"bundles"`
	}
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/plan", run2.ID), nil, &plan2)
	depotA, depotB := map[string]string{}, map[string]string{}
	for _, b := range plan.Bundles {
		for _, a := range b.Assets {
			depotA[a] = b.Depot
		}
	}
	for _, b := range plan2.Bundles {
		if b.AssetCount > 20 {
			t.Errorf("bundle %s of the second run holds %d assets > 20", b.ID, b.AssetCount)
		}
		for _, a := range b.Assets {
			depotB[a] = b.Depot
		}
	}
	var wantMoved []string
	for a, d := range depotA {
		if depotB[a] != d {
			wantMoved = append(wantMoved, a)
		}
	}
	sort.Strings(wantMoved)
	var cmp struct {
		A, B       map[string]any
		Moved      []struct{ Asset, From, To, FromDepot, ToDepot string }
		MovedCount int `json:"moved_count"`
	}
	resp, raw = call(t, srv, "GET", fmt.Sprintf("/api/v1/runs/%d/compare/%d", run.ID, run2.ID), nil, &cmp)
	wantStatus(t, "compare", resp, raw, 200)
	if cmp.A["run"] != float64(run.ID) || cmp.B["run"] != float64(run2.ID) || cmp.A["cost"] != plan.Cost {
		t.Errorf("compare sides %v / %v", cmp.A, cmp.B)
	}
	var gotMoved []string
	for _, mv := range cmp.Moved {
		gotMoved = append(gotMoved, mv.Asset)
		if mv.From != bundleOf[mv.Asset] {
			t.Errorf("moved %s from %s, run A has it in %s", mv.Asset, mv.From, bundleOf[mv.Asset])
		}
	}
	if cmp.MovedCount != len(wantMoved) || strings.Join(gotMoved, ",") != strings.Join(wantMoved, ",") {
		t.Errorf("moved %v (%d), want %v", gotMoved, cmp.MovedCount, wantMoved)
	}

	// Lists.
	var runs struct {
		Items []data.Run `json:"items"`
		Total int        `json:"total"`
	}
	call(t, srv, "GET", fmt.Sprintf("/api/v1/runs?scenario=%d", sc.ID), nil, &runs)
	if runs.Total != 2 || runs.Items[0].ID != run.ID || runs.Items[1].ID != run2.ID {
		t.Errorf("runs of the scenario: %+v", runs)
	}
	call(t, srv, "GET", "/api/v1/runs?scenario=999", nil, &runs)
	if runs.Total != 0 || len(runs.Items) != 0 {
		t.Errorf("runs of scenario 999: %+v", runs)
	}
	var scs struct {
		Items []data.Scenario `json:"items"`
		Total int             `json:"total"`
	}
	call(t, srv, "GET", "/api/v1/scenarios", nil, &scs)
	// The demo's default scenario (data.DemoScenario), then this one.
	if scs.Total != 2 || scs.Items[0].Name != data.DemoScenario().Name || scs.Items[1].Params.Limits.MaxAssets == nil ||
		*scs.Items[1].Params.Limits.MaxAssets != 20 || scs.Items[1].Params.Limits.MaxValue != nil {
		t.Errorf("scenarios after PATCH (limits as written): %+v", scs.Items)
	}
}

// mustJSON marshals v as the API does.
func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
