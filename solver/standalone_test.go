package solver

import (
	"math"
	"testing"
)

// TestStandaloneHandChecked: X 2,980,000; Y 2,230,000 (road) + 2,820,015.114442 (sewer);
// Z does not participate (see TestEvaluateHandChecked for the arithmetic).
func TestStandaloneHandChecked(t *testing.T) {
	m, _ := handModel(t, nil)
	s := StandaloneCosts(m)
	x, y := m.MuniIndex["X"], m.MuniIndex["Y"]
	if len(s) != 2 || !evNear(s[x], 2980000, 1e-6) || !evNear(s[y], 5050015.114442, 1e-6) {
		t.Errorf("standalone = %v, want X 2,980,000 and Y 5,050,015.114442 only", s)
	}
	cs := StandaloneContracts(m)
	want := []struct {
		muni, disc string
		total      float64
	}{{"X", "road", 2980000}, {"Y", "road", 2230000}, {"Y", "sewer", 2820015.114442}}
	if len(cs) != len(want) {
		t.Fatalf("contracts = %+v", cs)
	}
	for i, w := range want {
		c := cs[i]
		if c.Municipality != w.muni || c.Discipline != w.disc || !evNear(c.Breakdown.Total, w.total, 1e-6) || c.Breakdown.Surcharge != 0 {
			t.Errorf("contract %d = %+v, want %s %s %.6f", i, c, w.muni, w.disc, w.total)
		}
	}
	// Z joins: its bridge from its own office (distance 0) is 2,000,000 + 100,000.
	m, _ = handModel(t, func(in *Instance) { in.Municipalities[2].Participates = nil })
	if s := StandaloneCosts(m); len(s) != 3 || !evNear(s[m.MuniIndex["Z"]], 2100000, 1e-6) {
		t.Errorf("with Z participating: standalone = %v", s)
	}
}

// TestStandaloneMatchesDefinition recomputes the baseline of p-ir naively: for every
// participating municipality, its assets split by discipline, each priced from its office.
func TestStandaloneMatchesDefinition(t *testing.T) {
	m := testdataModel(t, "p-ir")
	got := StandaloneCosts(m)
	want := map[int]float64{}
	for mu := range m.Munis {
		if !m.Munis[mu].Participates {
			continue
		}
		for g := range m.Disciplines {
			var own []int
			for a := range m.Assets {
				if m.Assets[a].Muni == mu && m.Assets[a].Discipline == g {
					own = append(own, a)
				}
			}
			if len(own) > 0 {
				want[mu] += m.CostFrom(m.Munis[mu].Office, own).Total
			}
		}
	}
	if len(got) != len(want) || len(got) != 17 {
		t.Fatalf("%d standalone costs, want %d (17 participating municipalities)", len(got), len(want))
	}
	for mu, w := range want {
		if math.Abs(got[mu]-w) > 1e-6*w {
			t.Errorf("%s: standalone %.6f, want %.6f", m.Munis[mu].Code, got[mu], w)
		}
	}
}
