package solver

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"strings"
	"testing"
)

// compileProblems compiles handInstance after tweak and returns every problem as
// "path: message".
func compileProblems(t *testing.T, tweak func(*Instance)) []string {
	t.Helper()
	inst, err := ParseInstance([]byte(handInstance))
	if err != nil {
		t.Fatal(err)
	}
	tweak(inst)
	_, err = Compile(inst)
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Compile error %T %v, want *ValidationError", err, err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Path+": "+p.Msg)
	}
	return out
}

func TestCompileValidation(t *testing.T) {
	const wgs = "is not a WGS84 position: lon must lie in [-180, 180] and lat in [-90, 90]"
	cases := []struct {
		name  string
		tweak func(*Instance)
		want  []string
	}{
		{"duplicate asset id", func(in *Instance) { in.Assets[2].ID = "a1" },
			[]string{`assets[2].id: "a1" repeats assets[0]`}},
		{"duplicate municipality code", func(in *Instance) { in.Municipalities[2].Code = "X" },
			// Z's asset a4 then belongs to the first X; nothing else breaks.
			[]string{`municipalities[2].code: "X" repeats municipalities[0]`, `assets[3].municipality: "Z" is not among the instance's municipalities (assets[3] (a4))`}},
		{"duplicate depot id", func(in *Instance) { in.Depots[1].ID = "hub" },
			[]string{`depots[1].id: "hub" repeats depots[0]`}},
		{"unknown municipality", func(in *Instance) { in.Assets[1].Municipality = "Q" },
			[]string{`assets[1].municipality: "Q" is not among the instance's municipalities (assets[1] (a2))`}},
		{"empty municipality", func(in *Instance) { in.Assets[1].Municipality = "" },
			[]string{`assets[1].municipality: is required: the code of the municipality that owns assets[1] (a2)`}},
		{"NaN coordinate", func(in *Instance) { in.Assets[0].Lon = math.NaN() },
			[]string{`assets[0]: (lon NaN, lat 34) ` + wgs + ` (assets[0] (a1))`}},
		{"latitude out of range", func(in *Instance) { in.Depots[2].Lat = 91; in.Municipalities[1].Office.Lon = -181 },
			[]string{`municipalities[1].office: (lon -181, lat 34.1) ` + wgs, `depots[2]: (lon 135, lat 91) ` + wgs}},
		{"negative cost and workload", func(in *Instance) { in.Assets[2].Cost = -5; in.Assets[3].Workload = math.Inf(1) },
			[]string{`assets[2].cost: must be a finite number ≥ 0, found -5 (assets[2] (a3))`,
				`assets[3].workload: must be a finite number ≥ 0, found +Inf (assets[3] (a4))`}},
		{"unknown kind", func(in *Instance) { in.Assets[0].Kind = "dam" },
			[]string{`assets[0].kind: "dam" is not a known kind (assets[0] (a1)): use one of bridge, culvert, footbridge, pump_station, road_furniture, sewer_plant, tunnel, or map it to a discipline in params.disciplines`}},
		{"kind added by params", func(in *Instance) {
			in.Assets[0].Kind = "dam"
			in.Params.Disciplines = map[string]string{"dam": "river"}
		}, nil},
		{"unknown equipment", func(in *Instance) { in.Assets[1].Equipment = []string{"traffic_control", "crane"} },
			[]string{`assets[1].equipment[1]: "crane" has no price in params.equipment`}},
		{"bad version", func(in *Instance) { in.Version = 3 }, []string{`version: must be 1 (docs/model.md, version 1), found 3`}},
		{"programme version", func(in *Instance) { in.Version = 2 }, []string{`version: must be 1 here (docs/model.md, version 1); 2 is a five-year programme (docs/programme.md): compile it with CompileProgramme`}},
		{"missing version", func(in *Instance) { in.Version = 0 }, []string{`version: is required: 1 (docs/model.md, version 1)`}},
		{"bad parameters", func(in *Instance) {
			in.Params.TravelCostPerKm = -1
			in.Params.Circuity = evFloat(0)
			in.Params.Equipment["boat"] = math.NaN()
			in.Params.Limits.MaxAssets = evInt(0)
			in.Params.Limits.MinValue = evFloat(2e7)
		}, []string{
			`params.travel_cost_per_km: must be a finite number ≥ 0, found -1`,
			`params.circuity: must be a finite number > 0, found 0`,
			`params.equipment.boat: must be a finite number ≥ 0, found NaN`,
			`params.limits.max_assets: must be at least 1, found 0`,
			`params.limits.min_value: 2e+07 exceeds max_value 1e+07`,
		}},
		{"no municipalities", func(in *Instance) { in.Municipalities = nil; in.Assets = nil },
			[]string{`municipalities: is empty: an instance needs at least one municipality`}},
		{"valid", func(*Instance) {}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := compileProblems(t, c.tweak)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestCompileUnknownEquipmentPath: the issue's own example, on a public instance.
func TestCompileUnknownEquipmentPath(t *testing.T) {
	inst, err := ParseInstance(readTestdata(t, "p-tiny"))
	if err != nil {
		t.Fatal(err)
	}
	inst.Assets[17].Equipment = []string{"traffic_control", "crane"}
	_, err = Compile(inst)
	if err == nil || err.Error() != `assets[17].equipment[1]: "crane" has no price in params.equipment` {
		t.Errorf("Compile error = %v", err)
	}
}

// TestParseInstanceErrors: malformed JSON and wrong types name the line and column of the
// offending character or value (counted by hand below) and, for types, the path of the
// value — also inside assets, which have their own decoder.
func TestParseInstanceErrors(t *testing.T) {
	cases := []struct{ name, json, want string }{
		{"syntax", "{\n \"version\": 1,\n \"assets\": [\n  {\"id\": \"a\", \"cost\": 1,}\n ]\n}",
			`line 4, column 25: malformed JSON: invalid character '}' looking for beginning of object key string`},
		{"empty", "", `line 1, column 1: malformed JSON: unexpected end of JSON input`},
		{"trailing", `{"version": 1} x`, `line 1, column 16: malformed JSON: invalid character 'x' after top-level value`},
		{"asset field type", "{\n \"version\": 1,\n \"assets\": [\n  {\"id\": \"a\"},\n  {\"id\": \"b\", \"cost\": \"abc\"}\n ]\n}",
			`line 5, column 23: assets[1].cost: expected a number, found a string`},
		{"asset equipment item", "{\"assets\": [{\"id\": \"a\", \"equipment\": [\"boat\", 3]}]}",
			`line 1, column 47: assets[0].equipment[1]: expected a string, found a number`},
		{"params type", "{\n \"version\": 1,\n \"params\": {\"contract_fixed_cost\": \"x\"}\n}",
			`line 3, column 36: params.contract_fixed_cost: expected a number, found a string`},
		{"municipality code", `{"municipalities": [{"code": "1"}, {"code": 5}]}`,
			`line 1, column 45: municipalities[1].code: expected a string, found a number`},
		{"integer", `{"params": {"limits": {"max_assets": 2.5}}}`,
			`line 1, column 38: params.limits.max_assets: expected an integer, found the number 2.5`},
		{"not an object", `[1, 2]`, `line 1, column 1: the document: expected an object, found an array`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseInstance([]byte(c.json))
			var ie *InputError
			if !errors.As(err, &ie) || err.Error() != c.want {
				t.Errorf("error = %v (%T)\nwant   %s", err, err, c.want)
			}
		})
	}
}

// TestParseInstanceMissingFields: required numbers absent or null are reported by
// Compile with their path, and unknown asset fields survive a round trip.
func TestParseInstanceMissingFields(t *testing.T) {
	doc := strings.Replace(handInstance, `"cost": 150000, "workload": 1,`, `"cost": null,`, 1)
	inst, err := ParseInstance([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(inst)
	want := "assets[1].cost: is required: the asset's direct inspection cost in yen (assets[1] (a2))\n" +
		"assets[1].workload: is required: the asset's workload in person-days (assets[1] (a2))"
	if err == nil || err.Error() != want {
		t.Errorf("Compile error:\n%v\nwant:\n%s", err, want)
	}
	out, err := inst.Assets[0].MarshalJSON()
	if err != nil || !strings.Contains(string(out), `"name":"Ichi-bashi"`) {
		t.Errorf("asset round trip lost its name: %s %v", out, err)
	}
}

func TestValidationErrorListsTenThenCounts(t *testing.T) {
	ve := &ValidationError{}
	for i := range 13 {
		ve.add("assets", "problem %d", i)
	}
	lines := strings.Split(ve.Error(), "\n")
	if len(lines) != 11 || lines[9] != "assets: problem 9" || lines[10] != "… and 3 more" {
		t.Errorf("Error() = %q", ve.Error())
	}
}

// TestAssetDecoding: known fields by their exact names only, unknown ones kept raw and
// written back, absent or null required numbers reported, escapes in keys understood.
func TestAssetDecoding(t *testing.T) {
	var a Asset
	doc := `{"id": "A1", "municipality": "X", "kind": "bridge", "lon": 135.5, "lat": 34.5, "cost": 1000,
		"workload": null, "Cost": 99, "name": "橋 \"一\"", "length_m": 23.5, "spans": [{"m": 1}, [2]], "n\u0061me2": {"a": "}"}}`
	if err := json.Unmarshal([]byte(doc), &a); err != nil {
		t.Fatal(err)
	}
	if a.ID != "A1" || a.Municipality != "X" || a.Kind != "bridge" || a.Lon != 135.5 || a.Lat != 34.5 || a.Cost != 1000 || a.Workload != 0 {
		t.Errorf("known fields: %+v", a)
	}
	if !a.missing("workload") || a.missing("cost") || a.missing("lon") || a.missing("lat") {
		t.Errorf("absent = %04b, want workload only", a.absent)
	}
	want := map[string]string{"Cost": `99`, "name": `"橋 \"一\""`, "length_m": `23.5`, "spans": `[{"m": 1}, [2]]`, "name2": `{"a": "}"}`}
	if len(a.Extra) != len(want) {
		t.Errorf("extra = %v", a.Extra)
	}
	for k, v := range want {
		if string(a.Extra[k]) != v {
			t.Errorf("extra %q = %s, want %s", k, a.Extra[k], v)
		}
	}
	out, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	const wantOut = `{"id":"A1","municipality":"X","kind":"bridge","lon":135.5,"lat":34.5,"cost":1000,"workload":0,` +
		`"Cost":99,"length_m":23.5,"name":"橋 \"一\"","name2":{"a":"}"},"spans":[{"m":1},[2]]}`
	if string(out) != wantOut {
		t.Errorf("written back as\n%s\nwant\n%s", out, wantOut)
	}
	// "Cost" alone is not the cost.
	var b Asset
	if err := json.Unmarshal([]byte(`{"id": "B", "Cost": 5, "lon": 1, "lat": 2, "workload": 1}`), &b); err != nil {
		t.Fatal(err)
	}
	if b.Cost != 0 || !b.missing("cost") || string(b.Extra["Cost"]) != "5" {
		t.Errorf("Cost taken as cost: %+v", b)
	}
}

func BenchmarkParseInstance(b *testing.B) {
	data := readTestdata(b, "p-nara")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseInstance(data); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzEachMember checks the key scanner behind Asset decoding against encoding/json on
// any JSON object: the same members, with the same raw values, in the same order.
func FuzzEachMember(f *testing.F) {
	f.Add(`{"id": "A1", "cost": 1e3, "name": "a\"}b", "x": [1, {"y": "]"}], "n\u0061me": null}`)
	f.Add(`{}`)
	f.Add(` { "a" : { } , "b":[ ] ,"c":true,"d":-0.5E-3 } `)
	f.Add(`{"\\": "\\\\", "k\"": 1}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var want map[string]json.RawMessage
		if json.Unmarshal([]byte(doc), &want) != nil || want == nil {
			return // not an object
		}
		got := map[string]json.RawMessage{}
		err := eachMember([]byte(doc), func(key string, val []byte) error {
			got[key] = append(json.RawMessage(nil), val...)
			return nil
		})
		if err != nil {
			t.Fatalf("eachMember(%q): %v", doc, err)
		}
		if len(got) != len(want) {
			t.Fatalf("eachMember(%q) = %v, want %v", doc, got, want)
		}
		for k, v := range want {
			if string(got[k]) != string(v) {
				t.Fatalf("eachMember(%q)[%q] = %s, want %s", doc, k, got[k], v)
			}
		}
	})
}

// TestCompileMissingPositions: an office or depot without lon/lat is an error, not the
// point (0, 0) in the Gulf of Guinea.
func TestCompileMissingPositions(t *testing.T) {
	doc := strings.Replace(handInstance, `"office": {"lon": 135, "lat": 34.1}`, `"office": {"lon": 135}`, 1)
	doc = strings.Replace(doc, `{"code": "Z", "name": "Z-cho", "region": "north", "participates": false, "office": {"lon": 135, "lat": 34.2}}`,
		`{"code": "Z", "name": "Z-cho", "region": "north", "participates": false}`, 1)
	doc = strings.Replace(doc, `{"id": "far", "lon": 135, "lat": 34.5}`, `{"id": "far", "lat": 34.5}`, 1)
	inst, err := ParseInstance([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(inst)
	want := `municipalities[1].office: is required: the position {"lon": …, "lat": …} of the town hall, in WGS84 degrees` + "\n" +
		`municipalities[2].office: is required: the position {"lon": …, "lat": …} of the town hall, in WGS84 degrees` + "\n" +
		`depots[1]: lon and lat are required: the depot's position in WGS84 degrees`
	if err == nil || err.Error() != want {
		t.Errorf("Compile error:\n%v\nwant:\n%s", err, want)
	}
	if inst.Municipalities[1].Office.Lon != 135 || inst.Depots[2].Lat != 34.1 {
		t.Errorf("positions decoded wrong: %+v %+v", inst.Municipalities[1], inst.Depots[2])
	}
	// Written back and read again, a complete instance keeps every position.
	full, err := ParseInstance([]byte(handInstance))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseInstance(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(again); err != nil {
		t.Errorf("round trip: %v", err)
	}
}

// TestDefaultDisciplinesIsACopy: the kind → discipline table is no shared state: a
// caller that edits the map it got changes neither the next caller's map nor how
// Compile reads the kinds.
func TestDefaultDisciplinesIsACopy(t *testing.T) {
	d := DefaultDisciplines()
	want := map[string]string{"bridge": "road", "tunnel": "road", "culvert": "road", "footbridge": "road",
		"road_furniture": "road", "sewer_plant": "sewer", "pump_station": "sewer"}
	if !maps.Equal(d, want) {
		t.Fatalf("DefaultDisciplines() = %v, want %v", d, want)
	}
	d["bridge"] = "sewer"
	delete(d, "tunnel")
	if again := DefaultDisciplines(); !maps.Equal(again, want) {
		t.Fatalf("after a caller edited its copy, DefaultDisciplines() = %v, want %v", again, want)
	}
	m := boundLoadModel(t, "testdata/p-tiny.json")
	bridges := 0
	for i, a := range m.Assets {
		if m.Inst.Assets[i].Kind == "bridge" {
			bridges++
			if got := m.Disciplines[a.Discipline]; got != "road" {
				t.Fatalf("bridge %s compiled into discipline %q, want road", a.ID, got)
			}
		}
	}
	if bridges == 0 {
		t.Fatal("p-tiny has no bridge: the test checks nothing")
	}
}
