package solver

import (
	"io"
)

// Plan is a bundling plan in MODEL.md's format. Only Bundles[].Depot and
// Bundles[].Assets define it; the other fields are reports a producer may add and a
// consumer ignores.
type Plan struct {
	Instance string   `json:"instance"`
	Bundles  []Bundle `json:"bundles"`
}

// Bundle is one contract: a depot and the assets it holds.
type Bundle struct {
	ID     string   `json:"id"`
	Depot  string   `json:"depot"`
	Assets []string `json:"assets"`
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
