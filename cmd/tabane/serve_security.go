package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	gbytes "github.com/labstack/gommon/bytes"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/api"
)

// securityFlags are the flags of tabane serve for access control and request limits
// (internal/api auth.go and limits.go).
type securityFlags struct {
	requireToken, trustProxy   *bool
	bodyLimit, instanceLimit   *string
	maxAssets, rateBurst       *int
	maxQueuedRuns              *int
	rateLimit                  *float64
	requestTimeout, longTimout *time.Duration
}

func addSecurityFlags(fs *flag.FlagSet) *securityFlags {
	return &securityFlags{
		requireToken: fs.Bool("require-token", false, "require API tokens (Authorization: Bearer) even on 127.0.0.1/::1; tokens are always required on other addresses. Use it behind a reverse proxy"),
		trustProxy:   fs.Bool("trust-proxy", false, "take the client address (rate limiting) from X-Forwarded-For, as set by a reverse proxy"),
		bodyLimit:    fs.String("body-limit", "8M", "largest request body `size` of routes without a larger limit of their own (imports: --import-limit)"),
		instanceLimit: fs.String("instance-limit", "64M",
			"largest body `size` of POST /api/v1/solve and /evaluate"),
		maxAssets:      fs.Int("max-assets", api.DefaultMaxAssets, "most assets in one instance (solve, evaluate, a scenario's run)"),
		maxQueuedRuns:  fs.Int("max-queued-runs", api.DefaultMaxQueuedRuns, "most runs waiting for a solver slot; more are refused (503) until the queue drains"),
		rateLimit:      fs.Float64("rate-limit", api.DefaultRateLimit, "API `requests` per second per token (per client address without one); 0 turns rate limiting off"),
		rateBurst:      fs.Int("rate-burst", api.DefaultRateBurst, "requests a token may send at once above --rate-limit"),
		requestTimeout: fs.Duration("request-timeout", api.DefaultRequestTimeout, "time after which an API request is stopped (503)"),
		longTimout:     fs.Duration("long-request-timeout", api.DefaultLongRequestTimeout, "the same for imports, solve, evaluate, groups and batches (run event streams have none)"),
	}
}

// options are the api.SecurityOptions of the flags for a server listening on addr.
func (f *securityFlags) options(addr string) (api.SecurityOptions, error) {
	body, err := gbytes.Parse(*f.bodyLimit)
	if err != nil || body <= 0 {
		return api.SecurityOptions{}, fmt.Errorf("--body-limit %q: a size such as 500K, 8M or 1G", *f.bodyLimit)
	}
	inst, err := gbytes.Parse(*f.instanceLimit)
	if err != nil || inst <= 0 {
		return api.SecurityOptions{}, fmt.Errorf("--instance-limit %q: a size such as 500K, 64M or 1G", *f.instanceLimit)
	}
	if *f.maxAssets < 1 {
		return api.SecurityOptions{}, fmt.Errorf("--max-assets must be at least 1, found %d", *f.maxAssets)
	}
	if *f.maxQueuedRuns < 1 {
		return api.SecurityOptions{}, fmt.Errorf("--max-queued-runs must be at least 1, found %d", *f.maxQueuedRuns)
	}
	if *f.rateLimit < 0 || *f.rateBurst < 1 {
		return api.SecurityOptions{}, fmt.Errorf("--rate-limit must be ≥ 0 and --rate-burst ≥ 1")
	}
	if *f.requestTimeout <= 0 || *f.longTimout <= 0 {
		return api.SecurityOptions{}, fmt.Errorf("--request-timeout and --long-request-timeout must be positive")
	}
	rl := *f.rateLimit
	if rl == 0 {
		rl = -1 // off
	}
	return api.SecurityOptions{ListenAddr: addr, RequireToken: *f.requireToken, TrustProxy: *f.trustProxy,
		Limits: api.Limits{BodyLimit: body, InstanceBodyLimit: inst, MaxAssets: *f.maxAssets, MaxQueuedRuns: *f.maxQueuedRuns,
			RequestTimeout: *f.requestTimeout, LongRequestTimeout: *f.longTimout, RateLimit: rl, RateBurst: *f.rateBurst}}, nil
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
