package data

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
)

// Size limits of an import, so that one file cannot take the server's memory (a 36 MB CSV
// of 1,000,000 rows took 2 GB to check) or grow the inventory without bound. Records are
// counted as the parser meets them: a CSV over the limit is refused at its limit+1st row,
// a GeoJSON or xROAD file as soon as its array is split, before any record is read.
const (
	// DefaultMaxImportRecords is the most records one import may hold (serve
	// --max-import-records): five times the bridges of the largest prefecture.
	DefaultMaxImportRecords = 200_000
	// DefaultMaxInventory is the most assets the inventory may hold after an import or a
	// created asset (serve --max-inventory): every road bridge of Japan is ≈ 730,000.
	DefaultMaxInventory = 2_000_000
	// MaxListedIssues is how many rejected records an import report lists one by one;
	// rejected_summary groups them all.
	MaxListedIssues = 100
)

// Names of the import limits, as in the refusal's "limit" member.
const (
	LimitImportRecords = "max_import_records"
	LimitInventory     = "max_inventory"
)

// ImportLimitError is an import refused by a size limit: nothing was written. Value is
// what the limit met: the records counted when the parser stopped (Max+1), or the
// inventory size the import would have made.
type ImportLimitError struct {
	Limit string
	Max   int
	Value int
}

func (e *ImportLimitError) Error() string {
	if e.Limit == LimitInventory {
		return fmt.Sprintf("the inventory would hold %d assets, more than the %d allowed (serve --max-inventory); nothing was written", e.Value, e.Max)
	}
	return fmt.Sprintf("import: the file holds more than %d records (serve --max-import-records); split it; nothing was written", e.Max)
}

// withDefault is n, or def when n is 0.
func withDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// checkRecordCount refuses the count-th record of a file when it passes max (≤ 0: no limit).
func checkRecordCount(count, max int) error {
	if max > 0 && count > max {
		return &ImportLimitError{Limit: LimitImportRecords, Max: max, Value: count}
	}
	return nil
}

// CheckInventoryRoom refuses adding `adding` assets to the inventory when it would then
// hold more than max (≤ 0: no limit). q is the database or the transaction of the write.
func CheckInventoryRoom(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, adding, max int) error {
	if max <= 0 || adding == 0 {
		return nil
	}
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM assets").Scan(&n); err != nil {
		return fmt.Errorf("count assets: %w", err)
	}
	if n+adding > max {
		return &ImportLimitError{Limit: LimitInventory, Max: max, Value: n + adding}
	}
	return nil
}

// CheckInventoryRoom is the store's CheckInventoryRoom, for a single created asset.
func (s *Store) CheckInventoryRoom(ctx context.Context, adding, max int) error {
	return CheckInventoryRoom(ctx, s.db, adding, max)
}

// RejectedGroup is the rejected records of an import that share a field and a reason
// (the values quoted in the reason aside): how many, and where the first and last are.
type RejectedGroup struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"` // the first record's reason
	Count   int    `json:"count"`
	First   int    `json:"first"` // CSV line, or feature/result position
	Last    int    `json:"last"`
	Summary string `json:"summary"` // "119 rows: length_m: …, first at line 12, last at line 130"
}

// reasonValues are the parts of a reason that name the record's own values: quoted text
// and numbers. Without them, reasons of the same mistake compare equal.
var reasonValues = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|-?[0-9][0-9.,eE+-]*`)

// summariseRejected fills rep.RejectedSummary (the rejections grouped by field and
// reason pattern, in order of first appearance), rep.RejectedCount, and cuts the listed
// rejections to MaxListedIssues, so that a file with a million bad rows answers with a
// short report that still says what is wrong and where.
func summariseRejected(rep *ImportReport) {
	rep.RejectedCount = 0
	rep.RejectedSummary = []RejectedGroup{}
	index := map[string]int{}
	// A record may fail on several fields: the count is of records (CSV line or
	// feature position), the listed issues and the groups are of reasons.
	records := map[[2]int]bool{}
	for _, is := range rep.Rejected {
		at := is.Line + is.Feature
		if pos := [2]int{is.Line, is.Feature}; !records[pos] || pos == [2]int{} {
			records[pos] = true
			rep.RejectedCount++
		}
		key := is.Field + "\x00" + reasonValues.ReplaceAllString(is.Reason, "…")
		i, ok := index[key]
		if !ok {
			i = len(rep.RejectedSummary)
			index[key] = i
			rep.RejectedSummary = append(rep.RejectedSummary, RejectedGroup{Field: is.Field, Reason: is.Reason, First: at})
		}
		g := &rep.RejectedSummary[i]
		g.Count++
		g.Last = at
	}
	for i := range rep.RejectedSummary {
		g := &rep.RejectedSummary[i]
		unit, where := "records", "record"
		if rep.Format == FormatCSV {
			unit, where = "rows", "line"
		}
		if g.Count == 1 {
			unit = unit[:len(unit)-1]
		}
		g.Summary = strconv.Itoa(g.Count) + " " + unit + ": "
		if g.Field != "" {
			g.Summary += g.Field + ": "
		}
		g.Summary += fmt.Sprintf("%s, first at %s %d", g.Reason, where, g.First)
		if g.Count > 1 {
			g.Summary += fmt.Sprintf(", last at %s %d", where, g.Last)
		}
	}
	if len(rep.Rejected) > MaxListedIssues {
		rep.Rejected = rep.Rejected[:MaxListedIssues]
	}
}
