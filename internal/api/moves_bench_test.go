package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
	"github.com/tabane/tabane/solver"
)

// demoRun2027 solves the whole demo for FY2027 with the default parameters for
// timeLimit seconds and returns the server and the finished run.
func demoRun2027(tb testing.TB, timeLimit float64) (*httptest.Server, data.Run) {
	tb.Helper()
	store, q := planningStore(tb)
	// No rate limit: the benchmarks send requests back to back (the limiter has its own tests).
	srv := httptest.NewServer(New(store, Options{Runs: q, Security: SecurityOptions{Limits: Limits{RateLimit: -1}}}).Handler())
	tb.Cleanup(func() {
		q.Close()
		srv.Close()
	})
	ctx := context.Background()
	sc, err := store.CreateScenario(ctx, data.Scenario{Name: "demo FY2027", FiscalYear: 2027, Params: data.DefaultParams()})
	if err != nil {
		tb.Fatal(err)
	}
	inst, err := store.ScenarioInstance(ctx, sc)
	if err != nil {
		tb.Fatal(err)
	}
	run, err := q.Submit(ctx, sc.ID, jobs.Request{TimeLimit: secondsDuration(timeLimit), Seed: 1}, inst)
	if err != nil {
		tb.Fatal(err)
	}
	ch, stop := q.Subscribe(run.ID)
	for range ch {
	}
	stop()
	run, err = store.Run(ctx, run.ID)
	if err != nil || run.Status != data.RunDone {
		tb.Fatalf("demo run: %+v %v", run, err)
	}
	return srv, run
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// demoPlan2027 is the plan and compiled instance of a demo FY2027 run, read back through the API.
func demoPlan2027(b *testing.B, srv *httptest.Server, run data.Run) (*solver.Model, *solver.Plan) {
	b.Helper()
	var rep solver.Report
	if resp := get(b, srv, fmt.Sprintf("/api/v1/runs/%d/plan", run.ID), &rep); resp.StatusCode != 200 {
		b.Fatalf("plan: %d", resp.StatusCode)
	}
	var inst solver.Instance
	if resp := get(b, srv, fmt.Sprintf("/api/v1/scenarios/%d/instance", *run.ScenarioID), &inst); resp.StatusCode != 200 {
		b.Fatalf("instance: %d", resp.StatusCode)
	}
	m, err := solver.Compile(&inst)
	if err != nil {
		b.Fatal(err)
	}
	p := rep.Plan()
	if len(p.Bundles) < 2 {
		b.Fatalf("the demo plan has %d lots; the benchmark moves an asset between two", len(p.Bundles))
	}
	return m, p
}

// BenchmarkMovesDemo2027 is issue 15's target (< 200 ms): one asset of the demo's FY2027
// plan moved to another lot through POST /api/v1/runs/{id}/moves, a real HTTP request
// to a real server over SQLite (load the run, compile, evaluate before and after).
func BenchmarkMovesDemo2027(b *testing.B) {
	srv, run := demoRun2027(b, 5)
	_, p := demoPlan2027(b, srv, run)
	body, _ := json.Marshal(movesRequest{Moves: []solver.Move{{Asset: p.Bundles[0].Assets[0], ToLot: p.Bundles[1].ID}}})
	path := fmt.Sprintf("%s/api/v1/runs/%d/moves", srv.URL, run.ID)
	b.ResetTimer()
	for b.Loop() {
		resp, err := http.Post(path, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("moves: %d", resp.StatusCode)
		}
	}
}

// BenchmarkEvaluateDemo2027 is Evaluate alone on the demo's FY2027 plan.
func BenchmarkEvaluateDemo2027(b *testing.B) {
	srv, run := demoRun2027(b, 5)
	m, p := demoPlan2027(b, srv, run)
	b.ResetTimer()
	for b.Loop() {
		solver.Evaluate(m, p)
	}
}

// BenchmarkWhyAssetDemo2027 is GET /api/v1/runs/{id}/why?asset= on the demo's FY2027 plan:
// one evaluation per other lot.
func BenchmarkWhyAssetDemo2027(b *testing.B) {
	srv, run := demoRun2027(b, 5)
	_, p := demoPlan2027(b, srv, run)
	path := fmt.Sprintf("/api/v1/runs/%d/why?asset=%s", run.ID, p.Bundles[0].Assets[0])
	b.ResetTimer()
	for b.Loop() {
		var w solver.AssetWhy
		if resp := get(b, srv, path, &w); resp.StatusCode != 200 {
			b.Fatalf("why: %d", resp.StatusCode)
		}
	}
}
