package geo

import (
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// innerPoint is the point of a 30 × 30 grid over r's bound that lies deepest inside r.
func innerPoint(r Region) orb.Point {
	b := r.Geometry.Bound()
	best, bestD := orb.Point{}, -1.0
	for i := 1; i < 30; i++ {
		for j := 1; j < 30; j++ {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/30, b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/30}
			if !containsPoint(r.Geometry, p) {
				continue
			}
			if d := distanceToOutlineM(r.Geometry, p); d > bestD {
				best, bestD = p, d
			}
		}
	}
	return best
}

func TestCheckOwnershipNara(t *testing.T) {
	rs := loadNara(t)
	byCode := map[string]Region{}
	var points []OwnedPoint
	for _, r := range rs {
		byCode[r.Code] = r
		points = append(points, OwnedPoint{ID: "in-" + r.Code, Code: r.Code, At: innerPoint(r)})
	}
	if f := CheckOwnership(rs, points, 0); len(f) != 0 {
		t.Fatalf("points placed inside their owners flagged: %+v", f)
	}
	nara, koriyama := byCode["29201"], byCode["29203"]
	inKoriyama := innerPoint(koriyama)
	d := distanceToOutlineM(nara.Geometry, inKoriyama)
	misplaced := []OwnedPoint{
		{ID: "nara-in-totsukawa", Code: "29449", At: innerPoint(nara)},
		{ID: "koriyama-claimed-by-nara", Code: "29201", At: inKoriyama},
		{ID: "osaka-bay", Code: "29201", At: orb.Point{135.25, 34.55}},
		{ID: "unknown", Code: "29999", At: innerPoint(nara)},
		{ID: "bad", Code: "29201", At: orb.Point{135, 100}},
	}
	all := append(append([]OwnedPoint(nil), points...), misplaced...)
	got := CheckOwnership(rs, all, d-1)
	var ids []string
	for _, f := range got {
		ids = append(ids, f.ID)
	}
	if !reflect.DeepEqual(ids, []string{"nara-in-totsukawa", "koriyama-claimed-by-nara", "osaka-bay", "unknown", "bad"}) {
		t.Fatalf("flagged %v", ids)
	}
	want := []struct {
		kind    FindingKind
		fallsIn string
	}{{CodeMismatch, "29201"}, {CodeMismatch, "29203"}, {OutsideOwner, ""}, {UnknownOwner, "29201"}, {InvalidPoint, ""}}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].FallsIn != w.fallsIn || got[i].Claimed != all[len(points)+i].Code {
			t.Errorf("%s: %+v, want %s in %q", got[i].ID, got[i], w.kind, w.fallsIn)
		}
	}
	if math.Abs(got[1].DistanceM-d) > 1e-9 || d < 1000 {
		t.Errorf("distance outside 奈良市 %.3f, want %.3f (over 1 km)", got[1].DistanceM, d)
	}
	// 奈良市's deepest point is far from 十津川村 (the prefecture's far south): > 50 km.
	if got[0].DistanceM < 50000 {
		t.Errorf("奈良市 to 十津川村 %.0f m", got[0].DistanceM)
	}
	// Within the tolerance the misplaced Koriyama point passes.
	got = CheckOwnership(rs, misplaced[1:2], d+1)
	if len(got) != 0 {
		t.Errorf("within tolerance flagged: %+v", got)
	}
}
