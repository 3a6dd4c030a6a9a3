package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/whatif"
	"github.com/tabane/tabane/solver"
)

const whatifUsage = `Usage: tabane whatif BATCH.yaml [-o OUTDIR] [--parallel N] [--cache DIR] [--no-cache] [--dry-run] [--lang ja|en]
       tabane whatif BATCH.yaml --shard I/N | --shards N   (one shard; see tabane whatif merge -h, k8s -h)
A shard exits 0 when every variation of its share has a row, also one without a
feasible plan (the merge names those), so that a cluster retries only failed shards.

Runs every variation of a what-if batch (YAML or JSON, see README "What-if batches") and
writes summary.html, results.csv, results.md, shares.csv, plans/*.json, chart.svg/png and
municipalities.svg/png into OUTDIR, in Japanese (--lang en: English).
Results are cached by the content hash of each variation's instance and solver settings,
so a second run only solves what changed; Ctrl-C stops and keeps what finished.
Exit 0: every variation ran; 1: some variation has no feasible plan or failed, or the
run was interrupted; 2: bad input or usage.
`

// runWhatif is `tabane whatif`.
func runWhatif(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "merge":
			return runWhatifMerge(args[1:], stdout, stderr)
		case "k8s":
			return runWhatifK8s(ctx, args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("whatif", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, whatifUsage)
		fs.PrintDefaults()
	}
	outDir := fs.String("o", "", "output folder (default whatif-<batch name> in the current folder)")
	parallel := fs.Int("parallel", runtime.NumCPU(), "variations solved at once")
	cacheDir := fs.String("cache", defaultWhatifCache(), "cache folder of solved variations")
	noCache := fs.Bool("no-cache", false, "neither read nor write the cache")
	dryRun := fs.Bool("dry-run", false, "check the batch and list its variations without solving")
	langFlag := fs.String("lang", "ja", "language of results.md, shares.csv, the charts and summary.html: ja or en")
	shardFlags := addShardFlags(fs)
	pos, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	shard, sharded, err := shardFlags.shard(fs)
	if err != nil {
		fmt.Fprintf(stderr, "tabane whatif: %v\n", err)
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "tabane whatif: name one batch file")
		fs.Usage()
		return 2
	}
	if *parallel < 1 {
		fmt.Fprintf(stderr, "tabane whatif: --parallel must be ≥ 1, found %d\n", *parallel)
		return 2
	}
	lang, err := whatif.ParseLang(*langFlag)
	if err != nil {
		fmt.Fprintf(stderr, "tabane whatif: --%v\n", err)
		return 2
	}
	path := pos[0]
	lb, ok := loadBatch(ctx, "tabane whatif", path, storeScenarios{}, stderr)
	if !ok {
		return 2
	}
	batch, bases, vars := lb.batch, lb.bases, lb.vars
	if *noCache {
		*cacheDir = ""
	}
	if *dryRun {
		shards := shardColumn(vars, shard, sharded)
		for i, v := range vars {
			fmt.Fprintf(stdout, "%3d  %s  (time limit %v, seed %d, key %.12s)%s\n", v.Index, v.Name, v.TimeLimit, v.Seed, v.Key, shards[i])
		}
		fmt.Fprintf(stdout, "%d variations; nothing solved (--dry-run)\n", len(vars))
		return 0
	}
	if *outDir == "" {
		*outDir = "whatif-" + slugName(batch.Name)
	}
	o := whatif.BasesOutput(lang, batch.Name, bases)
	if sharded {
		if !flagSet(fs, "cache") && !*noCache {
			*cacheDir = filepath.Join(*outDir, "cache")
		}
		return runShard(ctx, vars, shard, *outDir, o, whatif.RunOptions{Parallel: *parallel, CacheDir: *cacheDir}, stdout, stderr)
	}

	fmt.Fprintf(stdout, "whatif %q: %d variations on %s, %d at a time, cache %s\n", batch.Name, len(vars),
		basesText(bases), min(*parallel, len(vars)), orNone(*cacheDir))
	for _, b := range bases {
		if b.Instance.Version == 2 {
			fmt.Fprintln(stdout, "programme (version 2): each variation is also planned year by year (each due year alone, as solve --compare-yearly), so it may take twice its time limit")
			break
		}
	}
	bar := whatif.NewProgressBar(stdout, whatif.IsTerminal(stdout))
	rows, runErr := whatif.Run(ctx, vars, whatif.RunOptions{Parallel: *parallel, CacheDir: *cacheDir, Progress: bar.Update})
	bar.Finish()
	if len(rows) > 0 {
		if err := whatif.WriteOutputs(*outDir, rows, o); err != nil {
			fmt.Fprintf(stderr, "tabane whatif: %v\n", err)
			return 2
		}
	}
	cached, failed := 0, 0
	for _, r := range rows {
		if r.Cached {
			cached++
		}
		if !r.Feasible {
			failed++
			fmt.Fprintf(stderr, "variation %d %q: %s\n", r.Index, r.Name, r.Error)
		}
	}
	if len(rows) > 0 {
		fmt.Fprintf(stdout, "%d rows (%d from the cache) in %s: %s, %s, %s, %s, %s\n", len(rows), cached, *outDir,
			whatif.SummaryHTML, whatif.ResultsCSV, whatif.ResultsMD, whatif.SharesCSV, whatif.ChartPNG)
	}
	if runErr != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "tabane whatif: interrupted: %d of %d variations finished and are cached; run again to finish\n", len(rows), len(vars))
		} else {
			fmt.Fprintf(stderr, "tabane whatif: %v\n", runErr)
		}
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func defaultWhatifCache() string {
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "tabane", "whatif")
	}
	return filepath.Join(".tabane-cache", "whatif")
}

func orNone(s string) string {
	if s == "" {
		return "off"
	}
	return s
}

func slugName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '-'
		}
		return r
	}, s)
	if s == "" {
		return "batch"
	}
	return s
}

// storeScenarios builds the instance of a batch base that names a scenario of a
// tabane database (base: {scenario: 3, db: tabane.db}; db defaults to tabane.db).
type storeScenarios struct{}

func (storeScenarios) ScenarioInstance(ctx context.Context, db string, id int64) (*solver.Instance, error) {
	if db == "" {
		db = "tabane.db"
	}
	// Opening creates a missing file: refuse that rather than make an empty database.
	if _, err := os.Stat(db); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	store, err := data.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	sc, err := store.Scenario(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", db, err)
	}
	return store.ScenarioInstance(ctx, sc)
}
