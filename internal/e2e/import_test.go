package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

type importReport struct {
	Created  int `json:"created"`
	Rejected []struct {
		Line   int    `json:"line"`
		Asset  string `json:"asset"`
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"rejected"`
	Flagged []struct {
		Line   int    `json:"line"`
		Asset  string `json:"asset"`
		Reason string `json:"reason"`
	} `json:"flagged"`
}

// postImport sends a file to /api/v1/imports as the page does (multipart field "file").
func postImport(t *testing.T, s *server, path, query string) (int, importReport) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(b)
	w.Close()
	res, err := client.Post(s.URL+"/api/v1/imports"+query, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var rep importReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("import report: %v in %s", err, tail(string(raw), 300))
	}
	return res.StatusCode, rep
}

func assetCount(t *testing.T, s *server) int {
	t.Helper()
	var fc featureCollection
	if code := s.do(t, "GET", "/api/v1/assets?format=geojson", nil, &fc); code != 200 {
		t.Fatalf("assets GeoJSON: %d", code)
	}
	return len(fc.Features)
}

// importRows is the page's import report table, one []string of cell texts per row.
func importRows(t *testing.T, tb *tab) [][]string {
	t.Helper()
	var rows [][]string
	tb.eval(t, `[...document.querySelectorAll('#imp-rows tbody tr')].map(r => [...r.cells].map(c => c.textContent))`, &rows)
	return rows
}

// TestImportReport: a file chosen on the page is imported through the API and its report is shown
// row by row. A Shift_JIS CSV with a bad line is refused whole (all or nothing) and the page lists
// exactly the rejected fields the API reports; a CSV imported with "valid rows only" adds its assets
// to the map and lists the flagged asset.
func TestImportReport(t *testing.T) {
	s := startServer(t)
	bad, err := filepath.Abs(filepath.Join("..", "..", "data", "testdata", "import", "assets_sjis.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := filepath.Abs(filepath.Join("..", "..", "data", "testdata", "import", "assets_bom.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// What the API says of the bad file (it is refused, so asking first writes nothing).
	code, want := postImport(t, s, bad, "")
	if code != http.StatusUnprocessableEntity || len(want.Rejected) == 0 {
		t.Fatalf("API import of %s: %d with %d rejected, want 422 with some", bad, code, len(want.Rejected))
	}
	before := assetCount(t, s)

	tb := openPage(t, s)
	// Chromium logs every 4xx answer; the refusal of the bad file is the point of this test.
	tb.expect("status of 422 (Unprocessable Entity) " + s.URL + "/api/v1/imports")
	tb.click(t, "#tab-import")
	tb.run(t, chromedp.SetUploadFiles("#imp-file", []string{bad}, chromedp.ByQuery))
	tb.click(t, `#import-form button[type=submit]`)
	tb.waitFor(t, `!document.getElementById('imp-report').hidden`)
	rows := importRows(t, tb)
	if len(rows) != len(want.Rejected)+len(want.Flagged) {
		t.Fatalf("page shows %d report rows, the API reports %d rejected and %d flagged: %q",
			len(rows), len(want.Rejected), len(want.Flagged), rows)
	}
	// The reason is said in Japanese; the API's English words stay in the cell's title.
	var titles []string
	tb.eval(t, `[...document.querySelectorAll('#imp-rows tbody td.reason')].map(c => c.title)`, &titles)
	for i, r := range want.Rejected {
		got := append(rows[i][:3:3], titles[i])
		exp := []string{"不採用", fmt.Sprintf("%d 行目", r.Line), r.Asset + " / " + r.Field, r.Reason}
		if strings.Join(got, "|") != strings.Join(exp, "|") {
			t.Errorf("report row %d: %q, want %q", i, got, exp)
		}
	}
	if counts := tb.textOf(t, "#imp-counts"); !strings.HasPrefix(counts, "取込は行われませんでした") {
		t.Errorf("counts line %q does not say that nothing was imported", counts)
	}
	if n := assetCount(t, s); n != before {
		t.Errorf("a refused import changed the inventory: %d assets, was %d", n, before)
	}
	tb.screenshot(t, "import-refused")

	// Valid rows only: the good file goes in, its flagged asset is listed, the map grows.
	tb.click(t, "#imp-partial")
	tb.run(t, chromedp.SetUploadFiles("#imp-file", []string{good}, chromedp.ByQuery))
	tb.click(t, `#import-form button[type=submit]`)
	tb.waitFor(t, `document.getElementById('imp-counts').textContent.startsWith('新規')`)
	after := assetCount(t, s)
	if after <= before {
		t.Fatalf("the partial import added nothing: %d assets, was %d", after, before)
	}
	tb.waitFor(t, fmt.Sprintf(`window.tabane.stats().assets === %d`, after))
	counts := tb.textOf(t, "#imp-counts")
	if !strings.HasPrefix(counts, fmt.Sprintf("新規 %d 件", after-before)) {
		t.Errorf("counts line %q, want %d created", counts, after-before)
	}
	rows = importRows(t, tb)
	flagged := 0
	for _, r := range rows {
		if r[0] == "要確認" && strings.HasPrefix(r[2], "BM-003") && r[1] == "4 行目" {
			flagged++
		}
	}
	if flagged != 1 {
		t.Errorf("BM-003 (line 4) is not listed as flagged once: %q", rows)
	}
	tb.screenshot(t, "import-partial")

	// Assets of municipalities without a boundary: the page names the N03 file to import.
	orphan := filepath.Join(t.TempDir(), "orphans.csv")
	if err := os.WriteFile(orphan, []byte("id,municipality,kind,lon,lat\nO-1,13101,bridge,139.75,35.69\nO-2,28100,bridge,135.19,34.69\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tb.run(t, chromedp.SetUploadFiles("#imp-file", []string{orphan}, chromedp.ByQuery))
	tb.click(t, `#import-form button[type=submit]`)
	tb.waitFor(t, `!document.getElementById('imp-note').hidden`)
	wantNote := "市区町村 13101, 28100 の境界がありません。先に都道府県の行政区域ファイル（国土数値情報 N03: N03-…_13.geojson, N03-…_28.geojson）を取り込んでください（?codes=13101,28100 でその市区町村だけを取り込めます）。"
	if note := tb.textOf(t, "#imp-note"); note != wantNote {
		t.Errorf("note %q\nwant %q", note, wantNote)
	}
	tb.noProblems(t)
}
