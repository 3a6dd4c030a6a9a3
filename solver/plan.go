package solver

import (
	"io"
)

// Plan is a bundling plan in docs/model.md's format. Only Bundles[].Depot and
// Bundles[].Assets define it; the other fields are reports a producer may add and a
// consumer ignores.
type Plan struct {
	Instance string   `json:"instance"`
	Bundles  []Bundle `json:"bundles"`
	// Schedule gives a programme plan's inspection year per asset id (docs/programme.md);
	// with contract_years 1 it may be omitted. Version 1 has none.
	Schedule map[string]int `json:"schedule,omitempty"`
}

// Bundle is one contract: a depot and the assets it holds.
type Bundle struct {
	ID     string   `json:"id"`
	Depot  string   `json:"depot"`
	Assets []string `json:"assets"`
	// FY is the first year of a programme lot's block (docs/programme.md); nil in version 1.
	FY *int `json:"fy,omitempty"`
}

// ReadPlan decodes a plan from JSON; unknown fields are ignored. Syntax and type errors
// name the line and column.
func ReadPlan(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := decodeJSON(data, &p, nil); err != nil {
		return nil, err
	}
	return &p, nil
}
