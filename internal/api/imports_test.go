package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tabane/tabane/data"
)

// emptyServer is a real HTTP server over a new, empty SQLite file.
func inventoryServer(t *testing.T) (*httptest.Server, *data.Store) {
	t.Helper()
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "inventory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := New(store, Options{})
	t.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, store
}

// call sends a request and returns the status, the headers and the body.
func send(t testing.TB, srv *httptest.Server, method, path, ctype string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func importSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "data", "testdata", "import", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importReport is the answer of POST /api/v1/imports (and of its 422, which adds the
// problem members).
type importReport struct {
	data.ImportReport
	Type   string
	Status int
	Errors []struct{ Path, Message string }
}

// postImport imports a sample as the raw body and decodes the report.
func postImport(t *testing.T, srv *httptest.Server, query string, body []byte, wantStatus int) importReport {
	t.Helper()
	status, hdr, b := send(t, srv, "POST", "/api/v1/imports"+query, "", body)
	if status != wantStatus {
		t.Fatalf("POST /api/v1/imports%s: %d, want %d: %s", query, status, wantStatus, b)
	}
	if status == 422 && hdr.Get("Content-Type") != ProblemContentType {
		t.Errorf("422 content type %q", hdr.Get("Content-Type"))
	}
	var r importReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report: %v in %s", err, b)
	}
	return r
}

func reportCounts(r importReport) [3]int { return [3]int{r.Created, r.Updated, r.Unchanged} }

func countAssets(t *testing.T, store *data.Store) int {
	t.Helper()
	n, err := store.CountAssets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportSamples walks an empty database through every sample: N03 boundaries, the
// Shift_JIS CSV with its bad row (all or nothing, then partial), the UTF-8 CSV with a BOM
// and a misplaced asset, GeoJSON points and xROAD; each file imported twice changes
// nothing the second time.
func TestImportSamples(t *testing.T) {
	srv, store := inventoryServer(t)

	// N03 polygons: three municipalities with their office depots.
	r := postImport(t, srv, "", importSample(t, "n03_nara3.geojson"), 200)
	if r.Format != "geojson" || reportCounts(r) != [3]int{3, 0, 0} || r.Municipalities.Created != 3 || !r.Written {
		t.Fatalf("N03: %+v", r.ImportReport)
	}
	r = postImport(t, srv, "?format=geojson", importSample(t, "n03_nara3.geojson"), 200)
	if reportCounts(r) != [3]int{0, 0, 3} {
		t.Errorf("N03 again: %v, want all unchanged", reportCounts(r))
	}
	var m municipalityView
	get(t, srv, "/api/v1/municipalities/29203", &m)
	if m.Name != "大和郡山市" || m.Prefecture != "奈良県" || !strings.Contains(string(m.Boundary), `"Polygon"`) || m.Office.Lon == 0 {
		t.Errorf("municipality 29203 from N03: %+v", m)
	}
	var depots struct{ Total int }
	get(t, srv, "/api/v1/depots?kind=office", &depots)
	if depots.Total != 3 {
		t.Errorf("%d office depots, want 3", depots.Total)
	}

	// Shift_JIS CSV with a bad row: all or nothing writes nothing and says where.
	sjis := importSample(t, "assets_sjis.csv")
	r = postImport(t, srv, "", sjis, 422)
	if countAssets(t, store) != 0 || r.Written || r.Type != ProblemImportRejected || r.Encoding != "shift_jis" ||
		r.Records != 5 || r.Created != 4 {
		t.Fatalf("rejected import wrote %d assets; report %+v", countAssets(t, store), r.ImportReport)
	}
	wantRejected := []data.ImportIssue{
		{Line: 4, Asset: "SJ-003", Field: "lat", Reason: `"北緯34.6" is not a number`},
		{Line: 4, Asset: "SJ-003", Field: "health", Reason: `"Ⅴ": health is I, II, III, IV or 1–4`},
	}
	if !reflect.DeepEqual(r.Rejected, wantRejected) {
		t.Errorf("rejected = %+v, want %+v", r.Rejected, wantRejected)
	}
	if len(r.Errors) != 2 || r.Errors[0].Path != "line 4, lat" {
		t.Errorf("problem errors = %+v", r.Errors)
	}
	r = postImport(t, srv, "?partial=true", sjis, 200)
	if reportCounts(r) != [3]int{4, 0, 0} || len(r.Rejected) != 2 || !r.Written || countAssets(t, store) != 4 {
		t.Fatalf("partial: %v rejected %d, %d assets", reportCounts(r), len(r.Rejected), countAssets(t, store))
	}
	r = postImport(t, srv, "?partial=true", sjis, 200)
	if reportCounts(r) != [3]int{0, 0, 4} {
		t.Errorf("partial again: %v, want 4 unchanged", reportCounts(r))
	}
	var a assetView
	get(t, srv, "/api/v1/assets/SJ-001", &a)
	if a.Municipality != "29201" || a.Kind != "bridge" || a.Name != "佐保川橋" || *a.LengthM != 24.5 || *a.YearBuilt != 1975 ||
		*a.Health != 2 || *a.LastInspectionFY != 2021 || !a.OverWater || a.OverRail {
		t.Errorf("SJ-001 = %+v", a)
	}
	get(t, srv, "/api/v1/assets/SJ-004", &a)
	if a.Municipality != "29204" || a.Kind != "footbridge" || *a.YearBuilt != 1990 || *a.Health != 3 || a.OverRail {
		t.Errorf("SJ-004 = %+v", a)
	}

	// UTF-8 with a BOM: one asset stands in the wrong municipality and is flagged. A dry
	// run reports the same and writes nothing.
	bom := importSample(t, "assets_bom.csv")
	r = postImport(t, srv, "?dry_run=true", bom, 200)
	if r.Written || reportCounts(r) != [3]int{5, 0, 0} || len(r.Flagged) != 1 || countAssets(t, store) != 4 {
		t.Fatalf("dry run: written %v, %v, %d flagged, %d assets", r.Written, reportCounts(r), len(r.Flagged), countAssets(t, store))
	}
	r = postImport(t, srv, "", bom, 200)
	if r.Encoding != "utf-8-bom" || reportCounts(r) != [3]int{5, 0, 0} || len(r.Rejected) != 0 {
		t.Fatalf("BOM CSV: %+v", r.ImportReport)
	}
	if len(r.Flagged) != 1 || r.Flagged[0].Asset != "BM-003" || r.Flagged[0].Line != 4 || r.Flagged[0].Kind != "code_mismatch" ||
		r.Flagged[0].FallsIn != "29201" || r.Flagged[0].DistanceM < 200 {
		t.Errorf("flagged = %+v, want exactly BM-003 on line 4 inside 29201", r.Flagged)
	}
	r = postImport(t, srv, "", bom, 200)
	if reportCounts(r) != [3]int{0, 0, 5} || len(r.Flagged) != 1 {
		t.Errorf("BOM CSV again: %v, %d flagged", reportCounts(r), len(r.Flagged))
	}
	noID := data.StableAssetID("29204", "road_furniture", "門型標識1", 135.8374, 34.5966)
	if status, _, _ := send(t, srv, "GET", "/api/v1/assets/"+noID, "", nil); status != 200 {
		t.Errorf("the row without id should be asset %s: %d", noID, status)
	}
	get(t, srv, "/api/v1/assets/BM-004", &a)
	if a.Equipment == nil || len(*a.Equipment) != 0 || len(a.Derived.Equipment) != 0 {
		t.Errorf("BM-004 equipment %v (derived %v), want explicitly none", a.Equipment, a.Derived.Equipment)
	}

	// GeoJSON points, by multipart upload.
	r = postMultipart(t, srv, "points.geojson", importSample(t, "points.geojson"), 200)
	if r.Format != "geojson" || reportCounts(r) != [3]int{3, 0, 0} || len(r.Flagged) != 0 {
		t.Fatalf("points: %+v", r.ImportReport)
	}
	r = postMultipart(t, srv, "points.geojson", importSample(t, "points.geojson"), 200)
	if reportCounts(r) != [3]int{0, 0, 3} {
		t.Errorf("points again: %v", reportCounts(r))
	}
	get(t, srv, "/api/v1/assets/GJ-003", &a)
	if a.Kind != "pump_station" || *a.Cost != 520000 || a.Equipment == nil || len(*a.Equipment) != 0 {
		t.Errorf("GJ-003 = %+v", a)
	}

	// xROAD: the prefecture's bridge is skipped, the others become bridges.
	xr := importSample(t, "xroad_nara.json")
	r = postImport(t, srv, "", xr, 200)
	if r.Format != "xroad" || r.Records != 5 || reportCounts(r) != [3]int{4, 0, 0} || len(r.Skipped) != 1 || r.Skipped[0].Feature != 2 ||
		r.Skipped[0].Field != "syogen.kanrisya.kubun" {
		t.Fatalf("xROAD: %+v", r.ImportReport)
	}
	r = postImport(t, srv, "?format=xroad", xr, 200)
	if reportCounts(r) != [3]int{0, 0, 4} {
		t.Errorf("xROAD again: %v", reportCounts(r))
	}
	unrated := data.StableAssetID("29201", "bridge", "市道2号線橋", 135.79, 34.70)
	get(t, srv, "/api/v1/assets/"+unrated, &a)
	if a.Health != nil || a.LastInspectionFY != nil || a.YearBuilt != nil || *a.LengthM != 3.2 {
		t.Errorf("xROAD record with code 8 and year 0: %+v", a)
	}
	if n := countAssets(t, store); n != 4+5+3+4 {
		t.Errorf("%d assets, want 16", n)
	}
}

func postMultipart(t *testing.T, srv *httptest.Server, name string, file []byte, wantStatus int) importReport {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(file)
	w.Close()
	status, _, b := send(t, srv, "POST", "/api/v1/imports", w.FormDataContentType(), buf.Bytes())
	if status != wantStatus {
		t.Fatalf("multipart import: %d, want %d: %s", status, wantStatus, b)
	}
	var r importReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestImportUpdatesAndRejections: a changed row is updated, a column the file lacks
// keeps its stored value, an unknown municipality and a repeated id are rejected, and
// a file that cannot be read is a 400.
func TestImportUpdatesAndRejections(t *testing.T) {
	srv, store := inventoryServer(t)
	postImport(t, srv, "", importSample(t, "n03_nara3.geojson"), 200)
	postImport(t, srv, "", importSample(t, "assets_bom.csv"), 200)

	// BM-003 lies 2.8 km outside its owner: not flagged with a 5 km tolerance.
	if r := postImport(t, srv, "?tolerance_m=5000", importSample(t, "assets_bom.csv"), 200); len(r.Flagged) != 0 || r.ToleranceM != 5000 {
		t.Errorf("tolerance 5000 m: flagged %+v", r.Flagged)
	}
	status, _, b := send(t, srv, "POST", "/api/v1/imports?tolerance_m=-1", "", []byte("x"))
	wantStatusBody(t, "negative tolerance", status, b, 400, "tolerance_m: must be a number of metres")

	changed := "id,municipality,kind,name,lon,lat,width_m\n" +
		"BM-001,29201,bridge,大宮跨線橋,135.85,34.67,9.5\n" +
		"BM-002,29204,sewer_plant,天理浄化センター,135.86,34.59,\n"
	r := postImport(t, srv, "?format=csv", []byte(changed), 200)
	if reportCounts(r) != [3]int{0, 1, 1} {
		t.Fatalf("changed width: %v, want 1 updated 1 unchanged", reportCounts(r))
	}
	var a assetView
	get(t, srv, "/api/v1/assets/BM-001", &a)
	if *a.WidthM != 9.5 || *a.LengthM != 25 || !a.OverRail || *a.Health != 3 {
		t.Errorf("BM-001 after the update: %+v (length, rating and over_rail must stay)", a)
	}
	get(t, srv, "/api/v1/assets/BM-002", &a)
	if a.Cost == nil || *a.Cost != 3_100_000 {
		t.Errorf("BM-002 cost %v: a column the file lacks keeps its value", a.Cost)
	}

	before := countAssets(t, store)
	bad := "lon,lat,municipality,kind,id\n135.8,34.6,29205,bridge,X-1\n135.8,34.6,29204,bridge,X-2\n135.8,34.6,29204,bridge,X-2\n135.8,34.6,29204,castle,X-3\n"
	r = postImport(t, srv, "", []byte(bad), 422)
	want := []data.ImportIssue{
		{Line: 2, Asset: "X-1", Field: "municipality", Reason: "unknown municipality 29205: import its boundary (N03) or create it first (POST /api/v1/municipalities)"},
		{Line: 4, Asset: "X-2", Field: "id", Reason: "asset id X-2 repeats the one of line 3"},
		{Line: 5, Asset: "X-3", Field: "kind", Reason: `"castle" is not a kind the cost model prices (bridge, culvert, footbridge, pump_station, road_furniture, sewer_plant, tunnel)`},
	}
	if !reflect.DeepEqual(r.Rejected, want) || countAssets(t, store) != before {
		t.Errorf("rejected = %+v\nwant %+v; assets %d → %d", r.Rejected, want, before, countAssets(t, store))
	}

	// An owner without a boundary: a point inside another municipality's boundary is
	// flagged, a point inside none is not.
	if status, b := sendJSON(t, srv, "POST", "/api/v1/municipalities", `{"code": "29205", "name": "橿原市", "office": {"lon": 135.7927, "lat": 34.5092}}`, nil); status != 201 {
		t.Fatalf("create 29205: %d %s", status, b)
	}
	noBoundary := "id,municipality,kind,lon,lat\nK-1,29205,bridge,135.7927,34.5092\nK-2,29205,bridge,135.85,34.6\n"
	r = postImport(t, srv, "", []byte(noBoundary), 200)
	if len(r.Flagged) != 1 || r.Flagged[0].Asset != "K-2" || r.Flagged[0].Kind != "code_mismatch" || r.Flagged[0].FallsIn != "29204" ||
		r.Flagged[0].Reason != "29205 橿原市 has no boundary to check against; the point lies inside 29204 天理市" {
		t.Errorf("owner without boundary: flagged %+v, want K-2 inside 29204", r.Flagged)
	}

	// Malformed CSV rows are rejected with their line; with partial=true the good row stays.
	quotes := "id,municipality,kind,lon,lat,name\nQ-1,29204,bridge,135.85,34.6,x\"y\nQ-2,29204,bridge,135.85,34.6,ok\nQ-3,29204,bridge,135.85,34.6,\"open\n"
	r = postImport(t, srv, "?partial=true", []byte(quotes), 200)
	want = []data.ImportIssue{
		{Line: 2, Reason: `malformed CSV (column 31): bare " in non-quoted-field`},
		{Line: 4, Reason: `malformed CSV (column 36): extraneous or missing " in quoted-field`},
	}
	if !reflect.DeepEqual(r.Rejected, want) || reportCounts(r) != [3]int{1, 0, 0} || r.Records != 3 {
		t.Errorf("malformed rows: %+v %v records %d\nwant %+v", r.Rejected, reportCounts(r), r.Records, want)
	}

	for _, c := range []struct{ query, body, detail string }{
		{"?format=csv", "name,kind\nx,bridge\n", "the header lacks lon, lat, municipality"},
		{"?format=geojson", `{"type":"FeatureCollection","features":[`, "not JSON"},
		{"?format=xroad", `{"results":[]}`, `no "result" array`},
		{"?format=csv", "", "the body is empty"},
	} {
		status, hdr, b := send(t, srv, "POST", "/api/v1/imports"+c.query, "", []byte(c.body))
		var p Problem
		json.Unmarshal(b, &p)
		if status != 400 || hdr.Get("Content-Type") != ProblemContentType || !strings.Contains(p.Detail, c.detail) {
			t.Errorf("import %s %q: %d %s, want 400 with %q", c.query, c.body, status, b, c.detail)
		}
	}
	status, _, b = send(t, srv, "POST", "/api/v1/imports?format=shapefile", "", []byte("x"))
	if status != 400 || !strings.Contains(string(b), "format: must be csv, geojson or xroad") {
		t.Errorf("unknown format: %d %s", status, b)
	}
}

// TestImportBodyLimit: a file over the import limit is a 413 problem; the limit is a
// server option.
func TestImportBodyLimit(t *testing.T) {
	store, err := data.Open(context.Background(), filepath.Join(t.TempDir(), "limit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := New(store, Options{Inventory: InventoryOptions{ImportBodyLimit: "1K"}})
	defer s.Close()
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	status, hdr, b := send(t, srv, "POST", "/api/v1/imports?format=csv", "text/csv", bytes.Repeat([]byte("a,b\n"), 1000))
	if status != 413 || hdr.Get("Content-Type") != ProblemContentType || !strings.Contains(string(b), "at most 1KB") {
		t.Errorf("over the limit: %d %s", status, b)
	}

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "big.csv")
	fw.Write(bytes.Repeat([]byte("a,b\n"), 1000))
	mw.Close()
	status, hdr, b = send(t, srv, "POST", "/api/v1/imports", mw.FormDataContentType(), mp.Bytes())
	if status != 413 || hdr.Get("Content-Type") != ProblemContentType {
		t.Errorf("multipart over the limit: %d %s", status, b)
	}

	// A limit echo cannot read falls back to the default instead of failing the server;
	// the server's tolerance applies when the request gives none.
	s2 := New(store, Options{Inventory: InventoryOptions{ImportBodyLimit: "lots", OwnershipToleranceM: 5000}})
	defer s2.Close()
	srv2 := httptest.NewServer(s2.Handler())
	defer srv2.Close()
	postImport(t, srv2, "", importSample(t, "n03_nara3.geojson"), 200)
	if r := postImport(t, srv2, "", importSample(t, "assets_bom.csv"), 200); r.ToleranceM != 5000 || len(r.Flagged) != 0 {
		t.Errorf("server tolerance 5000 m: %v m, flagged %+v", r.ToleranceM, r.Flagged)
	}
}
