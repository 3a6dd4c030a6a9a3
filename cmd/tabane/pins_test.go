package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePinned writes p-tiny with the pins given as JSON and returns its path.
func writePinned(t *testing.T, pins string) string {
	t.Helper()
	data, err := os.ReadFile(solveInstances + "p-tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	var inst map[string]json.RawMessage
	if err := json.Unmarshal(data, &inst); err != nil {
		t.Fatal(err)
	}
	inst["pins"] = json.RawMessage(pins)
	out, err := json.Marshal(inst)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pinned.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSolveCLIPins: contradictory pins exit 2 naming each pin by its path; honoured pins
// come back held in the JSON report.
func TestSolveCLIPins(t *testing.T) {
	bad := writePinned(t, `{"assets": {"A000001": "office-29001"}, "lots": [{"depot": "office-29003", "assets": ["A000001"]}],
		"forbid": [{"asset": "A000001", "depot": "office-29001"}, {"asset": "NOPE", "depot": "office-29001"}]}`)
	code, _, stderr := runSolveCLI(t, bad)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, stderr)
	}
	for _, want := range []string{
		"pins.lots[0].assets[0]: A000001 is also pinned to depot office-29001 by pins.assets.A000001",
		"pins.forbid[0]: A000001 may not be in the lot of depot office-29001, but pins.assets.A000001 pins it there",
		`pins.forbid[1].asset: asset "NOPE" is not in the instance`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	good := writePinned(t, `{"assets": {"A000001": "office-29001"}, "forbid": [{"asset": "A000002", "depot": "office-29001"}]}`)
	code, stdout, stderr := runSolveCLI(t, good, "--json", "--max-iterations", "64", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var out struct {
		Feasible bool `json:"feasible"`
		Pins     []struct {
			Pin  string `json:"pin"`
			Held bool   `json:"held"`
		} `json:"pins"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if !out.Feasible || len(out.Pins) != 2 || !out.Pins[0].Held || !out.Pins[1].Held ||
		out.Pins[0].Pin != "pins.assets.A000001" || out.Pins[1].Pin != "pins.forbid[0]" {
		t.Errorf("report: %+v", out)
	}
}
