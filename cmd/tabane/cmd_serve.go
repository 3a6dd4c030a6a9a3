package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/api"
	"github.com/tabane/tabane/internal/jobs"
)

// shutdownGrace is how long in-flight requests get to finish after SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

// runServe: tabane serve [--addr 127.0.0.1:8080] [--db tabane.db] [--demo=true].
// It binds the address first (a port in use fails at once, before the database is
// touched), opens and migrates the database, loads the demo into an empty inventory,
// prints "serving http://ADDR" on stdout and serves until ctx ends (SIGINT/SIGTERM in
// main), then shuts down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	dbPath := fs.String("db", "tabane.db", "SQLite database `file`, created and migrated on first start")
	demo := fs.Bool("demo", true, "load the embedded Nara demo dataset into an empty inventory")
	runSlots := fs.Int("runs", 1, "how many solver runs to solve at once (more wait, queued)")
	tileURL := fs.String("tile-url", "", "optional raster tile `template` for the map, e.g. https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png (off by default: the page works offline)")
	whatifCache := fs.String("whatif-cache", "", "`folder` caching solved what-if variations of API batches (default: <db>.whatif-cache next to the database)")
	pageAssets := fs.Int("page-assets", api.DefaultAssetLayerLimit, "most `assets` the page's map holds; a larger inventory is drawn by the map's view, this many at a time")
	tileAttr := fs.String("tile-attribution", "", "attribution `text` shown with the tile layer, e.g. 地理院タイル")
	importLimit := fs.String("import-limit", api.DefaultImportBodyLimit, "largest file `size` POST /api/v1/imports accepts (500K, 64M, 1G)")
	maxImportRecords := fs.Int("max-import-records", data.DefaultMaxImportRecords, "most `records` (CSV rows, features) one import may hold; more are refused (413)")
	maxInventory := fs.Int("max-inventory", data.DefaultMaxInventory, "most `assets` the inventory may hold; imports and new assets past it are refused (422)")
	toleranceM := fs.Float64("tolerance-m", data.DefaultOwnershipToleranceM, "`metres` an imported asset may lie outside its municipality's boundary before the import report flags it")
	secFlags := addSecurityFlags(fs) // serve_security.go
	httpLimits := addHTTPFlags(fs)   // serve_http.go
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tabane serve [--addr 127.0.0.1:8080] [--db tabane.db] [--demo=true] [--runs 1] [--tile-url TEMPLATE]")
		fmt.Fprintln(fs.Output(), "\nServes the HTTP API (GET /healthz, /api/v1/...) until SIGINT or SIGTERM.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // flag has printed the problem and the usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tabane serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *maxImportRecords < 1 || *maxInventory < 1 || *pageAssets < 1 {
		fmt.Fprintf(stderr, "tabane serve: --max-import-records, --max-inventory and --page-assets must be ≥ 1, found %d, %d and %d\n", *maxImportRecords, *maxInventory, *pageAssets)
		return 2
	}
	if err := httpLimits.check(); err != nil {
		fmt.Fprintf(stderr, "tabane serve: %v\n", err)
		return 2
	}
	if err := api.ValidateTileURL(*tileURL); err != nil {
		fmt.Fprintf(stderr, "tabane serve: --tile-url: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "tabane serve: address %s is already in use: another program listens there; stop it or pick another port with --addr\n", *addr)
		} else {
			fmt.Fprintf(stderr, "tabane serve: cannot listen on %s: %v\n", *addr, err)
		}
		return 1
	}
	defer ln.Close()

	// One server per database: a second one would mark the first's running runs
	// interrupted (jobs.Open) and make it discard their results.
	lock, err := data.LockForServe(*dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "tabane serve: %v\n", err)
		return 1
	}
	defer lock.Release()

	started := time.Now()
	store, err := data.Open(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "tabane serve: %v\n", err)
		return 1
	}
	defer store.Close()
	if *demo {
		loaded, err := store.LoadDemo(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "tabane serve: %v\n", err)
			return 1
		}
		if loaded {
			log.Info("demo dataset loaded", "name", data.DemoName, "db", *dbPath)
		}
	}
	log.Info("database ready", "db", *dbPath, "schema_version", data.SchemaVersion(), "took", time.Since(started).Round(time.Millisecond))

	security, err := secFlags.options(ln.Addr().String())
	if err != nil {
		fmt.Fprintf(stderr, "tabane serve: %v\n", err)
		return 2
	}
	// One job queue for the runs and the what-if batches (internal/jobs).
	runs, err := jobs.Open(ctx, store, jobs.Options{Concurrency: *runSlots, Logger: log,
		MaxQueuedRuns: security.Limits.MaxQueuedRuns, Batches: jobs.BatchOptions{CacheDir: *whatifCache}})
	if err != nil {
		fmt.Fprintf(stderr, "tabane serve: %v\n", err)
		return 1
	}
	defer runs.Close()
	logAccess(ctx, log, store, security)
	inventory := api.InventoryOptions{ImportBodyLimit: *importLimit, OwnershipToleranceM: *toleranceM,
		MaxImportRecords: *maxImportRecords, MaxInventory: *maxInventory}
	server := api.New(store, api.Options{Logger: log, Runs: runs, Page: api.PageSettings{TileURL: *tileURL, TileAttribution: *tileAttr, AssetLayerLimit: *pageAssets}, Inventory: inventory, Security: security})
	srv := httpLimits.server(server.Handler())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(httpLimits.listener(ln)) }()
	fmt.Fprintf(stdout, "tabane: serving http://%s (database %s)\n", ln.Addr(), *dbPath)

	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "tabane serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	// Shutdown closes the listener at once (no new connections) and waits for the requests
	// in flight; the event streams among them end when the queue closes.
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(sctx) }()
	// Running solves stop and keep their best plans (event streams end); a running
	// batch ends interrupted, keeping its finished rows.
	runs.Close()
	if err := <-shut; err != nil {
		fmt.Fprintf(stderr, "tabane serve: shutdown: %v\n", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
