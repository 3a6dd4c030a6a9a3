package data

// DemoBoundaries returns the demo's embedded N03 boundary file (the 39 municipalities of
// Nara prefecture, GeoJSON; see demo/CREDIT.md), for `tabane groups --demo`. The slice is
// shared: callers must not modify it.
func DemoBoundaries() []byte { return n03Nara }
