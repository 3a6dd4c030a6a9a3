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
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/geo"
	"github.com/tabane/tabane/solver"
)

const groupsUsage = `Usage: tabane groups --boundaries N03.geojson (--k N | --floor X [--cap Y])
       [--instance INSTANCE.json [--by workload|value|assets]] [--seed 1] [-o groups.geojson] [--png map.png]
       tabane groups --demo [--fy 2027] [--by workload|value|assets] (--k N | --floor X [--cap Y]) …

Partitions municipalities into contiguous regional groups (地域インフラ群): with --k, exactly
N groups balanced by weight and compact; with --floor, as many groups as possible, each
weighing at least X (and at most Y with --cap). Neighbours come from the N03 boundaries
(N03_007 code, N03_004 name). With --instance only its participating municipalities are
grouped, weighted by their assets' workload (person-days), value (direct cost, yen) or
count; without it every municipality weighs 1. --demo takes the embedded demo instead: the
Nara boundaries and the assets that fall due in fiscal year --fy.
Exit 0: groups found; 1: no grouping meets the request (the reasons are printed);
2: bad input or usage.
`

// runGroups is `tabane groups`.
func runGroups(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("groups", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, groupsUsage)
		fs.PrintDefaults()
	}
	boundaries := fs.String("boundaries", "", "N03 GeoJSON FeatureCollection of the municipalities (required)")
	instPath := fs.String("instance", "", "instance JSON (docs/model.md): group its participating municipalities, weighted by --by")
	demo := fs.Bool("demo", false, "use the embedded demo: Nara boundaries and the instance of fiscal year --fy")
	fy := fs.Int("fy", 2027, "--demo: the fiscal year whose due assets weigh")
	by := fs.String("by", "workload", "weight with --instance: workload, value or assets")
	k := fs.Int("k", 0, "number of groups (balanced by weight, compact)")
	floor := fs.Float64("floor", math.NaN(), "max-p mode: least weight of a group")
	capW := fs.Float64("cap", 0, "max-p mode: most weight of a group (0 = no cap)")
	seed := fs.Uint64("seed", 1, "random seed (same input and seed → same groups)")
	attempts := fs.Int("attempts", 0, "randomised constructions, the best is kept (0 = 16 with --k, 64 with --floor)")
	compactness := fs.Float64("compactness", 0.1, "--k: weight of compactness against balance (0 = balance only)")
	tolM := fs.Float64("tolerance-m", 25, "boundaries closer than this (metres) count as shared")
	minSharedM := fs.Float64("min-shared-m", 0, "least shared border (metres) for neighbours (0 = 4 × tolerance)")
	corners := fs.Bool("corner-touches", false, "regions touching at a corner are neighbours too")
	islands := fs.String("islands", "connect", "disconnected pieces (islands, exclaves): connect (to the nearest piece) or leave")
	outline := fs.String("outline", "dissolve", "group outline in the GeoJSON: dissolve (union of members), convex or concave (hulls of their vertices)")
	outPath := fs.String("o", "", "write the groups as GeoJSON (one feature per group: members and outline)")
	pngPath := fs.String("png", "", "draw a map of the municipalities coloured by group (PNG)")
	width := fs.Int("png-width", 900, "width of the --png map in pixels")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tabane groups: "+format+"\n\n", a...)
		fs.Usage()
		return 2
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if *demo && (*boundaries != "" || *instPath != "") {
		return usageErr("--demo brings its own boundaries and instance: drop --boundaries and --instance")
	}
	if *boundaries == "" && !*demo {
		return usageErr("--boundaries is required (or --demo)")
	}
	maxp := !math.IsNaN(*floor)
	if (*k > 0) == maxp {
		return usageErr("give exactly one of --k N or --floor X")
	}
	if *k < 0 {
		return usageErr("--k must be positive, got %d", *k)
	}
	if maxp && (*floor < 0 || math.IsInf(*floor, 0)) {
		return usageErr("--floor must be a finite non-negative number, got %g", *floor)
	}
	if *capW < 0 || math.IsNaN(*capW) {
		return usageErr("--cap must be non-negative, got %g", *capW)
	}
	weightBy, err := data.ParseWeightBy(*by)
	if err != nil {
		return usageErr("--by %v", err)
	}
	var islandMode geo.IslandMode
	switch *islands {
	case "connect":
		islandMode = geo.IslandsConnect
	case "leave":
		islandMode = geo.IslandsLeave
	default:
		return usageErr("--islands must be connect or leave, got %q", *islands)
	}
	if *outline != "dissolve" && *outline != "convex" && *outline != "concave" {
		return usageErr("--outline must be dissolve, convex or concave, got %q", *outline)
	}

	var boundaryData []byte
	var inst *solver.Instance
	if *demo {
		boundaryData, *boundaries = data.DemoBoundaries(), "demo boundaries"
		var err error
		if inst, err = demoInstance(ctx, *fy); err != nil {
			fmt.Fprintf(stderr, "tabane groups: demo: %v\n", err)
			return 2
		}
	} else {
		var err error
		if boundaryData, err = os.ReadFile(*boundaries); err != nil {
			fmt.Fprintf(stderr, "%s: cannot read the boundaries: %v\n", *boundaries, unwrapPathError(err))
			return 2
		}
		if *instPath != "" {
			if inst, err = readInstanceFile(*instPath); err != nil {
				fmt.Fprintln(stderr, err)
				return 2
			}
		}
	}
	all, _, err := geo.ParseN03(boundaryData)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", *boundaries, err)
		return 2
	}
	if len(all) == 0 {
		fmt.Fprintf(stderr, "%s: no municipality with an N03_007 code\n", *boundaries)
		return 2
	}
	regions := all
	weightName := "municipalities"
	if inst != nil {
		var warnings []string
		regions, warnings, err = instanceRegions(inst, all, *by)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		for _, w := range warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
		weightName = weightBy.Label()
	} else {
		for i := range regions {
			regions[i].Weight = 1
		}
	}

	g, rep, err := geo.Adjacency(regions, geo.AdjacencyOptions{
		Method: geo.MethodBoundaries, ToleranceM: *tolM, MinSharedM: *minSharedM,
		CornerTouches: *corners, Islands: islandMode,
	})
	if err != nil {
		fmt.Fprintf(stderr, "tabane groups: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "%d municipalities, %d neighbour pairs from the boundaries", len(regions), len(g.Edges))
	if n := len(rep.CornerTouches); n > 0 && !*corners {
		fmt.Fprintf(stdout, " (%d corner touches left out)", n)
	}
	fmt.Fprintln(stdout)
	for _, b := range rep.Bridges {
		fmt.Fprintf(stdout, "bridged %s %s – %s %s across %.1f km (island or exclave)\n",
			g.Codes[b.A], regions[b.A].Name, g.Codes[b.B], regions[b.B].Name, b.DistanceKm)
	}
	if len(rep.Components) > 1 && islandMode == geo.IslandsLeave {
		fmt.Fprintf(stdout, "%d separate pieces: each gets its own groups\n", len(rep.Components))
	}

	opt := geo.GroupOptions{Seed: *seed, Attempts: *attempts, Compactness: *compactness}
	if *compactness == 0 {
		opt.Compactness = -1
	}
	var res geo.Grouping
	if maxp {
		res, err = geo.GroupsMaxP(regions, g, *floor, *capW, opt)
	} else {
		res, err = geo.GroupsK(regions, g, *k, opt)
	}
	var inf *geo.InfeasibleError
	if errors.As(err, &inf) {
		fmt.Fprintln(stderr, "tabane groups: no grouping meets the request:")
		for _, p := range inf.Problems {
			fmt.Fprintln(stderr, "  -", p)
		}
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "tabane groups: %v\n", err)
		return 2
	}

	fc := geo.GroupsGeoJSON(regions, res, geo.OutlineMethod(*outline), *tolM, strings.Fields(weightName)[0])
	outlines := make([]orb.Geometry, len(fc.Features))
	for gi, f := range fc.Features {
		outlines[gi] = f.Geometry
	}
	printGroups(stdout, regions, res, weightName)

	if *outPath != "" {
		b, err := json.MarshalIndent(fc, "", " ")
		if err == nil {
			err = os.WriteFile(*outPath, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: cannot write the groups: %v\n", *outPath, unwrapPathError(err))
			return 2
		}
		fmt.Fprintf(stdout, "wrote %s (%d groups)\n", *outPath, len(res.Groups))
	}
	if *pngPath != "" {
		f, err := os.Create(*pngPath)
		if err == nil {
			err = drawGroupsPNG(f, regions, res, outlines, weightName, *width)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: cannot draw the map: %v\n", *pngPath, unwrapPathError(err))
			return 2
		}
		fmt.Fprintf(stdout, "wrote %s\n", *pngPath)
	}
	return 0
}

// readInstanceFile reads an instance; errors are prefixed by the file name.
func readInstanceFile(path string) (*solver.Instance, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the instance: %v", path, unwrapPathError(err))
	}
	inst, err := solver.ParseInstance(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return inst, nil
}

// demoInstance builds the demo's instance of a fiscal year the way the service does:
// the demo inventory loaded into a scratch database.
func demoInstance(ctx context.Context, fy int) (*solver.Instance, error) {
	dir, err := os.MkdirTemp("", "tabane-groups-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s, err := data.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if _, err := s.LoadDemo(ctx); err != nil {
		return nil, err
	}
	return s.Instance(ctx, data.InstanceOptions{FiscalYear: fy})
}

// instanceRegions keeps the participating municipalities of an instance that have a
// boundary, with the instance's office and the weight of their assets.
func instanceRegions(inst *solver.Instance, all []geo.Region, by string) ([]geo.Region, []string, error) {
	byCode := map[string]int{}
	for i, r := range all {
		byCode[r.Code] = i
	}
	weight, err := data.RegionWeights(inst, by)
	if err != nil {
		return nil, nil, fmt.Errorf("--by %v", err)
	}
	var regions []geo.Region
	var warnings []string
	for _, m := range inst.Municipalities {
		if !m.Participating() {
			continue
		}
		i, ok := byCode[m.Code]
		if !ok {
			warnings = append(warnings, fmt.Sprintf("municipality %s %s has no boundary: left out of the groups", m.Code, m.Name))
			continue
		}
		r := all[i]
		if m.Name != "" {
			r.Name = m.Name
		}
		if geo.ValidLonLat(m.Office.Lon, m.Office.Lat) && (m.Office.Lon != 0 || m.Office.Lat != 0) {
			r.Office = orb.Point{m.Office.Lon, m.Office.Lat}
		}
		r.Weight = weight[m.Code]
		regions = append(regions, r)
	}
	if len(regions) == 0 {
		return nil, nil, fmt.Errorf("instance %s: no participating municipality has a boundary", inst.Name)
	}
	return regions, warnings, nil
}

// printGroups writes the table of groups.
func printGroups(w io.Writer, regions []geo.Region, res geo.Grouping, weightName string) {
	total := 0.0
	for _, grp := range res.Groups {
		total += grp.Weight
	}
	fmt.Fprintf(w, "\n%d groups, weight = %s, total %s\n\n", len(res.Groups), weightName, fmtWeight(total))
	fmt.Fprintf(w, "%-5s %7s %14s %7s %10s  %s\n", "group", "members", "weight", "share", "radius km", "municipalities")
	for gi, grp := range res.Groups {
		share := 0.0
		if total > 0 {
			share = 100 * grp.Weight / total
		}
		names := make([]string, len(grp.Members))
		for m, u := range grp.Members {
			names[m] = regions[u].Name
			if names[m] == "" {
				names[m] = regions[u].Code
			}
		}
		fmt.Fprintf(w, "%-5s %7d %14s %6.1f%% %10.1f  %s\n", geo.GroupID(gi), len(grp.Members), fmtWeight(grp.Weight),
			share, math.Sqrt(grp.SpreadKm2/float64(len(grp.Members))), strings.Join(names, " "))
	}
	if res.MaxImbalance > 0 {
		fmt.Fprintf(w, "\nlargest deviation from the balanced weight %s: %.1f%%\n", fmtWeight(res.Target), 100*res.MaxImbalance)
	}
}

// fmtWeight prints whole numbers without decimals and others with one.
func fmtWeight(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.1f", x)
}
