package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
)

// ProblemImportTooLarge is the type of the refusal of an import (or a created asset)
// past --max-import-records (413) or --max-inventory (422).
const ProblemImportTooLarge = "urn:tabane:problem:import-too-large"

// importLimitProblem names the limit (limit), its value (max_import_records or
// max_inventory) and what the request met (value).
type importLimitProblem struct {
	Problem
	Limit            string `json:"limit"`
	MaxImportRecords int    `json:"max_import_records,omitempty"`
	MaxInventory     int    `json:"max_inventory,omitempty"`
	Value            int    `json:"value"`
}

// refuseImportLimit answers err when it is a *data.ImportLimitError; ok is false otherwise.
func refuseImportLimit(c echo.Context, err error) (bool, error) {
	var le *data.ImportLimitError
	if !errors.As(err, &le) {
		return false, nil
	}
	p := importLimitProblem{Limit: le.Limit, Value: le.Value,
		Problem: Problem{Type: ProblemImportTooLarge, Detail: le.Error(), Instance: c.Request().URL.Path}}
	if le.Limit == data.LimitInventory {
		p.Status, p.Title, p.MaxInventory = http.StatusUnprocessableEntity, "Inventory full", le.Max
	} else {
		p.Status, p.Title, p.MaxImportRecords = http.StatusRequestEntityTooLarge, "Too many records", le.Max
	}
	c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
	return true, c.JSON(p.Status, p)
}

// maxInventory is the inventory limit of created assets (the imports' default applies).
func (s *Server) maxInventory() int {
	if s.inventory.MaxInventory == 0 {
		return data.DefaultMaxInventory
	}
	return s.inventory.MaxInventory
}
