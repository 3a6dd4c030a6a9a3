package main

import (
	"context"
	"fmt"
	"io"
)

// runWhatif is a placeholder until its issue lands.
func runWhatif(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "tabane whatif: not built yet")
	return 2
}
