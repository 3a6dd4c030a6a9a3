package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// OwnedPoint is a located object (an asset) with the code of the region that claims it.
type OwnedPoint struct {
	ID   string
	Code string
	At   orb.Point
}

// FindingKind classifies an ownership finding.
type FindingKind string

const (
	// OutsideOwner: the point lies farther than the tolerance outside its owner's
	// outline and inside no other region.
	OutsideOwner FindingKind = "outside_owner"
	// CodeMismatch: the point lies farther than the tolerance outside its owner's
	// outline, inside another region (FallsIn).
	CodeMismatch FindingKind = "code_mismatch"
	// UnknownOwner: no region with a polygon has the claimed code.
	UnknownOwner FindingKind = "unknown_owner"
	// InvalidPoint: the position is not WGS84 degrees.
	InvalidPoint FindingKind = "invalid_point"
)

// OwnershipFinding reports one point that does not sit where its owner code says.
type OwnershipFinding struct {
	ID      string
	Claimed string
	At      orb.Point
	Kind    FindingKind
	// FallsIn is the code of the region the point lies in ("" when none).
	FallsIn string
	// DistanceM is how far outside the claimed outline the point lies (metres);
	// 0 for unknown owners and invalid points.
	DistanceM float64
}

// CheckOwnership checks each point against the outline of the region its Code names
// and returns the findings in input order; points inside their owner's outline, or
// outside it by at most toleranceM metres (simplified outlines cut corners), are not
// reported. Regions without polygonal geometry are ignored. Findings never reject
// data: they are for an import report.
func CheckOwnership(regions []Region, points []OwnedPoint, toleranceM float64) []OwnershipFinding {
	byCode := map[string]int{}
	bounds := make([]orb.Bound, len(regions))
	for i, r := range regions {
		if len(polygons(r.Geometry)) == 0 {
			continue
		}
		if _, dup := byCode[r.Code]; !dup {
			byCode[r.Code] = i
		}
		bounds[i] = r.Geometry.Bound()
	}
	// Point-in-polygon through an edge index per region (built when first needed), so
	// that many points against detailed outlines stay fast.
	index := make([]*segIndex, len(regions))
	inside := func(i int, p orb.Point) bool {
		if !bounds[i].Contains(p) {
			return false
		}
		if index[i] == nil {
			index[i] = newSegIndex(polygons(regions[i].Geometry), 0)
		}
		return index[i].contains(p)
	}
	fallsIn := func(p orb.Point) string {
		for i, r := range regions {
			if len(polygons(r.Geometry)) > 0 && inside(i, p) {
				return r.Code
			}
		}
		return ""
	}
	var out []OwnershipFinding
	for _, pt := range points {
		f := OwnershipFinding{ID: pt.ID, Claimed: pt.Code, At: pt.At}
		if !ValidLonLat(pt.At[0], pt.At[1]) {
			f.Kind = InvalidPoint
			out = append(out, f)
			continue
		}
		i, ok := byCode[pt.Code]
		if !ok {
			f.Kind = UnknownOwner
			f.FallsIn = fallsIn(pt.At)
			out = append(out, f)
			continue
		}
		if inside(i, pt.At) {
			continue
		}
		d := distanceToOutlineM(regions[i].Geometry, pt.At)
		if d <= toleranceM {
			continue
		}
		f.DistanceM = d
		f.FallsIn = fallsIn(pt.At)
		f.Kind = OutsideOwner
		if f.FallsIn != "" {
			f.Kind = CodeMismatch
		}
		out = append(out, f)
	}
	return out
}

// distanceToOutlineM is the distance in metres from p to the boundary of g, in a
// projection centred on p.
func distanceToOutlineM(g orb.Geometry, p orb.Point) float64 {
	pr := NewProjection(p[0], p[1])
	best := math.Inf(1)
	for _, poly := range polygons(g) {
		for _, r := range poly {
			for k := 0; k+1 < len(r); k++ {
				best = math.Min(best, pointSegDist(orb.Point{}, pr.Forward(r[k]), pr.Forward(r[k+1])))
			}
		}
	}
	return best
}
