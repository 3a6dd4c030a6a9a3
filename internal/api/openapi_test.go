package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/planout"
	"github.com/tabane/tabane/internal/whatif"
	"github.com/tabane/tabane/solver"
)

// TestOpenAPICoversEveryRoute walks the router: every route (method and path) must be
// documented in the merged OpenAPI document, and every documented operation must be a
// route. A new route without its entry in an openapi/NN-name.json fragment fails here.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "openapi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := New(store, Options{})
	defer s.Close()
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	routed := map[string]bool{}
	var missing []string
	for _, r := range s.Echo().Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		p := OpenAPIPath(r.Path)
		key := strings.ToLower(r.Method) + " " + p
		routed[key] = true
		item, _ := paths[p].(map[string]any)
		if _, ok := item[strings.ToLower(r.Method)]; !ok {
			missing = append(missing, r.Method+" "+p)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("route %s is not documented: add it to a fragment in internal/api/openapi/", m)
	}
	for p, item := range paths {
		for k := range item.(map[string]any) {
			if openAPIMethods[k] && !routed[k+" "+p] {
				t.Errorf("openapi documents %s %s, which is not a route", strings.ToUpper(k), p)
			}
		}
	}
	if len(routed) < 8 {
		t.Errorf("only %d routes found: %v", len(routed), routed)
	}
}

func TestOpenAPIPath(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/runs/:id":           "/api/v1/runs/{id}",
		"/api/v1/runs/:a/compare/:b": "/api/v1/runs/{a}/compare/{b}",
		"/static/*":                  "/static/{path}",
		"/healthz":                   "/healthz",
		"/api/v1/runs/:id/plan.csv":  "/api/v1/runs/{id}/plan.csv",
	} {
		if got := OpenAPIPath(in); got != want {
			t.Errorf("OpenAPIPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOpenAPIMergeRefusals: a method documented twice, a schema defined twice
// differently, a dangling $ref and an unknown top-level key each fail the merge, naming
// the fragment.
func TestOpenAPIMergeRefusals(t *testing.T) {
	op := `{"get": {"responses": {"200": {"description": "ok"}}}}`
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"duplicate method", map[string]string{
			"10-a.json": `{"paths": {"/x": ` + op + `}}`,
			"20-b.json": `{"paths": {"/x": ` + op + `}}`,
		}, "20-b.json: GET /x is already documented in 10-a.json"},
		{"conflicting schema", map[string]string{
			"10-a.json": `{"paths": {}, "components": {"schemas": {"S": {"type": "string"}}}}`,
			"20-b.json": `{"paths": {}, "components": {"schemas": {"S": {"type": "integer"}}}}`,
		}, "20-b.json: schema S is already defined differently in 10-a.json"},
		{"dangling ref", map[string]string{
			"10-a.json": `{"paths": {"/x": {"get": {"responses": {"200": {"description": "ok",
				"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}}}`,
		}, "no fragment defines schema Nope"},
		{"unknown key", map[string]string{
			"10-a.json": `{"paths": {}, "info": {}}`,
		}, "10-a.json"},
		{"relative path", map[string]string{
			"10-a.json": `{"paths": {"x": ` + op + `}}`,
		}, `path "x" must start with /`},
	}
	for _, c := range cases {
		fsys := fstest.MapFS{}
		for n, body := range c.files {
			fsys["openapi/"+n] = &fstest.MapFile{Data: []byte(body)}
		}
		_, err := mergeOpenAPI(fsys, "openapi")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// The same path in two fragments with different methods, and an identical schema
	// defined twice, merge.
	fsys := fstest.MapFS{
		"openapi/10-a.json": {Data: []byte(`{"paths": {"/x": ` + op + `}, "components": {"schemas": {"S": {"type": "string"}}}}`)},
		"openapi/20-b.json": {Data: []byte(`{"paths": {"/x": {"delete": {"responses": {"204": {"description": "gone"}}}}}, "components": {"schemas": {"S": {"type": "string"}}}}`)},
	}
	doc, err := mergeOpenAPI(fsys, "openapi")
	if err != nil {
		t.Fatal(err)
	}
	item := doc["paths"].(map[string]any)["/x"].(map[string]any)
	if _, ok := item["get"]; !ok {
		t.Errorf("merged /x lacks get: %v", item)
	}
	if _, ok := item["delete"]; !ok {
		t.Errorf("merged /x lacks delete: %v", item)
	}
}

// TestOpenAPIServedAndDocsPage: the document and the HTML page are served; the page
// lists every route, escapes text and holds no script or inline style.
func TestOpenAPIServedAndDocsPage(t *testing.T) {
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "docs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := New(store, Options{})
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	var doc map[string]any
	resp := get(t, srv, "/api/v1/openapi.json", &doc)
	if resp.StatusCode != 200 || doc["openapi"] != OpenAPIVersion {
		t.Fatalf("openapi.json: %d, openapi=%v", resp.StatusCode, doc["openapi"])
	}
	resp, err = http.Get(srv.URL + "/api/v1/docs")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("docs: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for p, item := range doc["paths"].(map[string]any) {
		for k := range item.(map[string]any) {
			if openAPIMethods[k] {
				want := "<code>" + strings.ToUpper(k) + " " + p + "</code>"
				if !strings.Contains(page, want) {
					t.Errorf("docs page lacks %s", want)
				}
			}
		}
	}
	for _, bad := range []string{"<script", "style=", "onclick", "javascript:"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("docs page contains %q", bad)
		}
	}
	// html/template escapes: the description's ampersand-free text stays, a "<" would be &lt;.
	v := docsView(map[string]any{"openapi": "3.1.0", "info": map[string]any{"title": "<b>x</b>", "version": "1"},
		"paths": map[string]any{}, "components": map[string]any{"schemas": map[string]any{}}})
	var sb strings.Builder
	if err := docsPage.Execute(&sb, v); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sb.String(), "<b>x</b>") || !strings.Contains(sb.String(), "&lt;b&gt;x&lt;/b&gt;") {
		t.Errorf("docs page does not escape the title: %s", sb.String()[:300])
	}
}

// TestPlanningSchemasMatchJSON: the documented properties of the planning objects are
// exactly the keys their Go types write, so the document cannot drift from the code.
func TestPlanningSchemasMatchJSON(t *testing.T) {
	doc, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	f, s, n, i := 1.0, "x", int64(1), 1
	full := map[string]any{
		"Scenario": data.Scenario{Filter: &data.ScenarioFilter{}, UpdatedAt: "t"},
		"Run": data.Run{ScenarioID: &n, StartedAt: &s, FinishedAt: &s, Error: &s, Progress: &data.RunProgress{}, Summary: &data.RunSummary{},
			Label: data.LabelHandEdit, ParentRun: &n, CounterpartOf: &n},
		"Lots":          lotsAnswer{},
		"Lot":           planout.Lot{FY: &i},
		"LotOverlap":    planout.Overlap{},
		"OverlapReason": planout.OverlapReason{Here: []string{s}, There: []string{s}, Limits: []string{s}, Depot: "d", Delta: &f},
		"LockPrice":     lockPriceAnswer{},
		"RunProgress":   data.RunProgress{BestCost: &f, LowerBound: &f, Gap: &f},
		"RunSummary":    data.RunSummary{LowerBound: &f, Gap: &f, StopReason: "time_limit"},
		"Share":         shareRow{},
		"Evaluation":    solver.Evaluation{},
		"PlanBundle":    solver.BundleReport{},
		"Violation":     solver.Violation{Bundle: "b", Asset: "a", Municipality: "m", Count: 1},
		"Breakdown":     solver.Breakdown{},
		"MovesResponse": movesResponse{MoveEvaluation: &solver.MoveEvaluation{}, Saved: &data.Run{},
			Years: []solver.YearReport{{}}, YearsBefore: []solver.YearReport{{}}, Budgets: []solver.BudgetReport{{}}},
		"ShareChange": solver.ShareChange{},
		"LotChange":   solver.LotChange{Opened: true, Closed: true, FY: &i},
		"AssetWhy":    solver.AssetWhy{},
		"LotOption":   solver.LotOption{},
		"LotWhy":      solver.LotWhy{},
		"Move":        solver.Move{Depot: "d", FY: &i},
		"Plan":        solver.Report{StopReason: "x", BoundMethod: "y"},
		// The version-2 (programme) answers of POST /solve and /evaluate, every
		// omitempty member set.
		"ProgrammeReport": solver.ProgrammeReport{},
		"ProgrammeSolveReport": solver.ProgrammeSolveReport{StandaloneTotal: &f, Saving: &f, SavingPct: &f,
			Infeasible: []solver.Infeasibility{{}}, Yearly: &solver.YearlyComparison{}, YearlySaving: &f},
		// A what-if row's programme columns (version-2 batches).
		"BatchProgramme": whatif.ProgrammeRow{YearlyWhy: []string{"FY2028: …"}},
		// The programme of a scenario and the answers of GET /runs/{id}/years and /budgets.
		"ProgrammeSpec": solver.ProgrammeSpec{CycleYears: &i, AdvanceMaxYears: &i, ContractYears: &i,
			YearLimits: &solver.YearLimits{}, Budgets: map[string]json.RawMessage{"29201": json.RawMessage("1")}},
		"RunYears":           yearsBody{},
		"YearRow":            yearRow{},
		"RunBudgets":         budgetsBody{},
		"BudgetRow":          budgetRow{},
		"ScenarioStandalone": standaloneBody{},
		"StandaloneRow":      standaloneRow{},
		"RunRequest":         runRequest{TimeLimitS: &f, Seed: &n},
		// GET /runs/{a}/compare/{b} and its parts (CompareSide is RunSummary and five members).
		"Comparison": comparison{}, "InputChange": planout.Change{Name: "x"}, "PinChange": planout.PinChange{Closed: true, FY: new(int)},
		"CompareTotal": planout.TotalDiff{}, "MunicipalityDiff": planout.MunicipalityDiff{}, "DepotMoves": planout.DepotMoves{},
		"MunicipalityMove": planout.MunicipalityMove{}, "DepotFlow": planout.Flow{}, "MovedAsset": planout.Moved{},
	}
	for name, v := range full {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var keys map[string]any
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatal(err)
		}
		schema, _ := schemas[name].(map[string]any)
		props, _ := schema["properties"].(map[string]any)
		for k := range keys {
			if _, ok := props[k]; !ok {
				t.Errorf("schema %s lacks property %s, which the API writes", name, k)
			}
		}
		for k := range props {
			if _, ok := keys[k]; !ok {
				t.Errorf("schema %s documents property %s, which the API does not write", name, k)
			}
		}
	}
}
