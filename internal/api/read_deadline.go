package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// ProblemReadTimeout is the type of the 408 answer to a body that did not arrive in time.
const ProblemReadTimeout = "urn:tabane:problem:read-timeout"

// DefaultReadTimeout is how long a request body may take to arrive (serve --read-timeout):
// a 64 MB import at 1 MB/s with room to spare.
const DefaultReadTimeout = 2 * time.Minute

// WithBodyReadDeadline bounds the time a request body may take to arrive to d, counted
// from the start of the request's handling, so that a client sending one byte every few
// seconds cannot hold a connection and a handler for ever. A body still arriving then
// fails its read with a 408 problem (type …:read-timeout) and the connection closes.
//
// http.Server.ReadTimeout sets the same deadline, but its expiry reaches the handler as
// a bare i/o timeout that the API would answer as a 500 internal error; here the read
// error is the 408 problem itself, however the handler passes it on. Once the body has
// been read to its end net/http lifts the deadline (its background read of the
// connection starts without one), so a long solve or event stream is not cut.
func WithBodyReadDeadline(next http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(d)); err != nil {
			next.ServeHTTP(w, r) // a ResponseWriter without deadlines (tests' recorders)
			return
		}
		r.Body = &deadlineBody{ReadCloser: r.Body, timeout: d}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody turns a deadline hit into a 408 problem.
type deadlineBody struct {
	io.ReadCloser
	timeout time.Duration
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		// A *Problem, so that the error handler answers it as it is, however the handler
		// passes the read error on.
		return n, &Problem{Type: ProblemReadTimeout, Title: "Request body too slow", Status: http.StatusRequestTimeout,
			Detail: fmt.Sprintf("read_timeout: the request body did not arrive within %s (serve --read-timeout)", b.timeout)}
	}
	return n, err
}
