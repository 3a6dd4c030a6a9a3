package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/gommon/bytes"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// Defaults of the import settings (Options.ImportBodyLimit, Options.OwnershipToleranceM).
const (
	DefaultImportBodyLimit = "64M" // a prefecture's xROAD answers or a national N03 file
)

// ProblemImportRejected is the type of a 422 answer to an all-or-nothing import with
// rejected records: the body is the import report as well as a problem.
const ProblemImportRejected = "urn:tabane:problem:import-rejected"

func (s *Server) registerImports(g *echo.Group) {
	g.POST("/imports", s.importFile, bodyLimit(s.importBodyLimit()))
}

// importBodyLimit is the body limit of imports, larger than the other routes'. A limit
// echo cannot read falls back to the default (logged) rather than failing the server.
func (s *Server) importBodyLimit() string {
	l := s.inventory.ImportBodyLimit
	if l == "" {
		return DefaultImportBodyLimit
	}
	if _, err := bytes.Parse(l); err != nil {
		s.log.Error("import body limit: using the default", slog.String("limit", l), slog.String("default", DefaultImportBodyLimit), slog.Any("err", err))
		return DefaultImportBodyLimit
	}
	return l
}

// importProblem is the 422 answer: a problem (RFC 9457) whose extension members are the
// import report, so that clients reading either shape find what they need.
type importProblem struct {
	Problem
	data.ImportReport
}

// importFile: POST /api/v1/imports[?format=csv|geojson|xroad][&partial=true][&tolerance_m=200]
// [&dry_run=true] (check and report, write nothing)[&codes=29201,29202] (only those
// municipalities of a GeoJSON N03 boundary file)[&join=over_water] (a CSV of
// id,over_water onto stored assets).
// The file is the raw body or the multipart/form-data part "file". The format is sniffed
// when absent (kind= is accepted as another name for format). The answer is the import
// report (200); with rejected records and no partial=true nothing is written and the
// report comes as a 422 problem.
func (s *Server) importFile(c echo.Context) error {
	q := c.QueryParams()
	format := strings.ToLower(q.Get("format"))
	if format == "" {
		format = strings.ToLower(q.Get("kind"))
	}
	switch format {
	case "", data.FormatCSV, data.FormatGeoJSON, data.FormatXROAD:
	default:
		return invalidParameter("format", "must be csv, geojson or xroad, found %q", format)
	}
	partial, err := boolParam(q, "partial")
	if err != nil {
		return err
	}
	dryRun, err := boolParam(q, "dry_run")
	if err != nil {
		return err
	}
	tol := s.inventory.OwnershipToleranceM
	if v := q.Get("tolerance_m"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 100_000 {
			return invalidParameter("tolerance_m", "must be a number of metres between 0 and 100000, found %q", v)
		}
		tol = x
	}
	var codes []string
	if v := q.Get("codes"); v != "" {
		codes = strings.Split(v, ",")
	}
	join := q.Get("join")
	if join != "" && join != data.JoinOverWater {
		return invalidParameter("join", "must be over_water (a CSV of id,over_water onto stored assets), found %q", join)
	}
	body, name, ctype, err := importBody(c)
	if err != nil {
		return err
	}
	rep, err := s.store.Import(c.Request().Context(), body, data.ImportOptions{Format: format, FileName: name,
		ContentType: ctype, Partial: partial != nil && *partial, ToleranceM: tol, DryRun: dryRun != nil && *dryRun,
		MaxRecords: s.inventory.MaxImportRecords, MaxInventory: s.inventory.MaxInventory, Codes: codes, Join: join})
	if refused, werr := refuseImportLimit(c, err); refused {
		return werr
	}
	var fe *data.ImportFileError
	switch {
	case errors.As(err, &fe):
		return malformed(fe.Error(), solver.InputError{Path: "file", Msg: fe.Msg})
	case errors.Is(err, data.ErrImportRejected):
		p := importProblem{ImportReport: rep, Problem: Problem{Type: ProblemImportRejected, Title: "Import rejected",
			Status: http.StatusUnprocessableEntity, Instance: c.Request().URL.Path,
			Detail: fmt.Sprintf("%d record(s) rejected; nothing was written (fix them, or import with partial=true to keep the good ones)", rep.RejectedCount)}}
		for _, r := range rep.Rejected {
			where := fmt.Sprintf("line %d", r.Line)
			if r.Line == 0 {
				where = fmt.Sprintf("feature %d", r.Feature)
			}
			if r.Field != "" {
				where += ", " + r.Field
			}
			p.Errors = append(p.Errors, solver.InputError{Path: where, Msg: r.Reason})
		}
		c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
		return c.JSON(http.StatusUnprocessableEntity, p)
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// importBody reads the file: the part "file" of a multipart/form-data body, else the body.
func importBody(c echo.Context) (body []byte, name, ctype string, err error) {
	ctype = c.Request().Header.Get(echo.HeaderContentType)
	mt, _, _ := mime.ParseMediaType(ctype)
	if mt != "multipart/form-data" {
		body, err = readBody(c)
		if err != nil {
			return nil, "", "", err
		}
		if len(body) == 0 {
			return nil, "", "", malformed("the body is empty: send the file as the body or as the multipart part \"file\"")
		}
		return body, "", ctype, nil
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return nil, "", "", err
		}
		if strings.Contains(err.Error(), "request body too large") {
			return nil, "", "", err
		}
		return nil, "", "", malformed("multipart body without a part named \"file\": "+err.Error(),
			solver.InputError{Path: "file", Msg: "is required"})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", "", err
	}
	defer f.Close()
	body, err = io.ReadAll(f)
	if err != nil {
		return nil, "", "", err
	}
	if len(body) == 0 {
		return nil, "", "", malformed("the file is empty", solver.InputError{Path: "file", Msg: "is empty"})
	}
	return body, fh.Filename, fh.Header.Get(echo.HeaderContentType), nil
}

// InventoryOptions are the settings of the inventory routes.
type InventoryOptions struct {
	// ImportBodyLimit bounds the body of POST /api/v1/imports ("64M" when empty; echo's
	// notation: 500K, 64M, 1G).
	ImportBodyLimit string
	// OwnershipToleranceM is how far outside its owner's boundary an asset may lie before
	// the import report flags it (0: data.DefaultOwnershipToleranceM, 200 m); a request's
	// tolerance_m overrides it.
	OwnershipToleranceM float64
	// MaxImportRecords bounds the records of one import (0: data.DefaultMaxImportRecords,
	// 200,000) and MaxInventory the assets of the inventory (0: data.DefaultMaxInventory,
	// 2,000,000); past them imports are refused with 413 and 422 (import_limits.go).
	MaxImportRecords, MaxInventory int
}
