package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tabane/tabane/solver"
)

// programmeSolveOutput is what `tabane solve` writes for a version-2 instance: the plan
// fields of docs/programme.md (instance, bundles with fy, schedule) at the top level, so that
// referee.py and `tabane evaluate` read the file as is, then the reports, the programme's
// lower bound (solver.ProgrammeLowerBound) and the proven reasons for infeasibility.
type programmeSolveOutput struct {
	Instance        string                 `json:"instance"`
	Feasible        bool                   `json:"feasible"`
	Cost            *float64               `json:"cost"`
	StandaloneTotal *float64               `json:"standalone_total,omitempty"`
	Saving          *float64               `json:"saving,omitempty"`
	SavingPct       *float64               `json:"saving_pct,omitempty"`
	Bundles         []solver.Bundle        `json:"bundles"`
	Schedule        map[string]int         `json:"schedule"`
	Evaluation      *solver.Evaluation     `json:"evaluation"`
	LowerBound      *float64               `json:"lower_bound"`
	Gap             *float64               `json:"gap"`
	BoundMethod     string                 `json:"bound_method"`
	Infeasible      []solver.Infeasibility `json:"infeasible,omitempty"`
	// Yearly is --compare-yearly's year-by-year planning; YearlySaving its total less
	// the programme's cost, when both are feasible.
	Yearly       *solver.YearlyComparison `json:"yearly,omitempty"`
	YearlySaving *float64                 `json:"yearly_saving,omitempty"`
	Moved        int                      `json:"moved"`
	Blocks       []solver.BlockResult     `json:"blocks"`
	StopReason   string                   `json:"stop_reason"`
	Seconds      float64                  `json:"seconds"`
	Seed         int64                    `json:"seed"`
	Threads      int                      `json:"threads"`
}

// solveProgramme is `tabane solve` on a version-2 instance: exit 0 when the plan passes
// the evaluator, 1 when no plan does, 2 on bad input.
func solveProgramme(ctx context.Context, p *solver.Programme, problems []string, opt solver.SolveOptions,
	compareYearly bool, outPath string, asJSON bool, stdout, stderr io.Writer) int {
	if p == nil {
		for _, line := range problems {
			fmt.Fprintln(stderr, line)
		}
		return 2
	}
	res, err := solver.SolveProgramme(ctx, p, opt)
	if err != nil {
		fmt.Fprintf(stderr, "tabane solve: %v\n", err)
		return 2
	}
	var yearly *solver.YearlyComparison
	if compareYearly {
		if yearly, err = solver.CompareYearly(ctx, p, opt); err != nil {
			fmt.Fprintf(stderr, "tabane solve: %v\n", err)
			return 2
		}
	}
	out := programmeSolveOutput{Instance: p.Inst.Name, Bundles: []solver.Bundle{}, Schedule: map[string]int{},
		Moved: res.Moved, Blocks: res.Blocks, StopReason: res.StopReason, Seconds: round2(res.Elapsed),
		Seed: opt.Seed, Threads: opt.Threads, LowerBound: solver.Finite(res.LowerBound), Gap: solver.Finite(res.Gap),
		BoundMethod: res.BoundMethod, Infeasible: res.Infeasible, Yearly: yearly}
	if ev := res.Evaluation; ev != nil {
		out.Feasible, out.Evaluation = ev.Feasible, ev
		out.Cost = solver.Finite(ev.Cost)
		out.StandaloneTotal, out.Saving, out.SavingPct = solver.Finite(ev.StandaloneTotal), solver.Finite(ev.Saving), solver.Finite(ev.SavingPct)
		out.Bundles, out.Schedule = res.Plan.Bundles, res.Plan.Schedule
		if yearly != nil && yearly.Feasible && ev.Feasible {
			out.YearlySaving = solver.Finite(yearly.Total - ev.Cost)
		}
	}
	summary, ok := writeSolveOutput(out, outPath, asJSON, stdout, stderr)
	if !ok {
		return 2
	}
	ev := res.Evaluation
	if ev == nil {
		fmt.Fprintf(summary, "%s: no programme plan (%s)\n", p.Inst.Name, res.StopReason)
	} else {
		verdict := "feasible"
		if !ev.Feasible {
			verdict = fmt.Sprintf("INFEASIBLE, %d violation(s)", len(ev.Violations))
		}
		fmt.Fprintf(summary, "%s: programme FY%d–FY%d, %d lot(s), cost %s (bringing forward %s), %d inspection(s) brought forward; %s\n",
			p.Inst.Name, p.FirstFY, p.LastFY(), len(ev.Bundles), solver.FormatYen(ev.Cost), solver.FormatYen(ev.BringForward), res.Moved, verdict)
		fmt.Fprintf(summary, "  standalone %s, saving %s (%.2f %%); %.2fs\n", solver.FormatYen(ev.StandaloneTotal),
			solver.FormatYen(ev.Saving), ev.SavingPct, round2(res.Elapsed))
		gap := "none: no feasible plan"
		if g := res.Gap; g <= 1 {
			gap = fmt.Sprintf("%.2f %%", 100*g)
		}
		fmt.Fprintf(summary, "  lower bound %s (%s), gap %s\n", solver.FormatYen(res.LowerBound), res.BoundMethod, gap)
		fmt.Fprintf(summary, "  %-6s %14s %14s %10s %5s %6s\n", "FY", "value", "cap", "workload", "lots", "assets")
		for _, y := range ev.Years {
			capV := "-"
			if y.MaxValue != nil {
				capV = solver.FormatYen(*y.MaxValue)
			}
			fmt.Fprintf(summary, "  %-6d %14s %14s %10.1f %5d %6d\n", y.FY, solver.FormatYen(y.Value), capV, y.Workload, y.Lots, y.Assets)
		}
		for i, v := range ev.Violations {
			if i == 10 {
				fmt.Fprintf(summary, "  … and %d more\n", len(ev.Violations)-10)
				break
			}
			fmt.Fprintf(summary, "  - [%s] %s\n", v.Rule, v.Message)
		}
	}
	for _, r := range res.Infeasible {
		fmt.Fprintf(summary, "  - proven infeasible: [%s] %s\n", r.Rule, r.Message)
	}
	if yearly != nil {
		printYearly(summary, yearly, ev)
	}
	for _, b := range res.Blocks {
		for _, r := range b.Infeasible {
			fmt.Fprintf(summary, "  - block FY%d: [%s] %s\n", b.FY, r.Rule, r.Message)
		}
	}
	if ev == nil || !ev.Feasible {
		return 1
	}
	return 0
}

// printYearly writes --compare-yearly's table: each year's programme value next to the
// cost of planning that due year alone, then the totals and the saving.
func printYearly(w io.Writer, yearly *solver.YearlyComparison, ev *solver.Evaluation) {
	fmt.Fprintf(w, "  year by year (each due year alone, version 1):\n  %-6s %14s %14s %5s\n", "FY", "programme", "year alone", "lots")
	for k, y := range yearly.Years {
		prog, alone := "-", "no plan"
		if ev != nil && k < len(ev.Years) {
			prog = solver.FormatYen(ev.Years[k].Value)
		}
		if y.Feasible {
			alone = solver.FormatYen(y.Cost)
		}
		fmt.Fprintf(w, "  %-6d %14s %14s %5d\n", y.FY, prog, alone, y.Lots)
		for _, why := range y.Why {
			fmt.Fprintf(w, "         FY%d alone: %s\n", y.FY, why)
		}
	}
	switch {
	case !yearly.Feasible:
		fmt.Fprintf(w, "  year by year has no feasible plan in some year (above); planning the years together does\n")
	case ev != nil && ev.Feasible:
		fmt.Fprintf(w, "  year by year %s, together %s: saving %s (%.2f %%)\n", solver.FormatYen(yearly.Total),
			solver.FormatYen(ev.Cost), solver.FormatYen(yearly.Total-ev.Cost), 100*(yearly.Total-ev.Cost)/yearly.Total)
	default:
		fmt.Fprintf(w, "  year by year %s; the programme has no feasible plan\n", solver.FormatYen(yearly.Total))
	}
}
