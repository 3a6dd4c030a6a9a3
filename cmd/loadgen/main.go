// Command loadgen is tabane's load benchmark (make load): it starts `tabane serve` on a
// temporary database with the demo inventory and a free loopback port, solves one
// scenario so that there is a plan to read, then lets N concurrent clients send a fixed
// mix of requests — plans, plan GeoJSON, inventory GeoJSON and lists, and new runs — until
// the request count or the duration is reached. It prints throughput, p50/p99 latency
// and errors per kind of request, and stops the server with SIGTERM.
//
// It is a benchmark, not a test: the figures depend on the machine.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/tabane", "the tabane `binary` to start")
	clients := flag.Int("clients", 8, "concurrent clients")
	requests := flag.Int("requests", 4000, "total requests (upper bound)")
	duration := flag.Duration("duration", 60*time.Second, "longest time to send requests (upper bound)")
	runLimit := flag.Float64("run-time-limit", 0.5, "time_limit_s of the runs the clients submit")
	withToken := flag.Bool("token", false, "serve with --require-token and send a planner token with every request (measures access control)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *bin, *clients, *requests, *duration, *runLimit, *withToken); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// kind is one kind of request of the mix, with its share (out of 20).
type kind struct {
	name  string
	share int
	req   func(c *client) (*http.Request, error)
}

type client struct {
	base       string
	runID      int64
	scID       int64
	planAssets int
}

func (c *client) get(path string) (*http.Request, error) {
	return http.NewRequest("GET", c.base+path, nil)
}

// authToken is sent as a bearer token with every request when set (--token).
var authToken string

func authorize(r *http.Request) *http.Request {
	if authToken != "" {
		r.Header.Set("Authorization", "Bearer "+authToken)
	}
	return r
}

var mix = []kind{
	{"GET plan", 6, func(c *client) (*http.Request, error) { return c.get(fmt.Sprintf("/api/v1/runs/%d/plan", c.runID)) }},
	{"GET plan.geojson", 4, func(c *client) (*http.Request, error) {
		return c.get(fmt.Sprintf("/api/v1/runs/%d/plan.geojson", c.runID))
	}},
	{"GET assets geojson (1 city)", 4, func(c *client) (*http.Request, error) {
		return c.get("/api/v1/assets?format=geojson&municipality=29201")
	}},
	{"GET municipalities", 2, func(c *client) (*http.Request, error) { return c.get("/api/v1/municipalities") }},
	{"GET run", 2, func(c *client) (*http.Request, error) { return c.get(fmt.Sprintf("/api/v1/runs/%d", c.runID)) }},
	{"POST run", 2, nil}, // set in run: needs the time limit
}

type sample struct {
	kind    int
	latency time.Duration
	ok      bool
	refused bool // 429 or 503: a limit said no (rate, queue, timeout), as designed
}

func run(ctx context.Context, bin string, clients, requests int, duration time.Duration, runLimit float64, withToken bool) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%w (build it first: make build)", err)
	}
	dir, err := os.MkdirTemp("", "tabane-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "load.db")
	args := []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--rate-limit", "0", "--runs", "1"}
	if withToken {
		out, err := exec.Command(bin, "token", "create", "--role", "planner", "--name", "loadgen", "--db", db).Output()
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		authToken = strings.TrimSpace(string(out))
		args = append(args, "--require-token")
	}
	srv := exec.Command(bin, args...)
	var stderr bytes.Buffer
	srv.Stderr = &stderr
	stdout, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
	}()
	base := ""
	sc := bufio.NewScanner(stdout)
	for base == "" && sc.Scan() {
		if _, after, ok := strings.Cut(sc.Text(), "serving "); ok {
			base, _, _ = strings.Cut(after, " ")
		}
	}
	if base == "" {
		srv.Wait()
		return fmt.Errorf("the server did not start: %s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)

	setup := &client{base: base}
	if err := prepare(ctx, setup); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	body := fmt.Sprintf(`{"time_limit_s": %g}`, runLimit)
	mix[len(mix)-1].req = func(c *client) (*http.Request, error) {
		r, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/scenarios/%d/runs", c.base, c.scID), strings.NewReader(body))
		if err == nil {
			r.Header.Set("Content-Type", "application/json")
		}
		return r, err
	}
	var wheel []int
	for i, k := range mix {
		for j := 0; j < k.share; j++ {
			wheel = append(wheel, i)
		}
	}

	auth := "no token"
	if withToken {
		auth = "--require-token, a planner token on every request"
	}
	fmt.Printf("loadgen: %d clients, at most %d requests or %s, against %s (demo: 6600 assets, %d-asset plan; %s)\n",
		clients, requests, duration, base, setup.planAssets, auth)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 2 * time.Minute}
	var next atomic.Int64
	deadline := time.Now().Add(duration)
	samples := make([][]sample, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := &client{base: base, runID: setup.runID, scID: setup.scID}
			for {
				i := next.Add(1) - 1
				if i >= int64(requests) || time.Now().After(deadline) || ctx.Err() != nil {
					return
				}
				k := wheel[int(i)%len(wheel)]
				req, err := mix[k].req(c)
				if err != nil {
					samples[w] = append(samples[w], sample{kind: k})
					continue
				}
				t0 := time.Now()
				resp, err := hc.Do(authorize(req.WithContext(ctx)))
				ok := err == nil && resp.StatusCode < 300
				refused := err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				samples[w] = append(samples[w], sample{kind: k, latency: time.Since(t0), ok: ok, refused: refused})
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(samples, elapsed)
	return nil
}

// prepare makes a scenario of four municipalities and solves it once.
func prepare(ctx context.Context, c *client) error {
	var sc struct{ ID int64 }
	if err := postJSON(ctx, c.base+"/api/v1/scenarios",
		`{"name": "load", "fiscal_year": 2027, "filter": {"municipalities": ["29201", "29202", "29203", "29204"]}}`, &sc); err != nil {
		return err
	}
	var r struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if err := postJSON(ctx, fmt.Sprintf("%s/api/v1/scenarios/%d/runs", c.base, sc.ID), `{"time_limit_s": 3}`, &r); err != nil {
		return err
	}
	for r.Status != "done" {
		if r.Status == "failed" || r.Status == "cancelled" || r.Status == "interrupted" {
			return fmt.Errorf("the setup run ended %s", r.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if err := getJSON(ctx, fmt.Sprintf("%s/api/v1/runs/%d", c.base, r.ID), &r); err != nil {
			return err
		}
	}
	var plan struct {
		Bundles []struct {
			AssetCount int `json:"asset_count"`
		} `json:"bundles"`
	}
	if err := getJSON(ctx, fmt.Sprintf("%s/api/v1/runs/%d/plan", c.base, r.ID), &plan); err != nil {
		return err
	}
	for _, b := range plan.Bundles {
		c.planAssets += b.AssetCount
	}
	c.scID, c.runID = sc.ID, r.ID
	return nil
}

func postJSON(ctx context.Context, url, body string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return do(req, v)
}

func getJSON(ctx context.Context, url string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	return do(req, v)
}

func do(req *http.Request, v any) error {
	resp, err := http.DefaultClient.Do(authorize(req))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.Join(fmt.Errorf("%s %s", req.Method, req.URL.Path), err)
	}
	return nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(p*float64(len(d))+0.5) - 1
	return d[min(max(i, 0), len(d)-1)]
}

func report(samples [][]sample, elapsed time.Duration) {
	byKind := make([][]time.Duration, len(mix))
	errs := make([]int, len(mix))
	refused := make([]int, len(mix))
	var all []time.Duration
	total, totalErr, totalRefused := 0, 0, 0
	for _, ss := range samples {
		for _, s := range ss {
			total++
			if s.refused {
				refused[s.kind]++
				totalRefused++
				continue
			}
			if !s.ok {
				errs[s.kind]++
				totalErr++
				continue
			}
			byKind[s.kind] = append(byKind[s.kind], s.latency)
			all = append(all, s.latency)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\trequests\trefused\terrors\tp50 ms\tp99 ms\t")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	row := func(name string, d []time.Duration, r, e int) {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t\n", name, len(d)+r+e, r, e, ms(percentile(d, 0.5)), ms(percentile(d, 0.99)))
	}
	for i, k := range mix {
		row(k.name, byKind[i], refused[i], errs[i])
	}
	row("all", all, totalRefused, totalErr)
	tw.Flush()
	fmt.Printf("throughput: %.0f requests/s over %.1f s (%d requests, %d refused by a limit (429/503), %d errors); latencies of answered requests\n",
		float64(total)/elapsed.Seconds(), elapsed.Seconds(), total, totalRefused, totalErr)
}
