package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/whatif"
)

// registerBatchOutputs registers the meeting-ready outputs of a batch (issue 16): the
// Markdown table, the per-municipality shares and their chart, and the one-page summary,
// each in ?lang=ja (default) or en.
func (s *Server) registerBatchOutputs(g *echo.Group) {
	// results.csv: the table of whatif.WriteCSV over the rows so far (the header alone before
	// the first one); chart.svg: saving and cost against the swept parameter(s), 409 before
	// the first row.
	g.GET("/batches/:id/results.csv", s.batchFile(whatif.ResultsCSV, "text/csv; charset=utf-8",
		func(w io.Writer, rows []whatif.Row, o whatif.Output) error { return whatif.WriteCSV(w, rows, o.Lang) }))
	g.GET("/batches/:id/chart.svg", s.batchFile(whatif.ChartSVG, "image/svg+xml", whatif.WriteChartSVG))
	g.GET("/batches/:id/results.md", s.batchFile(whatif.ResultsMD, "text/markdown; charset=utf-8", whatif.WriteMarkdown))
	g.GET("/batches/:id/shares.csv", s.batchFile(whatif.SharesCSV, "text/csv; charset=utf-8", whatif.WriteShares))
	g.GET("/batches/:id/municipalities.svg", s.batchFile(whatif.SharesSVG, "image/svg+xml", whatif.WriteSharesChartSVG))
	g.GET("/batches/:id/summary.html", s.batchFile(whatif.SummaryHTML, "text/html; charset=utf-8", whatif.WriteSummary))
}

// batchOutput is the Output of batch b for this request: ?lang= and the names of the
// municipalities of its scenario (codes stay codes once the scenario is deleted).
func (s *Server) batchOutput(c echo.Context, b data.Batch) (whatif.Output, error) {
	lang, err := whatif.ParseLang(c.QueryParam("lang"))
	if err != nil {
		return whatif.Output{}, invalidParameter("lang", "expected ja or en, found %q", c.QueryParam("lang"))
	}
	o := whatif.NewOutput(lang, b.Name, nil)
	if b.ScenarioID == nil {
		return o, nil
	}
	ctx := c.Request().Context()
	sc, err := s.store.Scenario(ctx, *b.ScenarioID)
	if err != nil {
		return o, nil
	}
	inst, err := s.store.ScenarioInstance(ctx, sc)
	if err != nil {
		return o, nil
	}
	return whatif.NewOutput(lang, b.Name, inst), nil
}

// batchFile serves one output file over the rows so far. The summary is a document of
// its own: it gets a policy that allows its <style> element and nothing else.
func (s *Server) batchFile(name, contentType string, write func(io.Writer, []whatif.Row, whatif.Output) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		b, rows, err := s.resultRows(c)
		if err != nil {
			return err
		}
		o, err := s.batchOutput(c, b)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := write(&buf, rows, o); err != nil {
			if errors.Is(err, whatif.ErrNothingToChart) {
				return conflict(fmt.Sprintf("batch %d has no finished variation yet (%s); the chart draws the rows so far", b.ID, b.Status))
			}
			return fmt.Errorf("batch %d: %s: %w", b.ID, name, err)
		}
		if name == whatif.SummaryHTML {
			c.Response().Header().Set("Content-Security-Policy", whatif.SummaryCSP)
		} else {
			attachment(c, fmt.Sprintf("batch-%d-%s", b.ID, name)) // an <img> still shows an SVG
		}
		return c.Blob(http.StatusOK, contentType, buf.Bytes())
	}
}
