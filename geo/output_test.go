package geo

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestGroupsGeoJSON(t *testing.T) {
	rs := unitWeights(loadNara(t))
	g := naraGraph(t, rs, AdjacencyOptions{})
	res, err := GroupsK(rs, g, 4, GroupOptions{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []OutlineMethod{OutlineDissolve, OutlineConvex, OutlineConcave} {
		fc := GroupsGeoJSON(rs, res, m, 25, "municipalities")
		if len(fc.Features) != 4 {
			t.Fatalf("%s: %d features", m, len(fc.Features))
		}
		for gi, f := range fc.Features {
			poly, ok := f.Geometry.(orb.Polygon)
			if !ok {
				t.Fatalf("%s: group %d outline is %T", m, gi, f.Geometry)
			}
			// Every member's outer vertices lie inside or on the outline.
			for _, u := range res.Groups[gi].Members {
				for _, v := range rs[u].Geometry.(orb.Polygon)[0] {
					if !planar.PolygonContains(poly, v) {
						t.Fatalf("%s: %s vertex %v outside the outline of %s", m, rs[u].Code, v, GroupID(gi))
					}
				}
			}
			if f.Properties["id"] != GroupID(gi) || f.Properties["outline"] != string(m) || f.Properties["weight"] != res.Groups[gi].Weight {
				t.Errorf("%s: properties %v", m, f.Properties)
			}
		}
		if _, err := json.Marshal(fc); err != nil {
			t.Fatal(err)
		}
	}
	// Dissolved outlines of a partition tile the prefecture: their areas add up.
	total, parts := 0.0, 0.0
	for _, r := range rs {
		total += planar.Area(r.Geometry)
	}
	for _, f := range GroupsGeoJSON(rs, res, OutlineDissolve, 25, "").Features {
		parts += planar.Area(f.Geometry)
	}
	if math.Abs(parts-total) > 1e-9*total {
		t.Errorf("group outlines cover %.9f, municipalities %.9f (deg²)", parts, total)
	}
	// Members without geometry: the convex hull of their offices.
	pts := []Region{{Code: "a", Office: orb.Point{135, 34}}, {Code: "b", Office: orb.Point{135.1, 34}}, {Code: "c", Office: orb.Point{135, 34.1}}}
	out := GroupOutline(pts, Group{Members: []int{0, 1, 2}}, OutlineDissolve, 25)
	if a := planar.Area(out); math.Abs(a-0.005) > 1e-12 {
		t.Errorf("office hull area %v, want 0.005", a)
	}
	// A lone office gets a 100 m square around it.
	one := GroupOutline(pts, Group{Members: []int{1}}, OutlineConvex, 25).(orb.Polygon)
	if len(one[0]) != 5 || !planar.PolygonContains(one, pts[1].Office) {
		t.Errorf("lone office outline %v", one)
	}
	if b := one.Bound(); math.Abs((b.Max[1]-b.Min[1])*EarthRadiusKm*math.Pi/180-0.1) > 1e-9 {
		t.Errorf("lone office outline %.6f km tall, want 0.1", (b.Max[1]-b.Min[1])*EarthRadiusKm*math.Pi/180)
	}
	if GroupID(0) != "G01" || GroupID(11) != "G12" {
		t.Error("group ids")
	}
}
