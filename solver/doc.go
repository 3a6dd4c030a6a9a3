// Package solver implements the bundling model of docs/model.md (version 1) and its optimizer.
//
// An Instance (JSON) is validated and compiled into a Model with dense indices. The cost
// of a bundle B run from depot j is
//
//	cost(B) = F + Σ_{e∈E(B)} M_e + S·(|D(B)|−1) + Σ_{a∈B} (c_a + τ·d(j,a))
//
// with F the fixed contract cost, M_e the mobilisation price of equipment e, S the
// mixed-discipline surcharge, c_a the asset's direct cost, τ the travel price per km and
// d(j,a) = circuity × great-circle km. Model.BundleCost is the one implementation.
//
// The package is pure: no I/O beyond io.Reader decoding, no HTTP, no SQL. Long
// computations take a context.Context for cancellation.
package solver
