package solver

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseInstance feeds arbitrary bytes to the instance parser, the way POST
// /api/v1/solve and /evaluate and `tabane solve` do. No input may panic; an instance that
// parses must survive a JSON round trip unchanged (what the run queue freezes is what
// the solver gets), and one that compiles must go through the pre-check and the
// evaluator of an empty plan without panicking. The seeds are the instances of
// testdata (valid ones) and hand-written broken ones; go test runs them every time,
// `make fuzz` explores from them.
func FuzzParseInstance(f *testing.F) {
	for _, name := range []string{"p-tiny.json"} { // small seeds keep minimisation fast
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"version": 1}`, `{"assets": null}`, `{"assets": [{}]}`,
		`{"assets": [{"id": "A", "cost": -1e309}]}`,
		`{"params": {"limits": {"max_assets": 0}}, "municipalities": [{"code": "1"}]}`,
		`{"municipalities": [{"code": "29201", "office": {"lon": "x"}}]}`,
		`{"depots": [{"id": "d", "lon": 999, "lat": -999}], "assets": [{"id": "a", "municipality": "29201", "equipment": ["nope"]}]}`,
		`{"params": {"equipment": {"boat": 1e308}, "circuity": -1}}`,
		`{"name": "\u0000\ud800", "assets": [{"id": "A", "id": "B"}]}`,
		"{\"version\": 1,\n \"assets\": [1, 2",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		inst, err := ParseInstance(doc)
		if err != nil {
			if inst != nil {
				t.Fatalf("ParseInstance returned an instance with the error %v", err)
			}
			return
		}
		first, err := json.Marshal(inst)
		if err != nil {
			t.Fatalf("a parsed instance does not marshal: %v", err)
		}
		again, err := ParseInstance(first)
		if err != nil {
			t.Fatalf("a marshalled instance does not parse again: %v\n%s", err, first)
		}
		second, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("the round trip changed the instance:\n%s\n%s", first, second)
		}
		m, err := Compile(inst)
		if err != nil {
			if m != nil {
				t.Fatalf("Compile returned a model with the error %v", err)
			}
			return
		}
		_ = Precheck(m)
		ev := Evaluate(m, &Plan{})
		if ev == nil {
			t.Fatal("Evaluate of an empty plan returned nil")
		}
	})
}
