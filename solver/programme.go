package solver

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// ProgrammeSpec is the "programme" object of a version-2 instance (docs/programme.md): the
// horizon, the statutory cycle, how far inspections may be brought forward, the length
// of a lot, and the programme's yearly caps and budgets. Pointers tell absent fields
// (which take docs/programme.md's defaults) from zeros.
type ProgrammeSpec struct {
	FirstFY         *int        `json:"first_fy"`
	Years           *int        `json:"years"`
	CycleYears      *int        `json:"cycle_years,omitempty"`
	AdvanceMaxYears *int        `json:"advance_max_years,omitempty"`
	ContractYears   *int        `json:"contract_years,omitempty"`
	YearLimits      *YearLimits `json:"year_limits,omitempty"`
	// Budgets maps a municipality code to one number (the same cap every year) or a
	// list of one number per year. Kept raw so that validation can name the code.
	Budgets map[string]json.RawMessage `json:"budgets,omitempty"`
}

// YearLimits caps the whole programme's value and workload in each fiscal year.
type YearLimits struct {
	MaxValue    *float64 `json:"max_value,omitempty"`
	MaxWorkload *float64 `json:"max_workload,omitempty"`
}

// Defaults of docs/programme.md for absent fields, and the longest cycle accepted: every
// report has one row per year of the horizon (at most one cycle), so an absurd cycle
// must not size them.
const (
	DefaultCycleYears    = 5
	DefaultContractYears = 1
	MaxCycleYears        = 100
)

// Programme is a validated version-2 instance: the compiled Model of everything docs/model.md
// defines plus the years. Years are fiscal years (2026), not offsets.
type Programme struct {
	*Model

	FirstFY, Years  int // the horizon FirstFY … FirstFY+Years−1 (H = Years)
	CycleYears      int
	AdvanceMaxYears int
	ContractYears   int // L: lots run in aligned blocks of L years

	// Yearly caps on the whole programme, +Inf when absent.
	YearMaxValue, YearMaxWorkload float64
	// Budgets maps municipality index → its cap in each year of the horizon; nil
	// when the municipality has no budget.
	Budgets [][]float64

	// Due is the due year of every asset (index as in Model.Assets); InProgramme marks
	// the assets a plan must cover (participating, due within the horizon) and Planned
	// lists them in instance order. AfterHorizon lists the participating assets due
	// after the horizon: reported, not planned.
	Due          []int
	InProgramme  []bool
	Planned      []int
	AfterHorizon []int

	// pins are the instance's pins in the programme's years (programme_pins.go); nil
	// when it has none.
	pins []programmePin
	// part marks a part of a programme planned in parts (programme_parts.go): its solve
	// runs no bound and no proofs of its own (the whole's do) and gives its blocks less time.
	part bool
}

// LastFY is the horizon's last fiscal year.
func (p *Programme) LastFY() int { return p.FirstFY + p.Years - 1 }

// Window is W(a) = [max(first_fy, due − advance_max_years), due].
func (p *Programme) Window(a int) (lo, hi int) {
	return max(p.FirstFY, p.Due[a]-p.AdvanceMaxYears), p.Due[a]
}

// BlockOf is the first year of the block that holds year y.
func (p *Programme) BlockOf(y int) int {
	k := (y - p.FirstFY) / p.ContractYears
	if y < p.FirstFY && (y-p.FirstFY)%p.ContractYears != 0 {
		k-- // floor, as for years before the horizon
	}
	return p.FirstFY + k*p.ContractYears
}

// IsBlockStart reports whether fy starts a block of the horizon.
func (p *Programme) IsBlockStart(fy int) bool {
	return fy >= p.FirstFY && fy <= p.LastFY() && p.BlockOf(fy) == fy
}

// BringForward is pen(a) = c_a · (due(a) − y) / cycle_years: the amortised extra of
// inspecting a earlier than due, so that its cycle is shorter.
func (p *Programme) BringForward(a, y int) float64 {
	return p.Assets[a].Cost * float64(p.Due[a]-y) / float64(p.CycleYears)
}

// CompileProgramme validates a version-2 instance against docs/model.md and docs/programme.md and
// builds its Programme. A *ValidationError lists every problem, each with its path
// (programme.budgets.29201, assets[4].last_inspection_fy).
func CompileProgramme(inst *Instance) (*Programme, error) {
	v := &ValidationError{}
	switch inst.Version {
	case 2:
	case 0:
		v.add("version", "is required: 2 for a programme (docs/programme.md)")
	default:
		v.add("version", "must be 2 for a programme (docs/programme.md), found %d", inst.Version)
	}
	m := compileModel(inst, v)
	spec := inst.Programme
	if spec == nil {
		v.add("programme", "is required in version 2: {\"first_fy\": …, \"years\": …} at least")
		return nil, v
	}
	p := &Programme{Model: m, CycleYears: DefaultCycleYears, ContractYears: DefaultContractYears,
		YearMaxValue: math.Inf(1), YearMaxWorkload: math.Inf(1)}
	if spec.FirstFY == nil {
		v.add("programme.first_fy", "is required: the first fiscal year of the horizon (2026)")
	} else {
		p.FirstFY = *spec.FirstFY
	}
	if spec.CycleYears != nil {
		p.CycleYears = *spec.CycleYears
		if p.CycleYears < 1 || p.CycleYears > MaxCycleYears {
			v.add("programme.cycle_years", "must lie in [1, %d], found %d", MaxCycleYears, p.CycleYears)
		}
	}
	if spec.Years == nil {
		v.add("programme.years", "is required: the horizon's length H in years, 1 ≤ H ≤ cycle_years")
	} else {
		p.Years = *spec.Years
		if p.Years < 1 || p.Years > p.CycleYears {
			v.add("programme.years", "must lie in [1, cycle_years = %d] (each asset is inspected at most once), found %d",
				p.CycleYears, p.Years)
		}
	}
	if spec.AdvanceMaxYears != nil {
		p.AdvanceMaxYears = *spec.AdvanceMaxYears
		if p.AdvanceMaxYears < 0 {
			v.add("programme.advance_max_years", "must be at least 0, found %d", p.AdvanceMaxYears)
		}
	}
	if spec.ContractYears != nil {
		p.ContractYears = *spec.ContractYears
		switch {
		case p.ContractYears < 1:
			v.add("programme.contract_years", "must be at least 1, found %d", p.ContractYears)
		case p.Years >= 1 && p.Years%p.ContractYears != 0:
			v.add("programme.contract_years", "%d does not divide years %d (lots run in aligned blocks)", p.ContractYears, p.Years)
		}
	}
	if yl := spec.YearLimits; yl != nil {
		if yl.MaxValue != nil {
			p.YearMaxValue = *yl.MaxValue
			if !finite(p.YearMaxValue) || p.YearMaxValue < 0 {
				v.add("programme.year_limits.max_value", "must be a finite number ≥ 0, found %v", p.YearMaxValue)
			}
		}
		if yl.MaxWorkload != nil {
			p.YearMaxWorkload = *yl.MaxWorkload
			if !finite(p.YearMaxWorkload) || p.YearMaxWorkload < 0 {
				v.add("programme.year_limits.max_workload", "must be a finite number ≥ 0, found %v", p.YearMaxWorkload)
			}
		}
	}
	p.compileBudgets(spec.Budgets, v)
	p.compileDue(v)
	if len(v.Problems) > 0 {
		return nil, v
	}
	for a := range p.Assets {
		if !p.Munis[p.Assets[a].Muni].Participates {
			continue
		}
		if p.Due[a] <= p.LastFY() {
			p.InProgramme[a] = true
			p.Planned = append(p.Planned, a)
		} else {
			p.AfterHorizon = append(p.AfterHorizon, a)
		}
	}
	if compileProgrammePins(p, inst.Pins, v); len(v.Problems) > 0 {
		return nil, v
	}
	return p, nil
}

// compileBudgets reads programme.budgets: per municipality one number or H numbers.
func (p *Programme) compileBudgets(raw map[string]json.RawMessage, v *ValidationError) {
	p.Budgets = make([][]float64, len(p.Munis))
	codes := make([]string, 0, len(raw))
	for code := range raw {
		codes = append(codes, code)
	}
	sort.Strings(codes) // problems in a stable order
	for _, code := range codes {
		path := "programme.budgets." + code
		var caps []float64
		var one float64
		if err := json.Unmarshal(raw[code], &one); err == nil {
			caps = make([]float64, min(max(p.Years, 0), MaxCycleYears))
			for i := range caps {
				caps[i] = one
			}
		} else if err := json.Unmarshal(raw[code], &caps); err != nil || caps == nil {
			v.add(path, "must be a number (the same cap every year) or a list of %d numbers, found %s", p.Years, raw[code])
			continue
		} else if len(caps) != p.Years {
			v.add(path, "%d values for %d years", len(caps), p.Years)
			continue
		}
		bad := false
		for i, c := range caps {
			if !finite(c) || c < 0 {
				v.add(path+"["+strconv.Itoa(i)+"]", "must be a finite number ≥ 0, found %v", c)
				bad = true
			}
		}
		mu, ok := p.MuniIndex[code]
		if !ok {
			v.add(path, "%q is not among the instance's municipalities", code)
			continue
		}
		if !bad {
			p.Budgets[mu] = caps
		}
	}
}

// compileDue reads every asset's last_inspection_fy (an integer, or null or absent:
// never inspected) and sets its due year: last + cycle_years, or first_fy when that is
// earlier or the asset was never inspected.
func (p *Programme) compileDue(v *ValidationError) {
	p.Due = make([]int, len(p.Inst.Assets))
	p.InProgramme = make([]bool, len(p.Inst.Assets))
	for i := range p.Inst.Assets {
		p.Due[i] = p.FirstFY
		raw, ok := p.Inst.Assets[i].Extra["last_inspection_fy"]
		if !ok || string(raw) == "null" {
			continue
		}
		var last int
		if err := json.Unmarshal(raw, &last); err != nil {
			v.add(fmt.Sprintf("assets[%d].last_inspection_fy", i), "must be a fiscal year (an integer) or null, found %s", raw)
			continue
		}
		p.Due[i] = max(p.FirstFY, last+p.CycleYears)
	}
}
