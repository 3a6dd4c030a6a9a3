package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tabane/tabane/data"
)

// TestEveryListPagesWithLink: every collection route answers the one page envelope
// (pageOf): with limit=1 the first page links to offset=1, repeating the filters, in
// the body (next) and in a Link header; the last page has neither. The table must name
// every GET route of /api/v1 whose answer holds items, so a new list cannot skip it.
func TestEveryListPagesWithLink(t *testing.T) {
	srv, s, store := secServer(t, true, SecurityOptions{})
	ctx := context.Background()
	var scenarios []int64
	for _, name := range []string{"north", "south"} {
		sc, err := store.CreateScenario(ctx, data.Scenario{Name: name, FiscalYear: 2027, Params: data.DefaultParams()})
		if err != nil {
			t.Fatal(err)
		}
		scenarios = append(scenarios, sc.ID)
	}
	for i := range 2 {
		if _, err := store.CreateRun(ctx, data.NewRun{ScenarioID: scenarios[0], Seed: int64(i + 1), TimeLimitS: 1,
			Params: json.RawMessage(`{}`), Instance: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.CreateBatch(ctx, data.NewBatch{Name: fmt.Sprint("batch ", i), ScenarioID: scenarios[0],
			Spec: json.RawMessage(`{}`), Total: 1}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.CreateToken(ctx, fmt.Sprint("token ", i), data.RoleViewer); err != nil {
			t.Fatal(err)
		}
	}
	// Only an admin's token lists tokens, even on loopback: the third token.
	_, admin, err := store.CreateToken(ctx, "admin", data.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	// fetch sends every request with the admin token, which every route accepts.
	fetch := func(path string) (*http.Response, page[json.RawMessage]) {
		t.Helper()
		resp, raw := authCall(t, srv, "GET", path, admin, nil)
		var p page[json.RawMessage]
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("GET %s: %d %v in %s", path, resp.StatusCode, err, raw)
		}
		return resp, p
	}
	munis, _ := store.Municipalities(ctx, false)
	depots, _ := store.Depots(ctx)
	assets, _ := store.CountAssets(ctx)
	for _, c := range []struct {
		path, filter string // filter: a query the next link must repeat
		total        int
	}{
		{"/api/v1/municipalities", "", len(munis)},
		{"/api/v1/depots", "", len(depots)},
		{"/api/v1/assets", "", assets},
		{"/api/v1/scenarios", "", 3}, // the demo's default scenario (data.DemoScenario) and two
		{"/api/v1/runs", fmt.Sprintf("scenario=%d", scenarios[0]), 2},
		{"/api/v1/batches", "", 2},
		{"/api/v1/tokens", "", 3},
	} {
		first := c.path + "?limit=1"
		wantNext := c.path + "?limit=1&offset=1"
		if c.filter != "" {
			first += "&" + c.filter
			wantNext += "&" + c.filter
		}
		resp, p := fetch(first)
		if resp.StatusCode != http.StatusOK || p.Total != c.total || len(p.Items) != 1 || p.Limit != 1 || p.Offset != 0 || p.Next != wantNext {
			t.Errorf("GET %s: %d, total %d (want %d), %d items, limit %d offset %d, next %q (want %q)",
				first, resp.StatusCode, p.Total, c.total, len(p.Items), p.Limit, p.Offset, p.Next, wantNext)
		}
		if link := resp.Header.Get("Link"); link != "<"+wantNext+`>; rel="next"` {
			t.Errorf("GET %s: Link %q, want <%s>; rel=\"next\"", first, link, wantNext)
		}
		last := fmt.Sprintf("%s?limit=1&offset=%d", c.path, c.total-1)
		resp, p = fetch(last)
		if resp.StatusCode != http.StatusOK || len(p.Items) != 1 || p.Next != "" || resp.Header.Get("Link") != "" {
			t.Errorf("GET %s (the last page): %d, %d items, next %q, Link %q; want one item, no next, no Link",
				last, resp.StatusCode, len(p.Items), p.Next, resp.Header.Get("Link"))
		}
	}

	// Every other GET route of /api/v1 without a path parameter must not be a list.
	listed := map[string]bool{"/api/v1/municipalities": true, "/api/v1/depots": true, "/api/v1/assets": true,
		"/api/v1/scenarios": true, "/api/v1/runs": true, "/api/v1/batches": true, "/api/v1/tokens": true}
	for _, r := range s.Echo().Routes() {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.Path, "/api/v1/") || strings.ContainsAny(r.Path, ":*") || listed[r.Path] {
			continue
		}
		var body map[string]json.RawMessage
		resp, raw := authCall(t, srv, "GET", r.Path, admin, nil)
		if json.Unmarshal(raw, &body) == nil && body["items"] != nil {
			t.Errorf("GET %s (%d) answers a list of items but is not in the paging table", r.Path, resp.StatusCode)
		}
	}
}
