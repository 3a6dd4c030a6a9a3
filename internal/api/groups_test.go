package api

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

func TestGroupsOnTheDemo(t *testing.T) {
	srv, _ := demoServer(t)
	groups := func(body string) (*geojson.FeatureCollection, []byte) {
		t.Helper()
		status, hdr, b := send(t, srv, "POST", "/api/v1/groups", "application/json", []byte(body))
		if status != 200 || hdr.Get("Content-Type") != GeoJSONContentType {
			t.Fatalf("POST /api/v1/groups %s: %d %s", body, status, b)
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			t.Fatalf("not GeoJSON: %v", err)
		}
		return fc, b
	}
	fc, raw := groups(`{"k": 4, "by": "workload", "fiscal_year": 2027, "seed": 1}`)
	if len(fc.Features) != 4 || fc.ExtraMembers["groups"] != float64(4) || fc.ExtraMembers["weight_by"] != "workload" {
		t.Fatalf("k=4: %d features, members %v", len(fc.Features), fc.ExtraMembers)
	}
	seen := map[string]string{}
	total := 0.0
	for _, f := range fc.Features {
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			t.Errorf("group %v outline is a %T", f.ID, f.Geometry)
		}
		members := f.Properties["members"].([]any)
		names := f.Properties["names"].([]any)
		if len(members) == 0 || len(names) != len(members) {
			t.Errorf("group %v: members %v names %v", f.ID, members, names)
		}
		for _, m := range members {
			if prev, dup := seen[m.(string)]; dup {
				t.Errorf("municipality %v in groups %s and %v", m, prev, f.ID)
			}
			seen[m.(string)] = f.ID.(string)
		}
		total += f.Properties["weight"].(float64)
	}
	if len(seen) != 39 {
		t.Errorf("%d municipalities grouped, want the 39 of Nara", len(seen))
	}
	if diff := total - fc.ExtraMembers["total_weight"].(float64); diff > 1e-6 || diff < -1e-6 {
		t.Errorf("group weights add up to %g, total_weight %v", total, fc.ExtraMembers["total_weight"])
	}
	if _, again := groups(`{"k": 4, "by": "workload", "fiscal_year": 2027, "seed": 1}`); string(again) != string(raw) {
		t.Error("the same request and seed gave other groups")
	}

	// Max-p with a floor and a cap on the asset count: every group within.
	fc, _ = groups(`{"floor": 600, "cap": 1500, "by": "assets", "fiscal_year": 2027, "outline": "convex"}`)
	n := 0
	for _, f := range fc.Features {
		w := f.Properties["weight"].(float64)
		if w < 600 || w > 1500 {
			t.Errorf("group %v weighs %g, outside [600, 1500]", f.ID, w)
		}
		n += len(f.Properties["members"].([]any))
	}
	if n != 39 || len(fc.Features) < 2 {
		t.Errorf("max-p: %d groups holding %d municipalities", len(fc.Features), n)
	}

	// Saved as a scenario's regions, with region_locked.
	var sc struct {
		ID      int64
		Regions map[string]string
		Params  struct {
			RegionLocked bool `json:"region_locked"`
		}
	}
	status, b := sendJSON(t, srv, "POST", "/api/v1/scenarios", `{"name": "groups", "fiscal_year": 2027}`, &sc)
	if status != 201 {
		t.Fatalf("create scenario: %d %s", status, b)
	}
	fc, _ = groups(fmt.Sprintf(`{"k": 3, "save_as_scenario": %d, "lock_regions": true}`, sc.ID))
	if fc.ExtraMembers["scenario"] != float64(sc.ID) || fc.ExtraMembers["fiscal_year"] != float64(2027) {
		t.Errorf("saved groups: members %v", fc.ExtraMembers)
	}
	want := map[string]string{}
	for _, f := range fc.Features {
		for _, m := range f.Properties["members"].([]any) {
			want[m.(string)] = f.ID.(string)
		}
	}
	sendJSON(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d", sc.ID), "", &sc)
	if len(sc.Regions) != 39 || !sc.Params.RegionLocked {
		t.Errorf("scenario after save: %d regions, region_locked %v", len(sc.Regions), sc.Params.RegionLocked)
	}
	for code, g := range want {
		if sc.Regions[code] != g {
			t.Errorf("scenario region of %s = %q, want %q", code, sc.Regions[code], g)
		}
	}
	var inst struct {
		Municipalities []struct{ Code, Region string }
	}
	sendJSON(t, srv, "GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", sc.ID), "", &inst)
	for _, m := range inst.Municipalities {
		if m.Region != want[m.Code] {
			t.Errorf("instance region of %s = %q, want %q", m.Code, m.Region, want[m.Code])
		}
	}

	for _, c := range []struct {
		body   string
		status int
		part   string
	}{
		{`{"k": 2, "floor": 1}`, 422, "give exactly one of k"},
		{`{"k": 2, "by": "population"}`, 422, `by: must be workload, value or assets, found \"population\"`},
		{`{"k": 50}`, 422, "No grouping meets the request"},
		{`{"floor": 100000, "by": "assets"}`, 422, "No grouping meets the request"},
		{`{"k": 2, "save_as_scenario": 999}`, 404, "scenario 999"},
		{`{"k": 2, "municipalities": ["29201", "13101"]}`, 422, "13101 is not a participating municipality"},
		{`{"k": "two"}`, 422, "expected an integer"},
		{`{"k": 2`, 400, "malformed"},
	} {
		status, b := sendJSON(t, srv, "POST", "/api/v1/groups", c.body, nil)
		wantStatusBody(t, c.body, status, b, c.status, c.part)
	}
}

// TestGroupsWithoutBoundaries: municipalities created with offices only are grouped by
// the point fallback; each group's geometry is its members' offices.
func TestGroupsWithoutBoundaries(t *testing.T) {
	srv, _ := inventoryServer(t)
	offices := [][3]any{{"29201", 135.8049, 34.6851}, {"29203", 135.7827, 34.6494}, {"29204", 135.8374, 34.5966},
		{"29205", 135.7927, 34.5092}, {"29206", 135.8434, 34.5190}}
	for _, o := range offices {
		body := fmt.Sprintf(`{"code": %q, "name": "m%s", "office": {"lon": %v, "lat": %v}}`, o[0], o[0], o[1], o[2])
		if status, b := sendJSON(t, srv, "POST", "/api/v1/municipalities", body, nil); status != 201 {
			t.Fatalf("create %v: %d %s", o[0], status, b)
		}
	}
	status, _, b := send(t, srv, "POST", "/api/v1/groups", "application/json", []byte(`{"k": 2, "by": "assets"}`))
	if status != 200 {
		t.Fatalf("groups: %d %s", status, b)
	}
	var fc struct {
		Features []struct {
			Geometry   struct{ Type string }
			Properties struct{ Members []string }
		}
	}
	json.Unmarshal(b, &fc)
	var all []string
	for _, f := range fc.Features {
		if f.Geometry.Type != "MultiPoint" && f.Geometry.Type != "Point" {
			t.Errorf("geometry %s, want the offices", f.Geometry.Type)
		}
		all = append(all, f.Properties.Members...)
	}
	sort.Strings(all)
	if len(fc.Features) != 2 || strings.Join(all, ",") != "29201,29203,29204,29205,29206" {
		t.Errorf("groups %+v", fc.Features)
	}
}
