package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestBodyDeadlineLiftedAfterBody: a handler that has read its whole body and then works
// past the read deadline keeps its request context, so long solves and event streams are
// not cut by --read-timeout.
func TestBodyDeadlineLiftedAfterBody(t *testing.T) {
	const deadline = 100 * time.Millisecond
	h := WithBodyReadDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		time.Sleep(3 * deadline)
		if err := r.Context().Err(); err != nil {
			http.Error(w, "context after the deadline: "+err.Error(), 500)
			return
		}
		io.WriteString(w, "read "+string(b))
	}), deadline)
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "read body" {
		t.Errorf("%d %s, want 200 read body", resp.StatusCode, b)
	}
}
