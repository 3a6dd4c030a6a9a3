package api

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/solver"
)

// boundServer is a real HTTP server over a real SQLite file with the demo, whose
// SecurityOptions.ListenAddr is the address it really listens on (as serve passes it).
func boundServer(t *testing.T, opt SecurityOptions) (*httptest.Server, *data.Store, string) {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "harden.db")
	store, err := data.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.LoadDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	opt.ListenAddr = srv.Listener.Addr().String()
	s := New(store, Options{Security: opt})
	t.Cleanup(func() { s.Close() })
	srv.Config.Handler = s.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, store, dbPath
}

// request is one request of these tests: headers by name, Host when host is set.
type request struct {
	method, path, host, body string
	header                   map[string]string
}

func (q request) send(t *testing.T, srv *httptest.Server) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if q.body != "" {
		rd = strings.NewReader(q.body)
	}
	req, err := http.NewRequest(q.method, srv.URL+q.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if q.host != "" {
		req.Host = q.host
	}
	for k, v := range q.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// wantRefusal checks a problem+json answer of the given status and type.
func wantRefusal(t *testing.T, what string, resp *http.Response, body string, status int, typ string) {
	t.Helper()
	var p Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil || resp.StatusCode != status || p.Type != typ ||
		resp.Header.Get("Content-Type") != ProblemContentType {
		t.Errorf("%s: %d %s, want %d %s", what, resp.StatusCode, body, status, typ)
	}
}

// TestCrossSiteWritesRefused: on loopback without tokens (the default), the writes of
// issue 14 from another site's page are refused and change nothing, while the page
// itself (Origin of this server, Sec-Fetch-Site: same-origin) and scripts (no Origin)
// still write.
func TestCrossSiteWritesRefused(t *testing.T) {
	ctx := context.Background()
	srv, store, _ := boundServer(t, SecurityOptions{})
	before, _ := store.CountAssets(ctx)
	csv := "id,municipality,kind,lon,lat\nEVIL-1,29201,bridge,135.8,34.68\n"
	evil := map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}
	resp, body := request{"POST", "/api/v1/imports", "", csv, evil}.send(t, srv)
	wantRefusal(t, "import from evil.example", resp, body, 403, ProblemCrossSite)
	resp, body = request{"POST", "/api/v1/tokens", "", `{"name":"evil","role":"admin"}`, evil}.send(t, srv)
	wantRefusal(t, "token from evil.example", resp, body, 403, ProblemCrossSite)
	// Without Origin a browser still says where it comes from.
	for _, site := range []string{"cross-site", "same-site"} {
		resp, body = request{"POST", "/api/v1/imports", "", csv,
			map[string]string{"Sec-Fetch-Site": site, "Content-Type": "text/csv"}}.send(t, srv)
		wantRefusal(t, "import with Sec-Fetch-Site "+site, resp, body, 403, ProblemCrossSite)
	}
	resp, body = request{"DELETE", "/api/v1/assets/RT-1", "", "", map[string]string{"Origin": "null"}}.send(t, srv)
	wantRefusal(t, "delete from Origin null", resp, body, 403, ProblemCrossSite)
	// From this site, a form's type is still no JSON and no import.
	self := map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin", "Content-Type": "text/plain"}
	resp, body = request{"POST", "/api/v1/imports", "", csv, self}.send(t, srv)
	wantRefusal(t, "text/plain import", resp, body, 415, ProblemUnsupportedMediaType)
	self["Content-Type"] = "application/x-www-form-urlencoded"
	resp, body = request{"PUT", "/api/v1/cost-model", "", `{"damaged_factor": 2}`, self}.send(t, srv)
	wantRefusal(t, "form-typed cost model", resp, body, 415, ProblemUnsupportedMediaType)
	if !strings.Contains(body, "PUT /api/v1/cost-model takes a body of type application/json, found Content-Type application/x-www-form-urlencoded") {
		t.Errorf("415 detail: %s", body)
	}
	// Tokens need an admin's token even here, from any site.
	resp, body = request{"POST", "/api/v1/tokens", "", `{"name":"evil","role":"admin"}`,
		map[string]string{"Content-Type": "application/json"}}.send(t, srv)
	wantRefusal(t, "token without a token", resp, body, 401, ProblemUnauthorized)
	if n, _ := store.CountAssets(ctx); n != before {
		t.Errorf("%d assets after the refused writes, want %d", n, before)
	}
	if toks, _ := store.Tokens(ctx); len(toks) != 0 {
		t.Errorf("refused token creations made %d tokens", len(toks))
	}
	// The page itself and a script.
	self["Content-Type"] = "text/csv"
	if resp, body := (request{"POST", "/api/v1/imports", "", csv, self}).send(t, srv); resp.StatusCode != 200 {
		t.Errorf("import from the page: %d %s", resp.StatusCode, body)
	}
	script := map[string]string{"Content-Type": "application/json; charset=utf-8"}
	if resp, body := (request{"POST", "/api/v1/scenarios", "", `{"name": "s", "fiscal_year": 2027}`, script}).send(t, srv); resp.StatusCode != 201 {
		t.Errorf("scenario from a script: %d %s", resp.StatusCode, body)
	}
	if n, _ := store.CountAssets(ctx); n != before+1 {
		t.Errorf("%d assets after the page's import, want %d", n, before+1)
	}
}

// TestForeignHostRefused: a Host that does not name the server (DNS rebinding) is
// refused for reads and writes; the loopback names with the bound port and the names
// given as allowed hosts pass.
func TestForeignHostRefused(t *testing.T) {
	srv, _, _ := boundServer(t, SecurityOptions{AllowedHosts: []string{"tabane.example.jp"}})
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	jsonType := map[string]string{"Content-Type": "application/json"}
	resp, body := request{"PUT", "/api/v1/cost-model", "evil.example:" + port, `{"damaged_factor": 9}`, jsonType}.send(t, srv)
	wantRefusal(t, "rebinding PUT", resp, body, 403, ProblemHostNotAllowed)
	if want := fmt.Sprintf(`Host \"evil.example:%s\" does not name this server (localhost:%s, 127.0.0.1:%s, [::1]:%s, tabane.example.jp)`, port, port, port, port); !strings.Contains(body, want) {
		t.Errorf("rebinding detail: %s, want %s", body, want)
	}
	resp, body = request{"GET", "/api/v1/assets", "evil.example:" + port, "", nil}.send(t, srv)
	wantRefusal(t, "rebinding read", resp, body, 403, ProblemHostNotAllowed)
	resp, body = request{"GET", "/api/v1/assets", "localhost:1", "", nil}.send(t, srv)
	wantRefusal(t, "another port", resp, body, 403, ProblemHostNotAllowed)
	for _, host := range []string{"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "tabane.example.jp", "TABANE.example.jp:443"} {
		if resp, body := (request{"GET", "/api/v1/cost-model", host, "", nil}).send(t, srv); resp.StatusCode != 200 {
			t.Errorf("Host %s: %d %s", host, resp.StatusCode, body)
		}
	}
	var cm data.CostModel
	_, body = request{"GET", "/api/v1/cost-model", "", "", nil}.send(t, srv)
	if err := json.Unmarshal([]byte(body), &cm); err != nil || cm.DamagedFactor != 1.15 {
		t.Errorf("cost model after the refused PUT: %s", body)
	}
}

// poisonCSV, poisonGeoJSON and poisonXROAD put one bridge of Nara (29201) into each
// import format with the given length (and, for CSV and GeoJSON, equipment).
func poisonCSV(length, equipment string) string {
	return "id,municipality,kind,lon,lat,length_m,equipment\nPOISON-1,29201,bridge,135.8,34.68," + length + "," + equipment + "\n"
}

func poisonGeoJSON(length, equipment string) string {
	eq := ""
	if equipment != "" {
		eq = fmt.Sprintf(`, "equipment": %q`, equipment)
	}
	return fmt.Sprintf(`{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [135.8, 34.68]},
		"properties": {"id": "POISON-1", "municipality": "29201", "kind": "bridge", "length_m": %s%s}}]}`, length, eq)
}

func poisonXROAD(length string) string {
	return fmt.Sprintf(`{"result": [{"syogen": {"shisetsu": {"meisyou": "毒橋"}, "kyouchou": %s, "kanrisya": {"kubun": 5, "meisyou": "奈良市"},
		"gyousei_kuiki": {"shikuchouson_code": "29201"}, "ichi": {"ido": 34.68, "keido": 135.8}}, "tenken": {"nendo": 0}}]}`, length)
}

// TestPoisonedValuesRefusedAtEveryEntrance: the values of issue 14 that broke reads and
// runs are refused with the same 422, path and message by the API, each import format
// and the cost model, and nothing is stored.
func TestPoisonedValuesRefusedAtEveryEntrance(t *testing.T) {
	ctx := context.Background()
	srv, store, _ := boundServer(t, SecurityOptions{})
	before, _ := store.CountAssets(ctx)
	lengthMsg := solver.InputError{Path: "length_m", Msg: "must be a finite number from 0 to 100000 m, found 1e+308"}
	equipMsg := solver.InputError{Path: "equipment[0]", Msg: `"death_ray" is not equipment with a price (aerial_platform, boat, rail_coordination, rope_access, snooper_truck, traffic_control)`}
	jsonType := map[string]string{"Content-Type": "application/json"}
	apiCase := func(what, method, path, body string, want solver.InputError) {
		t.Helper()
		resp, raw := request{method, path, "", body, jsonType}.send(t, srv)
		var p Problem
		if err := jsonUnmarshal(raw, &p); err != nil || resp.StatusCode != 422 || len(p.Errors) != 1 || p.Errors[0] != want {
			t.Errorf("%s: %d %s, want 422 with %+v", what, resp.StatusCode, raw, want)
		}
	}
	asset := `{"id": "POISON-1", "municipality": "29201", "kind": "bridge", "lon": 135.8, "lat": 34.68, %s}`
	apiCase("POST length", "POST", "/api/v1/assets", fmt.Sprintf(asset, `"length_m": 1e308`), lengthMsg)
	apiCase("POST equipment", "POST", "/api/v1/assets", fmt.Sprintf(asset, `"equipment": ["death_ray"]`), equipMsg)
	apiCase("POST id", "POST", "/api/v1/assets", `{"id": "RT 1;x", "municipality": "29201", "kind": "bridge", "lon": 135.8, "lat": 34.68}`,
		solver.InputError{Path: "id", Msg: `must not contain spaces, control characters or any of / \ ; ? # %, found "RT 1;x"`})
	apiCase("POST name", "POST", "/api/v1/assets", fmt.Sprintf(asset, `"name": "`+strings.Repeat("橋", 201)+`"`),
		solver.InputError{Path: "name", Msg: "must be at most 200 characters, found 201"})
	apiCase("POST kind", "POST", "/api/v1/assets", `{"municipality": "29201", "kind": "death_star", "lon": 135.8, "lat": 34.68, "cost": 1, "workload": 1}`,
		solver.InputError{Path: "kind", Msg: `"death_star" is not a kind the cost model prices (bridge, culvert, footbridge, pump_station, road_furniture, sewer_plant, tunnel)`})
	stored, _, err := store.Assets(ctx, data.AssetFilter{Limit: 1})
	if err != nil || len(stored) != 1 {
		t.Fatal(err)
	}
	apiCase("PATCH length", "PATCH", "/api/v1/assets/"+stored[0].ID, `{"length_m": 1e308}`, lengthMsg)
	apiCase("PATCH equipment", "PATCH", "/api/v1/assets/"+stored[0].ID, `{"equipment": ["death_ray"]}`, equipMsg)

	// An import names the field as its format does (the GeoJSON property, the xROAD
	// member); the message is the API's.
	importCase := func(what, format, ctype, file string, want solver.InputError, field string) {
		t.Helper()
		want.Path = field
		resp, raw := request{"POST", "/api/v1/imports?format=" + format, "", file, map[string]string{"Content-Type": ctype}}.send(t, srv)
		var rep data.ImportReport
		if err := jsonUnmarshal(raw, &rep); err != nil || resp.StatusCode != 422 || len(rep.Rejected) != 1 ||
			rep.Rejected[0].Field != want.Path || rep.Rejected[0].Reason != want.Msg {
			t.Errorf("%s: %d %s, want 422 rejecting %+v", what, resp.StatusCode, raw, want)
		}
	}
	importCase("CSV length", "csv", "text/csv", poisonCSV("1e308", ""), lengthMsg, "length_m")
	importCase("CSV equipment", "csv", "text/csv", poisonCSV("10", "death_ray"), equipMsg, "equipment[0]")
	importCase("GeoJSON length", "geojson", "application/geo+json", poisonGeoJSON("1e308", ""), lengthMsg, "properties.length_m")
	importCase("GeoJSON equipment", "geojson", "application/geo+json", poisonGeoJSON("10", "death_ray"), equipMsg, "equipment[0]")
	importCase("xROAD length", "xroad", "application/json", poisonXROAD("1e308"), lengthMsg, "syogen.kyouchou")
	yearMsg := solver.InputError{Path: "year_built", Msg: "must be between 1800 and 2200, found 1700"}
	apiCase("POST year", "POST", "/api/v1/assets", fmt.Sprintf(asset, `"year_built": 1700`), yearMsg)
	importCase("CSV year", "csv", "text/csv", "id,municipality,kind,lon,lat,year_built\nPOISON-1,29201,bridge,135.8,34.68,1700\n", yearMsg, "year_built")

	apiCase("cost model figure", "PUT", "/api/v1/cost-model", `{"kinds": {"bridge": {"base": 1e308}}}`,
		solver.InputError{Path: "kinds.bridge.base", Msg: "must be a finite number from 0 to 10000000000 yen, found 1e+308"})
	apiCase("cost model kind", "PUT", "/api/v1/cost-model", `{"kinds": {"death_star": {"base": 1}}}`,
		solver.InputError{Path: "kinds.death_star", Msg: `"death_star" is not a kind the solver knows (bridge, culvert, footbridge, pump_station, road_furniture, sewer_plant, tunnel)`})
	apiCase("cost model equipment", "PUT", "/api/v1/cost-model", `{"kinds": {"bridge": {"base": 1, "equipment": ["death_ray"]}}}`,
		solver.InputError{Path: "kinds.bridge.equipment[0]", Msg: equipMsg.Msg})

	if n, _ := store.CountAssets(ctx); n != before {
		t.Errorf("%d assets after the refused writes, want %d", n, before)
	}
	if a, _ := store.Asset(ctx, stored[0].ID); a.LengthM != nil && *a.LengthM == 1e308 {
		t.Errorf("PATCH stored length 1e308")
	}
	if cm, _ := store.CostModel(ctx); !cm.IsDefault {
		t.Errorf("a refused PUT changed the cost model: %+v", cm.Model)
	}
	// Reads and runs still work.
	sc := map[string]string{"Content-Type": "application/json"}
	resp, raw := request{"POST", "/api/v1/scenarios", "", `{"name": "after", "fiscal_year": 2027}`, sc}.send(t, srv)
	var scenario data.Scenario
	if jsonUnmarshal(raw, &scenario) != nil || resp.StatusCode != 201 {
		t.Fatalf("scenario: %d %s", resp.StatusCode, raw)
	}
	if resp, raw := (request{"GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", scenario.ID), "", "", nil}).send(t, srv); resp.StatusCode != 200 {
		t.Errorf("instance: %d %s", resp.StatusCode, raw)
	}
}

// TestStoredBadRowsStillRead: rows written before the rules (here by SQL, as an older
// version could) do not break reads; the instance build names them (422).
func TestStoredBadRowsStillRead(t *testing.T) {
	ctx := context.Background()
	srv, store, dbPath := boundServer(t, SecurityOptions{})
	stored, _, _ := store.Assets(ctx, data.AssetFilter{Kind: "bridge", Limit: 2})
	long, inf := stored[0], stored[1]
	db, err := sql.Open("sqlite3", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE assets SET length_m = 1e308, last_inspection_fy = NULL WHERE id = ?`, long.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE assets SET cost = 9e999, last_inspection_fy = NULL WHERE id = ?`, inf.ID); err != nil {
		t.Fatal(err)
	}
	resp, raw := request{"GET", "/api/v1/assets/" + long.ID, "", "", nil}.send(t, srv)
	var v assetView
	if jsonUnmarshal(raw, &v) != nil || resp.StatusCode != 200 || v.Derived.Cost != nil || *v.LengthM != 1e308 ||
		len(v.Derived.Why) != 1 || v.Derived.Why[0] != "asset "+long.ID+": length_m: must be a finite number from 0 to 100000 m, found 1e+308" {
		t.Errorf("GET the long asset: %d %s", resp.StatusCode, raw)
	}
	resp, raw = request{"GET", "/api/v1/assets/" + inf.ID, "", "", nil}.send(t, srv)
	if jsonUnmarshal(raw, &v) != nil || resp.StatusCode != 200 || v.Cost != nil || v.Derived.Cost != nil ||
		v.Derived.Why[0] != "asset "+inf.ID+": cost: must be a finite number from 0 to 10000000000 yen, found +Inf" {
		t.Errorf("GET the infinite asset: %d %s", resp.StatusCode, raw)
	}
	for _, path := range []string{"/api/v1/assets?municipality=" + long.Municipality + "&limit=10000", "/api/v1/assets?format=geojson", "/api/v1/assets?format=csv"} {
		resp, raw := request{"GET", path, "", "", nil}.send(t, srv)
		if resp.StatusCode != 200 || !strings.Contains(raw, long.ID) || !strings.Contains(raw, inf.ID) {
			t.Errorf("GET %s: %d, %d bytes without both assets", path, resp.StatusCode, len(raw))
		}
	}
	resp, raw = request{"POST", "/api/v1/scenarios", "", `{"name": "old rows", "fiscal_year": 2027}`, map[string]string{"Content-Type": "application/json"}}.send(t, srv)
	var scenario data.Scenario
	if jsonUnmarshal(raw, &scenario) != nil || resp.StatusCode != 201 {
		t.Fatalf("scenario: %d %s", resp.StatusCode, raw)
	}
	resp, raw = request{"GET", fmt.Sprintf("/api/v1/scenarios/%d/instance", scenario.ID), "", "", nil}.send(t, srv)
	var p Problem
	if jsonUnmarshal(raw, &p) != nil || resp.StatusCode != 422 ||
		!strings.Contains(p.Detail, "assets["+long.ID+"].length_m: must be a finite number from 0 to 100000 m, found 1e+308") ||
		!strings.Contains(p.Detail, "assets["+inf.ID+"].cost: must be a finite number from 0 to 10000000000 yen, found +Inf") {
		t.Errorf("instance over bad rows: %d %s, want 422 naming both", resp.StatusCode, raw)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestSmallerHardening: query values that cannot name anything are 400s, HEAD answers on
// every GET route as GET does without a body, and a route's own body limit names itself.
func TestSmallerHardening(t *testing.T) {
	srv, s, _ := secServer(t, true, SecurityOptions{})
	for _, path := range []string{"/api/v1/assets?kind=bridge'--", "/api/v1/assets?bbox=NaN,34,136,35",
		"/api/v1/assets?bbox=135,34,Inf,35", "/api/v1/depots?kind=castle'"} {
		resp, body := request{"GET", path, "", "", nil}.send(t, srv)
		wantRefusal(t, path, resp, body, 400, ProblemInvalidParameter)
	}
	heads := 0
	for _, r := range s.Echo().Routes() {
		if r.Method != http.MethodGet || strings.HasSuffix(r.Path, "/events") || strings.Contains(r.Path, "*") {
			continue
		}
		path := concretePath(r.Path)
		get, _ := request{"GET", path, "", "", nil}.send(t, srv)
		head, body := request{"HEAD", path, "", "", nil}.send(t, srv)
		// A refusal of HEAD has no body and so no type (problem.go); a success keeps GET's.
		if head.StatusCode != get.StatusCode || body != "" || (get.StatusCode < 300 && head.Header.Get("Content-Type") != get.Header.Get("Content-Type")) {
			t.Errorf("HEAD %s: %d %q %q, GET %d %q", path, head.StatusCode, head.Header.Get("Content-Type"), body, get.StatusCode, get.Header.Get("Content-Type"))
		}
		heads++
	}
	if heads < 20 {
		t.Errorf("HEAD checked on %d GET routes, want them all", heads)
	}
	resp, body := authCall(t, srv, "POST", "/api/v1/groups", "", []byte(`{"k": 4, "x": "`+strings.Repeat("x", 70_000)+`"}`))
	p := limitRefusal(t, "groups body", resp, []byte(body), 413, "body_limit")
	if p.LimitBytes != 64_000 || !strings.Contains(p.Detail, "may hold at most 64KB (64000 bytes)") {
		t.Errorf("groups body limit: %+v", p)
	}
}

// TestFailedAuthenticationLimited: each address may fail a few times; then every
// credential from it is refused, a right one too, while other addresses go on.
func TestFailedAuthenticationLimited(t *testing.T) {
	ctx := context.Background()
	srv, _, store := secServer(t, false, SecurityOptions{ListenAddr: "0.0.0.0:8080", TrustProxy: true, AuthFailureBurst: 3})
	_, good, _ := store.CreateToken(ctx, "ok", data.RoleViewer)
	from := func(addr, token string) (*http.Response, string) {
		return request{"GET", "/api/v1/assets", "", "", map[string]string{"X-Forwarded-For": addr, "Authorization": "Bearer " + token}}.send(t, srv)
	}
	for i := 0; i < 3; i++ {
		if resp, body := from("203.0.113.9", "tbn_guess"+fmt.Sprint(i)); resp.StatusCode != 401 {
			t.Fatalf("guess %d: %d %s", i, resp.StatusCode, body)
		}
	}
	resp, body := from("203.0.113.9", "tbn_guess3")
	p := limitRefusal(t, "fourth guess", resp, []byte(body), 429, "auth_failures")
	if p.Burst != 3 || resp.Header.Get("Retry-After") != "6" {
		t.Errorf("fourth guess: %+v Retry-After %q", p, resp.Header.Get("Retry-After"))
	}
	if resp, _ := from("203.0.113.9", good); resp.StatusCode != 429 {
		t.Errorf("the right token from the blocked address: %d, want 429", resp.StatusCode)
	}
	if resp, _ := from("198.51.100.7", good); resp.StatusCode != 200 {
		t.Errorf("the right token from another address: %d, want 200", resp.StatusCode)
	}
	// A stale session cookie is a page left open, not a guess: it spends nothing.
	for i := 0; i < 5; i++ {
		resp, _ := request{"GET", "/api/v1/assets", "", "", map[string]string{"X-Forwarded-For": "198.51.100.9",
			"Cookie": "tabane_session=" + data.SessionPrefix + "ended"}}.send(t, srv)
		if resp.StatusCode != 401 {
			t.Fatalf("stale cookie %d: %d, want 401", i, resp.StatusCode)
		}
	}
	if resp, _ := from("198.51.100.9", good); resp.StatusCode != 200 {
		t.Errorf("the right token after stale cookies: %d, want 200", resp.StatusCode)
	}
	// The sign-in form spends the same budget.
	form := map[string]string{"X-Forwarded-For": "198.51.100.8", "Content-Type": "application/x-www-form-urlencoded"}
	for i, want := range []int{401, 401, 401, 429} {
		if resp, _ := (request{"POST", "/login", "", "token=tbn_wrong", form}).send(t, srv); resp.StatusCode != want {
			t.Errorf("sign-in %d: %d, want %d", i, resp.StatusCode, want)
		}
	}
}

// TestEventStreamClosedOnRevocation: an event stream opened with a token ends when the
// token is revoked, while its run goes on.
func TestEventStreamClosedOnRevocation(t *testing.T) {
	ctx := context.Background()
	srv, _, store := secServer(t, true, SecurityOptions{ListenAddr: "0.0.0.0:8080", CredentialRecheck: 20 * time.Millisecond})
	planner, secret, _ := store.CreateToken(ctx, "watcher", data.RolePlanner)
	resp, body := authCall(t, srv, "POST", "/api/v1/scenarios", secret, []byte(`{"name": "long", "fiscal_year": 2027}`))
	var sc data.Scenario
	if jsonUnmarshal(string(body), &sc) != nil || resp.StatusCode != 201 {
		t.Fatalf("scenario: %d %s", resp.StatusCode, body)
	}
	resp, body = authCall(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/runs", sc.ID), secret, []byte(`{"time_limit_s": 600}`))
	var run data.Run
	if jsonUnmarshal(string(body), &run) != nil || resp.StatusCode != 202 {
		t.Fatalf("run: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/runs/%d/events", srv.URL, run.ID), nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("events: %v %v", stream.StatusCode, err)
	}
	defer stream.Body.Close()
	rd := bufio.NewReader(stream.Body)
	if line, err := rd.ReadString('\n'); err != nil || line != "retry: 2000\n" {
		t.Fatalf("first line %q %v", line, err)
	}
	if _, err := store.RevokeToken(ctx, planner.ID); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(rd) // ends when the server closes the stream
	if err != nil || strings.Contains(string(rest), "event: done") {
		t.Errorf("after revocation: %v, %q; want the stream closed before the run ends", err, rest)
	}
	if r, err := store.Run(ctx, run.ID); err != nil || (r.Status != data.RunRunning && r.Status != data.RunQueued) {
		t.Errorf("the run after its watcher left: %v %v, want it still going", r.Status, err)
	}
	_, admin, _ := store.CreateToken(ctx, "admin", data.RoleAdmin)
	if resp, body := authCall(t, srv, "DELETE", fmt.Sprintf("/api/v1/runs/%d", run.ID), admin, nil); resp.StatusCode >= 300 {
		t.Errorf("cancel the run: %d %s", resp.StatusCode, body)
	}
}
