package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// inventoryWithSamples is a server whose database holds the three N03 municipalities and
// the assets of the BOM CSV and the GeoJSON points (8 assets).
func inventoryWithSamples(t *testing.T) *httptest.Server {
	t.Helper()
	srv, _ := inventoryServer(t)
	postImport(t, srv, "", importSample(t, "n03_nara3.geojson"), 200)
	postImport(t, srv, "", importSample(t, "assets_bom.csv"), 200)
	postImport(t, srv, "?format=geojson", importSample(t, "points.geojson"), 200)
	return srv
}

// sendJSON sends a JSON body and decodes the answer into v (when not nil).
func sendJSON(t *testing.T, srv *httptest.Server, method, path, body string, v any) (int, []byte) {
	t.Helper()
	status, hdr, b := send(t, srv, method, path, "application/json", []byte(body))
	if status >= 400 && hdr.Get("Content-Type") != ProblemContentType {
		t.Errorf("%s %s: %d with content type %q, want problem+json", method, path, status, hdr.Get("Content-Type"))
	}
	if v != nil && len(b) > 0 {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return status, b
}

func wantStatusBody(t *testing.T, what string, status int, body []byte, wantStatus int, wantPart string) {
	t.Helper()
	if status != wantStatus || !strings.Contains(string(body), wantPart) {
		t.Errorf("%s: %d %s, want %d containing %q", what, status, body, wantStatus, wantPart)
	}
}

func TestMunicipalityCRUD(t *testing.T) {
	srv := inventoryWithSamples(t)
	var m municipalityView
	status, hdr, b := send(t, srv, "POST", "/api/v1/municipalities", "application/json",
		[]byte(`{"code": "292052", "name": "橿原市", "region": "中和", "office": {"name": "橿原市役所", "lon": 135.7927, "lat": 34.5092}}`))
	if status != 201 || hdr.Get("Location") != "/api/v1/municipalities/29205" {
		t.Fatalf("create: %d %s (Location %q)", status, b, hdr.Get("Location"))
	}
	json.Unmarshal(b, &m)
	if m.Code != "29205" || m.Code6 != "292052" || !m.Participates || m.Office.Name != "橿原市役所" || m.AssetCount != 0 {
		t.Errorf("created %+v", m)
	}
	var d struct{ ID, Kind, Municipality string }
	if status, _ := sendJSON(t, srv, "GET", "/api/v1/depots/office-29205", "", &d); status != 200 || d.Kind != "office" || d.Municipality != "29205" {
		t.Errorf("office depot of the new municipality: %d %+v", status, d)
	}
	status, b = sendJSON(t, srv, "POST", "/api/v1/municipalities", `{"code": "29205", "name": "again", "office": {"lon": 135, "lat": 34}}`, nil)
	wantStatusBody(t, "duplicate", status, b, 409, "municipality 29205 already exists")
	status, b = sendJSON(t, srv, "POST", "/api/v1/municipalities", `{"code": "292053", "region": 5, "colour": "red"}`, nil)
	wantStatusBody(t, "invalid", status, b, 422, `"path":"code","message":"municipality code \"292053\": check digit is 3, expected 2`)
	for _, part := range []string{`"path":"region","message":"expected a string, found 5"`, `"path":"colour"`, `"path":"name","message":"is required"`, `"path":"office"`} {
		if !strings.Contains(string(b), part) {
			t.Errorf("invalid create: %s lacks %s", b, part)
		}
	}

	status, _ = sendJSON(t, srv, "PATCH", "/api/v1/municipalities/29205", `{"region": "南和", "participates": false, "office": {"lon": 135.79, "lat": 34.51}}`, &m)
	if status != 200 || m.Region != "南和" || m.Participates || m.Office.Lon != 135.79 || m.Name != "橿原市" {
		t.Errorf("patch: %d %+v", status, m)
	}
	var dep struct{ Lon float64 }
	sendJSON(t, srv, "GET", "/api/v1/depots/office-29205", "", &dep)
	if dep.Lon != 135.79 {
		t.Errorf("the office depot did not follow the office: lon %v", dep.Lon)
	}
	status, b = sendJSON(t, srv, "PATCH", "/api/v1/municipalities/29205", `{"boundary": {"type": "Polygon", "coordinates": [[[135.7, 34.5], [135.8, 34.5], [135.8, 34.6]]]}}`, nil)
	wantStatusBody(t, "open boundary", status, b, 422, `"path":"boundary","message":"polygon 0 has an outer ring of fewer than 4 positions (found Polygon)"`)
	status, b = sendJSON(t, srv, "PATCH", "/api/v1/municipalities/29205", `{"boundary": {"type": "Point", "coordinates": [135.7, 34.5]}}`, nil)
	wantStatusBody(t, "point boundary", status, b, 422, `must be a Polygon or MultiPolygon (found Point)`)
	status, _ = sendJSON(t, srv, "PATCH", "/api/v1/municipalities/29205",
		`{"boundary": {"type": "Polygon", "coordinates": [[[135.7, 34.45], [135.85, 34.45], [135.85, 34.55], [135.7, 34.55], [135.7, 34.45]]]}}`, &m)
	if status != 200 || !strings.Contains(string(m.Boundary), `"Polygon"`) {
		t.Errorf("patch boundary: %d %s", status, m.Boundary)
	}
	status, b = sendJSON(t, srv, "PATCH", "/api/v1/municipalities/29205", `{"code": "29206"}`, nil)
	wantStatusBody(t, "patch code", status, b, 422, "cannot be changed")
	status, b = sendJSON(t, srv, "PATCH", "/api/v1/municipalities/29299", `{"name": "x"}`, nil)
	wantStatusBody(t, "patch missing", status, b, 404, "29299")
	status, b = sendJSON(t, srv, "PATCH", "/api/v1/municipalities/29205", `{"name": `, nil)
	wantStatusBody(t, "patch malformed", status, b, 400, "malformed")

	status, b = sendJSON(t, srv, "DELETE", "/api/v1/municipalities/29201", "", nil)
	wantStatusBody(t, "delete with assets", status, b, 409, "municipality 29201 owns 2 assets")
	if status, _ = sendJSON(t, srv, "DELETE", "/api/v1/municipalities/29205", "", nil); status != 204 {
		t.Errorf("delete: %d", status)
	}
	status, b = sendJSON(t, srv, "GET", "/api/v1/municipalities/29205", "", nil)
	wantStatusBody(t, "deleted", status, b, 404, "29205")
	if status, _ = sendJSON(t, srv, "DELETE", "/api/v1/municipalities/29201?cascade=true", "", nil); status != 204 {
		t.Errorf("delete with cascade: %d", status)
	}
	var assets struct{ Total int }
	sendJSON(t, srv, "GET", "/api/v1/assets?municipality=29201", "", &assets)
	if assets.Total != 0 {
		t.Errorf("cascade left %d assets", assets.Total)
	}
}

func TestAssetCRUD(t *testing.T) {
	srv := inventoryWithSamples(t)
	var a assetView
	status, hdr, b := send(t, srv, "POST", "/api/v1/assets", "application/json",
		[]byte(`{"id": "NEW-1", "municipality": "292036", "kind": "bridge", "name": "新橋", "lon": 135.77, "lat": 34.64,
			"length_m": 20, "width_m": 4, "health": "IV", "last_inspection_fy": 2022}`))
	if status != 201 || hdr.Get("Location") != "/api/v1/assets/NEW-1" {
		t.Fatalf("create: %d %s", status, b)
	}
	json.Unmarshal(b, &a)
	// (250,000 + 8,000·20)·1.15 = 471,500; (0.8 + 1.2)·1.15 = 2.3; ≥ 15 m: snooper and guards.
	if a.Municipality != "29203" || *a.Health != 4 || *a.DueFY != 2027 || *a.Derived.Cost != 471_500 || *a.Derived.Workload != 2.3 ||
		strings.Join(a.Derived.Equipment, ",") != "snooper_truck,traffic_control" {
		t.Errorf("created %+v derived %+v", a, a.Derived)
	}
	wantWhy := []string{"cost ¥471,500: bridge: ¥250,000 + ¥8,000/m × 20 m; health IV: × 1.15",
		"workload 2.3 person-days: bridge: 0.8 + 0.06 person-days/m × 20 m; health IV: × 1.15",
		"equipment snooper_truck: length 20 m ≥ 15 m", "equipment traffic_control: guards for the snooper truck"}
	if strings.Join(a.Derived.Why, "|") != strings.Join(wantWhy, "|") {
		t.Errorf("why = %q\nwant %q", a.Derived.Why, wantWhy)
	}
	// The same steps as codes, in the order of why (cost, workload, equipment), for the page.
	codes, _ := json.Marshal(a.Derived.WhyCodes)
	wantCodes := `[{"part":"cost","code":"kind_rate","args":{"base":250000,"kind":"bridge","length_m":20,"per_metre":8000}},` +
		`{"part":"cost","code":"damaged","args":{"factor":1.15,"health":4}},` +
		`{"part":"workload","code":"kind_rate","args":{"base":0.8,"kind":"bridge","length_m":20,"per_metre":0.06}},` +
		`{"part":"workload","code":"damaged","args":{"factor":1.15,"health":4}},` +
		`{"part":"equipment","code":"snooper_length","args":{"length_m":20,"min_m":15}},` +
		`{"part":"equipment","code":"traffic_control_snooper"}]`
	if string(codes) != wantCodes {
		t.Errorf("why_codes = %s\nwant %s", codes, wantCodes)
	}
	status, b = sendJSON(t, srv, "POST", "/api/v1/assets", `{"id": "NEW-1", "municipality": "29203", "kind": "bridge", "lon": 135.77, "lat": 34.64}`, nil)
	wantStatusBody(t, "duplicate", status, b, 409, "asset NEW-1 already exists")
	status, b = sendJSON(t, srv, "POST", "/api/v1/assets", `{"municipality": "29209", "kind": "bridge", "lon": 135.77, "lat": 34.64}`, nil)
	wantStatusBody(t, "unknown municipality", status, b, 422, `"path":"municipality","message":"unknown municipality: create it first"`)
	status, b = sendJSON(t, srv, "POST", "/api/v1/assets", `{"municipality": "29203", "kind": "castle", "lon": 135.77, "lat": 34.64, "health": 7}`, nil)
	wantStatusBody(t, "bad fields", status, b, 422, `"path":"health","message":"must be 1–4 or \"I\"–\"IV\", found 7"`)
	status, b = sendJSON(t, srv, "POST", "/api/v1/assets", `{"municipality": "29203", "kind": "castle", "lon": 135.77, "lat": 34.64}`, nil)
	wantStatusBody(t, "unpriced kind", status, b, 422, `"path":"kind","message":"\"castle\" is not a kind the cost model prices (bridge, culvert, footbridge, pump_station, road_furniture, sewer_plant, tunnel)"`)
	status, b = sendJSON(t, srv, "POST", "/api/v1/assets", `{"kind": "bridge", "lon": 200, "lat": 34.64}`, nil)
	wantStatusBody(t, "missing and out of range", status, b, 422, `"path":"municipality","message":"is required"`)
	if !strings.Contains(string(b), `"path":"lon","message":"lon 200, lat 34.64 are not WGS84 degrees (lon -180…180, lat -90…90)"`) {
		t.Errorf("out of range lon: %s", b)
	}

	// PATCH: explicit cost wins; null gives the estimate back.
	status, _ = sendJSON(t, srv, "PATCH", "/api/v1/assets/NEW-1", `{"cost": 600000, "over_water": true, "name": "新しい橋"}`, &a)
	if status != 200 || *a.Cost != 600_000 || *a.Derived.Cost != 600_000 || a.Derived.Why[0] != "cost ¥600,000: explicit in the inventory" ||
		!a.OverWater || a.Name != "新しい橋" || *a.LengthM != 20 {
		t.Errorf("patch: %d %+v", status, a)
	}
	a = assetView{}
	sendJSON(t, srv, "PATCH", "/api/v1/assets/NEW-1", `{"cost": null, "health": 1}`, &a)
	if a.Cost != nil || *a.Derived.Cost != 410_000 {
		t.Errorf("cost null, health I: cost %v derived %v, want estimate 410,000", a.Cost, *a.Derived.Cost)
	}
	status, b = sendJSON(t, srv, "PATCH", "/api/v1/assets/NEW-1", `{"id": "OTHER"}`, nil)
	wantStatusBody(t, "patch id", status, b, 422, "cannot be changed")
	status, b = sendJSON(t, srv, "PATCH", "/api/v1/assets/NOPE", `{"name": "x"}`, nil)
	wantStatusBody(t, "patch missing", status, b, 404, "asset NOPE")
	if status, _ = sendJSON(t, srv, "DELETE", "/api/v1/assets/NEW-1", "", nil); status != 204 {
		t.Errorf("delete: %d", status)
	}
	status, b = sendJSON(t, srv, "DELETE", "/api/v1/assets/NEW-1", "", nil)
	wantStatusBody(t, "delete again", status, b, 404, "asset NEW-1")

	// An asset without id gets the import's stable id.
	status, hdr, _ = send(t, srv, "POST", "/api/v1/assets", "application/json",
		[]byte(`{"municipality": "29204", "kind": "culvert", "name": "無名", "lon": 135.85, "lat": 34.6}`))
	if status != 201 || !strings.HasPrefix(hdr.Get("Location"), "/api/v1/assets/29204-h") {
		t.Errorf("create without id: %d Location %q", status, hdr.Get("Location"))
	}
}

func TestDepotCRUD(t *testing.T) {
	srv := inventoryWithSamples(t)
	var d struct{ ID, Name, Kind, Municipality string }
	status, b := sendJSON(t, srv, "POST", "/api/v1/depots", `{"id": "nara-doboku", "name": "奈良土木事務所", "kind": "district", "lon": 135.80, "lat": 34.68}`, &d)
	if status != 201 || d.Kind != "district" {
		t.Fatalf("create: %d %s", status, b)
	}
	status, b = sendJSON(t, srv, "POST", "/api/v1/depots", `{"id": "nara-doboku", "lon": 135.80, "lat": 34.68}`, nil)
	wantStatusBody(t, "duplicate", status, b, 409, "depot nara-doboku already exists")
	status, b = sendJSON(t, srv, "POST", "/api/v1/depots", `{"id": "x", "kind": "office", "lon": 135.80, "lat": 34.68}`, nil)
	wantStatusBody(t, "office without municipality", status, b, 422, `"path":"municipality","message":"is required for an office depot"`)
	status, b = sendJSON(t, srv, "POST", "/api/v1/depots", `{"id": "x", "kind": "office", "municipality": "29209", "lon": 135.80, "lat": 34.68}`, nil)
	wantStatusBody(t, "unknown municipality", status, b, 422, `"path":"municipality","message":"unknown municipality: create it first"`)
	status, b = sendJSON(t, srv, "POST", "/api/v1/depots", `{"id": "x", "kind": "warehouse", "lon": 135.80, "lat": 34.68}`, nil)
	wantStatusBody(t, "bad kind", status, b, 422, `must be office, district or other, found \"warehouse\"`)
	status, _ = sendJSON(t, srv, "PATCH", "/api/v1/depots/nara-doboku", `{"name": "北部土木"}`, &d)
	if status != 200 || d.Name != "北部土木" {
		t.Errorf("patch: %d %+v", status, d)
	}
	if status, _ = sendJSON(t, srv, "DELETE", "/api/v1/depots/nara-doboku", "", nil); status != 204 {
		t.Errorf("delete: %d", status)
	}
	status, b = sendJSON(t, srv, "GET", "/api/v1/depots/nara-doboku", "", nil)
	wantStatusBody(t, "deleted", status, b, 404, "nara-doboku")
}

// TestListFormats: every list as GeoJSON (decoded with orb: valid RFC 7946 features with
// the right geometry) and as CSV (a header and one row per item), with filters.
func TestListFormats(t *testing.T) {
	srv := inventoryWithSamples(t)
	fc := func(path, accept string) *geojson.FeatureCollection {
		t.Helper()
		req := httptest.NewRequest("GET", srv.URL+path, nil)
		req.RequestURI = ""
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != GeoJSONContentType {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		c, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
		if err != nil {
			t.Fatalf("GET %s: not GeoJSON: %v", path, err)
		}
		return c
	}
	munis := fc("/api/v1/municipalities?format=geojson", "")
	if len(munis.Features) != 3 {
		t.Fatalf("%d municipality features", len(munis.Features))
	}
	for _, f := range munis.Features {
		if _, ok := f.Geometry.(orb.Polygon); !ok || f.Properties["code"] == nil || f.Properties["boundary"] != nil {
			t.Errorf("municipality feature %v: geometry %T, properties %v", f.ID, f.Geometry, f.Properties)
		}
	}
	assets := fc("/api/v1/assets", GeoJSONContentType)
	if len(assets.Features) != 8 {
		t.Errorf("%d asset features, want 8", len(assets.Features))
	}
	for _, f := range assets.Features {
		p, ok := f.Geometry.(orb.Point)
		if !ok || p[0] != f.Properties["lon"] || f.Properties["derived"] == nil {
			t.Errorf("asset feature %v: %T %v", f.ID, f.Geometry, f.Properties)
		}
	}
	if got := fc("/api/v1/assets?format=geojson&municipality=29204&limit=2", ""); len(got.Features) != 2 {
		t.Errorf("limit=2: %d features", len(got.Features))
	}
	if got := fc("/api/v1/depots?format=geojson", ""); len(got.Features) != 3 {
		t.Errorf("%d depot features", len(got.Features))
	}

	rows := func(path string) [][]string {
		t.Helper()
		status, hdr, b := send(t, srv, "GET", path, "", nil)
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET %s: %d %s", path, status, hdr.Get("Content-Type"))
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return recs
	}
	if r := rows("/api/v1/assets?format=csv"); len(r) != 9 || r[0][0] != "id" || r[0][9] != "health" {
		t.Errorf("assets CSV: %d rows, header %v", len(r), r[0])
	}
	if r := rows("/api/v1/assets?format=csv&kind=bridge&bbox=135.7,34.6,135.9,34.7"); len(r) != 1+3 {
		t.Errorf("bridges in the bbox: %d rows, want a header and 3", len(r))
	}
	// Due in FY2026 under the 5-year cycle: BM-001 (last inspected 2020), BM-004 (2021) and
	// the two never inspected (GJ-003 and the BOM CSV's row without id); BM-002, GJ-001
	// (2022), BM-003 and GJ-002 (2023) are not.
	if r := rows("/api/v1/assets?format=csv&due=2026"); len(r) != 1+4 || r[2][0] != "BM-001" || r[3][0] != "BM-004" || r[4][0] != "GJ-003" {
		t.Errorf("due in 2026: %d rows, want a header and 4: %v", len(r), r)
	}
	if r := rows("/api/v1/municipalities?format=csv"); len(r) != 4 || r[1][0] != "29201" || r[1][9] != "2" {
		t.Errorf("municipalities CSV: %v", r)
	}
	if r := rows("/api/v1/depots?format=csv&municipality=292044"); len(r) != 2 || r[1][0] != "office-29204" {
		t.Errorf("depots CSV: %v", r)
	}

	// A name a spreadsheet would run as a formula is exported with a ' before it; the CSV
	// export imports back unchanged.
	if status, b := sendJSON(t, srv, "POST", "/api/v1/assets", `{"id": "F-1", "municipality": "29204", "kind": "culvert", "name": "=HYPERLINK(\"http://x\")", "lon": 135.85, "lat": 34.6}`, nil); status != 201 {
		t.Fatalf("create F-1: %d %s", status, b)
	}
	_, _, export := send(t, srv, "GET", "/api/v1/assets?format=csv", "", nil)
	if !strings.Contains(string(export), `F-1,29204,culvert,"'=HYPERLINK(""http://x"")"`) {
		t.Errorf("the formula is not defused in %s", export)
	}
	r := postImport(t, srv, "?format=csv", export, 200)
	if reportCounts(r) != [3]int{0, 0, 9} {
		t.Errorf("export re-imported: %v, want 9 unchanged", reportCounts(r))
	}

	var page struct {
		Items []assetView
		Total int
		Next  string
	}
	sendJSON(t, srv, "GET", "/api/v1/assets?limit=3&kind=bridge", "", &page)
	if page.Total != 3 || len(page.Items) != 3 || page.Next != "" {
		t.Errorf("bridges: %+v", page)
	}
	sendJSON(t, srv, "GET", "/api/v1/assets?limit=3", "", &page)
	if page.Total != 9 || page.Next != "/api/v1/assets?limit=3&offset=3" {
		t.Errorf("first page: total %d next %q", page.Total, page.Next)
	}
	for _, c := range []struct{ path, part string }{
		{"/api/v1/assets?bbox=1,2,3", "bbox: must be minLon,minLat,maxLon,maxLat"},
		{"/api/v1/assets?format=xml", `format: must be json, geojson or csv, found \"xml\"`},
		{"/api/v1/municipalities?participates=maybe", "participates: must be true or false"},
		{"/api/v1/depots?bbox=10,10,5,5", "bbox: must satisfy"},
		{"/api/v1/assets?due=abc", "due: must be an integer"},
	} {
		status, b := sendJSON(t, srv, "GET", c.path, "", nil)
		wantStatusBody(t, c.path, status, b, 400, c.part)
	}
}

// TestCostModelChangesDerivedCost: PUT /cost-model changes an asset's derived cost;
// invalid models are refused with field paths; {} restores the defaults.
func TestCostModelChangesDerivedCost(t *testing.T) {
	srv := inventoryWithSamples(t)
	var cm struct {
		InspectionCycleYears int `json:"inspection_cycle_years"`
		Kinds                map[string]struct {
			Base float64 `json:"base"`
		} `json:"kinds"`
		IsDefault bool   `json:"is_default"`
		UpdatedAt string `json:"updated_at"`
	}
	sendJSON(t, srv, "GET", "/api/v1/cost-model", "", &cm)
	if !cm.IsDefault || cm.InspectionCycleYears != 5 || cm.Kinds["bridge"].Base != 250_000 || len(cm.Kinds) != 7 {
		t.Fatalf("default cost model: %+v", cm)
	}
	var a assetView
	sendJSON(t, srv, "GET", "/api/v1/assets/GJ-001", "", &a)
	// 14.2 m, 5.5 m wide, rated II: 250,000 + 8,000·14.2 = 363,600; guards for the width.
	if *a.Derived.Cost != 363_600 || strings.Join(a.Derived.Equipment, ",") != "traffic_control" {
		t.Fatalf("GJ-001 derived %+v", a.Derived)
	}
	status, b := sendJSON(t, srv, "PUT", "/api/v1/cost-model",
		`{"kinds": {"bridge": {"base": 300000, "per_metre": 8000, "workload": 0.8, "workload_per_metre": 0.06}}, "inspection_cycle_years": 4}`, &cm)
	if status != 200 || cm.IsDefault || cm.UpdatedAt == "" || cm.InspectionCycleYears != 4 || cm.Kinds["tunnel"].Base != 500_000 {
		t.Fatalf("put: %d %s", status, b)
	}
	sendJSON(t, srv, "GET", "/api/v1/assets/GJ-001", "", &a)
	if *a.Derived.Cost != 413_600 || *a.DueFY != 2026 {
		t.Errorf("after PUT: derived cost %v due %v, want 413,600 and 2026", *a.Derived.Cost, *a.DueFY)
	}
	status, b = sendJSON(t, srv, "PUT", "/api/v1/cost-model", `{"kinds": {"bridge": {"base": -1}}, "damaged_factor": 0}`, nil)
	wantStatusBody(t, "invalid", status, b, 422, `"path":"kinds.bridge.base","message":"must be a finite number from 0 to 10000000000 yen, found -1"`)
	if !strings.Contains(string(b), `"path":"damaged_factor"`) {
		t.Errorf("damaged_factor 0 not refused: %s", b)
	}
	status, b = sendJSON(t, srv, "PUT", "/api/v1/cost-model", `{"colour": 1}`, nil)
	wantStatusBody(t, "unknown field", status, b, 422, `"path":"colour","message":"unknown field`)
	status, b = sendJSON(t, srv, "PUT", "/api/v1/cost-model", `{"kinds": 3}`, nil)
	wantStatusBody(t, "wrong type", status, b, 422, `"path":"kinds"`)
	sendJSON(t, srv, "PUT", "/api/v1/cost-model", `{}`, &cm)
	sendJSON(t, srv, "GET", "/api/v1/assets/GJ-001", "", &a)
	if !cm.IsDefault || *a.Derived.Cost != 363_600 {
		t.Errorf("after PUT {}: default %v, derived cost %v", cm.IsDefault, *a.Derived.Cost)
	}
}
