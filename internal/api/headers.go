package api

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/web"
)

// apiPolicy is the Content-Security-Policy of every answer that is not the page: JSON,
// CSV, GeoJSON and problems are data, never documents that may run or load anything.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// securityHeaders sets on every response, errors included:
//   - Content-Security-Policy: the page's (web.Policy: default-src 'self', scripts and
//     styles from 'self' only, images from 'self', data: and the tile host when a tile
//     layer is set, connect-src 'self', frame-ancestors 'none', base-uri 'none',
//     form-action 'self') on the page, its files and the API docs page; apiPolicy on the
//     rest;
//   - X-Content-Type-Options: nosniff, X-Frame-Options: DENY,
//     Referrer-Policy: same-origin, Cross-Origin-Opener-Policy: same-origin;
//   - Cache-Control: no-store on /api/v1 answers unless the handler sets its own.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		p := c.Request().URL.Path
		if strings.HasPrefix(p, "/api/") && p != "/api/v1/docs" {
			h.Set("Content-Security-Policy", apiPolicy)
			h.Set("Cache-Control", "no-store")
		} else {
			h.Set("Content-Security-Policy", s.pagePolicy())
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// pagePolicy is the page's Content-Security-Policy with the tile host of the settings.
func (s *Server) pagePolicy() string { return web.Policy(s.settings.TileURL) }

// pageHandler serves the page with the same policy (web sets its own headers).
func (s *Server) pageHandler() echo.HandlerFunc {
	return echo.WrapHandler(web.NewHandler(web.Options{TileURL: func() string { return s.settings.TileURL }}))
}
