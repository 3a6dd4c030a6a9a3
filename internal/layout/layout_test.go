package layout

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tabane/tabane"

// pkg is one package of the module: its directory relative to the root ("solver",
// "internal/api") and what its code and its tests import.
type pkg struct {
	dir         string
	imports     []string
	testImports []string
}

// ourDir is the directory of imp when it is another package of ours.
func (p pkg) ourDir(imp string) (string, bool) {
	dir, ok := strings.CutPrefix(imp, module+"/")
	return dir, ok && dir != p.dir
}

// testHelper reports whether dir is a package of helpers for tests (internal/…test, such
// as internal/refereetest): tests of any package may import it, code may not.
func testHelper(dir string) bool {
	return strings.HasPrefix(dir, "internal/") && strings.HasSuffix(dir, "test")
}

// modulePackages reads every package below the module root with go/build, so the test
// needs no go command; testdata, hidden and _ directories are skipped as the go tool does.
func modulePackages(t *testing.T) []pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.HasPrefix(string(b), "module "+module+"\n") {
		t.Fatalf("%s is not the root of %s: %v", root, module, err)
	}
	var out []pkg
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		bp, err := build.Default.ImportDir(path, 0)
		if _, none := err.(*build.NoGoError); none {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, pkg{dir: filepath.ToSlash(rel), imports: bp.Imports,
			testImports: slices.Concat(bp.TestImports, bp.XTestImports)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportRules: the arrows between our packages point inward (cmd → internal →
// data → solver → geo), the solver and geo stay pure, and SQL and HTTP each live in one
// place. Each rule names the package and the import that breaks it.
func TestImportRules(t *testing.T) {
	pkgs := modulePackages(t)
	dirs := map[string]bool{}
	for _, p := range pkgs {
		dirs[p.dir] = true
	}
	for _, want := range []string{"geo", "solver", "data", "web", "internal/api", "internal/jobs", "cmd/tabane"} {
		if !dirs[want] {
			t.Fatalf("package %s not found: the rules below would check nothing", want)
		}
	}
	// ours: which of our packages dir may import (code and tests).
	ours := func(dir, imp string) bool {
		switch {
		case dir == "geo", dir == "web":
			return false
		case dir == "solver":
			return imp == "geo"
		case dir == "data":
			return imp == "geo" || imp == "solver"
		case imp == "internal/e2e" || strings.HasPrefix(imp, "cmd/"):
			return false // nothing imports a command or the browser tests
		case dir == "internal/api", strings.HasPrefix(dir, "cmd/"), dir == "internal/e2e":
			return true
		case dir == "internal/fault":
			return false // error codes any package may use
		case dir == "internal/planout":
			return imp == "data" || imp == "solver" || imp == "geo"
		case strings.HasPrefix(dir, "internal/"):
			// The job system and whatif serve the API, not the reverse, and know no page.
			return imp == "data" || imp == "solver" || imp == "geo" || (strings.HasPrefix(imp, "internal/") && imp != "internal/api")
		}
		return false
	}
	// forbidden: why dir's code (not its tests) may not use imp ("" if it may).
	pure := []string{"os", "os/exec", "net", "net/http", "database/sql", "github.com/mattn/go-sqlite3", "github.com/labstack/echo/v4"}
	forbidden := func(dir, imp string) string {
		switch {
		case (dir == "solver" || dir == "geo") && slices.Contains(pure, imp):
			return dir + " is pure: no files, network, SQL or HTTP"
		case (imp == "database/sql" || imp == "github.com/mattn/go-sqlite3") && dir != "data":
			return "SQL lives in data only"
		case strings.HasPrefix(imp, "github.com/labstack/echo") && dir != "internal/api":
			return "HTTP handlers live in internal/api only"
		}
		return ""
	}
	for _, p := range pkgs {
		for _, imp := range p.imports {
			if dir, ok := p.ourDir(imp); ok && (!ours(p.dir, dir) || testHelper(dir)) {
				t.Errorf("%s imports %s: not allowed (docs/architecture.md, Packages)", p.dir, imp)
			}
		}
		for _, imp := range p.testImports {
			if dir, ok := p.ourDir(imp); ok && !ours(p.dir, dir) && !testHelper(dir) {
				t.Errorf("the tests of %s import %s: not allowed (docs/architecture.md, Packages)", p.dir, imp)
			}
		}
		for _, imp := range p.imports {
			if why := forbidden(p.dir, imp); why != "" {
				t.Errorf("%s imports %s: %s", p.dir, imp, why)
			}
		}
	}
}
