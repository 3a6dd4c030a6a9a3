package api

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestImportCRSCodesAndCounts over HTTP: an EPSG:6674 GeoJSON (zone VI metres) lands
// at the GSI control figure's position; ?codes= names a code the file lacks; a record
// failing on two fields counts once in the 422's detail.
func TestImportCRSCodesAndCounts(t *testing.T) {
	srv, store := inventoryServer(t)
	fc := `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:6674"}},"features":[
	{"type":"Feature","properties":{"N03_004":"若狭町","N03_007":"18501"},
	 "geometry":{"type":"Polygon","coordinates":[[[-10000,-40000],[0,-40000],[0,-30000],[-10000,-30000],[-10000,-40000]]]}},
	{"type":"Feature","id":"b1","properties":{"municipality":"18501","kind":"bridge","length_m":20},
	 "geometry":{"type":"Point","coordinates":[-6837.3391,-33369.3352]}}]}`
	r := postImport(t, srv, "?codes=18501", []byte(fc), 200)
	if r.CRS != "EPSG:6674 (JGD2011 / Japan Plane Rectangular CS VI)" || r.Assets.Created != 1 || r.Municipalities.Created != 1 {
		t.Fatalf("report %+v", r.ImportReport)
	}
	a, err := store.Asset(t.Context(), "b1")
	// GSI's zone IX figure moved to zone VI's meridian (data/import_crs_test.go).
	wantLon, wantLat := 136+(139.75777911599519-(139+50.0/60)), 35.699202942274219
	if err != nil || math.Abs(a.Lon-wantLon)*91000 > 1 || math.Abs(a.Lat-wantLat)*111000 > 1 {
		t.Errorf("b1 at %v, %v (%v); want %v, %v within 1 m", a.Lon, a.Lat, err, wantLon, wantLat)
	}

	status, _, body := send(t, srv, "POST", "/api/v1/imports?codes=18501,29201", "", []byte(fc))
	var p Problem
	_ = json.Unmarshal(body, &p)
	if status != 400 || !strings.Contains(p.Detail, "codes: 29201 not in the file (it has 1 municipalities: 18501 若狭町)") {
		t.Errorf("unknown code: %d %s", status, body)
	}
	status, _, body = send(t, srv, "POST", "/api/v1/imports?join=name", "text/csv", []byte("id,name\n"))
	if status != 400 || !strings.Contains(string(body), `must be over_water (a CSV of id,over_water onto stored assets), found \"name\"`) {
		t.Errorf("join=name: %d %s", status, body)
	}
	bad := "id,municipality,kind,lon,lat,length_m\nx1,18501,bridge,200,35.7,-1\n"
	status, _, body = send(t, srv, "POST", "/api/v1/imports?format=csv", "", []byte(bad))
	var rej struct {
		Problem
		RejectedCount int               `json:"rejected_count"`
		Rejected      []json.RawMessage `json:"rejected"`
	}
	_ = json.Unmarshal(body, &rej)
	if status != 422 || rej.RejectedCount != 1 || len(rej.Rejected) != 2 || !strings.HasPrefix(rej.Detail, "1 record(s) rejected") {
		t.Errorf("one record, two reasons: %d, count %d, listed %d, detail %q", status, rej.RejectedCount, len(rej.Rejected), rej.Detail)
	}
}
