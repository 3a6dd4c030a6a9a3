package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"time"

	"github.com/tabane/tabane/internal/planout"
	"github.com/tabane/tabane/solver"
)

// solveOutput is what `tabane solve` writes: the one plan report (solver.Report), whose
// plan fields of docs/model.md (instance, bundles with depot and assets) are at the top level
// so that any plan reader (the referee, `tabane evaluate`) takes the file as is, plus the
// settings that reproduce it.
type solveOutput struct {
	*solver.Report
	Seed    int64 `json:"seed"`
	Threads int   `json:"threads"`
}

const solveUsage = `Usage: tabane solve INSTANCE.json [--time-limit 30s] [--seed 1] [--threads N] [--max-iterations N] [-o PLAN.json] [--geojson MAP.geojson] [--json] [--progress]

Finds a low-cost feasible plan (docs/model.md) with a lower bound. Exit 0: a feasible plan;
1: no feasible plan (the reasons are printed); 2: bad input or usage. A version-2
instance (docs/programme.md) gets a programme plan: lots with their block (fy) and a schedule.
`

// runSolve is `tabane solve`.
func runSolve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("solve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, solveUsage)
		fs.PrintDefaults()
	}
	timeLimit := fs.Duration("time-limit", solver.DefaultTimeLimit, "stop searching after this long")
	seed := fs.Int64("seed", 1, "random seed (same seed, threads and stop → same plan)")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "search threads")
	maxIter := fs.Int("max-iterations", 0, "stop after this many iterations per thread (0 = no cap; reproducible runs)")
	outPath := fs.String("o", "", "write the plan and its report (JSON) to this file")
	geoPath := fs.String("geojson", "", "write the plan as a GeoJSON map (bundle outlines, depots, assets) to this file")
	asJSON := fs.Bool("json", false, "write the plan and its report (JSON) to stdout; the summary goes to stderr")
	showProgress := fs.Bool("progress", false, "print progress lines on stderr")
	compareYearly := fs.Bool("compare-yearly", false, "programme (version 2): also plan each due year alone (the same time in all) and report the saving of planning the years together")
	pos, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "tabane solve: need exactly one INSTANCE.json, got %d argument(s)\n\n", len(pos))
		fs.Usage()
		return 2
	}
	if *threads < 1 {
		fmt.Fprintf(stderr, "tabane solve: --threads must be at least 1, got %d\n", *threads)
		return 2
	}
	if *timeLimit <= 0 {
		fmt.Fprintf(stderr, "tabane solve: --time-limit must be positive, got %v\n", *timeLimit)
		return 2
	}
	opt := solver.SolveOptions{TimeLimit: *timeLimit, Seed: *seed, Threads: *threads, MaxIterations: *maxIter}
	if *showProgress {
		// The same lines for both versions: a programme solve reports its phases and each
		// better feasible plan.
		opt.Progress = func(p solver.Progress) {
			fmt.Fprintf(stderr, "%7.2fs %-9s best %s  bound %s  gap %s\n", p.Elapsed.Seconds(), p.Phase,
				yenOrDash(p.BestCost), yenOrDash(p.LowerBound), pctOrDash(p.Gap))
		}
	}
	if prog, problems, isProgramme := readProgrammeFile(pos[0]); isProgramme {
		return solveProgramme(ctx, prog, problems, opt, *compareYearly, *outPath, *asJSON, stdout, stderr)
	}
	m, code := loadModelForCLI("tabane solve", pos[0], stderr)
	if m == nil {
		return code
	}
	res, err := solver.Solve(ctx, m, opt)
	if err != nil {
		fmt.Fprintf(stderr, "tabane solve: %v\n", err)
		return 2
	}
	out := solveOutput{Report: solver.NewReport(m.Inst.Name, res), Seed: *seed, Threads: *threads}
	summary, ok := writeSolveOutput(out, *outPath, *asJSON, stdout, stderr)
	if !ok {
		return 2
	}
	if *geoPath != "" && res.Plan != nil {
		// The same map as the API's GET /runs/{id}/plan.geojson (internal/planout).
		geo, err := planout.GeoJSON(out.Report, m.Inst)
		if err == nil {
			err = os.WriteFile(*geoPath, geo, 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "tabane solve: --geojson: %v\n", err)
			return 2
		}
	}
	printSolveSummary(summary, m, res)
	if res.Plan == nil {
		return 1
	}
	return 0
}

// loadModelForCLI reads, parses and compiles an instance, printing every problem with
// its path. It returns nil and the exit code (2) on bad input.
func loadModelForCLI(prog, path string, stderr io.Writer) (*solver.Model, int) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return nil, 2
	}
	inst, err := solver.ParseInstance(data)
	if err == nil {
		var m *solver.Model
		if m, err = solver.Compile(inst); err == nil {
			return m, 0
		}
	}
	var ve *solver.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(stderr, "%s: %s: %d problem(s):\n", prog, path, len(ve.Problems))
		for _, p := range ve.Problems {
			fmt.Fprintf(stderr, "  %s: %s\n", p.Path, p.Msg)
		}
		return nil, 2
	}
	fmt.Fprintf(stderr, "%s: %s: %v\n", prog, path, err)
	return nil, 2
}

func yenOrDash(x float64) string {
	if solver.Finite(x) == nil {
		return "—"
	}
	return solver.FormatYen(x)
}

func pctOrDash(x float64) string {
	if solver.Finite(x) == nil {
		return "—"
	}
	return fmt.Sprintf("%.4f %%", 100*x)
}

func printSolveSummary(w io.Writer, m *solver.Model, res *solver.Result) {
	name := m.Inst.Name
	if res.Plan == nil {
		fmt.Fprintf(w, "%s: no feasible plan (%s)\n", name, res.StopReason)
		for _, r := range res.Infeasible {
			fmt.Fprintf(w, "  - [%s] %s\n", r.Rule, r.Message)
		}
		return
	}
	ev := res.Evaluation
	fmt.Fprintf(w, "%s: %d bundle(s), cost %s, lower bound %s, gap %s\n", name, len(ev.Bundles),
		yenOrDash(ev.Cost), yenOrDash(res.LowerBound), pctOrDash(res.Gap))
	fmt.Fprintf(w, "  standalone %s, saving %s (%.2f %%)\n", yenOrDash(ev.StandaloneTotal), yenOrDash(ev.Saving), ev.SavingPct)
	if len(ev.IRViolations) > 0 {
		fmt.Fprintf(w, "  municipalities paying more than alone: %v\n", ev.IRViolations)
	}
	fmt.Fprintf(w, "  %d iterations, stopped: %s; construct %.2fs, search %.2fs, total %.2fs\n",
		res.Iterations, res.StopReason, res.Timings.Construct.Seconds(), res.Timings.Search.Seconds(),
		round2(res.Timings.Total))
}

func round2(d time.Duration) float64 { return math.Round(d.Seconds()*100) / 100 }

// writeSolveOutput writes the solver's output as JSON to outPath (when set) and to
// stdout (when asJSON), and returns where the summary goes: stderr when stdout holds the
// JSON. ok is false, after saying why, when the output cannot be written.
func writeSolveOutput(out any, outPath string, asJSON bool, stdout, stderr io.Writer) (summary io.Writer, ok bool) {
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		fmt.Fprintf(stderr, "tabane solve: encoding the result: %v\n", err)
		return nil, false
	}
	data = append(data, '\n')
	summary = stdout
	if asJSON {
		summary = stderr
		if _, err := stdout.Write(data); err != nil {
			fmt.Fprintf(stderr, "tabane solve: %v\n", err)
			return nil, false
		}
	}
	if outPath != "" {
		if err := os.WriteFile(outPath, data, 0o644); err != nil {
			fmt.Fprintf(stderr, "tabane solve: %v\n", err)
			return nil, false
		}
	}
	return summary, true
}
