package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/internal/gen"
)

func runGenCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = dispatch(context.Background(), append([]string{"gen"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestGenCLI: the flags reach the generator, stdout and -o carry the same bytes, and
// `tabane solve` reads the file.
func TestGenCLI(t *testing.T) {
	args := []string{"--seed", "11", "--munis", "6", "--assets", "40", "--spread", "15", "--districts", "2", "--max-distance", "50"}
	code, stdout, stderr := runGenCLI(args...)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	o := gen.Defaults()
	o.Seed, o.Munis, o.Assets, o.Spread, o.Districts, o.MaxDistance = 11, 6, 40, 15, 2, 50
	want, err := gen.Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	if stdout != string(want) {
		t.Fatalf("stdout is not gen.Generate's output for the same options")
	}
	path := filepath.Join(t.TempDir(), "g.json")
	code, stdout, stderr = runGenCLI(append(args, "-o", path)...)
	if code != 0 {
		t.Fatalf("-o: exit %d, %s", code, stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(data, want) {
		t.Fatalf("-o wrote other bytes (err %v)", err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left behind: %v", err)
	}
	if !strings.HasPrefix(stdout, path+": synthetic-s11-m6-n40: version 1, 6 municipalities (") || !strings.Contains(stdout, ", 8 depots, ") {
		t.Errorf("summary %q", stdout)
	}
	// Exit 2 would mean bad input; 0 or 1 (a plan, or none found) both read the file. The
	// version-2 instance goes to the programme solver.
	pp := filepath.Join(t.TempDir(), "pp.json")
	if code, _, stderr := runGenCLI(append(args, "--programme", "5", "--budgets", "1.3", "-o", pp)...); code != 0 {
		t.Fatalf("--programme 5: exit %d, %s", code, stderr)
	}
	for _, p := range []string{path, pp} {
		if code, out, errOut := runSolveCLI(t, p, "--max-iterations", "50", "--seed", "1", "--threads", "1"); code == 2 {
			t.Errorf("tabane solve %s: exit %d\n%s\n%s", p, code, out, errOut)
		}
	}
}

// TestGenCLIErrors: bad values and stray arguments exit 2, an unwritable file 1, with the reason.
func TestGenCLIErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--munis", "0"}, 2, "tabane gen: --munis must be at least 1, got 0\n"},
		{[]string{"--programme", "4", "--contract-years", "3"}, 2, "tabane gen: --programme 4 must be a multiple of --contract-years, got 3\n"},
		{[]string{"extra.json"}, 2, `tabane gen: takes no arguments, got ["extra.json"]`},
		{[]string{"--seed", "-1"}, 2, `invalid value "-1" for flag -seed`},
		{[]string{"-o", filepath.Join(t.TempDir(), "no", "such", "dir.json")}, 1, "tabane gen: cannot write "},
	} {
		code, _, stderr := runGenCLI(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", c.args, code, stderr, c.want)
		}
	}
}
