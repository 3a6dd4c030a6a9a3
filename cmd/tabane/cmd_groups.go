package main

import (
	"context"
	"fmt"
	"io"
)

// runGroups is a placeholder until its issue lands.
func runGroups(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "tabane groups: not built yet")
	return 2
}
