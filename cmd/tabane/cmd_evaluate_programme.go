package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tabane/tabane/solver"
)

// readProgrammeFile reads an instance and, when it declares version 2, compiles it as a
// programme. isProgramme is false for any other version (and for files that cannot be
// read or parsed: readModelFile then reports them as before); problems lists the
// programme's input errors, one line each, prefixed by the file name.
func readProgrammeFile(path string) (p *solver.Programme, problems []string, isProgramme bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, false
	}
	var head struct {
		Version int `json:"version"`
	}
	if json.Unmarshal(data, &head) != nil || head.Version != 2 {
		return nil, nil, false
	}
	inst, err := solver.ParseInstance(data)
	if err == nil {
		if p, err = solver.CompileProgramme(inst); err == nil {
			return p, nil, true
		}
	}
	return nil, problemLines(path, err), true
}

// evaluateProgramme is `tabane evaluate` on a version-2 instance: exit 0 feasible, 1 not,
// 2 bad input.
func evaluateProgramme(p *solver.Programme, problems []string, planPath string, asJSON bool, stdout, stderr io.Writer) int {
	if p == nil {
		for _, line := range problems {
			fmt.Fprintln(stderr, line)
		}
		return 2
	}
	plan, err := readPlanFile(planPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	ev := solver.EvaluateProgramme(p, plan)
	if asJSON {
		if !writeEvaluationJSON(stdout, stderr, ev) {
			return 2
		}
	} else {
		printProgrammeEvaluation(stdout, p, planPath, ev)
	}
	if !ev.Feasible {
		return 1
	}
	return 0
}

// printProgrammeEvaluation writes the human-readable verdict on a programme plan.
func printProgrammeEvaluation(w io.Writer, p *solver.Programme, planPath string, ev *solver.Evaluation) {
	fmt.Fprintf(w, "Programme plan %s on instance %q: %d lot(s); FY%d–FY%d, lots of %d year(s); %d assets to plan, %d due after the horizon\n",
		planPath, p.Inst.Name, len(ev.Bundles), p.FirstFY, p.LastFY(), p.ContractYears, ev.PlannedAssets, len(ev.AfterHorizon))
	if ev.Feasible {
		fmt.Fprintln(w, "Verdict: FEASIBLE — every rule of the programme holds")
	} else {
		fmt.Fprintf(w, "Verdict: INFEASIBLE — %d violation(s)\n", len(ev.Violations))
	}
	fmt.Fprintf(w, "\n  cost           %15s  (bringing forward %s)\n  standalone     %15s  (each asset in its due year, alone)\n  saving         %15s  (%.2f %%)\n",
		solver.FormatYen(ev.Cost), solver.FormatYen(ev.BringForward), solver.FormatYen(ev.StandaloneTotal), solver.FormatYen(ev.Saving), ev.SavingPct)
	if len(ev.Violations) > 0 {
		fmt.Fprintf(w, "\nViolations (%d):\n", len(ev.Violations))
		for _, v := range ev.Violations {
			fmt.Fprintf(w, "  [%s] %s\n", v.Rule, v.Message)
		}
	}
	capText := func(c *float64, format func(float64) string) string {
		if c == nil {
			return "—"
		}
		return format(*c)
	}
	days := func(x float64) string { return fmt.Sprintf("%.1f", x) }
	fmt.Fprintln(w, "\nYears:")
	fmt.Fprintf(w, "  %-6s %15s %15s %10s %10s %5s %7s %15s\n", "FY", "value", "value cap", "workload", "cap", "lots", "assets", "standalone")
	for _, y := range ev.Years {
		fmt.Fprintf(w, "  %-6d %15s %15s %10.1f %10s %5d %7d %15s\n", y.FY, solver.FormatYen(y.Value),
			capText(y.MaxValue, solver.FormatYen), y.Workload, capText(y.MaxWorkload, days), y.Lots, y.Assets, solver.FormatYen(y.Standalone))
	}
	fmt.Fprintf(w, "\nLots (%d):\n", len(ev.Bundles))
	for i, b := range ev.Bundles {
		id := b.ID
		if id == "" {
			id = fmt.Sprintf("bundles[%d]", i)
		}
		lot := ev.Lots[i]
		if !b.Priced {
			fmt.Fprintf(w, "  %s at %s: not priced (unknown depot, no valid block or no asset in it)\n", id, b.Depot)
			continue
		}
		d := b.Breakdown
		years := make([]string, len(lot.Years))
		for k, ly := range lot.Years {
			years[k] = fmt.Sprintf("%d %s", ly.FY, solver.FormatYen(ly.Value))
		}
		fmt.Fprintf(w, "  %s at %s, from FY%d: %s — %d asset(s), %s, farthest %.1f km; by year: %s\n", id, b.Depot, lot.FY,
			solver.FormatYen(d.Total), b.AssetCount, strings.Join(b.Disciplines, "+"), b.MaxDistanceKm, strings.Join(years, ", "))
		fmt.Fprintf(w, "      fixed %s + equipment %s + surcharge %s + assets %s + travel %s + bringing forward %s\n",
			solver.FormatYen(d.Fixed), solver.FormatYen(d.Equipment), solver.FormatYen(d.Surcharge),
			solver.FormatYen(d.Assets), solver.FormatYen(d.Travel), solver.FormatYen(lot.BringForward))
	}
	fmt.Fprintln(w, "\nMunicipalities by year (Shapley share, budget, standalone of the assets due that year):")
	fmt.Fprintf(w, "  %-10s %-6s %15s %15s %15s %15s\n", "code", "FY", "share", "budget", "headroom", "standalone")
	for _, b := range ev.Budgets {
		fmt.Fprintf(w, "  %-10s %-6d %15s %15s %15s %15s\n", b.Municipality, b.FY, solver.FormatYen(b.Share),
			capText(b.Budget, solver.FormatYen), capText(b.Headroom, solver.FormatYen), solver.FormatYen(b.Standalone))
	}
	printIR(w, "Individual rationality over the horizon", p.RequireIR, ev.IRViolations)
}
