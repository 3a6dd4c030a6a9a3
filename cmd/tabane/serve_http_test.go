package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The connection limits on a real server (serve in-process on a free port), spoken to
// over raw TCP so that the test controls every byte and every pause. The read deadlines
// on the test's side only keep a broken server from hanging the test; the assertions are
// about what the server sends.

// guard is how long the test's side waits for the server before failing.
const guard = 30 * time.Second

// serveEmpty serves an empty database in-process with the extra flags.
func serveEmpty(t *testing.T, flags ...string) *served {
	t.Helper()
	s := startServe(t, append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "t.db"), "--demo=false"}, flags...)...)
	if s.url == "" {
		t.Fatalf("serve did not start: %s", s.stderr.String())
	}
	return s
}

// host is the server's host:port, for the Host header (foreign hosts are refused).
func host(s *served) string { return strings.TrimPrefix(s.url, "http://") }

func dial(t *testing.T, url string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// readResponse reads one HTTP response from c within the guard.
func readResponse(t *testing.T, c net.Conn, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(guard))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestSlowBodyIsCut: a POST body that stops arriving is answered 408 (read-timeout
// problem) once --read-timeout has passed, and the connection closes; a body sent in
// time on a connection is unaffected, as is a handler that runs past the deadline after
// reading its body (the deadline is lifted at the body's end).
func TestSlowBodyIsCut(t *testing.T) {
	s := serveEmpty(t, "--read-timeout", "300ms")
	c := dial(t, s.url)
	started := time.Now()
	io.WriteString(c, "POST /api/v1/municipalities HTTP/1.1\r\nHost: "+host(s)+"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"co")
	br := bufio.NewReader(c)
	resp, body := readResponse(t, c, br)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, `"type":"urn:tabane:problem:read-timeout"`) ||
		!strings.Contains(body, "did not arrive within 300ms") {
		t.Errorf("slow body: %d %s, want 408 read-timeout", resp.StatusCode, body)
	}
	if waited := time.Since(started); waited < 300*time.Millisecond {
		t.Errorf("answered after %s, before the 300ms read timeout", waited)
	}
	c.SetReadDeadline(time.Now().Add(guard))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after the 408 the connection should close, read: %v", err)
	}

	// A body in time gets the handler's own answer (a 422 for an incomplete municipality).
	c = dial(t, s.url)
	io.WriteString(c, "POST /api/v1/municipalities HTTP/1.1\r\nHost: "+host(s)+"\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
	if resp, body := readResponse(t, c, bufio.NewReader(c)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("body in time: %d %s, want 422", resp.StatusCode, body)
	}
}

// TestIdleConnectionsClose: a keep-alive connection left idle is closed by the server
// after --idle-timeout.
func TestIdleConnectionsClose(t *testing.T) {
	s := serveEmpty(t, "--idle-timeout", "200ms")
	c := dial(t, s.url)
	io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+host(s)+"\r\n\r\n")
	br := bufio.NewReader(c)
	if resp, _ := readResponse(t, c, br); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("healthz: %d close=%v, want 200 keep-alive", resp.StatusCode, resp.Close)
	}
	// The server's idle clock starts when it has written the answer, before we read it, so
	// the time we measure is no measure of the timeout: what counts is that the server, not
	// our guard deadline, ends the idle connection.
	c.SetReadDeadline(time.Now().Add(guard))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: read %v, want EOF (closed by the server)", err)
	}
}

// TestConnectionCap: with --max-conns 2 and two connections open, a third is not served
// until one of the two closes; then it is.
func TestConnectionCap(t *testing.T) {
	s := serveEmpty(t, "--max-conns", "2")
	var open []net.Conn
	for range 2 {
		c := dial(t, s.url)
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: "+host(s)+"\r\n\r\n")
		if resp, _ := readResponse(t, c, bufio.NewReader(c)); resp.StatusCode != 200 {
			t.Fatalf("healthz: %d", resp.StatusCode)
		}
		open = append(open, c)
	}
	third := dial(t, s.url) // the kernel completes the handshake; the server does not accept it
	io.WriteString(third, "GET /healthz HTTP/1.1\r\nHost: "+host(s)+"\r\n\r\n")
	br := bufio.NewReader(third)
	third.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := br.ReadByte(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("third connection past the cap of 2: read %v, want no answer while two are open", err)
	}
	open[0].Close()
	if resp, _ := readResponse(t, third, br); resp.StatusCode != 200 {
		t.Errorf("third connection once one closed: %d, want 200", resp.StatusCode)
	}
}
