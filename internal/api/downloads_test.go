package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestDownloadsNameTheirFile: every download route answers with Content-Disposition
// attachment and the file's name (ASCII and RFC 8187 UTF-8), and a plain JSON list
// does not; an error answer of a download route carries none.
func TestDownloadsNameTheirFile(t *testing.T) {
	srv, _, store := batchServer(t) // runs and batches share the server's job queue
	sc := smallScenario(t, store)
	run := doneRun(t, follow(t, srv, startRun(t, srv, sc.ID, map[string]any{"time_limit_s": 1, "seed": 1}).ID))
	b := postBatch(t, srv, batchBody(map[string]any{"base": map[string]any{"scenario": sc.ID},
		"solver": map[string]any{"time_limit": "5s", "seed": 1, "max_iterations": 50}, "variations": []any{map[string]any{"name": "today"}}}))
	waitBatch(t, srv, b.ID)

	named := func(name string) string { return `attachment; filename="` + name + `"; filename*=UTF-8''` + name }
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/assets?format=csv", named("assets.csv")},
		{"/api/v1/assets?format=geojson", named("assets.geojson")},
		{"/api/v1/municipalities?format=csv", named("municipalities.csv")},
		{"/api/v1/municipalities?format=geojson", named("municipalities.geojson")},
		{"/api/v1/depots?format=csv", named("depots.csv")},
		{"/api/v1/depots?format=geojson", named("depots.geojson")},
		{fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), named(fmt.Sprintf("scenario-%d-instance.json", sc.ID))},
		{fmt.Sprintf("/api/v1/runs/%d/plan.csv", run.ID), named(fmt.Sprintf("run-%d-plan.csv", run.ID))},
		{fmt.Sprintf("/api/v1/runs/%d/plan.geojson", run.ID), named(fmt.Sprintf("run-%d-plan.geojson", run.ID))},
		{fmt.Sprintf("/api/v1/batches/%d/results.csv", b.ID), named(fmt.Sprintf("batch-%d-results.csv", b.ID))},
		{fmt.Sprintf("/api/v1/batches/%d/chart.svg", b.ID), named(fmt.Sprintf("batch-%d-chart.svg", b.ID))},
		{fmt.Sprintf("/api/v1/batches/%d/results.md", b.ID), named(fmt.Sprintf("batch-%d-results.md", b.ID))},
		{fmt.Sprintf("/api/v1/batches/%d/shares.csv", b.ID), named(fmt.Sprintf("batch-%d-shares.csv", b.ID))},
		{fmt.Sprintf("/api/v1/batches/%d/municipalities.svg", b.ID), named(fmt.Sprintf("batch-%d-municipalities.svg", b.ID))},
		{fmt.Sprintf("/api/v1/batches/%d/summary.html", b.ID), ""}, // a page to open and print, served inline
		{"/api/v1/assets", ""},
		{"/api/v1/runs/999999/plan.csv", ""},
		{"/api/v1/assets?format=geojson&bbox=1,2", ""},
	} {
		resp, raw := getRaw(t, srv, tc.path)
		if cd := resp.Header.Get(echo.HeaderContentDisposition); cd != tc.want {
			t.Errorf("%s (%d): Content-Disposition %q, want %q", tc.path, resp.StatusCode, cd, tc.want)
		}
		if tc.want != "" && (resp.StatusCode != http.StatusOK || len(raw) == 0) {
			t.Errorf("%s: %d, %d bytes", tc.path, resp.StatusCode, len(raw))
		}
	}
}

// TestAttachmentName: a name outside ASCII keeps its UTF-8 form in filename* and falls
// back to _ in filename; quotes and separators are escaped.
func TestAttachmentName(t *testing.T) {
	e := echo.New()
	for name, want := range map[string]string{
		"奈良 plan.csv": `attachment; filename="______ plan.csv"; filename*=UTF-8''%E5%A5%88%E8%89%AF%20plan.csv`,
		`a"b;c.csv`:   `attachment; filename="a_b;c.csv"; filename*=UTF-8''a%22b%3Bc.csv`,
	} {
		rec := httptest.NewRecorder()
		c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
		attachment(c, name)
		if got := rec.Header().Get(echo.HeaderContentDisposition); got != want {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
	}
}
