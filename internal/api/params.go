package api

import (
	"math"
	"regexp"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// kindPattern is the form of an asset kind (snake_case, as the cost model's names): a
// filter that cannot name a kind is a client's mistake, a 400, not an empty 200.
var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// assetKindParam reads the optional ?kind= of an asset list.
func assetKindParam(v string) (string, error) {
	if v != "" && !kindPattern.MatchString(v) {
		return "", invalidParameter("kind", "must be an asset kind in snake_case (%v, …), found %q", data.KnownKinds()[:3], v)
	}
	return v, nil
}

// depotKindParam reads the optional ?kind= of a depot list.
func depotKindParam(v string) (string, error) {
	if v != "" && !depotKinds[v] {
		return "", invalidParameter("kind", "must be office, district or other, found %q", v)
	}
	return v, nil
}

// finiteOrNil hides a stored figure that JSON cannot carry (NaN, ±Inf: rows written
// before the rules of data/validate.go), so that a read still answers; the derived
// figures then say what is wrong with the row.
func finiteOrNil(x *float64) *float64 {
	if x == nil || math.IsNaN(*x) || math.IsInf(*x, 0) {
		return nil
	}
	return x
}

// also adds the problems of the store's rules (data.ValidateAsset) on the fields that
// reading the body found nothing wrong with: one message per field.
func (e *fieldErrors) also(probs []solver.InputError) {
	seen := map[string]bool{}
	for _, p := range *e {
		seen[p.Path] = true
	}
	for _, p := range probs {
		if !seen[p.Path] {
			*e = append(*e, p)
		}
	}
}
