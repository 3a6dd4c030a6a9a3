package data

import (
	"context"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// demoGoldenHash pins the demo dataset. If a deliberate change to the generator alters
// it, bump DemoName and update this hash in the same commit.
const demoGoldenHash = "e856d1e20baf24fae535a730ac6d6082ab6586652d78ade4b1bcd99d28615967"

// demoHashWithoutLastInspections is the hash of the demo with every last inspection
// cleared, the same for nara-demo-v1 (even last inspections) and v2 (waves): v2 changed
// the years alone, so asset ids, counts, positions and attributes are those of v1.
const demoHashWithoutLastInspections = "8bcf41144229580d1c6722afda8af87e3fffe9715aa572a743eff8340294dd41"

func generate(t testing.TB) *DemoDataset {
	t.Helper()
	ds, err := GenerateDemo()
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestGenerateDemoIsDeterministic(t *testing.T) {
	a, b := generate(t), generate(t)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generations differ")
	}
	if a.Hash() != b.Hash() {
		t.Fatal("two generations hash differently")
	}
}

func TestDemoGolden(t *testing.T) {
	ds := generate(t)
	if got := ds.Hash(); got != demoGoldenHash {
		t.Errorf("demo hash = %s, want %s (generator changed? bump DemoName)", got, demoGoldenHash)
	}
	if len(ds.Municipalities) != 39 {
		t.Errorf("%d municipalities, want 39", len(ds.Municipalities))
	}
	cleared := generate(t)
	for i := range cleared.Assets {
		cleared.Assets[i].LastInspectionFY = nil
	}
	if got := cleared.Hash(); got != demoHashWithoutLastInspections {
		t.Errorf("demo without last inspections hashes %s, want v1's %s: only the years may change", got, demoHashWithoutLastInspections)
	}
	if len(ds.Depots) != 39+len(demoDistricts) {
		t.Errorf("%d depots, want %d", len(ds.Depots), 39+len(demoDistricts))
	}
	byKind := map[string]int{}
	for _, a := range ds.Assets {
		byKind[a.Kind]++
	}
	want := map[string]int{"bridge": 6000, "tunnel": 110, "culvert": 140, "footbridge": 100,
		"road_furniture": 150, "sewer_plant": 30, "pump_station": 70}
	if !reflect.DeepEqual(byKind, want) {
		t.Errorf("assets by kind = %v, want %v", byKind, want)
	}
}

// Every municipality of the N03 file is in the demo with its real code and name, and
// every office and asset lies inside its municipality's outline.
func TestDemoGeography(t *testing.T) {
	ds := generate(t)
	fc, err := geojson.UnmarshalFeatureCollection(n03Nara)
	if err != nil {
		t.Fatal(err)
	}
	outline := map[string]orb.MultiPolygon{}
	names := map[string]string{}
	for _, f := range fc.Features {
		code := f.Properties["N03_007"].(string)
		names[code] = f.Properties["N03_004"].(string)
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			outline[code] = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			outline[code] = g
		}
	}
	var prefecture orb.MultiPolygon
	for _, m := range ds.Municipalities {
		if names[m.Code] != m.Name || m.Prefecture != "奈良県" {
			t.Errorf("municipality %s %s (%s), N03 says %s", m.Code, m.Name, m.Prefecture, names[m.Code])
		}
		if !planar.MultiPolygonContains(outline[m.Code], orb.Point{m.OfficeLon, m.OfficeLat}) {
			t.Errorf("office of %s %s lies outside its outline", m.Code, m.Name)
		}
		if m.Region == "" || len(m.Boundary) == 0 {
			t.Errorf("municipality %s lacks a region or boundary", m.Code)
		}
		prefecture = append(prefecture, outline[m.Code]...)
	}
	for _, d := range demoDistricts {
		if !planar.MultiPolygonContains(prefecture, orb.Point{d.Lon, d.Lat}) {
			t.Errorf("district office %s lies outside Nara prefecture", d.ID)
		}
	}
	ids := map[string]bool{}
	for _, a := range ds.Assets {
		if ids[a.ID] {
			t.Errorf("asset id %s repeats", a.ID)
		}
		ids[a.ID] = true
		if !planar.MultiPolygonContains(outline[a.Municipality], orb.Point{a.Lon, a.Lat}) {
			t.Errorf("asset %s lies outside municipality %s", a.ID, a.Municipality)
		}
	}
}

// The attribute distributions match DOMAIN.md: most bridges shorter than 15 m, about 7 %
// rated III or IV, last inspections in waves per municipality (demoWaves), and the wide
// mountain villages hold more bridges than their population suggests.
func TestDemoDistributions(t *testing.T) {
	ds := generate(t)
	var bridges, short, damaged, rail, water int
	byFY := map[int]int{}
	perMuni := map[string]int{}
	muniFY := map[string]map[int]int{}
	muniAssets := map[string]int{}
	for _, a := range ds.Assets {
		if a.LastInspectionFY == nil {
			t.Fatalf("asset %s has no last inspection", a.ID)
		}
		byFY[*a.LastInspectionFY]++
		if muniFY[a.Municipality] == nil {
			muniFY[a.Municipality] = map[int]int{}
		}
		muniFY[a.Municipality][*a.LastInspectionFY]++
		muniAssets[a.Municipality]++
		if a.Kind != "bridge" {
			continue
		}
		bridges++
		perMuni[a.Municipality]++
		if *a.LengthM < 15 {
			short++
		}
		if *a.Rating >= 3 {
			damaged++
		}
		if a.OverRail {
			rail++
		}
		if a.OverWater {
			water++
		}
		if *a.LengthM < 2 || *a.WidthM <= 0 || *a.YearBuilt < 1925 || *a.YearBuilt > 2022 {
			t.Errorf("bridge %s: implausible attributes %+v", a.ID, a)
		}
	}
	frac := func(n int) float64 { return float64(n) / float64(bridges) }
	if f := frac(short); f < 0.78 || f > 0.88 {
		t.Errorf("bridges shorter than 15 m: %.3f, want 0.78–0.88", f)
	}
	if f := frac(damaged); f < 0.06 || f > 0.085 {
		t.Errorf("bridges rated III/IV: %.3f, want 0.06–0.085", f)
	}
	if rail < 10 || water < bridges/2 {
		t.Errorf("over rail %d, over water %d of %d bridges", rail, water, bridges)
	}
	if len(byFY) != 5 {
		t.Errorf("last inspections in %d fiscal years, want FY2021–25: %v", len(byFY), byFY)
	}
	// The prefecture's years differ (waves do not cancel out) but none is empty.
	for fy := DemoFirstInspectionFY; fy < DemoFirstInspectionFY+5; fy++ {
		if f := float64(byFY[fy]) / float64(len(ds.Assets)); f < 0.10 || f > 0.30 {
			t.Errorf("FY%d holds %.3f of the last inspections, want 0.10–0.30", fy, f)
		}
	}
	// Each municipality of 20 assets or more inspected in waves: its busiest year holds
	// at least 40 % of its assets (the main wave is 45–60 % plus its part of the even
	// rest), its quietest at most 10 %; and the main waves fall in different years.
	busiest := map[int]bool{}
	for code, years := range muniFY {
		most, least, at := 0, muniAssets[code], 0
		for fy := DemoFirstInspectionFY; fy < DemoFirstInspectionFY+5; fy++ {
			if years[fy] > most {
				most, at = years[fy], fy
			}
			least = min(least, years[fy])
		}
		busiest[at] = true
		n := float64(muniAssets[code])
		if muniAssets[code] >= 20 && (float64(most) < 0.40*n || float64(least) > 0.10*n) {
			t.Errorf("%s: %d assets, last inspections %v: no wave", code, muniAssets[code], years)
		}
	}
	if len(busiest) < 4 {
		t.Errorf("the municipalities' main waves fall in %d fiscal years only", len(busiest))
	}
	// 十津川村 (≈ 3,000 people, the widest village in Japan) against 橿原市 (≈ 120,000).
	perCapita := func(code string) float64 { return float64(perMuni[code]) / float64(demoPlaces[code].population) }
	if perMuni["29449"] <= perMuni["29205"] || perCapita("29449") < 20*perCapita("29205") {
		t.Errorf("十津川村 %d bridges, 橿原市 %d: mountain villages should hold more", perMuni["29449"], perMuni["29205"])
	}
}

func TestApportion(t *testing.T) {
	// 10 split 1:1:1 → 3.33 each, the first remainder wins the extra unit.
	if got := apportion(10, []float64{1, 1, 1}); !reflect.DeepEqual(got, []int{4, 3, 3}) {
		t.Errorf("apportion(10, 1:1:1) = %v", got)
	}
	// 7 split 0.5:0.3:0.2 → 3.5, 2.1, 1.4: floors 3, 2, 1; the largest remainder (0.5) gets the 7th.
	if got := apportion(7, []float64{0.5, 0.3, 0.2}); !reflect.DeepEqual(got, []int{4, 2, 1}) {
		t.Errorf("apportion(7, .5:.3:.2) = %v", got)
	}
}

func TestLoadDemoOnceAndRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	loaded, err := s.LoadDemo(ctx)
	if err != nil || !loaded {
		t.Fatalf("first LoadDemo = %v, %v; want true", loaded, err)
	}
	loaded, err = s.LoadDemo(ctx)
	if err != nil || loaded {
		t.Fatalf("second LoadDemo = %v, %v; want false (inventory not empty)", loaded, err)
	}
	ds := generate(t)
	if meta, _ := s.Meta(ctx, "demo"); meta != DemoName+" "+ds.Hash() {
		t.Errorf("meta demo = %q", meta)
	}
	assets, total, err := s.Assets(ctx, AssetFilter{})
	if err != nil || total != len(ds.Assets) {
		t.Fatalf("Assets: %d, %v; want %d", total, err, len(ds.Assets))
	}
	want := map[string]Asset{}
	for _, a := range ds.Assets {
		want[a.ID] = a
	}
	for i, a := range assets {
		if i > 0 && assets[i-1].ID >= a.ID {
			t.Fatalf("assets not ordered by id at %d", i)
		}
		if !reflect.DeepEqual(a, want[a.ID]) {
			t.Fatalf("asset %s read back as %+v, stored %+v", a.ID, a, want[a.ID])
		}
	}
	munis, err := s.Municipalities(ctx, true)
	if err != nil || !reflect.DeepEqual(munis, ds.Municipalities) {
		t.Errorf("municipalities do not round-trip (err %v)", err)
	}
	depots, err := s.Depots(ctx)
	if err != nil || !reflect.DeepEqual(depots, ds.Depots) {
		t.Errorf("depots do not round-trip (err %v)", err)
	}
	page, total, err := s.Assets(ctx, AssetFilter{Municipality: "294497", Kind: "tunnel", Limit: 5, Offset: 5})
	wantTotal := 0
	for _, a := range ds.Assets {
		if a.Municipality == "29449" && a.Kind == "tunnel" {
			wantTotal++
		}
	}
	if err != nil || total != wantTotal || len(page) != 5 || page[0].ID != "29449-TN0006" {
		t.Errorf("tunnels of 十津川村, page 2: %d of %d (%v), want 5 of %d from 29449-TN0006", len(page), total, err, wantTotal)
	}
}

func BenchmarkGenerateDemo(b *testing.B) {
	for b.Loop() {
		generate(b)
	}
}

func BenchmarkLoadDemo(b *testing.B) {
	for b.Loop() {
		s, err := Open(context.Background(), b.TempDir()+"/bench.db")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.LoadDemo(context.Background()); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
