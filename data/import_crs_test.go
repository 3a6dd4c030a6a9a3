package data

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/tabane/tabane/geo"
)

// gsiIX is a published control figure: GSI's conversion service "平面直角座標への換算"
// (vldb.gsi.go.jp/sokuchi/surveycalc/surveycalc/bl2xyh.html), as quoted by
// blog.dpto.jp/gis/xy/, gives for 35.699202942274219 N, 139.75777911599519 E in zone IX
// X = -33369.3352 m (northing), Y = -6837.3391 m (easting). A transverse Mercator
// depends only on the longitude from the central meridian, so the same offsets give the
// point 0.0755542… degrees west of the meridian in every zone whose origin is at 36 N
// (III and V–IX).
var gsiIX = struct{ lat, dlon, northX, eastY float64 }{
	lat: 35.699202942274219, dlon: 139.75777911599519 - (139 + 50.0/60), northX: -33369.3352, eastY: -6837.3391,
}

func TestParseImportCRS(t *testing.T) {
	name := func(n string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"type":"name","properties":{"name":%q}}`, n))
	}
	for _, tc := range []struct {
		raw   json.RawMessage
		title string // "" with want nil
		err   string
	}{
		{raw: nil},
		{raw: json.RawMessage("null")},
		{raw: name("urn:ogc:def:crs:OGC:1.3:CRS84"), title: "WGS84"},
		{raw: name("EPSG:4326"), title: "WGS84"},
		{raw: name("urn:ogc:def:crs:EPSG::6668"), title: "EPSG:6668 (JGD2011)"},
		{raw: name("urn:ogc:def:crs:EPSG::4612"), title: "EPSG:4612 (JGD2000)"},
		{raw: name("urn:ogc:def:crs:EPSG::6674"), title: "EPSG:6674 (JGD2011 / Japan Plane Rectangular CS VI)"},
		{raw: name("EPSG:6674"), title: "EPSG:6674 (JGD2011 / Japan Plane Rectangular CS VI)"},
		{raw: name("urn:ogc:def:crs:EPSG:6.3:6669"), title: "EPSG:6669 (JGD2011 / Japan Plane Rectangular CS I)"},
		{raw: name("EPSG:6687"), title: "EPSG:6687 (JGD2011 / Japan Plane Rectangular CS XIX)"},
		{raw: name("EPSG:2443"), title: "EPSG:2443 (JGD2000 / Japan Plane Rectangular CS I)"},
		{raw: name("EPSG:2461"), title: "EPSG:2461 (JGD2000 / Japan Plane Rectangular CS XIX)"},
		{raw: name("EPSG:6688"), err: `crs "EPSG:6688" (EPSG:6688) is not supported: use WGS84, JGD2011 or JGD2000 degrees or a Japan Plane Rectangular zone (EPSG:6669–6687, 2443–2461)`},
		{raw: name("EPSG:3857"), err: `crs "EPSG:3857" (EPSG:3857) is not supported`},
		{raw: name("EPSG:4301"), err: `crs "EPSG:4301" (Tokyo datum) is not supported: its shift to JGD2011 (several hundred metres) needs the TKY2JGD grid`},
		{raw: name("EPSG:30169"), err: `crs "EPSG:30169" (Tokyo datum) is not supported`},
		{raw: name("OGC:foo"), err: `crs "OGC:foo" is not supported`},
		{raw: json.RawMessage(`{"type":"link","properties":{"href":"x"}}`), err: `crs: type "link" is not supported`},
		{raw: json.RawMessage(`"EPSG:6674"`), err: `crs: expected {"type":"name"`},
	} {
		c, err := ParseImportCRS(tc.raw)
		switch {
		case tc.err != "":
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q…", tc.raw, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.raw, err)
		case tc.title == "" && c != nil:
			t.Errorf("%s: %+v, want nil (WGS84)", tc.raw, c)
		case tc.title != "" && (c == nil || c.Title != tc.title):
			t.Errorf("%s: %+v, want %q", tc.raw, c, tc.title)
		}
	}
}

// TestPlaneZones: the origin of each of the 19 zones of both datums is its (0, 0); the
// GSI control figure lands within 1 m in zones IX and VI (and the axis order matters:
// the survey X is the northing, GeoJSON's second number).
func TestPlaneZones(t *testing.T) {
	at := func(code int, east, north float64) orb.Point {
		t.Helper()
		c, err := ParseImportCRS(json.RawMessage(fmt.Sprintf(`{"type":"name","properties":{"name":"EPSG:%d"}}`, code)))
		if err != nil {
			t.Fatal(err)
		}
		g, why := c.Geometry(orb.Point{east, north})
		if why != "" {
			t.Fatal(why)
		}
		return g.(orb.Point)
	}
	for i, z := range planeZones {
		for _, code := range []int{epsgJGD2011PlaneI + i, epsgJGD2000PlaneI + i} {
			// 1e-8 degrees is about a millimetre: the series' own rounding.
			if p := at(code, 0, 0); math.Abs(p[0]-z.lon) > 1e-8 || math.Abs(p[1]-z.lat) > 1e-8 {
				t.Errorf("EPSG:%d origin → %v, want [%v %v]", code, p, z.lon, z.lat)
			}
		}
	}
	for _, tc := range []struct {
		code   int
		meridN float64
	}{{6677, 139 + 50.0/60}, {6674, 136}, {2451, 139 + 50.0/60}} {
		p := at(tc.code, gsiIX.eastY, gsiIX.northX)
		if d := geo.HaversineKm(p[0], p[1], tc.meridN+gsiIX.dlon, gsiIX.lat) * 1000; d > 1 {
			t.Errorf("EPSG:%d control point → %v, %.3f m from the published position", tc.code, p, d)
		}
		swapped := at(tc.code, gsiIX.northX, gsiIX.eastY)
		if d := geo.HaversineKm(swapped[0], swapped[1], tc.meridN+gsiIX.dlon, gsiIX.lat); d < 30 {
			t.Errorf("EPSG:%d [northing, easting] lands %.1f km from the point: the axis order is not tested", tc.code, d)
		}
	}
	c, _ := ParseImportCRS(json.RawMessage(`{"type":"name","properties":{"name":"EPSG:6674"}}`))
	if _, why := c.Geometry(orb.LineString{{0, 0}, {136.5, 1.5e6}}); why != "position [136.5, 1.5e+06] is not [easting, northing] metres within 1000 km of the origin of EPSG:6674 (JGD2011 / Japan Plane Rectangular CS VI)" {
		t.Errorf("far position: %q", why)
	}
}

// TestImportEPSG6674 imports a GeoJSON in zone VI metres — a boundary square and an
// asset at the GSI control figure — and finds the asset within 1 m of the published
// position, inside its boundary (no ownership flag).
func TestImportEPSG6674(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	fc := `{"type":"FeatureCollection","name":"zone6",
	"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::6674"}},
	"features":[
	{"type":"Feature","properties":{"N03_001":"福井県","N03_004":"若狭町","N03_007":"18501"},
	 "geometry":{"type":"Polygon","coordinates":[[[-10000,-40000],[0,-40000],[0,-30000],[-10000,-30000],[-10000,-40000]]]}},
	{"type":"Feature","id":"b1","properties":{"municipality":"18501","kind":"bridge","name":"基準橋","length_m":20},
	 "geometry":{"type":"Point","coordinates":[-6837.3391,-33369.3352]}}]}`
	rep, err := s.Import(ctx, []byte(fc), ImportOptions{})
	if err != nil {
		t.Fatalf("import: %v %+v", err, rep)
	}
	if rep.CRS != "EPSG:6674 (JGD2011 / Japan Plane Rectangular CS VI)" || rep.Assets.Created != 1 || rep.Municipalities.Created != 1 || len(rep.Flagged) != 0 {
		t.Fatalf("report %+v", rep)
	}
	a, err := s.Asset(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if d := geo.HaversineKm(a.Lon, a.Lat, 136+gsiIX.dlon, gsiIX.lat) * 1000; d > 1 {
		t.Errorf("asset at %v, %v: %.3f m from the published position", a.Lon, a.Lat, d)
	}

	// The user's file without a crs is refused as degrees; an unknown crs names itself.
	noCRS := strings.Replace(fc, `"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::6674"}},`, "", 1)
	if rep, err := s.Import(ctx, []byte(noCRS), ImportOptions{DryRun: true}); !errors.Is(err, ErrImportRejected) || rep.RejectedCount != 2 {
		t.Errorf("without crs: %v, %d rejected", err, rep.RejectedCount)
	}
	other := strings.Replace(fc, "EPSG::6674", "EPSG::32654", 1)
	var fe *ImportFileError
	if _, err := s.Import(ctx, []byte(other), ImportOptions{}); !errors.As(err, &fe) || !strings.Contains(fe.Msg, `crs "urn:ogc:def:crs:EPSG::32654" (EPSG:32654) is not supported`) {
		t.Errorf("UTM 54N: %v", err)
	}
}

// TestImportCodes takes one municipality out of a two-municipality N03 file and
// refuses a code the file does not have, by name.
func TestImportCodes(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	sq := func(x float64) string {
		return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,34],[%g,34],[%g,34.1],[%g,34.1],[%g,34]]]}`, x, x+0.1, x+0.1, x, x)
	}
	fc := `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"N03_004":"奈良市","N03_007":"29201"},"geometry":` + sq(135.8) + `},
		{"type":"Feature","properties":{"N03_004":"大和高田市","N03_007":"29202"},"geometry":` + sq(135.7) + `},
		{"type":"Feature","properties":{"N03_004":"大和高田市","N03_007":"29202"},"geometry":` + sq(135.6) + `}]}`
	rep, err := s.Import(ctx, []byte(fc), ImportOptions{Codes: []string{"292010"}}) // 6 digits with the check digit
	if err != nil {
		t.Fatal(err)
	}
	if rep.Municipalities.Created != 1 || rep.NotSelected != 2 || rep.Records != 3 {
		t.Fatalf("report %+v", rep)
	}
	if _, err := s.Municipality(ctx, "29202"); err == nil {
		t.Error("29202 was imported though not selected")
	}
	_, err = s.Import(ctx, []byte(fc), ImportOptions{Codes: []string{"29201", "29999", "27100"}})
	var fe *ImportFileError
	if !errors.As(err, &fe) || fe.Msg != "codes: 27100, 29999 not in the file (it has 2 municipalities: 29201 奈良市, 29202 大和高田市)" {
		t.Errorf("unknown codes: %v", err)
	}
	if _, err := s.Import(ctx, []byte(fc), ImportOptions{Codes: []string{"2920"}}); !errors.As(err, &fe) || !strings.HasPrefix(fe.Msg, `codes: municipality code "2920": must be 5 or 6 digits`) {
		t.Errorf("short code: %v", err)
	}
	if _, err := s.Import(ctx, []byte("id,over_water\n"), ImportOptions{Format: FormatCSV, Codes: []string{"29201"}}); !errors.As(err, &fe) || !strings.HasPrefix(fe.Msg, "codes selects municipalities of a GeoJSON") {
		t.Errorf("codes on a CSV: %v", err)
	}
}

// TestXROADOverWater: an xROAD import warns once that no bridge has the over-water
// field; join=over_water sets it on stored assets; the report counts records, not
// reasons.
func TestXROADOverWater(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	boundary := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"N03_004":"北区","N03_007":"27127"},
		"geometry":{"type":"Polygon","coordinates":[[[135.5,34.7],[135.6,34.7],[135.6,34.8],[135.5,34.8],[135.5,34.7]]]}}]}`
	if _, err := s.Import(ctx, []byte(boundary), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	bridge := func(name string, lon float64) string {
		return fmt.Sprintf(`{"syogen":{"shisetsu":{"meisyou":%q},"kyouchou":40,"kanrisya":{"kubun":"4"},
			"gyousei_kuiki":{"shikuchouson_code":"271276"},"ichi":{"ido":34.75,"keido":%g}},"tenken":{}}`, name, lon)
	}
	bad := `{"syogen":{"shisetsu":{"meisyou":"X橋"},"kyouchou":-3,"kanrisya":{"kubun":"5"},"gyousei_kuiki":{"shikuchouson_code":"271277"},"ichi":{"ido":34.75,"keido":135.55}},"tenken":{}}`
	xr := `{"result":[` + bridge("A橋", 135.55) + `,` + bridge("B橋", 135.56) + `,` + bad + `]}`
	rep, err := s.Import(ctx, []byte(xr), ImportOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []ImportWarning{{Field: "over_water", Count: 2, Message: "xROAD has no over-water field: none of these 2 bridge(s) is estimated with a boat; " +
		"supply it with POST /api/v1/imports?join=over_water and a CSV of id,over_water (the ids are those of GET /api/v1/assets)"}}
	if !reflect.DeepEqual(rep.Warnings, want) || rep.Assets.Created != 2 {
		t.Errorf("warnings %+v, created %d", rep.Warnings, rep.Assets.Created)
	}
	if len(rep.Rejected) != 2 || rep.RejectedCount != 1 || len(rep.RejectedSummary) != 2 {
		t.Errorf("one record with two bad fields: %d reasons listed, %d records counted, %d groups", len(rep.Rejected), rep.RejectedCount, len(rep.RejectedSummary))
	}
	idA := StableAssetID("27127", "bridge", "A橋", 135.55, 34.75)
	idB := StableAssetID("27127", "bridge", "B橋", 135.56, 34.75)
	join := "id,over_water,note\n" + idA + ",○,river\n" + idB + ",0,\nnope,1,\n" + idA + ",maybe,\n"
	rep, err = s.Import(ctx, []byte(join), ImportOptions{Join: JoinOverWater, Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	wantRejected := []ImportIssue{
		{Line: 4, Asset: "nope", Field: "id", Reason: "asset nope is not in the inventory (join=over_water updates stored assets only)"},
		{Line: 5, Asset: idA, Field: "over_water", Reason: `"maybe": expected true/false, 1/0, yes/no, ○/× or 有/無`},
	}
	if rep.Assets.Updated != 1 || rep.Assets.Unchanged != 1 || !reflect.DeepEqual(rep.Rejected, wantRejected) || !reflect.DeepEqual(rep.IgnoredColumns, []string{"note"}) {
		t.Errorf("join report %+v", rep)
	}
	if a, _ := s.Asset(ctx, idA); !a.OverWater || a.Name != "A橋" || a.LengthM == nil || *a.LengthM != 40 {
		t.Errorf("A橋 after the join: %+v", a)
	}
	// Importing the xROAD file again keeps the joined field.
	if _, err := s.Import(ctx, []byte(xr), ImportOptions{Partial: true}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Asset(ctx, idA); !a.OverWater {
		t.Error("the xROAD re-import cleared over_water")
	}
	var fe *ImportFileError
	if _, err := s.Import(ctx, []byte("id,name\nx,y\n"), ImportOptions{Join: JoinOverWater}); !errors.As(err, &fe) || !strings.Contains(fe.Msg, "needs the columns id and over_water") {
		t.Errorf("join without over_water: %v", err)
	}
	if _, err := s.Import(ctx, []byte(xr), ImportOptions{Join: "name"}); !errors.As(err, &fe) || fe.Msg != `join "name": only over_water can be joined` {
		t.Errorf("join=name: %v", err)
	}
}
