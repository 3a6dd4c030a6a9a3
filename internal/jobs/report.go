package jobs

import (
	"math"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// PlanReport is the plan document of docs/api-contract.md: the MODEL.md plan (instance,
// bundles with depot and assets) with every bundle's breakdown, workload, reach and
// shares, the plan's totals, bound and gap, the standalone baseline and its saving, the
// shares per municipality, the individual-rationality breaches and the evaluator's
// verdict. A MODEL.md consumer reads bundles[].depot and bundles[].assets and ignores
// the rest.
type PlanReport struct {
	Instance        string                `json:"instance"`
	Bundles         []solver.BundleReport `json:"bundles"`
	Cost            float64               `json:"cost"`
	LowerBound      *float64              `json:"lower_bound"`
	Gap             *float64              `json:"gap"`
	Standalone      map[string]float64    `json:"standalone"`
	StandaloneTotal float64               `json:"standalone_total"`
	Saving          float64               `json:"saving"`
	SavingPct       float64               `json:"saving_pct"`
	Shares          map[string]float64    `json:"shares"`
	IRViolations    []string              `json:"ir_violations"`
	Feasible        bool                  `json:"feasible"`
	Violations      []solver.Violation    `json:"violations"`
	Pins            []solver.PinReport    `json:"pins"` // every pin of the instance, held or not
	StopReason      string                `json:"stop_reason,omitempty"`
	BoundMethod     string                `json:"bound_method,omitempty"`
	Iterations      int                   `json:"iterations"`
	Timings         solver.Timings        `json:"timings"`
}

// NewPlanReport describes a solver result that holds a plan (res.Plan and res.Evaluation
// not nil).
func NewPlanReport(res *solver.Result) *PlanReport {
	ev := res.Evaluation
	return &PlanReport{
		Instance: res.Plan.Instance, Bundles: ev.Bundles, Cost: ev.Cost,
		LowerBound: finiteOrNil(res.LowerBound), Gap: finiteOrNil(res.Gap),
		Standalone: ev.Standalone, StandaloneTotal: ev.StandaloneTotal, Saving: ev.Saving, SavingPct: ev.SavingPct,
		Shares: ev.Shares, IRViolations: ev.IRViolations, Feasible: ev.Feasible, Violations: ev.Violations, Pins: ev.Pins,
		StopReason: res.StopReason, BoundMethod: res.BoundMethod, Iterations: res.Iterations, Timings: res.Timings,
	}
}

// Summary is the run summary of a plan report.
func (p *PlanReport) Summary() *data.RunSummary {
	n := 0
	for _, b := range p.Bundles {
		n += b.AssetCount
	}
	return &data.RunSummary{Cost: p.Cost, StandaloneTotal: p.StandaloneTotal, Saving: p.Saving, SavingPct: p.SavingPct,
		LowerBound: p.LowerBound, Gap: p.Gap, Bundles: len(p.Bundles), Assets: n, IRViolations: p.IRViolations,
		Feasible: p.Feasible, StopReason: p.StopReason}
}

// progressOf turns the solver's progress into the API's (infinite values become null).
func progressOf(p solver.Progress) data.RunProgress {
	return data.RunProgress{ElapsedS: p.Elapsed.Seconds(), BestCost: finiteOrNil(p.BestCost),
		LowerBound: finiteOrNil(p.LowerBound), Gap: finiteOrNil(p.Gap), Feasible: p.Feasible, Phase: p.Phase}
}

func finiteOrNil(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}
