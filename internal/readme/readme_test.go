package readme

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tabane/tabane/internal/servetest"
)

// The README's blocks talk to a server at readmeAddr; the test serves on a free port and
// writes its address in their place, so a busy port 8080 on the machine changes nothing.
const readmeAddr = "127.0.0.1:8080"

// block is one fenced code block of README.md.
type block struct {
	line   int    // line of the opening fence, 1-based
	lang   string // the fence's info string (sh, bash, json, …)
	text   string
	skip   string // the reason of a `<!-- readme-test: skip (reason) -->` before the fence
	exit   int    // the exit status `<!-- readme-test: exit N (reason) -->` expects; 0 otherwise
	marker string // the directive as written, for messages
}

var directive = regexp.MustCompile(`^<!-- readme-test: (skip|exit (\d+)) \((.+)\) -->$`)

// parseBlocks returns the fenced blocks of md with the directive on the line right before
// each fence. A directive that is malformed or not followed by a fence is an error, so a
// typo cannot quietly turn a skipped block into a run one or the reverse.
func parseBlocks(md string) ([]block, error) {
	lines := strings.Split(md, "\n")
	var out []block
	pending, pendingLine := "", 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "<!-- readme-test:") {
			if pending != "" {
				return nil, fmt.Errorf("README.md:%d: directive %q is not followed by a fence", pendingLine, pending)
			}
			if !directive.MatchString(l) {
				return nil, fmt.Errorf("README.md:%d: malformed directive %q (want `<!-- readme-test: skip (reason) -->` or `<!-- readme-test: exit N (reason) -->`)", i+1, l)
			}
			pending, pendingLine = l, i+1
			continue
		}
		if !strings.HasPrefix(l, "```") {
			if pending != "" {
				return nil, fmt.Errorf("README.md:%d: directive %q is not right before a fence", pendingLine, pending)
			}
			continue
		}
		b := block{line: i + 1, lang: strings.TrimSpace(strings.TrimPrefix(l, "```")), marker: pending}
		if m := directive.FindStringSubmatch(pending); m != nil {
			if m[1] == "skip" {
				b.skip = m[3]
			} else {
				b.exit, _ = strconv.Atoi(m[2])
			}
		}
		pending = ""
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			return nil, fmt.Errorf("README.md:%d: fence never closed", b.line)
		}
		b.text = strings.Join(body, "\n") + "\n"
		out = append(out, b)
	}
	return out, nil
}

func TestParseBlocks(t *testing.T) {
	md := "text\n```sh\necho a\n```\n<!-- readme-test: skip (never returns) -->\n```bash\nmake run\n```\n" +
		"<!-- readme-test: exit 1 (infeasible) -->\n```sh\nfalse\n```\n```json\n{}\n```\n"
	got, err := parseBlocks(md)
	if err != nil {
		t.Fatal(err)
	}
	want := []block{
		{line: 2, lang: "sh", text: "echo a\n"},
		{line: 6, lang: "bash", text: "make run\n", skip: "never returns", marker: "<!-- readme-test: skip (never returns) -->"},
		{line: 10, lang: "sh", text: "false\n", exit: 1, marker: "<!-- readme-test: exit 1 (infeasible) -->"},
		{line: 13, lang: "json", text: "{}\n"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("parseBlocks:\n got %+v\nwant %+v", got, want)
	}
	for _, bad := range []string{
		"<!-- readme-test: skip -->\n```sh\nx\n```\n",             // no reason
		"<!-- readme-test: skip (why) -->\n\n```sh\nx\n```\n",     // not right before the fence
		"<!-- readme-test: skip (why) -->\ntext\n```sh\nx\n```\n", // idem
		"```sh\nx\n", // never closed
	} {
		if _, err := parseBlocks(bad); err == nil {
			t.Errorf("parseBlocks(%q): no error", bad)
		}
	}
}

// runnable reports whether the test runs b: shell blocks not marked skip.
func runnable(b block) bool { return (b.lang == "sh" || b.lang == "bash") && b.skip == "" }

// prelude runs before every block: stop at the first failing command (as a reader would
// notice it), and record every curl answer (headers and body) for the shape checks.
// --fail-with-body makes an HTTP error a failing command while still printing it.
const prelude = `set -eo pipefail
curl() {
	local n
	n="$READMETEST_RESP/$(date +%s%N)"
	printf '%s\n' "$@" > "$n.args"
	command curl --fail-with-body -D "$n.head" "$@" | tee "$n.body"
}
`

// TestReadmeBlocks builds tabane, serves it on a fresh database, and runs every shell block
// of README.md, in order, with bash in a copy of the repository, as a reader pasting them
// would: each must exit as documented (0 unless marked), and every HTTP answer must be a
// success whose JSON parses and carries the keys the README names (routeKeys).
func TestReadmeBlocks(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseBlocks(string(md))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	work := filepath.Join(tmp, "repo")
	copyRepo(t, root, work)
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	build := exec.Command(goBin, "build", "-o", filepath.Join(work, "bin", "tabane"), "./cmd/tabane")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	addr := serve(t, filepath.Join(work, "bin", "tabane"), filepath.Join(tmp, "serve"))

	// The blocks run with the reader's tools but a home of their own (the what-if cache
	// defaults to ~/.cache); Go keeps its caches, else `make build` would compile SQLite again.
	env := os.Environ()
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		out, err := exec.Command(goBin, "env", v).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", v, err)
		}
		env = append(env, v+"="+strings.TrimSpace(string(out)))
	}
	home := filepath.Join(tmp, "home")
	env = append(env, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"PATH="+filepath.Join(work, "bin")+":"+filepath.Dir(goBin)+":"+os.Getenv("PATH"))

	var ran, skipped int
	for _, b := range blocks {
		if b.lang != "sh" && b.lang != "bash" {
			continue
		}
		if !runnable(b) {
			skipped++
			t.Logf("README.md:%d: skipped (%s): %s", b.line, b.skip, firstLine(b.text))
			continue
		}
		ran++
		resp := filepath.Join(tmp, "resp", strconv.Itoa(b.line))
		if err := os.MkdirAll(resp, 0o755); err != nil {
			t.Fatal(err)
		}
		script := prelude + strings.ReplaceAll(b.text, readmeAddr, addr)
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = work
		cmd.Env = append(slices.Clone(env), "READMETEST_RESP="+resp)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("README.md:%d: bash: %v", b.line, err)
		}
		if code != b.exit {
			t.Errorf("README.md:%d: exit status %d, want %d\n--- block:\n%s--- output (last 3000 bytes):\n%s",
				b.line, code, b.exit, b.text, servetest.Tail(out.String(), 3000))
			continue
		}
		n := checkAnswers(t, b.line, resp, addr)
		t.Logf("README.md:%d: ran, exit %d, %d HTTP answer(s) checked: %s", b.line, code, n, firstLine(b.text))
	}
	t.Logf("%d shell blocks run, %d skipped", ran, skipped)
	if ran == 0 {
		t.Fatal("no shell block ran")
	}
}

// serve starts `tabane serve` on a free loopback port with a fresh database in dir and
// returns its host:port.
func serve(t *testing.T, bin, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	u := servetest.Start(t, bin, "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "tabane.db"))
	return strings.TrimPrefix(u, "http://")
}

// routeKeys are the top-level keys the README says an answer has, by method and path.
var routeKeys = []struct {
	method string
	path   *regexp.Regexp
	keys   []string
}{
	{"GET", regexp.MustCompile(`^/healthz$`), []string{"schema_version", "status"}},
	{"GET", regexp.MustCompile(`^/api/v1/(municipalities|depots)$`), []string{"items", "total"}},
	{"GET", regexp.MustCompile(`^/api/v1/assets$`), []string{"items", "total", "limit", "offset"}},
	{"GET", regexp.MustCompile(`^/api/v1/municipalities/\d+$`), []string{"code", "name", "region", "boundary"}},
	{"GET", regexp.MustCompile(`^/api/v1/assets/[^/]+$`), []string{"id", "municipality", "kind", "derived"}},
	{"POST", regexp.MustCompile(`^/api/v1/scenarios$`), []string{"id", "name", "fiscal_year"}},
	{"GET", regexp.MustCompile(`^/api/v1/scenarios/\d+/instance$`), []string{"params", "municipalities", "depots", "assets"}},
	{"POST", regexp.MustCompile(`^/api/v1/scenarios/\d+/runs$`), []string{"id", "scenario_id", "status", "seed", "time_limit_s"}},
	{"GET", regexp.MustCompile(`^/api/v1/runs/\d+/plan$`), []string{"instance", "bundles", "cost", "lower_bound"}},
	{"GET", regexp.MustCompile(`^/api/v1/runs/\d+/compare/\d+$`), []string{"a", "b", "changes", "pins", "total", "municipalities", "moves_by_depot", "moved", "moved_count"}},
	{"GET", regexp.MustCompile(`^/api/v1/runs/\d+/years$`), []string{"years"}},
	{"GET", regexp.MustCompile(`^/api/v1/scenarios/\d+/standalone$`), []string{"first_fy", "years", "rows"}},
	{"GET", regexp.MustCompile(`^/api/v1/runs/\d+/budgets$`), []string{"first_fy", "years", "rows"}},
	{"DELETE", regexp.MustCompile(`^/api/v1/runs/\d+$`), []string{"id", "status", "summary"}},
	{"POST", regexp.MustCompile(`^/api/v1/solve$`), []string{"instance", "bundles", "cost", "lower_bound", "gap"}},
	{"POST", regexp.MustCompile(`^/api/v1/evaluate$`), []string{"feasible", "violations", "cost", "standalone_total"}},
	{"POST", regexp.MustCompile(`^/api/v1/batches$`), []string{"id", "status", "progress"}},
	{"POST", regexp.MustCompile(`^/api/v1/imports$`), []string{"format", "records", "created", "updated", "unchanged", "rejected", "flagged"}},
	{"GET", regexp.MustCompile(`^/api/v1/cost-model$`), []string{"kinds"}},
	{"POST", regexp.MustCompile(`^/api/v1/groups$`), []string{"type", "features"}},
}

// checkAnswers checks the HTTP answers a block's curl calls recorded in dir: a success
// status, JSON that parses (every data line of an event stream too) and the keys of
// routeKeys. It returns how many answers it checked.
func checkAnswers(t *testing.T, line int, dir, addr string) int {
	t.Helper()
	heads, _ := filepath.Glob(filepath.Join(dir, "*.head"))
	for _, h := range heads {
		base := strings.TrimSuffix(h, ".head")
		argsB, _ := os.ReadFile(base + ".args")
		args := strings.Split(strings.TrimSpace(string(argsB)), "\n")
		method, path, query := request(args, addr)
		where := fmt.Sprintf("README.md:%d: %s %s", line, method, path)
		headB, _ := os.ReadFile(h)
		status, ctype := parseHead(string(headB))
		if status < 200 || status >= 400 {
			t.Errorf("%s: status %d", where, status)
			continue
		}
		if slices.Contains(args, "-o") {
			continue // the body went to the reader's file, not through our tee
		}
		body, _ := os.ReadFile(base + ".body")
		if slices.Contains(args, "-i") {
			// -i prints the headers before the body: skip them.
			if i := bytes.Index(body, []byte("\r\n\r\n")); i >= 0 {
				body = body[i+4:]
			}
		}
		switch {
		case strings.HasPrefix(ctype, "text/event-stream"):
			sc := bufio.NewScanner(bytes.NewReader(body))
			sc.Buffer(nil, 1<<24)
			for sc.Scan() {
				if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok && !json.Valid([]byte(d)) {
					t.Errorf("%s: event data is not JSON: %.200s", where, d)
				}
			}
		case strings.Contains(ctype, "json"):
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Errorf("%s: %s answer does not parse: %v: %.300s", where, ctype, err, body)
				continue
			}
			obj, _ := v.(map[string]any)
			for _, rk := range routeKeys {
				if rk.method != method || !rk.path.MatchString(path) || strings.Contains(query, "format=") {
					continue
				}
				for _, k := range rk.keys {
					if _, ok := obj[k]; !ok {
						t.Errorf("%s: answer has no %q: %.300s", where, k, body)
					}
				}
			}
		}
	}
	return len(heads)
}

// request returns the method, the path and the query of a curl command line.
func request(args []string, addr string) (method, path, query string) {
	method = "GET"
	for i, a := range args {
		switch {
		case a == "-X" && i+1 < len(args):
			method = args[i+1]
		case method == "GET" && (a == "-d" || a == "--data-binary" || a == "-F"):
			method = "POST"
		case strings.HasPrefix(a, "http://"+addr):
			path = strings.TrimPrefix(a, "http://"+addr)
			path, query, _ = strings.Cut(path, "?")
		}
	}
	return method, path, query
}

// parseHead returns the status and content type of the last answer in a curl -D dump.
func parseHead(h string) (status int, ctype string) {
	for _, l := range strings.Split(h, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "HTTP/") {
			f := strings.Fields(l)
			if len(f) > 1 {
				status, _ = strconv.Atoi(f[1])
			}
		} else if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "content-type") {
			ctype = strings.TrimSpace(v)
		}
	}
	return status, ctype
}

// copyRepo copies the repository at root into dst, leaving out git's folder and what
// builds and runs write (bin, out, databases), so that blocks writing files leave the
// clone untouched.
func copyRepo(t *testing.T, root, dst string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (rel == ".git" || rel == "bin" || rel == "out" || rel == "bench-out" || rel == "screenshots" ||
			strings.HasPrefix(rel, "whatif-")) {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() || strings.Contains(filepath.Base(p), ".db") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying the repository: %v", err)
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
