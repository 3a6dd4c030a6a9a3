package whatif

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tabane/tabane/solver"
)

// ScenarioSource builds the solver instance of a scenario stored in a tabane
// database; the command line and the API satisfy it with the data store.
type ScenarioSource interface {
	ScenarioInstance(ctx context.Context, db string, scenario int64) (*solver.Instance, error)
}

// ScenarioFunc adapts a function to ScenarioSource, e.g. for a service whose store is
// already open: whatif.ScenarioFunc(func(ctx, _ string, id int64) (*solver.Instance, error) {…}).
type ScenarioFunc func(ctx context.Context, db string, scenario int64) (*solver.Instance, error)

// ScenarioInstance calls f.
func (f ScenarioFunc) ScenarioInstance(ctx context.Context, db string, scenario int64) (*solver.Instance, error) {
	return f(ctx, db, scenario)
}

// ErrNoScenarioSource is returned by LoadBase for a scenario base when no source is given.
var ErrNoScenarioSource = errors.New("this batch's base is a database scenario, but no database is available here")

// LoadBase reads the batch's base instance: the JSON file, or the scenario through src.
// A service that takes batches from clients should accept scenario bases only
// (Base.Scenario > 0): an instance path would read a file of the server.
func (b *Batch) LoadBase(ctx context.Context, src ScenarioSource) (*solver.Instance, error) {
	if b.Base.Scenario > 0 {
		if src == nil {
			return nil, ErrNoScenarioSource
		}
		inst, err := src.ScenarioInstance(ctx, b.Base.DB, b.Base.Scenario)
		if err != nil {
			return nil, fmt.Errorf("base scenario %d: %w", b.Base.Scenario, err)
		}
		return inst, nil
	}
	raw, err := os.ReadFile(b.Base.Instance)
	if err != nil {
		return nil, fmt.Errorf("base instance: %w", err)
	}
	inst, err := solver.ParseInstance(raw)
	if err != nil {
		return nil, fmt.Errorf("base instance %s: %w", b.Base.Instance, err)
	}
	return inst, nil
}
