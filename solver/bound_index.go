package solver

import (
	"math"
	"sort"

	"github.com/tabane/tabane/geo"
)

// latIndex lists assets by latitude so that a depot only looks at the band of assets
// that can lie within max_distance_km. The band and the longitude window are
// conservative: with hav(θ) = hav(Δφ) + cos φ1 cos φ2 hav(Δλ), a great-circle distance
// θ bounds |Δφ| ≤ θ and hav(Δλ) ≤ hav(θ)/(cos φ1 cos φ2); every candidate is then
// checked exactly by Model.admissible.
type latIndex struct {
	lat []float64 // sorted
	pos []int     // asset position p, same order
	all bool      // no distance limit: every asset is a candidate
	// theta is the largest central angle (radians) any depot may reach, with a margin.
	theta float64
}

func newLatIndex(m *Model, assets []int) *latIndex {
	idx := &latIndex{}
	if math.IsInf(m.MaxDistanceKm, 1) {
		idx.all = true
	} else {
		idx.theta = (m.MaxDistanceKm/m.Circuity)/geo.EarthRadiusKm*1.001 + 1e-9
		if idx.theta >= math.Pi/2 {
			idx.all = true
		}
	}
	order := make([]int, len(assets))
	for p := range order {
		order[p] = p
	}
	sort.SliceStable(order, func(x, y int) bool {
		return m.Assets[assets[order[x]]].At.Lat < m.Assets[assets[order[y]]].At.Lat
	})
	idx.pos = order
	idx.lat = make([]float64, len(order))
	for i, p := range order {
		idx.lat[i] = m.Assets[assets[p]].At.Lat
	}
	return idx
}

// near calls f for every asset position p that may lie within reach of at, in
// increasing p order when sorted is requested by the caller (it collects and sorts).
func (idx *latIndex) near(m *Model, assets []int, at Point, f func(p int)) {
	if idx.all {
		for p := range assets {
			f(p)
		}
		return
	}
	const deg = 180 / math.Pi
	dlat := idx.theta * deg
	lo := sort.SearchFloat64s(idx.lat, at.Lat-dlat)
	hi := sort.SearchFloat64s(idx.lat, math.Nextafter(at.Lat+dlat, math.Inf(1)))
	maxLat := math.Min(90, math.Abs(at.Lat)+dlat)
	c := math.Cos(maxLat / deg)
	s := math.Sin(idx.theta / 2)
	h := s * s / (c * c)
	dlon := 360.0
	if c > 1e-6 && h < 1 {
		dlon = 2 * math.Asin(math.Sqrt(h)) * deg
	}
	for i := lo; i < hi; i++ {
		p := idx.pos[i]
		dl := math.Abs(m.Assets[assets[p]].At.Lon - at.Lon)
		if dl > 180 {
			dl = 360 - dl
		}
		if dl <= dlon {
			f(p)
		}
	}
}
