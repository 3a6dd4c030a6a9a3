package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func areaM2(pr Projection, mp orb.MultiPolygon) float64 {
	a := 0.0
	for _, p := range mp {
		for k, r := range p {
			q := make(orb.Ring, len(r))
			for i, v := range r {
				q[i] = pr.Forward(v)
			}
			if k == 0 {
				a += planar.Area(orb.Polygon{q})
			} else {
				a -= planar.Area(orb.Polygon{q})
			}
		}
	}
	return a
}

func TestDissolveShapes(t *testing.T) {
	pr := NewProjection(135.8, 34.5)
	sq := func(x, y float64) orb.Geometry { return rectM(pr, x*1000, y*1000, (x+1)*1000, (y+1)*1000) }
	for _, tc := range []struct {
		name         string
		geoms        []orb.Geometry
		polys, holes int
		areaKm2      float64
	}{
		{"two neighbours", []orb.Geometry{sq(0, 0), sq(1, 0)}, 1, 0, 2},
		{"corner touch", []orb.Geometry{sq(0, 0), sq(1, 1)}, 2, 0, 2},
		{"apart", []orb.Geometry{sq(0, 0), sq(3, 0)}, 2, 0, 2},
		{"ring of eight around a hole", []orb.Geometry{sq(0, 0), sq(1, 0), sq(2, 0), sq(0, 1), sq(2, 1), sq(0, 2), sq(1, 2), sq(2, 2)}, 1, 1, 8},
		// T-junction: one 2 km wide cell under two 1 km cells; its top edge has no vertex
		// at the middle where the two upper cells meet.
		{"T-junction", []orb.Geometry{rectM(pr, 0, 0, 2000, 1000), sq(0, 1), sq(1, 1)}, 1, 0, 4},
		// Outlines 5 m apart (not topology-preserving): snapped within 10 m.
		{"near miss", []orb.Geometry{rectM(pr, 0, 0, 1000, 1000), rectM(pr, 1005, 0, 2005, 1000)}, 1, 0, 2.005},
	} {
		mp, err := Dissolve(tc.geoms, 10)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		holes := 0
		for _, p := range mp {
			holes += len(p) - 1
			if p[0].Orientation() != orb.CCW {
				t.Errorf("%s: outer ring not counter-clockwise", tc.name)
			}
		}
		if len(mp) != tc.polys || holes != tc.holes {
			t.Errorf("%s: %d polygons with %d holes, want %d and %d", tc.name, len(mp), holes, tc.polys, tc.holes)
		}
		if a := areaM2(pr, mp) / 1e6; math.Abs(a-tc.areaKm2) > 0.01 {
			t.Errorf("%s: area %.6f km², want %.3f", tc.name, a, tc.areaKm2)
		}
	}
	if _, err := Dissolve([]orb.Geometry{orb.Point{1, 2}}, 10); err == nil {
		t.Error("a point dissolved")
	}
}

func TestDissolveNara(t *testing.T) {
	rs := loadNara(t)
	var geoms []orb.Geometry
	sum := 0.0
	pr := NewProjection(135.85, 34.3)
	for _, r := range rs {
		geoms = append(geoms, r.Geometry)
		sum += areaM2(pr, orb.MultiPolygon(polygons(r.Geometry)))
	}
	mp, err := Dissolve(geoms, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The prefecture is one piece without holes; its area is the sum of its parts
	// (3,691 km² in the official statistics; the 1 % outline gives about that).
	if len(mp) != 1 || len(mp[0]) != 1 {
		t.Fatalf("prefecture outline has %d polygons, %d rings", len(mp), len(mp[0]))
	}
	a := areaM2(pr, mp)
	if math.Abs(a-sum) > 1e-6*sum || a/1e6 < 3500 || a/1e6 > 3900 {
		t.Errorf("outline area %.3f km², members %.3f km²", a/1e6, sum/1e6)
	}
	// Every member's vertices lie inside or on the outline.
	for _, r := range rs {
		for _, v := range r.Geometry.(orb.Polygon)[0] {
			if !planar.PolygonContains(mp[0], v) {
				t.Fatalf("%s vertex %v outside the outline", r.Code, v)
			}
		}
	}
	// Each group of a 5-grouping dissolves into one polygon.
	rs = unitWeights(rs)
	g := naraGraph(t, rs, AdjacencyOptions{})
	res, err := GroupsK(rs, g, 5, GroupOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, grp := range res.Groups {
		var gs []orb.Geometry
		for _, u := range grp.Members {
			gs = append(gs, rs[u].Geometry)
		}
		mp, err := Dissolve(gs, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(mp) != 1 {
			t.Errorf("group %v dissolves into %d polygons", grp.Codes, len(mp))
		}
	}
}
