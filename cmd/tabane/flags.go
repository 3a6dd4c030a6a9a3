package main

import (
	"errors"
	"flag"
)

// parseArgs parses flags that may stand before, between or after the positional
// arguments (`tabane solve inst.json --seed 2` as well as `tabane solve --seed 2 inst.json`)
// and returns the positional ones. When exit is true the command must return code at once:
// 0 after -h (the usage was printed), 2 after a bad flag (flag printed the problem and usage).
func parseArgs(fs *flag.FlagSet, args []string) (positional []string, code int, exit bool) {
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0, true
			}
			return nil, 2, true
		}
		if fs.NArg() == 0 {
			return positional, 0, false
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
