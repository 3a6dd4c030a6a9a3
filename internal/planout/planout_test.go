package planout

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tabane/tabane/solver"
)

func report(bundles ...solver.BundleReport) *solver.Report {
	return &solver.Report{Instance: "toy", Bundles: bundles}
}

// TestCompare: an asset moved when its depot differs or it is in one plan only; a bundle
// renamed under the same depot is no move.
func TestCompare(t *testing.T) {
	a := report(solver.BundleReport{ID: "B1", Depot: "d1", Assets: []string{"x", "y"}}, solver.BundleReport{ID: "B2", Depot: "d2", Assets: []string{"z"}})
	b := report(solver.BundleReport{ID: "C9", Depot: "d1", Assets: []string{"x"}}, solver.BundleReport{ID: "C1", Depot: "d2", Assets: []string{"y", "w"}})
	got, err := json.Marshal(Compare(a, b))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"asset":"w","from":null,"to":"C1","from_depot":null,"to_depot":"d2"},` +
		`{"asset":"y","from":"B1","to":"C1","from_depot":"d1","to_depot":"d2"},` +
		`{"asset":"z","from":"B2","to":null,"from_depot":"d2","to_depot":null}]`
	if string(got) != want {
		t.Errorf("moved\n got %s\nwant %s", got, want)
	}
	if m := Compare(a, a); len(m) != 0 || m == nil {
		t.Errorf("a plan against itself: %v, want an empty list", m)
	}
}

// TestSharesAndCSV: shares by code with saving and IR flag; the CSV names each asset's
// contract, municipality and kind.
func TestSharesAndCSV(t *testing.T) {
	rep := report(solver.BundleReport{ID: "B1", Depot: "d1", Assets: []string{"a1", "a2"}})
	rep.Standalone = map[string]float64{"29342": 400, "29343": 100}
	rep.Shares = map[string]float64{"29342": 300, "29343": 125}
	rep.IRViolations = []string{"29343"}
	inst := &solver.Instance{Municipalities: []solver.Municipality{{Code: "29342", Name: "平群町"}, {Code: "29343", Name: "三郷町"}},
		Assets: []solver.Asset{{ID: "a1", Municipality: "29342", Kind: "bridge"}, {ID: "a2", Municipality: "29343", Kind: "tunnel"}}}
	want := []Share{{Code: "29342", Name: "平群町", Standalone: 400, Share: 300, Saving: 100, SavingPct: 25},
		{Code: "29343", Name: "三郷町", Standalone: 100, Share: 125, Saving: -25, SavingPct: -25, IRViolation: true}}
	if got := Shares(rep, inst); !reflect.DeepEqual(got, want) {
		t.Errorf("shares %+v, want %+v", got, want)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rep, inst, func(lot, asset string) string { return "2027" }); err != nil {
		t.Fatal(err)
	}
	if want := "asset_id,name,municipality,municipality_name,kind,lon,lat,cost,fy,lot,depot\n" +
		"a1,,29342,平群町,bridge,0,0,0,2027,B1,d1\na2,,29343,三郷町,tunnel,0,0,0,2027,B1,d1\n"; buf.String() != want {
		t.Errorf("csv %q, want %q", buf.String(), want)
	}
}

// TestProgrammeGeoJSON: a programme plan's features carry fy (an asset's inspection year,
// null when it is in no lot; a lot's block start on its outline and depot); a one-year
// plan's carry none.
func TestProgrammeGeoJSON(t *testing.T) {
	rep := report(solver.BundleReport{ID: "L1", Depot: "d1", Assets: []string{"a1"}})
	inst := &solver.Instance{Depots: []solver.Depot{{ID: "d1", Lon: 135.8, Lat: 34.6}},
		Assets: []solver.Asset{{ID: "a1", Lon: 135.81, Lat: 34.61}, {ID: "a2", Lon: 135.82, Lat: 34.62}}}
	fyOf := func(b []byte) map[string]any {
		var fc struct {
			Features []struct {
				ID         string         `json:"id"`
				Properties map[string]any `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		out := map[string]any{}
		for _, f := range fc.Features {
			if fy, ok := f.Properties["fy"]; ok {
				out[f.ID] = fy
			}
		}
		return out
	}
	b, err := ProgrammeGeoJSON(rep, inst, ProgrammeYears{Lots: map[string]int{"L1": 2027}, Schedule: map[string]int{"a1": 2028}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"outline-L1": 2027.0, "depot-d1": 2027.0, "a1": 2028.0, "a2": nil}
	if got := fyOf(b); !reflect.DeepEqual(got, want) {
		t.Errorf("programme fy %v, want %v", got, want)
	}
	if b, err = GeoJSON(rep, inst); err != nil || len(fyOf(b)) != 0 {
		t.Errorf("one-year plan: fy on %v (%v), want none", fyOf(b), err)
	}
}
