package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

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

// attachment names a download (RFC 6266): a browser saves it under that name instead
// of showing it. filename is the ASCII fallback (other bytes as _), filename* the UTF-8
// name (RFC 8187), so a Japanese name survives.
func attachment(c echo.Context, name string) {
	ascii := []byte(name)
	for i, b := range ascii {
		if b < 0x20 || b >= 0x7f || b == '"' || b == '\\' {
			ascii[i] = '_'
		}
	}
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc8187(name)))
}

// rfc8187 percent-encodes every byte of s but RFC 8187's attr-char.
func rfc8187(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// downloadName is a download's name from its route: /api/v1/assets → assets,
// /api/v1/municipalities → municipalities.
func downloadName(c echo.Context) string {
	p := strings.TrimPrefix(c.Request().URL.Path, "/api/v1/")
	return strings.ReplaceAll(strings.Trim(p, "/"), "/", "-")
}

// streamGeoJSON answers a FeatureCollection of the features each emits, as a download
// named after the route.
func streamGeoJSON(c echo.Context, each stream[feature]) error {
	w := c.Response()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	start := func() {
		if !w.Committed {
			attachment(c, downloadName(c)+".geojson")
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
		attachment(c, name+".csv")
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
