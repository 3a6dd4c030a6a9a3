package whatif

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

// sized is a variation of an instance of n assets of a participating municipality and
// 100 of one that stays out, with cache key key.
func sized(n int, key string) Variation {
	no := false
	inst := &solver.Instance{Municipalities: []solver.Municipality{{Code: "29001"}, {Code: "29201", Participates: &no}}}
	for range n {
		inst.Assets = append(inst.Assets, solver.Asset{Municipality: "29001"})
	}
	for range 100 {
		inst.Assets = append(inst.Assets, solver.Asset{Municipality: "29201"})
	}
	return Variation{Key: key, Instance: inst}
}

func TestAssignShardsBalancesBySize(t *testing.T) {
	// Weights 3 10 4 7 3 5 in batch order, then a twin of the second (same key).
	// Heaviest first to the lightest shard: 10→0, 7→1, 5→1 (12), 4→0 (14), 3 (#0)→1
	// (15), 3 (#4)→0 (17); the twin follows its key to shard 0 at no weight.
	// The assets of municipalities that stay out weigh nothing.
	if v := sized(7, "k"); Weight(&v) != 7 {
		t.Errorf("weight %d, want 7 of 107 assets", Weight(&v))
	}
	vars := []Variation{sized(3, "k0"), sized(10, "k1"), sized(4, "k2"), sized(7, "k3"), sized(3, "k4"), sized(5, "k5"), sized(10, "k1")}
	if got, want := AssignShards(vars, 2), []int{1, 0, 0, 1, 0, 1, 0}; !equalInts(got, want) {
		t.Errorf("2 shards: %v, want %v", got, want)
	}
	// Three shards: 10→0, 7→1, 5→2, 4→2 (9), 3 (#0)→1 (10), 3 (#4)→2 (12).
	if got, want := AssignShards(vars, 3), []int{1, 0, 2, 1, 2, 2, 0}; !equalInts(got, want) {
		t.Errorf("3 shards: %v, want %v", got, want)
	}
	if got, want := AssignShards(vars, 1), []int{0, 0, 0, 0, 0, 0, 0}; !equalInts(got, want) {
		t.Errorf("1 shard: %v, want %v", got, want)
	}
	// An empty instance still weighs 1, so that equal variations spread round-robin.
	flat := []Variation{sized(0, "a"), sized(0, "b"), sized(0, "c"), sized(0, "d")}
	if got, want := AssignShards(flat, 3), []int{0, 1, 2, 0}; !equalInts(got, want) {
		t.Errorf("flat: %v, want %v", got, want)
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/3"); err != nil || s != (Shard{2, 3}) || s.String() != "2/3" {
		t.Errorf("2/3: %v %v", s, err)
	}
	for in, want := range map[string]string{
		"3/3":  "shard index must be from 0 to 2 for 3 shards, found 3",
		"-1/3": "shard index must be from 0 to 2 for 3 shards, found -1",
		"0/0":  "shard count must be ≥ 1, found 0",
		"1":    `shard "1": expected I/N, e.g. 0/3 (I from 0 to N-1)`,
		"a/b":  `shard "a/b": expected I/N, e.g. 0/3 (I from 0 to N-1)`,
	} {
		if _, err := ParseShard(in); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

const shardBatch = `
name: shards
base: tiny.json
solver: {time_limit: 60s, seed: SEED, max_iterations: 100}
grid:
  params.contract_fixed_cost: [1000000, 2000000, 3000000, 4000000]
`

func TestShardsMergeToTheOneMachineRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	vars := expand(t, writeBatch(t, dir, strings.Replace(shardBatch, "SEED", "7", 1)))
	out, cache := filepath.Join(dir, "out"), filepath.Join(dir, "cache")
	o := Output{Lang: En, Batch: "shards", Base: "p-tiny", Names: map[string]string{"29001": "町01"}}
	// Four equal variations in two shards: 1 and 3 in shard 0, 2 and 4 in shard 1.
	sum, err := RunShard(ctx, vars, Shard{0, 2}, out, o, RunOptions{Parallel: 1, CacheDir: cache})
	if err != nil || sum.Variations != 2 || sum.Total != 4 || len(sum.Rows) != 2 || sum.Rows[0].Index != 1 || sum.Rows[1].Index != 3 {
		t.Fatalf("shard 0/2: %+v, %v", sum, err)
	}
	for _, f := range []string{ManifestFile, "rows/00001.json", "rows/00003.json",
		"plans/001-contract_fixed_cost-1000000.json", "plans/003-contract_fixed_cost-3000000.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}

	// Half the shards: merge names what is missing, and where.
	m, rows, err := LoadShards(out)
	var me *MissingError
	if !errors.As(err, &me) || len(rows) != 2 || m.Shards != 2 || m.Base != "p-tiny" || m.Names["29001"] != "町01" {
		t.Fatalf("after shard 0: %d rows, %v", len(rows), err)
	}
	want := "2 variations have no row yet; run their shards (again) and merge:\n" +
		"  shard 1/2: variation 2 \"contract_fixed_cost=2000000\": no row\n" +
		"  shard 1/2: variation 4 \"contract_fixed_cost=4000000\": no row"
	if err.Error() != want {
		t.Errorf("missing:\n%v\nwant\n%s", err, want)
	}

	if _, err := RunShard(ctx, vars, Shard{1, 2}, out, o, RunOptions{Parallel: 1, CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	_, merged, err := LoadShards(out)
	if err != nil {
		t.Fatal(err)
	}
	single, err := Run(ctx, vars, RunOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) != 4 {
		t.Fatalf("%d merged rows", len(merged))
	}
	for i := range single {
		s, g := single[i], merged[i]
		if g.Index != s.Index || g.Name != s.Name || g.Key != s.Key || g.Cost != s.Cost || g.Bundles != s.Bundles ||
			g.StandaloneTotal != s.StandaloneTotal || !reflect.DeepEqual(g.Shares, s.Shares) || !g.Feasible ||
			FormatValue(g.Overrides[0].Value) != FormatValue(s.Overrides[0].Value) {
			t.Errorf("row %d: merged %+v\nsingle %+v", i+1, g, s)
		}
		if g.Plan == nil || len(g.Plan.Bundles) != len(s.Plan.Bundles) {
			t.Errorf("row %d: the merged row has no plan of %d bundles", i+1, len(s.Plan.Bundles))
		}
	}
	// The merged tables hold the same numbers as those of the one-machine run.
	var a, b strings.Builder
	if err := WriteCSV(&a, merged, En); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&b, single, En); err != nil {
		t.Fatal(err)
	}
	plain := func(csv string) string {
		recs := readCSVText(t, csv)
		return fmt.Sprint(columns(t, recs, "index", "variation", "params.contract_fixed_cost", "total_cost", "standalone_total",
			"saving", "saving_pct", "bundles", "ir_violations", "plan", "error"))
	}
	if plain(a.String()) != plain(b.String()) {
		t.Errorf("merged table\n%s\none-machine table\n%s", a.String(), b.String())
	}

	// One folder per shard merges as well (the shards' rows come from the cache now).
	perShard := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	for i, d := range perShard {
		if _, err := RunShard(ctx, vars, Shard{i, 2}, d, o, RunOptions{Parallel: 1, CacheDir: cache}); err != nil {
			t.Fatal(err)
		}
	}
	if _, rows, err := LoadShards(perShard...); err != nil || len(rows) != 4 || rows[3].Cost != single[3].Cost || !rows[3].Cached {
		t.Errorf("one folder per shard: %d rows, %v", len(rows), err)
	}

	// Shard 1 run again for another seed: its rows no longer match shard 0's manifest…
	other := expand(t, writeBatch(t, dir, strings.Replace(shardBatch, "SEED", "8", 1)))
	out2 := filepath.Join(dir, "out2")
	if _, err := RunShard(ctx, other, Shard{1, 2}, out2, o, RunOptions{Parallel: 1, CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadShards(out, out2); err == nil || !strings.Contains(err.Error(),
		"the shards ran different batches: variation 1 is \"contract_fixed_cost=1000000\" ("+vars[0].Key[:12]+") in one and") {
		t.Errorf("two batches: %v", err)
	}
	// … and in one folder, the newer manifest disowns the older rows by their keys.
	if _, err := RunShard(ctx, other, Shard{1, 2}, out, o, RunOptions{Parallel: 1, CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadShards(out)
	if !errors.As(err, &me) || len(me.Missing) != 2 || me.Missing[0].Index != 1 || me.Missing[0].Shard != 0 ||
		me.Missing[0].Why != fmt.Sprintf("its row was solved for another version of the batch (key %.12s, expected %.12s)", vars[0].Key, other[0].Key) {
		t.Errorf("stale rows: %v", err)
	}
	if _, _, err := LoadShards(dir); err == nil || err.Error() != dir+": no shards.json: not the output folder of a shard (tabane whatif BATCH --shard I/N -o "+dir+")" {
		t.Errorf("not a shard folder: %v", err)
	}
}

func readCSVText(t *testing.T, text string) [][]string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return readCSV(t, p)
}

// columns are the named columns of a CSV, each a list of cells.
func columns(t *testing.T, recs [][]string, names ...string) [][]string {
	t.Helper()
	out := make([][]string, len(names))
	for i, n := range names {
		out[i] = column(t, recs, n)
	}
	return out
}

func TestTimeLimitedRows(t *testing.T) {
	rows := []Row{
		{Index: 1, Report: &solver.Report{StopReason: "iteration_limit"}},
		{Index: 2, Report: &solver.Report{StopReason: "time_limit"}},
		{Index: 3},
		{Index: 4, Report: &solver.Report{StopReason: "gap_closed"}},
		{Index: 5, Report: &solver.Report{StopReason: "time_limit"}},
	}
	var got []int
	for _, r := range TimeLimited(rows) {
		got = append(got, r.Index)
	}
	if !equalInts(got, []int{2, 5}) {
		t.Errorf("time-limited rows %v, want [2 5]", got)
	}
}
