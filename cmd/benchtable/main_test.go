package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseProgressAndReached(t *testing.T) {
	stderr := `   0.00s construct best —  bound ¥0  gap —
   0.41s construct best ¥67,446,597  bound ¥64,694,285  gap 4.0815 %
   3.20s search    best ¥66,546,835  bound ¥64,694,285  gap 2.7830 %
   7.75s search    best ¥66,540,194  bound ¥64,694,285  gap 2.7737 %
  10.00s done      best ¥66,540,194  bound ¥64,694,285  gap 2.7737 %
`
	got := parseProgress(stderr)
	want := [][2]float64{{0.41, 67446597}, {3.20, 66546835}, {7.75, 66540194}, {10.00, 66540194}}
	if len(got) != len(want) {
		t.Fatalf("parseProgress: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %v, want %v", i, got[i], want[i])
		}
	}
	// pp-level's best known ¥66,541,284.19: within 0.01 % (≤ ¥66,547,938.32) from 3.20 s.
	if r := reachedAt(got, 66541284.19); r != 3.20 {
		t.Errorf("reachedAt = %v, want 3.20", r)
	}
	if r := reachedAt(got, 60e6); !math.IsNaN(r) {
		t.Errorf("reachedAt below every cost = %v, want NaN", r)
	}
	if r := reachedAt(got, math.NaN()); !math.IsNaN(r) {
		t.Errorf("reachedAt without a best known = %v, want NaN", r)
	}
}

// TestWriteReadme: the version-1 rows go between the bench markers, the programme rows
// between the bench-programme ones, and the rest of the file stays as it was.
func TestWriteReadme(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	md := "# x\n<!-- figures:bench -->\nold one\n<!-- /figures:bench -->\nmiddle\n<!-- figures:bench-programme -->\nold two\n<!-- /figures:bench-programme -->\nend\n"
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	rows := []row{
		{name: "p-tiny", assets: 43, depots: 11, cost: 31279239.68, bound: 31279237.12, gap: 0, bestKnown: 31279239.68, reached: 0.02, seconds: 0.03, peakMB: 19, stop: "gap_closed", version: 1},
		{name: "pp-level", assets: 125, depots: 15, cost: 66540194, bound: nan, gap: nan, bestKnown: nan, reached: nan, seconds: 10, peakMB: 34, stop: "done", version: 2},
	}
	if err := writeReadme(path, rows, 2, "load average 1.00 at the start 2.00 at the end"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	for _, want := range []string{
		"| p-tiny | 43 | 11 | 0s | 31,279,239.68 | 31,279,237.12 | 0.000 % | 31,279,239.68 | 1.00000 | 0.02 | 0.03 | 19 | gap_closed |\n<!-- /figures:bench -->\nmiddle\n",
		"| pp-level | 125 | 15 | 0s | 66,540,194.00 | — | — | — | — | — | 10.00 | 34 | done |\n<!-- /figures:bench-programme -->\nend\n",
		"load average 1.00 at the start 2.00 at the end",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("README lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old one") || strings.Contains(got, "old two") || strings.Count(got, "| pp-level") != 1 || strings.Count(got, "| p-tiny") != 1 {
		t.Errorf("old figures kept or rows in the wrong table:\n%s", got)
	}
	if err := writeReadme(filepath.Join(t.TempDir(), "none.md"), rows, 2, ""); err == nil {
		t.Error("a missing README: no error")
	}
}

// TestScanInstance counts by streaming what the table needs: p-tiny has 43 assets and 11
// depots; a plan has no version (0).
func TestScanInstance(t *testing.T) {
	c, err := scanInstance("../../solver/testdata/p-tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.version != 1 || c.assets != 43 || c.depots != 11 {
		t.Errorf("p-tiny: %+v, want version 1, 43 assets, 11 depots", c)
	}
	c, err = scanInstance("../../solver/testdata/pp-tiny.json")
	if err != nil || c.version != 2 || c.assets != 125 || c.depots != 15 {
		t.Errorf("pp-tiny: %+v %v, want version 2, 125 assets, 15 depots", c, err)
	}
	if v, err := instanceVersion("../../solver/testdata/p-tiny.optimal-plan.json"); err != nil || v != 0 {
		t.Errorf("a plan: version %d %v, want 0", v, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"version": 1, "assets": {"a": 1}}`), 0o644)
	if _, err := scanInstance(bad); err == nil || !strings.Contains(err.Error(), "assets: want an array") {
		t.Errorf("assets as an object: %v", err)
	}
}
