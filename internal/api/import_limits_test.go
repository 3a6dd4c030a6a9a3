package api

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tabane/tabane/data"
)

// limitedServer serves the demo (6,600 assets) with the given inventory limits.
func limitedServer(t testing.TB, inv InventoryOptions) (*httptest.Server, *data.Store) {
	t.Helper()
	store := demoStore(t)
	s := New(store, Options{Inventory: inv})
	t.Cleanup(func() { s.Close() })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, store
}

// bridgesCSV is a CSV of n new bridges of 奈良市; bad(i) may replace row i's lon.
func bridgesCSV(n int, lon func(i int) string) []byte {
	var b strings.Builder
	b.WriteString("id,municipality,kind,lon,lat\n")
	for i := range n {
		fmt.Fprintf(&b, "lim-%d,29201,bridge,%s,34.68\n", i, lon(i))
	}
	return []byte(b.String())
}

func goodLon(int) string { return "135.80" }

// limitAnswer is the refusal of an import limit.
type limitAnswer struct {
	Type, Limit      string
	Status, Value    int
	MaxImportRecords int `json:"max_import_records"`
	MaxInventory     int `json:"max_inventory"`
}

func wantLimit(t *testing.T, what string, status int, b []byte, want limitAnswer) {
	t.Helper()
	var got limitAnswer
	if err := json.Unmarshal(b, &got); err != nil || status != want.Status || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %d %s, want %+v", what, status, b, want)
	}
}

// TestImportLimits: past --max-import-records an import is a 413 (CSV: refused at the
// limit+1st row; GeoJSON: at its features array), past --max-inventory a 422, also for a
// single created asset; nothing is written by a refused import, and a file within both
// limits imports.
func TestImportLimits(t *testing.T) {
	srv, store := limitedServer(t, InventoryOptions{MaxImportRecords: 3, MaxInventory: 6602})
	status, _, b := send(t, srv, "POST", "/api/v1/imports", "text/csv", bridgesCSV(5, goodLon))
	wantLimit(t, "5 CSV rows, limit 3", status, b, limitAnswer{Type: ProblemImportTooLarge, Limit: "max_import_records",
		Status: 413, Value: 4, MaxImportRecords: 3})
	points := `{"type":"FeatureCollection","features":[` + strings.Repeat(`{"type":"Feature","geometry":{"type":"Point","coordinates":[135.8,34.68]},"properties":{"municipality":"29201","kind":"bridge"}},`, 3) +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[135.8,34.68]},"properties":{"municipality":"29201","kind":"bridge"}}]}`
	status, _, b = send(t, srv, "POST", "/api/v1/imports", "application/geo+json", []byte(points))
	wantLimit(t, "4 GeoJSON features, limit 3", status, b, limitAnswer{Type: ProblemImportTooLarge, Limit: "max_import_records",
		Status: 413, Value: 4, MaxImportRecords: 3})

	status, _, b = send(t, srv, "POST", "/api/v1/imports?dry_run=true", "text/csv", bridgesCSV(3, goodLon))
	wantLimit(t, "6600 + 3 assets, limit 6602 (dry run)", status, b, limitAnswer{Type: ProblemImportTooLarge, Limit: "max_inventory",
		Status: 422, Value: 6603, MaxInventory: 6602})
	if n := countAssets(t, store); n != 6600 {
		t.Errorf("refused imports wrote: %d assets, want 6600", n)
	}
	if r := postImport(t, srv, "", bridgesCSV(2, goodLon), 200); r.Assets.Created != 2 {
		t.Errorf("2 rows within the limits: %+v", r.Assets)
	}
	status, _, b = send(t, srv, "POST", "/api/v1/assets", "application/json",
		[]byte(`{"id":"one-more","municipality":"29201","kind":"bridge","lon":135.8,"lat":34.68}`))
	wantLimit(t, "a created asset past the inventory limit", status, b, limitAnswer{Type: ProblemImportTooLarge, Limit: "max_inventory",
		Status: 422, Value: 6603, MaxInventory: 6602})
	if r := postImport(t, srv, "", bridgesCSV(2, goodLon), 200); r.Assets.Unchanged != 2 {
		t.Errorf("re-importing the 2 rows (no new asset) at a full inventory: %+v", r.Assets)
	}
}

// TestImportReportGroupsRejections: 150 rows with a longitude that is not a number and 2
// of an unknown municipality give a 422 whose report counts all 152, lists the first 100
// and groups them in two lines with where they start and end.
func TestImportReportGroupsRejections(t *testing.T) {
	srv, _ := limitedServer(t, InventoryOptions{})
	csv := bridgesCSV(150, func(i int) string { return fmt.Sprintf("east%d", i) })
	csv = append(csv, "lim-x,29999,bridge,135.8,34.68\nlim-y,29999,bridge,135.8,34.69\n"...)
	r := postImport(t, srv, "", csv, 422)
	if r.RejectedCount != 152 || len(r.Rejected) != data.MaxListedIssues || len(r.Errors) != data.MaxListedIssues {
		t.Errorf("rejected_count %d, listed %d, errors %d; want 152, 100, 100", r.RejectedCount, len(r.Rejected), len(r.Errors))
	}
	var summaries []string
	for _, g := range r.RejectedSummary {
		summaries = append(summaries, g.Summary)
	}
	want := []string{
		`150 rows: lon: "east0" is not a number, first at line 2, last at line 151`,
		"2 rows: municipality: unknown municipality 29999: import its boundary (N03) or create it first (POST /api/v1/municipalities), first at line 152, last at line 153",
	}
	if !reflect.DeepEqual(summaries, want) {
		t.Errorf("rejected_summary:\n%s\nwant:\n%s", strings.Join(summaries, "\n"), strings.Join(want, "\n"))
	}
}

// peakDuring runs f while sampling the heap every millisecond, and returns the highest
// heap (garbage included) above the heap before f, in MB.
func peakDuring(f func()) float64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	base, peak := m.HeapAlloc, m.HeapAlloc
	done := make(chan struct{})
	sampled := make(chan uint64)
	go func() {
		top := uint64(0)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				sampled <- top
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapAlloc)
			}
		}
	}()
	f()
	close(done)
	peak = max(peak, <-sampled)
	return float64(peak-base) / 1e6
}

// BenchmarkImport1M: POST /api/v1/imports?dry_run=true of generated CSVs of bridges:
// 1,000,000 rows (36 MB, refused at row 200,001 by the default --max-import-records) and
// 200,000 rows (at the limit, checked in full); MB-peak is the heap high-water mark.
func BenchmarkImport1M(b *testing.B) {
	srv, _ := limitedServer(b, InventoryOptions{ImportBodyLimit: "256M"})
	for _, rows := range []int{1_000_000, 200_000} {
		body := bridgesCSV(rows, goodLon)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			var peak float64
			status := 0
			for b.Loop() {
				peak = peakDuring(func() {
					status, _, _ = send(b, srv, "POST", "/api/v1/imports?dry_run=true", "text/csv", body)
				})
			}
			b.ReportMetric(float64(len(body))/1e6, "MB-file")
			b.ReportMetric(peak, "MB-peak")
			b.ReportMetric(float64(status), "status")
		})
	}
}
