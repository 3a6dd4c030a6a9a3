package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tabane/tabane/solver"
)

// programmeSolveOutput is what `tabane solve` writes for a version-2 instance: the plan
// fields of docs/programme.md (instance, bundles with fy, schedule) at the top level, so that
// referee.py and `tabane evaluate` read the file as is, then the reports. No lower bound:
// the first programme solver has none that is valid for the programme.
type programmeSolveOutput struct {
	Instance        string               `json:"instance"`
	Feasible        bool                 `json:"feasible"`
	Cost            *float64             `json:"cost"`
	StandaloneTotal *float64             `json:"standalone_total,omitempty"`
	Saving          *float64             `json:"saving,omitempty"`
	SavingPct       *float64             `json:"saving_pct,omitempty"`
	Bundles         []solver.Bundle      `json:"bundles"`
	Schedule        map[string]int       `json:"schedule"`
	Evaluation      *solver.Evaluation   `json:"evaluation"`
	Moved           int                  `json:"moved"`
	Blocks          []solver.BlockResult `json:"blocks"`
	StopReason      string               `json:"stop_reason"`
	Seconds         float64              `json:"seconds"`
	Seed            int64                `json:"seed"`
	Threads         int                  `json:"threads"`
}

// solveProgramme is `tabane solve` on a version-2 instance: exit 0 when the plan passes
// the evaluator, 1 when no plan does, 2 on bad input.
func solveProgramme(ctx context.Context, p *solver.Programme, problems []string, opt solver.SolveOptions,
	outPath string, asJSON bool, stdout, stderr io.Writer) int {
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
	out := programmeSolveOutput{Instance: p.Inst.Name, Bundles: []solver.Bundle{}, Schedule: map[string]int{},
		Moved: res.Moved, Blocks: res.Blocks, StopReason: res.StopReason, Seconds: round2(res.Elapsed),
		Seed: opt.Seed, Threads: opt.Threads}
	if ev := res.Evaluation; ev != nil {
		out.Feasible, out.Evaluation = ev.Feasible, ev
		out.Cost = solver.Finite(ev.Cost)
		out.StandaloneTotal, out.Saving, out.SavingPct = solver.Finite(ev.StandaloneTotal), solver.Finite(ev.Saving), solver.Finite(ev.SavingPct)
		out.Bundles, out.Schedule = res.Plan.Bundles, res.Plan.Schedule
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
		for i, v := range ev.Violations {
			if i == 10 {
				fmt.Fprintf(summary, "  … and %d more\n", len(ev.Violations)-10)
				break
			}
			fmt.Fprintf(summary, "  - [%s] %s\n", v.Rule, v.Message)
		}
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
