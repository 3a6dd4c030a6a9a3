package solver

import (
	"fmt"
	"math/bits"
	"strings"
)

// programmeMinValue proves that some programme assets cannot be in any lot that reaches
// L·min_value: a region (with region_locked; a discipline too when mixing is
// forbidden; otherwise all participating assets) whose assets, over the whole horizon,
// are too few or too cheap. A lot run from depot j in block b holds only assets of one
// such group that j reaches and whose window meets b, so it is worth at most
//
//	F + S·(disciplines − 1) + Σ_e M_e·min(L, its e-assets) + Σ_a (c_a + τ·d(j,a) + pen(a, earliest year of W(a) in b)),
//
// all of them in it, each piece of equipment mobilised in as many years as it can be,
// each asset brought forward as far as the block allows. An asset whose every lot (every
// depot that reaches it, every block its window meets) is worth less than L·min_value
// cannot be planned. One reason per group, naming the most valuable lot of its
// stranded assets.
func programmeMinValue(p *Programme) []Infeasibility {
	L := p.ContractYears
	need := float64(L) * p.MinValue
	if need <= 0 || len(p.Planned) == 0 {
		return nil
	}
	nR, nG := 1, 1
	if p.RegionLocked {
		nR = len(p.Regions)
	}
	if !p.MixAllowed {
		nG = len(p.Disciplines)
	}
	groups := make([][]int, nR*nG)
	for _, a := range p.Planned {
		k := 0
		if p.RegionLocked {
			k = p.Munis[p.Assets[a].Muni].Region * nG
		}
		if !p.MixAllowed {
			k += p.Assets[a].Discipline
		}
		groups[k] = append(groups[k], a)
	}
	band := newDepotBand(p.Model)
	blocks := p.Years / L
	nD, nE := len(p.Depots), len(p.EquipPrice)
	// Per (depot, block) slot j*blocks+b: the sum of asset terms, how many assets, the
	// count of each piece of equipment and the disciplines seen (a bit each; with more
	// than 64 disciplines, all of them count).
	slots := nD * blocks
	acc, count, worth := make([]float64, slots), make([]int, slots), make([]float64, slots)
	equip := make([]int, slots*nE)
	discs := make([]uint64, slots)
	var touched []int
	// each calls fn for every slot that may hold asset a (a depot that reaches it, a
	// block its window meets), with the asset's largest term there, until fn returns false.
	each := func(a int, fn func(s int, term float64) bool) {
		lo, hi := p.Window(a)
		band.near(p.Assets[a].At, p.MaxDistanceKm+limitEps, func(j int, d float64) bool {
			if d > p.MaxDistanceKm+limitEps {
				return true
			}
			for b := (lo - p.FirstFY) / L; b <= (hi-p.FirstFY)/L; b++ {
				y := max(lo, p.FirstFY+b*L) // the earliest year: the largest bring-forward charge
				if !fn(j*blocks+b, p.Assets[a].Cost+p.Tau*d+p.BringForward(a, y)) {
					return false
				}
			}
			return true
		})
	}
	var out []Infeasibility
	for k, g := range groups {
		for _, a := range g {
			each(a, func(s int, term float64) bool {
				if count[s] == 0 {
					touched = append(touched, s)
				}
				acc[s] += term
				count[s]++
				for _, e := range p.Assets[a].Equip {
					equip[s*nE+e]++
				}
				if d := p.Assets[a].Discipline; d < 64 {
					discs[s] |= 1 << d
				} else {
					discs[s] = ^uint64(0)
				}
				return true
			})
		}
		for _, s := range touched {
			nd := min(bits.OnesCount64(discs[s]), len(p.Disciplines))
			worth[s] = p.F + p.Surcharge*float64(nd-1) + acc[s]
			for e, price := range p.EquipPrice {
				worth[s] += price * float64(min(L, equip[s*nE+e]))
			}
		}
		var stranded []int
		best, bestSlot := -1.0, -1
		for _, a := range g {
			top, topSlot := -1.0, -1
			each(a, func(s int, _ float64) bool {
				if worth[s] > top {
					top, topSlot = worth[s], s
				}
				return valueBelow(top, need) // one lot that may reach it settles the asset
			})
			if topSlot >= 0 && valueBelow(top, need) {
				stranded = append(stranded, a)
				if top > best {
					best, bestSlot = top, topSlot
				}
			}
		}
		if len(stranded) > 0 {
			out = append(out, p.minValueReason(k, nG, stranded, best, bestSlot, count[bestSlot], need))
		}
		for _, s := range touched {
			acc[s], count[s], discs[s], worth[s] = 0, 0, 0, 0
			clear(equip[s*nE : (s+1)*nE])
		}
		touched = touched[:0]
	}
	return out
}

// minValueReason words programmeMinValue's proof for group k: its stranded assets, the
// most valuable lot one of them can join (slot: depot × block, holding n assets).
func (p *Programme) minValueReason(k, nG int, stranded []int, best float64, slot, n int, need float64) Infeasibility {
	blocks := p.Years / p.ContractYears
	j, fy := slot/blocks, p.FirstFY+(slot%blocks)*p.ContractYears
	f := Infeasibility{Rule: "min_value", Asset: p.Assets[stranded[0]].ID, Value: best, Limit: need}
	var what, why []string
	if p.RegionLocked {
		f.Region = p.Regions[k/nG]
		what = append(what, "region "+f.Region)
		why = append(why, "region_locked keeps them out of other regions' lots")
	}
	if !p.MixAllowed {
		f.Discipline = p.Disciplines[k%nG]
		what = append(what, f.Discipline+" assets")
		why = append(why, "mixed_discipline_surcharge is null, so they cannot join other disciplines")
	}
	if len(what) == 0 {
		what = append(what, "participating assets")
	}
	block := fmt.Sprintf("FY%d", fy)
	if p.ContractYears > 1 {
		block = fmt.Sprintf("FY%d–%02d", fy, (fy+p.ContractYears-1)%100)
	}
	f.Message = fmt.Sprintf("%s (%d asset(s), e.g. %s): over the whole programme a lot of them is worth at most %s — all %d that depot %s reaches in %s, the most valuable choice — below %d × min_value = %s",
		strings.Join(what, ", "), len(stranded), f.Asset, FormatYen(best), n, p.Depots[j].ID, block, p.ContractYears, FormatYen(need))
	if len(why) > 0 {
		f.Message += "; " + strings.Join(why, "; ")
	}
	return f
}
