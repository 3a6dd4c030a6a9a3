package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/solver"
)

// registerPins adds the routes of a scenario's pins (docs/model.md, Pins).
func (s *Server) registerPins(g *echo.Group) {
	g.GET("/scenarios/:id/pins", s.getScenarioPins)
	g.PUT("/scenarios/:id/pins", s.putScenarioPins, bodyLimit(scenarioBodyLimit))
	g.POST("/scenarios/:id/duplicate", s.duplicateScenario, bodyLimit(runBodyLimit))
}

// pinsBody is the JSON of a scenario's pins: every member always present.
type pinsBody struct {
	Assets map[string]solver.AssetPin `json:"assets"`
	Lots   []solver.LotPin            `json:"lots"`
	Forbid []solver.ForbidPin         `json:"forbid"`
}

func pinsOut(p solver.Pins) pinsBody {
	out := pinsBody{Assets: p.Assets, Lots: p.Lots, Forbid: p.Forbid}
	if out.Assets == nil {
		out.Assets = map[string]solver.AssetPin{}
	}
	if out.Lots == nil {
		out.Lots = []solver.LotPin{}
	}
	if out.Forbid == nil {
		out.Forbid = []solver.ForbidPin{}
	}
	for i := range out.Lots {
		if out.Lots[i].Assets == nil {
			out.Lots[i].Assets = []string{}
		}
	}
	return out
}

// getScenarioPins: GET /api/v1/scenarios/{id}/pins → the stored pins.
func (s *Server) getScenarioPins(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	pins, err := s.store.ScenarioPins(c.Request().Context(), sc.ID)
	if err != nil {
		return planningError(err)
	}
	return c.JSON(http.StatusOK, pinsOut(pins))
}

// putScenarioPins: PUT /api/v1/scenarios/{id}/pins replaces the pins after checking them
// against the scenario's instance as it is now: unknown asset or depot ids and
// contradictory pins answer 422 with every problem named by its pin path.
func (s *Server) putScenarioPins(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	var b pinsBody
	if err := decodeBody(c, &b, false); err != nil {
		return err
	}
	pins := solver.Pins{Assets: b.Assets, Lots: b.Lots, Forbid: b.Forbid}
	ctx := c.Request().Context()
	errs, err := s.store.ValidatePins(ctx, sc, pins)
	if err != nil {
		return invalid(fmt.Sprintf("the pins of scenario %d cannot be checked: %v", sc.ID, err))
	}
	if err := fieldErrors(errs).problem("pins"); err != nil {
		return err
	}
	if err := s.store.SetScenarioPins(ctx, sc.ID, pins); err != nil {
		return planningError(err)
	}
	return c.JSON(http.StatusOK, pinsOut(pins))
}

// duplicateScenario: POST /api/v1/scenarios/{id}/duplicate {"name": "…"} → 201 and the copy
// (Location: its URL): every stored field of the scenario, its pins included, under the
// new name (absent: the same name with " (copy)"). The page's 複製して新規 then PATCHes the
// form's values onto the copy.
func (s *Server) duplicateScenario(c echo.Context) error {
	sc, err := s.scenarioParam(c)
	if err != nil {
		return err
	}
	var b struct {
		Name *string `json:"name"`
	}
	if err := decodeBody(c, &b, true); err != nil { // no body: the default name
		return err
	}
	name := sc.Name + " (copy)"
	if b.Name != nil {
		name = strings.TrimSpace(*b.Name)
		if name == "" {
			return invalid("invalid scenario: name: must not be empty", solver.InputError{Path: "name", Msg: "must not be empty"})
		}
	}
	copied, err := s.store.DuplicateScenario(c.Request().Context(), sc.ID, name)
	if err != nil {
		return planningError(err)
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/scenarios/"+strconv.FormatInt(copied.ID, 10))
	return c.JSON(http.StatusCreated, copied)
}
