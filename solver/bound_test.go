package solver

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
)

const sharedInstances = "../../shared/instances"

func loadModel(t testing.TB, path string) *Model {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	inst, err := ParseInstance(data)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return m
}

// TestLowerBoundPublicOptima: the bound never exceeds the optimum that CBC/HiGHS proved
// (../shared/instances/README.md), and it is within the stated distance of it.
func TestLowerBoundPublicOptima(t *testing.T) {
	cases := []struct {
		file    string
		optimum float64
		maxGap  float64 // the bound must be at least optimum·(1−maxGap)
	}{
		{"p-tiny.json", 31279239.68, 1e-4},
		{"p-small.json", 75327721.56, 1e-4},
		{"p-small-strict.json", 118329041.78, 1e-4},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m := loadModel(t, filepath.Join(sharedInstances, c.file))
			r := LowerBound(context.Background(), m, BoundOptions{Threads: 2})
			t.Logf("%s: bound %.2f (%s), optimum %.2f, gap %.3f %%", c.file, r.LowerBound, r.Method, c.optimum, 100*(c.optimum-r.LowerBound)/c.optimum)
			if !(r.LowerBound <= c.optimum) {
				t.Fatalf("bound %.2f exceeds the optimum %.2f", r.LowerBound, c.optimum)
			}
			if r.LowerBound < c.optimum*(1-c.maxGap) {
				t.Fatalf("bound %.2f is more than %.1f %% below the optimum %.2f", r.LowerBound, 100*c.maxGap, c.optimum)
			}
			if math.IsInf(r.LowerBound, 0) {
				t.Fatalf("infinite bound on a feasible instance: %s", r.Infeasible)
			}
		})
	}
}
