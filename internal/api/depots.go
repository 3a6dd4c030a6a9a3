package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
)

func (s *Server) registerDepots(g *echo.Group) {
	g.GET("/depots", s.listDepots)
}

// listDepots: GET /api/v1/depots — municipal offices first, then district offices.
func (s *Server) listDepots(c echo.Context) error {
	ds, err := s.store.Depots(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, list[data.Depot]{Items: ds, Total: len(ds)})
}
