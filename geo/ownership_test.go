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

func TestCheckOwnershipExclaveAndEnclave(t *testing.T) {
	pr := NewProjection(135.8, 34.5)
	outer := rectM(pr, 0, 0, 10000, 10000)[0]
	hole := rectM(pr, 4000, 4000, 6000, 6000)[0]
	hole.Reverse()
	regions := []Region{
		// A: a square with a hole (the enclave E) and an exclave 5 km east.
		{Code: "A", Geometry: orb.MultiPolygon{{outer, hole}, rectM(pr, 15000, 0, 17000, 2000)}},
		{Code: "E", Geometry: rectM(pr, 4000, 4000, 6000, 6000)},
	}
	at := func(x, y float64) orb.Point { return pr.Inverse(orb.Point{x, y}) }
	points := []OwnedPoint{
		{ID: "main", Code: "A", At: at(1000, 1000)},
		{ID: "exclave", Code: "A", At: at(16000, 1000)},
		{ID: "in-enclave", Code: "A", At: at(5000, 5000)},
		{ID: "enclave-own", Code: "E", At: at(5000, 5000)},
		{ID: "between", Code: "A", At: at(12500, 1000)},
	}
	got := CheckOwnership(regions, points, 100)
	if len(got) != 2 || got[0].ID != "in-enclave" || got[0].Kind != CodeMismatch || got[0].FallsIn != "E" ||
		got[1].ID != "between" || got[1].Kind != OutsideOwner || got[1].FallsIn != "" {
		t.Fatalf("findings %+v", got)
	}
	// 1 km inside the enclave from its edge; 2.5 km from both parts of A.
	if math.Abs(got[0].DistanceM-1000) > 1 || math.Abs(got[1].DistanceM-2500) > 1 {
		t.Errorf("distances %.3f and %.3f, want 1000 and 2500", got[0].DistanceM, got[1].DistanceM)
	}
}
