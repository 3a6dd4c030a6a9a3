package data

import (
	"context"
	"database/sql"
	"fmt"
)

// DemoFiscalYear is the fiscal year of the demo's default scenario (DemoScenario).
const DemoFiscalYear = 2027

// DemoScenario is the scenario LoadDemo stores beside the demo inventory, so that the page's
// first visit plans as the prefecture's practice does: DefaultParams with region_locked, every
// lot inside one of the customary five areas (北和・西和・中和・東和・南和) that the demo
// municipalities carry (demoPlaces). The cheapest plan without it mixes the north with the
// middle in lots nobody defends at a council; the page offers the switch and prices lifting it.
func DemoScenario() Scenario {
	p := DefaultParams()
	p.RegionLocked = true
	return Scenario{Name: "デモ既定：5地域内 / Demo default: within the 5 areas", FiscalYear: DemoFiscalYear, Params: p}
}

// putDemoScenario stores DemoScenario in the demo's transaction.
func putDemoScenario(ctx context.Context, tx *sql.Tx) error {
	sc := DemoScenario()
	normalizeScenario(&sc)
	args, err := scenarioArgs(sc)
	if err != nil {
		return fmt.Errorf("demo scenario: %w", err)
	}
	if _, err := tx.ExecContext(ctx, insertScenario, append(args, now())...); err != nil {
		return fmt.Errorf("demo scenario: %w", err)
	}
	return nil
}
