package solver

import (
	"encoding/json"
	"math"
	"time"
)

// Report is a solve's result as every writer shows it — `tabane solve`, the run queue,
// the API's stored plans and the what-if plan files: the plan of docs/model.md (instance,
// bundles with depot and assets, so that any plan reader takes a report as a plan) with
// every bundle's breakdown and shares, the plan's totals, the bound and gap, the
// standalone baseline and saving, the evaluator's verdict, timings and stop reason.
//
// JSON has no infinity: a value that is unknown (no plan yet, no finite bound) is null,
// never 0, so that a reader cannot take "no bound" for a bound of 0 yen.
type Report struct {
	Instance        string             `json:"instance"`
	Bundles         []BundleReport     `json:"bundles"`
	Cost            *float64           `json:"cost"`
	LowerBound      *float64           `json:"lower_bound"`
	Gap             *float64           `json:"gap"`
	Standalone      map[string]float64 `json:"standalone"`
	StandaloneTotal *float64           `json:"standalone_total"`
	Saving          *float64           `json:"saving"`
	SavingPct       *float64           `json:"saving_pct"`
	Shares          map[string]float64 `json:"shares"`
	IRViolations    []string           `json:"ir_violations"`
	Feasible        bool               `json:"feasible"`
	Violations      []Violation        `json:"violations"`
	// Pins lists every pin of the instance and whether the plan holds it (empty without pins).
	Pins []PinReport `json:"pins"`
	// Infeasible are the proven reasons why no plan exists (Result.Infeasible).
	Infeasible  []Infeasibility `json:"infeasible,omitempty"`
	StopReason  string          `json:"stop_reason"`
	BoundMethod string          `json:"bound_method,omitempty"`
	Iterations  int             `json:"iterations"`
	Timings     Timings         `json:"timings"`
}

// NewReport describes a solve's result; without a plan (res.Plan nil) the plan's values
// are null and Bundles is empty. instance names the instance when there is no plan to
// take the name from.
func NewReport(instance string, res *Result) *Report {
	r := &Report{Instance: instance, Bundles: []BundleReport{}, LowerBound: Finite(res.LowerBound),
		Infeasible: finiteInfeasible(res.Infeasible), StopReason: res.StopReason, BoundMethod: res.BoundMethod,
		Iterations: res.Iterations, Timings: res.Timings}
	if res.Plan != nil {
		r.Instance = res.Plan.Instance
	}
	if ev := res.Evaluation; ev != nil {
		r.Bundles, r.Feasible, r.Violations, r.Pins = ev.Bundles, ev.Feasible, ev.Violations, ev.Pins
		r.Cost, r.Gap = Finite(ev.Cost), Finite(res.Gap)
		r.Standalone, r.Shares, r.IRViolations = ev.Standalone, ev.Shares, ev.IRViolations
		r.StandaloneTotal, r.Saving, r.SavingPct = Finite(ev.StandaloneTotal), Finite(ev.Saving), Finite(ev.SavingPct)
	}
	return r
}

// Plan is the report's plan (docs/model.md); nil when the report has no bundles because the
// solve found no plan.
func (r *Report) Plan() *Plan {
	if r.Cost == nil {
		return nil
	}
	p := &Plan{Instance: r.Instance, Bundles: make([]Bundle, len(r.Bundles))}
	for i, b := range r.Bundles {
		p.Bundles[i] = Bundle{ID: b.ID, Depot: b.Depot, Assets: b.Assets}
	}
	return p
}

// AssetCount is the number of assets in the report's bundles.
func (r *Report) AssetCount() int {
	n := 0
	for _, b := range r.Bundles {
		n += b.AssetCount
	}
	return n
}

// Finite is x, or nil when x is infinite or NaN: the one place where the solver's
// "unknown" (±Inf) becomes JSON's null.
func Finite(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

// OrZero is *p, or 0 for nil: for tables that hold numbers only.
func OrZero(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// finiteInfeasible copies reasons whose numbers are not finite (a limit of +Inf) with
// those numbers as 0, which JSON can hold; the message still says what the proof is.
func finiteInfeasible(in []Infeasibility) []Infeasibility {
	if len(in) == 0 {
		return nil
	}
	out := make([]Infeasibility, len(in))
	for i, f := range in {
		if Finite(f.Value) == nil {
			f.Value = 0
		}
		if Finite(f.Limit) == nil {
			f.Limit = 0
		}
		out[i] = f
	}
	return out
}

// ProgressReport is the one JSON shape of a solve's progress: what the run queue stores
// and streams (Server-Sent Events) and what Progress marshals to. Unknown values are null.
type ProgressReport struct {
	ElapsedS   float64  `json:"elapsed_s"`
	BestCost   *float64 `json:"best_cost"`
	LowerBound *float64 `json:"lower_bound"`
	Gap        *float64 `json:"gap"`
	Feasible   bool     `json:"feasible"`
	Phase      string   `json:"phase"`
}

// Report is the progress in its JSON shape.
func (p Progress) Report() ProgressReport {
	return ProgressReport{ElapsedS: p.Elapsed.Seconds(), BestCost: Finite(p.BestCost), LowerBound: Finite(p.LowerBound),
		Gap: Finite(p.Gap), Feasible: p.Feasible, Phase: p.Phase}
}

// UnmarshalJSON reads the seconds MarshalJSON writes, so that a stored report reads back.
func (t *Timings) UnmarshalJSON(b []byte) error {
	var s struct{ Construct, Search, Bound, Total float64 }
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d := func(sec float64) time.Duration { return time.Duration(math.Round(sec * float64(time.Second))) }
	*t = Timings{Construct: d(s.Construct), Search: d(s.Search), Bound: d(s.Bound), Total: d(s.Total)}
	return nil
}
