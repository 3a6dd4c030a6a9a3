package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
)

// Page sizes of GET /api/v1/assets.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

func (s *Server) registerAssets(g *echo.Group) {
	g.GET("/assets", s.listAssets)
	g.GET("/assets/:id", s.getAsset)
}

// listAssets: GET /api/v1/assets?municipality=29201&kind=bridge&limit=100&offset=0.
// municipality takes 5 or 6 digits. The answer carries the total count and, when more
// assets follow, a next link (also sent as a Link header, rel="next").
func (s *Server) listAssets(c echo.Context) error {
	q := c.QueryParams()
	f := data.AssetFilter{Kind: q.Get("kind"), Limit: DefaultPageSize}
	if v := q.Get("municipality"); v != "" {
		code, err := data.NormalizeMunicipalityCode(v)
		if err != nil {
			return invalidParameter("municipality", "%v", err)
		}
		f.Municipality = code
	}
	var err error
	if f.Limit, err = intParam(q, "limit", DefaultPageSize, 1, MaxPageSize); err != nil {
		return err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, -1); err != nil {
		return err
	}
	assets, total, err := s.store.Assets(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := page[data.Asset]{Items: assets, Total: total, Limit: f.Limit, Offset: f.Offset}
	if f.Offset+len(assets) < total {
		next := url.Values{}
		if f.Municipality != "" {
			next.Set("municipality", f.Municipality)
		}
		if f.Kind != "" {
			next.Set("kind", f.Kind)
		}
		next.Set("limit", strconv.Itoa(f.Limit))
		next.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		out.Next = c.Request().URL.Path + "?" + next.Encode()
		c.Response().Header().Set("Link", "<"+out.Next+`>; rel="next"`)
	}
	return c.JSON(http.StatusOK, out)
}

// getAsset: GET /api/v1/assets/{id}.
func (s *Server) getAsset(c echo.Context) error {
	a, err := s.store.Asset(c.Request().Context(), c.Param("id"))
	if err != nil {
		return fromStoreError(err)
	}
	return c.JSON(http.StatusOK, a)
}

// intParam parses an optional integer query parameter within [lo, hi] (hi < 0: no upper bound).
func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidParameter(name, "must be an integer, found %q", v)
	}
	if n < lo || (hi >= 0 && n > hi) {
		if hi < 0 {
			return 0, invalidParameter(name, "must be at least %d, found %d", lo, n)
		}
		return 0, invalidParameter(name, "must be between %d and %d, found %d", lo, hi, n)
	}
	return n, nil
}
