package mdfigures

import (
	"strings"
	"testing"
)

func TestReplaceBetween(t *testing.T) {
	begin, end := Markers("bench")
	if begin != "<!-- figures:bench -->" || end != "<!-- /figures:bench -->" {
		t.Fatalf("Markers: %q %q", begin, end)
	}
	md := "a\n" + begin + "\nold\n" + end + "\nb\n"
	got, err := ReplaceBetween([]byte(md), begin, end, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "a\n" + begin + "\nnew\n" + end + "\nb\n"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	for _, bad := range []string{"no markers", begin + end + begin, end + "\n" + begin} {
		if _, err := ReplaceBetween([]byte(bad), begin, end, "x"); err == nil {
			t.Errorf("ReplaceBetween(%q): no error", bad)
		}
	}
}

func TestMachine(t *testing.T) {
	m := Machine()
	if !strings.Contains(m, "CPU(s) (") || !strings.Contains(m, "go1.") {
		t.Errorf("Machine() = %q, want the CPUs, their model and the Go version", m)
	}
	if l := LoadAverage(); l != "" && !strings.HasPrefix(l, ", load average ") {
		t.Errorf("LoadAverage() = %q", l)
	}
}
