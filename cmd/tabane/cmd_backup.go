package main

import (
	"context"
	"fmt"
	"io"
)

// runBackup is a placeholder until its issue lands.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "tabane backup: not built yet")
	return 2
}
