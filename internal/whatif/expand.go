package whatif

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tabane/tabane/data"
	"github.com/tabane/tabane/internal/fault"
	"github.com/tabane/tabane/solver"
)

// Variation is one run of a batch: the base instance with its overrides applied,
// compiled and ready to solve.
type Variation struct {
	// Index is the 1-based position of the variation in the batch.
	Index int
	// Name is the explicit variation's name followed by the grid values
	// ("no-mix max_value=50000000"), or the grid values alone.
	Name string
	// Spec is the name of the explicit variation it comes from ("" for a grid point
	// of a batch without explicit variations).
	Spec      string
	Overrides []Assignment
	// Instance is the variation's instance, valid under the model (Expand compiled
	// it). It shares the slices the variation does not change with the base, so a large
	// batch holds little more than its base: treat it as read-only. Run compiles it
	// again when it solves, rather than keeping thousands of models in memory.
	Instance      *solver.Instance
	TimeLimit     time.Duration
	Seed          int64
	MaxIterations int
	Threads       int
	// Key is the hex SHA-256 of the canonical instance JSON and the solver settings:
	// the name of the variation's result in the cache.
	Key string
}

// Problem is one reason a batch cannot run, found before anything runs.
type Problem struct {
	Variation string `json:"variation"`
	Path      string `json:"path"`
	Message   string `json:"message"`
	// Also counts the other variations with the same problem (a bad grid value
	// reaches every combination).
	Also int `json:"also,omitempty"`
	// Line is the problem's line in the batch document (0: unknown).
	Line int `json:"line,omitempty"`
}

// BatchError lists every problem of a batch.
type BatchError struct {
	Problems []Problem `json:"errors"`
}

// ErrorCode makes a BatchError an invalid input (internal/fault).
func (e *BatchError) ErrorCode() string { return fault.Invalid }

func (e *BatchError) Error() string {
	var b strings.Builder
	const show = 20
	for i, p := range e.Problems {
		if i == show {
			fmt.Fprintf(&b, "\n… and %d more", len(e.Problems)-show)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "variation %q: %s", p.Variation, p.Path)
		if p.Line > 0 {
			fmt.Fprintf(&b, " (line %d)", p.Line)
		}
		fmt.Fprintf(&b, ": %s", p.Message)
		if p.Also > 0 {
			fmt.Fprintf(&b, " (and %d more variations)", p.Also)
		}
	}
	return b.String()
}

// CostModelFields are the fields of a cost_model entry, applied per asset of the kind
// in this order: cost ← cost (the asset's own, or the entry's cost when set) ×
// cost_factor + cost_add; workload ← workload (or the entry's workload) ×
// workload_factor.
var CostModelFields = []string{"cost", "cost_factor", "cost_add", "workload", "workload_factor"}

// Expand applies every variation of the batch to base and compiles the results. It
// checks everything before anything runs: every path against the instance schema,
// every value's type, every municipality code and asset kind against base, and every
// variation's instance against the model (solver.Compile). Problems come back together
// in a *BatchError, each naming its variation and path.
func (b *Batch) Expand(base *solver.Instance) ([]Variation, error) {
	if n := b.Count(); n > MaxVariations {
		return nil, fmt.Errorf("the batch has %d variations, more than the limit of %d", n, MaxVariations)
	}
	bt, err := newBaseTrees(base)
	if err != nil {
		return nil, fmt.Errorf("base instance: %w", err)
	}
	kinds := map[string]bool{}
	for _, a := range base.Assets {
		kinds[a.Kind] = true
	}

	specs := b.Variations
	if len(specs) == 0 {
		specs = []Spec{{}}
	}
	var vars []Variation
	be := &BatchError{}
	seen := map[[2]string]int{} // (path, message) → index in be.Problems
	report := func(v *Variation, path, msg string) {
		k := [2]string{path, msg}
		if i, ok := seen[k]; ok {
			be.Problems[i].Also++
			return
		}
		seen[k] = len(be.Problems)
		be.Problems = append(be.Problems, Problem{Variation: v.Name, Path: path, Message: msg,
			Line: programmeLine(v.Overrides, path)})
	}
	index := 0
	for _, s := range specs {
		b.gridPoints(func(point []Assignment) {
			index++
			v := Variation{Index: index, Spec: s.Name, TimeLimit: b.TimeLimit, Seed: b.Seed,
				MaxIterations: b.MaxIterations, Threads: b.Threads}
			v.Overrides = append(append([]Assignment{}, s.Set...), point...)
			v.Name = variationName(s.Name, point)
			if v.Name == "" {
				v.Name = "base"
			}
			if err := b.apply(&v, bt, kinds); err != nil {
				var pe *pathError
				var ve *solver.ValidationError
				switch {
				case errors.As(err, &pe):
					report(&v, pe.path, pe.msg)
				case errors.As(err, &ve):
					for _, p := range ve.Problems {
						report(&v, p.Path, p.Msg)
					}
				default:
					report(&v, "(instance)", err.Error())
				}
				return
			}
			vars = append(vars, v)
		})
	}
	if len(be.Problems) > 0 {
		return nil, be
	}
	return vars, nil
}

// gridPoints calls fn with every point of the grid, the first axis varying slowest.
func (b *Batch) gridPoints(fn func([]Assignment)) {
	point := make([]Assignment, len(b.Grid))
	var rec func(i int)
	rec = func(i int) {
		if i == len(b.Grid) {
			fn(append([]Assignment(nil), point...))
			return
		}
		for _, val := range b.Grid[i].Values {
			point[i] = Assignment{Key: b.Grid[i].Key, Value: val, Grid: true, Line: b.Grid[i].Line}
			rec(i + 1)
		}
	}
	rec(0)
}

func variationName(spec string, point []Assignment) string {
	parts := []string{}
	if spec != "" {
		parts = append(parts, spec)
	}
	for _, a := range point {
		parts = append(parts, ShortKey(a.Key)+"="+FormatValue(a.Value))
	}
	return strings.Join(parts, " ")
}

// baseTrees are the base instance and its generic JSON, whole and params alone.
type baseTrees struct {
	inst   *solver.Instance
	params map[string]any // {"params": …} only
	whole  map[string]any // built on first use
}

func newBaseTrees(base *solver.Instance) (*baseTrees, error) {
	raw, err := json.Marshal(map[string]any{"params": base.Params})
	if err != nil {
		return nil, err
	}
	params, err := decodeTree(raw)
	if err != nil {
		return nil, err
	}
	return &baseTrees{inst: base, params: params}, nil
}

// tree returns a fresh copy of the generic JSON to apply paths to: the params alone
// when every path is under params. (a JSON round trip of a whole instance of thousands
// of assets costs tens of milliseconds per variation), else the whole instance.
func (bt *baseTrees) tree(whole bool) (map[string]any, error) {
	if !whole {
		return deepCopy(bt.params).(map[string]any), nil
	}
	if bt.whole == nil {
		t, err := instanceTree(bt.inst)
		if err != nil {
			return nil, err
		}
		bt.whole = t
	}
	return deepCopy(bt.whole).(map[string]any), nil
}

// instance decodes tree back into an instance. A params-only tree replaces the params
// of a shallow copy of the base, which shares the base's slices: applyWithout and
// applyCostModel copy the slice they change.
func (bt *baseTrees) instance(tree map[string]any, whole bool) (*solver.Instance, error) {
	if whole {
		raw, err := json.Marshal(tree)
		if err != nil {
			return nil, fmt.Errorf("encode the instance: %w", err)
		}
		return solver.ParseInstance(raw)
	}
	raw, err := json.Marshal(tree["params"])
	if err != nil {
		return nil, fmt.Errorf("encode the params: %w", err)
	}
	inst := *bt.inst
	inst.Params = solver.Params{}
	if err := json.Unmarshal(raw, &inst.Params); err != nil {
		return nil, fmt.Errorf("decode the params: %w", err)
	}
	return &inst, nil
}

func isInstancePath(key string) bool {
	return key != "without" && key != "cost_model" && !strings.HasPrefix(key, "cost_model.") &&
		!strings.HasPrefix(key, "solver.")
}

// apply builds v.Instance and v.Key from the base and v.Overrides.
// Instance paths go first, then without, then the cost model, then Compile.
func (b *Batch) apply(v *Variation, bt *baseTrees, kinds map[string]bool) error {
	whole := false
	for _, a := range v.Overrides {
		if isInstancePath(a.Key) && !strings.HasPrefix(a.Key, "params.") {
			whole = true
		}
	}
	tree, err := bt.tree(whole)
	if err != nil {
		return err
	}
	var without []string
	costModel := map[string]map[string]float64{} // kind → field → value
	var prog programmeEdits
	for _, a := range v.Overrides {
		switch {
		case isProgrammeKey(a.Key):
			if err := prog.apply(tree, a, bt.inst); err != nil {
				return err
			}
		case a.Key == "without":
			codes, err := codeList(a.Value)
			if err != nil {
				return &pathError{"without", err.Error()}
			}
			without = append(without, codes...)
		case a.Key == "solver.time_limit":
			d, err := parseDuration(a.Value)
			if err != nil {
				return &pathError{a.Key, err.Error()}
			}
			v.TimeLimit = d
		case a.Key == "solver.seed":
			s, err := parseSeed(a.Value)
			if err != nil {
				return &pathError{a.Key, err.Error()}
			}
			v.Seed = s
		case a.Key == "solver.max_iterations":
			n, err := parseIterations(a.Value)
			if err != nil {
				return &pathError{a.Key, err.Error()}
			}
			v.MaxIterations = n
		case a.Key == "solver.threads":
			n, err := parseThreads(a.Value)
			if err != nil {
				return &pathError{a.Key, err.Error()}
			}
			v.Threads = n
		case strings.HasPrefix(a.Key, "solver."):
			return &pathError{a.Key, "unknown solver setting (settings: solver.time_limit, solver.seed, solver.max_iterations, solver.threads)"}
		case a.Key == "cost_model" || strings.HasPrefix(a.Key, "cost_model."):
			kind, field, err := costModelKey(a.Key, kinds)
			if err != nil {
				return err
			}
			x, ok := number(a.Value)
			if !ok {
				return &pathError{a.Key, "expected a number, found " + describe(a.Value)}
			}
			if field != "cost_add" && x < 0 {
				return &pathError{a.Key, "must be ≥ 0, found " + FormatValue(a.Value)}
			}
			if costModel[kind] == nil {
				costModel[kind] = map[string]float64{}
			}
			costModel[kind][field] = x
		default:
			if err := setPath(tree, a.Key, a.Value); err != nil {
				return err
			}
		}
	}
	if err := prog.finish(tree); err != nil {
		return err
	}
	inst, err := bt.instance(tree, whole)
	if err != nil {
		return err
	}
	if err := applyWithout(inst, without); err != nil {
		return err
	}
	applyCostModel(inst, costModel)
	if err := compileVariation(inst); err != nil {
		return err
	}
	v.Instance = inst
	v.Key, err = CacheKey(inst, Settings{TimeLimit: v.TimeLimit, Seed: v.Seed,
		MaxIterations: v.MaxIterations, Threads: v.Threads})
	return err
}

func codeList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list of municipality codes or names, found %s", describe(v))
	}
	out := make([]string, len(list))
	for i, e := range list {
		switch x := e.(type) {
		case string:
			out[i] = x
		case int:
			// An unquoted code in YAML reads as a number.
			out[i] = fmt.Sprintf("%05d", x)
		default:
			return nil, fmt.Errorf("expected a municipality code or name, found %s", describe(e))
		}
	}
	return out, nil
}

// applyWithout marks the municipalities of codes as not participating. Each entry is
// a code (5 digits, or 6 with the check digit) or a municipality's name (生駒市).
func applyWithout(inst *solver.Instance, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	inst.Municipalities = append([]solver.Municipality(nil), inst.Municipalities...)
	no := false
	for _, c := range codes {
		i, err := findMunicipality(inst.Municipalities, c)
		if err != nil {
			return &pathError{"without", err.Error()}
		}
		inst.Municipalities[i].Participates = &no
	}
	return nil
}

// findMunicipality is the index of the municipality that ref names: by code (5 or 6
// digits), else by name; an unknown or ambiguous name is an error naming it.
func findMunicipality(ms []solver.Municipality, ref string) (int, error) {
	c5, err := data.NormalizeMunicipalityCode(ref)
	if err != nil {
		c5 = ref
	}
	found := -1
	for i, m := range ms {
		if m.Code == ref || m.Code == c5 {
			return i, nil
		}
	}
	var codes []string
	for i, m := range ms {
		if m.Name == ref {
			found = i
			codes = append(codes, m.Code)
		}
	}
	switch len(codes) {
	case 0:
		return -1, fmt.Errorf("municipality %q is not in the instance (neither a code nor a name)", ref)
	case 1:
		return found, nil
	}
	return -1, fmt.Errorf("municipality name %q is ambiguous (codes %s): use the code", ref, strings.Join(codes, ", "))
}

// costModelKey checks cost_model.KIND.FIELD; KIND "*" means every kind.
func costModelKey(key string, kinds map[string]bool) (kind, field string, err error) {
	segs := strings.Split(key, ".")
	if len(segs) != 3 {
		return "", "", &pathError{key, "expected cost_model.KIND.FIELD, e.g. cost_model.bridge.cost_factor"}
	}
	kind, field = segs[1], segs[2]
	if kind != "*" && !kinds[kind] {
		known := make([]string, 0, len(kinds))
		for k := range kinds {
			known = append(known, k)
		}
		sort.Strings(known)
		return "", "", &pathError{key, fmt.Sprintf("no asset of kind %q in the instance (kinds: %s, or * for all)", kind, strings.Join(known, ", "))}
	}
	for _, f := range CostModelFields {
		if f == field {
			return kind, field, nil
		}
	}
	return "", "", &pathError{key, fmt.Sprintf("unknown cost-model field %q (fields: %s)", field, strings.Join(CostModelFields, ", "))}
}

// applyCostModel changes asset costs and workloads per kind: "*" first, then the
// asset's own kind.
func applyCostModel(inst *solver.Instance, cm map[string]map[string]float64) {
	if len(cm) == 0 {
		return
	}
	inst.Assets = append([]solver.Asset(nil), inst.Assets...)
	for i := range inst.Assets {
		a := &inst.Assets[i]
		for _, kind := range []string{"*", a.Kind} {
			f, ok := cm[kind]
			if !ok {
				continue
			}
			if x, ok := f["cost"]; ok {
				a.Cost = x
			}
			if x, ok := f["cost_factor"]; ok {
				a.Cost *= x
			}
			if x, ok := f["cost_add"]; ok {
				a.Cost += x
			}
			if x, ok := f["workload"]; ok {
				a.Workload = x
			}
			if x, ok := f["workload_factor"]; ok {
				a.Workload *= x
			}
		}
	}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// cacheVersion changes whenever the cached result format or the meaning of a key
// changes, so that old entries are never misread.
const cacheVersion = 2 // 2: the entry holds the solver.Report

// Settings are the solver settings of a run that change its result.
type Settings struct {
	TimeLimit     time.Duration
	Seed          int64
	MaxIterations int
	Threads       int
}

// CacheKey is the hex SHA-256 of the canonical JSON of inst (encoding/json, map keys
// sorted) and the solver settings. Every setting that changes a result is in the key:
// a run ended by its iteration cap gives the same plan for the same instance, seed,
// cap and threads.
func CacheKey(inst *solver.Instance, s Settings) (string, error) {
	raw, err := json.Marshal(inst)
	if err != nil {
		return "", fmt.Errorf("encode the instance: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "tabane-whatif v%d\ntime_limit_ns=%d\nseed=%d\nmax_iterations=%d\nthreads=%d\n", cacheVersion,
		s.TimeLimit.Nanoseconds(), s.Seed, s.MaxIterations, s.Threads)
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil)), nil
}
