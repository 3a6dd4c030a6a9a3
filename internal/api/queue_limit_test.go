package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/jobs"
)

// TestMaxQueuedRunsUnderConcurrency (issue 14, item 4): 200 POST …/runs at once against
// a real server whose queue solves one run (already busy) and lets 5 wait. The limit's
// check and the run's insert are one step in the job queue, so exactly 5 are accepted,
// whatever the interleaving; the other 195 are 503 problems naming the limit, and
// nothing of theirs is stored.
func TestMaxQueuedRunsUnderConcurrency(t *testing.T) {
	const limit, posts = 5, 200
	ctx := context.Background()
	store, err := data.Open(ctx, filepath.Join(t.TempDir(), "limit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.Open(ctx, store, jobs.Options{Concurrency: 1, Threads: 1, MaxQueuedRuns: limit})
	if err != nil {
		t.Fatal(err)
	}
	// The rate limit is off and the request timeout long: this test is about the queue,
	// not about one client's pace or a slow machine (-race).
	s := New(store, Options{Runs: q, Security: SecurityOptions{Limits: Limits{RateLimit: -1, RequestTimeout: time.Hour}}})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		q.Close() // the accepted runs end (cancelled, interrupted) before the store closes
		srv.Close()
	})
	// The solver's one slot is taken first by a run of the whole demo, whose gap does
	// not close within the test: no run ends and frees the slot during the burst.
	whole, err := store.CreateScenario(ctx, data.Scenario{Name: "whole", FiscalYear: 2027, Params: data.DefaultParams()})
	if err != nil {
		t.Fatal(err)
	}
	var solving data.Run
	if resp, raw := call(t, srv, "POST", fmt.Sprintf("/api/v1/scenarios/%d/runs", whole.ID), `{"time_limit_s": 3600}`, &solving); resp.StatusCode != 202 {
		t.Fatalf("the whole demo's run: %d %s", resp.StatusCode, raw)
	}
	ch, stop := q.Subscribe(solving.ID)
	<-ch // its first progress: it has started
	stop()
	sc, err := store.CreateScenario(ctx, data.Scenario{Name: "crowd", FiscalYear: 2027, Params: data.DefaultParams(),
		Filter: &data.ScenarioFilter{Municipalities: smallFilter}})
	if err != nil {
		t.Fatal(err)
	}

	type answer struct {
		status int
		retry  string
		ctype  string
		body   []byte
	}
	answers := make([]answer, posts)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range posts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := http.Post(fmt.Sprintf("%s/api/v1/scenarios/%d/runs", srv.URL, sc.ID), "application/json",
				bytes.NewReader([]byte(`{"time_limit_s": 3600}`)))
			if err != nil {
				answers[i] = answer{status: -1, body: []byte(err.Error())}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			answers[i] = answer{resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), b}
		}()
	}
	close(start)
	wg.Wait()

	var accepted []data.Run
	refused := 0
	for i, a := range answers {
		switch a.status {
		case http.StatusAccepted:
			var run data.Run
			if err := json.Unmarshal(a.body, &run); err != nil {
				t.Fatalf("post %d: %v in %s", i, err, a.body)
			}
			accepted = append(accepted, run)
		case http.StatusServiceUnavailable:
			refused++
			var p limitProblem
			if err := json.Unmarshal(a.body, &p); err != nil {
				t.Fatalf("post %d: %v in %s", i, err, a.body)
			}
			want := fmt.Sprintf("max_queued_runs: %d runs are waiting for a solver slot, the most this server queues; retry later or cancel some", limit)
			if a.ctype != ProblemContentType || a.retry != "30" || p.Type != ProblemQueueFull || p.Title != "Run queue full" ||
				p.Status != 503 || p.Limit != "max_queued_runs" || p.MaxQueuedRuns != limit || p.Detail != want ||
				p.Instance != fmt.Sprintf("/api/v1/scenarios/%d/runs", sc.ID) {
				t.Fatalf("post %d: refusal %s %q Retry-After %q", i, a.ctype, a.body, a.retry)
			}
		default:
			t.Fatalf("post %d: %d %s", i, a.status, a.body)
		}
	}
	if len(accepted) != limit || refused != posts-limit {
		t.Fatalf("%d accepted, %d refused; want %d accepted and %d refused", len(accepted), refused, limit, posts-limit)
	}
	for status, want := range map[string]int{data.RunRunning: 1, data.RunQueued: limit, "": limit + 1} {
		if _, n, err := store.Runs(ctx, data.RunFilter{Status: status}); err != nil || n != want {
			t.Errorf("runs with status %q: %d (%v), want %d", status, n, err, want)
		}
	}
	if run, err := store.Run(ctx, solving.ID); err != nil || run.Status != data.RunRunning {
		t.Errorf("run %d: %+v %v, want it still solving", solving.ID, run, err)
	}
}
