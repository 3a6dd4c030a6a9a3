package geo

import (
	"os"
	"testing"
)

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

func TestNaraExplore(t *testing.T) {
	rs := loadNara(t)
	g, rep, err := Adjacency(rs, AdjacencyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range g.Edges {
		t.Logf("%s %s %s %.0f", rs[e.A].Name, rs[e.B].Name, e.Kind, e.SharedM)
	}
	t.Logf("%+v %d", rep, len(g.Edges))
}

func TestNaraGroupsExplore(t *testing.T) {
	rs := loadNara(t)
	for i := range rs {
		rs[i].Weight = 1
	}
	g, _, _ := Adjacency(rs, AdjacencyOptions{})
	for _, k := range []int{3, 5, 8} {
		res, err := GroupsK(rs, g, k, GroupOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, gr := range res.Groups {
			names := ""
			for _, m := range gr.Members {
				names += rs[m].Name + " "
			}
			t.Logf("k=%d w=%.0f spread=%.0f %s", k, gr.Weight, gr.SpreadKm2, names)
		}
		t.Logf("imb %.3f spread %.0f", res.MaxImbalance, res.SpreadKm2)
	}
	res, err := GroupsMaxP(rs, g, 4, 7, GroupOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, gr := range res.Groups {
		t.Logf("maxp w=%.0f %v", gr.Weight, gr.Codes)
	}
}
