package data

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/solver"
)

func demoStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.LoadDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDemoInstanceCompiles(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	inst, err := s.Instance(ctx, InstanceOptions{FiscalYear: 2026})
	if err != nil {
		t.Fatal(err)
	}
	m, err := solver.Compile(inst)
	if err != nil {
		t.Fatalf("demo instance does not compile: %v", err)
	}
	ds := generate(t)
	due := 0
	for _, a := range ds.Assets {
		if *a.LastInspectionFY <= 2021 {
			due++
		}
	}
	if len(inst.Assets) != due || len(m.Participating) != due {
		t.Errorf("FY2026 instance has %d assets (%d participating), want the %d last inspected in FY2021", len(inst.Assets), len(m.Participating), due)
	}
	if len(inst.Municipalities) != 39 || len(inst.Depots) != 39+len(demoDistricts) {
		t.Errorf("%d municipalities, %d depots", len(inst.Municipalities), len(inst.Depots))
	}
	if _, ok := m.DepotIndex["office-29201"]; !ok {
		t.Errorf("no depot office-29201")
	}
	if _, ok := m.DepotIndex["district-totsukawa"]; !ok {
		t.Errorf("no depot district-totsukawa")
	}
	if inst.Name != "tabane-fy2026" || inst.Params.ContractFixedCost != 2_000_000 {
		t.Errorf("name %q, F %v: want the default name and params", inst.Name, inst.Params.ContractFixedCost)
	}
	// Every asset carries the estimator's figures and its attributes as extra fields.
	cm := DefaultCostModel()
	for _, sa := range inst.Assets[:50] {
		a, err := s.Asset(ctx, sa.ID)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := cm.Estimate(a)
		if sa.Cost != e.Cost || sa.Workload != e.Workload || strings.Join(sa.Equipment, ",") != strings.Join(e.Equipment, ",") {
			t.Errorf("asset %s: instance %v/%v/%v, estimate %+v", sa.ID, sa.Cost, sa.Workload, sa.Equipment, e)
		}
		var name string
		if err := json.Unmarshal(sa.Extra["name"], &name); err != nil || name != a.Name {
			t.Errorf("asset %s: extra name %s", sa.ID, sa.Extra["name"])
		}
	}
}

func TestDemoInstanceIsDeterministic(t *testing.T) {
	ctx := context.Background()
	var out [2][]byte
	for i := range out {
		inst, err := demoStore(t).Instance(ctx, InstanceOptions{FiscalYear: 2027})
		if err != nil {
			t.Fatal(err)
		}
		if out[i], err = json.Marshal(inst); err != nil {
			t.Fatal(err)
		}
	}
	if string(out[0]) != string(out[1]) {
		t.Error("two demo databases give different instances")
	}
	// The JSON parses back into an instance that compiles.
	inst, err := solver.ParseInstance(out[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := solver.Compile(inst); err != nil {
		t.Fatal(err)
	}
}

func TestInstanceOptions(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	if _, err := s.Instance(ctx, InstanceOptions{}); err == nil || !strings.Contains(err.Error(), "fiscal year") {
		t.Errorf("no fiscal year: err = %v", err)
	}
	all, err := s.Instance(ctx, InstanceOptions{AllAssets: true})
	if err != nil || len(all.Assets) != 6600 || all.Name != "tabane-all" {
		t.Errorf("all assets: %v assets, name %q, err %v", len(all.Assets), all.Name, err)
	}
	two, err := s.Instance(ctx, InstanceOptions{FiscalYear: 2026, Municipalities: []string{"294497", "29402"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(two.Municipalities) != 2 || len(two.Depots) != 2+len(demoDistricts) {
		t.Errorf("two municipalities: %d municipalities, %d depots", len(two.Municipalities), len(two.Depots))
	}
	for _, a := range two.Assets {
		if a.Municipality != "29449" && a.Municipality != "29402" {
			t.Fatalf("asset %s of %s in a 2-municipality instance", a.ID, a.Municipality)
		}
	}
	if _, err := s.Instance(ctx, InstanceOptions{FiscalYear: 2026, Municipalities: []string{"29402", "13104"}}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "municipalities[1]") {
		t.Errorf("unknown municipality: err = %v", err)
	}
	if _, err := s.Instance(ctx, InstanceOptions{FiscalYear: 2026, Municipalities: []string{"294020"}}); err == nil || !strings.Contains(err.Error(), "check digit") {
		t.Errorf("bad check digit: err = %v", err)
	}
	p := DefaultParams()
	p.ContractFixedCost = 1_500_000
	custom, err := s.Instance(ctx, InstanceOptions{FiscalYear: 2026, Params: p, Name: "x"})
	if err != nil || custom.Params.ContractFixedCost != 1_500_000 || custom.Name != "x" {
		t.Errorf("custom params not used: %v", err)
	}
}

func BenchmarkDemoInstance(b *testing.B) {
	s := demoStore(b)
	for b.Loop() {
		if _, err := s.Instance(context.Background(), InstanceOptions{FiscalYear: 2026}); err != nil {
			b.Fatal(err)
		}
	}
}
