package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/tabane/tabane/data"
)

// runToken: tabane token create --role admin|planner|viewer --name NAME [--db tabane.db]
// | list [--db] [--json] | revoke ID [--db]. The secret of a new token is printed once,
// on stdout, alone on its line; only its hash is stored. The commands work while the
// server runs (the database is shared through SQLite's locking); a revocation takes
// effect with the server's next request.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage:")
		fmt.Fprintln(w, "  tabane token create --role admin|planner|viewer --name NAME [--db tabane.db]")
		fmt.Fprintln(w, "  tabane token list [--db tabane.db] [--json]")
		fmt.Fprintln(w, "  tabane token revoke ID [--db tabane.db]")
		fmt.Fprintln(w, "\nAPI tokens are required when tabane serve listens on an address other than")
		fmt.Fprintln(w, "127.0.0.1/::1, or with --require-token. Send one as: Authorization: Bearer tbn_…")
		fmt.Fprintln(w, "Roles: viewer reads; planner also edits the inventory, imports and runs; admin")
		fmt.Fprintln(w, "also manages tokens and the cost model.")
	}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("token "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs.Output()); fmt.Fprintln(fs.Output(), "\nFlags:"); fs.PrintDefaults() }
	dbPath := fs.String("db", "tabane.db", "SQLite database `file`")
	var role, name *string
	var asJSON *bool
	switch sub {
	case "create":
		role = fs.String("role", "", "`role` of the token: admin, planner or viewer (required)")
		name = fs.String("name", "", "a `name` saying who or what holds the token (required)")
	case "list":
		asJSON = fs.Bool("json", false, "print the tokens as a JSON array")
	case "revoke":
	default:
		fmt.Fprintf(stderr, "tabane token: unknown subcommand %q\n", sub)
		usage(stderr)
		return 2
	}
	// Flags may come before or after the positional ID of revoke.
	positional, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	var id int64
	switch sub {
	case "revoke":
		if len(positional) != 1 {
			fmt.Fprintln(stderr, "tabane token revoke: give exactly one token ID (see tabane token list)")
			return 2
		}
		n, err := strconv.ParseInt(positional[0], 10, 64)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "tabane token revoke: ID must be a positive integer, found %q\n", positional[0])
			return 2
		}
		id = n
	default:
		if len(positional) > 0 {
			fmt.Fprintf(stderr, "tabane token %s: unexpected argument %q\n", sub, positional[0])
			return 2
		}
	}
	var r data.Role
	if sub == "create" {
		var err error
		if r, err = data.ParseRole(*role); err != nil {
			fmt.Fprintf(stderr, "tabane token create: --role: %v\n", err)
			return 2
		}
		if *name == "" {
			fmt.Fprintln(stderr, "tabane token create: --name is required (who or what holds the token)")
			return 2
		}
	}

	store, err := data.Open(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "tabane token: %v\n", err)
		return 1
	}
	defer store.Close()
	switch sub {
	case "create":
		tok, secret, err := store.CreateToken(ctx, *name, r)
		if err != nil {
			fmt.Fprintf(stderr, "tabane token create: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, secret)
		fmt.Fprintf(stderr, "token %d %q (%s) created; the secret above is shown once and stored only as a hash\n",
			tok.ID, tok.Name, tok.Role)
	case "list":
		toks, err := store.Tokens(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "tabane token list: %v\n", err)
			return 1
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(toks)
			return 0
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tTOKEN\tCREATED\tLAST USED\tREVOKED")
		for _, t := range toks {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.Hint, t.CreatedAt, orDash(t.LastUsedAt), orDash(t.RevokedAt))
		}
		tw.Flush()
	case "revoke":
		tok, err := store.RevokeToken(ctx, id)
		if errors.Is(err, data.ErrNotFound) {
			fmt.Fprintf(stderr, "tabane token revoke: no token %d (see tabane token list)\n", id)
			return 1
		}
		if err != nil {
			fmt.Fprintf(stderr, "tabane token revoke: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "token %d %q revoked at %s\n", tok.ID, tok.Name, *tok.RevokedAt)
	}
	return 0
}

func orDash(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
