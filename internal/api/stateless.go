package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/tabane/tabane/solver"
)

// Problem types of the planning routes.
const (
	ProblemMalformed    = "urn:tabane:problem:malformed"
	ProblemInvalid      = "urn:tabane:problem:invalid"
	ProblemConflict     = "urn:tabane:problem:conflict"
	ProblemTooLarge     = "urn:tabane:problem:too-large"
	ProblemInfeasible   = "urn:tabane:problem:infeasible"
	ProblemShuttingDown = "urn:tabane:problem:shutting-down"
)

// malformed is a 400 for a body that is not the JSON it should be.
func malformed(detail string, errs ...solver.InputError) *Problem {
	return &Problem{Type: ProblemMalformed, Title: "Malformed request body", Status: http.StatusBadRequest,
		Detail: detail, Errors: errs}
}

// invalid is a 422 for well-formed input that breaks a rule; errs locate each problem.
func invalid(detail string, errs ...solver.InputError) *Problem {
	return &Problem{Type: ProblemInvalid, Title: "Invalid input", Status: http.StatusUnprocessableEntity,
		Detail: detail, Errors: errs}
}

// conflict is a 409 for a request the resource's state forbids.
func conflict(detail string) *Problem {
	return &Problem{Type: ProblemConflict, Title: "Conflict", Status: http.StatusConflict, Detail: detail}
}

// bodyLimit is echo's BodyLimit answering a problem that says the limit.
func bodyLimit(limit string) echo.MiddlewareFunc {
	bl := middleware.BodyLimit(limit)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := bl(next)
		return func(c echo.Context) error {
			err := h(c)
			var he *echo.HTTPError
			if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
				return routeBodyTooLarge(c, limit) // limits.go: the limit members of every 413
			}
			return err
		}
	}
}

// readBody reads the whole request body (bounded by bodyLimit).
func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, err // bodyLimit turns an overflow into a 413
	}
	return b, nil
}

// decodeBody decodes a JSON object body into v, refusing unknown fields. A syntax error
// is a 400 located by line and column; a value of the wrong type or an unknown field is
// a 422 located by its field path. allowEmpty accepts an empty body (v stays as it is).
func decodeBody(c echo.Context, v any, allowEmpty bool) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeJSONObject(b, v, allowEmpty)
}

func decodeJSONObject(b []byte, v any, allowEmpty bool) error {
	if len(bytes.TrimSpace(b)) == 0 {
		if allowEmpty {
			return nil
		}
		return malformed("the body is empty; a JSON object is expected",
			solver.InputError{Path: "line 1, column 1", Msg: "expected a JSON object"})
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() || dec.InputOffset() < int64(len(bytes.TrimRight(b, " \t\r\n"))) {
			line, col := lineColumn(b, dec.InputOffset())
			return malformed(fmt.Sprintf("unexpected data after the JSON object at line %d, column %d", line, col),
				solver.InputError{Path: fmt.Sprintf("line %d, column %d", line, col), Msg: "unexpected data after the JSON object"})
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineColumn(b, max(0, syn.Offset-1))
		return malformed(fmt.Sprintf("malformed JSON at line %d, column %d: %v", line, col, syn),
			solver.InputError{Path: fmt.Sprintf("line %d, column %d", line, col), Msg: syn.Error()})
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineColumn(b, int64(len(b)))
		return malformed(fmt.Sprintf("the JSON ends early at line %d, column %d", line, col),
			solver.InputError{Path: fmt.Sprintf("line %d, column %d", line, col), Msg: "unexpected end of JSON"})
	case errors.As(err, &typ):
		path := typ.Field
		if path == "" {
			return malformed("the body must be a JSON object, found "+typ.Value,
				solver.InputError{Path: "line 1, column 1", Msg: "expected a JSON object, found " + typ.Value})
		}
		line, col := lineColumn(b, typ.Offset)
		msg := fmt.Sprintf("expected %s, found %s (line %d, column %d)", kindOf(typ.Type.String()), typ.Value, line, col)
		return invalid(path+": "+msg, solver.InputError{Path: path, Msg: msg})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid("unknown field "+name, solver.InputError{Path: name, Msg: "unknown field"})
	}
	return malformed(err.Error())
}

func kindOf(goType string) string {
	switch {
	case strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "int"):
		return "an integer"
	case strings.HasSuffix(goType, "string") && !strings.HasPrefix(goType, "map"):
		return "a string"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

func lineColumn(b []byte, off int64) (line, col int) {
	off = min(off, int64(len(b)))
	line, col = 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// member is a top-level value of a JSON object body with its byte offset.
type member struct {
	raw json.RawMessage
	off int64
}

// splitObject returns the top-level members of a JSON object with the offsets of their
// values, so that their own decoders can report positions in the whole body.
func splitObject(b []byte) (map[string]member, error) {
	var probe map[string]json.RawMessage
	if err := decodeJSONObject(b, &probe, false); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return nil, malformed(err.Error())
	}
	out := map[string]member{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(err.Error())
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, malformed(err.Error())
		}
		out[key] = member{raw: raw, off: dec.InputOffset() - int64(len(raw))}
	}
	return out, nil
}

// inPlace is the body with everything but one member's value blanked (newlines kept), so
// that a decoder of that value reports lines and columns of the whole body.
func inPlace(b []byte, m member) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c == '\n' {
			out[i] = '\n'
		} else {
			out[i] = ' '
		}
	}
	copy(out[m.off:], m.raw)
	return out
}

// prefixed locates solver input errors inside a member of the body: paths gain the
// member's name (instance.assets[3].cost); positional paths (line, column) keep theirs
// and the message gains the name.
func prefixed(name string, errs []solver.InputError) []solver.InputError {
	out := make([]solver.InputError, len(errs))
	for i, e := range errs {
		if strings.HasPrefix(e.Path, "line ") {
			e.Msg = name + ": " + e.Msg
		} else {
			e.Path = name + "." + e.Path
		}
		out[i] = e
	}
	return out
}

// compiled is the "instance" member of a body compiled: Model for version 1, Programme
// (whose Model is its one-year part) for version 2 (docs/programme.md).
type compiled struct {
	Model     *solver.Model
	Programme *solver.Programme
}

// instanceMember parses and compiles the "instance" member of a body, as a programme when
// it declares "version": 2 (as `tabane solve` does): 400 for malformed JSON, 422 with every
// problem for an invalid instance.
func instanceMember(body []byte, ms map[string]member) (compiled, error) {
	m, ok := ms["instance"]
	if !ok {
		return compiled{}, invalid("instance is required", solver.InputError{Path: "instance", Msg: "is required (a docs/model.md or docs/programme.md instance)"})
	}
	inst, err := solver.ParseInstance(inPlace(body, m))
	if err != nil {
		var ie *solver.InputError
		if errors.As(err, &ie) {
			return compiled{}, malformed("instance: "+ie.Msg+" ("+ie.Path+")", prefixed("instance", []solver.InputError{*ie})...)
		}
		return compiled{}, malformed("instance: " + err.Error())
	}
	var out compiled
	if inst.Version == 2 {
		out.Programme, err = solver.CompileProgramme(inst)
		if err == nil {
			out.Model = out.Programme.Model
		}
	} else {
		out.Model, err = solver.Compile(inst)
	}
	if err != nil {
		var ve *solver.ValidationError
		if errors.As(err, &ve) {
			return compiled{}, invalid(fmt.Sprintf("the instance has %d problem(s)", len(ve.Problems)), prefixed("instance", ve.Problems)...)
		}
		return compiled{}, err
	}
	return out, nil
}

// checkMembers refuses members other than the allowed ones.
func checkMembers(ms map[string]member, allowed ...string) error {
	for k := range ms {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return invalid("unknown field "+k, solver.InputError{Path: k, Msg: "unknown field (expected " + strings.Join(allowed, ", ") + ")"})
		}
	}
	return nil
}

// solveStateless: POST /api/v1/solve {instance, time_limit_s, seed, max_iterations} → the
// plan report (as GET /api/v1/runs/{id}/plan), or for a version-2 instance the programme
// report (solveProgrammeStateless). Nothing is stored. An instance without a feasible
// plan is a 422 that says why, one error per reason. max_iterations caps the search's
// iterations (0: none) so that a run is reproducible whatever the machine's load.
func (s *Server) solveStateless(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	ms, err := splitObject(body)
	if err != nil {
		return err
	}
	if err := checkMembers(ms, "instance", "time_limit_s", "seed", "max_iterations"); err != nil {
		return err
	}
	var rr runRequest
	var maxIter int
	for name, dst := range map[string]any{"time_limit_s": &rr.TimeLimitS, "seed": &rr.Seed, "max_iterations": &maxIter} {
		if m, ok := ms[name]; ok {
			if err := json.Unmarshal(m.raw, dst); err != nil {
				return invalid(name+": must be a number", solver.InputError{Path: name, Msg: "must be a number"})
			}
		}
	}
	if maxIter < 0 {
		return invalid("max_iterations is out of range", solver.InputError{Path: "max_iterations",
			Msg: fmt.Sprintf("must be ≥ 0 (0: no cap), found %d", maxIter)})
	}
	req, err := rr.jobsRequest()
	if err != nil {
		return err
	}
	in, err := instanceMember(body, ms)
	if err != nil {
		return err
	}
	opt := solver.SolveOptions{TimeLimit: req.TimeLimit, Seed: req.Seed, Threads: 1, MaxIterations: maxIter}
	if in.Programme != nil {
		return s.solveProgrammeStateless(c, in.Programme, opt)
	}
	res, err := s.planning.runs.SolveNow(c.Request().Context(), in.Model, opt)
	if err != nil {
		return err
	}
	if res.Plan == nil {
		p := noFeasiblePlan(in.Model.Inst, res.Infeasible)
		if len(p.Errors) == 0 {
			p.Detail = fmt.Sprintf("no feasible plan (%s after %s)", res.StopReason, res.Timings.Total.Round(time.Millisecond))
		}
		return p
	}
	return c.JSON(http.StatusOK, solver.NewReport(res.Plan.Instance, res))
}

// solveProgrammeStateless answers POST /api/v1/solve for a version-2 instance with the
// report `tabane solve --json` writes (schedule, evaluation with years[] and budgets[]).
// A plan that breaks some rule is a 200 with feasible false and its violations, as the
// programme solver returns its least-violating plan; only no plan at all is a 422.
func (s *Server) solveProgrammeStateless(c echo.Context, p *solver.Programme, opt solver.SolveOptions) error {
	res, err := s.planning.runs.SolveProgrammeNow(c.Request().Context(), p, opt)
	if err != nil {
		return err
	}
	if res.Evaluation == nil {
		pr := noFeasiblePlan(p.Inst, res.Infeasible)
		if len(pr.Errors) == 0 {
			pr.Detail = fmt.Sprintf("no programme plan (%s)", res.StopReason)
		}
		return pr
	}
	return c.JSON(http.StatusOK, solver.NewProgrammeSolveReport(p, res, opt, nil))
}

// noFeasiblePlan is the 422 of a solve without a plan, one error per proven reason; the
// detail quotes the first.
func noFeasiblePlan(inst *solver.Instance, reasons []solver.Infeasibility) *Problem {
	p := &Problem{Type: ProblemInfeasible, Title: "No feasible plan", Status: http.StatusUnprocessableEntity}
	for _, r := range reasons {
		p.Errors = append(p.Errors, solver.InputError{Path: infeasibilityPath(inst, r), Msg: r.Message})
	}
	if len(p.Errors) > 0 {
		p.Detail = "no feasible plan: " + p.Errors[0].Msg
	}
	return p
}

// infeasibilityPath locates a reason for infeasibility in the instance: the asset, the
// municipality or the limit it concerns, or the pin it rests on.
func infeasibilityPath(inst *solver.Instance, r solver.Infeasibility) string {
	if r.Pin != "" {
		return "instance." + r.Pin // a pin the rules make impossible is the thing to change
	}
	if r.Asset != "" {
		for i, a := range inst.Assets {
			if a.ID == r.Asset {
				return fmt.Sprintf("instance.assets[%d]", i)
			}
		}
	}
	if r.Municipality != "" {
		for i, m := range inst.Municipalities {
			if m.Code == r.Municipality {
				return fmt.Sprintf("instance.municipalities[%d]", i)
			}
		}
	}
	switch r.Rule {
	case "min_value", "max_value", "max_workload", "max_assets", "max_distance":
		if r.Rule == "max_distance" {
			return "instance.params.limits.max_distance_km"
		}
		return "instance.params.limits." + r.Rule
	}
	return "instance"
}

// evaluateStateless: POST /api/v1/evaluate {instance, plan} → the evaluation: cost,
// breakdowns, shares, baseline and every violated rule. A plan that breaks rules is a 200
// with feasible false; only a malformed body or an invalid instance is an error.
func (s *Server) evaluateStateless(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	ms, err := splitObject(body)
	if err != nil {
		return err
	}
	if err := checkMembers(ms, "instance", "plan"); err != nil {
		return err
	}
	in, err := instanceMember(body, ms)
	if err != nil {
		return err
	}
	pm, ok := ms["plan"]
	if !ok {
		return invalid("plan is required", solver.InputError{Path: "plan", Msg: "is required (a docs/model.md plan)"})
	}
	plan, err := solver.ReadPlan(bytes.NewReader(inPlace(body, pm)))
	if err != nil {
		var ie *solver.InputError
		if errors.As(err, &ie) {
			return malformed("plan: "+ie.Msg+" ("+ie.Path+")", prefixed("plan", []solver.InputError{*ie})...)
		}
		return malformed("plan: " + err.Error())
	}
	if in.Programme != nil {
		return c.JSON(http.StatusOK, solver.EvaluateProgramme(in.Programme, plan))
	}
	return c.JSON(http.StatusOK, solver.Evaluate(in.Model, plan))
}
