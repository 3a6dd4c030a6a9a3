package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestConvexIntersection, worked by hand: the squares [0,2]² and [1,3]² share [1,2]²
// (area 1); the triangle (0.5,0.5) (1.5,0.5) (0.5,1.5) lies inside [0,2]² and is its own
// intersection (area ½); [0,1]² and [1,2]×[0,1] only touch along x = 1 and [5,6]² is far
// away: no shared area; the diamond |x−1|+|y−1| ≤ 1 cut by [1,3]×[−1,3] keeps its right
// half, the triangle (1,0) (2,1) (1,2) of area 1.
func TestConvexIntersection(t *testing.T) {
	sq := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	}
	tri := orb.Ring{{0.5, 0.5}, {1.5, 0.5}, {0.5, 1.5}, {0.5, 0.5}}
	diamond := orb.Ring{{1, 0}, {2, 1}, {1, 2}, {0, 1}, {1, 0}}
	for _, tc := range []struct {
		name string
		a, b orb.Ring
		area float64 // 0: nil
	}{
		{"overlapping squares", sq(0, 0, 2, 2), sq(1, 1, 3, 3), 1},
		{"the same, other order", sq(1, 1, 3, 3), sq(0, 0, 2, 2), 1},
		{"triangle inside", tri, sq(0, 0, 2, 2), 0.5},
		{"square around", sq(0, 0, 2, 2), tri, 0.5},
		{"diamond's right half", diamond, sq(1, -1, 3, 3), 1},
		{"touching edge", sq(0, 0, 1, 1), sq(1, 0, 2, 1), 0},
		{"disjoint", sq(0, 0, 1, 1), sq(5, 5, 6, 6), 0},
		{"degenerate", orb.Ring{{0, 0}, {2, 2}, {0, 0}}, sq(0, 0, 2, 2), 0},
	} {
		got := ConvexIntersection(tc.a, tc.b)
		if tc.area == 0 {
			if got != nil {
				t.Errorf("%s: %v, want nil", tc.name, got)
			}
			continue
		}
		if len(got) < 4 || got[0] != got[len(got)-1] {
			t.Fatalf("%s: %v is not a closed ring", tc.name, got)
		}
		if a := ringArea2(got) / 2; math.Abs(a-tc.area) > 1e-12 {
			t.Errorf("%s: area %g, want %g (ring %v)", tc.name, a, tc.area, got)
		}
	}
}
