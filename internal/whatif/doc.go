// Package whatif runs batches of what-if variations of one bundling instance and
// reports them as one table and one chart.
//
// A batch file (YAML or JSON) names a base — an instance JSON file, or a scenario of
// a tabane database reached through a ScenarioSource — and its variations:
//
//	name: summit
//	base: nara-demo-fy2027.json
//	solver: {time_limit: 60s, seed: 1, max_iterations: 5000, threads: 1}
//	variations:
//	  - name: fixed-3m
//	    set: {params.contract_fixed_cost: 3000000}
//	  - name: without-nara-city
//	    without: ["29201"]
//	  - name: dear-bridges
//	    cost_model: {bridge: {cost_factor: 1.2}}
//	grid:
//	  params.limits.max_value: [50e6, 80e6, 120e6]
//
// The runs are the explicit variations crossed with the points of the grid. Every
// override is an Assignment of a key: a dotted path into the instance JSON (checked
// against the schema of solver.Instance, see setPath), "without" (municipalities that
// stay out, by code or name), cost_model.KIND.FIELD (cost_factor, cost_add,
// workload_factor per asset kind, "*" for all) or solver.SETTING.
//
// A version-2 base (a five-year programme, docs/programme.md) also takes programme.*
// paths (programme.contract_years, programme.budgets.* as a factor, …); each of its
// variations is solved with solver.SolveProgramme and planned year by year, and its
// row adds the value of each fiscal year and the saving against year-by-year
// planning (programme.go, programme_output.go).
//
// The life of a batch:
//
//	b, err := whatif.Parse(data, "batch.yaml")  // shape of the file
//	base, err := b.LoadBase(ctx, scenarios)      // or build the instance yourself
//	vars, err := b.Expand(base)                  // every problem, before anything runs
//	rows, err := whatif.Run(ctx, vars, whatif.RunOptions{CacheDir: dir, Progress: bar.Update})
//	o := whatif.NewOutput(whatif.Ja, b.Name, base) // language, labels, municipality names
//	err = whatif.WriteOutputs(outDir, rows, o)     // summary.html, results.csv/.md, shares.csv, plans/, charts
//
// Run caches each result under the SHA-256 of the variation's canonical instance JSON
// and solver settings (CacheKey), so a batch run again solves only what changed; a
// cancelled context keeps the finished rows.
//
// Beyond one machine: a batch may name several bases, crossed with its variations
// (bases.go); RunShard solves one shard of a batch and writes its rows to a shared
// folder (shard.go), LoadShards merges them (merge.go), and K8s writes the Kubernetes
// Indexed Job that runs the shards (k8s.go).
package whatif
