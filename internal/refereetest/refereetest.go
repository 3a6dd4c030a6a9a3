// Package refereetest compares the project's evaluator with recorded verdicts of the
// independent referee (a Python script outside this repository), for tests only.
//
// The referee's verdicts are kept in testdata/referee/verdicts.json at the repository root,
// one record per judged plan: the instance (a file of the repository, or inline), the plan,
// the referee's exit code and its JSON verdict as it printed it. `make test` only reads
// that file; testdata/referee/record.sh REFEREE rewrites it by running the tests with
// RecordEnv set (they then write their plans instead of checking) and having the referee
// judge every plan (see testdata/referee/README.md).
package refereetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// RecordEnv names the environment variable that switches the tests to recording: it holds
// the file the plans to judge are appended to (JSON lines).
const RecordEnv = "TABANE_REFEREE_JOBS"

// VerdictsFile is the recorded verdicts, relative to the repository root.
const VerdictsFile = "testdata/referee/verdicts.json"

// Job is a plan our evaluator judged, for the referee's recorded verdict to be compared with.
type Job struct {
	// Name is unique across the repository: the test's name and the case.
	Name string `json:"name"`
	// InstanceFile is the instance's path from the repository root, or "" when Instance holds it.
	InstanceFile string          `json:"instance_file,omitempty"`
	Instance     json.RawMessage `json:"instance,omitempty"`
	Plan         json.RawMessage `json:"plan"`
	// SolverOutput marks a plan a solve produced: the test asserts that the same solve
	// gives a plan our evaluator prices as the referee did, not that the plan is the same.
	SolverOutput bool `json:"solver_output,omitempty"`
	// Ours is our evaluator's verdict; it is not recorded.
	Ours Ours `json:"-"`
}

// Ours is the part of our evaluation the referee's verdict is compared with.
type Ours struct {
	Feasible     bool
	Cost         float64 // plan cost
	Baseline     float64 // standalone total of the participating municipalities
	SavingPct    float64
	IRViolations int
}

// Verdict is what the referee printed for one plan, and its exit code (0: feasible).
type Verdict struct {
	Feasible     bool     `json:"feasible"`
	Errors       []string `json:"errors"`
	Cost         float64  `json:"cost"`
	Baseline     float64  `json:"baseline"`
	SavingsPct   float64  `json:"savings_pct"`
	IRViolations int      `json:"ir_violations"`
}

// record is one entry of VerdictsFile.
type record struct {
	Job
	InstanceSHA256 string          `json:"instance_sha256"`
	Exit           int             `json:"exit"`
	Verdict        json.RawMessage `json:"verdict"`
}

// Recorded is a referee verdict from VerdictsFile.
type Recorded struct {
	Verdict
	Exit int
}

// Root is the repository root: the nearest folder above the working directory with go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("refereetest: no go.mod above the working directory")
		}
		dir = up
	}
}

// Recording reports whether the tests run to record plans for the referee (RecordEnv set).
func Recording() bool { return os.Getenv(RecordEnv) != "" }

// Check compares every job with its recorded verdict: the same instance, the same plan
// (for SolverOutput jobs: a plan priced the same), feasibility and the IR count exactly,
// cost, baseline and saving to 1e-6 relative. It returns the recorded verdicts by name for
// further assertions. When recording, it appends the jobs to the RecordEnv file instead
// and returns nil.
func Check(t *testing.T, jobs []Job) map[string]Recorded {
	t.Helper()
	root := Root(t)
	if path := os.Getenv(RecordEnv); path != "" {
		appendJobs(t, path, jobs)
		return nil
	}
	recs := load(t, filepath.Join(root, VerdictsFile))
	out := make(map[string]Recorded, len(jobs))
	rel := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*max(1, math.Abs(b)) }
	for _, j := range jobs {
		rec, ok := recs[j.Name]
		if !ok {
			t.Errorf("%s: no recorded referee verdict in %s (run testdata/referee/record.sh)", j.Name, VerdictsFile)
			continue
		}
		if msg := sameInstance(root, j, rec); msg != "" {
			t.Errorf("%s: %s; the recorded verdict is about another instance (run testdata/referee/record.sh)", j.Name, msg)
			continue
		}
		samePlan := sameJSON(j.Plan, rec.Plan)
		if !samePlan && !j.SolverOutput {
			t.Errorf("%s: the plan is not the one the referee judged (run testdata/referee/record.sh)", j.Name)
			continue
		}
		var v Verdict
		if err := json.Unmarshal(rec.Verdict, &v); err != nil {
			t.Errorf("%s: recorded verdict %s: %v", j.Name, rec.Verdict, err)
			continue
		}
		out[j.Name] = Recorded{Verdict: v, Exit: rec.Exit}
		hint := ""
		if !samePlan {
			hint = " (this solve gave another plan than the recorded one)"
		}
		ev := j.Ours
		if ev.Feasible != v.Feasible {
			t.Errorf("%s: feasible = %v, referee says %v (%v)%s", j.Name, ev.Feasible, v.Feasible, v.Errors, hint)
		}
		if !rel(ev.Cost, v.Cost) {
			t.Errorf("%s: cost = %.6f, referee %.6f%s", j.Name, ev.Cost, v.Cost, hint)
		}
		if !rel(ev.Baseline, v.Baseline) {
			t.Errorf("%s: standalone total = %.6f, referee baseline %.6f%s", j.Name, ev.Baseline, v.Baseline, hint)
		}
		if !rel(ev.SavingPct, v.SavingsPct) {
			t.Errorf("%s: saving %% = %.9f, referee %.9f%s", j.Name, ev.SavingPct, v.SavingsPct, hint)
		}
		if ev.IRViolations != v.IRViolations {
			t.Errorf("%s: %d IR violations, referee %d%s", j.Name, ev.IRViolations, v.IRViolations, hint)
		}
	}
	return out
}

// sameInstance says how the job's instance differs from the recorded one ("" if it does not).
func sameInstance(root string, j Job, rec record) string {
	if j.InstanceFile != rec.InstanceFile {
		return fmt.Sprintf("instance file %q, recorded %q", j.InstanceFile, rec.InstanceFile)
	}
	if j.InstanceFile == "" {
		if !sameJSON(j.Instance, rec.Instance) {
			return "the inline instance differs from the recorded one"
		}
		return ""
	}
	data, err := os.ReadFile(filepath.Join(root, j.InstanceFile))
	if err != nil {
		return err.Error()
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != rec.InstanceSHA256 {
		return fmt.Sprintf("%s has changed since the verdict was recorded (sha256)", j.InstanceFile)
	}
	return ""
}

// sameJSON compares two JSON texts up to insignificant white space.
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

func load(t *testing.T, path string) map[string]record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("recorded referee verdicts: %v", err)
	}
	var recs map[string]record
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for name, r := range recs {
		if r.Name != name {
			t.Fatalf("%s: record %q is named %q inside", path, name, r.Name)
		}
	}
	return recs
}

// appendJobs adds the jobs to the recording file, one JSON object a line. Tests of
// different packages may run at once: each line is one write to a file opened for
// appending, which the kernel does not interleave.
func appendJobs(t *testing.T, path string, jobs []Job) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatalf("recording referee jobs: %v", err)
	}
	for _, j := range jobs {
		line, err := json.Marshal(j)
		if err == nil {
			_, err = f.Write(append(line, '\n'))
		}
		if err != nil {
			f.Close()
			t.Fatalf("recording referee job %s: %v", j.Name, err)
		}
	}
	if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		t.Fatalf("recording referee jobs: %v", err)
	}
	t.Logf("recorded %d plan(s) for the referee in %s", len(jobs), path)
}

// FromRoot is path (relative to the working directory) relative to the repository root,
// as Job.InstanceFile wants it.
func FromRoot(t testing.TB, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(Root(t), abs)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}
