package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tabane/tabane/internal/whatif"
)

const whatifK8sUsage = `Usage: tabane whatif k8s BATCH.yaml --shards N --image IMAGE [--parallelism P] [--batch-in-image PATH] [-o DIR]

Writes the Kubernetes objects that run the batch as an Indexed Job of N shards, P pods
at a time, into DIR (default k8s-<batch name>):
  whatif.yaml  a ConfigMap with the batch and its base files, a PersistentVolumeClaim
               (ReadWriteMany) for the rows, and the Indexed Job (completionMode Indexed,
               backoffLimitPerIndex, requests sized from the largest instance)
  merge.yaml   the Job that merges the rows into the batch's tables (apply when the
               first Job is complete)
Then: kubectl apply -f DIR/whatif.yaml; kubectl wait --for=condition=complete
--timeout=24h job/NAME; kubectl apply -f DIR/merge.yaml; kubectl logs job/NAME-merge.
`

// runWhatifK8s is `tabane whatif k8s`.
func runWhatifK8s(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("whatif k8s", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, whatifK8sUsage)
		fs.PrintDefaults()
	}
	var opt whatif.K8sOptions
	fs.IntVar(&opt.Shards, "shards", 0, "shards: the Indexed Job's completions")
	fs.IntVar(&opt.Parallelism, "parallelism", 0, "pods at once (default: --shards)")
	fs.StringVar(&opt.Image, "image", "", "the tabane image (built from the repository's Dockerfile)")
	fs.StringVar(&opt.Name, "name", "", "name of the objects (default tabane-whatif-<batch name>)")
	fs.StringVar(&opt.Namespace, "namespace", "", "namespace of the objects (default: kubectl's)")
	fs.IntVar(&opt.BackoffLimitPerIndex, "backoff-limit-per-index", 2, "retries of one failed shard")
	fs.StringVar(&opt.Storage, "storage", "1Gi", "size of the output volume")
	fs.StringVar(&opt.StorageClass, "storage-class", "", "storage class of the output volume; must offer ReadWriteMany (default: the cluster's)")
	fs.StringVar(&opt.BatchInImage, "batch-in-image", "", "PATH of the batch inside the image (an image FROM tabane with the batch folder copied in) instead of a ConfigMap, for bases over 1 MiB")
	outDir := fs.String("o", "", "folder of the manifests (default k8s-<batch name>)")
	pos, code, exit := parseArgs(fs, args)
	if exit {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "tabane whatif k8s: name one batch file")
		fs.Usage()
		return 2
	}
	if opt.Parallelism == 0 {
		opt.Parallelism = opt.Shards
	}
	path := pos[0]
	// Expand here, so that a batch that cannot run fails now rather than in N pods.
	lb, ok := loadBatch(ctx, "tabane whatif k8s", path, nil, stderr)
	if !ok {
		return 2
	}
	batch, raw, vars := lb.batch, lb.text, lb.vars
	m, err := whatif.K8s(batch, path, raw, vars, opt)
	if err != nil {
		fmt.Fprintf(stderr, "tabane whatif k8s: %v\n", err)
		return 2
	}
	if *outDir == "" {
		*outDir = "k8s-" + slugName(batch.Name)
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "tabane whatif k8s: %v\n", err)
		return 1
	}
	for name, text := range map[string][]byte{"whatif.yaml": m.Shards, "merge.yaml": m.Merge} {
		if err := os.WriteFile(filepath.Join(*outDir, name), text, 0o644); err != nil {
			fmt.Fprintf(stderr, "tabane whatif k8s: %v\n", err)
			return 1
		}
	}
	where := fmt.Sprintf("%d files in the ConfigMap", len(m.Files))
	if opt.BatchInImage != "" {
		where = "the batch at " + opt.BatchInImage + " in the image"
	}
	fmt.Fprintf(stdout, "%s/whatif.yaml, %s/merge.yaml: %d variations in %d shards, %d pods at a time, each %s CPU and %s memory (the merge %s); %s\n",
		*outDir, *outDir, len(vars), opt.Shards, min(opt.Parallelism, opt.Shards), m.CPU, m.Memory, m.MergeMemory, where)
	return 0
}

// loadedBatch is a batch file read and parsed, its bases loaded and its variations
// expanded.
type loadedBatch struct {
	text  []byte
	batch *whatif.Batch
	bases []whatif.NamedBase
	vars  []whatif.Variation
}

// loadBatch reads the batch file at path; on a problem it writes it to stderr after
// the command's name and returns false.
func loadBatch(ctx context.Context, cmd, path string, src whatif.ScenarioSource, stderr io.Writer) (*loadedBatch, bool) {
	lb := &loadedBatch{}
	var err error
	if lb.text, err = os.ReadFile(path); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return nil, false
	}
	if lb.batch, err = whatif.Parse(lb.text, path); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return nil, false
	}
	if lb.bases, err = lb.batch.LoadBases(ctx, src); err != nil {
		fmt.Fprintf(stderr, "%s: %s: %v\n", cmd, path, err)
		return nil, false
	}
	if lb.vars, err = lb.batch.ExpandBases(lb.bases); err != nil {
		fmt.Fprintf(stderr, "%s: %s: the batch cannot run:\n%v\n", cmd, path, err)
		return nil, false
	}
	return lb, true
}
