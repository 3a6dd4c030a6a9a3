package solver

import "math"

// ProgrammeSolveReport is the output of a programme solve (version 2), written alike by
// `tabane solve` and POST /api/v1/solve: the plan fields of docs/programme.md (instance,
// bundles with fy, schedule) at the top level, so that referee.py and `tabane evaluate`
// read it as is, then the evaluation (years[], budgets[], lots[]), the programme's lower
// bound (ProgrammeLowerBound) and the proven reasons for infeasibility.
type ProgrammeSolveReport struct {
	Instance        string          `json:"instance"`
	Feasible        bool            `json:"feasible"`
	Cost            *float64        `json:"cost"`
	StandaloneTotal *float64        `json:"standalone_total,omitempty"`
	Saving          *float64        `json:"saving,omitempty"`
	SavingPct       *float64        `json:"saving_pct,omitempty"`
	Bundles         []Bundle        `json:"bundles"`
	Schedule        map[string]int  `json:"schedule"`
	Evaluation      *Evaluation     `json:"evaluation"`
	LowerBound      *float64        `json:"lower_bound"`
	Gap             *float64        `json:"gap"`
	BoundMethod     string          `json:"bound_method"`
	Infeasible      []Infeasibility `json:"infeasible,omitempty"`
	// Yearly is --compare-yearly's year-by-year planning; YearlySaving its total less
	// the programme's cost, when both are feasible.
	Yearly       *YearlyComparison `json:"yearly,omitempty"`
	YearlySaving *float64          `json:"yearly_saving,omitempty"`
	Moved        int               `json:"moved"`
	Blocks       []BlockResult     `json:"blocks"`
	StopReason   string            `json:"stop_reason"`
	Seconds      float64           `json:"seconds"`
	Seed         int64             `json:"seed"`
	Threads      int               `json:"threads"`
}

// NewProgrammeSolveReport builds the report of SolveProgramme's result res on p, run with
// opt; yearly is CompareYearly's planning or nil.
func NewProgrammeSolveReport(p *Programme, res *ProgrammeResult, opt SolveOptions, yearly *YearlyComparison) ProgrammeSolveReport {
	out := ProgrammeSolveReport{Instance: p.Inst.Name, Bundles: []Bundle{}, Schedule: map[string]int{},
		Moved: res.Moved, Blocks: res.Blocks, StopReason: res.StopReason, Seconds: math.Round(res.Elapsed.Seconds()*100) / 100,
		Seed: opt.Seed, Threads: opt.Threads, LowerBound: Finite(res.LowerBound), Gap: Finite(res.Gap),
		BoundMethod: res.BoundMethod, Infeasible: res.Infeasible, Yearly: yearly}
	if ev := res.Evaluation; ev != nil {
		out.Feasible, out.Evaluation = ev.Feasible, ev
		out.Cost = Finite(ev.Cost)
		out.StandaloneTotal, out.Saving, out.SavingPct = Finite(ev.StandaloneTotal), Finite(ev.Saving), Finite(ev.SavingPct)
		out.Bundles, out.Schedule = res.Plan.Bundles, res.Plan.Schedule
		if yearly != nil && yearly.Feasible && ev.Feasible {
			out.YearlySaving = Finite(yearly.Total - ev.Cost)
		}
	}
	return out
}
