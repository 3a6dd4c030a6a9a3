package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/tabane/tabane/data"
)

// runBackup: tabane backup FILE [--db tabane.db]. data.Backup takes the snapshot (safe
// while tabane serve runs) and checks it; this command only parses the arguments.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbPath := fs.String("db", "tabane.db", "SQLite database `file` to back up")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tabane backup FILE [--db tabane.db]")
		fmt.Fprintln(fs.Output(), "\nCopies the database to FILE (a consistent snapshot, safe while tabane serve runs).")
		fmt.Fprintln(fs.Output(), "Restore: stop the server, copy FILE over the database file (delete its -wal and")
		fmt.Fprintln(fs.Output(), "-shm files), start the server.\n\nFlags:")
		fs.PrintDefaults()
	}
	positional, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, "tabane backup: give exactly one backup FILE")
		fs.Usage()
		return 2
	}
	dest := positional[0]
	info, err := data.Backup(ctx, *dbPath, dest)
	if err != nil {
		fmt.Fprintf(stderr, "tabane backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "tabane: backed up %s to %s (%d bytes, schema version %d)\n", *dbPath, dest, info.Size, info.SchemaVersion)
	return 0
}
