package solver

import (
	"math"
	"math/rand/v2"
)

// roulette is a wheel of weighted choices: spin picks choice k with probability
// weights[k] / Σ weights. The search spins one wheel for its operators (adaptive
// weights, see adaptiveRoulette) and one for the feature a feature operator targets
// (weights refilled before each spin), so both draw the same way.
type roulette struct {
	weights []float64
}

// spin draws one number from rng and returns the chosen index, or -1 when rounding
// lets the draw run past the last weight. When every weight is 0 it returns -1 without
// drawing, so that a wheel with nothing on it leaves the random sequence untouched.
func (r *roulette) spin(rng *rand.Rand) int {
	total := 0.0
	for _, x := range r.weights {
		total += x
	}
	if total == 0 {
		return -1
	}
	u := rng.Float64() * total
	for k, x := range r.weights {
		// a zero weight is never chosen: u stays ≥ 0 along the walk
		if u < x {
			return k
		}
		u -= x
	}
	return -1
}

// adaptiveRoulette is a roulette whose weights learn from the scores their choices
// earn: every adaptWeights call moves each used choice's weight a fifth of the way
// towards its mean score since the last call (at least minMeanScore, so that no
// choice dies out), then forgets the scores.
type adaptiveRoulette struct {
	roulette
	score []float64
	uses  []int
}

// minMeanScore is the floor of a choice's mean score when its weight is adapted.
const minMeanScore = 0.05

func newAdaptiveRoulette(n int) adaptiveRoulette {
	a := adaptiveRoulette{roulette: roulette{weights: make([]float64, n)}, score: make([]float64, n), uses: make([]int, n)}
	for k := range a.weights {
		a.weights[k] = 1
	}
	return a
}

// reward records one use of choice k and the score it earned.
func (a *adaptiveRoulette) reward(k int, score float64) {
	a.score[k] += score
	a.uses[k]++
}

// adaptWeights folds the scores since the last call into the weights.
func (a *adaptiveRoulette) adaptWeights() {
	for k := range a.weights {
		if a.uses[k] > 0 {
			a.weights[k] = 0.8*a.weights[k] + 0.2*math.Max(a.score[k]/float64(a.uses[k]), minMeanScore)
		}
		a.score[k], a.uses[k] = 0, 0
	}
}
