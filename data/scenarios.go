package data

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tabane/tabane/solver"
)

// Scenario is a named set of choices applied to the inventory for one fiscal year: the
// docs/model.md params, which municipalities take part, region assignments and an optional
// asset filter. Its instance (ScenarioInstance) is what a run solves.
type Scenario struct {
	ID         int64         `json:"id"`
	Name       string        `json:"name"`
	FiscalYear int           `json:"fiscal_year"`
	Params     solver.Params `json:"params"`
	// Participation overrides the inventory's participates flag: code → takes part.
	Participation map[string]bool `json:"participation"`
	// Regions overrides the inventory's region of a municipality: code → region.
	Regions map[string]string `json:"regions"`
	// Filter narrows the assets; nil takes every asset that falls due.
	Filter *ScenarioFilter `json:"filter"`
	// Programme, when set, makes the scenario plan several fiscal years: its instance is
	// version 2 (docs/programme.md) with this programme object, and every asset's last
	// inspection sets its due year. Nil keeps the one-year scenario of FiscalYear.
	Programme *solver.ProgrammeSpec `json:"programme"`
	CreatedAt string                `json:"created_at"`
	UpdatedAt string                `json:"updated_at,omitempty"`
}

// ScenarioFilter narrows a scenario's instance: only assets of these kinds, only these
// municipalities (with their offices and assets). An empty list does not filter.
type ScenarioFilter struct {
	Kinds          []string `json:"kinds,omitempty"`
	Municipalities []string `json:"municipalities,omitempty"`
}

// ErrConflict is returned when a change would contradict the state of another row (a
// scenario with an active run cannot be deleted; a finished run cannot be cancelled).
var ErrConflict error = &codedError{"conflict", "conflict"}

// timeFormat is RFC 3339 UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func now() string { return time.Now().UTC().Format(timeFormat) }

// ParamsWithDefaults reads a docs/model.md params object in which omitted parts take the
// defaults of DefaultParams: a top-level field that is absent takes its default; inside
// "equipment" an absent price takes its default; "limits", when given, is taken as
// written (docs/model.md: an absent limit does not bind); "mixed_discipline_surcharge": null
// forbids mixing. An empty or null raw gives DefaultParams(). Errors name the field
// (params.limits.max_value).
func ParamsWithDefaults(raw json.RawMessage) (solver.Params, error) {
	def := DefaultParams()
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return def, nil
	}
	var given map[string]json.RawMessage
	if err := json.Unmarshal(raw, &given); err != nil {
		return solver.Params{}, &solver.InputError{Path: "params", Msg: "must be an object"}
	}
	defJSON, err := json.Marshal(def)
	if err != nil {
		return solver.Params{}, err
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(defJSON, &merged); err != nil {
		return solver.Params{}, err
	}
	for k, v := range given {
		if k == "equipment" && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			prices := map[string]json.RawMessage{}
			if err := json.Unmarshal(merged["equipment"], &prices); err != nil {
				return solver.Params{}, err
			}
			var over map[string]json.RawMessage
			if err := json.Unmarshal(v, &over); err != nil {
				return solver.Params{}, &solver.InputError{Path: "params.equipment", Msg: "must be an object of name → price (yen)"}
			}
			for name, price := range over {
				prices[name] = price
			}
			v, _ = json.Marshal(prices)
		}
		merged[k] = v
	}
	b, _ := json.Marshal(merged)
	var p solver.Params
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return solver.Params{}, &solver.InputError{Path: "params." + typ.Field,
				Msg: fmt.Sprintf("expected %s, found %s", jsonKind(typ.Type.String()), typ.Value)}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return solver.Params{}, &solver.InputError{Path: "params." + name, Msg: "unknown field (docs/model.md params: " +
				"currency, contract_fixed_cost, travel_cost_per_km, circuity, equipment, disciplines, " +
				"mixed_discipline_surcharge, limits, region_locked, require_individual_rationality)"}
		}
		return solver.Params{}, &solver.InputError{Path: "params", Msg: err.Error()}
	}
	return p, nil
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "int"):
		return "an integer"
	case goType == "string" || goType == "*string":
		return "a string"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "map"), strings.Contains(goType, "."):
		return "an object"
	}
	return goType
}

// ValidateScenario lists every problem of a scenario: name and fiscal year, the params
// (checked by solver.Compile's rules), unknown municipality codes in participation,
// regions and the filter. Paths are the scenario's JSON fields (params.limits.max_value,
// participation.29999). Nil means valid.
func (s *Store) ValidateScenario(ctx context.Context, sc Scenario) ([]solver.InputError, error) {
	var out []solver.InputError
	add := func(path, format string, args ...any) {
		out = append(out, solver.InputError{Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(sc.Name) == "" {
		add("name", "is required")
	}
	if sc.FiscalYear < 1989 || sc.FiscalYear > 2200 {
		add("fiscal_year", "must be a fiscal year between 1989 and 2200, found %d", sc.FiscalYear)
	}
	// Compile checks the params on an instance without assets; only params problems count.
	_, err := solver.Compile(&solver.Instance{Version: 1, Name: "params", Params: sc.Params,
		Municipalities: []solver.Municipality{}, Assets: []solver.Asset{}})
	var ve *solver.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if strings.HasPrefix(p.Path, "params") {
				out = append(out, p)
			}
		}
	}
	munis, err := s.Municipalities(ctx, false)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, m := range munis {
		known[m.Code] = true
	}
	check := func(field, code string) {
		c, err := NormalizeMunicipalityCode(code)
		if err != nil {
			add(field, "%v", err)
		} else if !known[c] {
			add(field, "no municipality %s in the inventory", c)
		}
	}
	for _, code := range sortedKeys(sc.Participation) {
		check("participation."+code, code)
	}
	for _, code := range sortedKeys(sc.Regions) {
		check("regions."+code, code)
		if strings.TrimSpace(sc.Regions[code]) == "" {
			add("regions."+code, "must name a region")
		}
	}
	if sc.Programme != nil {
		out = append(out, validateProgramme(sc, munis, check)...)
	}
	if sc.Filter != nil {
		for i, code := range sc.Filter.Municipalities {
			check(fmt.Sprintf("filter.municipalities[%d]", i), code)
		}
		for i, k := range sc.Filter.Kinds {
			if strings.TrimSpace(k) == "" {
				add(fmt.Sprintf("filter.kinds[%d]", i), "must not be empty")
			}
		}
	}
	return out, nil
}

// validateProgramme lists the problems of a scenario's programme by solver.CompileProgramme's
// rules, on an instance of the inventory's municipalities without assets (the assets'
// last inspections are the inventory's business, not the scenario's). A budget's code is
// checked by check (a malformed or unknown code), and only the known ones go to the
// compiler, so that each problem is named once.
func validateProgramme(sc Scenario, munis []Municipality, check func(field, code string)) []solver.InputError {
	var out []solver.InputError
	spec := *sc.Programme
	if fy := spec.FirstFY; fy != nil && (*fy < 1989 || *fy > 2200) {
		out = append(out, solver.InputError{Path: "programme.first_fy",
			Msg: fmt.Sprintf("must be a fiscal year between 1989 and 2200, found %d", *fy)})
	}
	inst := &solver.Instance{Version: 2, Name: "programme", Params: sc.Params, Programme: &spec,
		Municipalities: []solver.Municipality{}, Assets: []solver.Asset{}}
	known := map[string]bool{}
	for _, m := range munis {
		known[m.Code] = true
		inst.Municipalities = append(inst.Municipalities, solver.Municipality{Code: m.Code, Name: m.Name,
			Region: m.Region, Office: solver.Point{Lon: m.OfficeLon, Lat: m.OfficeLat}})
	}
	spec.Budgets = map[string]json.RawMessage{}
	for _, code := range sortedKeys(sc.Programme.Budgets) {
		c, err := NormalizeMunicipalityCode(code)
		if err != nil || !known[c] {
			check("programme.budgets."+code, code)
			continue
		}
		spec.Budgets[c] = sc.Programme.Budgets[code]
	}
	_, err := solver.CompileProgramme(inst)
	var ve *solver.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if strings.HasPrefix(p.Path, "programme") {
				out = append(out, p)
			}
		}
	}
	return out
}

// ParseProgramme reads a scenario's "programme" object (docs/programme.md's instance
// programme): unknown fields and values of the wrong type are errors named by their
// path (programme.years); the rules between fields are ValidateScenario's.
func ParseProgramme(raw json.RawMessage) (*solver.ProgrammeSpec, error) {
	var spec solver.ProgrammeSpec
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ) && typ.Field != "":
			return nil, &solver.InputError{Path: "programme." + typ.Field,
				Msg: fmt.Sprintf("expected %s, found %s", jsonKind(typ.Type.String()), typ.Value)}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return nil, &solver.InputError{Path: "programme." + name, Msg: "unknown field (docs/programme.md programme: " +
				"first_fy, years, cycle_years, advance_max_years, contract_years, year_limits, budgets)"}
		}
		return nil, &solver.InputError{Path: "programme", Msg: "must be an object {\"first_fy\": 2026, \"years\": 5, …} (" + err.Error() + ")"}
	}
	return &spec, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// normalizeCodes rewrites the municipality codes of a scenario to their 5-digit form.
func normalizeScenario(sc *Scenario) {
	if sc.Participation == nil {
		sc.Participation = map[string]bool{}
	}
	if sc.Regions == nil {
		sc.Regions = map[string]string{}
	}
	p := map[string]bool{}
	for k, v := range sc.Participation {
		if c, err := NormalizeMunicipalityCode(k); err == nil {
			k = c
		}
		p[k] = v
	}
	sc.Participation = p
	r := map[string]string{}
	for k, v := range sc.Regions {
		if c, err := NormalizeMunicipalityCode(k); err == nil {
			k = c
		}
		r[k] = v
	}
	sc.Regions = r
	if sc.Filter != nil {
		for i, k := range sc.Filter.Municipalities {
			if c, err := NormalizeMunicipalityCode(k); err == nil {
				sc.Filter.Municipalities[i] = c
			}
		}
		if len(sc.Filter.Kinds) == 0 && len(sc.Filter.Municipalities) == 0 {
			sc.Filter = nil
		}
	}
	if sc.Programme != nil && sc.Programme.Budgets != nil {
		pr := *sc.Programme // the caller's spec stays as given
		pr.Budgets = map[string]json.RawMessage{}
		for k, v := range sc.Programme.Budgets {
			if c, err := NormalizeMunicipalityCode(k); err == nil {
				k = c
			}
			pr.Budgets[k] = v
		}
		sc.Programme = &pr
	}
}

const scenarioColumns = "id, name, fiscal_year, params, participation, regions, filter, programme, created_at, coalesce(updated_at, '')"

func scanScenario(sc interface{ Scan(...any) error }) (Scenario, error) {
	var s Scenario
	var params, part, regions string
	var filter, programme sql.NullString
	if err := sc.Scan(&s.ID, &s.Name, &s.FiscalYear, &params, &part, &regions, &filter, &programme, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(params), &s.Params); err != nil {
		return s, fmt.Errorf("scenario %d: params: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(part), &s.Participation); err != nil {
		return s, fmt.Errorf("scenario %d: participation: %w", s.ID, err)
	}
	if err := json.Unmarshal([]byte(regions), &s.Regions); err != nil {
		return s, fmt.Errorf("scenario %d: regions: %w", s.ID, err)
	}
	if filter.Valid {
		s.Filter = &ScenarioFilter{}
		if err := json.Unmarshal([]byte(filter.String), s.Filter); err != nil {
			return s, fmt.Errorf("scenario %d: filter: %w", s.ID, err)
		}
	}
	if programme.Valid {
		s.Programme = &solver.ProgrammeSpec{}
		if err := json.Unmarshal([]byte(programme.String), s.Programme); err != nil {
			return s, fmt.Errorf("scenario %d: programme: %w", s.ID, err)
		}
	}
	return s, nil
}

func scenarioArgs(sc Scenario) ([]any, error) {
	params, err := json.Marshal(sc.Params)
	if err != nil {
		return nil, err
	}
	part, _ := json.Marshal(sc.Participation)
	regions, _ := json.Marshal(sc.Regions)
	var filter any
	if sc.Filter != nil {
		b, _ := json.Marshal(sc.Filter)
		filter = string(b)
	}
	var programme any
	if sc.Programme != nil {
		b, err := json.Marshal(sc.Programme)
		if err != nil {
			return nil, fmt.Errorf("programme: %w", err)
		}
		programme = string(b)
	}
	return []any{sc.Name, sc.FiscalYear, string(params), string(part), string(regions), filter, programme}, nil
}

// CreateScenario stores a new scenario (validate it first with ValidateScenario) and
// returns it with its id and creation time.
func (s *Store) CreateScenario(ctx context.Context, sc Scenario) (Scenario, error) {
	normalizeScenario(&sc)
	args, err := scenarioArgs(sc)
	if err != nil {
		return Scenario{}, fmt.Errorf("create scenario: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO scenarios (name, fiscal_year, params, participation, regions, filter, programme, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, append(args, now())...)
	if err != nil {
		return Scenario{}, fmt.Errorf("create scenario: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Scenario{}, fmt.Errorf("create scenario: %w", err)
	}
	return s.Scenario(ctx, id)
}

// UpdateScenario replaces the stored fields of scenario sc.ID.
func (s *Store) UpdateScenario(ctx context.Context, sc Scenario) (Scenario, error) {
	normalizeScenario(&sc)
	args, err := scenarioArgs(sc)
	if err != nil {
		return Scenario{}, fmt.Errorf("update scenario %d: %w", sc.ID, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE scenarios SET name = ?, fiscal_year = ?, params = ?, participation = ?,
		regions = ?, filter = ?, programme = ?, updated_at = ? WHERE id = ?`, append(args, now(), sc.ID)...)
	if err != nil {
		return Scenario{}, fmt.Errorf("update scenario %d: %w", sc.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Scenario{}, fmt.Errorf("scenario %d: %w", sc.ID, ErrNotFound)
	}
	return s.Scenario(ctx, sc.ID)
}

// Scenario returns one scenario.
func (s *Store) Scenario(ctx context.Context, id int64) (Scenario, error) {
	sc, err := scanScenario(s.db.QueryRowContext(ctx, "SELECT "+scenarioColumns+" FROM scenarios WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sc, fmt.Errorf("scenario %d: %w", id, ErrNotFound)
	}
	return sc, err
}

// Scenarios lists scenarios by id, a page at a time, with the total count.
func (s *Store) Scenarios(ctx context.Context, limit, offset int) ([]Scenario, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM scenarios").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list scenarios: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+scenarioColumns+" FROM scenarios ORDER BY id LIMIT ? OFFSET ?", limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list scenarios: %w", err)
	}
	defer rows.Close()
	out := []Scenario{}
	for rows.Next() {
		sc, err := scanScenario(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list scenarios: %w", err)
		}
		out = append(out, sc)
	}
	return out, total, rows.Err()
}

// DeleteScenario deletes a scenario; its finished runs stay (scenario_id becomes null).
// A scenario with a queued or running run is refused with ErrConflict.
func (s *Store) DeleteScenario(ctx context.Context, id int64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete scenario %d: %w", id, err)
	}
	defer tx.Rollback()
	var active int64
	err = tx.QueryRowContext(ctx, "SELECT id FROM runs WHERE scenario_id = ? AND status IN ('queued', 'running') ORDER BY id LIMIT 1", id).Scan(&active)
	switch {
	case err == nil:
		return fmt.Errorf("scenario %d has run %d %s; cancel it first (DELETE /api/v1/runs/%d): %w", id, active, "in progress", active, ErrConflict)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("delete scenario %d: %w", id, err)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM scenarios WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("delete scenario %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("scenario %d: %w", id, ErrNotFound)
	}
	return tx.Commit()
}

// ScenarioInstance builds the solver instance of a scenario (Store.Instance with the
// scenario's fiscal year, params and municipality filter), then applies its kind filter,
// participation overrides, region assignments and stored pins. Its name is scenario-<id>-fy<year>.
// A scenario with a programme gets a version-2 instance named scenario-<id>-fy<first>-<last>,
// with every asset, its pins, and budgets only for the municipalities in it.
func (s *Store) ScenarioInstance(ctx context.Context, sc Scenario) (*solver.Instance, error) {
	opt := InstanceOptions{Name: fmt.Sprintf("scenario-%d-fy%d", sc.ID, sc.FiscalYear), FiscalYear: sc.FiscalYear,
		Params: sc.Params, Programme: sc.Programme}
	if pr := sc.Programme; pr != nil && pr.FirstFY != nil && pr.Years != nil {
		opt.Name = fmt.Sprintf("scenario-%d-fy%d-%d", sc.ID, *pr.FirstFY, *pr.FirstFY+*pr.Years-1)
	}
	if sc.Filter != nil {
		opt.Municipalities = sc.Filter.Municipalities
	}
	inst, err := s.Instance(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("scenario %d: %w", sc.ID, err)
	}
	if inst.Programme != nil && inst.Programme.Budgets != nil {
		// A budget of a municipality the filter leaves out caps nothing.
		in := map[string]bool{}
		for _, m := range inst.Municipalities {
			in[m.Code] = true
		}
		budgets := map[string]json.RawMessage{}
		for code, b := range inst.Programme.Budgets {
			if in[code] {
				budgets[code] = b
			}
		}
		inst.Programme.Budgets = budgets
	}
	for i := range inst.Municipalities {
		m := &inst.Municipalities[i]
		if on, ok := sc.Participation[m.Code]; ok {
			v := on
			m.Participates = &v
		}
		if r, ok := sc.Regions[m.Code]; ok {
			m.Region = r
		}
	}
	if sc.Filter != nil && len(sc.Filter.Kinds) > 0 {
		kinds := map[string]bool{}
		for _, k := range sc.Filter.Kinds {
			kinds[k] = true
		}
		kept := inst.Assets[:0]
		for _, a := range inst.Assets {
			if kinds[a.Kind] {
				kept = append(kept, a)
			}
		}
		inst.Assets = kept
	}
	if sc.ID > 0 {
		// The scenario's pins travel with every instance of it, so that a re-solve keeps
		// them (a programme reads them in its years).
		pins, err := s.ScenarioPins(ctx, sc.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if !pins.Empty() {
			inst.Pins = &pins
		}
	}
	return inst, nil
}
