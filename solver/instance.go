package solver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Instance is a bundling problem in the JSON format of docs/model.md, version 1.
type Instance struct {
	Version        int            `json:"version"`
	Name           string         `json:"name"`
	Params         Params         `json:"params"`
	Municipalities []Municipality `json:"municipalities"`
	// Depots may be empty: then every municipality's office is a depot "office-<code>".
	Depots []Depot `json:"depots,omitempty"`
	Assets []Asset `json:"assets"`
	// Programme makes a version-2 instance (docs/programme.md); version 1 has none.
	Programme *ProgrammeSpec `json:"programme,omitempty"`
	// Pins are hand decisions every feasible plan honours (rule 6); nil when none.
	Pins *Pins `json:"pins,omitempty"`
}

// Params are the prices, limits and rules of an instance.
type Params struct {
	Currency          string  `json:"currency,omitempty"`
	ContractFixedCost float64 `json:"contract_fixed_cost"`
	TravelCostPerKm   float64 `json:"travel_cost_per_km"`
	// Circuity multiplies great-circle distances; nil means DefaultCircuity.
	Circuity  *float64           `json:"circuity,omitempty"`
	Equipment map[string]float64 `json:"equipment,omitempty"`
	// Disciplines adds kinds or remaps them onto disciplines (see DefaultDisciplines).
	Disciplines map[string]string `json:"disciplines,omitempty"`
	// MixedDisciplineSurcharge is charged per extra discipline in a bundle;
	// nil (absent or null) forbids bundles that mix disciplines.
	MixedDisciplineSurcharge     *float64 `json:"mixed_discipline_surcharge"`
	Limits                       Limits   `json:"limits"`
	RegionLocked                 bool     `json:"region_locked"`
	RequireIndividualRationality bool     `json:"require_individual_rationality"`
}

// Limits bound every bundle; a nil limit does not bind.
type Limits struct {
	MinValue      *float64 `json:"min_value,omitempty"`
	MaxValue      *float64 `json:"max_value,omitempty"`
	MaxWorkload   *float64 `json:"max_workload,omitempty"`
	MaxAssets     *int     `json:"max_assets,omitempty"`
	MaxDistanceKm *float64 `json:"max_distance_km,omitempty"`
}

// Point is a WGS84 position in degrees.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Municipality is an owner of assets. Participates nil means true.
type Municipality struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	Region       string `json:"region,omitempty"`
	Participates *bool  `json:"participates,omitempty"`
	Office       Point  `json:"office"`
	// officeAbsent marks JSON without a complete office position (Compile reports it);
	// municipalities built in Go never have it.
	officeAbsent bool
}

// lonLat decodes a position whose coordinates may be absent.
type lonLat struct {
	Lon *float64 `json:"lon"`
	Lat *float64 `json:"lat"`
}

// UnmarshalJSON decodes a municipality and notes a missing or partial office.
func (m *Municipality) UnmarshalJSON(b []byte) error {
	type plain Municipality
	var w struct {
		plain
		Office *lonLat `json:"office"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Municipality(w.plain)
	if w.Office == nil || w.Office.Lon == nil || w.Office.Lat == nil {
		m.officeAbsent = true
	}
	if w.Office != nil {
		if w.Office.Lon != nil {
			m.Office.Lon = *w.Office.Lon
		}
		if w.Office.Lat != nil {
			m.Office.Lat = *w.Office.Lat
		}
	}
	return nil
}

// Participating reports the effective participation (absent means true).
func (m Municipality) Participating() bool { return m.Participates == nil || *m.Participates }

// Depot is a place a bundle is run from; it hosts at most one bundle.
type Depot struct {
	ID   string  `json:"id"`
	Name string  `json:"name,omitempty"`
	Lon  float64 `json:"lon"`
	Lat  float64 `json:"lat"`
	// posAbsent marks JSON without lon or lat (Compile reports it).
	posAbsent bool
}

// UnmarshalJSON decodes a depot and notes a missing lon or lat.
func (d *Depot) UnmarshalJSON(b []byte) error {
	type plain Depot
	var w struct {
		plain
		Lon *float64 `json:"lon"`
		Lat *float64 `json:"lat"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = Depot(w.plain)
	d.posAbsent = w.Lon == nil || w.Lat == nil
	if w.Lon != nil {
		d.Lon = *w.Lon
	}
	if w.Lat != nil {
		d.Lat = *w.Lat
	}
	return nil
}

// Asset is one piece of infrastructure to inspect. Fields the model does not name are
// kept in Extra and written back unchanged.
type Asset struct {
	ID           string   `json:"id"`
	Municipality string   `json:"municipality"`
	Kind         string   `json:"kind"`
	Lon          float64  `json:"lon"`
	Lat          float64  `json:"lat"`
	Cost         float64  `json:"cost"`
	Workload     float64  `json:"workload"`
	Equipment    []string `json:"equipment,omitempty"`
	// Extra holds the fields the model ignores (name, length_m, …), raw.
	Extra map[string]json.RawMessage `json:"-"`
	// absent marks required numbers the JSON lacked (absentCost, …); Compile reports
	// them. Assets built in Go have none absent.
	absent uint8
}

// assetWire is the decoding shape of an asset's known fields; pointers tell absent or
// null numbers from zeros.
type assetWire struct {
	ID           string   `json:"id"`
	Municipality string   `json:"municipality"`
	Kind         string   `json:"kind"`
	Lon          *float64 `json:"lon"`
	Lat          *float64 `json:"lat"`
	Cost         *float64 `json:"cost"`
	Workload     *float64 `json:"workload"`
	Equipment    []string `json:"equipment"`
}

// UnmarshalJSON decodes an asset, keeping unknown fields in Extra. Field names are
// matched exactly (docs/model.md's names are lower case): "Cost" is an unknown field, and the
// asset then lacks its cost. One struct decode plus one scan of the member keys keeps
// a 150,000-asset instance fast to read.
func (a *Asset) UnmarshalJSON(b []byte) error {
	var w assetWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = Asset{ID: w.ID, Municipality: w.Municipality, Kind: w.Kind, Equipment: w.Equipment}
	// the field names of assetWire; bit k of seen stands for known[k]
	known := [...]string{"id", "municipality", "kind", "lon", "lat", "cost", "workload", "equipment"}
	seen := 0 // bit k: known field k appears under its exact name with a non-null value
	inexact := false
	err := eachMember(b, func(key string, val []byte) error {
		k := slices.Index(known[:], key)
		if k >= 0 {
			if !bytes.Equal(val, []byte("null")) {
				seen |= 1 << k
			}
			return nil
		}
		for _, f := range known {
			if strings.EqualFold(f, key) {
				inexact = true // the struct decode took its value: decode again by exact keys
			}
		}
		if a.Extra == nil {
			a.Extra = map[string]json.RawMessage{}
		}
		a.Extra[key] = append(json.RawMessage(nil), val...)
		return nil
	})
	if err != nil {
		return err
	}
	has := func(name string) bool { return seen&(1<<slices.Index(known[:], name)) != 0 }
	if inexact {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		w = assetWire{}
		targets := map[string]any{"id": &w.ID, "municipality": &w.Municipality, "kind": &w.Kind, "lon": &w.Lon,
			"lat": &w.Lat, "cost": &w.Cost, "workload": &w.Workload, "equipment": &w.Equipment}
		for k, dst := range targets {
			if v, ok := raw[k]; ok {
				if err := json.Unmarshal(v, dst); err != nil {
					return fmt.Errorf("field %q: %w", k, err)
				}
			}
		}
		a.ID, a.Municipality, a.Kind, a.Equipment = w.ID, w.Municipality, w.Kind, w.Equipment
	}
	for _, f := range []struct {
		name string
		src  *float64
		dst  *float64
		bit  uint8
	}{{"lon", w.Lon, &a.Lon, absentLon}, {"lat", w.Lat, &a.Lat, absentLat},
		{"cost", w.Cost, &a.Cost, absentCost}, {"workload", w.Workload, &a.Workload, absentWorkload}} {
		if has(f.name) && f.src != nil {
			*f.dst = *f.src
		} else {
			a.absent |= f.bit
		}
	}
	return nil
}

// Bits of Asset.absent: required numbers that the JSON lacked or set to null.
const (
	absentLon uint8 = 1 << iota
	absentLat
	absentCost
	absentWorkload
)

// eachMember calls fn with every member of the JSON object b, in order. b must be valid
// JSON (the caller has decoded it already).
func eachMember(b []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("expected a JSON object")
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return fmt.Errorf("unterminated JSON object")
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i++
			continue
		}
		ks := i
		i = skipString(b, i)
		var key string
		if raw := b[ks+1 : i-1]; bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			key = string(raw)
		} else if err := json.Unmarshal(b[ks:i], &key); err != nil {
			return err
		}
		i = skipSpace(b, i) + 1 // the colon
		i = skipSpace(b, i)
		vs := i
		i = skipValue(b, i)
		if err := fn(key, b[vs:i]); err != nil {
			return err
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b) && b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// skipValue returns the index after the JSON value that starts at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i
}

// MarshalJSON writes the known fields first, then Extra in key order.
func (a Asset) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	w := func(k string, v any) error {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		if raw, ok := v.(json.RawMessage); ok {
			buf.Write(raw)
			return nil
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(vb)
		return nil
	}
	fields := []struct {
		k string
		v any
	}{{"id", a.ID}, {"municipality", a.Municipality}, {"kind", a.Kind}, {"lon", a.Lon}, {"lat", a.Lat},
		{"cost", a.Cost}, {"workload", a.Workload}}
	for _, f := range fields {
		if err := w(f.k, f.v); err != nil {
			return nil, err
		}
	}
	if len(a.Equipment) > 0 {
		if err := w("equipment", a.Equipment); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(a.Extra))
	for k := range a.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := w(k, a.Extra[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// missing reports whether a required numeric field was absent or null in the JSON.
func (a *Asset) missing(field string) bool {
	switch field {
	case "lon":
		return a.absent&absentLon != 0
	case "lat":
		return a.absent&absentLat != 0
	case "cost":
		return a.absent&absentCost != 0
	case "workload":
		return a.absent&absentWorkload != 0
	}
	return false
}

// ReadInstance decodes an instance from JSON. Syntax and type errors name the line and
// column; the instance is not validated (see Compile).
func ReadInstance(r io.Reader) (*Instance, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return ParseInstance(data)
}

// ParseInstance decodes an instance from JSON bytes (see ReadInstance).
func ParseInstance(data []byte) (*Instance, error) {
	var inst Instance
	if err := decodeJSON(data, &inst, &instanceShape{}); err != nil {
		return nil, err
	}
	return &inst, nil
}

// instanceShape mirrors Instance without the custom decoders of Asset, Municipality and
// Depot: when decoding fails,
// decoding into it again locates the error in the whole document (a custom decoder only
// sees offsets within its own value).
type instanceShape struct {
	Version        int            `json:"version"`
	Name           string         `json:"name"`
	Params         Params         `json:"params"`
	Programme      *ProgrammeSpec `json:"programme"`
	Municipalities []struct {
		Code         string `json:"code"`
		Name         string `json:"name"`
		Region       string `json:"region"`
		Participates *bool  `json:"participates"`
		Office       Point  `json:"office"`
	} `json:"municipalities"`
	Depots []struct {
		ID   string  `json:"id"`
		Name string  `json:"name"`
		Lon  float64 `json:"lon"`
		Lat  float64 `json:"lat"`
	} `json:"depots"`
	Assets []struct {
		ID           string   `json:"id"`
		Municipality string   `json:"municipality"`
		Kind         string   `json:"kind"`
		Lon          float64  `json:"lon"`
		Lat          float64  `json:"lat"`
		Cost         float64  `json:"cost"`
		Workload     float64  `json:"workload"`
		Equipment    []string `json:"equipment"`
	} `json:"assets"`
	// An asset pin may also be an object: the string form here locates a wrong value
	// (a number, an array) by its path.
	Pins *struct {
		Assets map[string]string `json:"assets"`
		Lots   []LotPin          `json:"lots"`
		Forbid []ForbidPin       `json:"forbid"`
	} `json:"pins"`
}

// decodeJSON unmarshals data into v and turns decoder errors into an *InputError with a
// line, a column and the path of the offending value (assets[3].cost). shape, when not
// nil, is a plain mirror of v used to locate errors that v's custom decoders report.
func decodeJSON(data []byte, v, shape any) error {
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	if !errors.As(err, &syn) && shape != nil {
		if err2 := json.Unmarshal(data, shape); err2 != nil {
			err = err2
		}
	}
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// The decoder stops just after the offending byte; point at it.
		line, col := lineCol(data, max(0, syn.Offset-1))
		return &InputError{Path: fmt.Sprintf("line %d, column %d", line, col), Msg: "malformed JSON: " + syn.Error()}
	case errors.As(err, &typ) && typ.Offset > 0:
		field, start := pathAt(data, typ.Offset)
		line, col := lineCol(data, start)
		if field == "" {
			field = "the document"
		}
		return &InputError{Path: fmt.Sprintf("line %d, column %d", line, col),
			Msg: fmt.Sprintf("%s: expected %s, found %s", field, jsonKindOf(typ.Type), articled(typ.Value))}
	default:
		return &InputError{Path: "(json)", Msg: err.Error()}
	}
}

// jsonKindOf names what a Go type expects in JSON words.
func jsonKindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(jsonKindOf(t.Elem()), "an "), "a ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKindOf(t.Elem())
	}
	return t.String()
}

// articled turns the decoder's description of a JSON value ("string", "number -1") into
// words ("a string", "the number -1").
func articled(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case strings.HasPrefix(v, "number "):
		return "the " + v
	}
	return "a " + v
}

// pathAt finds the JSON value that ends at or contains byte offset off by walking the
// tokens, and returns its path (assets[3].equipment[1]) and the offset where it starts.
// It runs only on a failed decode.
func pathAt(data []byte, off int64) (string, int64) {
	type frame struct {
		array     bool
		index     int
		key       string
		expectKey bool
	}
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
			} else {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return path(), off
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && !top.array && top.expectKey {
			if d, ok := tok.(json.Delim); !ok || d != '}' {
				top.key, top.expectKey = fmt.Sprint(tok), false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && !stack[len(stack)-1].array {
				stack[len(stack)-1].expectKey = true
			}
			continue
		}
		// tok starts a value: a scalar, or an object or array.
		if top != nil && top.array {
			top.index++
		}
		if dec.InputOffset() >= off {
			for before < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[before]) >= 0 {
				before++
			}
			return path(), before
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{array: d == '[', index: -1, expectKey: d == '{'})
			continue
		}
		if top != nil && !top.array {
			top.expectKey = true
		}
	}
}

func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// InputError is one problem with an input, located by a path such as
// "assets[17].equipment[1]" or "line 3, column 9".
type InputError struct {
	Path string `json:"path"`
	Msg  string `json:"message"`
}

func (e *InputError) Error() string { return e.Path + ": " + e.Msg }

// ValidationError lists every problem found in an instance or plan.
type ValidationError struct {
	Problems []InputError `json:"errors"`
}

// ErrorCode makes a ValidationError an invalid input for the HTTP edge's one error
// mapping (internal/fault's code "invalid"; solver imports nothing of ours).
func (e *ValidationError) ErrorCode() string { return "invalid" }

func (e *ValidationError) Error() string {
	var b bytes.Buffer
	const show = 10
	for i, p := range e.Problems {
		if i == show {
			fmt.Fprintf(&b, "\n… and %d more", len(e.Problems)-show)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Path + ": " + p.Msg)
	}
	return b.String()
}

func (e *ValidationError) add(path, format string, args ...any) {
	e.Problems = append(e.Problems, InputError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (e *ValidationError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}
