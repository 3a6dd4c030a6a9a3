package main

import (
	"context"
	"fmt"
	"io"
)

// runSolve is a placeholder until its issue lands.
func runSolve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "tabane solve: not built yet")
	return 2
}
