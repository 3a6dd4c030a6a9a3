package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// scenarioBody is the body of POST and PATCH /api/v1/scenarios[/{id}]. Raw members tell
// an absent field (PATCH keeps it) from a given one.
type scenarioBody struct {
	Name          json.RawMessage `json:"name"`
	FiscalYear    json.RawMessage `json:"fiscal_year"`
	Params        json.RawMessage `json:"params"`
	Participation json.RawMessage `json:"participation"`
	Regions       json.RawMessage `json:"regions"`
	Filter        json.RawMessage `json:"filter"`
	Programme     json.RawMessage `json:"programme"`
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// apply sets the given fields of b on sc and lists the problems of the values.
func (b scenarioBody) apply(sc *data.Scenario) []solver.InputError {
	var errs []solver.InputError
	field := func(name string, raw json.RawMessage, dst any, want string) {
		if raw == nil {
			return
		}
		if isNull(raw) {
			errs = append(errs, solver.InputError{Path: name, Msg: "must be " + want + ", found null"})
			return
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			errs = append(errs, solver.InputError{Path: name, Msg: "must be " + want})
		}
	}
	field("name", b.Name, &sc.Name, "a string")
	field("fiscal_year", b.FiscalYear, &sc.FiscalYear, "an integer (the fiscal year, e.g. 2027)")
	if b.Participation != nil {
		sc.Participation = nil
		field("participation", b.Participation, &sc.Participation, `an object of municipality code → true/false ({"29201": false})`)
	}
	if b.Regions != nil {
		sc.Regions = nil
		field("regions", b.Regions, &sc.Regions, `an object of municipality code → region ({"29201": "北部"})`)
	}
	if b.Filter != nil {
		sc.Filter = nil
		if !isNull(b.Filter) {
			var f data.ScenarioFilter
			dec := json.NewDecoder(bytes.NewReader(b.Filter))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&f); err != nil {
				errs = append(errs, solver.InputError{Path: "filter", Msg: `must be {"kinds": [..], "municipalities": [..]} (` + err.Error() + ")"})
			} else {
				sc.Filter = &f
			}
		}
	}
	if b.Programme != nil {
		sc.Programme = nil // null makes the scenario a one-year one again
		if !isNull(b.Programme) {
			pr, err := data.ParseProgramme(b.Programme)
			if ie, ok := err.(*solver.InputError); ok {
				errs = append(errs, *ie)
			} else {
				sc.Programme = pr
			}
		}
	}
	if b.Params != nil {
		p, err := data.ParamsWithDefaults(b.Params)
		if ie, ok := err.(*solver.InputError); ok {
			errs = append(errs, *ie)
		} else if err != nil {
			errs = append(errs, solver.InputError{Path: "params", Msg: err.Error()})
		} else {
			sc.Params = p
		}
	}
	return errs
}

// scenarioParam reads the scenario named by the path parameter id.
func (s *Server) scenarioParam(c echo.Context) (data.Scenario, error) {
	v := c.Param("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return data.Scenario{}, invalidParameter("id", "must be a scenario id (a positive integer), found %q", v)
	}
	sc, err := s.store.Scenario(c.Request().Context(), id)
	if err != nil {
		return sc, err
	}
	return sc, nil
}

// validate answers 422 with every problem of a scenario.
func (s *Server) validateScenario(c echo.Context, sc data.Scenario, errs []solver.InputError) error {
	more, err := s.store.ValidateScenario(c.Request().Context(), sc)
	if err != nil {
		return err
	}
	errs = append(errs, more...)
	if len(errs) > 0 {
		msgs := make([]string, 0, 3)
		for i, e := range errs {
			if i == 3 {
				msgs = append(msgs, fmt.Sprintf("… %d more", len(errs)-3))
				break
			}
			msgs = append(msgs, e.Path+": "+e.Msg)
		}
		return invalid("invalid scenario: "+strings.Join(msgs, "; "), errs...)
	}
	return nil
}

// createScenario: POST /api/v1/scenarios → 201 and the scenario (Location: its URL).
// name and fiscal_year are required (a programme's first_fy stands for an absent
// fiscal_year); params parts that are omitted take the defaults.
func (s *Server) createScenario(c echo.Context) error {
	var b scenarioBody
	if err := decodeBody(c, &b, false); err != nil {
		return err
	}
	sc := data.Scenario{Params: data.DefaultParams()}
	errs := b.apply(&sc)
	if b.Name == nil {
		errs = append(errs, solver.InputError{Path: "name", Msg: "is required"})
	}
	switch {
	case b.FiscalYear != nil:
	case sc.Programme != nil && sc.Programme.FirstFY != nil:
		sc.FiscalYear = *sc.Programme.FirstFY // a programme's year is its first
	default:
		errs = append(errs, solver.InputError{Path: "fiscal_year", Msg: "is required (the fiscal year whose due assets are planned, e.g. 2027)"})
	}
	if err := s.validateScenario(c, sc, errs); err != nil {
		return err
	}
	created, err := s.store.CreateScenario(c.Request().Context(), sc)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/scenarios/"+strconv.FormatInt(created.ID, 10))
	return c.JSON(http.StatusCreated, created)
}

// patchScenario: PATCH /api/v1/scenarios/{id} replaces the top-level fields given (a
// given params takes the defaults for its omitted parts, like POST).
func (s *Server) patchScenario(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	var b scenarioBody
	if err := decodeBody(c, &b, false); err != nil {
		return err
	}
	errs := b.apply(&sc)
	if err := s.validateScenario(c, sc, errs); err != nil {
		return err
	}
	updated, err := s.store.UpdateScenario(c.Request().Context(), sc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, updated)
}

// getScenario: GET /api/v1/scenarios/{id}.
func (s *Server) getScenario(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sc)
}

// deleteScenario: DELETE /api/v1/scenarios/{id} → 204; 409 while one of its runs is
// queued or running. Its finished runs and plans stay.
func (s *Server) deleteScenario(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteScenario(c.Request().Context(), sc.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// listScenarios: GET /api/v1/scenarios?limit=&offset=.
func (s *Server) listScenarios(c echo.Context) error {
	q := c.QueryParams()
	limit, offset, err := paging(q, formatJSON)
	if err != nil {
		return err
	}
	scs, total, err := s.store.Scenarios(c.Request().Context(), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(c, scs, total, limit, offset))
}

// scenarioInstance: GET /api/v1/scenarios/{id}/instance — the docs/model.md instance a run of
// the scenario would solve now (the inventory as it is, the scenario's choices applied).
func (s *Server) scenarioInstance(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	inst, err := s.store.ScenarioInstance(c.Request().Context(), sc)
	if err != nil {
		return invalid(fmt.Sprintf("the instance of scenario %d cannot be built: %v", sc.ID, err))
	}
	attachment(c, fmt.Sprintf("scenario-%d-instance.json", sc.ID)) // for tabane solve on a desk
	return c.JSON(http.StatusOK, inst)
}
