package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/tabane/tabane/internal/whatif"
)

// shardFlags are the flags of one shard of a batch: --shard I/N, or --shards N with I
// from JOB_COMPLETION_INDEX (the pod's index in a Kubernetes Indexed Job).
type shardFlags struct {
	shardSpec *string
	shards    *int
}

func addShardFlags(fs *flag.FlagSet) shardFlags {
	return shardFlags{
		shardSpec: fs.String("shard", "", "I/N: solve only shard I (0 … N-1) of N and write its rows into OUTDIR for tabane whatif merge"),
		shards:    fs.Int("shards", 0, "N: as --shard, I from $JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)"),
	}
}

// shard is the shard the flags name, and whether they name one.
func (f shardFlags) shard(fs *flag.FlagSet) (whatif.Shard, bool, error) {
	switch {
	case *f.shardSpec != "" && flagSet(fs, "shards"):
		return whatif.Shard{}, false, fmt.Errorf("give --shard I/N or --shards N, not both")
	case *f.shardSpec != "":
		s, err := whatif.ParseShard(*f.shardSpec)
		return s, err == nil, err
	case flagSet(fs, "shards"):
		env, ok := os.LookupEnv("JOB_COMPLETION_INDEX")
		if !ok {
			return whatif.Shard{}, false, fmt.Errorf("--shards %d: JOB_COMPLETION_INDEX is not set (Kubernetes sets it in the pods of an Indexed Job); elsewhere give --shard I/N", *f.shards)
		}
		i, err := strconv.Atoi(strings.TrimSpace(env))
		if err != nil {
			return whatif.Shard{}, false, fmt.Errorf("JOB_COMPLETION_INDEX=%q: not a whole number", env)
		}
		s, err := whatif.NewShard(i, *f.shards)
		if err != nil {
			return whatif.Shard{}, false, fmt.Errorf("JOB_COMPLETION_INDEX=%d with --shards %d: %w", i, *f.shards, err)
		}
		return s, true, nil
	}
	return whatif.Shard{}, false, nil
}

// flagSet says whether the command line gave flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// shardColumn is the end of each line of --dry-run: "  shard I/N" with --shard or
// --shards, so that the split can be seen before anything runs; "" otherwise.
func shardColumn(vars []whatif.Variation, s whatif.Shard, sharded bool) []string {
	out := make([]string, len(vars))
	if !sharded {
		return out
	}
	for i, k := range whatif.AssignShards(vars, s.Count) {
		out[i] = fmt.Sprintf("  shard %d/%d", k, s.Count)
	}
	return out
}

// basesText names the bases of a run for its first line: "p-tiny (43 assets)", or
// "47 bases (5,170 assets)".
func basesText(bases []whatif.NamedBase) string {
	assets := 0
	for _, b := range bases {
		assets += len(b.Instance.Assets)
	}
	if len(bases) == 1 {
		return fmt.Sprintf("%s (%d assets)", bases[0].Instance.Name, assets)
	}
	return fmt.Sprintf("%d bases (%d assets)", len(bases), assets)
}

// runShard is `tabane whatif BATCH --shard I/N`: this shard's variations, each row and
// plan written into outDir as it finishes.
func runShard(ctx context.Context, vars []whatif.Variation, s whatif.Shard, outDir string, o whatif.Output,
	opt whatif.RunOptions, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "whatif %q shard %s: solving its share of %d variations into %s, %d at a time, cache %s\n",
		o.Batch, s, len(vars), outDir, opt.Parallel, orNone(opt.CacheDir))
	sum, err := whatif.RunShard(ctx, vars, s, outDir, o, opt)
	cached := 0
	for _, r := range sum.Rows {
		if r.Cached {
			cached++
		}
	}
	reportInfeasible(sum.Rows, stderr)
	fmt.Fprintf(stdout, "shard %s: %d of %d variations done (%d from the cache), rows in %s/%s; when every shard is done: tabane whatif merge %s\n",
		s, len(sum.Rows), sum.Variations, cached, outDir, whatif.RowsDir, outDir)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "tabane whatif: shard %s interrupted: %d of %d variations finished and are cached; run it again to finish\n",
				s, len(sum.Rows), sum.Variations)
		} else {
			fmt.Fprintf(stderr, "tabane whatif: shard %s: %v\n", s, err)
		}
		return 1
	}
	// A variation without a feasible plan is an answer, which the merge reports: exit 0,
	// so that Kubernetes retries only the shards that were killed or could not write.
	return 0
}

// reportInfeasible names the rows without a feasible plan on stderr.
func reportInfeasible(rows []whatif.Row, stderr io.Writer) {
	for _, r := range rows {
		if !r.Feasible {
			fmt.Fprintf(stderr, "variation %d %q: %s\n", r.Index, r.Name, r.Error)
		}
	}
}

const whatifMergeUsage = `Usage: tabane whatif merge OUTDIR… [-o DIR] [--lang ja|en] [--print]

Merges the rows that the shards of a batch (tabane whatif BATCH --shard I/N -o OUTDIR)
wrote into one shared folder, or one folder each, and writes the batch's summary.html,
results.csv, results.md, shares.csv, plans/ and charts into DIR (default: the first
OUTDIR), as one run on one machine would. With --print, results.md also goes to stdout
(kubectl logs of the merge Job shows the table).
Exit 0: every variation merged (those without a feasible plan named on stderr, as a
shard names them); 2: bad usage or folders; 3: variations without a row (each named
with its shard; nothing written).
`

// runWhatifMerge is `tabane whatif merge`.
func runWhatifMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("whatif merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, whatifMergeUsage)
		fs.PrintDefaults()
	}
	outDir := fs.String("o", "", "folder of the merged outputs (default the first OUTDIR)")
	langFlag := fs.String("lang", "ja", "language of results.md, shares.csv, the charts and summary.html: ja or en")
	print := fs.Bool("print", false, "also write results.md to stdout")
	pos, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "tabane whatif merge: name the output folder(s) of the shards")
		fs.Usage()
		return 2
	}
	lang, err := whatif.ParseLang(*langFlag)
	if err != nil {
		fmt.Fprintf(stderr, "tabane whatif merge: --%v\n", err)
		return 2
	}
	if *outDir == "" {
		*outDir = pos[0]
	}
	m, rows, err := whatif.LoadShards(pos...)
	if err != nil {
		fmt.Fprintf(stderr, "tabane whatif merge: %v\n", err)
		if m != nil {
			return 3
		}
		return 2
	}
	o := m.Output(lang)
	if err := whatif.WriteOutputs(*outDir, rows, o); err != nil {
		fmt.Fprintf(stderr, "tabane whatif merge: %v\n", err)
		return 2
	}
	reportInfeasible(rows, stderr)
	for _, r := range whatif.TimeLimited(rows) {
		fmt.Fprintf(stderr, "note: variation %d %q stopped at its time limit after %d iterations: its plan depends on the speed of the machine; set solver.max_iterations (and a time limit it does not reach) for a reproducible table\n",
			r.Index, r.Name, r.Report.Iterations)
	}
	fmt.Fprintf(stdout, "merged %d rows of %d shards into %s: %s, %s, %s, %s, %s\n", len(rows), m.Shards, *outDir,
		whatif.SummaryHTML, whatif.ResultsCSV, whatif.ResultsMD, whatif.SharesCSV, whatif.ChartPNG)
	if *print {
		if err := whatif.WriteMarkdown(stdout, rows, o); err != nil {
			fmt.Fprintf(stderr, "tabane whatif merge: %v\n", err)
			return 2
		}
	}
	return 0
}
