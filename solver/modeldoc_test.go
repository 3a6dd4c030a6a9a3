package solver

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabane/tabane/internal/refereetest"
)

// docBlock returns the fenced code block that follows marker in doc.
func docBlock(t *testing.T, doc []byte, marker string) []byte {
	t.Helper()
	_, rest, ok := bytes.Cut(doc, []byte(marker))
	if !ok {
		t.Fatalf("docs/model.md has no %q", marker)
	}
	_, rest, ok = bytes.Cut(rest, []byte("```json\n"))
	block, _, ok2 := bytes.Cut(rest, []byte("```"))
	if !ok || !ok2 {
		t.Fatalf("docs/model.md: no ```json block after %q", marker)
	}
	return block
}

// TestModelDocExample prices the worked example of docs/model.md — its instance and plan
// read from the page itself — and checks every figure the page computes by hand, the
// page's text showing them, the referee's recorded verdict, and the cheaper plan the page
// says the solver finds.
func TestModelDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "model.md"))
	if err != nil {
		t.Fatal(err)
	}
	data := docBlock(t, doc, "<!-- model-example:instance -->")
	inst, err := ParseInstance(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(inst)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ReadPlan(bytes.NewReader(docBlock(t, doc, "<!-- model-example:plan -->")))
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(m, plan)
	if !ev.Feasible || len(ev.IRViolations) != 0 {
		t.Fatalf("the example plan is infeasible: %+v, IR %v", ev.Violations, ev.IRViolations)
	}
	b := ev.Bundles[0]
	for _, c := range []struct {
		name      string
		got, want float64
		text      string // as the page writes it
	}{
		{"fixed", b.Breakdown.Fixed, 2e6, "| fixed | F | 2,000,000 |"},
		{"equipment", b.Breakdown.Equipment, 580000, "| 580,000 |"},
		{"surcharge", b.Breakdown.Surcharge, 1e6, "| 1,000,000 |"},
		{"assets", b.Breakdown.Assets, 1.5e6, "| 1,500,000 |"},
		{"travel", b.Breakdown.Travel, 17346.432516, "| 17,346.432516 |"},
		{"cost", ev.Cost, 5097346.432516, "**5,097,346.432516**"},
		{"workload", b.Workload, 9, "3 + 2 + 4 = 9 ≤ 20"},
		{"max distance", b.MaxDistanceKm, 28.910721, "28.910721 km away ≤ 30"},
		{"standalone A", ev.Standalone["A"], 3080000, "**3,080,000**"},
		{"standalone B", ev.Standalone["B"], 5085782.144172, "**5,085,782.144172**"},
		{"standalone total", ev.StandaloneTotal, 8165782.144172, "**8,165,782.144172**"},
		{"saving", ev.Saving, 3068435.711656, "**3,068,435.711656**"},
		{"saving %", ev.SavingPct, 37.576752, "**37.576752 %**"},
		{"share A", ev.Shares["A"], 2040000, "**2,040,000** ≤ 3,080,000"},
		{"share B", ev.Shares["B"], 3057346.432516, "**3,057,346.432516** ≤ 5,085,782.144172"},
	} {
		if !evNear(c.got, c.want, 1e-6) {
			t.Errorf("%s = %.6f, the page says %.6f", c.name, c.got, c.want)
		}
		if !bytes.Contains(doc, []byte(c.text)) {
			t.Errorf("%s: the page no longer says %q", c.name, c.text)
		}
	}
	if strings.Join(b.Municipalities, ",") != "A,B" || strings.Join(b.Disciplines, ",") != "road,sewer" {
		t.Errorf("bundle report %+v", b)
	}
	refereetest.Check(t, []refereetest.Job{refJob(t, t.Name(), "", data, plan, ev)})

	// The page: from office-B the bundle costs 5,091,564.288344 and the solver finds it.
	res, err := Solve(context.Background(), m, SolveOptions{Seed: 1, Threads: 1, MaxIterations: 200, TimeLimit: generous})
	if err != nil || res.Plan == nil || len(res.Plan.Bundles) == 0 {
		t.Fatalf("Solve: %v, %+v", err, res)
	}
	if len(res.Plan.Bundles) != 1 || res.Plan.Bundles[0].Depot != "office-B" || !evNear(res.Evaluation.Cost, 5091564.288344, 1e-6) ||
		res.LowerBound > res.Evaluation.Cost+1e-6 || !bytes.Contains(doc, []byte("cost 5,091,564.288344")) {
		t.Errorf("solve: %d bundle(s), depot %q, cost %.6f, bound %.6f; want office-B at 5,091,564.288344",
			len(res.Plan.Bundles), res.Plan.Bundles[0].Depot, res.Evaluation.Cost, res.LowerBound)
	}
}
