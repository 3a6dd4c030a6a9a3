package whatif

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/tabane/tabane/solver"
)

// A batch too large for one machine runs in shards: N processes (the pods of a
// Kubernetes Indexed Job, JOB_COMPLETION_INDEX = 0 … N-1) each expand the same batch,
// solve their own share of the variations and write each finished row into one output
// folder on a shared volume:
//
//	OUTDIR/shards.json          the variations, their keys and shards (Manifest)
//	OUTDIR/rows/00042.json      one finished row with its plan report (ShardRow)
//	OUTDIR/plans/042-NAME.json  its plan, as a one-machine run writes it
//
// Merge then reads the rows of every shard and writes the tables and charts of the
// whole batch (merge.go).

// Shard output names inside the output folder.
const (
	ManifestFile = "shards.json"
	RowsDir      = "rows"
)

// manifestVersion changes when the shard files change meaning.
const manifestVersion = 1

// Shard is one share of a batch: number Index of Count (0 ≤ Index < Count), as
// Kubernetes numbers the pods of an Indexed Job.
type Shard struct {
	Index, Count int
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard reads "I/N" (0 ≤ I < N).
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: expected I/N, e.g. 0/3 (I from 0 to N-1)", s)
	}
	return NewShard(i, n)
}

// NewShard checks 0 ≤ index < count.
func NewShard(index, count int) (Shard, error) {
	if count < 1 {
		return Shard{}, fmt.Errorf("shard count must be ≥ 1, found %d", count)
	}
	if index < 0 || index >= count {
		return Shard{}, fmt.Errorf("shard index must be from 0 to %d for %d shards, found %d", count-1, count, index)
	}
	return Shard{Index: index, Count: count}, nil
}

// Weight is the work a variation stands for when shards are balanced: the assets of
// its participating municipalities (a solve's time grows with them; a variation
// without the largest city weighs less), at least 1.
func Weight(v *Variation) int {
	part := make(map[string]bool, len(v.Instance.Municipalities))
	for _, m := range v.Instance.Municipalities {
		part[m.Code] = m.Participating()
	}
	n := 0
	for _, a := range v.Instance.Assets {
		if part[a.Municipality] {
			n++
		}
	}
	return max(1, n)
}

// AssignShards gives every variation a shard (0 … n-1), the same in every process that
// expands the same batch. Variations with the same key (one solve) stay together. The
// groups go heaviest first (Weight, then batch order) to the shard with the least
// weight so far (then the lowest number): the longest-processing-time rule, whose
// largest shard is at most 4/3 of the best possible.
func AssignShards(vars []Variation, n int) []int {
	type group struct {
		weight, first int
		members       []int
	}
	var groups []*group
	byKey := map[string]*group{}
	for i := range vars {
		g, ok := byKey[vars[i].Key]
		if !ok {
			g = &group{weight: Weight(&vars[i]), first: i}
			byKey[vars[i].Key] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, i)
	}
	sort.SliceStable(groups, func(a, b int) bool {
		if groups[a].weight != groups[b].weight {
			return groups[a].weight > groups[b].weight
		}
		return groups[a].first < groups[b].first
	})
	load := make([]int, max(1, n))
	out := make([]int, len(vars))
	for _, g := range groups {
		best := 0
		for s := range load {
			if load[s] < load[best] {
				best = s
			}
		}
		load[best] += g.weight
		for _, i := range g.members {
			out[i] = best
		}
	}
	return out
}

// Manifest lists the variations of a sharded batch: what merge expects to find.
type Manifest struct {
	Version int    `json:"version"`
	Batch   string `json:"batch"`
	// Base and Names are those of the batch's Output: the base names and the
	// municipality names of the tables.
	Base       string            `json:"base"`
	Names      map[string]string `json:"names"`
	Shards     int               `json:"shards"`
	Variations []ManifestEntry   `json:"variations"`
}

// ManifestEntry is one variation of a sharded batch and the shard that solves it.
type ManifestEntry struct {
	Index  int    `json:"index"`
	Name   string `json:"name"`
	Key    string `json:"key"`
	Shard  int    `json:"shard"`
	Weight int    `json:"weight"`
}

// NewManifest describes vars split in n shards, for the tables of o.
func NewManifest(vars []Variation, n int, o Output) Manifest {
	m := Manifest{Version: manifestVersion, Batch: o.Batch, Base: o.Base, Names: o.Names, Shards: n}
	shards := AssignShards(vars, n)
	for i := range vars {
		m.Variations = append(m.Variations, ManifestEntry{Index: vars[i].Index, Name: vars[i].Name,
			Key: vars[i].Key, Shard: shards[i], Weight: Weight(&vars[i])})
	}
	return m
}

// Output is the Output the manifest was written for, in lang.
func (m *Manifest) Output(lang Lang) Output {
	return Output{Lang: lang, Batch: m.Batch, Base: m.Base, Names: m.Names}
}

// ShardRow is a finished row as a shard writes it to rows/: the row, its plan report
// and the shard that solved it.
type ShardRow struct {
	Version int `json:"version"`
	Shard   int `json:"shard"`
	Row
	Report *solver.Report `json:"report,omitempty"`
	// ProgrammeReport replaces Report for a programme (version-2) variation.
	ProgrammeReport *solver.ProgrammeSolveReport `json:"programme_report,omitempty"`
}

// RowFile is the path of the row of variation index inside the output folder.
func RowFile(index int) string { return filepath.Join(RowsDir, fmt.Sprintf("%05d.json", index)) }

// ShardSummary is what RunShard did.
type ShardSummary struct {
	// Variations are those of this shard, Total those of the whole batch.
	Variations, Total int
	Rows              []Row
}

// RunShard solves this shard's variations of vars (Run, with opt) and writes the
// manifest, each finished row and each plan into dir as they finish, so that a shard
// killed half-way leaves its finished rows behind, and run again takes them from the
// cache. Every shard writes the same manifest; it is replaced atomically.
func RunShard(ctx context.Context, vars []Variation, s Shard, dir string, o Output, opt RunOptions) (ShardSummary, error) {
	m := NewManifest(vars, s.Count, o)
	for _, d := range []string{RowsDir, PlansDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return ShardSummary{}, fmt.Errorf("output folder: %w", err)
		}
	}
	raw, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return ShardSummary{}, err
	}
	if err := writeAtomic(filepath.Join(dir, ManifestFile), raw); err != nil {
		return ShardSummary{}, fmt.Errorf("output folder: %w", err)
	}
	var mine []Variation
	for i, e := range m.Variations {
		if e.Shard == s.Index {
			mine = append(mine, vars[i])
		}
	}
	var writeErr error
	onRow := opt.OnRow
	opt.OnRow = func(r Row) {
		if err := writeShardRow(dir, s.Index, &r); err != nil {
			writeErr = errors.Join(writeErr, err)
		}
		if onRow != nil {
			onRow(r)
		}
	}
	sum := ShardSummary{Variations: len(mine), Total: len(vars)}
	if len(mine) == 0 {
		return sum, nil
	}
	sum.Rows, err = Run(ctx, mine, opt)
	if writeErr != nil {
		return sum, errors.Join(err, fmt.Errorf("write the rows: %w", writeErr))
	}
	return sum, err
}

// writeShardRow writes the plan, then the row: a row file is the sign that its plan is
// there too.
func writeShardRow(dir string, shard int, r *Row) error {
	if r.Plan != nil {
		if err := writeFile(filepath.Join(dir, PlanFile(r)), func(w io.Writer) error { return writePlan(w, r) }); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(ShardRow{Version: manifestVersion, Shard: shard, Row: *r, Report: r.Report,
		ProgrammeReport: r.ProgrammeReport})
	if err != nil {
		return fmt.Errorf("row %d: %w", r.Index, err)
	}
	return writeAtomic(filepath.Join(dir, RowFile(r.Index)), raw)
}

// writeAtomic writes raw to path through a temporary file and a rename, so that a
// process killed while writing never leaves half a file for another to read.
func writeAtomic(path string, raw []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
