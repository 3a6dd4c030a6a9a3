package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/tabane/tabane/solver"
)

const evaluateUsage = `Usage: tabane evaluate INSTANCE.json PLAN.json [--json]

Checks a plan against an instance by the model alone (docs/model.md): cost and breakdown of every bundle,
every violated rule, standalone costs, saving, Shapley shares, individual rationality.
A version-2 instance (docs/programme.md) is judged as a five-year programme: lots with their
block (fy) and the schedule, each year's value and workload, budgets per municipality.
Exit 0: the plan is feasible; 1: it is not; 2: bad input or usage.
`

// runEvaluate is `tabane evaluate`.
func runEvaluate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, evaluateUsage)
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "write the evaluation as JSON instead of the report")
	pos, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintf(stderr, "tabane evaluate: need INSTANCE.json and PLAN.json, got %d argument(s)\n\n", len(pos))
		fs.Usage()
		return 2
	}
	if prog, problems, isProgramme := readProgrammeFile(pos[0]); isProgramme {
		return evaluateProgramme(prog, problems, pos[1], *asJSON, stdout, stderr)
	}
	m, problems := readModelFile(pos[0])
	if m == nil {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return 2
	}
	plan, err := readPlanFile(pos[1])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	ev := solver.Evaluate(m, plan)
	if *asJSON {
		if !writeEvaluationJSON(stdout, stderr, ev) {
			return 2
		}
	} else {
		var reasons []solver.Infeasibility
		if !ev.Feasible {
			reasons = solver.Precheck(m)
		}
		printEvaluation(stdout, m, pos[1], plan, ev, reasons)
	}
	if !ev.Feasible {
		return 1
	}
	return 0
}

// readModelFile reads, parses and compiles an instance. On bad input it returns nil and
// one line per problem, each prefixed by the file name: "inst.json: assets[3].cost: …".
func readModelFile(path string) (*solver.Model, []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: cannot read the instance: %v", path, unwrapPathError(err))}
	}
	inst, err := solver.ParseInstance(data)
	if err == nil {
		var m *solver.Model
		if m, err = solver.Compile(inst); err == nil {
			return m, nil
		}
	}
	return nil, problemLines(path, err)
}

// problemLines turns an instance's parse or validation error into one line per
// problem, each prefixed by the file name.
func problemLines(path string, err error) []string {
	var ve *solver.ValidationError
	if errors.As(err, &ve) {
		lines := make([]string, len(ve.Problems))
		for i, p := range ve.Problems {
			lines[i] = fmt.Sprintf("%s: %s: %s", path, p.Path, p.Msg)
		}
		return lines
	}
	return []string{fmt.Sprintf("%s: %v", path, err)}
}

// readPlanFile reads a plan; errors are prefixed by the file name.
func readPlanFile(path string) (*solver.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the plan: %v", path, unwrapPathError(err))
	}
	defer f.Close()
	p, err := solver.ReadPlan(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// unwrapPathError drops the path an *os.PathError repeats.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// printEvaluation writes the human-readable verdict.
func printEvaluation(w io.Writer, m *solver.Model, planPath string, plan *solver.Plan, ev *solver.Evaluation, reasons []solver.Infeasibility) {
	participating := 0
	for _, mu := range m.Munis {
		if mu.Participates {
			participating++
		}
	}
	fmt.Fprintf(w, "Plan %s on instance %q: %d bundle(s); the instance has %d assets (%d to plan), %d depots, %d participating municipalities\n",
		planPath, m.Inst.Name, len(ev.Bundles), len(m.Assets), len(m.Participating), len(m.Depots), participating)
	if plan.Instance != "" && plan.Instance != m.Inst.Name {
		fmt.Fprintf(w, "Note: the plan names instance %q; it is judged against %q all the same\n", plan.Instance, m.Inst.Name)
	}
	if ev.Feasible {
		fmt.Fprintln(w, "Verdict: FEASIBLE — every rule of the model holds")
	} else {
		fmt.Fprintf(w, "Verdict: INFEASIBLE — %d violation(s)\n", len(ev.Violations))
	}
	fmt.Fprintf(w, "\n  cost        %15s\n  standalone  %15s\n  saving      %15s  (%.2f %%)\n",
		solver.FormatYen(ev.Cost), solver.FormatYen(ev.StandaloneTotal), solver.FormatYen(ev.Saving), ev.SavingPct)

	if len(ev.Violations) > 0 {
		fmt.Fprintf(w, "\nViolations (%d):\n", len(ev.Violations))
		for _, v := range ev.Violations {
			fmt.Fprintf(w, "  [%s] %s\n", v.Rule, v.Message)
		}
	}
	if len(reasons) > 0 {
		fmt.Fprintln(w, "\nNo plan can be feasible for this instance:")
		for _, r := range reasons {
			fmt.Fprintf(w, "  [%s] %s\n", r.Rule, r.Message)
		}
	}

	fmt.Fprintf(w, "\nBundles (%d):\n", len(ev.Bundles))
	for i, b := range ev.Bundles {
		id := b.ID
		if id == "" {
			id = fmt.Sprintf("bundles[%d]", i)
		}
		if !b.Priced {
			fmt.Fprintf(w, "  %s at %s: not priced (unknown depot or no known asset)\n", id, b.Depot)
			continue
		}
		d := b.Breakdown
		fmt.Fprintf(w, "  %s at %s: %s — %d asset(s), %s, workload %.1f person-days, farthest %.1f km\n",
			id, b.Depot, solver.FormatYen(d.Total), b.AssetCount, strings.Join(b.Disciplines, "+"), b.Workload, b.MaxDistanceKm)
		fmt.Fprintf(w, "      fixed %s + equipment %s + surcharge %s + assets %s + travel %s\n",
			solver.FormatYen(d.Fixed), solver.FormatYen(d.Equipment), solver.FormatYen(d.Surcharge),
			solver.FormatYen(d.Assets), solver.FormatYen(d.Travel))
		parts := make([]string, len(b.Municipalities))
		for k, code := range b.Municipalities {
			parts[k] = code + " " + solver.FormatYen(b.Shares[code])
		}
		fmt.Fprintf(w, "      shares: %s\n", strings.Join(parts, ", "))
	}

	codes := make([]string, 0, len(ev.Standalone))
	for code := range ev.Standalone {
		codes = append(codes, code)
	}
	for code := range ev.Shares {
		if _, ok := ev.Standalone[code]; !ok {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	ir := map[string]bool{}
	for _, code := range ev.IRViolations {
		ir[code] = true
	}
	fmt.Fprintln(w, "\nMunicipalities (Shapley share against going alone):")
	fmt.Fprintf(w, "  %-10s %-14s %15s %15s %15s\n", "code", "name", "standalone", "share", "saving")
	for _, code := range codes {
		name := ""
		if mi, ok := m.MuniIndex[code]; ok {
			name = m.Munis[mi].Name
		}
		alone, hasAlone := ev.Standalone[code]
		share := ev.Shares[code]
		note := ""
		switch {
		case !hasAlone:
			note = "  (not participating)"
		case ir[code]:
			note = "  pays more than alone"
		}
		aloneText := "—"
		saving := "—"
		if hasAlone {
			aloneText = solver.FormatYen(alone)
			saving = solver.FormatYen(alone - share)
		}
		fmt.Fprintf(w, "  %-10s %-14s %15s %15s %15s%s\n", code, name, aloneText, solver.FormatYen(share), saving, note)
	}
	printIR(w, "Individual rationality", m.RequireIR, ev.IRViolations)
}

// printIR writes the individual-rationality line of a report.
func printIR(w io.Writer, title string, required bool, violations []string) {
	req := "not required by this instance"
	if required {
		req = "required by this instance"
	}
	if len(violations) == 0 {
		fmt.Fprintf(w, "\n%s (%s): every municipality pays at most its standalone cost\n", title, req)
	} else {
		fmt.Fprintf(w, "\n%s (%s): %d municipality(ies) pay more than alone: %s\n",
			title, req, len(violations), strings.Join(violations, ", "))
	}
}

// writeEvaluationJSON writes ev as indented JSON; false (after saying why) when it cannot.
func writeEvaluationJSON(stdout, stderr io.Writer, ev *solver.Evaluation) bool {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(ev); err != nil {
		fmt.Fprintf(stderr, "tabane evaluate: %v\n", err)
		return false
	}
	return true
}
