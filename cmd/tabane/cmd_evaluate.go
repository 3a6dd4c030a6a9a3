package main

import (
	"context"
	"fmt"
	"io"
)

// runEvaluate is a placeholder until its issue lands.
func runEvaluate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "tabane evaluate: not built yet")
	return 2
}
