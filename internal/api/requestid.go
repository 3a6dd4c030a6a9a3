package api

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/labstack/echo/v4"
)

// requestID gives every request an id, answered in the X-Request-Id header and written in
// the access log. A caller's own X-Request-Id (1–64 characters of A–Z a–z 0–9 . _ - :) is
// kept, so that a script can match its requests to the server's log; anything else is
// replaced by 16 random hex digits.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !validRequestID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-', r == ':':
		default:
			return false
		}
	}
	return true
}
