package data

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/tabane/tabane/solver"
)

// InstanceOptions choose what Store.Instance puts in a solver.Instance.
type InstanceOptions struct {
	// Name of the instance; default "tabane-fy<FiscalYear>".
	Name string
	// FiscalYear selects the assets that fall due that year (CostModel.Due). Required
	// unless AllAssets.
	FiscalYear int
	// AllAssets takes every asset, due or not.
	AllAssets bool
	// Params are the instance's prices, limits and rules; the zero value means DefaultParams().
	Params solver.Params
	// Municipalities restricts the instance to these codes (5 or 6 digits); empty means all.
	Municipalities []string
	// CostModel estimates the figures an asset lacks; nil means the store's cost model
	// (Store.CostModel: the saved one, else DefaultCostModel()).
	CostModel *CostModel
	// Programme makes a version-2 instance (docs/programme.md) with this programme: every
	// asset is in it, each with its last_inspection_fy (absent: never inspected, so due
	// in first_fy), and the solver works out which fall due in the horizon. FiscalYear
	// and AllAssets are then not read.
	Programme *solver.ProgrammeSpec
}

// Instance builds a solver.Instance (docs/model.md) from the inventory: the municipalities with
// their regions, participation and offices; every depot (the municipal offices, id
// office-<code>, then the district offices and other depots); and the assets that fall due,
// ordered by id, with explicit cost/workload/equipment where the inventory has them and
// the cost model's estimate otherwise. Name, length, width, rating, year built, last
// inspection and over rail/water ride along as fields the model ignores.
func (s *Store) Instance(ctx context.Context, opt InstanceOptions) (*solver.Instance, error) {
	if opt.Programme != nil {
		// The due years are the programme's (docs/programme.md: last + cycle_years), not the
		// cost model's one-year rule: every asset goes in.
		opt.AllAssets = true
	}
	if !opt.AllAssets && opt.FiscalYear <= 0 {
		return nil, fmt.Errorf("instance: fiscal year is required (found %d), or ask for all assets", opt.FiscalYear)
	}
	cm := opt.CostModel
	if cm == nil {
		stored, err := s.CostModel(ctx) // the one of GET/PUT /api/v1/cost-model, or the defaults
		if err != nil {
			return nil, fmt.Errorf("instance: %w", err)
		}
		cm = stored.Model
	}
	params := opt.Params
	if reflect.ValueOf(params).IsZero() {
		params = DefaultParams()
	}
	name := opt.Name
	if name == "" {
		name = fmt.Sprintf("tabane-fy%d", opt.FiscalYear)
		switch {
		case opt.Programme != nil:
			name = "tabane-programme"
		case opt.AllAssets:
			name = "tabane-all"
		}
	}
	var only map[string]bool
	if len(opt.Municipalities) > 0 {
		only = map[string]bool{}
		for i, c := range opt.Municipalities {
			code, err := NormalizeMunicipalityCode(c)
			if err != nil {
				return nil, fmt.Errorf("instance: municipalities[%d]: %w", i, err)
			}
			only[code] = true
		}
	}
	munis, err := s.Municipalities(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	inst := &solver.Instance{Version: 1, Name: name, Params: params,
		Municipalities: []solver.Municipality{}, Depots: []solver.Depot{}, Assets: []solver.Asset{}}
	if opt.Programme != nil {
		spec := *opt.Programme
		inst.Version, inst.Programme = 2, &spec
	}
	for _, m := range munis {
		if only != nil && !only[m.Code] {
			continue
		}
		p := m.Participates
		inst.Municipalities = append(inst.Municipalities, solver.Municipality{Code: m.Code, Name: m.Name,
			Region: m.Region, Participates: &p, Office: solver.Point{Lon: m.OfficeLon, Lat: m.OfficeLat}})
	}
	if only != nil && len(only) != len(inst.Municipalities) {
		have := map[string]bool{}
		for _, m := range inst.Municipalities {
			have[m.Code] = true
		}
		for i, c := range opt.Municipalities {
			if code, _ := NormalizeMunicipalityCode(c); !have[code] {
				return nil, fmt.Errorf("instance: municipalities[%d]: %s: %w", i, c, ErrNotFound)
			}
		}
	}
	depots, err := s.Depots(ctx)
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	for _, d := range depots {
		if d.Kind == DepotOffice && only != nil && !only[d.Municipality] {
			continue
		}
		inst.Depots = append(inst.Depots, solver.Depot{ID: d.ID, Name: d.Name, Lon: d.Lon, Lat: d.Lat})
	}
	assets, _, err := s.Assets(ctx, AssetFilter{})
	if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	// Rows written before the rules of validate.go may break them: name each such asset
	// (a 422 at the API) rather than hand the solver an infinite or unpriced figure.
	var kept []Asset
	for _, a := range assets {
		if (only == nil || only[a.Municipality]) && (opt.AllAssets || cm.Due(a, opt.FiscalYear)) {
			kept = append(kept, a)
		}
	}
	if err := validateAssetsWith(kept, cm, true, true); err != nil {
		return nil, fmt.Errorf("instance: stored assets break the inventory's rules (fix them with PATCH /api/v1/assets/{id}): %w", err)
	}
	for _, a := range kept {
		e, err := cm.Estimate(a)
		if err != nil {
			return nil, fmt.Errorf("instance: %w", err)
		}
		sa := solver.Asset{ID: a.ID, Municipality: a.Municipality, Kind: a.Kind, Lon: a.Lon, Lat: a.Lat,
			Cost: e.Cost, Workload: e.Workload, Equipment: e.Equipment, Extra: map[string]json.RawMessage{}}
		extra := func(k string, v any) {
			b, err := json.Marshal(v)
			if err == nil {
				sa.Extra[k] = b
			}
		}
		if a.Name != "" {
			extra("name", a.Name)
		}
		if a.LengthM != nil {
			extra("length_m", *a.LengthM)
		}
		if a.WidthM != nil {
			extra("width_m", *a.WidthM)
		}
		if a.YearBuilt != nil {
			extra("year_built", *a.YearBuilt)
		}
		if a.Rating != nil {
			extra("rating", *a.Rating)
		}
		if a.LastInspectionFY != nil {
			extra("last_inspection_fy", *a.LastInspectionFY)
		}
		if a.OverRail {
			extra("over_rail", true)
		}
		if a.OverWater {
			extra("over_water", true)
		}
		inst.Assets = append(inst.Assets, sa)
	}
	return inst, nil
}
