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
// http.Server.ReadTimeout would do the first half but keep the deadline for the whole
// request: once the body is read, net/http's background read of the idle connection hits
// that deadline and cancels the request's context — a run's event stream or a 10-minute
// solve would end after ReadTimeout. Here the deadline is lifted as soon as the body has
// been read to its end, and requests without a body never get one.
func WithBodyReadDeadline(next http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err != nil {
			next.ServeHTTP(w, r) // a ResponseWriter without deadlines (tests' recorders)
			return
		}
		r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, timeout: d}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline at the body's end and turns a deadline hit into a
// 408 problem.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	lifted  bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF && !b.lifted:
		b.lifted = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		// A *Problem, so that the error handler answers it as it is, however the handler
		// passes the read error on.
		return n, &Problem{Type: ProblemReadTimeout, Title: "Request body too slow", Status: http.StatusRequestTimeout,
			Detail: fmt.Sprintf("read_timeout: the request body did not arrive within %s (serve --read-timeout)", b.timeout)}
	}
	return n, err
}
