package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/servetest"
)

// lockedBuffer is an io.Writer safe to read while the server writes to it.
type lockedBuffer = servetest.Buffer

// lineWriter passes stdout on and sends the server's URL once it prints it.
type lineWriter struct {
	mu   sync.Mutex
	rest []byte
	url  chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rest = append(w.rest, p...)
	for {
		i := bytes.IndexByte(w.rest, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.rest[:i])
		w.rest = w.rest[i+1:]
		if u, ok := servingURL(line); ok {
			w.url <- u
		}
	}
}

// servingURL extracts http://host:port from "tabane: serving http://host:port (database …)".
func servingURL(line string) (string, bool) {
	_, after, ok := strings.Cut(line, "serving ")
	if !ok {
		return "", false
	}
	u, _, _ := strings.Cut(after, " ")
	return u, true
}

type served struct {
	url    string
	stderr *lockedBuffer
	stop   context.CancelFunc
	done   chan int
}

// startServe runs `tabane serve --addr 127.0.0.1:0 --db path` in-process on a free port.
// If the command exits before serving, url is "" and done holds the exit code.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{stderr: &lockedBuffer{}, stop: cancel, done: make(chan int, 1)}
	out := &lineWriter{url: make(chan string, 1)}
	go func() { s.done <- runServe(ctx, args, out, s.stderr) }()
	select {
	case s.url = <-out.url:
	case code := <-s.done:
		s.done <- code
	}
	t.Cleanup(cancel)
	return s
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, body)
		}
	}
	return resp.StatusCode
}

func TestServeDemoEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tabane.db")
	for run := 1; run <= 2; run++ { // the second start finds the migrated, loaded database
		s := startServe(t, "--addr", "127.0.0.1:0", "--db", db)
		if s.url == "" {
			t.Fatalf("run %d: serve exited with %d: %s", run, <-s.done, s.stderr.String())
		}
		if code := getJSON(t, s.url+"/healthz", nil); code != 200 {
			t.Fatalf("run %d: /healthz %d", run, code)
		}
		var munis struct {
			Items []struct{ Code, Name string }
			Total int
		}
		getJSON(t, s.url+"/api/v1/municipalities", &munis)
		if munis.Total != 39 || munis.Items[38].Name != "東吉野村" {
			t.Errorf("run %d: municipalities total %d, last %+v", run, munis.Total, munis.Items[len(munis.Items)-1])
		}
		var assets struct {
			Total int
			Next  string
		}
		getJSON(t, s.url+"/api/v1/assets?limit=10", &assets)
		if assets.Total != 6600 || assets.Next != "/api/v1/assets?limit=10&offset=10" {
			t.Errorf("run %d: assets total %d, next %q", run, assets.Total, assets.Next)
		}
		var depots struct{ Total int }
		getJSON(t, s.url+"/api/v1/depots", &depots)
		if depots.Total != 47 {
			t.Errorf("run %d: %d depots, want 47", run, depots.Total)
		}
		s.stop() // what SIGINT/SIGTERM do through main's signal context
		if code := <-s.done; code != 0 {
			t.Errorf("run %d: exit code %d after stop: %s", run, code, s.stderr.String())
		}
		log := s.stderr.String()
		if loaded := strings.Contains(log, "demo dataset loaded"); loaded != (run == 1) {
			t.Errorf("run %d: demo loaded = %v, want %v", run, loaded, run == 1)
		}
		if !strings.Contains(log, "shutting down") || !strings.Contains(log, "stopped") {
			t.Errorf("run %d: no graceful shutdown in the log:\n%s", run, log)
		}
	}
}

func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "tabane.db")
	s := startServe(t, "--addr", ln.Addr().String(), "--db", db)
	if s.url != "" {
		t.Fatal("serve started on a port in use")
	}
	if code := <-s.done; code != 1 || !strings.Contains(s.stderr.String(), "address "+ln.Addr().String()+" is already in use") {
		t.Errorf("exit %d, stderr %q", code, s.stderr.String())
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was created although the port was taken")
	}
}

func TestServeBadFlagsAndDatabases(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := runServe(context.Background(), []string{"--port", "80"}, &stdout, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "flag provided but not defined: -port") || !strings.Contains(stderr.String(), "Usage: tabane serve") {
		t.Errorf("unknown flag: exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := runServe(context.Background(), []string{"extra"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `unexpected argument "extra"`) {
		t.Errorf("extra argument: exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := runServe(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "-addr host:port") {
		t.Errorf("-h: exit %d, stderr %q", code, stderr.String())
	}

	notDB := filepath.Join(t.TempDir(), "inventory.csv")
	content := []byte("id,municipality,kind\nB1,29201,bridge\n" + strings.Repeat("x", 200))
	os.WriteFile(notDB, content, 0o644)
	s := startServe(t, "--addr", "127.0.0.1:0", "--db", notDB)
	if s.url != "" {
		t.Fatal("serve started on a file that is not SQLite")
	}
	if code := <-s.done; code != 1 || !strings.Contains(s.stderr.String(), "not a SQLite database") {
		t.Errorf("non-SQLite db: exit %d, stderr %q", code, s.stderr.String())
	}
	if after, _ := os.ReadFile(notDB); !bytes.Equal(after, content) {
		t.Error("the non-SQLite file was modified")
	}
}

// TestServeBinarySIGTERM builds the real binary, starts it, and stops it with SIGTERM.
func TestServeBinarySIGTERM(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "tabane")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "tabane.db"))
	stdout, _ := cmd.StdoutPipe()
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	url := ""
	for url == "" && sc.Scan() {
		url, _ = servingURL(sc.Text())
	}
	if url == "" {
		cmd.Wait()
		t.Fatalf("binary did not serve: %s", stderr.String())
	}
	if code := getJSON(t, url+"/healthz", nil); code != 200 {
		t.Errorf("/healthz %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no graceful shutdown logged:\n%s", stderr.String())
	}
	// The database it left behind is a migrated tabane database with the demo.
	store, err := data.Open(context.Background(), filepath.Join(dir, "tabane.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n, _ := store.CountAssets(context.Background()); n != 6600 {
		t.Errorf("%d assets in the database, want 6600", n)
	}
}
