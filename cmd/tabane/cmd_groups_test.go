package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tabane/tabane/geo"
)

const naraBoundaries = "../../geo/testdata/N03-21_29_210101.json"

func runGroupsCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), append([]string{"groups"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

type groupsFC struct {
	Type     string `json:"type"`
	Features []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type string `json:"type"`
		} `json:"geometry"`
		Properties struct {
			ID      string   `json:"id"`
			Members []string `json:"members"`
			Names   []string `json:"names"`
			Weight  float64  `json:"weight"`
		} `json:"properties"`
	} `json:"features"`
}

func readGroupsFC(t *testing.T, path string) groupsFC {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc groupsFC
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	return fc
}

func TestGroupsCLINaraK(t *testing.T) {
	dir := t.TempDir()
	out, img := filepath.Join(dir, "g.geojson"), filepath.Join(dir, "g.png")
	code, stdout, stderr := runGroupsCLI(t, "--boundaries", naraBoundaries, "--k", "5", "--seed", "1", "-o", out, "--png", img, "--png-width", "600")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"39 municipalities, 94 neighbour pairs from the boundaries (2 corner touches left out)",
		"5 groups, weight = municipalities, total 39", "G05", "十津川村"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	fc := readGroupsFC(t, out)
	if fc.Type != "FeatureCollection" || len(fc.Features) != 5 {
		t.Fatalf("%s: %d features", out, len(fc.Features))
	}
	var codes []string
	total := 0.0
	for i, f := range fc.Features {
		if f.Geometry.Type != "Polygon" || f.Properties.ID != geo.GroupID(i) || len(f.Properties.Names) != len(f.Properties.Members) {
			t.Errorf("feature %d: %+v", i, f)
		}
		codes = append(codes, f.Properties.Members...)
		total += f.Properties.Weight
	}
	sort.Strings(codes)
	if len(codes) != 39 || codes[0] != "29201" || codes[38] != "29453" || total != 39 {
		t.Errorf("members %v, total weight %v", codes, total)
	}
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil || m.Bounds().Dx() != 600 {
		t.Errorf("map: %v %v", err, m.Bounds())
	}
}

func TestGroupsCLIInstanceWeights(t *testing.T) {
	inst := `{"version":1,"name":"three","params":{"contract_fixed_cost":2000000,"travel_cost_per_km":400},
 "municipalities":[
  {"code":"29201","name":"奈良市","office":{"lon":135.8049,"lat":34.6851}},
  {"code":"29203","name":"大和郡山市","office":{"lon":135.7828,"lat":34.6494}},
  {"code":"29204","name":"天理市","office":{"lon":135.8374,"lat":34.5965}},
  {"code":"29999","name":"架空村","office":{"lon":135.9,"lat":34.5}},
  {"code":"29209","name":"生駒市","participates":false,"office":{"lon":135.7003,"lat":34.6919}}],
 "assets":[
  {"id":"a1","municipality":"29201","kind":"bridge","lon":135.81,"lat":34.68,"cost":1000000,"workload":30},
  {"id":"a2","municipality":"29201","kind":"bridge","lon":135.82,"lat":34.69,"cost":500000,"workload":12.5},
  {"id":"a3","municipality":"29203","kind":"bridge","lon":135.78,"lat":34.65,"cost":700000,"workload":20},
  {"id":"a4","municipality":"29204","kind":"tunnel","lon":135.84,"lat":34.60,"cost":900000,"workload":22.5}]}`
	path := writeTemp(t, "inst.json", inst)
	out := filepath.Join(t.TempDir(), "g.geojson")
	code, stdout, stderr := runGroupsCLI(t, "--boundaries", naraBoundaries, "--instance", path, "--by", "workload", "--k", "2", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: municipality 29999 架空村 has no boundary: left out of the groups") {
		t.Errorf("stderr %q", stderr)
	}
	if !strings.Contains(stdout, "3 municipalities, 3 neighbour pairs") || !strings.Contains(stdout, "total 85") {
		t.Errorf("stdout:\n%s", stdout)
	}
	// 奈良市 (42.5) alone against 大和郡山市 + 天理市 (42.5): a perfect balance, and the
	// only contiguous one (大和郡山市 and 天理市 touch each other as well as 奈良市).
	fc := readGroupsFC(t, out)
	if len(fc.Features) != 2 || fc.Features[0].Properties.Weight != 42.5 || fc.Features[1].Properties.Weight != 42.5 ||
		strings.Join(fc.Features[0].Properties.Members, ",") != "29201" {
		t.Errorf("groups %+v", fc.Features)
	}
	code, stdout, _ = runGroupsCLI(t, "--boundaries", naraBoundaries, "--instance", path, "--by", "assets", "--floor", "1", "--cap", "2")
	if code != 0 || !strings.Contains(stdout, "3 groups, weight = assets, total 4") {
		t.Errorf("max-p by assets: exit %d\n%s", code, stdout)
	}
}

func TestGroupsCLIInfeasibleAndUsage(t *testing.T) {
	code, _, stderr := runGroupsCLI(t, "--boundaries", naraBoundaries, "--floor", "1", "--cap", "0.5")
	if code != 1 || !strings.Contains(stderr, "region 29201 weighs 1, more than the cap 0.5") {
		t.Errorf("infeasible: exit %d, %q", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--k", "3"}, "--boundaries is required"},
		{[]string{"--boundaries", naraBoundaries}, "give exactly one of --k N or --floor X"},
		{[]string{"--boundaries", naraBoundaries, "--k", "3", "--floor", "2"}, "give exactly one of --k N or --floor X"},
		{[]string{"--boundaries", naraBoundaries, "--k", "3", "--by", "length"}, "--by must be workload, value or assets"},
		{[]string{"--boundaries", naraBoundaries, "--k", "3", "--islands", "sink"}, "--islands must be connect or leave"},
		{[]string{"--boundaries", "nowhere.geojson", "--k", "3"}, "nowhere.geojson: cannot read the boundaries"},
		{[]string{"--boundaries", naraBoundaries, "--k", "40"}, "k = 40 groups asked for 39 regions"},
	} {
		code, _, stderr := runGroupsCLI(t, tc.args...)
		want := 2
		if strings.HasPrefix(tc.want, "k = ") {
			want = 1
		}
		if code != want || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, want, tc.want)
		}
	}
}

func TestGroupsCLIDemo(t *testing.T) {
	code, stdout, stderr := runGroupsCLI(t, "--demo", "--fy", "2027", "--by", "assets", "--floor", "150", "--cap", "600")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "39 municipalities, 94 neighbour pairs") || !strings.Contains(stdout, "weight = assets") {
		t.Errorf("stdout:\n%s", stdout)
	}
	code, _, stderr = runGroupsCLI(t, "--demo", "--boundaries", naraBoundaries, "--k", "2")
	if code != 2 || !strings.Contains(stderr, "--demo brings its own boundaries") {
		t.Errorf("--demo with --boundaries: exit %d %q", code, stderr)
	}
}

func TestGroupsCLIIslands(t *testing.T) {
	// Two neighbouring squares and an island 0.1° east of them.
	sq := func(code string, x0 float64) string {
		return `{"type":"Feature","properties":{"N03_004":"` + code + `町","N03_007":"` + code + `"},"geometry":{"type":"Polygon","coordinates":[[[` +
			strconv.FormatFloat(x0, 'f', -1, 64) + `,34],[` + strconv.FormatFloat(x0+0.1, 'f', -1, 64) + `,34],[` +
			strconv.FormatFloat(x0+0.1, 'f', -1, 64) + `,34.1],[` + strconv.FormatFloat(x0, 'f', -1, 64) + `,34.1],[` +
			strconv.FormatFloat(x0, 'f', -1, 64) + `,34]]]}}`
	}
	path := writeTemp(t, "islands.geojson", `{"type":"FeatureCollection","features":[`+sq("99001", 135)+`,`+sq("99002", 135.1)+`,`+sq("99003", 135.3)+`]}`)
	code, stdout, stderr := runGroupsCLI(t, "--boundaries", path, "--k", "1")
	if code != 0 || !strings.Contains(stdout, "bridged 99002 99002町 – 99003 99003町 across 9.2 km (island or exclave)") {
		t.Errorf("connect: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runGroupsCLI(t, "--boundaries", path, "--k", "1", "--islands", "leave")
	if code != 1 || !strings.Contains(stdout, "2 separate pieces") || !strings.Contains(stderr, "k = 1 but the adjacency graph has 2 connected components") {
		t.Errorf("leave: exit %d\n%s%s", code, stdout, stderr)
	}
}
