package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"testing"
)

// addAssets imports n generated bridges (a partial import) scattered around the municipalities'
// offices.
func addAssets(tb testing.TB, s *server, n int) {
	tb.Helper()
	var munis struct {
		Items []struct {
			Code   string `json:"code"`
			Office struct{ Lon, Lat float64 }
		} `json:"items"`
	}
	if code := s.do(tb, "GET", "/api/v1/municipalities?limit=1000", nil, &munis); code != 200 || len(munis.Items) == 0 {
		tb.Fatalf("municipalities: %d (%d)", code, len(munis.Items))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var csv bytes.Buffer
	csv.WriteString("id,municipality,kind,name,lon,lat,length_m\n")
	for i := range n {
		m := munis.Items[i%len(munis.Items)]
		fmt.Fprintf(&csv, "GEN-%06d,%s,bridge,生成橋%d,%.5f,%.5f,%.1f\n", i, m.Code, i,
			m.Office.Lon+(rng.Float64()-0.5)*0.03, m.Office.Lat+(rng.Float64()-0.5)*0.03, 2+rng.ExpFloat64()*12)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile("file", "generated.csv")
	if err != nil {
		tb.Fatal(err)
	}
	part.Write(csv.Bytes())
	w.Close()
	res, err := client.Post(s.URL+"/api/v1/imports?partial=true&kind=csv", w.FormDataContentType(), &body)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	var rep importReport
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil || res.StatusCode != 200 || rep.Created != n {
		tb.Fatalf("import of %d generated assets: %d, created %d, %v", n, res.StatusCode, rep.Created, err)
	}
}

// BenchmarkMapWith20000Assets opens the page on the demo plus 20,000 generated assets and reports
// how long the page takes to be ready and to redraw the canvas after a zoom without animation. It
// measures; it asserts nothing about time.
func BenchmarkMapWith20000Assets(b *testing.B) {
	s := startServer(b)
	addAssets(b, s, 20000)
	var ready, redraw float64
	n := 0
	for b.Loop() {
		tb := openPage(b, s)
		var r, in, out float64
		tb.eval(b, `window.tabane.readyAt`, &r)
		tb.eval(b, `window.tabane.measureRedraw(1)`, &in)
		tb.eval(b, `window.tabane.measureRedraw(-1)`, &out)
		if st := tb.stats(b); st.Assets < 20000 || st.AssetDOMNodes != 0 || st.Renderer != "canvas" {
			b.Fatalf("drawn: %+v", st)
		}
		tb.cancel()
		ready += r
		redraw += (in + out) / 2
		n++
	}
	b.ReportMetric(ready/float64(n), "ms-to-ready")
	b.ReportMetric(redraw/float64(n), "ms/zoom-redraw")
}
