package data

import (
	"context"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestProgrammeInstance: Store.Instance with a programme is a version-2 instance holding
// every asset with its last inspection; with a three-year horizon the solver plans the
// demo assets last inspected in FY2021–23 (due FY2026–28) and reports those of FY2024–25.
func TestProgrammeInstance(t *testing.T) {
	s := demoStore(t)
	first, years := 2026, 3
	spec := &solver.ProgrammeSpec{FirstFY: &first, Years: &years}
	inst, err := s.Instance(context.Background(), InstanceOptions{Programme: spec})
	if err != nil {
		t.Fatal(err)
	}
	ds := generate(t)
	if inst.Version != 2 || inst.Name != "tabane-programme" || len(inst.Assets) != len(ds.Assets) {
		t.Fatalf("instance %s version %d with %d assets, want version 2 with all %d", inst.Name, inst.Version, len(inst.Assets), len(ds.Assets))
	}
	p, err := solver.CompileProgramme(inst)
	if err != nil {
		t.Fatal(err)
	}
	planned := 0
	for _, a := range ds.Assets {
		if *a.LastInspectionFY <= 2023 {
			planned++
		}
	}
	if len(p.Planned) != planned || len(p.AfterHorizon) != len(ds.Assets)-planned || planned == 0 || planned == len(ds.Assets) {
		t.Errorf("%d planned, %d after the horizon; want %d last inspected by FY2023 and the %d others",
			len(p.Planned), len(p.AfterHorizon), planned, len(ds.Assets)-planned)
	}
	// The instance holds a copy of the options' programme: changing it leaves the caller's.
	inst.Programme.Years = nil
	if spec.Years == nil {
		t.Error("the instance shares the caller's programme")
	}
}
