package geo

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// syntheticOffices scatters n offices over a 400 × 300 km area (about the size of a
// large Japanese region), denser towards a few "cities", with weights 1..100.
func syntheticOffices(n int, seed uint64) []Region {
	rng := rand.New(rand.NewPCG(seed, 99))
	pr := NewProjection(137.5, 36.0)
	centres := []orb.Point{{-120e3, -80e3}, {60e3, 40e3}, {150e3, -100e3}, {-50e3, 110e3}}
	rs := make([]Region, n)
	for i := range rs {
		var p orb.Point
		if rng.IntN(2) == 0 {
			c := centres[rng.IntN(len(centres))]
			p = orb.Point{c[0] + rng.NormFloat64()*25e3, c[1] + rng.NormFloat64()*25e3}
		} else {
			p = orb.Point{(rng.Float64() - 0.5) * 400e3, (rng.Float64() - 0.5) * 300e3}
		}
		rs[i] = Region{Code: fmt.Sprintf("%05d", i), Office: pr.Inverse(p), Weight: float64(1 + rng.IntN(100))}
	}
	return rs
}

// BenchmarkGroups1700 times the whole grouping of 1,700 municipalities: adjacency (the
// Delaunay point fallback, or 1 km grid polygons) and then the grouping.
func BenchmarkGroups1700(b *testing.B) {
	offices := syntheticOffices(1700, 1)
	grid, _ := gridRegions(b, 50, 34, 1)
	for _, bc := range []struct {
		name    string
		regions []Region
		run     func([]Region, Graph) (Grouping, error)
	}{
		{"points/maxp", offices, func(rs []Region, g Graph) (Grouping, error) {
			return GroupsMaxP(rs, g, 2000, 3000, GroupOptions{Seed: 1})
		}},
		{"points/k50", offices, func(rs []Region, g Graph) (Grouping, error) { return GroupsK(rs, g, 50, GroupOptions{Seed: 1}) }},
		{"grid/maxp", grid, func(rs []Region, g Graph) (Grouping, error) {
			return GroupsMaxP(rs, g, 100, 150, GroupOptions{Seed: 1})
		}},
		{"grid/k50", grid, func(rs []Region, g Graph) (Grouping, error) { return GroupsK(rs, g, 50, GroupOptions{Seed: 1}) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			groups := 0
			for b.Loop() {
				g, _, err := Adjacency(bc.regions, AdjacencyOptions{})
				if err != nil {
					b.Fatal(err)
				}
				res, err := bc.run(bc.regions, g)
				if err != nil {
					b.Fatal(err)
				}
				groups = len(res.Groups)
			}
			b.ReportMetric(float64(groups), "groups")
		})
	}
}

func BenchmarkAdjacencyNara(b *testing.B) {
	rs := loadNara(b)
	for b.Loop() {
		if _, _, err := Adjacency(rs, AdjacencyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDelaunay1700(b *testing.B) {
	ps := randomPoints(1700, 5)
	for b.Loop() {
		Delaunay(ps)
	}
}

// BenchmarkAdjacencyNaraDense measures outlines of about 25,000 vertices in all (the
// 1 % Nara outlines split 20 times), closer to full-resolution N03 files.
func BenchmarkAdjacencyNaraDense(b *testing.B) {
	rs := densify(loadNara(b), 20)
	for b.Loop() {
		if _, _, err := Adjacency(rs, AdjacencyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
