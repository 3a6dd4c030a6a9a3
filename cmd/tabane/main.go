// Command tabane plans bundled inspection contracts (束ね): one binary with subcommands.
// This package only wires flags to the packages that hold the logic.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. run returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "start the HTTP service (API and web map)", runServe},
		{"solve", "solve an instance: a plan, its cost, shares and a lower bound", runSolve},
		{"evaluate", "check a plan against an instance (exit 0 feasible, 1 infeasible, 2 bad input)", runEvaluate},
		{"gen", "write a synthetic instance (deterministic by --seed)", runGen},
		{"groups", "partition municipalities into regional groups (地域インフラ群)", runGroups},
		{"whatif", "run a batch of what-if variations", runWhatif},
		{"token", "create, list and revoke API tokens", runToken},
		{"backup", "copy the database to a file while the service runs", runBackup},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "tabane — bundled inspection contract planner (束ね: 包括発注の計画)")
	fmt.Fprintln(w, "\nUsage: tabane COMMAND [flags]   (tabane COMMAND -h for the flags)\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "tabane: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}
