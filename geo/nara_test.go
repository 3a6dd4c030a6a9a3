package geo

import (
	"os"
	"testing"
)

// loadNara reads the 39 municipalities of Nara prefecture (N03, simplified to 1 %).
func loadNara(t testing.TB) []Region {
	t.Helper()
	data, err := os.ReadFile("testdata/N03-21_29_210101.json")
	if err != nil {
		t.Fatal(err)
	}
	regions, skipped, err := ParseN03(data)
	if err != nil {
		t.Fatal(err)
	}
	if skipped != 0 {
		t.Fatalf("skipped %d features", skipped)
	}
	return regions
}

func naraGraph(t testing.TB, regions []Region, opt AdjacencyOptions) Graph {
	t.Helper()
	g, _, err := Adjacency(regions, opt)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
