package solver

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// programmePin is one pin of a version-2 instance (docs/model.md, Pins) in the years of
// docs/programme.md: an asset pin's fy is the asset's inspection year, a lot pin's fy
// its block's first year (required). fy is 0 when the pin names none.
type programmePin struct {
	path   string // pins.assets.A1, pins.lots[0], pins.forbid[2]
	kind   string // asset, lot, forbid
	depot  int
	assets []int
	closed bool
	fy     int
}

// compileProgrammePins checks a version-2 instance's pins against the programme and each
// other, each problem named by its path, and keeps them in p.pins. Beyond version 1's
// checks (known ids, one depot per asset, no pin against a forbid) an asset pin's fy
// must lie in the asset's window and a lot pin must name its block by fy.
func compileProgrammePins(p *Programme, pins *Pins, v *ValidationError) {
	if pins.Empty() {
		return
	}
	m := p.Model
	refs := pinRefs{m, v}
	depotOf := refs.depot
	assetOf := func(path, id string) (int, bool) {
		a, ok := refs.asset(path, id)
		if !ok {
			return 0, false
		}
		if !p.InProgramme[a] {
			v.add(path, "%s is not in the programme (due %d, or its municipality does not participate): it is in no lot", id, p.Due[a])
			return 0, false
		}
		return a, true
	}
	type placed struct {
		depot, block int // block 0: any
		from         string
	}
	at := map[int]placed{}
	// place pins asset a to depot j (in block b when b > 0), reporting a pin that puts it
	// elsewhere: an asset is inspected once in the horizon, so in one lot.
	place := func(path string, a, j, b int) {
		id := m.Assets[a].ID
		if d := m.DepotAssetDist(j, a); d > m.MaxDistanceKm+limitEps {
			v.add(path, "%s is %.2f km from depot %s, beyond max_distance_km %g", id, d, m.Depots[j].ID, m.MaxDistanceKm)
			return
		}
		if lo, hi := p.Window(a); b > 0 && (hi < b || lo > b+p.ContractYears-1) {
			v.add(path, "%s's window [%d, %d] does not meet the block %d–%d", id, lo, hi, b, b+p.ContractYears-1)
			return
		}
		prev, ok := at[a]
		switch {
		case !ok:
			at[a] = placed{j, b, path}
		case prev.depot != j:
			v.add(path, "%s is also pinned to depot %s by %s", id, m.Depots[prev.depot].ID, prev.from)
		case prev.block > 0 && b > 0 && prev.block != b:
			v.add(path, "%s is also pinned to the block of %d by %s", id, prev.block, prev.from)
		case prev.block == 0 && b > 0:
			at[a] = placed{j, b, prev.from}
		}
	}
	ids := make([]string, 0, len(pins.Assets))
	for id := range pins.Assets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		path, ap := "pins.assets."+id, pins.Assets[id]
		if ap.Depot == "" {
			v.add(path, "names no depot")
			continue
		}
		a, okA := assetOf(path, id)
		j, okJ := depotOf(path, ap.Depot)
		if !okA || !okJ {
			continue
		}
		r := programmePin{path: path, kind: "asset", depot: j, assets: []int{a}}
		block := 0
		if ap.FY != nil {
			if lo, hi := p.Window(a); *ap.FY < lo || *ap.FY > hi {
				v.add(path+".fy", "%d is outside %s's window [%d, %d] (due %d)", *ap.FY, id, lo, hi, p.Due[a])
				continue
			}
			r.fy, block = *ap.FY, p.BlockOf(*ap.FY)
		}
		place(path, a, j, block)
		p.pins = append(p.pins, r)
	}
	for k, lot := range pins.Lots {
		path := fmt.Sprintf("pins.lots[%d]", k)
		j, okJ := depotOf(path+".depot", lot.Depot)
		switch {
		case lot.FY == nil:
			v.add(path+".fy", "is required in version 2: the first year of the lot's block")
			continue
		case !p.IsBlockStart(*lot.FY):
			v.add(path+".fy", "%d is not the first year of a block of the horizon (%d–%d, blocks of %d years)",
				*lot.FY, p.FirstFY, p.LastFY(), p.ContractYears)
			continue
		case len(lot.Assets) == 0 && !lot.Closed:
			v.add(path+".assets", "is empty: a lot pin names at least one asset (closed: true with no assets keeps the depot without a lot in that block)")
			continue
		}
		r := programmePin{path: path, kind: "lot", depot: j, closed: lot.Closed, fy: *lot.FY}
		eachLotAsset(v, path, lot.Assets, assetOf, func(ap string, a int) {
			if okJ {
				place(ap, a, j, *lot.FY)
				r.assets = append(r.assets, a)
			}
		})
		if okJ {
			p.pins = append(p.pins, r)
		}
	}
	for k, f := range pins.Forbid {
		path := fmt.Sprintf("pins.forbid[%d]", k)
		a, okA := refs.asset(path+".asset", f.Asset)
		j, okJ := depotOf(path+".depot", f.Depot)
		if !okA || !okJ {
			continue
		}
		if pl, ok := at[a]; ok && pl.depot == j {
			v.add(path, "%s may not be in the lot of depot %s, but %s pins it there", f.Asset, f.Depot, pl.from)
			continue
		}
		p.pins = append(p.pins, programmePin{path: path, kind: "forbid", depot: j, assets: []int{a}})
	}
}

// evaluatePins checks rule 6 in the programme's years as the referee does: at[a] is the
// depot of the (last) lot listing asset a with a known depot and block, −1 when none,
// and year[a] its inspection year there (the schedule's, else the lot's fy). It returns
// one report per pin and the violations.
func (p *Programme) evaluatePins(at []int32, year []int) ([]PinReport, []Violation) {
	var out []Violation
	reps := make([]PinReport, 0, len(p.pins))
	where := func(a int) string {
		if at[a] < 0 {
			return "in no lot"
		}
		return fmt.Sprintf("in the lot of depot %s in %d", p.Depots[at[a]].ID, year[a])
	}
	inBlock := func(a, j, fy int) bool { return int(at[a]) == j && p.BlockOf(year[a]) == fy }
	for _, r := range p.pins {
		held := true
		dep := p.Depots[r.depot].ID
		fail := func(a int, format string, args ...any) {
			held = false
			out = append(out, Violation{Rule: "pin", Asset: p.Assets[a].ID, Message: r.path + ": " + fmt.Sprintf(format, args...)})
		}
		switch r.kind {
		case "asset":
			a := r.assets[0]
			if int(at[a]) != r.depot || (r.fy != 0 && year[a] != r.fy) {
				want := "the lot of depot " + dep
				if r.fy != 0 {
					want += fmt.Sprintf(" in %d", r.fy)
				}
				fail(a, "%s must be in %s, the plan has it %s", p.Assets[a].ID, want, where(a))
			}
		case "lot":
			for _, a := range r.assets {
				if !inBlock(a, r.depot, r.fy) {
					fail(a, "%s must be in the lot of depot %s in the block from %d, the plan has it %s", p.Assets[a].ID, dep, r.fy, where(a))
				}
			}
			if r.closed {
				var extra []string
				first := -1
				for a := range at {
					if at[a] >= 0 && inBlock(a, r.depot, r.fy) && !slices.Contains(r.assets, a) {
						extra = append(extra, p.Assets[a].ID)
						if first < 0 {
							first = a
						}
					}
				}
				if first >= 0 {
					fail(first, "the lot of depot %s in the block from %d is closed, but the plan adds %s", dep, r.fy, strings.Join(extra, ", "))
					out[len(out)-1].Count = len(extra)
				}
			}
		case "forbid":
			if a := r.assets[0]; int(at[a]) == r.depot {
				fail(a, "%s must not be in the lot of depot %s", p.Assets[a].ID, dep)
			}
		}
		reps = append(reps, PinReport{Pin: r.path, Kind: r.kind, Held: held})
	}
	return reps, out
}

// pinYears puts the pinned assets in their pinned years before the blocks are planned: a
// lot pin's assets into the latest year of their window in its block, an asset pin's
// asset into its fy (compileProgrammePins made sure both exist and agree).
func (p *Programme) pinYears(year []int) {
	for _, r := range p.pins {
		if r.kind != "lot" {
			continue
		}
		for _, a := range r.assets {
			if p.BlockOf(year[a]) != r.fy {
				_, hi := p.Window(a)
				year[a] = min(hi, r.fy+p.ContractYears-1)
			}
		}
	}
	for _, r := range p.pins {
		if r.kind == "asset" && r.fy != 0 {
			year[r.assets[0]] = r.fy
		}
	}
}

// pinnedBlockModel is blockModel with the pins that concern the block from fy, in version
// 1's terms: the asset and forbid pins of its assets, and the lot pins of this block.
func (p *Programme) pinnedBlockModel(assets []int, fy int, year []int) (*Model, error) {
	inst := p.subInstance(assets, p.ContractYears)
	// Each asset's bring-forward charge in its year counts in the lot's cost, and so
	// towards min_value and max_value (docs/programme.md): it joins the asset's cost here.
	for k, a := range assets {
		if pen := p.BringForward(a, year[a]); pen > 0 {
			inst.Assets[k].Cost += pen
		}
	}
	if p.pins == nil {
		return Compile(inst)
	}
	in := make(map[int]bool, len(assets))
	for _, a := range assets {
		in[a] = true
	}
	pins := &Pins{Assets: map[string]AssetPin{}}
	ids := func(as []int) []string {
		out := make([]string, len(as))
		for k, a := range as {
			out[k] = p.Assets[a].ID
		}
		return out
	}
	for _, r := range p.pins {
		dep := p.Depots[r.depot].ID
		switch {
		case r.kind == "asset" && in[r.assets[0]]:
			pins.Assets[p.Assets[r.assets[0]].ID] = AssetPin{Depot: dep}
		case r.kind == "lot" && r.fy == fy:
			pins.Lots = append(pins.Lots, LotPin{Depot: dep, Assets: ids(r.assets), Closed: r.closed})
		case r.kind == "forbid" && in[r.assets[0]]:
			pins.Forbid = append(pins.Forbid, ForbidPin{Asset: p.Assets[r.assets[0]].ID, Depot: dep})
		}
	}
	inst.Pins = pins
	return Compile(inst)
}

// pinAllows reports whether the pins let asset a be inspected in year y in the lot of
// depot j in the block from fy: the search asks before every move.
func (p *Programme) pinAllows(a, j, fy, y int) bool {
	for _, r := range p.pins {
		has := slices.Contains(r.assets, a)
		switch r.kind {
		case "asset":
			if has && (r.depot != j || (r.fy != 0 && r.fy != y)) {
				return false
			}
		case "lot":
			if has && (r.depot != j || r.fy != fy) {
				return false
			}
			if !has && r.closed && r.depot == j && r.fy == fy {
				return false
			}
		case "forbid":
			if has && r.depot == j {
				return false
			}
		}
	}
	return true
}
