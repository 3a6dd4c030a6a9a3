package geo

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseN03Nara(t *testing.T) {
	rs := loadNara(t)
	if len(rs) != 39 {
		t.Fatalf("got %d regions, want 39", len(rs))
	}
	want := map[string]string{"29201": "奈良市", "29449": "十津川村", "29447": "野迫川村", "29453": "東吉野村"}
	found := 0
	for _, r := range rs {
		if name, ok := want[r.Code]; ok {
			found++
			if r.Name != name {
				t.Errorf("%s: name %q, want %q", r.Code, r.Name, name)
			}
		}
		if _, ok := r.Geometry.(orb.Polygon); !ok {
			t.Errorf("%s: geometry %T, want a single orb.Polygon", r.Code, r.Geometry)
		}
	}
	if found != len(want) {
		t.Errorf("found %d of %d known codes", found, len(want))
	}
	if rs[0].Code != "29201" || rs[38].Code != "29453" {
		t.Errorf("order of first appearance lost: first %s, last %s", rs[0].Code, rs[38].Code)
	}
	// Anchor falls back to the centroid: 奈良市's lies inside the city, east of the office.
	a := rs[0].Anchor()
	if !containsPoint(rs[0].Geometry, a) {
		t.Errorf("奈良市 centroid %v is outside the city", a)
	}
}

func TestParseN03MergesAndSkips(t *testing.T) {
	fc := `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"N03_004":"島町","N03_007":"99001"},"geometry":{"type":"Polygon","coordinates":[[[135,34],[135.1,34],[135.1,34.1],[135,34]]]}},
 {"type":"Feature","properties":{"N03_004":null,"N03_007":null},"geometry":{"type":"Polygon","coordinates":[[[136,34],[136.1,34],[136.1,34.1],[136,34]]]}},
 {"type":"Feature","properties":{"N03_004":"島町","N03_007":"99001"},"geometry":{"type":"Polygon","coordinates":[[[135.5,34],[135.6,34],[135.6,34.1],[135.5,34]]]}},
 {"type":"Feature","properties":{"N03_004":"隣村","N03_007":99002},"geometry":{"type":"MultiPolygon","coordinates":[[[[137,34],[137.1,34],[137.1,34.1],[137,34]]]]}}
]}`
	rs, skipped, err := ParseN03([]byte(fc))
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 1 || len(rs) != 2 {
		t.Fatalf("skipped %d, regions %d; want 1 and 2", skipped, len(rs))
	}
	mp, ok := rs[0].Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 2 || rs[0].Name != "島町" {
		t.Errorf("same-code features not merged: %T %v", rs[0].Geometry, rs[0].Name)
	}
	if rs[1].Code != "99002" {
		t.Errorf("numeric code read as %q", rs[1].Code)
	}
	if _, ok := rs[1].Geometry.(orb.Polygon); !ok {
		t.Errorf("single-part MultiPolygon kept as %T, want orb.Polygon", rs[1].Geometry)
	}
}

func TestParseN03Errors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"not json", `{`, "N03 GeoJSON"},
		{"point", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"N03_007":"1"},"geometry":{"type":"Point","coordinates":[135,34]}}]}`, "feature 0 (code 1): geometry Point"},
		{"bad lat", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"N03_007":"1"},"geometry":{"type":"Polygon","coordinates":[[[135,34],[135,95],[136,34],[135,34]]]}}]}`, "not WGS84"},
	} {
		_, _, err := ParseN03([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
}

func TestProjectionRoundTrip(t *testing.T) {
	pr := NewProjection(135.8, 34.6)
	p := orb.Point{135.9, 34.7}
	q := pr.Forward(p)
	// 0.1° of latitude is 11.119 km on the docs/model.md sphere; 0.1° of longitude is that × cos 34.6°.
	if math.Abs(q[1]-11119.5) > 1 || math.Abs(q[0]-11119.5*math.Cos(34.6*math.Pi/180)) > 1 {
		t.Errorf("forward %v", q)
	}
	if r := pr.Inverse(q); math.Abs(r[0]-p[0]) > 1e-12 || math.Abs(r[1]-p[1]) > 1e-12 {
		t.Errorf("inverse %v, want %v", r, p)
	}
	// Agrees with the haversine distance to 0.1 % at 15 km.
	d := math.Hypot(q[0], q[1]) / 1000
	h := HaversineKm(135.8, 34.6, 135.9, 34.7)
	if math.Abs(d-h)/h > 1e-3 {
		t.Errorf("projected %.4f km, haversine %.4f km", d, h)
	}
}
