package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// shardBatch runs on a small generated instance. All six variations weigh the same
// (155 assets), so the shards take them round-robin: 0 gets 1 and 4, 1 gets 2 and 5,
// 2 gets 3 and 6. Variation 5 runs 20 times the iterations of the others, so that
// shard 1 is still solving it when the test kills the shard after its first row.
const shardBatch = `
name: shards
base: small.json
solver: {time_limit: 600s, seed: 1, max_iterations: 300}
variations:
  - name: today
  - name: fixed-3m
    set: {params.contract_fixed_cost: 3000000}
  - name: travel-600
    set: {params.travel_cost_per_km: 600}
  - name: no-mix
    set: {params.mixed_discipline_surcharge: null}
  - name: slow
    set: {solver.max_iterations: 6000}
  - name: without-first
    without: ["29001"]
`

// runBin runs the binary to the end and returns its exit code and output.
func runBin(t testing.TB, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	}
	t.Fatalf("%v: %v", cmd.Args, err)
	return 0, "", ""
}

// shardCmd is `bin whatif batch --shards n -o out` as pod index of an Indexed Job.
func shardCmd(bin, batch string, index, n int, out string) *exec.Cmd {
	cmd := exec.Command(bin, "whatif", batch, "--shards", fmt.Sprint(n), "--parallel", "1", "-o", out)
	cmd.Env = append(os.Environ(), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", index))
	return cmd
}

// planColumns are the columns of results.csv that a plan decides: all but the lower
// bound and gap (the bound search has a time budget), the seconds and the cache flag.
func planColumns(t *testing.T, path string) [][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	skip := map[string]bool{"下界（円）": true, "ギャップ（%）": true, "計算秒数": true, "キャッシュ": true}
	var out [][]string
	for _, r := range recs {
		var keep []string
		for j, c := range r {
			if !skip[recs[0][j]] {
				keep = append(keep, c)
			}
		}
		out = append(out, keep)
	}
	return out
}

func TestWhatifShardsKilledResumedAndMerged(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	if code, out, errs := runBin(t, exec.Command(bin, "gen", "--munis", "8", "--assets", "150", "--spread", "12", "--seed", "4",
		"-o", filepath.Join(dir, "small.json"))); code != 0 {
		t.Fatalf("gen: %d %s %s", code, out, errs)
	}
	batch := filepath.Join(dir, "batch.yaml")
	if err := os.WriteFile(batch, []byte(shardBatch), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")

	// Three shard processes, as the pods of an Indexed Job; shard 1 killed after its
	// first row (variation 2), in the middle of variation 5.
	var cmds []*exec.Cmd
	for i := range 3 {
		c := shardCmd(bin, batch, i, 3, out)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	row := func(i int) string { return filepath.Join(out, "rows", fmt.Sprintf("%05d.json", i)) }
	for !exists(row(2)) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmds[1].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmds[1].Wait()
	for _, i := range []int{0, 2} {
		if err := cmds[i].Wait(); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
	}
	if exists(row(5)) {
		t.Fatal("shard 1 finished variation 5 before it was killed: the test did not kill it mid-run")
	}
	var m struct {
		Shards     int `json:"shards"`
		Variations []struct {
			Index, Shard int
		} `json:"variations"`
	}
	raw, err := os.ReadFile(filepath.Join(out, "shards.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var shards []int
	for _, v := range m.Variations {
		shards = append(shards, v.Shard)
	}
	if want := []int{0, 1, 2, 0, 1, 2}; m.Shards != 3 || !reflect.DeepEqual(shards, want) {
		t.Errorf("manifest: %d shards, assignment %v, want %v", m.Shards, shards, want)
	}

	// Merge names the missing row and its shard, and writes nothing.
	code, stdout, stderr := runBin(t, exec.Command(bin, "whatif", "merge", out))
	if want := "tabane whatif merge: 1 variation has no row yet; run its shard (again) and merge:\n" +
		"  shard 1/3: variation 5 \"slow\": no row\n"; code != 3 || stderr != want || stdout != "" {
		t.Errorf("merge before the re-run: exit %d\nstdout %s\nstderr %s\nwant %s", code, stdout, stderr, want)
	}
	if exists(filepath.Join(out, "results.csv")) {
		t.Error("a merge with a missing row wrote results.csv")
	}

	// Shard 1 again: variation 2 from the cache on the shared volume, 5 solved.
	code, stdout, stderr = runBin(t, shardCmd(bin, batch, 1, 3, out))
	if !strings.Contains(stdout, "shard 1/3: 2 of 2 variations done (1 from the cache), rows in "+out+"/rows") || code != 0 {
		t.Errorf("re-run of shard 1: exit %d\n%s%s", code, stdout, stderr)
	}
	merged := filepath.Join(dir, "merged")
	code, stdout, stderr = runBin(t, exec.Command(bin, "whatif", "merge", out, "-o", merged, "--print"))
	if code != 0 || !strings.HasPrefix(stdout, "merged 6 rows of 3 shards into "+merged) || !strings.Contains(stdout, "| 5 | slow |") {
		t.Fatalf("merge: exit %d\n%s%s", code, stdout, stderr)
	}

	// The one-machine run of the same batch: the same table, cost for cost.
	single := filepath.Join(dir, "single")
	if code, stdout, stderr := runBin(t, exec.Command(bin, "whatif", batch, "--no-cache", "-o", single)); code != 0 {
		t.Fatalf("single run: exit %d\n%s%s", code, stdout, stderr)
	}
	a, b := planColumns(t, filepath.Join(single, "results.csv")), planColumns(t, filepath.Join(merged, "results.csv"))
	if len(a) != 7 || !reflect.DeepEqual(a, b) {
		t.Errorf("merged table\n%v\none-machine table\n%v", b, a)
	}
	for _, f := range []string{"shares.csv", "plans/005-slow.json", "summary.html", "chart.svg"} {
		if !exists(filepath.Join(merged, f)) {
			t.Errorf("merged output lacks %s", f)
		}
	}
	sa, err := os.ReadFile(filepath.Join(single, "shares.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := os.ReadFile(filepath.Join(merged, "shares.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sa, sb) {
		t.Errorf("shares.csv differ:\n%s\n%s", sa, sb)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestWhatifShardFlags(t *testing.T) {
	dir := t.TempDir()
	batch := whatifBatch(t, dir, "base: tiny.json\n")
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", []string{"--shards", "3"}, "tabane whatif: --shards 3: JOB_COMPLETION_INDEX is not set (Kubernetes sets it in the pods of an Indexed Job); elsewhere give --shard I/N\n"},
		{"3", []string{"--shards", "3"}, "tabane whatif: JOB_COMPLETION_INDEX=3 with --shards 3: shard index must be from 0 to 2 for 3 shards, found 3\n"},
		{"x", []string{"--shards", "3"}, "tabane whatif: JOB_COMPLETION_INDEX=\"x\": not a whole number\n"},
		{"", []string{"--shard", "1/2", "--shards", "2"}, "tabane whatif: give --shard I/N or --shards N, not both\n"},
		{"", []string{"--shard", "2"}, "tabane whatif: shard \"2\": expected I/N, e.g. 0/3 (I from 0 to N-1)\n"},
	} {
		// t.Setenv restores the variable after the test, also when it is unset here.
		t.Setenv("JOB_COMPLETION_INDEX", c.env)
		if c.env == "" {
			os.Unsetenv("JOB_COMPLETION_INDEX")
		}
		code, _, stderr := runWhatifCLI(t, append([]string{batch}, c.args...)...)
		if code != 2 || stderr != c.want {
			t.Errorf("%s %v: exit %d, %q\nwant %q", c.env, c.args, code, stderr, c.want)
		}
	}
	// --dry-run shows the split.
	grid := whatifBatch(t, dir, "base: tiny.json\ngrid:\n  params.contract_fixed_cost: [1000000, 2000000, 3000000]\n")
	code, stdout, stderr := runWhatifCLI(t, grid, "--dry-run", "--shard", "1/2")
	for i, want := range []string{"  shard 0/2", "  shard 1/2", "  shard 0/2"} {
		if line := strings.Split(stdout, "\n")[i]; !strings.HasSuffix(line, want) || code != 0 {
			t.Errorf("dry run line %d %q, want … %q (exit %d %s)", i+1, line, want, code, stderr)
		}
	}
	code, _, stderr = runWhatifCLI(t, "merge", dir)
	if code != 2 || stderr != "tabane whatif merge: "+dir+": no shards.json: not the output folder of a shard (tabane whatif BATCH --shard I/N -o "+dir+")\n" {
		t.Errorf("merge of no shard: exit %d %q", code, stderr)
	}
}

// BenchmarkWhatifShards measures the throughput of a 47-prefecture batch (small
// generated instances, two variations each: 94 solves of 300 iterations) with one and
// with two shard processes of the real binary, each solving one variation at a time
// as a one-CPU pod does. Run: go test ./cmd/tabane -run '^$' -bench WhatifShards -benchtime 1x
func BenchmarkWhatifShards(b *testing.B) {
	dir := b.TempDir()
	bin := buildBinary(b, dir)
	prefs := filepath.Join(dir, "prefs")
	if err := os.MkdirAll(prefs, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := 1; i <= 47; i++ {
		code, out, errs := runBin(b, exec.Command(bin, "gen", "--munis", "8", "--assets", "150", "--spread", "12",
			"--seed", fmt.Sprint(i), "--name", fmt.Sprintf("pref-%02d", i), "-o", filepath.Join(prefs, fmt.Sprintf("pref-%02d.json", i))))
		if code != 0 {
			b.Fatalf("gen: %d %s %s", code, out, errs)
		}
	}
	batch := filepath.Join(dir, "national.yaml")
	text := "name: national\nbases: prefs/*.json\nsolver: {time_limit: 600s, seed: 1, max_iterations: 300}\n" +
		"variations:\n  - name: today\n  - name: fixed-3m\n    set: {params.contract_fixed_cost: 3000000}\n"
	if err := os.WriteFile(batch, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	const solves = 94
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			for it := range b.N {
				out := filepath.Join(dir, fmt.Sprintf("out-%d-%d", n, it))
				var cmds []*exec.Cmd
				for k := range n {
					c := exec.Command(bin, "whatif", batch, "--shard", fmt.Sprintf("%d/%d", k, n), "--parallel", "1", "--no-cache", "-o", out)
					if err := c.Start(); err != nil {
						b.Fatal(err)
					}
					cmds = append(cmds, c)
				}
				for k, c := range cmds {
					if err := c.Wait(); err != nil {
						b.Fatalf("shard %d/%d: %v", k, n, err)
					}
				}
				b.StopTimer()
				code, stdout, stderr := runBin(b, exec.Command(bin, "whatif", "merge", out))
				if code != 0 || !strings.HasPrefix(stdout, fmt.Sprintf("merged %d rows of %d shards", solves, n)) {
					b.Fatalf("merge: exit %d\n%s%s", code, stdout, stderr)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(solves*b.N)/b.Elapsed().Seconds(), "variations/s")
		})
	}
}

// A variation without a feasible plan is an answer: the shard has done its work (exit
// 0, or Kubernetes would retry it in vain) and the merge names it.
func TestWhatifShardWithInfeasibleVariation(t *testing.T) {
	dir := t.TempDir()
	batch := whatifBatch(t, dir, `
base: tiny.json
solver: {time_limit: 60s, seed: 1, max_iterations: 100}
variations:
  - name: today
  - name: impossible
    set: {params.limits.min_value: 79000000}
`)
	out := filepath.Join(dir, "out")
	const why = `variation 2 "impossible": infeasible: all participating assets (43 asset(s), e.g. A000001): a bundle of them is worth at most ¥31,522,992 — all 43 that depot office-29007 reaches, the most valuable choice — below min_value ¥79,000,000; . Fix: lower min_value` + "\n"
	code, stdout, stderr := runWhatifCLI(t, batch, "--shard", "0/1", "-o", out, "--parallel", "1")
	if code != 0 || stderr != why || !strings.Contains(stdout, "shard 0/1: 2 of 2 variations done (0 from the cache)") {
		t.Errorf("shard: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runWhatifCLI(t, "merge", out)
	if code != 0 || stderr != why || stdout != "merged 2 rows of 1 shards into "+out+": summary.html, results.csv, results.md, shares.csv, chart.png\n" {
		t.Errorf("merge: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestWhatifK8sCLI(t *testing.T) {
	dir := t.TempDir()
	batch := whatifBatch(t, dir, "name: Tiny Grid\nbase: tiny.json\ngrid:\n  params.contract_fixed_cost: [1000000, 2000000]\n")
	out := filepath.Join(dir, "k8s")
	code, stdout, stderr := runWhatifCLI(t, "k8s", batch, "--shards", "2", "--image", "tabane:test", "-o", out)
	if want := out + "/whatif.yaml, " + out + "/merge.yaml: 2 variations in 2 shards, 2 pods at a time, each 1 CPU and 128Mi memory (the merge 128Mi); 2 files in the ConfigMap\n"; code != 0 || stdout != want || stderr != "" {
		t.Errorf("exit %d\n%s%s\nwant %s", code, stdout, stderr, want)
	}
	for name, kinds := range map[string]string{"whatif.yaml": "ConfigMap PersistentVolumeClaim Job", "merge.yaml": "Job"} {
		raw, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(regexp.MustCompile(`(?m)^kind: (\w+)$`).FindAllString(string(raw), -1), " "); got != kindLines(kinds) {
			t.Errorf("%s: %q, want %s", name, got, kinds)
		}
		if !strings.Contains(string(raw), "name: tabane-whatif-tiny-grid\n") {
			t.Errorf("%s is not named after the batch:\n%s", name, raw)
		}
	}
	code, stdout, stderr = runWhatifCLI(t, "k8s", batch, "--shards", "2", "--image", "tabane:test", "-o", out, "--batch-in-image", "/batch/tiny.yaml")
	if !strings.HasSuffix(stdout, "; the batch at /batch/tiny.yaml in the image\n") || code != 0 {
		t.Errorf("in image: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = runWhatifCLI(t, "k8s", batch, "--shards", "2")
	if code != 2 || stderr != "tabane whatif k8s: name the image (--image), e.g. registry.example.jp/tabane:1.0 built from the repository's Dockerfile\n" {
		t.Errorf("no image: exit %d %q", code, stderr)
	}
}

// kindLines is "kind: A kind: B" for "A B".
func kindLines(kinds string) string {
	var out []string
	for _, k := range strings.Fields(kinds) {
		out = append(out, "kind: "+k)
	}
	return strings.Join(out, " ")
}

// deploy/summit holds the manifests of the summit example as tabane writes them today:
// the command that made them, run again, writes the same bytes.
func TestDeploySummitIsCurrent(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runWhatifCLI(t, "k8s", "../../examples/whatif-summit.yaml", "--shards", "6", "--parallelism", "3",
		"--image", "registry.example.jp/tabane:1.0", "--batch-in-image", "/batch/whatif-summit.yaml", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, name := range []string{"whatif.yaml", "merge.yaml"} {
		want, err := os.ReadFile(filepath.Join("../../deploy/summit", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("deploy/summit/%s is stale; write it again with the command of README section cluster:\n%s", name, got)
		}
	}
}
