package data

import (
	"context"
	"testing"

	"github.com/tabane/tabane/solver"
)

// TestProgrammeInstance: Store.Instance with a programme is a version-2 instance holding
// every asset with its last inspection; with a three-year horizon the solver plans the
// demo assets last inspected in FY2021–23 (due FY2026–28) and reports those of FY2024–25,
// and an asset never inspected is due in the first year.
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
	// An asset never inspected is due in first_fy: one due after the horizon joins it.
	var later Asset
	for _, a := range ds.Assets {
		if *a.LastInspectionFY == 2024 {
			later = a
			break
		}
	}
	later.LastInspectionFY = nil
	if err := s.UpdateAsset(context.Background(), later); err != nil {
		t.Fatal(err)
	}
	inst2, err := s.Instance(context.Background(), InstanceOptions{Programme: spec})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := solver.CompileProgramme(inst2)
	if err != nil {
		t.Fatal(err)
	}
	a := p2.AssetIndex[later.ID]
	if _, has := inst2.Assets[a].Extra["last_inspection_fy"]; has || p2.Due[a] != 2026 || !p2.InProgramme[a] || len(p2.Planned) != planned+1 {
		t.Errorf("never inspected %s: extra %s, due %d, in programme %v; %d planned, want %d", later.ID,
			inst2.Assets[a].Extra["last_inspection_fy"], p2.Due[a], p2.InProgramme[a], len(p2.Planned), planned+1)
	}
	// The instance holds a copy of the options' programme: changing it leaves the caller's.
	inst.Programme.Years = nil
	if spec.Years == nil {
		t.Error("the instance shares the caller's programme")
	}
}
