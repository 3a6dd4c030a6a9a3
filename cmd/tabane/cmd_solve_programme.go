package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tabane/tabane/solver"
)

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
	out := solver.NewProgrammeSolveReport(p, res, opt, yearly)
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
