package solver

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRouletteSpin: a wheel never picks a zero weight, picks the others in proportion
// (weights 0, 3, 0, 1: three quarters and one quarter of 40,000 seeded spins, each
// within 1 %), and an empty wheel answers −1 without drawing, so the random sequence
// after it is the one a fresh source with the same seed gives.
func TestRouletteSpin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	wheel := roulette{weights: []float64{0, 3, 0, 1}}
	var count [4]int
	const spins = 40000
	for range spins {
		k := wheel.spin(rng)
		if k < 0 || k >= 4 {
			t.Fatalf("spin = %d, want an index of the wheel", k)
		}
		count[k]++
	}
	if count[0] != 0 || count[2] != 0 {
		t.Fatalf("zero weights picked: %v", count)
	}
	if f := float64(count[1]) / spins; math.Abs(f-0.75) > 0.01 {
		t.Fatalf("weight 3 of 4 picked %.4f of the time (%v), want 0.75 ± 0.01", f, count)
	}

	empty := roulette{weights: []float64{0, 0}}
	a, b := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
	if k := empty.spin(a); k != -1 {
		t.Fatalf("empty wheel: spin = %d, want -1", k)
	}
	if x, y := a.Uint64(), b.Uint64(); x != y {
		t.Fatalf("an empty wheel drew from the source: next draw %d, a fresh source's %d", x, y)
	}
}

// TestAdaptiveRouletteWeights: adaptWeights moves a used choice's weight a fifth of the
// way to its mean score (floored at minMeanScore), leaves an unused one alone and
// forgets the scores. Start 1, 1, 1; choice 0 earns 9 and 3 (mean 6), choice 1 earns 0
// once: weights 0.8 + 0.2·6 = 2, 0.8 + 0.2·0.05 = 0.81, 1.
func TestAdaptiveRouletteWeights(t *testing.T) {
	a := newAdaptiveRoulette(3)
	a.reward(0, 9)
	a.reward(0, 3)
	a.reward(1, 0)
	a.adaptWeights()
	want := []float64{2, 0.81, 1}
	for k, w := range want {
		if math.Abs(a.weights[k]-w) > 1e-12 {
			t.Fatalf("weights %v, want %v", a.weights, want)
		}
		if a.score[k] != 0 || a.uses[k] != 0 {
			t.Fatalf("choice %d keeps score %v and %d uses after adapting, want 0", k, a.score[k], a.uses[k])
		}
	}
	// no use since: nothing moves
	a.adaptWeights()
	for k, w := range want {
		if math.Abs(a.weights[k]-w) > 1e-12 {
			t.Fatalf("second adapt without uses: weights %v, want %v", a.weights, want)
		}
	}
}
