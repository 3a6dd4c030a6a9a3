// Package servetest starts a real `tabane serve` process for tests (the browser tests and the
// README test): one way to wait for it to be ready and to stop it, instead of one per test.
package servetest

import (
	"bufio"
	"bytes"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopDeadline is how long a server may take to print its address, or to stop after SIGTERM,
// before it is killed: a deadline against hangs, far above the second either takes.
const stopDeadline = 60 * time.Second

var servingLine = regexp.MustCompile(`serving (http://\S+)`)

// Start runs `bin serve args…`, waits for its "serving http://…" line and returns that URL.
// The process gets SIGTERM when the test ends; when the test failed, the end of the server's
// log is logged, since it is usually where the reason is.
func Start(t testing.TB, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() { // read to the end, so that the server never blocks on a full pipe
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil && !found {
				found = true
				urlc <- m[1]
			}
		}
		if !found {
			close(urlc)
		}
	}()
	var u string
	ok := false
	select {
	case u, ok = <-urlc:
	case <-time.After(stopDeadline):
		_ = cmd.Process.Kill()
	}
	if !ok {
		_ = cmd.Wait()
		t.Fatalf("tabane serve %v did not start within %v: %s", args, stopDeadline, stderr.String())
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		// serve gives requests 10 s to finish and stops its running solves; a server still up
		// well after that is a defect of its shutdown, named here instead of hanging the package.
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(stopDeadline):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("tabane serve %v did not stop within %v of SIGTERM; killed", args, stopDeadline)
		}
		if t.Failed() {
			t.Logf("server log (last 4000 bytes):\n%s", Tail(stderr.String(), 4000))
		}
	})
	return u
}

// Tail returns the last n bytes of s.
func Tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// Buffer is an io.Writer safe to read while a server process writes to it (its stderr:
// written by exec's copying goroutine, read by the test).
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
