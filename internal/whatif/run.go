package whatif

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/tabane/tabane/solver"
)

// SolveFunc solves one model; solver.Solve is the one the runner uses.
type SolveFunc func(ctx context.Context, m *solver.Model, opt solver.SolveOptions) (*solver.Result, error)

// RunOptions tune Run.
type RunOptions struct {
	// Parallel is how many variations solve at once; 0 means the number of CPUs. Each
	// solve uses the variation's own thread count (solver.threads, default 1).
	Parallel int
	// CacheDir holds one result file per cache key; "" turns the cache off.
	CacheDir string
	// Progress, when set, is called (never concurrently) with the number of finished
	// variations: once after the cache lookup, then after each solve.
	Progress func(done, total int)
	// OnRow, when set, receives each row as it finishes (cache hits first), never
	// concurrently: a service can show the rows of a batch that is still running.
	OnRow func(Row)
	// Solve replaces solver.Solve (nil = solver.Solve): a hook to observe or wrap the
	// real solver. Programme (version-2) variations always use solver.SolveProgramme.
	Solve SolveFunc
}

// Row is the outcome of one variation.
type Row struct {
	Index     int          `json:"index"`
	Name      string       `json:"name"`
	Spec      string       `json:"spec,omitempty"`
	Overrides []Assignment `json:"overrides"`
	Key       string       `json:"key"`
	// Feasible is true when the solver found a plan that breaks no rule.
	Feasible        bool    `json:"feasible"`
	Cost            float64 `json:"cost"`
	StandaloneTotal float64 `json:"standalone_total"`
	Saving          float64 `json:"saving"`
	SavingPct       float64 `json:"saving_pct"`
	Bundles         int     `json:"bundles"`
	LowerBound      float64 `json:"lower_bound"`
	Gap             float64 `json:"gap"`
	// IRViolations are the codes of municipalities whose share exceeds their standalone cost.
	IRViolations []string `json:"ir_violations"`
	// Standalone and Shares are each participating municipality's cost alone and its
	// share of the plan's cost (code → yen): the per-municipality table of shares.csv.
	Standalone map[string]float64 `json:"standalone,omitempty"`
	Shares     map[string]float64 `json:"shares,omitempty"`
	// Seconds is the wall time of the solve that produced the result (also for a
	// cached row: the time it took when it was solved).
	Seconds float64 `json:"seconds"`
	// Cached is true when the row did not solve: its result came from the cache, or
	// from an earlier variation of the batch with the same instance and settings.
	Cached bool `json:"cached"`
	// Error says why there is no plan: a proven infeasibility or a solver error.
	Error string `json:"error,omitempty"`

	// Programme is what a version-2 (programme) variation adds; nil in version 1.
	Programme *ProgrammeRow `json:"programme,omitempty"`

	// Plan is the variation's plan (nil without one) and Report its plan report;
	// a programme variation has ProgrammeReport instead of Report.
	Plan            *solver.Plan                 `json:"-"`
	Report          *solver.Report               `json:"-"`
	ProgrammeReport *solver.ProgrammeSolveReport `json:"-"`
}

// cached is a result as stored in the cache: the solve's plan report (solver.Report,
// the one report of a solve) and the time it took.
type cached struct {
	Version int            `json:"version"`
	Key     string         `json:"key"`
	Report  *solver.Report `json:"report"`
	// Programme replaces Report for a version-2 variation (solveProgrammeOne).
	Programme *solver.ProgrammeSolveReport `json:"programme,omitempty"`
	Seconds   float64                      `json:"seconds"`
}

// Run solves the variations, taking what it can from the cache, and returns their rows
// in variation order. When ctx is cancelled it stops the running solves, drops their
// unfinished results and returns the rows that finished with an error wrapping
// ctx.Err(); those rows are in the cache, so running the batch again resumes it. A
// variation the solver fails on gets a row with Error set, and is not cached.
func Run(ctx context.Context, vars []Variation, opt RunOptions) ([]Row, error) {
	solve := opt.Solve
	if solve == nil {
		solve = solver.Solve
	}
	parallel := opt.Parallel
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	if opt.CacheDir != "" {
		if err := os.MkdirAll(opt.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("cache folder: %w", err)
		}
	}

	rows := make([]*Row, len(vars))
	var todo []int
	// twins maps a variation to the later ones with the same key: they take its result
	// instead of solving the same instance again.
	twins := map[int][]int{}
	first := map[string]int{}
	for i := range vars {
		if c, ok := readCache(opt.CacheDir, vars[i].Key); ok {
			r := makeRow(&vars[i], c)
			r.Cached = true
			rows[i] = r
			continue
		}
		if j, ok := first[vars[i].Key]; ok {
			twins[j] = append(twins[j], i)
			continue
		}
		first[vars[i].Key] = i
		todo = append(todo, i)
	}
	var mu sync.Mutex
	done := 0
	for _, r := range rows {
		if r != nil {
			done++
		}
	}
	if opt.OnRow != nil {
		for _, r := range rows {
			if r != nil {
				opt.OnRow(*r)
			}
		}
	}
	if opt.Progress != nil {
		opt.Progress(done, len(vars))
	}

	parallel = min(parallel, max(1, len(todo)))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var cacheErr error
	for w := 0; w < parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if ctx.Err() != nil {
					continue
				}
				v := &vars[i]
				c, err := solveOne(ctx, solve, v)
				if ctx.Err() != nil {
					// Interrupted: the result may be cut short, keep nothing.
					continue
				}
				var r *Row
				if err != nil {
					r = errorRow(v, err)
				} else {
					r = makeRow(v, c)
					if werr := writeCache(opt.CacheDir, c); werr != nil {
						mu.Lock()
						cacheErr = errors.Join(cacheErr, werr)
						mu.Unlock()
					}
				}
				mu.Lock()
				for _, j := range append([]int{i}, twins[i]...) {
					rj := r
					if j != i {
						if err != nil {
							rj = errorRow(&vars[j], err)
						} else {
							rj = makeRow(&vars[j], c)
							rj.Cached = true // solved once, for its twin
						}
					}
					rows[j] = rj
					done++
					if opt.OnRow != nil {
						opt.OnRow(*rj)
					}
					if opt.Progress != nil {
						opt.Progress(done, len(vars))
					}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	out := make([]Row, 0, len(vars))
	for _, r := range rows {
		if r != nil {
			out = append(out, *r)
		}
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("batch stopped after %d of %d variations: %w", len(out), len(vars), err)
	}
	if cacheErr != nil {
		return out, fmt.Errorf("write the cache: %w", cacheErr)
	}
	return out, nil
}

func errorRow(v *Variation, err error) *Row {
	return &Row{Index: v.Index, Name: v.Name, Spec: v.Spec, Overrides: v.Overrides, Key: v.Key, Error: err.Error()}
}

func solveOne(ctx context.Context, solve SolveFunc, v *Variation) (*cached, error) {
	if v.Instance.Version == 2 {
		return solveProgrammeOne(ctx, v)
	}
	start := time.Now()
	m, err := solver.Compile(v.Instance)
	if err != nil {
		return nil, fmt.Errorf("variation %q: %w", v.Name, err)
	}
	res, err := solve(ctx, m, solver.SolveOptions{TimeLimit: v.TimeLimit, Seed: v.Seed,
		Threads: v.Threads, MaxIterations: v.MaxIterations})
	if err != nil {
		return nil, fmt.Errorf("solve variation %q: %w", v.Name, err)
	}
	if res.Plan != nil && res.Evaluation == nil {
		// A SolveFunc hook may return a bare plan.
		res.Evaluation = solver.Evaluate(m, res.Plan)
	}
	return &cached{Version: cacheVersion, Key: v.Key, Report: solver.NewReport(v.Instance.Name, res),
		Seconds: time.Since(start).Seconds()}, nil
}

func makeRow(v *Variation, c *cached) *Row {
	if c.Programme != nil {
		return makeProgrammeRow(v, c)
	}
	rep := c.Report
	r := &Row{Index: v.Index, Name: v.Name, Spec: v.Spec, Overrides: v.Overrides, Key: v.Key,
		Seconds: c.Seconds, Plan: rep.Plan(), Report: rep}
	// The table has numbers only: an unknown bound, or the gap of no plan, is 0 there.
	r.LowerBound = solver.OrZero(rep.LowerBound)
	if r.Plan != nil {
		r.Feasible, r.Cost, r.Gap, r.Bundles, r.IRViolations = rep.Feasible, *rep.Cost, solver.OrZero(rep.Gap), len(r.Plan.Bundles), rep.IRViolations
		r.StandaloneTotal, r.Saving, r.SavingPct = solver.OrZero(rep.StandaloneTotal), solver.OrZero(rep.Saving), solver.OrZero(rep.SavingPct)
		r.Standalone, r.Shares = rep.Standalone, rep.Shares
	}
	switch {
	case len(rep.Infeasible) > 0:
		msgs := make([]string, len(rep.Infeasible))
		for i, f := range rep.Infeasible {
			msgs[i] = f.Message
		}
		r.Feasible = false
		r.Error = "infeasible: " + strings.Join(msgs, "; ")
	case r.Plan == nil:
		r.Feasible = false
		r.Error = "no plan found"
	case !r.Feasible:
		r.Error = "the best plan found breaks the rules: " + violationSummary(rep.Violations)
	}
	return r
}

func violationSummary(violations []solver.Violation) string {
	if len(violations) == 0 {
		return "(no details)"
	}
	msgs := []string{}
	for i, v := range violations {
		if i == 3 {
			msgs = append(msgs, fmt.Sprintf("… %d more", len(violations)-3))
			break
		}
		msgs = append(msgs, v.Message)
	}
	return strings.Join(msgs, "; ")
}

func cachePath(dir, key string) string { return filepath.Join(dir, key+".json") }

// readCache returns the cached result of key; a missing, unreadable or foreign entry
// is a miss.
func readCache(dir, key string) (*cached, bool) {
	if dir == "" {
		return nil, false
	}
	raw, err := os.ReadFile(cachePath(dir, key))
	if err != nil {
		return nil, false
	}
	var c cached
	if err := json.Unmarshal(raw, &c); err != nil || c.Version != cacheVersion || c.Key != key || c.Report == nil && c.Programme == nil {
		return nil, false
	}
	return &c, true
}

// writeCache stores c atomically (temporary file, then rename), so that an
// interrupted write never leaves a half entry.
func writeCache(dir string, c *cached) error {
	if dir == "" {
		return nil
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return writeAtomic(cachePath(dir, c.Key), raw)
}
