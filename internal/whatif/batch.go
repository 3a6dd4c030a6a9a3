package whatif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tabane/tabane/internal/fault"
)

// DefaultTimeLimit is the per-run time limit when a batch names none.
const DefaultTimeLimit = 10 * time.Second

// MaxVariations caps the size of a batch, so that a typo in a grid cannot start a
// million solves.
const MaxVariations = 10000

// Batch is a parsed batch file: a base and the variations to run on it.
type Batch struct {
	Name        string
	Description string
	Base        Base
	// Bases, when set instead of Base, are instance files or globs (relative to the
	// batch file's folder) crossed with the variations: see LoadBases.
	Bases []string
	// TimeLimit and Seed are the solver settings of every run unless a variation
	// overrides them (keys solver.time_limit and solver.seed).
	TimeLimit time.Duration
	Seed      int64
	// MaxIterations caps the search iterations of each run (0 = no cap); a run ended by
	// the cap is reproducible whatever the machine's speed.
	MaxIterations int
	// Threads is the number of search threads of each run (default 1). It is part of
	// the cache key, because the same seed with other threads finds another plan; run
	// variations side by side with --parallel rather than giving one run more threads.
	Threads int
	// Variations are the explicit variations, in file order; none means one run of the
	// grid alone.
	Variations []Spec
	// Grid is the cartesian grid, axes in file order; it is crossed with every explicit
	// variation.
	Grid []Axis
}

// Base names the instance every variation starts from: a JSON file, or a scenario
// in a tabane database.
type Base struct {
	// Instance is the path of an instance JSON file, relative paths taken from the
	// batch file's folder.
	Instance string
	// Scenario and DB name a scenario of a tabane database (Scenario > 0).
	Scenario int64
	DB       string
}

// Spec is one explicit variation of the batch file.
type Spec struct {
	Name string
	Set  []Assignment
}

// Axis is one parameter of the grid and the values it takes.
type Axis struct {
	Key    string
	Values []any
	// Line is the key's line in the batch document (0: unknown).
	Line int
}

// Assignment sets Key to Value in one variation. Key is a dotted instance path
// (params.limits.max_value), "without", cost_model.KIND.FIELD, solver.time_limit or
// solver.seed. Value is nil, bool, int, float64, string, []any or map[string]any.
type Assignment struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
	// Grid is true when the value comes from the grid rather than an explicit variation.
	Grid bool `json:"grid,omitempty"`
	// Line is the key's line in the batch document (0: unknown), for the messages of
	// Expand; not part of the JSON, so that specs and rows stay as they were.
	Line int `json:"-"`
}

// file mirrors the batch file; nodes keep the order of mappings.
type file struct {
	Name        string          `yaml:"name"`
	Description string          `yaml:"description"`
	Base        yaml.Node       `yaml:"base"`
	Bases       yaml.Node       `yaml:"bases"`
	Solver      fileSolver      `yaml:"solver"`
	Grid        yaml.Node       `yaml:"grid"`
	Variations  []fileVariation `yaml:"variations"`
}

type fileSolver struct {
	TimeLimit     yaml.Node `yaml:"time_limit"`
	Seed          yaml.Node `yaml:"seed"`
	MaxIterations yaml.Node `yaml:"max_iterations"`
	Threads       yaml.Node `yaml:"threads"`
}

type fileVariation struct {
	Name      string    `yaml:"name"`
	Set       yaml.Node `yaml:"set"`
	Without   yaml.Node `yaml:"without"`
	CostModel yaml.Node `yaml:"cost_model"`
	TimeLimit yaml.Node `yaml:"time_limit"`
	Seed      yaml.Node `yaml:"seed"`
}

type fileBase struct {
	Instance string `yaml:"instance"`
	Scenario int64  `yaml:"scenario"`
	DB       string `yaml:"db"`
}

// Parse reads a batch file, YAML or JSON (JSON is read as YAML). name is the file's
// path: it appears in error messages, and a relative base instance path is taken from
// its folder. Parse checks the shape of the file; Expand checks the variations
// against the base instance.
func Parse(data []byte, name string) (*Batch, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ParseError{Name: name, Problems: []Problem{{Path: name, Message: "the batch file is empty"}}}
		}
		return nil, yamlParseError(name, err)
	}
	b := &Batch{Name: f.Name, Description: f.Description, TimeLimit: DefaultTimeLimit, Threads: 1}
	if b.Name == "" {
		b.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	pe := &ParseError{Name: name}
	fail := func(path string, n *yaml.Node, format string, args ...any) {
		p := Problem{Path: path, Message: fmt.Sprintf(format, args...)}
		if n != nil && n.Line > 0 {
			p.Line = n.Line
		}
		pe.Problems = append(pe.Problems, p)
	}

	// Base, or bases (bases.go).
	switch {
	case f.Bases.Kind != 0:
		b.Bases = parseBases(&f, name, fail)
	case f.Base.Kind == yaml.ScalarNode && (f.Base.Tag == "!!null" || f.Base.Value == ""):
		fail("base", &f.Base, "empty: name an instance file (base: nara.json) or a scenario (base: {scenario: 3, db: tabane.db})")
	case f.Base.Kind == 0:
		fail("base", nil, "missing: name an instance file (base: nara.json) or a scenario (base: {scenario: 3, db: tabane.db})")
	case f.Base.Kind == yaml.ScalarNode:
		b.Base.Instance = f.Base.Value
	case f.Base.Kind == yaml.MappingNode:
		var fb fileBase
		known := true
		for i := 0; i+1 < len(f.Base.Content); i += 2 {
			if k := f.Base.Content[i]; k.Value != "instance" && k.Value != "scenario" && k.Value != "db" {
				fail("base."+k.Value, k, "not a key of base (keys: instance, scenario, db)")
				known = false
			}
		}
		if err := f.Base.Decode(&fb); err != nil {
			fail("base", &f.Base, "%s", friendlyYAMLError(err))
			known = false
		}
		b.Base = Base(fb)
		switch {
		case !known:
		case fb.Instance != "" && fb.Scenario != 0:
			fail("base", &f.Base, "name either an instance file or a scenario, not both")
		case fb.Instance == "" && fb.Scenario <= 0:
			fail("base", &f.Base, "name an instance file (instance: nara.json) or a scenario id > 0 (scenario: 3)")
		}
	default:
		fail("base", &f.Base, "expected a file name or a mapping")
	}
	if b.Base.Instance != "" && !filepath.IsAbs(b.Base.Instance) {
		b.Base.Instance = filepath.Join(filepath.Dir(name), b.Base.Instance)
	}
	if b.Base.Scenario > 0 && b.Base.DB != "" && !filepath.IsAbs(b.Base.DB) {
		b.Base.DB = filepath.Join(filepath.Dir(name), b.Base.DB)
	}

	// Solver settings.
	if f.Solver.TimeLimit.Kind != 0 {
		v, err := nodeValue(&f.Solver.TimeLimit)
		if err == nil {
			b.TimeLimit, err = parseDuration(v)
		}
		if err != nil {
			fail("solver.time_limit", &f.Solver.TimeLimit, "%v", err)
		}
	}
	if f.Solver.Seed.Kind != 0 {
		v, err := nodeValue(&f.Solver.Seed)
		if err == nil {
			b.Seed, err = parseSeed(v)
		}
		if err != nil {
			fail("solver.seed", &f.Solver.Seed, "%v", err)
		}
	}

	if f.Solver.MaxIterations.Kind != 0 {
		v, err := nodeValue(&f.Solver.MaxIterations)
		if err == nil {
			b.MaxIterations, err = parseIterations(v)
		}
		if err != nil {
			fail("solver.max_iterations", &f.Solver.MaxIterations, "%v", err)
		}
	}

	if f.Solver.Threads.Kind != 0 {
		v, err := nodeValue(&f.Solver.Threads)
		if err == nil {
			b.Threads, err = parseThreads(v)
		}
		if err != nil {
			fail("solver.threads", &f.Solver.Threads, "%v", err)
		}
	}

	// Grid: a mapping key → list of values, in file order.
	switch f.Grid.Kind {
	case 0:
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(f.Grid.Content); i += 2 {
			k, vn := f.Grid.Content[i], f.Grid.Content[i+1]
			path := "grid." + k.Value
			if seen[k.Value] {
				fail(path, k, "named twice")
				continue
			}
			seen[k.Value] = true
			if vn.Kind != yaml.SequenceNode || len(vn.Content) == 0 {
				fail(path, vn, "expected a non-empty list of values, e.g. [50e6, 80e6]")
				continue
			}
			ax := Axis{Key: k.Value, Line: k.Line}
			for _, item := range vn.Content {
				v, err := nodeValue(item)
				if err != nil {
					fail(path, item, "%v", err)
					continue
				}
				if k.Value == "without" {
					// A grid value of without is one code or a list of codes.
					if s, ok := v.(string); ok {
						v = []any{s}
					}
				}
				ax.Values = append(ax.Values, v)
			}
			b.Grid = append(b.Grid, ax)
		}
	default:
		fail("grid", &f.Grid, "expected a mapping of parameter → list of values")
	}

	// Explicit variations.
	names := map[string]int{}
	for i, fv := range f.Variations {
		where := fmt.Sprintf("variations[%d]", i)
		s := Spec{Name: fv.Name}
		if s.Name == "" {
			s.Name = fmt.Sprintf("v%d", i+1)
		}
		if j, dup := names[s.Name]; dup {
			fail(where+".name", nil, "%q is also the name of variations[%d]", s.Name, j)
		}
		names[s.Name] = i
		keys := map[string]bool{}
		add := func(key string, v any, n *yaml.Node) {
			if keys[key] {
				fail(where+"."+key, n, "set twice in variation %q", s.Name)
				return
			}
			keys[key] = true
			a := Assignment{Key: key, Value: v}
			if n != nil {
				a.Line = n.Line
			}
			s.Set = append(s.Set, a)
		}
		switch fv.Set.Kind {
		case 0:
		case yaml.MappingNode:
			for j := 0; j+1 < len(fv.Set.Content); j += 2 {
				k, vn := fv.Set.Content[j], fv.Set.Content[j+1]
				v, err := nodeValue(vn)
				if err != nil {
					fail(where+".set."+k.Value, vn, "%v", err)
					continue
				}
				add(k.Value, v, k)
			}
		default:
			fail(where+".set", &fv.Set, "expected a mapping of dotted path → value")
		}
		if fv.Without.Kind != 0 {
			v, err := nodeValue(&fv.Without)
			if err != nil {
				fail(where+".without", &fv.Without, "%v", err)
			} else {
				if s, ok := v.(string); ok {
					v = []any{s}
				}
				add("without", v, &fv.Without)
			}
		}
		switch fv.CostModel.Kind {
		case 0:
		case yaml.MappingNode:
			for j := 0; j+1 < len(fv.CostModel.Content); j += 2 {
				kind, fields := fv.CostModel.Content[j], fv.CostModel.Content[j+1]
				if fields.Kind != yaml.MappingNode {
					fail(where+".cost_model."+kind.Value, fields, "expected a mapping such as {cost_factor: 1.2}")
					continue
				}
				for l := 0; l+1 < len(fields.Content); l += 2 {
					fk, fvn := fields.Content[l], fields.Content[l+1]
					v, err := nodeValue(fvn)
					if err != nil {
						fail(where+".cost_model."+kind.Value+"."+fk.Value, fvn, "%v", err)
						continue
					}
					add("cost_model."+kind.Value+"."+fk.Value, v, fk)
				}
			}
		default:
			fail(where+".cost_model", &fv.CostModel, "expected a mapping kind → {cost_factor: …}")
		}
		if fv.TimeLimit.Kind != 0 {
			v, err := nodeValue(&fv.TimeLimit)
			if err != nil {
				fail(where+".time_limit", &fv.TimeLimit, "%v", err)
			} else {
				add("solver.time_limit", v, &fv.TimeLimit)
			}
		}
		if fv.Seed.Kind != 0 {
			v, err := nodeValue(&fv.Seed)
			if err != nil {
				fail(where+".seed", &fv.Seed, "%v", err)
			} else {
				add("solver.seed", v, &fv.Seed)
			}
		}
		for _, ax := range b.Grid {
			if keys[ax.Key] {
				fail(where, nil, "variation %q sets %s, which the grid also sweeps", s.Name, ax.Key)
			}
		}
		b.Variations = append(b.Variations, s)
	}
	if len(pe.Problems) > 0 {
		return nil, pe
	}
	if n := b.Count(); n > MaxVariations {
		return nil, &ParseError{Name: name, Problems: []Problem{{Path: name,
			Message: fmt.Sprintf("the batch has %d variations, more than the limit of %d", n, MaxVariations)}}}
	}
	return b, nil
}

// Count is the number of variations the batch expands to.
func (b *Batch) Count() int {
	n := max(1, len(b.Variations))
	for _, ax := range b.Grid {
		n *= len(ax.Values)
		if n > MaxVariations {
			return MaxVariations + 1
		}
	}
	return n
}

// friendlyYAMLError names the keys a batch may use instead of Go type names.
// ParseError lists every problem Parse found in a batch document, each with its path in
// the document (base, solver.seed, variations[0].set.params.x) and line when known. A
// document that is not YAML or JSON at all has one problem, Syntax set, at "line N".
type ParseError struct {
	Name     string // the document's name (its file path), which starts every line of Error
	Syntax   bool
	Problems []Problem
	// text is the decoder's own message, kept as Error for a document it refused.
	text string
}

// Error is one line per problem: "NAME: PATH (line N): MESSAGE"; a problem of the
// whole document has no path of its own ("NAME: MESSAGE").
func (e *ParseError) Error() string {
	if e.text != "" {
		return e.text
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		switch {
		case p.Path == e.Name:
			lines[i] = e.Name + ": " + p.Message
		case p.Line > 0:
			lines[i] = fmt.Sprintf("%s: %s (line %d): %s", e.Name, p.Path, p.Line, p.Message)
		default:
			lines[i] = fmt.Sprintf("%s: %s: %s", e.Name, p.Path, p.Message)
		}
	}
	return strings.Join(lines, "\n")
}

// ErrorCode makes a ParseError an invalid input (internal/fault).
func (e *ParseError) ErrorCode() string { return fault.Invalid }

// yamlParseError describes a document the YAML decoder refuses: keys of no field (one
// problem each, at their lines) or a syntax error.
func yamlParseError(name string, err error) *ParseError {
	text := name + ": " + friendlyYAMLError(err)
	var te *yaml.TypeError
	if errors.As(err, &te) {
		pe := &ParseError{Name: name, text: text}
		for _, e := range te.Errors {
			where, what, ok := strings.Cut(e, ": ")
			if !ok || !strings.HasPrefix(where, "line ") {
				where, what = name, e
			}
			pe.Problems = append(pe.Problems, Problem{Path: where, Message: friendlyYAMLError(errors.New(what))})
		}
		return pe
	}
	rest := strings.TrimPrefix(err.Error(), "yaml: ")
	where, what, ok := strings.Cut(rest, ": ")
	if !ok || !strings.HasPrefix(where, "line ") {
		where, what = name, rest
	}
	return &ParseError{Name: name, Syntax: true, Problems: []Problem{{Path: where, Message: what}}, text: text}
}

func friendlyYAMLError(err error) string {
	msg := err.Error()
	for _, r := range []struct{ typ, where string }{
		{"whatif.fileVariation", "a variation (keys: name, set, without, cost_model, time_limit, seed)"},
		{"whatif.fileSolver", "solver (keys: time_limit, seed, max_iterations, threads)"},
		{"whatif.file", "the batch (keys: name, description, base, bases, solver, grid, variations)"},
	} {
		msg = strings.ReplaceAll(msg, "not found in type "+r.typ, "is not a key of "+r.where)
	}
	return msg
}

// nodeValue turns a YAML node into plain values: nil, bool, int, float64, string,
// []any, map[string]any.
func nodeValue(n *yaml.Node) (any, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return normalize(v)
}

func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, float64:
		return x, nil
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return float64(x), nil
		}
		return int(x), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unsupported value %v (%T)", v, v)
	}
}

// parseDuration reads a time limit: a Go duration string ("30s", "2m") or a number
// of seconds.
func parseDuration(v any) (time.Duration, error) {
	var d time.Duration
	switch x := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(x); err != nil {
			return 0, fmt.Errorf("expected a duration such as 30s or a number of seconds, found %q", x)
		}
	case int:
		d = time.Duration(x) * time.Second
	case float64:
		d = time.Duration(x * float64(time.Second))
	default:
		return 0, fmt.Errorf("expected a duration such as 30s or a number of seconds, found %s", describe(v))
	}
	if d <= 0 {
		return 0, fmt.Errorf("time limit must be positive, found %v", d)
	}
	return d, nil
}

func parseSeed(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("expected an integer seed, found %s", describe(v))
}

func parseIterations(v any) (int, error) {
	n, err := parseSeed(v)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, fmt.Errorf("expected a whole number of iterations ≥ 0, found %s", describe(v))
	}
	return int(n), nil
}

func parseThreads(v any) (int, error) {
	n, err := parseSeed(v)
	if err != nil || n < 1 || n > 1024 {
		return 0, fmt.Errorf("expected a number of threads ≥ 1, found %s", describe(v))
	}
	return int(n), nil
}

// describe names a value and its type for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case string:
		return fmt.Sprintf("string %q", x)
	case int, float64:
		return "number " + FormatValue(x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v", v)
}

// FormatValue writes an override value for names, tables and charts: numbers in
// shortest decimal form, lists joined by "+" ("none" when empty), null as "null".
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return x
	case []any:
		if len(x) == 0 {
			return "none"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = FormatValue(e)
		}
		return strings.Join(parts, "+")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + FormatValue(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprint(v)
}

// ShortKey is the name of an override key in variation names and chart labels:
// the key without the params., params.limits., solver., cost_model. and programme. prefixes.
func ShortKey(key string) string {
	for _, p := range []string{"params.limits.", "params.", "solver.", "cost_model.", "programme."} {
		if strings.HasPrefix(key, p) {
			return key[len(p):]
		}
	}
	return key
}
