package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tabane/tabane/internal/gen"
)

const genUsage = `Usage: tabane gen [flags] [-o FILE]

Writes a synthetic prefecture instance (docs/model.md) to stdout or FILE: a basin of towns,
a wide mountain area of villages with bridges along valley roads, sewer plants, district
depots. The same flags give byte-identical output (deterministic by --seed).
With --programme YEARS it writes a version-2 programme instance (lumpy past inspections,
optional year cap and budgets).
`

// runGen is `tabane gen`.
func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	d := gen.Defaults()
	o := d
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, genUsage)
		fs.PrintDefaults()
	}
	fs.Uint64Var(&o.Seed, "seed", d.Seed, "random seed")
	fs.IntVar(&o.Munis, "munis", d.Munis, "municipalities")
	fs.IntVar(&o.Assets, "assets", d.Assets, "assets besides the sewer plants")
	fs.Float64Var(&o.Lon, "lon", d.Lon, "longitude of the centre (degrees)")
	fs.Float64Var(&o.Lat, "lat", d.Lat, "latitude of the centre (degrees)")
	fs.Float64Var(&o.Spread, "spread", d.Spread, "half-size of the mountain area (km)")
	fs.IntVar(&o.Districts, "districts", d.Districts, "district offices (depots besides the municipal offices) and regions")
	fs.StringVar(&o.Name, "name", "", "instance name (default synthetic-sSEED-mMUNIS-nASSETS)")
	fs.Float64Var(&o.Participation, "participation", d.Participation, "probability that a municipality participates")
	fs.Float64Var(&o.MaxDistance, "max-distance", d.MaxDistance, "limits.max_distance_km")
	fs.BoolVar(&o.IR, "ir", false, "require individual rationality")
	fs.IntVar(&o.Programme, "programme", 0, "YEARS: write a version-2 programme instance over YEARS fiscal years (1-5)")
	fs.IntVar(&o.FirstFY, "first-fy", d.FirstFY, "programme: first fiscal year")
	fs.IntVar(&o.ContractYears, "contract-years", d.ContractYears, "programme: lot length in years (YEARS must be a multiple)")
	fs.IntVar(&o.Advance, "advance", d.Advance, "programme: advance_max_years")
	fs.Float64Var(&o.YearCap, "year-cap", 0, "programme: year_limits.max_value = FACTOR × (direct cost / years + F × depots / 3); 0: none")
	fs.Float64Var(&o.Budgets, "budgets", 0, "programme: every municipality's yearly budget = FACTOR × (its direct cost / 5) + ¥3M; 0: none")
	out := fs.String("o", "", "write the instance to FILE instead of stdout")
	pos, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintf(stderr, "tabane gen: takes no arguments, got %q\n\n", pos)
		fs.Usage()
		return 2
	}
	data, err := gen.Generate(o)
	if err != nil {
		fmt.Fprintf(stderr, "tabane gen: %v\n", err)
		return 2
	}
	if *out == "" {
		if _, err := stdout.Write(data); err != nil {
			fmt.Fprintf(stderr, "tabane gen: writing stdout: %v\n", err)
			return 1
		}
		return 0
	}
	// Write beside the target and rename, so an interrupted run leaves no half instance.
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		fmt.Fprintf(stderr, "tabane gen: cannot write %s: %v\n", tmp, unwrapPathError(err))
		return 1
	}
	if err := os.Rename(tmp, *out); err != nil {
		os.Remove(tmp)
		fmt.Fprintf(stderr, "tabane gen: cannot move %s to %s: %v\n", tmp, *out, unwrapPathError(err))
		return 1
	}
	summary, err := gen.Describe(data)
	if err != nil {
		fmt.Fprintf(stderr, "tabane gen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s\n", *out, summary)
	return 0
}
