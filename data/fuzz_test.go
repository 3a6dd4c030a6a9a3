package data

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The import fuzz targets feed arbitrary files to Store.Import (all-or-nothing, as POST
// /api/v1/imports without partial=true) over a real SQLite file holding three
// municipalities with boundaries. No input may panic, and:
//   - a failed import (an unreadable file, or any rejected record) leaves every table
//     of the database byte for byte as it was;
//   - a successful one says it wrote, rejected nothing, and importing the same file
//     again changes nothing (its report counts no creation and no update).
// The seeds are the sample files of testdata/import and a few broken ones; go test runs
// them every time, `make fuzz` explores from them.

func FuzzImportCSV(f *testing.F) {
	fuzzImport(f, FormatCSV, []string{"assets_bom.csv", "assets_sjis.csv"}, []string{
		"", "id\n", "id,municipality,kind,lon,lat\n",
		"id,municipality,kind,lon,lat\nA1,29201,bridge,135.83,34.68\nA2,29201,bridge,north,34.68\nA3,29201,bridge,135.84,34.69\n",
		"municipality,kind,name,lon,lat,length_m\n29203,bridge,\"=HYPERLINK(\"\"x\"\")\",135.78,34.65,12\n",
		"id,municipality,kind,lon,lat,cost,workload\nS1,29204,sewer_plant,135.86,34.59,1e400,-3\n",
		"\xef\xbb\xbfid,municipality,kind,lon,lat\n\"A1,29201,bridge,135.83,34.68\n",
	})
}

func FuzzImportGeoJSON(f *testing.F) {
	fuzzImport(f, FormatGeoJSON, []string{"points.geojson"}, []string{
		"", "{}", "[]", `{"type": "FeatureCollection"}`, `{"type": "FeatureCollection", "features": null}`,
		`{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [135.78, 34.65]}, "properties": {"municipality": "29203", "kind": "bridge"}}, {"type": "Feature", "geometry": null, "properties": {}}]}`,
		`{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[135, 34], [136, 34], [135, 34]]]}, "properties": {"N03_007": "29201"}}`,
		`{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[135.8, 34.6], [135.9, 34.6], [135.9, 34.7], [135.8, 34.7], [135.8, 34.6]]]}, "properties": {"N03_001": "奈良県", "N03_004": "奈良市", "N03_007": "29201"}}]}`,
		`{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1e308, -1e308]}, "properties": {"municipality": "29201", "kind": "tunnel"}}]}`,
	})
}

func FuzzImportXROAD(f *testing.F) {
	fuzzImport(f, FormatXROAD, []string{"xroad_nara.json"}, []string{
		"", "{}", `{"result": []}`, `{"result": null}`, `{"result": [{}]}`,
		`{"result": [{"shisetsu_id": "34.6851,135.8049", "shisetsu_kubun": 1, "kanrisya_code": "292010"}, {"shisetsu_id": "x"}]}`,
		`{"result": [{"shisetsu_id": "34.6851,135.8049", "shisetsu_kubun": "9", "kanrisya_code": 29201, "kyouryou_chou": "-1"}]}`,
	})
}

// importFuzzer holds the database of one fuzz target: a baseline file, and the working
// copy the inputs are imported into, reset to the baseline after an import that wrote.
type importFuzzer struct {
	baseline, work string
	store          *Store
}

func fuzzImport(f *testing.F, format string, sampleFiles, seeds []string) {
	ctx := context.Background()
	for _, name := range sampleFiles {
		b, err := os.ReadFile(filepath.Join("testdata", "import", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	z := &importFuzzer{baseline: filepath.Join(dir, "baseline.db"), work: filepath.Join(dir, "work.db")}
	base, err := Open(ctx, z.baseline)
	if err != nil {
		f.Fatal(err)
	}
	boundaries, err := os.ReadFile(filepath.Join("testdata", "import", "n03_nara3.geojson"))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := base.Import(ctx, boundaries, ImportOptions{Format: FormatGeoJSON}); err != nil {
		f.Fatal(err)
	}
	base.Close() // the last connection checkpoints the WAL into the file
	if err := z.reset(); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { z.store.Close() })

	f.Fuzz(func(t *testing.T, body []byte) {
		before, err := dbFingerprint(ctx, z.store.DB())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := z.store.Import(ctx, body, ImportOptions{Format: format})
		if err != nil || len(rep.Rejected) > 0 {
			var fe *ImportFileError
			if err == nil || !(errors.Is(err, ErrImportRejected) || errors.As(err, &fe)) {
				t.Fatalf("failed import: error %v with %d rejected records; want ErrImportRejected or an ImportFileError", err, len(rep.Rejected))
			}
			if rep.Written {
				t.Fatalf("failed import (%v) reports written", err)
			}
			after, err2 := dbFingerprint(ctx, z.store.DB())
			if err2 != nil {
				t.Fatal(err2)
			}
			if after != before {
				t.Fatalf("failed import (%v) changed the database", err)
			}
			return
		}
		if !rep.Written {
			t.Fatalf("successful import reports not written: %+v", rep)
		}
		written, err := dbFingerprint(ctx, z.store.DB())
		if err != nil {
			t.Fatal(err)
		}
		again, err := z.store.Import(ctx, body, ImportOptions{Format: format})
		if err != nil || again.Created != 0 || again.Updated != 0 {
			t.Fatalf("importing the same file twice: error %v, created %d, updated %d (first: created %d updated %d)",
				err, again.Created, again.Updated, rep.Created, rep.Updated)
		}
		if after, _ := dbFingerprint(ctx, z.store.DB()); after != written {
			t.Fatal("importing the same file twice changed the database")
		}
		if written != before {
			if err := z.reset(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// reset replaces the working database with a copy of the baseline.
func (z *importFuzzer) reset() error {
	if z.store != nil {
		z.store.Close()
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(z.work + suffix)
	}
	src, err := os.Open(z.baseline)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(z.work)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	z.store, err = Open(context.Background(), z.work)
	return err
}

// dbFingerprint is a SHA-256 of every row of every table (rows sorted), so that any
// write anywhere changes it.
func dbFingerprint(ctx context.Context, db *sql.DB) (string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return "", err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return "", err
		}
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, table := range tables {
		rs, err := db.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`)
		if err != nil {
			return "", err
		}
		cols, _ := rs.Columns()
		var lines []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				rs.Close()
				return "", err
			}
			lines = append(lines, fmt.Sprintf("%q", vals))
		}
		rs.Close()
		sort.Strings(lines)
		fmt.Fprintf(h, "%s %d\n%s\n", table, len(lines), strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
