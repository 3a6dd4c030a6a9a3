package geo

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestSegIndexContains(t *testing.T) {
	square := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	holed := orb.Polygon{square(0, 0, 10, 10), square(4, 4, 6, 6)}
	ix := newSegIndex([]orb.Polygon{holed, {square(20, 0, 30, 10)}}, 0)
	for _, c := range []struct {
		p  orb.Point
		in bool
	}{{orb.Point{1, 1}, true}, {orb.Point{5, 5}, false}, {orb.Point{25, 5}, true}, {orb.Point{15, 5}, false}, {orb.Point{5, 11}, false}, {orb.Point{-1, 5}, false}} {
		if got := ix.contains(c.p); got != c.in {
			t.Errorf("%v: %v, want %v", c.p, got, c.in)
		}
	}
	// Agrees with orb's point-in-polygon on the Nara outlines at random points.
	rng := rand.New(rand.NewPCG(4, 4))
	for _, r := range loadNara(t)[:10] {
		poly := r.Geometry.(orb.Polygon)
		ix := newSegIndex([]orb.Polygon{poly}, 0)
		b := poly.Bound()
		for k := 0; k < 300; k++ {
			p := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
			if ix.contains(p) != planar.PolygonContains(poly, p) {
				t.Fatalf("%s: %v disagrees with planar.PolygonContains", r.Code, p)
			}
		}
	}
	// Edges near a band: the y-buckets return every edge whose extent meets it, once.
	count := 0
	ix.near(-1, 11, func(int) { count++ })
	if count != len(ix.a) {
		t.Errorf("near over the whole height found %d of %d edges", count, len(ix.a))
	}
}
