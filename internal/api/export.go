package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Streamed exports: a GeoJSON FeatureCollection or a CSV written item by item as a SQL
// cursor yields them, so that exporting a million assets takes the memory of one asset
// (before: the whole list, its views and the encoded document, 4.5 GB at 1,000,000
// assets). The bytes are those of encoding the whole document at once.

// stream is a walk over the items of an export: it calls emit once per item, in order,
// and stops at emit's first error.
type stream[T any] func(emit func(T) error) error

// abortMidStream ends a response whose status and first bytes have gone out: a panic
// with http.ErrAbortHandler makes net/http cut the connection, so the client sees a
// broken transfer instead of a document that looks complete but lacks its tail. Before
// anything was sent the error is answered as a problem, as usual.
func abortMidStream(c echo.Context, err error) error {
	if err == nil || !c.Response().Committed {
		return err
	}
	panic(http.ErrAbortHandler)
}

// streamGeoJSON answers a FeatureCollection of the features each emits.
func streamGeoJSON(c echo.Context, each stream[feature]) error {
	w := c.Response()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	start := func() {
		if !w.Committed {
			w.Header().Set(echo.HeaderContentType, GeoJSONContentType)
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"type":"FeatureCollection","features":[`))
		}
	}
	n := 0
	err := each(func(f feature) error {
		buf.Reset()
		if n > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(f); err != nil {
			return err
		}
		start()
		n++
		_, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) // Encode ends each value with a newline
		return err
	})
	if err != nil {
		return abortMidStream(c, err)
	}
	start()
	_, err = w.Write([]byte("]}\n"))
	return err
}

// streamCSV answers a CSV with a header row and the rows each emits; ?bom=true prefixes
// a UTF-8 byte-order mark so that Excel opens the file as UTF-8. Text cells that a
// spreadsheet would run as formulas are defused (defuseFormula).
func streamCSV(c echo.Context, name string, header []string, each stream[[]string]) error {
	w := c.Response()
	cw := csv.NewWriter(w) // buffered: net/http sees 4 kB writes
	start := func() {
		if w.Committed {
			return
		}
		w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`inline; filename="%s.csv"`, name))
		w.WriteHeader(http.StatusOK)
		if b, _ := strconv.ParseBool(c.QueryParam("bom")); b {
			_, _ = w.Write([]byte("\uFEFF"))
		}
		_ = cw.Write(header)
	}
	err := each(func(row []string) error {
		start()
		for i, cell := range row {
			row[i] = defuseFormula(cell)
		}
		return cw.Write(row)
	})
	if err != nil {
		return abortMidStream(c, err)
	}
	start()
	cw.Flush()
	return cw.Error()
}

// each is the stream of the items of a slice.
func each[T any](items []T) stream[T] {
	return func(emit func(T) error) error {
		for _, it := range items {
			if err := emit(it); err != nil {
				return err
			}
		}
		return nil
	}
}
