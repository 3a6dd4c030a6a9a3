package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
)

func (s *Server) registerMunicipalities(g *echo.Group) {
	g.GET("/municipalities", s.listMunicipalities)
	g.GET("/municipalities/:code", s.getMunicipality)
}

// municipalityView adds the 6-digit code (with check digit) to a municipality.
type municipalityView struct {
	data.Municipality
	Code6 string `json:"code6"`
}

func viewMunicipality(m data.Municipality) municipalityView {
	return municipalityView{Municipality: m, Code6: data.SixDigitCode(m.Code)}
}

// listMunicipalities: GET /api/v1/municipalities[?boundary=true]. Boundaries are left
// out unless asked for; they are most of the bytes.
func (s *Server) listMunicipalities(c echo.Context) error {
	withBoundary := false
	if v := c.QueryParam("boundary"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return invalidParameter("boundary", "must be true or false, found %q", v)
		}
		withBoundary = b
	}
	ms, err := s.store.Municipalities(c.Request().Context(), withBoundary)
	if err != nil {
		return err
	}
	out := list[municipalityView]{Items: make([]municipalityView, len(ms)), Total: len(ms)}
	for i, m := range ms {
		out.Items[i] = viewMunicipality(m)
	}
	return c.JSON(http.StatusOK, out)
}

// getMunicipality: GET /api/v1/municipalities/{code}, code with 5 or 6 digits; the
// answer includes the boundary.
func (s *Server) getMunicipality(c echo.Context) error {
	code, err := data.NormalizeMunicipalityCode(c.Param("code"))
	if err != nil {
		return invalidParameter("code", "%v", err)
	}
	m, err := s.store.Municipality(c.Request().Context(), code)
	if err != nil {
		return fromStoreError(err)
	}
	return c.JSON(http.StatusOK, viewMunicipality(m))
}
