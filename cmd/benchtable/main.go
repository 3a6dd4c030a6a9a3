// Command benchtable runs `tabane solve` on every public instance (and the generated
// national one, `tabane gen`) as a child process and prints the benchmark table of the README:
// assets, depots, cost, lower bound, gap, best known (parsed from the instances'
// README), ratio to it, seconds and peak memory (the child's maximum resident set).
//
// Usage (from the repository root, after `make build`):
//
//	go run ./cmd/benchtable [--instances solver/testdata] [--bin bin/tabane]
//	    [--out bench-out] [--extra NAME=PATH ...] [--seed 1] [--threads 2]
//
// Time limits follow the targets of issue 3 by instance size: ≤ 300 assets 1 s,
// ≤ 2,000 assets 5 s, ≤ 20,000 assets 30 s, larger 60 s.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tabane/tabane/internal/mdfigures"
	"github.com/tabane/tabane/solver"
)

type extraFlag []string

func (e *extraFlag) String() string     { return strings.Join(*e, ",") }
func (e *extraFlag) Set(s string) error { *e = append(*e, s); return nil }

type row struct {
	name                 string
	assets, depots       int
	cost, bound, gap     float64 // NaN when absent
	feasible             bool
	bestKnown            float64 // NaN when none
	bestNote             string
	seconds              float64
	peakMB               float64
	limit                time.Duration
	stop, note, exitNote string
	version              int // 1: one-year instance, 2: programme
	// progress holds the solve's (seconds, best cost) at each better feasible plan, from
	// --progress; reached is the first time within 0.01 % of the best known (NaN: never).
	progress [][2]float64
	reached  float64
}

func main() {
	instDir := flag.String("instances", "solver/testdata", "folder of the public instances and their README.md")
	bin := flag.String("bin", "bin/tabane", "the tabane binary")
	outDir := flag.String("out", "bench-out", "folder for plans and the table (git-ignored)")
	seed := flag.Int("seed", 1, "seed passed to every solve")
	threads := flag.Int("threads", runtime.NumCPU(), "threads passed to every solve")
	var extra extraFlag
	flag.Var(&extra, "extra", "NAME=PATH of a further instance (repeatable), e.g. the generated national one")
	readme := flag.String("readme", "", "also write the tables into this Markdown file, between <!-- figures:bench --> (version 1) and <!-- figures:bench-programme --> (version 2) markers")
	flag.Parse()
	if err := run(*instDir, *bin, *outDir, *seed, *threads, extra, *readme, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(instDir, bin, outDir string, seed, threads int, extra []string, readme string, w io.Writer) error {
	loadBefore := mdfigures.LoadAverage()
	best, err := readBestKnown(filepath.Join(instDir, "README.md"))
	if err != nil {
		return err
	}
	paths, err := filepath.Glob(filepath.Join(instDir, "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(paths)
	type job struct {
		name, path string
		version    int
	}
	var jobs []job
	for _, p := range paths {
		// The folder also holds plans (version 0), which are not benchmarked; version-2
		// (programme) instances are, with the programme's time limits.
		v, err := instanceVersion(p)
		if err != nil {
			return err
		} else if v != 1 && v != 2 {
			continue
		}
		jobs = append(jobs, job{strings.TrimSuffix(filepath.Base(p), ".json"), p, v})
	}
	for _, e := range extra {
		name, path, ok := strings.Cut(e, "=")
		if !ok {
			return fmt.Errorf("--extra %q: want NAME=PATH", e)
		}
		// A generated national programme (version 2) gets the programme's limits.
		v, err := instanceVersion(path)
		if err != nil {
			return err
		}
		jobs = append(jobs, job{name, path, max(v, 1)})
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	var rows []row
	for _, j := range jobs {
		r, err := solveOne(bin, j.name, j.path, j.version, outDir, seed, threads)
		if err != nil {
			return fmt.Errorf("%s: %w", j.name, err)
		}
		r.version = j.version
		if b, ok := best[j.name]; ok {
			r.bestKnown, r.bestNote = b.value, b.note
		}
		r.reached = reachedAt(r.progress, r.bestKnown)
		fmt.Fprintf(os.Stderr, "%-16s %s in %.1f s\n", j.name, fmtYen(r.cost), r.seconds)
		rows = append(rows, r)
	}
	load := fmt.Sprintf("load average%s at the start%s at the end", strings.TrimPrefix(loadBefore, ", load average"),
		strings.TrimPrefix(mdfigures.LoadAverage(), ", load average"))
	var buf bytes.Buffer
	writeTable(&buf, rows, threads, load)
	if err := os.WriteFile(filepath.Join(outDir, "bench.md"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return err
	}
	if readme == "" {
		return nil
	}
	return writeReadme(readme, rows, threads, load)
}

// writeReadme rewrites the README's figures:bench block with the version-1 rows and its
// figures:bench-programme block with the programme rows; a kind without rows leaves its
// block as it was.
func writeReadme(path string, rows []row, threads int, load string) error {
	md, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, kind := range []struct {
		name    string
		version int
	}{{"bench", 1}, {"bench-programme", 2}} {
		var some []row
		for _, r := range rows {
			if r.version == kind.version {
				some = append(some, r)
			}
		}
		if len(some) == 0 {
			continue
		}
		var buf bytes.Buffer
		writeTable(&buf, some, threads, load)
		begin, end := mdfigures.Markers(kind.name)
		if md, err = mdfigures.ReplaceBetween(md, begin, end, buf.String()); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return os.WriteFile(path, md, 0o644)
}

// instanceVersion is the "version" of a JSON file: 1 or 2 for instances, 0 for plans
// (which have none).
func instanceVersion(path string) (int, error) {
	c, err := scanInstance(path)
	return c.version, err
}

// counts are what the table needs of an instance file.
type counts struct{ version, assets, depots, munis int }

// scanInstance reads a JSON file's version and the lengths of its assets, depots and
// municipalities by streaming it, one element at a time: a solve's maxrss includes this
// process's peak (fork shares its memory until exec), so benchtable never holds a whole
// 60 MB instance.
func scanInstance(path string) (counts, error) {
	var c counts
	f, err := os.Open(path)
	if err != nil {
		return c, err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	fail := func(err error) (counts, error) { return c, fmt.Errorf("read %s: %w", path, err) }
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fail(fmt.Errorf("not a JSON object"))
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := t.(string)
		var n *int
		switch key {
		case "version":
			if err := dec.Decode(&c.version); err != nil {
				return fail(err)
			}
			continue
		case "assets":
			n = &c.assets
		case "depots":
			n = &c.depots
		case "municipalities":
			n = &c.munis
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			if t == nil && err == nil {
				continue // null
			}
			return fail(fmt.Errorf("%s: want an array", key))
		}
		for dec.More() {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
			*n++
		}
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
	}
	return c, nil
}

// timeLimit is the budget of an instance by its size (the targets of issue 3).
func timeLimit(assets int) time.Duration {
	switch {
	case assets <= 300:
		return time.Second
	case assets <= 2000:
		return 5 * time.Second
	case assets <= 20000:
		return 30 * time.Second
	default:
		return 60 * time.Second
	}
}

// programmeTimeLimit is the budget of a programme by its size (issue 11's targets: the
// 125-asset programmes in 10 s, pp-nara's thousand assets in 30 s, the national
// programme in 120 s).
func programmeTimeLimit(assets int) time.Duration {
	switch {
	case assets <= 300:
		return 10 * time.Second
	case assets <= 20000:
		return 30 * time.Second
	default:
		return 120 * time.Second
	}
}

func solveOne(bin, name, path string, version int, outDir string, seed, threads int) (row, error) {
	r := row{name: name, cost: math.NaN(), bound: math.NaN(), gap: math.NaN(), bestKnown: math.NaN()}
	c, err := scanInstance(path)
	if err != nil {
		return r, err
	}
	r.assets, r.depots = c.assets, c.depots
	if r.depots == 0 {
		r.depots = c.munis // one office depot per municipality
	}
	r.limit = timeLimit(r.assets)
	if version == 2 {
		r.limit = programmeTimeLimit(r.assets)
	}
	planPath := filepath.Join(outDir, name+".plan.json")
	cmd := exec.Command(bin, "solve", path, "--time-limit", r.limit.String(), "--seed", strconv.Itoa(seed),
		"--threads", strconv.Itoa(threads), "--progress", "-o", planPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	r.seconds = time.Since(start).Seconds()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.peakMB = float64(ru.Maxrss) / 1024 // Linux reports KiB
		}
	}
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return r, err
		}
		code = ee.ExitCode()
	}
	if code == 2 {
		return r, fmt.Errorf("tabane solve exit 2: %s", strings.TrimSpace(stderr.String()))
	}
	r.progress = parseProgress(stderr.String())
	// The file is the one plan report of tabane solve.
	var out solver.Report
	pd, err := os.ReadFile(planPath)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(pd, &out); err != nil {
		return r, fmt.Errorf("%s: %w", planPath, err)
	}
	r.feasible, r.stop = out.Feasible, out.StopReason
	// An absent figure (no plan, no gap) stays NaN, which the table prints as —, not 0.
	orNaN := func(x *float64) float64 {
		if x == nil {
			return math.NaN()
		}
		return *x
	}
	r.cost, r.bound, r.gap = orNaN(out.Cost), orNaN(out.LowerBound), orNaN(out.Gap)
	if code == 1 {
		r.exitNote = "infeasible"
		if len(out.Infeasible) > 0 {
			msg := out.Infeasible[0].Message
			if len(out.Infeasible) > 1 {
				msg += fmt.Sprintf(" (+%d more)", len(out.Infeasible)-1)
			}
			r.note = msg
		}
	}
	return r, nil
}

// parseProgress reads the (seconds, best cost) of tabane solve --progress lines
// ("  12.34s search    best ¥66,540,194  bound …"); lines without a best cost are skipped.
func parseProgress(stderr string) [][2]float64 {
	var out [][2]float64
	for _, line := range strings.Split(stderr, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[2] != "best" || !strings.HasSuffix(f[0], "s") || !strings.HasPrefix(f[3], "¥") {
			continue
		}
		sec, err1 := strconv.ParseFloat(strings.TrimSuffix(f[0], "s"), 64)
		cost, err2 := strconv.ParseFloat(strings.ReplaceAll(strings.TrimPrefix(f[3], "¥"), ",", ""), 64)
		if err1 == nil && err2 == nil {
			out = append(out, [2]float64{sec, cost})
		}
	}
	return out
}

// reachedAt is the first time a best cost came within 0.01 % of best (NaN: never, or no
// best known).
func reachedAt(progress [][2]float64, best float64) float64 {
	if math.IsNaN(best) {
		return math.NaN()
	}
	for _, p := range progress {
		if p[1] <= best*(1+1e-4) {
			return p[0]
		}
	}
	return math.NaN()
}

type bestKnown struct {
	value float64
	note  string
}

// readBestKnown parses the "best known" column of the instances' README table.
func readBestKnown(path string) (map[string]bestKnown, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bestKnown{}
	col := -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		// Every table's header names its own "best known" column (the programme
		// table has other columns before it than the one-year table).
		if i := slices.Index(cells, "best known"); i >= 0 {
			col = i
			continue
		}
		if col < 0 || col >= len(cells) || strings.HasPrefix(cells[0], "---") {
			continue
		}
		name := strings.Fields(cells[0])[0]
		v, err := strconv.ParseFloat(strings.ReplaceAll(cells[col], ",", ""), 64)
		if err != nil {
			out[name] = bestKnown{math.NaN(), cells[col]}
			continue
		}
		out[name] = bestKnown{v, ""}
	}
	if col < 0 {
		return nil, fmt.Errorf("%s: no table with a \"best known\" column", path)
	}
	return out, sc.Err()
}

func fmtYen(x float64) string { return fmtYenD(x, false) }

// fmtYenD formats yen with thousands separators, with sen when decimals is set.
func fmtYenD(x float64, decimals bool) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', 0, 64)
	frac := ""
	if decimals {
		f := strconv.FormatFloat(math.Abs(x), 'f', 2, 64)
		s, frac = f[:len(f)-3], f[len(f)-3:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString(frac)
	if x < 0 {
		return "−" + b.String()
	}
	return b.String()
}

func writeTable(w io.Writer, rows []row, threads int, load string) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "Measured %s on %s: %d CPU core(s) (GOMAXPROCS), %s, `tabane solve --seed 1 --threads %d`, time limit by size.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), host, runtime.NumCPU(), load, threads)
	fmt.Fprintln(w, "| instance | assets | depots | limit | cost (¥) | lower bound (¥) | gap | best known (¥) | ratio to best known | within 0.01 % of best known after (s) | seconds | peak MB | stop |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rows {
		gap, ratio, bk := "—", "—", r.bestNote
		if !math.IsNaN(r.gap) {
			gap = fmt.Sprintf("%.3f %%", 100*r.gap)
		}
		if !math.IsNaN(r.bestKnown) {
			bk = fmtYenD(r.bestKnown, true)
			if !math.IsNaN(r.cost) {
				ratio = fmt.Sprintf("%.5f", r.cost/r.bestKnown)
			}
		}
		if bk == "" {
			bk = "—"
		}
		cost := fmtYenD(r.cost, true)
		stop := r.stop
		if r.exitNote != "" {
			cost = r.exitNote
		}
		reached := "—"
		if !math.IsNaN(r.reached) {
			reached = fmt.Sprintf("%.2f", r.reached)
		}
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %.2f | %.0f | %s |\n", r.name, r.assets, r.depots,
			r.limit, cost, fmtYenD(r.bound, true), gap, bk, ratio, reached, r.seconds, r.peakMB, stop)
	}
	for _, r := range rows {
		if r.note != "" {
			fmt.Fprintf(w, "\n- %s: %s\n", r.name, r.note)
		}
	}
}
