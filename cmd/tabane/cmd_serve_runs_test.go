package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/data"
)

func postJSON(t *testing.T, url, body string, v any) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if v != nil {
		if err := json.Unmarshal(buf.Bytes(), v); err != nil {
			t.Fatalf("POST %s: %v in %s", url, err, buf.Bytes())
		}
	}
	return resp.StatusCode
}

// TestServeShutdownKeepsRunPlans: a run left running by the previous server is
// interrupted when tabane serve starts; a run still solving when the server is stopped
// ends cancelled with its best plan, its event stream gets "done", and the server exits
// cleanly; the next server shows the plan.
func TestServeShutdownKeepsRunPlans(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "runs.db")
	store, err := data.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := store.CreateScenario(ctx, data.Scenario{Name: "north", FiscalYear: 2027, Params: data.DefaultParams(),
		Filter: &data.ScenarioFilter{Municipalities: []string{"29201", "29202", "29203", "29204"}}})
	if err != nil {
		t.Fatal(err)
	}
	crashed, err := store.CreateRun(ctx, data.NewRun{ScenarioID: sc.ID, Seed: 1, TimeLimitS: 5, Instance: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := store.StartRun(ctx, crashed.ID); !ok || err != nil {
		t.Fatal(ok, err)
	}
	store.Close()

	s := startServe(t, "--addr", "127.0.0.1:0", "--db", db, "--runs", "1")
	if s.url == "" {
		t.Fatalf("serve did not start: %s", s.stderr.String())
	}
	api := s.url + "/api/v1"
	var run data.Run
	if code := getJSON(t, fmt.Sprintf("%s/runs/%d", api, crashed.ID), &run); code != 200 || run.Status != data.RunInterrupted {
		t.Errorf("run left running: %d %+v, want interrupted", code, run)
	}
	if code := postJSON(t, fmt.Sprintf("%s/scenarios/%d/runs", api, sc.ID), `{"time_limit_s": 600}`, &run); code != 202 {
		t.Fatalf("start run: %d", code)
	}
	resp, err := http.Get(fmt.Sprintf("%s/runs/%d/events", api, run.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	for lines.Scan() { // until the first feasible plan
		if strings.HasPrefix(lines.Text(), "data: ") && strings.Contains(lines.Text(), `"feasible":true`) {
			break
		}
	}
	s.stop() // SIGINT/SIGTERM in main
	var last string
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "event: ") {
			last = lines.Text()
		}
	}
	if last != "event: done" {
		t.Errorf("the event stream ended with %q, want event: done", last)
	}
	if code := <-s.done; code != 0 {
		t.Errorf("serve exited %d: %s", code, s.stderr.String())
	}

	s = startServe(t, "--addr", "127.0.0.1:0", "--db", db)
	if s.url == "" {
		t.Fatalf("serve did not restart: %s", s.stderr.String())
	}
	api = s.url + "/api/v1"
	getJSON(t, fmt.Sprintf("%s/runs/%d", api, run.ID), &run)
	if run.Status != data.RunCancelled || !run.HasPlan || run.Error == nil || !strings.Contains(*run.Error, "shutdown") {
		t.Errorf("run stopped by the shutdown: %+v", run)
	}
	var plan struct {
		Feasible bool    `json:"feasible"`
		Cost     float64 `json:"cost"`
	}
	if code := getJSON(t, fmt.Sprintf("%s/runs/%d/plan", api, run.ID), &plan); code != 200 || !plan.Feasible || plan.Cost != run.Summary.Cost {
		t.Errorf("kept plan: %d %+v", code, plan)
	}
}
