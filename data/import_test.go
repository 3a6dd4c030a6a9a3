package data

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

func TestParseCells(t *testing.T) {
	years := map[string]int{"1975": 1975, "1975年": 1975, "2021年度": 2021, "S50": 1975, "昭和50年": 1975, "H3": 1991,
		"平成元年": 1989, "R5": 2023, "令和5年度": 2023, "１９８８": 1988, "2001.0": 2001}
	for in, want := range years {
		if got, err := parseYear(in); err != nil || got != want {
			t.Errorf("parseYear(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"昔", "S", "1975.5", "H0"} {
		if _, err := parseYear(in); err == nil {
			t.Errorf("parseYear(%q) accepted", in)
		}
	}
	health := map[string]int{"I": 1, "ii": 2, "Ⅲ": 3, "Ⅳ": 4, "４": 4, "1": 1, "ＩＶ": 4}
	for in, want := range health {
		if got, err := parseHealth(in); err != nil || got != want {
			t.Errorf("parseHealth(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"V", "Ⅴ", "0", "5", "good"} {
		if _, err := parseHealth(in); err == nil {
			t.Errorf("parseHealth(%q) accepted", in)
		}
	}
	bools := map[string]bool{"○": true, "〇": true, "有": true, "TRUE": true, "１": true, "×": false, "": false, "無": false, "no": false}
	for in, want := range bools {
		if got, err := parseBool(in); err != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	numbers := map[string]float64{"412,000": 412000, "¥412,000": 412000, "412000円": 412000, "２３．５": 23.5, "23.5m": 23.5}
	for in, want := range numbers {
		if got, err := parseNumber(in); err != nil || got != want {
			t.Errorf("parseNumber(%q) = %g, %v; want %g", in, got, err, want)
		}
	}
}

func TestDecodeText(t *testing.T) {
	sjis, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("経度,緯度\n135.8,34.6\n"))
	for _, c := range []struct {
		in       []byte
		text     string
		encoding string
	}{
		{sjis, "経度,緯度\n135.8,34.6\n", "shift_jis"},
		{append([]byte{0xEF, 0xBB, 0xBF}, "lon,lat\n"...), "lon,lat\n", "utf-8-bom"},
		{[]byte("経度,緯度\n"), "経度,緯度\n", "utf-8"},
	} {
		text, enc, err := decodeText(c.in)
		if err != nil || text != c.text || enc != c.encoding {
			t.Errorf("decodeText(% x) = %q, %s, %v; want %q, %s", c.in[:6], text, enc, err, c.text, c.encoding)
		}
	}
}

func TestSniffImportFormat(t *testing.T) {
	for _, c := range []struct {
		body, name, ctype, want string
	}{
		{`{"result": []}`, "", "", FormatXROAD},
		{`{"type": "FeatureCollection", "features": []}`, "", "", FormatGeoJSON},
		{"\uFEFF  {\"result\": [{}]}", "", "", FormatXROAD},
		{"lon,lat\n", "", "", FormatCSV},
		{`{"result": []}`, "bridges.csv", "", FormatCSV},
		{"x", "", "application/geo+json", FormatGeoJSON},
		{"x", "towns.geojson", "", FormatGeoJSON},
	} {
		if got := SniffImportFormat([]byte(c.body), c.name, c.ctype); got != c.want {
			t.Errorf("SniffImportFormat(%q, %q, %q) = %s, want %s", c.body, c.name, c.ctype, got, c.want)
		}
	}
}

func TestStableAssetID(t *testing.T) {
	a := StableAssetID("29201", "bridge", "佐保川橋", 135.830001, 34.69)
	if a != StableAssetID("29201", "bridge", "佐保川橋", 135.830004, 34.690002) || !strings.HasPrefix(a, "29201-h") || len(a) != 17 {
		t.Errorf("StableAssetID = %q: not stable under 1 m or badly formed", a)
	}
	if a == StableAssetID("29201", "bridge", "佐保川橋", 135.8301, 34.69) || a == StableAssetID("29201", "tunnel", "佐保川橋", 135.830001, 34.69) {
		t.Error("StableAssetID ignores the position or the kind")
	}
}

// TestExplainAgreesWithEstimate: over the whole demo inventory, Explain gives the same
// figures as Estimate, a cost and a workload reason, and a reason naming each item of
// equipment (or "none needed").
func TestExplainAgreesWithEstimate(t *testing.T) {
	ds := generate(t)
	cm := DefaultCostModel()
	for _, a := range ds.Assets {
		e, err := cm.Estimate(a)
		if err != nil {
			t.Fatal(err)
		}
		x, why, err := cm.Explain(a)
		if err != nil || !reflect.DeepEqual(e, x) {
			t.Fatalf("asset %s: Explain %+v, Estimate %+v (%v)", a.ID, x, e, err)
		}
		if !strings.HasPrefix(why[0], "cost ¥") || !strings.HasPrefix(why[1], "workload ") || len(why) < 3 {
			t.Fatalf("asset %s: why %q", a.ID, why)
		}
		equipWhy := strings.Join(why[2:], "\n")
		for _, eq := range e.Equipment {
			if !strings.Contains(equipWhy, eq) {
				t.Fatalf("asset %s: no reason for %s in %q", a.ID, eq, why)
			}
		}
		if len(e.Equipment) == 0 && equipWhy != "equipment none needed" {
			t.Fatalf("asset %s without equipment: %q", a.ID, why)
		}
	}
}

// TestCostModelStore: the defaults until saved; a saved model round-trips and prices
// instances; nil restores the defaults; invalid models are refused with paths.
func TestCostModelStore(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "cm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.CostModel(ctx)
	if err != nil || !st.IsDefault || !reflect.DeepEqual(st.Model, DefaultCostModel()) {
		t.Fatalf("fresh store: %+v, %v", st, err)
	}
	cm, err := ParseCostModel([]byte(`{"damaged_factor": 1.3, "kinds": {"bridge": {"base": 100}}}`))
	if err != nil || cm.DamagedFactor != 1.3 || cm.Kinds["bridge"].Base != 100 || cm.Kinds["bridge"].PerMetre != 0 ||
		cm.Kinds["tunnel"].Base != 500_000 || cm.OverRailMax != 14_000_000 {
		t.Fatalf("ParseCostModel: %+v, %v", cm, err)
	}
	if _, err := s.PutCostModel(ctx, cm); err != nil {
		t.Fatal(err)
	}
	st, _ = s.CostModel(ctx)
	if st.IsDefault || st.UpdatedAt == "" || !reflect.DeepEqual(st.Model, cm) {
		t.Errorf("saved model read back as %+v", st)
	}
	if _, err := s.PutCostModel(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ = s.CostModel(ctx); !st.IsDefault {
		t.Error("nil did not restore the defaults")
	}
	bad := DefaultCostModel()
	bad.InspectionCycleYears = 0
	bad.Kinds["Big Bridge"] = KindCost{Base: -5, Equipment: []string{"Crane"}}
	_, err = s.PutCostModel(ctx, bad)
	want := []string{"inspection_cycle_years", "kinds.Big Bridge", "kinds.Big Bridge.base", "kinds.Big Bridge.equipment[0]"}
	if err == nil || !strings.Contains(err.Error(), "inspection_cycle_years: must be between 1 and 100 years, found 0") {
		t.Fatalf("invalid model: %v", err)
	}
	for _, p := range want {
		if !strings.Contains(err.Error(), p+": ") {
			t.Errorf("invalid model: %v lacks %s", err, p)
		}
	}
	if _, err := ParseCostModel([]byte(`{"kinds": {"bridge": {"bse": 1}}}`)); err == nil || !strings.Contains(err.Error(), "bse") {
		t.Errorf("unknown nested field: %v", err)
	}
}

// TestImportPolygonsAndRecordErrors: N03 features of one code merge into a MultiPolygon
// (islands), a feature without code is skipped, a ward is named with its city, broken
// geometries and wrong check digits are rejected with their feature and field.
func TestImportPolygonsAndRecordErrors(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "imp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sq := func(x, y float64) string {
		return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
			x, y, x+0.1, y, x+0.1, y+0.1, x, y+0.1, x, y)
	}
	fc := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"N03_001":"大阪府","N03_003":"大阪市","N03_004":"北区","N03_007":"27127"},"geometry":` + sq(135.5, 34.7) + `},
		{"type":"Feature","properties":{"N03_001":"大阪府","N03_003":"大阪市","N03_004":"北区","N03_007":"27127"},"geometry":` + sq(135.7, 34.7) + `},
		{"type":"Feature","properties":{"N03_001":"大阪府","N03_004":"所属未定地","N03_007":null},"geometry":` + sq(135.9, 34.7) + `},
		{"type":"Feature","properties":{"N03_007":"271275"},"geometry":` + sq(136.1, 34.7) + `},
		{"type":"Feature","properties":{"N03_007":"27128"},"geometry":{"type":"Polygon","coordinates":[[[135,34],[135.1,34],[135.1,34.1]]]}},
		{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[135,34],[135.1,34]]}}]}`
	rep, err := s.Import(ctx, []byte(fc), ImportOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	wantRejected := []ImportIssue{
		{Feature: 4, Field: "properties.N03_007", Reason: `municipality code "271275": check digit is 5, expected 6 (全国地方公共団体コード, mod 11)`},
		{Feature: 5, Field: "geometry", Reason: "polygon 0 has an outer ring of fewer than 4 positions"},
		{Feature: 6, Field: "geometry", Reason: "LineString: expected a Point (asset) or a Polygon/MultiPolygon (municipality boundary)"},
	}
	if rep.Format != FormatGeoJSON || rep.Records != 6 || rep.Municipalities.Created != 1 || !reflect.DeepEqual(rep.Rejected, wantRejected) ||
		len(rep.Skipped) != 1 || rep.Skipped[0].Feature != 3 {
		t.Fatalf("report %+v", rep)
	}
	m, err := s.Municipality(ctx, "27127")
	if err != nil || m.Name != "大阪市北区" || m.Prefecture != "大阪府" || !strings.Contains(string(m.Boundary), `"MultiPolygon"`) {
		t.Fatalf("27127: %+v %v", m, err)
	}
	if m.OfficeLon < 135.5 || m.OfficeLon > 135.6 || m.OfficeLat < 34.7 || m.OfficeLat > 34.8 {
		t.Errorf("office %v, %v: not inside the first of the two equal squares (the stable pick)", m.OfficeLon, m.OfficeLat)
	}
	if d, err := s.Depot(ctx, "office-27127"); err != nil || d.Kind != DepotOffice || d.Lon != m.OfficeLon {
		t.Errorf("office depot %+v %v", d, err)
	}

	xr := `{"result":[{"syogen":{"shisetsu":{"meisyou":"A橋"},"kyouchou":"12.5","fukuin":5,"kasetsu_nendo":1980,
		"kanrisya":{"kubun":4,"meisyou":"大阪市"},"gyousei_kuiki":{"shikuchouson_code":"271276"},"ichi":{"ido":34.75,"keido":135.55}},
		"tenken":{"nendo":2022,"kiroku":{"hantei_kubun":"2"}}},
		{"syogen":{"shisetsu":{"meisyou":"B橋"},"kyouchou":-3,"kanrisya":{"kubun":"5"},"gyousei_kuiki":{"shikuchouson_code":"271277"},
		"ichi":{"ido":134.75,"keido":35.55}},"tenken":{}}]}`
	rep, err = s.Import(ctx, []byte(xr), ImportOptions{})
	if !errors.Is(err, ErrImportRejected) || rep.Written || rep.Assets.Created != 1 {
		t.Fatalf("xROAD with bad records: %v, written %v", err, rep.Written)
	}
	wantRejected = []ImportIssue{
		{Feature: 2, Field: "syogen.gyousei_kuiki.shikuchouson_code", Reason: `municipality code "271277": check digit is 7, expected 6 (全国地方公共団体コード, mod 11)`},
		{Feature: 2, Field: "syogen.ichi.ido", Reason: "134.75 is outside -90…90 degrees (are longitude and latitude swapped?)"},
		{Feature: 2, Field: "syogen.kyouchou", Reason: "must be a finite number from 0 to 100000 m, found -3"},
	}
	if !reflect.DeepEqual(rep.Rejected, wantRejected) {
		t.Errorf("xROAD rejected %+v\nwant %+v", rep.Rejected, wantRejected)
	}
	if n, _ := s.CountAssets(ctx); n != 0 {
		t.Errorf("%d assets written by a rejected import", n)
	}

	// Two records without ids at the same place with the same name get the same id: the
	// second is rejected, saying why; the rejections come in file order.
	twice := "municipality,kind,name,lon,lat,health\n27127,bridge,C橋,135.55,34.75,\n27127,bridge,C橋,135.55,34.75,\n27127,bridge,D橋,135.56,34.75,V\n"
	rep, _ = s.Import(ctx, []byte(twice), ImportOptions{})
	id := StableAssetID("27127", "bridge", "C橋", 135.55, 34.75)
	wantRejected = []ImportIssue{
		{Line: 3, Asset: id, Field: "id", Reason: "asset id " + id + " repeats the one of line 2 (no id in the file: the same municipality, kind, name and position give the same id; give the records ids)"},
		{Line: 4, Field: "health", Reason: `"V": health is I, II, III, IV or 1–4`},
	}
	if !reflect.DeepEqual(rep.Rejected, wantRejected) {
		t.Errorf("rejected %+v\nwant %+v", rep.Rejected, wantRejected)
	}
}

// BenchmarkImportCSV imports the demo inventory (about 6,600 assets) as a CSV into a
// database that already holds it: every row is read, checked, compared and found
// unchanged, and checked against the boundaries.
func BenchmarkImportCSV(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.LoadDemo(ctx); err != nil {
		b.Fatal(err)
	}
	assets, _, err := s.Assets(ctx, AssetFilter{})
	if err != nil {
		b.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("id,municipality,kind,name,lon,lat,length_m,width_m,health,last_inspection_fy,over_rail,over_water\n")
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return fmt.Sprint(*p)
	}
	i := func(p *int) string {
		if p == nil {
			return ""
		}
		return fmt.Sprint(*p)
	}
	for _, a := range assets {
		fmt.Fprintf(&csv, "%s,%s,%s,%s,%v,%v,%s,%s,%s,%s,%v,%v\n", a.ID, a.Municipality, a.Kind, a.Name, a.Lon, a.Lat,
			f(a.LengthM), f(a.WidthM), i(a.Rating), i(a.LastInspectionFY), a.OverRail, a.OverWater)
	}
	body := []byte(csv.String())
	b.ResetTimer()
	for b.Loop() {
		rep, err := s.Import(ctx, body, ImportOptions{Format: FormatCSV})
		if err != nil || rep.Unchanged != len(assets) {
			b.Fatalf("%v: %+v", err, rep.Assets)
		}
	}
	b.ReportMetric(float64(len(assets)), "rows")
}
