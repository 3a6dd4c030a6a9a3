// Package readme holds no code: its test runs every shell block of README.md against a
// fresh server and database, so that the README works when pasted (issue 16).
package readme
