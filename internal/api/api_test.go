package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/data"
)

// demoServer is a real HTTP server over a real SQLite file holding the demo dataset.
func demoServer(t *testing.T) (*httptest.Server, *data.Store) {
	t.Helper()
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.LoadDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(store, Options{}).Handler())
	t.Cleanup(srv.Close)
	return srv, store
}

// get fetches path and decodes the JSON body into v; it returns the response.
func get(t testing.TB, srv *httptest.Server, path string, v any) *http.Response {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, body)
		}
	}
	return resp
}

// wantProblem checks an RFC 9457 response.
func wantProblem(t *testing.T, srv *httptest.Server, path string, status int, typ, detailPart string) {
	t.Helper()
	var p Problem
	resp := get(t, srv, path, &p)
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != ProblemContentType {
		t.Errorf("GET %s: %d %s, want %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), status, ProblemContentType)
	}
	if p.Status != status || p.Type != typ || p.Title == "" || !strings.Contains(p.Detail, detailPart) {
		t.Errorf("GET %s: problem %+v, want status %d type %s detail containing %q", path, p, status, typ, detailPart)
	}
}

func TestHealthz(t *testing.T) {
	srv, store := demoServer(t)
	var body map[string]any
	if resp := get(t, srv, "/healthz", &body); resp.StatusCode != 200 || body["status"] != "ok" ||
		body["schema_version"] != float64(data.SchemaVersion()) {
		t.Errorf("healthz: %d %v", resp.StatusCode, body)
	}
	head, err := http.Head(srv.URL + "/healthz")
	if err != nil || head.StatusCode != 200 {
		t.Errorf("HEAD /healthz: %v %v", head, err)
	}
	store.Close()
	wantProblem(t, srv, "/healthz", 503, ProblemUnavailable, "closed")
}

func TestListMunicipalities(t *testing.T) {
	srv, _ := demoServer(t)
	var out struct {
		Items []struct {
			Code, Code6, Name, Region string
			Boundary                  json.RawMessage
		}
		Total int
	}
	get(t, srv, "/api/v1/municipalities", &out)
	if out.Total != 39 || len(out.Items) != 39 {
		t.Fatalf("%d municipalities (total %d), want 39", len(out.Items), out.Total)
	}
	first := out.Items[0]
	if first.Code != "29201" || first.Code6 != "292010" || first.Name != "奈良市" || first.Region != "北和" || first.Boundary != nil {
		t.Errorf("first municipality %+v", first)
	}
	get(t, srv, "/api/v1/municipalities?boundary=true", &out)
	if !strings.Contains(string(out.Items[38].Boundary), `"type":"Polygon"`) {
		t.Errorf("boundary=true: last boundary %.80s", out.Items[38].Boundary)
	}
	wantProblem(t, srv, "/api/v1/municipalities?boundary=maybe", 400, ProblemInvalidParameter, "boundary")

	var one struct{ Code, Name string }
	if resp := get(t, srv, "/api/v1/municipalities/294021", &one); resp.StatusCode != 200 || one.Name != "明日香村" {
		t.Errorf("municipality 294021: %d %+v", resp.StatusCode, one)
	}
	wantProblem(t, srv, "/api/v1/municipalities/294022", 400, ProblemInvalidParameter, "check digit is 2, expected 1")
	wantProblem(t, srv, "/api/v1/municipalities/13104", 404, ProblemNotFound, "13104")
}

type assetPage struct {
	Items  []assetView
	Total  int
	Limit  int
	Offset int
	Next   string
}

func TestAssetsPagination(t *testing.T) {
	srv, store := demoServer(t)
	want, _ := store.CountAssets(context.Background())
	seen := map[string]bool{}
	path, pages := "/api/v1/assets?limit=1000", 0
	last := ""
	for path != "" {
		var p assetPage
		resp := get(t, srv, path, &p)
		if resp.StatusCode != 200 || p.Total != want || p.Limit != 1000 {
			t.Fatalf("GET %s: %d, total %d limit %d", path, resp.StatusCode, p.Total, p.Limit)
		}
		if p.Next != "" && resp.Header.Get("Link") != "<"+p.Next+`>; rel="next"` {
			t.Errorf("Link header %q for next %q", resp.Header.Get("Link"), p.Next)
		}
		for _, a := range p.Items {
			if seen[a.ID] || a.ID <= last {
				t.Fatalf("asset %s repeated or out of order", a.ID)
			}
			seen[a.ID], last = true, a.ID
		}
		path = p.Next
		pages++
	}
	if len(seen) != want || pages != (want+999)/1000 {
		t.Errorf("walked %d assets in %d pages, want %d in %d", len(seen), pages, want, (want+999)/1000)
	}
	var dflt assetPage
	get(t, srv, "/api/v1/assets", &dflt)
	if len(dflt.Items) != DefaultPageSize || dflt.Next != "/api/v1/assets?limit=100&offset=100" {
		t.Errorf("default page: %d items, next %q", len(dflt.Items), dflt.Next)
	}
}

func TestAssetsFilter(t *testing.T) {
	srv, store := demoServer(t)
	all, _, _ := store.Assets(context.Background(), data.AssetFilter{})
	want := 0
	for _, a := range all {
		if a.Municipality == "29449" && a.Kind == "bridge" {
			want++
		}
	}
	var p assetPage
	get(t, srv, "/api/v1/assets?municipality=294497&kind=bridge&limit=50&offset=50", &p)
	if p.Total != want || len(p.Items) != 50 || p.Offset != 50 || p.Items[0].ID != "29449-BR0051" {
		t.Errorf("十津川村 bridges page 2: total %d (want %d), %d items from %v", p.Total, want, len(p.Items), p.Items[0].ID)
	}
	if p.Next != "/api/v1/assets?kind=bridge&limit=50&municipality=29449&offset=100" {
		t.Errorf("next = %q", p.Next)
	}
	for _, a := range p.Items {
		if a.Municipality != "29449" || a.Kind != "bridge" || a.LengthM == nil || a.Health == nil {
			t.Fatalf("asset %+v does not match the filter or lacks attributes", a)
		}
	}
	var plants assetPage
	get(t, srv, "/api/v1/assets?kind=sewer_plant&limit=1000", &plants)
	if plants.Total != 30 || len(plants.Items) != 30 || plants.Next != "" {
		t.Errorf("sewer plants: total %d, next %q", plants.Total, plants.Next)
	}
	var one assetView
	if resp := get(t, srv, "/api/v1/assets/29449-BR0051", &one); resp.StatusCode != 200 || one.Name == "" {
		t.Errorf("asset 29449-BR0051: %d %+v", resp.StatusCode, one)
	}
	wantProblem(t, srv, "/api/v1/assets/NOPE", 404, ProblemNotFound, "NOPE")
	wantProblem(t, srv, "/api/v1/assets?municipality=292011", 400, ProblemInvalidParameter, "check digit is 1, expected 0")
	wantProblem(t, srv, "/api/v1/assets?limit=0", 400, ProblemInvalidParameter, "limit: must be between 1 and 10000, found 0")
	wantProblem(t, srv, "/api/v1/assets?limit=abc", 400, ProblemInvalidParameter, `limit: must be an integer, found "abc"`)
	wantProblem(t, srv, "/api/v1/assets?offset=-1", 400, ProblemInvalidParameter, "offset: must be at least 0")
}

func TestDepotsAndUnknownRoutes(t *testing.T) {
	srv, _ := demoServer(t)
	var out struct {
		Items []data.Depot
		Total int
	}
	get(t, srv, "/api/v1/depots", &out)
	if out.Total != 47 || out.Items[0].ID != "office-29201" || out.Items[0].Kind != data.DepotOffice {
		t.Fatalf("depots: total %d, first %+v", out.Total, out.Items[0])
	}
	districts := 0
	for _, d := range out.Items {
		if d.Kind == data.DepotDistrict {
			districts++
		}
	}
	if districts != 8 {
		t.Errorf("%d district offices, want 8", districts)
	}
	wantProblem(t, srv, "/api/v1/nothing", 404, "about:blank", "no route GET /api/v1/nothing")
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/api/v1/depots", strings.NewReader("{}"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Content-Type") != ProblemContentType {
		t.Errorf("PUT depots: %d %s, want 405 problem", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
