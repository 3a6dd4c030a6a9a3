package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

func (s *Server) registerCostModel(g *echo.Group) {
	g.GET("/cost-model", s.getCostModel)
	g.PUT("/cost-model", s.putCostModel, bodyLimit("1M"))
}

// costModelView is the cost model with where it comes from.
type costModelView struct {
	*data.CostModel
	IsDefault bool   `json:"is_default"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

// getCostModel: GET /api/v1/cost-model — the unit-cost table in force.
func (s *Server) getCostModel(c echo.Context) error {
	st, err := s.store.CostModel(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, costModelView{CostModel: st.Model, IsDefault: st.IsDefault, UpdatedAt: st.UpdatedAt})
}

// putCostModel: PUT /api/v1/cost-model — replaces the cost model. Omitted top-level
// fields and omitted kinds take the defaults; a kind that is given is taken as written;
// an empty object restores the defaults. is_default and updated_at may be sent back as
// read and are ignored.
func (s *Server) putCostModel(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var members map[string]any
	if err := decodeJSONObject(body, &members, false); err != nil {
		return err
	}
	delete(members, "is_default")
	delete(members, "updated_at")
	var cm *data.CostModel // nil restores the defaults
	if len(members) > 0 {
		cleaned, _ := json.Marshal(members)
		if cm, err = data.ParseCostModel(cleaned); err != nil {
			return costModelError(err, true)
		}
	}
	st, err := s.store.PutCostModel(c.Request().Context(), cm)
	if err != nil {
		return costModelError(err, false)
	}
	return c.JSON(http.StatusOK, costModelView{CostModel: st.Model, IsDefault: st.IsDefault, UpdatedAt: st.UpdatedAt})
}

// costModelError: validation problems are a 422 with their paths; other parse errors a
// 400; anything else (the database) a 500.
func costModelError(err error, parsing bool) error {
	var ve *solver.ValidationError
	if errors.As(err, &ve) {
		return fieldErrors(ve.Problems).problem("cost model")
	}
	if parsing {
		return malformed(err.Error())
	}
	return err
}
