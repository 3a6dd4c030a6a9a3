package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/tabane/tabane/internal/api"
)

// Connection limits of tabane serve: how long a client may take to send its headers and
// its body, how long an idle keep-alive connection stays open, and how many connections
// are served at once. Without them one client could hold the server's file descriptors
// and goroutines with thousands of idle or trickling connections.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultIdleTimeout       = 60 * time.Second
	// defaultMaxConns leaves room for the page's parallel requests and event streams of
	// many users while bounding memory (a connection costs a goroutine and ≈ 10 kB of
	// buffers).
	defaultMaxConns = 1000
)

type httpFlags struct {
	readHeaderTimeout, readTimeout, idleTimeout time.Duration
	maxConns                                    int
}

func addHTTPFlags(fs *flag.FlagSet) *httpFlags {
	f := &httpFlags{}
	fs.DurationVar(&f.readHeaderTimeout, "read-header-timeout", defaultReadHeaderTimeout, "`duration` a client may take to send a request's headers; then the connection closes")
	fs.DurationVar(&f.readTimeout, "read-timeout", api.DefaultReadTimeout, "`duration` a request body may take to arrive; a slower one is cut with a 408")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", defaultIdleTimeout, "`duration` an idle keep-alive connection stays open")
	fs.IntVar(&f.maxConns, "max-conns", defaultMaxConns, "most `connections` served at once; further ones wait to be accepted")
	return f
}

// check refuses values that would switch a limit off by accident (0 means "none" to
// net/http).
func (f *httpFlags) check() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"read-header-timeout", f.readHeaderTimeout}, {"read-timeout", f.readTimeout}, {"idle-timeout", f.idleTimeout}} {
		if d.v <= 0 {
			return fmt.Errorf("--%s must be a positive duration such as 10s or 2m, found %s", d.name, d.v)
		}
	}
	if f.maxConns < 1 {
		return fmt.Errorf("--max-conns must be a whole number ≥ 1, found %d", f.maxConns)
	}
	return nil
}

// server is the http.Server of the handler under these limits.
func (f *httpFlags) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           api.WithBodyReadDeadline(h, f.readTimeout),
		ReadHeaderTimeout: f.readHeaderTimeout,
		IdleTimeout:       f.idleTimeout,
	}
}

// listener caps the connections served at once: past the cap Accept waits until one
// closes, so a further client waits in the kernel's backlog instead of being refused.
func (f *httpFlags) listener(ln net.Listener) net.Listener {
	return netutil.LimitListener(ln, f.maxConns)
}
