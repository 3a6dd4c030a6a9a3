package whatif

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tabane/tabane/solver"
)

// A batch may name several bases instead of one, so that one batch covers many
// prefectures:
//
//	bases: [nara.json, saitama.json]   # instance files, relative to the batch file
//	bases: prefectures/*.json          # or a glob (one, or several in the list)
//
// Every base is crossed with every variation: the runs are base 1 × variations, then
// base 2 × variations, … Each run carries the override base=NAME (the file name
// without .json), which the tables show as a column and the chart as a category.

// BaseKey is the override key that names a run's base in a batch of several bases.
const BaseKey = "base"

// NamedBase is one loaded base of a batch: its instance and the name its runs carry.
type NamedBase struct {
	// Name is the file's name without its extension (nara-demo-fy2027), or its path
	// relative to the batch file's folder when two files share a name; "" for the one
	// base of a batch that names base.
	Name string
	// File is the instance file's path ("" for a scenario base).
	File     string
	Instance *solver.Instance
}

// parseBases reads the bases node of a batch file: one string or a list of strings,
// each a file or a glob, taken from the batch file's folder.
func parseBases(f *file, name string, fail func(path string, n *yaml.Node, format string, args ...any)) []string {
	if f.Base.Kind != 0 {
		fail("bases", &f.Bases, "name either base (one instance) or bases (several), not both")
		return nil
	}
	var items []*yaml.Node
	switch f.Bases.Kind {
	case yaml.ScalarNode:
		items = []*yaml.Node{&f.Bases}
	case yaml.SequenceNode:
		items = f.Bases.Content
	}
	if len(items) == 0 {
		fail("bases", &f.Bases, "expected an instance file, a glob or a non-empty list of them (bases: [nara.json, saitama.json])")
		return nil
	}
	var out []string
	for i, n := range items {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
			fail(fmt.Sprintf("bases[%d]", i), n, "expected the name of an instance file or a glob such as prefectures/*.json")
			continue
		}
		p := n.Value
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(name), p)
		}
		out = append(out, p)
	}
	return out
}

// BaseFiles resolves the batch's bases to instance files: each glob's matches sorted,
// in the order of the list, each file once. A file that does not exist, or a glob
// that matches nothing, is an error naming it.
func (b *Batch) BaseFiles() ([]string, error) {
	if len(b.Bases) == 0 {
		if b.Base.Instance == "" {
			return nil, nil
		}
		return []string{b.Base.Instance}, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, pat := range b.Bases {
		matches := []string{pat}
		if strings.ContainsAny(pat, "*?[") {
			var err error
			matches, err = filepath.Glob(pat)
			if err != nil {
				return nil, fmt.Errorf("bases: %q: %w", pat, err)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("bases: %q matches no file", pat)
			}
			sort.Strings(matches)
		} else if _, err := os.Stat(pat); err != nil {
			return nil, fmt.Errorf("bases: %w", err)
		}
		for _, m := range matches {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// LoadBases reads every base of the batch: the one base (LoadBase, Name ""), or each
// file of bases, named by its file name.
func (b *Batch) LoadBases(ctx context.Context, src ScenarioSource) ([]NamedBase, error) {
	if len(b.Bases) == 0 {
		inst, err := b.LoadBase(ctx, src)
		if err != nil {
			return nil, err
		}
		return []NamedBase{{File: b.Base.Instance, Instance: inst}}, nil
	}
	files, err := b.BaseFiles()
	if err != nil {
		return nil, err
	}
	names := baseNames(files)
	out := make([]NamedBase, len(files))
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("base instance: %w", err)
		}
		inst, err := solver.ParseInstance(raw)
		if err != nil {
			return nil, fmt.Errorf("base instance %s: %w", f, err)
		}
		out[i] = NamedBase{Name: names[i], File: f, Instance: inst}
	}
	return out, nil
}

// baseNames names each file by its name without extension, or by its path without
// extension when another file has the same name.
func baseNames(files []string) []string {
	stem := func(p string) string { return strings.TrimSuffix(p, filepath.Ext(p)) }
	count := map[string]int{}
	for _, f := range files {
		count[stem(filepath.Base(f))]++
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = stem(filepath.Base(f))
		if count[out[i]] > 1 {
			out[i] = filepath.ToSlash(stem(f))
		}
	}
	return out
}

// ExpandBases expands the batch on every base (Expand) and numbers the runs 1… across
// the bases. With several bases, each run's name starts with its base's
// ("saitama/fixed-3m") and its overrides with base=NAME; the problems of a base that
// cannot run are named the same way, and come back together in one *BatchError.
func (b *Batch) ExpandBases(bases []NamedBase) ([]Variation, error) {
	if len(bases) == 1 && bases[0].Name == "" {
		return b.Expand(bases[0].Instance)
	}
	if len(bases)*b.Count() > MaxVariations {
		return nil, fmt.Errorf("the batch has %d bases × %d variations, more than the limit of %d",
			len(bases), b.Count(), MaxVariations)
	}
	var out []Variation
	all := &BatchError{}
	for _, nb := range bases {
		vars, err := b.Expand(nb.Instance)
		var be *BatchError
		switch {
		case errors.As(err, &be):
			for _, p := range be.Problems {
				p.Variation = nb.Name + "/" + p.Variation
				all.Problems = append(all.Problems, p)
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("base %s: %w", nb.Name, err)
		}
		for _, v := range vars {
			v.Index = len(out) + 1
			v.Name = nb.Name + "/" + v.Name
			v.Overrides = append([]Assignment{{Key: BaseKey, Value: nb.Name, Grid: true}}, v.Overrides...)
			out = append(out, v)
		}
	}
	if len(all.Problems) > 0 {
		return nil, all
	}
	return out, nil
}

// BasesOutput is the Output of a batch on bases: the base names joined, and the
// municipality names of every base. A code two bases name differently (synthetic
// instances reuse codes) stays a code, rather than take one prefecture's name.
func BasesOutput(lang Lang, batch string, bases []NamedBase) Output {
	if len(bases) == 1 {
		return NewOutput(lang, batch, bases[0].Instance)
	}
	o := Output{Lang: lang, Batch: batch, Names: map[string]string{}}
	clash := map[string]bool{}
	names := make([]string, len(bases))
	for i, nb := range bases {
		names[i] = nb.Name
		for _, m := range nb.Instance.Municipalities {
			if n, ok := o.Names[m.Code]; ok && n != m.Name {
				clash[m.Code] = true
			}
			o.Names[m.Code] = m.Name
		}
	}
	for c := range clash {
		delete(o.Names, c)
	}
	o.Base = strings.Join(names, ", ")
	return o
}
