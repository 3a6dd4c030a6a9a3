package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	gbytes "github.com/labstack/gommon/bytes"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/api"
)

// securityFlags are the flags of tabane serve for access control and request limits
// (internal/api auth.go and limits.go). Each value is checked as the flag is parsed, so a
// wrong one stops serve before it binds or opens anything.
type securityFlags struct {
	requireToken, trustProxy *bool
	limits                   api.Limits
	allowedHosts             []string
}

func addSecurityFlags(fs *flag.FlagSet) *securityFlags {
	f := &securityFlags{limits: api.Limits{BodyLimit: api.DefaultBodyLimit, InstanceBodyLimit: api.DefaultInstanceBodyLimit,
		MaxAssets: api.DefaultMaxAssets, MaxQueuedRuns: api.DefaultMaxQueuedRuns, RequestTimeout: api.DefaultRequestTimeout,
		LongRequestTimeout: api.DefaultLongRequestTimeout, RateLimit: api.DefaultRateLimit, RateBurst: api.DefaultRateBurst}}
	f.requireToken = fs.Bool("require-token", false, "require API tokens (Authorization: Bearer) even on 127.0.0.1/::1; they are always required on other addresses. Use it behind a reverse proxy")
	f.trustProxy = fs.Bool("trust-proxy", false, "take the client address (rate limiting) and scheme from X-Forwarded-For/-Proto/-Host, as set by a reverse proxy")
	size := func(dst *int64) func(string) error {
		return func(v string) error {
			n, err := gbytes.Parse(v)
			if err != nil || n <= 0 {
				return fmt.Errorf("a size such as 500K, 8M or 1G, found %q", v)
			}
			*dst = n
			return nil
		}
	}
	count := func(dst *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("a whole number ≥ 1, found %q", v)
			}
			*dst = n
			return nil
		}
	}
	duration := func(dst *time.Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("a positive duration such as 30s or 10m, found %q", v)
			}
			*dst = d
			return nil
		}
	}
	fs.Func("body-limit", "largest request `size` of routes without a larger limit of their own (default 8M; imports: --import-limit)", size(&f.limits.BodyLimit))
	fs.Func("instance-limit", "largest body `size` of POST /api/v1/solve and /evaluate (default 64M)", size(&f.limits.InstanceBodyLimit))
	fs.Func("max-assets", fmt.Sprintf("most assets in one instance: solve, evaluate, a scenario's run (default %d)", api.DefaultMaxAssets), count(&f.limits.MaxAssets))
	fs.Func("max-queued-runs", fmt.Sprintf("most runs waiting for a solver slot; more are refused (503) until the queue drains (default %d)", api.DefaultMaxQueuedRuns), count(&f.limits.MaxQueuedRuns))
	fs.Func("rate-limit", fmt.Sprintf("API `requests` per second per token (per client address without one); 0 turns rate limiting off (default %d)", api.DefaultRateLimit),
		func(v string) error {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || x < 0 {
				return fmt.Errorf("a number of requests per second ≥ 0, found %q", v)
			}
			f.limits.RateLimit = x
			if x == 0 {
				f.limits.RateLimit = -1 // off
			}
			return nil
		})
	fs.Func("rate-burst", fmt.Sprintf("requests a token may send at once above --rate-limit (default %d)", api.DefaultRateBurst), count(&f.limits.RateBurst))
	fs.Func("request-timeout", "`duration` after which an API request is stopped with a 503 (default 30s)", duration(&f.limits.RequestTimeout))
	fs.Func("long-request-timeout", "`duration` after which imports, solve, evaluate, groups and batches are stopped (default 10m; run event streams have none)", duration(&f.limits.LongRequestTimeout))
	fs.Func("allowed-host", "a `name` (or name:port) the Host header may give besides localhost, 127.0.0.1, [::1] and --addr: a reverse proxy's public name; repeatable",
		func(v string) error {
			if v == "" || strings.ContainsAny(v, "/ ") {
				return fmt.Errorf("a host name such as tabane.example.jp or tabane.example.jp:443, found %q", v)
			}
			f.allowedHosts = append(f.allowedHosts, v)
			return nil
		})
	return f
}

// options are the api.SecurityOptions of the flags for a server listening on addr.
func (f *securityFlags) options(addr string) (api.SecurityOptions, error) {
	return api.SecurityOptions{ListenAddr: addr, RequireToken: *f.requireToken, TrustProxy: *f.trustProxy, Limits: f.limits,
		AllowedHosts: f.allowedHosts}, nil
}

// logAccess says at start whether tokens are required, and warns when they are but none
// exists yet.
func logAccess(ctx context.Context, log *slog.Logger, store *data.Store, opt api.SecurityOptions) {
	if !opt.TokensRequired() {
		log.Info("API tokens not required (loopback address; --require-token requires them)", "addr", opt.ListenAddr)
		return
	}
	n, err := store.CountLiveTokens(ctx)
	if err != nil {
		log.Warn("cannot count API tokens", "err", err)
		return
	}
	if n == 0 {
		log.Warn("API tokens are required but none exists: create one with `tabane token create --role admin --name NAME --db DB`", "addr", opt.ListenAddr)
		return
	}
	log.Info("API tokens required", "addr", opt.ListenAddr, "tokens", n)
}
