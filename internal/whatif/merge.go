package whatif

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tabane/tabane/internal/fault"
)

// Missing is a variation of a sharded batch with no row in any output folder.
type Missing struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	Shard int    `json:"shard"`
	// Why is "no row" (the shard has not finished it) or why the row found does not
	// count.
	Why string `json:"why"`
}

// MissingError lists the variations merge found no row for.
type MissingError struct {
	Shards  int
	Missing []Missing
}

// ErrorCode makes a MissingError a conflict with the state of the folders: run the
// shards named again.
func (e *MissingError) ErrorCode() string { return fault.Conflict }

func (e *MissingError) Error() string {
	var b strings.Builder
	if len(e.Missing) == 1 {
		b.WriteString("1 variation has no row yet; run its shard (again) and merge:")
	} else {
		fmt.Fprintf(&b, "%d variations have no row yet; run their shards (again) and merge:", len(e.Missing))
	}
	for _, m := range e.Missing {
		fmt.Fprintf(&b, "\n  shard %d/%d: variation %d %q: %s", m.Shard, e.Shards, m.Index, m.Name, m.Why)
	}
	return b.String()
}

// LoadShards reads the manifest and the rows that shards wrote into dirs (one shared
// folder, or one per shard) and returns the rows in variation order, each with its
// plan. Every folder must hold the manifest of the same batch. A variation without a
// row, or whose row was solved for another version of the batch (another key), comes
// back in a *MissingError with its shard; rows and manifest are returned with it.
func LoadShards(dirs ...string) (*Manifest, []Row, error) {
	if len(dirs) == 0 {
		return nil, nil, fmt.Errorf("name at least one output folder of the shards")
	}
	var m *Manifest
	found := map[int]ShardRow{}
	for _, dir := range dirs {
		dm, err := readManifest(dir)
		if err != nil {
			return nil, nil, err
		}
		if m == nil {
			m = dm
		} else if err := sameBatch(m, dm); err != nil {
			return nil, nil, fmt.Errorf("%s and %s: %w", dirs[0], dir, err)
		}
		entries, err := os.ReadDir(filepath.Join(dir, RowsDir))
		if err != nil && !os.IsNotExist(err) {
			return nil, nil, fmt.Errorf("rows of %s: %w", dir, err)
		}
		for _, e := range entries {
			if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
				continue // a temporary file of a row being written
			}
			p := filepath.Join(dir, RowsDir, e.Name())
			raw, err := os.ReadFile(p)
			if err != nil {
				return nil, nil, err
			}
			var sr ShardRow
			if err := json.Unmarshal(raw, &sr); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", p, err)
			}
			if sr.Version != manifestVersion {
				return nil, nil, fmt.Errorf("%s: row format %d, this tabane reads %d", p, sr.Version, manifestVersion)
			}
			// A row with a plan beats an error row of the same variation (a shard
			// failed once, then succeeded in another folder).
			if old, ok := found[sr.Index]; !ok || !old.hasReport() && sr.hasReport() {
				found[sr.Index] = sr
			}
		}
	}
	var rows []Row
	me := &MissingError{Shards: m.Shards}
	for _, e := range m.Variations {
		sr, ok := found[e.Index]
		switch {
		case !ok:
			me.Missing = append(me.Missing, Missing{Index: e.Index, Name: e.Name, Shard: e.Shard, Why: "no row"})
			continue
		case sr.Key != e.Key:
			me.Missing = append(me.Missing, Missing{Index: e.Index, Name: e.Name, Shard: e.Shard,
				Why: fmt.Sprintf("its row was solved for another version of the batch (key %.12s, expected %.12s)", sr.Key, e.Key)})
			continue
		}
		rows = append(rows, sr.row())
	}
	if len(me.Missing) > 0 {
		return m, rows, me
	}
	return m, rows, nil
}

func readManifest(dir string) (*Manifest, error) {
	p := filepath.Join(dir, ManifestFile)
	raw, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%s: no %s: not the output folder of a shard (tabane whatif BATCH --shard I/N -o %s)", dir, ManifestFile, dir)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("%s: manifest format %d, this tabane reads %d", p, m.Version, manifestVersion)
	}
	return &m, nil
}

// sameBatch says whether two manifests describe the same variations split the same way.
func sameBatch(a, b *Manifest) error {
	if a.Shards != b.Shards || len(a.Variations) != len(b.Variations) {
		return fmt.Errorf("the shards ran different batches (%d variations in %d shards, and %d in %d)",
			len(a.Variations), a.Shards, len(b.Variations), b.Shards)
	}
	for i := range a.Variations {
		if a.Variations[i] != b.Variations[i] {
			return fmt.Errorf("the shards ran different batches: variation %d is %q (%.12s) in one and %q (%.12s) in the other",
				a.Variations[i].Index, a.Variations[i].Name, a.Variations[i].Key, b.Variations[i].Name, b.Variations[i].Key)
		}
	}
	return nil
}

// TimeLimited are the rows whose solve ended at its time limit rather than at its
// max_iterations: their plans depend on the speed of the machine that solved them (pods
// of a cluster differ, and share their nodes), so a run elsewhere may find other ones.
func TimeLimited(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		if r.Report != nil && r.Report.StopReason == "time_limit" {
			out = append(out, r)
		}
	}
	return out
}
