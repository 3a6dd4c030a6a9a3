package whatif

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// prefectures writes tiny.json as prefs/NAME.json for each name, the municipality
// 29001 renamed in each (synthetic instances reuse codes), and the batch text.
func prefectures(t *testing.T, text string, names ...string) (dir, batch string) {
	t.Helper()
	dir = t.TempDir()
	raw, err := os.ReadFile("testdata/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "prefs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		inst := strings.Replace(string(raw), `"name":"町01"`, `"name":"町01-`+n+`"`, 1)
		if inst == string(raw) {
			t.Fatal("tiny.json has no municipality 町01")
		}
		if err := os.WriteFile(filepath.Join(dir, "prefs", n+".json"), []byte(inst), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	batch = filepath.Join(dir, "batch.yaml")
	if err := os.WriteFile(batch, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, batch
}

func loadBases(t *testing.T, batch string) (*Batch, []NamedBase, error) {
	t.Helper()
	raw, err := os.ReadFile(batch)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(raw, batch)
	if err != nil {
		return nil, nil, err
	}
	bases, err := b.LoadBases(context.Background(), nil)
	return b, bases, err
}

func TestBasesCrossVariations(t *testing.T) {
	dir, batch := prefectures(t, `
name: many
bases: prefs/*.json
solver: {time_limit: 60s, seed: 7, max_iterations: 100}
variations:
  - name: today
  - name: fixed-3m
    set: {params.contract_fixed_cost: 3000000}
`, "saitama", "nara")
	b, bases, err := loadBases(t, batch)
	if err != nil {
		t.Fatal(err)
	}
	// The glob's matches sorted: nara before saitama.
	if len(bases) != 2 || bases[0].Name != "nara" || bases[1].Name != "saitama" ||
		bases[0].File != filepath.Join(dir, "prefs", "nara.json") || bases[0].Instance.Municipalities[0].Name != "町01-nara" {
		t.Fatalf("bases %+v", bases)
	}
	vars, err := b.ExpandBases(bases)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, v := range vars {
		names = append(names, v.Name)
		if v.Index != i+1 || v.Overrides[0] != (Assignment{Key: BaseKey, Value: bases[i/2].Name, Grid: true}) {
			t.Errorf("variation %d: index %d, overrides %v", i+1, v.Index, v.Overrides)
		}
	}
	if want := []string{"nara/today", "nara/fixed-3m", "saitama/today", "saitama/fixed-3m"}; !equalStrings(names, want) {
		t.Errorf("names %v, want %v", names, want)
	}
	// Each base's own instance: the renamed municipality shows which.
	if vars[2].Instance.Municipalities[0].Name != "町01-saitama" || vars[1].Instance.Params.ContractFixedCost != 3e6 {
		t.Errorf("variation 3 on %s; variation 2 fixed cost %v", vars[2].Instance.Municipalities[0].Name, vars[1].Instance.Params.ContractFixedCost)
	}
	// The tables: base names joined; 29001 named differently in the two stays a code.
	o := BasesOutput(Ja, "many", bases)
	if o.Base != "nara, saitama" || o.Names["29003"] != "町02" || o.Label(BaseKey) != "基準データ" {
		t.Errorf("output %q %q %q", o.Base, o.Names["29003"], o.Label(BaseKey))
	}
	if n, ok := o.Names["29001"]; ok {
		t.Errorf("29001 is named %q in one of two bases", n)
	}

	// A list of files names them in its order; a file twice counts once.
	if err := os.WriteFile(batch, []byte("bases: [prefs/saitama.json, prefs/nara.json, prefs/saitama.json]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, bases, err = loadBases(t, batch); err != nil || len(bases) != 2 || bases[0].Name != "saitama" || bases[1].Name != "nara" {
		t.Errorf("list: %+v %v", bases, err)
	}
}

func TestBasesProblems(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"base: a.json\nbases: [b.json]\n", "B: bases (line 2): name either base (one instance) or bases (several), not both"},
		{"bases: []\n", "B: bases (line 1): expected an instance file, a glob or a non-empty list of them (bases: [nara.json, saitama.json])"},
		{"bases: [prefs/nara.json, 3]\n", "B: bases[1] (line 1): expected the name of an instance file or a glob such as prefectures/*.json"},
		{"bases: other/*.json\n", `bases: "D/other/*.json" matches no file`},
		{"bases: [prefs/nara.json, prefs/kyoto.json]\n", "bases: stat D/prefs/kyoto.json: no such file or directory"},
		// A variation that cannot run on one base is named with it.
		{"bases: prefs/*.json\nvariations:\n  - name: no-town\n    without: [町01-nara]\n",
			`variation "saitama/no-town": without: municipality "町01-nara" is not in the instance (neither a code nor a name)`},
	} {
		dir, batch := prefectures(t, c.text, "nara", "saitama")
		b, bases, err := loadBases(t, batch)
		if err == nil {
			_, err = b.ExpandBases(bases)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(c.want, "B:", batch+":"), "D/", dir+"/")
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n%v\nwant\n%s", c.text, err, want)
		}
		var be *BatchError
		if strings.HasPrefix(c.want, "variation") && (!errors.As(err, &be) || be.Problems[0].Path != "without") {
			t.Errorf("%q: not a BatchError at without: %#v", c.text, err)
		}
	}
}
