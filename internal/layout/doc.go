// Package layout holds no code: its test keeps the import rules of docs/architecture.md
// (which package of tabane may import which), so that a wrong arrow fails `make test`.
package layout
