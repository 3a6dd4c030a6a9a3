package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/internal/whatif"
	"github.com/tabane/tabane/solver"
)

// batchServer is a real HTTP server over a real SQLite file holding the demo, solving
// one variation at a time; the batches' cache is the default one next to the database.
func batchServer(t *testing.T) (*httptest.Server, *Server, *data.Store) {
	t.Helper()
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "batches.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	s := New(store, Options{})
	s.planning.runs.ConfigureBatches(jobs.BatchOptions{Parallel: 1})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		s.Close()
	})
	return srv, s, store
}

// smallScenario stores a scenario of the four towns of smallFilter.
func smallScenario(t *testing.T, store *data.Store) data.Scenario {
	t.Helper()
	sc, err := store.CreateScenario(context.Background(), data.Scenario{Name: "basin west", FiscalYear: 2027,
		Params: data.DefaultParams(), Filter: &data.ScenarioFilter{Municipalities: smallFilter}})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// batchBody is the JSON body of POST /batches for a document.
func batchBody(doc map[string]any) map[string]any { return map[string]any{"batch": doc} }

// threeVariations is a batch of three variations of scenario id, with an iteration cap.
func threeVariations(id int64) map[string]any {
	return map[string]any{
		"name":   "summit",
		"base":   map[string]any{"scenario": id},
		"solver": map[string]any{"time_limit": "20s", "seed": 1, "max_iterations": 300},
		"variations": []any{
			map[string]any{"name": "today"},
			map[string]any{"name": "fixed-3m", "set": map[string]any{"params.contract_fixed_cost": 3000000}},
			map[string]any{"name": "without-heguri", "without": []any{"29342"}},
		},
	}
}

// batchResult is GET /batches/{id}.
type batchResult struct {
	data.Batch
	Rows []whatif.Row `json:"rows"`
}

func postBatch(t *testing.T, srv *httptest.Server, body any) batchResult {
	t.Helper()
	var b batchResult
	resp, raw := call(t, srv, "POST", "/api/v1/batches", body, &b)
	wantStatus(t, "post batch", resp, raw, http.StatusAccepted)
	if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/batches/%d", b.ID) {
		t.Errorf("Location %q for batch %d", loc, b.ID)
	}
	return b
}

func getBatch(t *testing.T, srv *httptest.Server, id int64) batchResult {
	t.Helper()
	var b batchResult
	resp, raw := call(t, srv, "GET", fmt.Sprintf("/api/v1/batches/%d", id), nil, &b)
	wantStatus(t, "get batch", resp, raw, http.StatusOK)
	return b
}

// waitBatch polls until the batch has ended.
func waitBatch(t *testing.T, srv *httptest.Server, id int64) batchResult {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b := getBatch(t, srv, id)
		if data.RunFinal(b.Status) {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %d still %s (%d of %d)", id, b.Status, b.Progress.Done, b.Progress.Total)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// getRaw fetches a path and returns the response and its body.
func getRaw(t *testing.T, srv *httptest.Server, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// resultsCSV fetches results.csv and returns its records, header first.
func resultsCSV(t *testing.T, srv *httptest.Server, id int64) [][]string {
	t.Helper()
	resp, raw := getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/results.csv?lang=en", id))
	wantStatus(t, "results.csv", resp, raw, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("results.csv Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != fmt.Sprintf(`attachment; filename="batch-%d-results.csv"; filename*=UTF-8''batch-%d-results.csv`, id, id) {
		t.Errorf("results.csv Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("results.csv: %v in %s", err, raw)
	}
	return recs
}

// TestBatchEndToEnd posts a batch of three variations of a scenario, polls it to the
// end, and checks its rows, results.csv (one line per variation, the same numbers),
// the chart and the list; the same batch posted again as YAML comes from the cache.
func TestBatchEndToEnd(t *testing.T) {
	srv, _, store := batchServer(t)
	sc := smallScenario(t, store)

	b := postBatch(t, srv, batchBody(threeVariations(sc.ID)))
	if b.Status != data.RunQueued || b.Name != "summit" || b.ScenarioID == nil || *b.ScenarioID != sc.ID ||
		b.Progress != (data.BatchProgress{Done: 0, Total: 3}) || len(b.Rows) != 0 || b.Error != nil || b.FinishedAt != nil {
		t.Fatalf("new batch %+v", b)
	}
	var spec batchSpec
	if err := json.Unmarshal(b.Spec, &spec); err != nil {
		t.Fatal(err)
	}
	if spec.Base.Scenario != sc.ID || spec.Solver != (batchSolver{TimeLimitS: 20, Seed: 1, MaxIterations: 300, Threads: 1}) ||
		len(spec.Variations) != 3 || spec.Variations[1].Name != "fixed-3m" ||
		len(spec.Variations[1].Overrides) != 1 || spec.Variations[1].Overrides[0].Key != "params.contract_fixed_cost" ||
		spec.Variations[0].Overrides == nil || len(spec.Variations[0].Overrides) != 0 || len(spec.Variations[2].Key) != 64 {
		t.Errorf("spec %+v", spec)
	}

	done := waitBatch(t, srv, b.ID)
	if done.Status != data.RunDone || done.Error != nil || done.Progress != (data.BatchProgress{Done: 3, Total: 3}) ||
		done.StartedAt == nil || done.FinishedAt == nil || len(done.Rows) != 3 {
		t.Fatalf("finished batch %+v", done)
	}
	names := []string{"today", "fixed-3m", "without-heguri"}
	for i, r := range done.Rows {
		if r.Index != i+1 || r.Name != names[i] || !r.Feasible || r.Error != "" || r.Cached || r.Bundles < 1 ||
			r.Cost <= 0 || r.Saving != r.StandaloneTotal-r.Cost || len(r.Key) != 64 {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	// ¥1M more per contract costs at least ¥1M more.
	if done.Rows[1].Cost < done.Rows[0].Cost+1e6 {
		t.Errorf("fixed-3m costs %v, today %v", done.Rows[1].Cost, done.Rows[0].Cost)
	}

	recs := resultsCSV(t, srv, b.ID)
	wantHead := "index,variation,params.contract_fixed_cost,without,feasible,total_cost,standalone_total,saving,saving_pct,bundles,lower_bound,gap_pct,ir_violations,ir_municipalities,seconds,cached,plan,error"
	if len(recs) != 4 || strings.Join(recs[0], ",") != wantHead {
		t.Fatalf("results.csv: %d records, header %q", len(recs), recs[0])
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for i, r := range done.Rows {
		rec := recs[i+1]
		want := map[string]string{
			"index": strconv.Itoa(r.Index), "variation": r.Name, "feasible": "yes", "cached": "no", "error": "",
			"total_cost":       strconv.FormatFloat(r.Cost, 'f', -1, 64),
			"standalone_total": strconv.FormatFloat(r.StandaloneTotal, 'f', -1, 64),
			"saving":           strconv.FormatFloat(r.Saving, 'f', -1, 64),
			"bundles":          strconv.Itoa(r.Bundles),
			"plan":             whatif.PlanFile(&r),
		}
		for k, v := range want {
			if rec[col[k]] != v {
				t.Errorf("results.csv line %d %s = %q, GET row has %q", i+1, k, rec[col[k]], v)
			}
		}
	}
	if recs[2][col["params.contract_fixed_cost"]] != "3000000" || recs[3][col["without"]] != "29342" || recs[1][col["params.contract_fixed_cost"]] != "" {
		t.Errorf("override columns: %q", recs[1:])
	}

	resp, raw := getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/chart.svg", b.ID))
	wantStatus(t, "chart.svg", resp, raw, http.StatusOK)
	if resp.Header.Get("Content-Type") != "image/svg+xml" || !bytes.Contains(raw, []byte("<svg")) ||
		!bytes.Contains(raw, []byte("試算ごとの削減率と総費用")) {
		t.Errorf("chart.svg: %s %.200s", resp.Header.Get("Content-Type"), raw)
	}
	checkBatchOutputs(t, srv, b.ID, done.Rows)

	// The list: the batch without spec and rows.
	var lst struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	resp, raw = call(t, srv, "GET", "/api/v1/batches?status=done", nil, &lst)
	wantStatus(t, "list", resp, raw, http.StatusOK)
	if lst.Total != 1 || len(lst.Items) != 1 || lst.Items[0]["id"] != float64(b.ID) || lst.Items[0]["status"] != "done" {
		t.Fatalf("list %s", raw)
	}
	if _, ok := lst.Items[0]["spec"]; ok {
		t.Errorf("list item has a spec: %s", raw)
	}
	if _, ok := lst.Items[0]["rows"]; ok {
		t.Errorf("list item has rows: %s", raw)
	}
	if p := lst.Items[0]["progress"].(map[string]any); p["done"] != float64(3) || p["total"] != float64(3) {
		t.Errorf("list progress %v", p)
	}
	call(t, srv, "GET", "/api/v1/batches?status=running", nil, &lst)
	if lst.Total != 0 || len(lst.Items) != 0 {
		t.Errorf("running batches: %+v", lst)
	}

	// The cache sits next to the database; the same batch as YAML solves nothing.
	entries, err := os.ReadDir(store.Path() + ".whatif-cache")
	if err != nil || len(entries) != 3 {
		t.Fatalf("cache folder: %v, %d entries", err, len(entries))
	}
	yamlDoc := fmt.Sprintf(`name: summit again
base: {scenario: %d}
solver: {time_limit: 20s, seed: 1, max_iterations: 300}
variations:
  - name: today
  - name: fixed-3m
    set: {params.contract_fixed_cost: 3000000}
  - name: without-heguri
    without: ["29342"]
`, sc.ID)
	again := postYAML(t, srv, yamlDoc)
	wantStatus(t, "post yaml", again.resp, again.raw, http.StatusAccepted)
	second := waitBatch(t, srv, again.batch.ID)
	if second.Status != data.RunDone || len(second.Rows) != 3 {
		t.Fatalf("second batch %+v", second)
	}
	for i, r := range second.Rows {
		if !r.Cached || r.Cost != done.Rows[i].Cost || r.Key != done.Rows[i].Key {
			t.Errorf("second row %d: cached %v cost %v key %.8s, first cost %v key %.8s", i, r.Cached, r.Cost, r.Key,
				done.Rows[i].Cost, done.Rows[i].Key)
		}
	}
	if doc, err := store.BatchDocument(context.Background(), again.batch.ID); err != nil || doc != yamlDoc {
		t.Errorf("stored document %q, %v", doc, err)
	}
}

type posted struct {
	resp  *http.Response
	raw   []byte
	batch batchResult
}

// postYAML posts a batch document as application/yaml.
func postYAML(t *testing.T, srv *httptest.Server, doc string) posted {
	t.Helper()
	return postAs(t, srv, "application/yaml", doc)
}

func postAs(t *testing.T, srv *httptest.Server, contentType, body string) posted {
	t.Helper()
	req, err := http.NewRequest("POST", srv.URL+"/api/v1/batches", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var p posted
	p.resp, p.raw = resp, raw
	if resp.StatusCode == http.StatusAccepted {
		if err := json.Unmarshal(raw, &p.batch); err != nil {
			t.Fatalf("%v in %s", err, raw)
		}
	}
	return p
}

// batchItemError is one problem of a refused batch, as the 422 names it.
type batchItemError struct {
	Variation string `json:"variation,omitempty"`
	Path      string `json:"path"`
	Message   string `json:"message"`
	Also      int    `json:"also,omitempty"`
}

// batchProblem is the 422 of a batch that cannot run.
type batchProblem struct {
	Type     string           `json:"type"`
	Title    string           `json:"title"`
	Status   int              `json:"status"`
	Detail   string           `json:"detail"`
	Instance string           `json:"instance"`
	Errors   []batchItemError `json:"errors"`
}

// batchRefusal decodes a 422 of POST /batches.
func batchRefusal(t *testing.T, what string, resp *http.Response, raw []byte) batchProblem {
	t.Helper()
	var p batchProblem
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("%s: %v in %s", what, err, raw)
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || p.Status != 422 || p.Type != ProblemInvalid ||
		resp.Header.Get("Content-Type") != ProblemContentType || p.Instance != "/api/v1/batches" {
		t.Fatalf("%s: %d %s %s", what, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	return p
}

// TestBatchRejectedUpFront: every bad batch is refused before anything is queued, with
// the variation and the path of each problem.
func TestBatchRejectedUpFront(t *testing.T) {
	srv, _, store := batchServer(t)
	sc := smallScenario(t, store)
	base := map[string]any{"scenario": sc.ID}

	for _, tc := range []struct {
		name string
		doc  map[string]any
		want []batchItemError
	}{
		{"bad path", map[string]any{"base": base, "variations": []any{
			map[string]any{"name": "fine", "set": map[string]any{"params.contract_fixed_cost": 3000000}},
			map[string]any{"name": "typo", "set": map[string]any{"params.limits.max_valu": 5e7}},
		}}, []batchItemError{{Variation: "typo", Path: "params.limits.max_valu",
			Message: `no field "max_valu" in params.limits (fields: min_value, max_value, max_workload, max_assets, max_distance_km)`}}},
		{"wrong type", map[string]any{"base": base, "variations": []any{
			map[string]any{"name": "words", "set": map[string]any{"params.contract_fixed_cost": "three million"}},
		}}, nil},
		{"unknown municipality", map[string]any{"base": base, "grid": map[string]any{"without": []any{"29342", "99999"}}},
			[]batchItemError{{Variation: "without=99999", Path: "without", Message: `municipality "99999" is not in the instance (neither a code nor a name)`}}},
		{"unknown kind", map[string]any{"base": base, "variations": []any{
			map[string]any{"name": "dear", "cost_model": map[string]any{"castle": map[string]any{"cost_factor": 2}}},
		}}, nil},
		{"file base", map[string]any{"base": "/etc/passwd", "variations": []any{map[string]any{"name": "x"}}},
			[]batchItemError{{Path: "base", Message: `an instance file ("/etc/passwd") would be read from the server's disk; over the API the base is a scenario of this server: base: {scenario: ID}`}}},
		{"file base in a mapping", map[string]any{"base": map[string]any{"instance": "nara.json"}},
			[]batchItemError{{Path: "base", Message: `an instance file ("nara.json") would be read from the server's disk; over the API the base is a scenario of this server: base: {scenario: ID}`}}},
		{"file bases", map[string]any{"bases": []any{"/etc/*.json"}},
			[]batchItemError{{Path: "bases", Message: "instance files would be read from the server's disk; over the API the base is one scenario of this server: base: {scenario: ID}"}}},
		{"db base", map[string]any{"base": map[string]any{"scenario": sc.ID, "db": "/tmp/other.db"}},
			[]batchItemError{{Path: "base.db", Message: "the API's batches use the server's own database; leave db out"}}},
		{"unknown scenario", map[string]any{"base": map[string]any{"scenario": 99}},
			[]batchItemError{{Path: "base.scenario", Message: "no scenario 99 (see GET /api/v1/scenarios)"}}},
		{"no base", map[string]any{"variations": []any{map[string]any{"name": "x"}}},
			[]batchItemError{{Path: "base", Message: "missing: name an instance file (base: nara.json) or a scenario (base: {scenario: 3, db: tabane.db})"}}},
		{"long time limit", map[string]any{"base": base, "solver": map[string]any{"time_limit": "10h"}},
			[]batchItemError{{Variation: "base", Path: "solver.time_limit", Message: "at most 1h0m0s over the API, found 10h0m0s"}}},
		{"bad solver seed", map[string]any{"base": base, "solver": map[string]any{"seed": "x"}},
			[]batchItemError{{Path: "solver.seed", Message: `expected an integer seed, found string "x" (line 1)`}}},
	} {
		resp, raw := call(t, srv, "POST", "/api/v1/batches", batchBody(tc.doc), nil)
		p := batchRefusal(t, tc.name, resp, raw)
		if tc.want != nil {
			if fmt.Sprint(p.Errors) != fmt.Sprint(tc.want) {
				t.Errorf("%s: errors %+v, want %+v", tc.name, p.Errors, tc.want)
			}
			continue
		}
		if len(p.Errors) != 1 {
			t.Errorf("%s: errors %+v", tc.name, p.Errors)
		}
	}

	// The checks of the other cases, by part.
	resp, raw := call(t, srv, "POST", "/api/v1/batches", batchBody(map[string]any{"base": base, "variations": []any{
		map[string]any{"name": "words", "set": map[string]any{"params.contract_fixed_cost": "three million"}}}}), nil)
	p := batchRefusal(t, "wrong type", resp, raw)
	if e := p.Errors[0]; e.Variation != "words" || e.Path != "params.contract_fixed_cost" || !strings.Contains(e.Message, `string "three million"`) {
		t.Errorf("wrong type: %+v", e)
	}
	if !strings.HasPrefix(p.Detail, `the batch cannot run, nothing was queued: variation "words": params.contract_fixed_cost: `) {
		t.Errorf("detail %q", p.Detail)
	}
	resp, raw = call(t, srv, "POST", "/api/v1/batches", batchBody(map[string]any{"base": base, "variations": []any{
		map[string]any{"name": "dear", "cost_model": map[string]any{"castle": map[string]any{"cost_factor": 2}}}}}), nil)
	p = batchRefusal(t, "unknown kind", resp, raw)
	if e := p.Errors[0]; e.Variation != "dear" || e.Path != "cost_model.castle.cost_factor" || !strings.Contains(e.Message, `no asset of kind "castle"`) {
		t.Errorf("unknown kind: %+v", e)
	}

	// YAML: errors keep their lines; a syntax error is a 400, an unknown key a 422.
	yp := postYAML(t, srv, fmt.Sprintf("base: {scenario: %d}\nvariations:\n  - name: typo\n    set: {params.limit.max_value: 5e7}\n", sc.ID))
	p = batchRefusal(t, "yaml bad path", yp.resp, yp.raw)
	if len(p.Errors) != 1 || p.Errors[0].Variation != "typo" || p.Errors[0].Path != "params.limit" {
		t.Errorf("yaml bad path: %+v", p.Errors)
	}
	yp = postYAML(t, srv, fmt.Sprintf("base: {scenario: %d}\nbogus: 1\n", sc.ID))
	p = batchRefusal(t, "yaml unknown key", yp.resp, yp.raw)
	if len(p.Errors) != 1 || p.Errors[0].Path != "line 2" ||
		p.Errors[0].Message != "field bogus is not a key of the batch (keys: name, description, base, bases, solver, grid, variations)" {
		t.Errorf("yaml unknown key: %+v", p.Errors)
	}
	yp = postYAML(t, srv, "base: {scenario: 1\n")
	pr := problemOf(t, "yaml syntax", yp.resp, yp.raw, http.StatusBadRequest, ProblemMalformed)
	if len(pr.Errors) != 1 || pr.Errors[0].Path != "line 1" {
		t.Errorf("yaml syntax: %+v", pr)
	}
	// A JSON document's errors give the lines of the whole body.
	body := fmt.Sprintf("{\n  \"batch\": {\n    \"base\": {\"scenario\": %d},\n    \"solver\": {\"seed\": \"x\"}\n  }\n}", sc.ID)
	jp := postAs(t, srv, "application/json", body)
	p = batchRefusal(t, "json lines", jp.resp, jp.raw)
	if fmt.Sprint(p.Errors) != fmt.Sprint([]batchItemError{{Path: "solver.seed", Message: `expected an integer seed, found string "x" (line 4)`}}) {
		t.Errorf("json lines: %+v", p.Errors)
	}
	jp = postAs(t, srv, "application/json", `{"batch": {"base": {"scenario": 1}}, "extra": 1}`)
	pr = problemOf(t, "unknown member", jp.resp, jp.raw, http.StatusUnprocessableEntity, ProblemInvalid)
	if len(pr.Errors) != 1 || pr.Errors[0].Path != "extra" {
		t.Errorf("unknown member: %+v", pr)
	}
	jp = postAs(t, srv, "application/json", `{}`)
	pr = problemOf(t, "no batch", jp.resp, jp.raw, http.StatusUnprocessableEntity, ProblemInvalid)
	if len(pr.Errors) != 1 || pr.Errors[0].Path != "batch" {
		t.Errorf("no batch: %+v", pr)
	}
	// The YAML text as a JSON string.
	jp = postAs(t, srv, "application/json; charset=utf-8", fmt.Sprintf(`{"batch": "base: {scenario: %d}\nvariations: [{name: t, set: {params.circuity: yes}}]\n"}`, sc.ID))
	p = batchRefusal(t, "yaml in json", jp.resp, jp.raw)
	if len(p.Errors) != 1 || p.Errors[0].Variation != "t" || p.Errors[0].Path != "params.circuity" {
		t.Errorf("yaml in json: %+v", p.Errors)
	}
	jp = postAs(t, srv, "application/json", `{"batch": 3}`)
	pr = problemOf(t, "batch a number", jp.resp, jp.raw, http.StatusUnprocessableEntity, ProblemInvalid)
	if len(pr.Errors) != 1 || pr.Errors[0].Path != "batch" || pr.Errors[0].Msg != "expected an object (the batch document) or a string (its YAML text), found 3" {
		t.Errorf("batch a number: %+v", pr)
	}
	yp = postYAML(t, srv, "description: "+strings.Repeat("x", 1<<20)+"\n")
	problemOf(t, "too large", yp.resp, yp.raw, http.StatusRequestEntityTooLarge, ProblemTooLarge)
	jp = postAs(t, srv, "text/plain", "base: {scenario: 1}")
	problemOf(t, "text/plain", jp.resp, jp.raw, http.StatusUnsupportedMediaType, ProblemUnsupportedMediaType)
	yp = postYAML(t, srv, "  \n")
	problemOf(t, "empty yaml", yp.resp, yp.raw, http.StatusBadRequest, ProblemMalformed)

	// Nothing was queued.
	var lst struct {
		Total int `json:"total"`
	}
	call(t, srv, "GET", "/api/v1/batches", nil, &lst)
	if lst.Total != 0 {
		t.Errorf("%d batches after refusals", lst.Total)
	}
	if _, err := os.Stat(store.Path() + ".whatif-cache"); !os.IsNotExist(err) {
		t.Errorf("cache folder after refusals: %v", err)
	}
}

// holdSecond is a solve hook: the first solve runs, every later one blocks until its
// context ends; held is closed when the second starts.
type holdSecond struct {
	mu    sync.Mutex
	calls int
	held  chan struct{}
}

func (h *holdSecond) solve(ctx context.Context, m *solver.Model, opt solver.SolveOptions) (*solver.Result, error) {
	h.mu.Lock()
	h.calls++
	n := h.calls
	h.mu.Unlock()
	if n == 1 {
		return solver.Solve(ctx, m, opt)
	}
	if n == 2 {
		close(h.held)
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestBatchCancel: DELETE of a running batch stops it and keeps the finished row; a
// queued one is cancelled without rows; an ended one is a 409.
func TestBatchCancel(t *testing.T) {
	srv, s, store := batchServer(t)
	sc := smallScenario(t, store)
	h := &holdSecond{held: make(chan struct{})}
	s.planning.runs.ConfigureBatches(jobs.BatchOptions{Parallel: 1, MaxQueued: 1, Solve: h.solve})

	running := postBatch(t, srv, batchBody(threeVariations(sc.ID)))
	select {
	case <-h.held:
	case <-time.After(2 * time.Minute):
		t.Fatal("the second variation never started")
	}
	b := getBatch(t, srv, running.ID)
	if b.Status != data.RunRunning || b.Progress != (data.BatchProgress{Done: 1, Total: 3}) || len(b.Rows) != 1 || b.Rows[0].Name != "today" {
		t.Fatalf("running batch %+v", b)
	}

	doc := threeVariations(sc.ID)
	doc["name"] = "waiting"
	queued := postBatch(t, srv, batchBody(doc))
	if queued.Status != data.RunQueued {
		t.Fatalf("second batch %+v", queued)
	}
	// One batch may wait: another one is refused.
	resp, raw := call(t, srv, "POST", "/api/v1/batches", batchBody(threeVariations(sc.ID)), nil)
	full := problemOf(t, "queue full", resp, raw, http.StatusServiceUnavailable, ProblemBatchQueueFull)
	if full.Detail != "too many batches are waiting: 1 batches wait behind the running one; cancel one or try again later" ||
		resp.Header.Get("Retry-After") != "60" {
		t.Errorf("queue full: %+v, Retry-After %q", full, resp.Header.Get("Retry-After"))
	}
	var lst struct {
		Total int `json:"total"`
	}
	if call(t, srv, "GET", "/api/v1/batches", nil, &lst); lst.Total != 2 {
		t.Errorf("%d batches after a refusal, want 2", lst.Total)
	}

	var cq batchResult
	resp, raw = call(t, srv, "DELETE", fmt.Sprintf("/api/v1/batches/%d", queued.ID), nil, &cq)
	wantStatus(t, "cancel queued", resp, raw, http.StatusOK)
	if cq.Status != data.RunCancelled || len(cq.Rows) != 0 || cq.Progress != (data.BatchProgress{Done: 0, Total: 3}) ||
		cq.FinishedAt == nil || cq.StartedAt != nil || cq.Error != nil {
		t.Errorf("cancelled queued batch %+v", cq)
	}

	var cr batchResult
	resp, raw = call(t, srv, "DELETE", fmt.Sprintf("/api/v1/batches/%d", running.ID), nil, &cr)
	wantStatus(t, "cancel running", resp, raw, http.StatusOK)
	if cr.Status != data.RunCancelled || cr.Progress != (data.BatchProgress{Done: 1, Total: 3}) || len(cr.Rows) != 1 ||
		cr.Rows[0].Index != 1 || !cr.Rows[0].Feasible || cr.FinishedAt == nil || cr.Error != nil {
		t.Fatalf("cancelled running batch %+v", cr)
	}
	if got := getBatch(t, srv, running.ID); got.Status != data.RunCancelled || len(got.Rows) != 1 || got.Rows[0].Cost != cr.Rows[0].Cost {
		t.Errorf("after cancel %+v", got)
	}
	recs := resultsCSV(t, srv, running.ID)
	if len(recs) != 2 || recs[1][0] != "1" || recs[1][1] != "today" {
		t.Errorf("results.csv of the cancelled batch: %q", recs)
	}
	// The queued batch never ran: its CSV is the header alone, its chart is empty.
	if recs := resultsCSV(t, srv, queued.ID); len(recs) != 1 {
		t.Errorf("results.csv of the queued batch: %q", recs)
	}
	resp, raw = getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/chart.svg", queued.ID))
	p := problemOf(t, "empty chart", resp, raw, http.StatusConflict, ProblemConflict)
	if p.Detail != fmt.Sprintf("batch %d has no finished variation yet (cancelled); the chart draws the rows so far", queued.ID) {
		t.Errorf("empty chart: %q", p.Detail)
	}
	resp, raw = getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/chart.svg", running.ID))
	wantStatus(t, "chart of one row", resp, raw, http.StatusOK)

	for _, id := range []int64{running.ID, queued.ID} {
		resp, raw = call(t, srv, "DELETE", fmt.Sprintf("/api/v1/batches/%d", id), nil, nil)
		p := problemOf(t, "cancel twice", resp, raw, http.StatusConflict, ProblemConflict)
		if p.Detail != fmt.Sprintf("batch %d has already ended (cancelled)", id) {
			t.Errorf("409 detail %q", p.Detail)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.calls != 2 {
		t.Errorf("%d solves, want 2", h.calls)
	}
}

// TestBatchNotFound: unknown ids are 404 on every route, malformed ones 400.
func TestBatchNotFound(t *testing.T) {
	srv, _, _ := batchServer(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/batches/999"}, {"DELETE", "/api/v1/batches/999"},
		{"GET", "/api/v1/batches/999/results.csv"}, {"GET", "/api/v1/batches/999/chart.svg"},
	} {
		resp, raw := call(t, srv, r.method, r.path, nil, nil)
		p := problemOf(t, r.method+" "+r.path, resp, raw, http.StatusNotFound, ProblemNotFound)
		if p.Detail != "batch 999: not found" {
			t.Errorf("%s %s: detail %q", r.method, r.path, p.Detail)
		}
		resp, raw = call(t, srv, r.method, strings.Replace(r.path, "999", "x", 1), nil, nil)
		problemOf(t, r.method+" bad id", resp, raw, http.StatusBadRequest, ProblemInvalidParameter)
	}
	resp, raw := call(t, srv, "GET", "/api/v1/batches?status=finished", nil, nil)
	problemOf(t, "bad status", resp, raw, http.StatusBadRequest, ProblemInvalidParameter)
}

// TestBatchInterruptedOnStart: batches a previous process left queued or running end
// interrupted when a server starts, keeping their rows; closing a server interrupts
// its running batch and refuses new ones.
func TestBatchInterruptedOnStart(t *testing.T) {
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "restart.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	left, err := store.CreateBatch(ctx, data.NewBatch{Name: "left running", Total: 2, Document: "base: {scenario: 1}"})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := store.StartBatch(ctx, left.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := store.AddBatchRow(ctx, left.ID, 1, json.RawMessage(`{"index":1,"name":"a"}`), nil); err != nil {
		t.Fatal(err)
	}
	waiting, err := store.CreateBatch(ctx, data.NewBatch{Name: "left queued", Total: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := New(store, Options{})
	defer s.Close()
	for _, id := range []int64{left.ID, waiting.ID} {
		b, err := store.Batch(ctx, id)
		if err != nil || b.Status != data.RunInterrupted || b.Error == nil || *b.Error != jobs.BatchInterrupted || b.FinishedAt == nil {
			t.Errorf("batch %d after start: %+v %v", id, b, err)
		}
	}
	if rows, err := store.BatchRows(ctx, left.ID); err != nil || len(rows) != 1 || string(rows[0].Row) != `{"index":1,"name":"a"}` {
		t.Errorf("rows kept: %+v %v", rows, err)
	}
	if err := store.AddBatchRow(ctx, left.ID, 2, json.RawMessage(`{}`), nil); err == nil {
		t.Error("a row was added to an interrupted batch")
	}

	// Closing the server interrupts the running batch.
	if _, err := store.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	sc := smallScenario(t, store)
	h := &holdSecond{held: make(chan struct{})}
	cacheDir := filepath.Join(t.TempDir(), "cache")
	s.planning.runs.ConfigureBatches(jobs.BatchOptions{Parallel: 1, CacheDir: cacheDir, Solve: h.solve})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	b := postBatch(t, srv, batchBody(threeVariations(sc.ID)))
	<-h.held
	s.planning.runs.Close()
	got := getBatch(t, srv, b.ID)
	if got.Status != data.RunInterrupted || got.Error == nil || *got.Error != jobs.BatchInterrupted || len(got.Rows) != 1 {
		t.Errorf("batch after close %+v", got)
	}
	// The configured cache holds the one finished variation.
	if entries, err := os.ReadDir(cacheDir); err != nil || len(entries) != 1 {
		t.Errorf("cache folder: %v, %d entries", err, len(entries))
	}
	resp, raw := call(t, srv, "POST", "/api/v1/batches", batchBody(threeVariations(sc.ID)), nil)
	problemOf(t, "post after close", resp, raw, http.StatusServiceUnavailable, ProblemShuttingDown)
}

// checkBatchOutputs checks the meeting-ready outputs of a finished batch of the small
// scenario: shares.csv (one line per variation and participating municipality, their
// shares adding up to the row's cost), the summary with its own policy, ?lang.
func checkBatchOutputs(t *testing.T, srv *httptest.Server, id int64, rows []whatif.Row) {
	t.Helper()
	resp, raw := getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/shares.csv", id))
	wantStatus(t, "shares.csv", resp, raw, http.StatusOK)
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("shares.csv: %v", err)
	}
	if strings.Join(recs[0], ",") != "番号,試算,団体コード,市町村,単独費用（円）,負担額（円）,削減額（円）,削減率（%）,個別合理性違反" {
		t.Errorf("shares.csv header %q", recs[0])
	}
	sum := map[string]float64{}
	count := map[string]int{}
	for _, r := range recs[1:] {
		x, err := strconv.ParseFloat(r[5], 64)
		if err != nil {
			t.Fatalf("shares.csv share %q: %v", r[5], err)
		}
		sum[r[1]] += x
		count[r[1]]++
		if r[2] == "29342" && r[1] == "without-heguri" {
			t.Errorf("shares.csv lists 29342 in the variation it stays out of")
		}
	}
	for _, r := range rows {
		// Each share is rounded to the yen: the sum is within a yen per municipality.
		if math.Abs(sum[r.Name]-r.Cost) > float64(count[r.Name]) || count[r.Name] != len(r.Shares) {
			t.Errorf("variation %s: %d shares adding to %v, cost %v", r.Name, count[r.Name], sum[r.Name], r.Cost)
		}
	}
	if count["without-heguri"] != count["today"]-1 {
		t.Errorf("municipalities per variation: %v", count)
	}

	resp, raw = getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/summary.html", id))
	wantStatus(t, "summary.html", resp, raw, http.StatusOK)
	if csp := resp.Header.Get("Content-Security-Policy"); csp != whatif.SummaryCSP {
		t.Errorf("summary.html policy %q", csp)
	}
	if !bytes.Contains(raw, []byte(`<html lang="ja">`)) || !bytes.Contains(raw, []byte("市町村別の負担（today）")) {
		t.Errorf("summary.html: %.300s", raw)
	}
	resp, raw = getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/results.md?lang=en", id))
	wantStatus(t, "results.md", resp, raw, http.StatusOK)
	if !bytes.HasPrefix(raw, []byte("| # | variation | Fixed cost per contract | Not participating | total cost |")) {
		t.Errorf("results.md?lang=en: %.200s", raw)
	}
	resp, raw = getRaw(t, srv, fmt.Sprintf("/api/v1/batches/%d/municipalities.svg?lang=fr", id))
	wantStatus(t, "municipalities.svg?lang=fr", resp, raw, http.StatusBadRequest)
}
