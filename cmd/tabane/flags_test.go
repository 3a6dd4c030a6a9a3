package main

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParseArgsInterleaved(t *testing.T) {
	newFS := func() (*flag.FlagSet, *int) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return fs, fs.Int("seed", 1, "")
	}
	fs, seed := newFS()
	pos, code, exit := parseArgs(fs, []string{"a.json", "--seed", "7", "b.json"})
	if exit || code != 0 || *seed != 7 || !reflect.DeepEqual(pos, []string{"a.json", "b.json"}) {
		t.Fatalf("pos=%v code=%d exit=%v seed=%d", pos, code, exit, *seed)
	}
	fs, _ = newFS()
	if _, code, exit := parseArgs(fs, []string{"a.json", "--nope"}); !exit || code != 2 {
		t.Fatalf("unknown flag: code=%d exit=%v, want 2 true", code, exit)
	}
	fs, _ = newFS()
	if _, code, exit := parseArgs(fs, []string{"-h"}); !exit || code != 0 {
		t.Fatalf("-h: code=%d exit=%v, want 0 true", code, exit)
	}
}
