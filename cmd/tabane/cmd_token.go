package main

import (
	"context"
	"fmt"
	"io"
)

// runToken is a placeholder until its issue lands.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "tabane token: not built yet")
	return 2
}
