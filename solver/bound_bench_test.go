package solver

import (
	"context"
	"path/filepath"
	"testing"
)

// benchLowerBound runs LowerBound with the default settings on a public instance and
// reports the bound and its distance to the best known plan (README of the instances).
func benchLowerBound(b *testing.B, file string, bestKnown float64) {
	m := boundLoadModel(b, filepath.Join(boundSharedDir, file))
	b.ResetTimer()
	var r BoundResult
	for i := 0; i < b.N; i++ {
		r = LowerBound(context.Background(), m, BoundOptions{})
	}
	b.ReportMetric(r.LowerBound, "bound")
	b.ReportMetric(float64(r.Iterations), "iterations")
	if bestKnown > 0 {
		b.ReportMetric(100*(bestKnown-r.LowerBound)/bestKnown, "gap%")
	}
}

// BenchmarkLowerBound: p-nara (1,019 assets, 44 depots); best known 388,659,363.37.
func BenchmarkLowerBound(b *testing.B) { benchLowerBound(b, "p-nara.json", 388659363.37) }

// BenchmarkLowerBoundSmall: p-small, optimum 75,327,721.56.
func BenchmarkLowerBoundSmall(b *testing.B) { benchLowerBound(b, "p-small.json", 75327721.56) }

// BenchmarkLowerBoundLarge: p-large (10,053 assets, 125 depots, copied into testdata);
// no plan is known, the gap is left out.
func BenchmarkLowerBoundLarge(b *testing.B) { benchLowerBound(b, "p-large.json", 0) }
