package planout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// Comparison is what a council reads of two runs A and B: what differs in their inputs
// (parameters, municipalities, pins), the difference in total and per municipality, and
// the assets that changed depot counted by depot and by municipality. Lot labels (L01…)
// are local to a plan, so nothing here is keyed by them. Every difference is B − A.
type Comparison struct {
	Changes        []Change           `json:"changes"`
	Pins           []PinChange        `json:"pins"`
	Total          TotalDiff          `json:"total"`
	Municipalities []MunicipalityDiff `json:"municipalities"`
	ByDepot        []DepotMoves       `json:"moves_by_depot"`
	ByMunicipality []MunicipalityMove `json:"moves_by_municipality"`
	Moved          []Moved            `json:"moved"`
}

// Change is one input that differs between the runs' instances: a parameter
// (params.limits.max_assets, programme.years), a municipality's participation or region
// (municipalities.29201.participates), or the number of assets planned (assets). A and B
// are the JSON values, null when absent on that side.
type Change struct {
	Field string `json:"field"`
	Name  string `json:"name,omitempty"` // the municipality's name for municipalities.* fields
	A     any    `json:"a"`
	B     any    `json:"b"`
}

// PinChange is a pin that B has and A has not (added) or the reverse (removed). A pin that
// changed is one removed and one added.
type PinChange struct {
	Change    string   `json:"change"` // added, removed
	Kind      string   `json:"kind"`   // asset, lot, forbid
	Depot     string   `json:"depot"`
	DepotName string   `json:"depot_name"`
	Assets    []string `json:"assets"`
	Closed    bool     `json:"closed,omitempty"`
	FY        *int     `json:"fy,omitempty"`
}

// TotalDiff is the plans' totals side by side (cost, standalone, saving) and B − A.
type TotalDiff struct {
	CostA       float64 `json:"cost_a"`
	CostB       float64 `json:"cost_b"`
	CostDiff    float64 `json:"cost_diff"`
	StandaloneA float64 `json:"standalone_a"`
	StandaloneB float64 `json:"standalone_b"`
	SavingA     float64 `json:"saving_a"`
	SavingB     float64 `json:"saving_b"`
	SavingDiff  float64 `json:"saving_diff"`
}

// MunicipalityDiff is one municipality's share and saving in both plans (null on the side
// where it is not in the plan) and B − A (null unless it is in both), with how many of
// its assets changed depot.
type MunicipalityDiff struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	ShareA     *float64 `json:"share_a"`
	ShareB     *float64 `json:"share_b"`
	ShareDiff  *float64 `json:"share_diff"`
	SavingA    *float64 `json:"saving_a"`
	SavingB    *float64 `json:"saving_b"`
	SavingDiff *float64 `json:"saving_diff"`
	Moved      int      `json:"moved"`
}

// DepotMoves counts, for one depot, the assets whose lot from it A had and B has not
// (left) and the reverse (joined).
type DepotMoves struct {
	Depot  string `json:"depot"`
	Name   string `json:"name"`
	Left   int    `json:"left"`
	Joined int    `json:"joined"`
}

// MunicipalityMove counts one municipality's assets that changed depot, by the pair of
// depots (from in A, to in B; "" when the asset is in one plan only).
type MunicipalityMove struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Moved int    `json:"moved"`
	Flows []Flow `json:"flows"`
}

// Flow is a number of assets that went from one depot's lot in A to another's in B.
type Flow struct {
	From     string `json:"from_depot"`
	FromName string `json:"from_name"`
	To       string `json:"to_depot"`
	ToName   string `json:"to_name"`
	Count    int    `json:"count"`
}

// CompareRuns compares two solved runs: plan report and instance of A, then of B.
func CompareRuns(repA *solver.Report, instA *solver.Instance, repB *solver.Report, instB *solver.Instance) Comparison {
	names := depotNames(instA, instB)
	c := Comparison{Changes: InputChanges(instA, instB), Pins: PinChanges(instA.Pins, instB.Pins, names),
		Moved: Compare(repA, repB)}
	c.Total = TotalDiff{CostA: deref(repA.Cost), CostB: deref(repB.Cost),
		StandaloneA: deref(repA.StandaloneTotal), StandaloneB: deref(repB.StandaloneTotal),
		SavingA: deref(repA.Saving), SavingB: deref(repB.Saving)}
	c.Total.CostDiff, c.Total.SavingDiff = c.Total.CostB-c.Total.CostA, c.Total.SavingB-c.Total.SavingA

	owner, muniName := map[string]string{}, map[string]string{}
	for _, inst := range []*solver.Instance{instB, instA} { // A's names win: it is the reference
		for _, a := range inst.Assets {
			owner[a.ID] = a.Municipality
		}
		for _, m := range inst.Municipalities {
			muniName[m.Code] = m.Name
		}
	}
	depots := map[string]*DepotMoves{}
	depot := func(id string) *DepotMoves {
		if depots[id] == nil {
			depots[id] = &DepotMoves{Depot: id, Name: names[id]}
		}
		return depots[id]
	}
	flows := map[string]map[[2]string]int{}
	for _, mv := range c.Moved {
		from, to := deref(mv.FromDepot), deref(mv.ToDepot)
		if from != "" {
			depot(from).Left++
		}
		if to != "" {
			depot(to).Joined++
		}
		code := owner[mv.Asset]
		if flows[code] == nil {
			flows[code] = map[[2]string]int{}
		}
		flows[code][[2]string{from, to}]++
	}
	c.ByDepot = make([]DepotMoves, 0, len(depots))
	for _, d := range depots {
		c.ByDepot = append(c.ByDepot, *d)
	}
	sort.Slice(c.ByDepot, func(i, j int) bool { return c.ByDepot[i].Depot < c.ByDepot[j].Depot })
	c.ByMunicipality = make([]MunicipalityMove, 0, len(flows))
	moved := map[string]int{}
	for code, fl := range flows {
		mm := MunicipalityMove{Code: code, Name: muniName[code], Flows: []Flow{}}
		for k, n := range fl {
			mm.Flows = append(mm.Flows, Flow{From: k[0], FromName: names[k[0]], To: k[1], ToName: names[k[1]], Count: n})
			mm.Moved += n
		}
		// the largest flows first: they are what a municipality asks about
		sort.Slice(mm.Flows, func(i, j int) bool {
			x, y := mm.Flows[i], mm.Flows[j]
			if x.Count != y.Count {
				return x.Count > y.Count
			}
			return x.From+"\x00"+x.To < y.From+"\x00"+y.To
		})
		moved[code] = mm.Moved
		c.ByMunicipality = append(c.ByMunicipality, mm)
	}
	sort.Slice(c.ByMunicipality, func(i, j int) bool { return c.ByMunicipality[i].Code < c.ByMunicipality[j].Code })

	rows := map[string]*MunicipalityDiff{}
	row := func(code string) *MunicipalityDiff {
		if rows[code] == nil {
			rows[code] = &MunicipalityDiff{Code: code, Name: muniName[code], Moved: moved[code]}
		}
		return rows[code]
	}
	for _, s := range Shares(repA, instA) {
		r := row(s.Code)
		r.ShareA, r.SavingA = ptr(s.Share), ptr(s.Saving)
	}
	for _, s := range Shares(repB, instB) {
		r := row(s.Code)
		r.ShareB, r.SavingB = ptr(s.Share), ptr(s.Saving)
	}
	for code := range moved {
		row(code)
	}
	c.Municipalities = make([]MunicipalityDiff, 0, len(rows))
	for _, r := range rows {
		if r.ShareA != nil && r.ShareB != nil {
			r.ShareDiff, r.SavingDiff = ptr(*r.ShareB-*r.ShareA), ptr(*r.SavingB-*r.SavingA)
		}
		c.Municipalities = append(c.Municipalities, *r)
	}
	sort.Slice(c.Municipalities, func(i, j int) bool { return c.Municipalities[i].Code < c.Municipalities[j].Code })
	return c
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// depotNames maps every depot id of both instances to its name; an instance without
// depots runs from its municipalities' offices (office-<code>, named after the town).
func depotNames(insts ...*solver.Instance) map[string]string {
	out := map[string]string{}
	for _, inst := range insts {
		for _, d := range inst.Depots {
			if out[d.ID] == "" {
				out[d.ID] = d.Name
			}
		}
		if len(inst.Depots) == 0 {
			for _, m := range inst.Municipalities {
				if id := data.OfficeDepotID(m.Code); out[id] == "" {
					out[id] = m.Name
				}
			}
		}
	}
	return out
}

// InputChanges lists what differs between two instances besides pins, sorted by field:
// every parameter (params.*, and programme.* of a version-2 instance, compared leaf by
// leaf), the version, each municipality's participation and region, and the number of
// assets.
func InputChanges(a, b *solver.Instance) []Change {
	out := []Change{}
	la, lb := map[string]any{}, map[string]any{}
	flatten("params", a.Params, la)
	flatten("params", b.Params, lb)
	if a.Programme != nil {
		flatten("programme", a.Programme, la)
	}
	if b.Programme != nil {
		flatten("programme", b.Programme, lb)
	}
	la["version"], lb["version"] = a.Version, b.Version
	la["assets"], lb["assets"] = len(a.Assets), len(b.Assets)
	names := map[string]string{}
	munis := func(inst *solver.Instance, into map[string]any) {
		for _, m := range inst.Municipalities {
			names[m.Code] = m.Name
			into["municipalities."+m.Code+".participates"] = m.Participating()
			into["municipalities."+m.Code+".region"] = m.Region
		}
	}
	munis(a, la)
	munis(b, lb)
	fields := map[string]bool{}
	for k := range la {
		fields[k] = true
	}
	for k := range lb {
		fields[k] = true
	}
	for f := range fields {
		va, vb := la[f], lb[f]
		if sameJSON(va, vb) {
			continue
		}
		ch := Change{Field: f, A: va, B: vb}
		if code, ok := strings.CutPrefix(f, "municipalities."); ok {
			ch.Name = names[code[:strings.IndexByte(code, '.')]]
		}
		out = append(out, ch)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// flatten writes v's JSON into out as dotted paths to its leaves (numbers, strings,
// booleans, null and arrays, which are compared whole).
func flatten(prefix string, v any, out map[string]any) {
	raw, err := json.Marshal(v)
	if err != nil {
		out[prefix] = fmt.Sprint(v)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers compare and print exactly as stored
	var x any
	if dec.Decode(&x) != nil {
		out[prefix] = string(raw)
		return
	}
	var walk func(p string, x any)
	walk = func(p string, x any) {
		if obj, ok := x.(map[string]any); ok {
			// an empty object ({} limits) says no more than an absent one: no leaf
			for k, v := range obj {
				walk(p+"."+k, v)
			}
			return
		}
		out[p] = x
	}
	walk(prefix, x)
}

func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// PinChanges lists the pins of b that a has not (added) and of a that b has not
// (removed), added first, each in the order of its instance's pins (assets by id, lots,
// forbids). names gives depot names.
func PinChanges(a, b *solver.Pins, names map[string]string) []PinChange {
	ka, kb := pinList(a, names), pinList(b, names)
	has := func(list []PinChange, key string) bool {
		for _, p := range list {
			if pinKey(p) == key {
				return true
			}
		}
		return false
	}
	out := []PinChange{}
	for _, p := range kb {
		if !has(ka, pinKey(p)) {
			p.Change = "added"
			out = append(out, p)
		}
	}
	for _, p := range ka {
		if !has(kb, pinKey(p)) {
			p.Change = "removed"
			out = append(out, p)
		}
	}
	return out
}

func pinList(p *solver.Pins, names map[string]string) []PinChange {
	if p.Empty() {
		return nil
	}
	var out []PinChange
	ids := make([]string, 0, len(p.Assets))
	for id := range p.Assets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ap := p.Assets[id]
		out = append(out, PinChange{Kind: "asset", Depot: ap.Depot, DepotName: names[ap.Depot], Assets: []string{id}, FY: ap.FY})
	}
	for _, l := range p.Lots {
		assets := append([]string{}, l.Assets...)
		sort.Strings(assets)
		out = append(out, PinChange{Kind: "lot", Depot: l.Depot, DepotName: names[l.Depot], Assets: assets, Closed: l.Closed, FY: l.FY})
	}
	for _, f := range p.Forbid {
		out = append(out, PinChange{Kind: "forbid", Depot: f.Depot, DepotName: names[f.Depot], Assets: []string{f.Asset}})
	}
	return out
}

// pinKey identifies a pin by what it decides (not by its place in the list).
func pinKey(p PinChange) string {
	fy := ""
	if p.FY != nil {
		fy = strconv.Itoa(*p.FY)
	}
	return strings.Join([]string{p.Kind, p.Depot, fy, strconv.FormatBool(p.Closed), strings.Join(p.Assets, ",")}, "\x00")
}

// CompareCSVColumns are the columns of the comparison CSV: one row per municipality, then
// a row "total" (code) with the plans' costs in the share columns. Amounts are whole yen,
// each diff the difference of the rounded sides so that the columns add up in a
// spreadsheet; empty cells are values absent on that side.
var CompareCSVColumns = []string{"code", "name", "share_a", "share_b", "share_diff", "saving_a", "saving_b", "saving_diff", "moved"}

// CompareCSVRows are the rows of the comparison CSV (CompareCSVColumns).
func CompareCSVRows(c Comparison) [][]string {
	// cells are a, b and b − a of one amount, rounded to the yen
	cells := func(a, b *float64) []string {
		if a == nil || b == nil {
			return []string{yenCell(a), yenCell(b), ""}
		}
		ra, rb := math.Round(*a), math.Round(*b)
		d := rb - ra
		return []string{yenCell(&ra), yenCell(&rb), yenCell(&d)}
	}
	rows := make([][]string, 0, len(c.Municipalities)+1)
	line := func(code, name string, shareA, shareB, savingA, savingB *float64, moved int) {
		row := append([]string{code, name}, cells(shareA, shareB)...)
		row = append(row, cells(savingA, savingB)...)
		rows = append(rows, append(row, strconv.Itoa(moved)))
	}
	for _, m := range c.Municipalities {
		line(m.Code, m.Name, m.ShareA, m.ShareB, m.SavingA, m.SavingB, m.Moved)
	}
	t := c.Total
	line("total", "", &t.CostA, &t.CostB, &t.SavingA, &t.SavingB, len(c.Moved))
	return rows
}

func yenCell(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(math.Round(*p)+0, 'f', 0, 64) // +0 turns −0 into 0
}
