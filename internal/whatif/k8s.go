package whatif

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The Kubernetes objects of a sharded batch. tabane runs on Kubernetes' own engine for
// independent work, the Indexed Job, rather than on a scheduler of its own: every pod
// gets JOB_COMPLETION_INDEX (0 … completions-1), `tabane whatif BATCH --shards N`
// solves that shard, backoffLimitPerIndex retries one failed index alone, and a
// retried pod resumes from the cache on the shared volume.
//
//	kubectl apply -f whatif.yaml   # ConfigMap (batch + bases), PVC, Indexed Job
//	kubectl wait --for=condition=complete --timeout=24h job/NAME
//	kubectl apply -f merge.yaml    # a Job running tabane whatif merge --print
//	kubectl logs job/NAME-merge    # the merged table

// K8sOptions shape the objects.
type K8sOptions struct {
	// Name prefixes every object (default tabane-whatif-BATCH); a DNS-1123 label.
	Name string
	// Namespace of the objects ("" leaves it to kubectl's context).
	Namespace string
	// Image is the tabane image (Dockerfile at the repository's root).
	Image string
	// Shards is the Job's completions, Parallelism how many pods run at once.
	Shards, Parallelism int
	// BackoffLimitPerIndex is how often one index is retried (default 2).
	BackoffLimitPerIndex int
	// Storage is the size of the output volume (default 1Gi), StorageClass its class
	// ("" the cluster's default); the class must offer ReadWriteMany, as the pods of
	// every node write into it.
	Storage, StorageClass string
	// BatchInImage, when set, is the path of the batch file inside the image (an image
	// built FROM tabane with the batch folder copied in): no ConfigMap, for bases larger
	// than a ConfigMap holds.
	BatchInImage string
}

// K8sManifests are the two files of a sharded batch, YAML: the shards (apply first)
// and the merge (apply when the shards' Job is complete).
type K8sManifests struct {
	Shards, Merge []byte
	// Files are the ConfigMap's files: key → path below the batch folder.
	Files map[string]string
	// CPU and Memory are the requests of one shard pod, MergeMemory the merge's.
	CPU, Memory, MergeMemory string
}

// configMapLimit is the largest ConfigMap Kubernetes stores (etcd's 1 MiB object
// limit, less room for the object's metadata).
const configMapLimit = 1000 * 1024

// Mount points inside the pods.
const (
	k8sBatchDir = "/batch"
	k8sOutDir   = "/out"
)

// ImageUser is the user and group of the image (the Dockerfile's USER, distroless's
// nonroot): the pods run as it, and write the output volume through fsGroup.
const ImageUser = 65532

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
var configMapKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// ShardMemory is the memory request (MiB) of a pod solving instances of up to assets
// assets at threads threads: 64 MiB for the runtime, the charts' fonts and the
// reports, plus 16 KiB per asset and thread, rounded up to 64 MiB. Measured peaks
// (resident, one thread, max_iterations 5000): 31 MiB for 103 assets, 46 MiB for the
// 2,613 of the Nara demo, so the request holds about twice the need; the limit is
// twice the request.
func ShardMemory(assets, threads int) int {
	mib := 64 + (16*assets*max(1, threads)+1023)/1024
	return (mib + 63) / 64 * 64
}

// MergeMemory is the memory request (MiB) of the merge, which holds every row and
// its plan report: 64 MiB plus 256 bytes per asset of every variation, rounded up to
// 64 MiB. Measured: 600 rows of the Nara demo (2,613 assets each, 36 MiB of row
// files) peak at 243 MiB resident, about 160 bytes per asset and row.
func MergeMemory(assetRows int) int {
	mib := 64 + (256*assetRows+(1<<20)-1)/(1<<20)
	return (mib + 63) / 64 * 64
}

// K8s builds the objects that run batch b (parsed from batchFile, whose text is
// batchText) on a cluster: its base files go into the ConfigMap beside it, at the same
// paths relative to the batch file, so that the batch reads them as it does here (or,
// with opt.BatchInImage, the pods read the batch from their image). vars are the
// batch's expanded variations, which size the pods.
func K8s(b *Batch, batchFile string, batchText []byte, vars []Variation, opt K8sOptions) (*K8sManifests, error) {
	if b.Base.Scenario > 0 {
		return nil, fmt.Errorf("%s: the base is a scenario of a database, which the pods cannot reach: export it as an instance file and name that as the base", batchFile)
	}
	if opt.Image == "" {
		return nil, fmt.Errorf("name the image (--image), e.g. registry.example.jp/tabane:1.0 built from the repository's Dockerfile")
	}
	if opt.Shards < 1 || opt.Parallelism < 1 {
		return nil, fmt.Errorf("shards and parallelism must be ≥ 1, found %d and %d", opt.Shards, opt.Parallelism)
	}
	if opt.Name == "" {
		opt.Name = "tabane-whatif-" + dnsName(b.Name)
	}
	if len(opt.Name) > 52 || !dnsLabel.MatchString(opt.Name) {
		// 52: Kubernetes names the pods NAME-INDEX-RANDOM within 63 characters.
		return nil, fmt.Errorf("name %q: expected lower-case letters, digits and '-', at most 52 characters", opt.Name)
	}
	if opt.BackoffLimitPerIndex == 0 {
		opt.BackoffLimitPerIndex = 2
	}
	if opt.Storage == "" {
		opt.Storage = "1Gi"
	}

	// The batch and its bases: in a ConfigMap, or in the image.
	var cm *configMapFiles
	batchPath := opt.BatchInImage
	if batchPath == "" {
		var err error
		if cm, err = newConfigMapFiles(b, batchFile, batchText, opt.Image); err != nil {
			return nil, err
		}
		batchPath = k8sBatchDir + "/" + cm.batchKey
	} else if !strings.HasPrefix(batchPath, "/") {
		return nil, fmt.Errorf("batch in the image %q: expected an absolute path such as %s/batch.yaml", batchPath, k8sBatchDir)
	}

	// Pod size: the largest instance at the batch's threads; the merge holds them all.
	assets, threads, assetRows := 0, 1, 0
	for i := range vars {
		assets = max(assets, len(vars[i].Instance.Assets))
		threads = max(threads, vars[i].Threads)
		assetRows += len(vars[i].Instance.Assets)
	}
	m := &K8sManifests{CPU: strconv.Itoa(threads), Memory: fmt.Sprintf("%dMi", ShardMemory(assets, threads)),
		MergeMemory: fmt.Sprintf("%dMi", MergeMemory(assetRows))}

	meta := func(name, component string) map[string]any {
		md := map[string]any{"name": name, "labels": map[string]any{
			"app.kubernetes.io/name": "tabane", "app.kubernetes.io/component": component,
			"tabane/batch": opt.Name}}
		if opt.Namespace != "" {
			md["namespace"] = opt.Namespace
		}
		return md
	}
	volumes := []any{map[string]any{"name": "out", "persistentVolumeClaim": map[string]any{"claimName": opt.Name}}}
	mounts := []any{map[string]any{"name": "out", "mountPath": k8sOutDir}}
	var objects []map[string]any
	if cm != nil {
		m.Files = cm.paths
		volumes = append([]any{map[string]any{"name": "batch", "configMap": map[string]any{"name": opt.Name, "items": toAny(cm.items)}}}, volumes...)
		mounts = append([]any{map[string]any{"name": "batch", "mountPath": k8sBatchDir, "readOnly": true}}, mounts...)
		objects = append(objects, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(opt.Name, "batch"), "data": cm.data})
	}
	security := map[string]any{"runAsNonRoot": true, "runAsUser": ImageUser, "runAsGroup": ImageUser, "fsGroup": ImageUser}
	// The limit is twice the request: room for a larger plan than the rule expects,
	// without letting one pod take a node's memory.
	container := func(name string, args []string, env []any, cpu string, memory int) map[string]any {
		c := map[string]any{
			"name": name, "image": opt.Image, "args": toAny(args), "volumeMounts": mounts,
			"resources": map[string]any{
				"requests": map[string]any{"cpu": cpu, "memory": fmt.Sprintf("%dMi", memory)},
				"limits":   map[string]any{"memory": fmt.Sprintf("%dMi", 2*memory)},
			},
			"securityContext": map[string]any{"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
				"capabilities": map[string]any{"drop": []any{"ALL"}}},
		}
		if env != nil {
			c["env"] = env
		}
		return c
	}
	podSpec := func(c map[string]any) map[string]any {
		return map[string]any{"restartPolicy": "Never", "securityContext": security,
			"containers": []any{c}, "volumes": volumes}
	}

	pvcSpec := map[string]any{
		"accessModes": []any{"ReadWriteMany"},
		"resources":   map[string]any{"requests": map[string]any{"storage": opt.Storage}},
	}
	if opt.StorageClass != "" {
		pvcSpec["storageClassName"] = opt.StorageClass
	}
	pvc := map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta(opt.Name, "output"), "spec": pvcSpec}
	shardArgs := []string{"whatif", batchPath, "--shards", strconv.Itoa(opt.Shards),
		"--parallel", "1", "-o", k8sOutDir}
	// Kubernetes sets JOB_COMPLETION_INDEX itself in an Indexed Job's pods; naming it
	// from the pod's annotation as well keeps the contract visible in the manifest.
	env := []any{map[string]any{"name": "JOB_COMPLETION_INDEX", "valueFrom": map[string]any{"fieldRef": map[string]any{
		"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}}
	job := map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(opt.Name, "shards"),
		"spec": map[string]any{
			"completionMode":       "Indexed",
			"completions":          opt.Shards,
			"parallelism":          min(opt.Parallelism, opt.Shards),
			"backoffLimitPerIndex": opt.BackoffLimitPerIndex,
			"template":             map[string]any{"metadata": map[string]any{"labels": meta(opt.Name, "shards")["labels"]}, "spec": podSpec(container("shard", shardArgs, env, m.CPU, ShardMemory(assets, threads)))},
		}}
	mergeName := opt.Name + "-merge"
	merge := map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(mergeName, "merge"),
		"spec": map[string]any{
			"backoffLimit": 1,
			"template": map[string]any{"metadata": map[string]any{"labels": meta(mergeName, "merge")["labels"]},
				"spec": podSpec(container("merge", []string{"whatif", "merge", k8sOutDir, "-o", k8sOutDir + "/merged", "--print"}, nil, "1", MergeMemory(assetRows)))},
		}}
	header := fmt.Sprintf("# tabane whatif k8s %s: %d variations in %d shards, %d pods at a time.\n", filepath.Base(batchFile), len(vars), opt.Shards, min(opt.Parallelism, opt.Shards))
	var err error
	if m.Shards, err = yamlDocs(header+"# kubectl apply -f this file; kubectl wait --for=condition=complete --timeout=24h job/"+opt.Name+"\n",
		append(objects, pvc, job)...); err != nil {
		return nil, err
	}
	if m.Merge, err = yamlDocs("# Apply when job/"+opt.Name+" is complete; kubectl logs job/"+mergeName+" shows the table.\n", merge); err != nil {
		return nil, err
	}
	return m, nil
}

// configMapFiles are the batch and its bases as a ConfigMap's data, and the items that
// mount each key at its path relative to the batch file.
type configMapFiles struct {
	batchKey string
	data     map[string]string
	items    []map[string]any
	paths    map[string]string
}

// newConfigMapFiles reads the batch's base files into a ConfigMap: each at its path
// relative to the batch file, so that the batch reads them in the pods as it does
// here (a glob of bases matches the same files).
func newConfigMapFiles(b *Batch, batchFile string, batchText []byte, image string) (*configMapFiles, error) {
	batchKey := "batch" + filepath.Ext(batchFile)
	files, err := b.BaseFiles()
	if err != nil {
		return nil, err
	}
	data := map[string]string{batchKey: string(batchText)}
	items := []map[string]any{{"key": batchKey, "path": batchKey}}
	paths := map[string]string{batchKey: batchKey}
	size := len(batchText)
	dir := filepath.Dir(batchFile)
	for _, f := range files {
		rel, err := filepath.Rel(dir, f)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("base %s is outside the batch file's folder %s: the pods see only that folder; copy it there", f, dir)
		}
		rel = filepath.ToSlash(rel)
		key := strings.ReplaceAll(rel, "/", "--")
		if !configMapKey.MatchString(key) {
			return nil, fmt.Errorf("base %s: a ConfigMap key may hold only letters, digits, '-', '_' and '.'; rename the file", rel)
		}
		if _, dup := data[key]; dup {
			return nil, fmt.Errorf("base %s: its ConfigMap key %q is taken by another file; rename one", rel, key)
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("base: %w", err)
		}
		size += len(raw)
		data[key] = string(raw)
		items = append(items, map[string]any{"key": key, "path": rel})
		paths[key] = rel
	}
	if size > configMapLimit {
		return nil, fmt.Errorf("the batch and its bases are %.1f MiB, more than a ConfigMap holds (1 MiB): build an image with them (FROM %s, COPY the batch folder to %s) and name the batch in it (--batch-in-image %s/%s)",
			float64(size)/(1<<20), image, k8sBatchDir, k8sBatchDir, filepath.Base(batchFile))
	}
	return &configMapFiles{batchKey: batchKey, data: data, items: items, paths: paths}, nil
}

// yamlDocs writes the objects as one YAML stream after a comment.
func yamlDocs(comment string, objs ...map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(comment)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, o := range objs {
		if err := enc.Encode(o); err != nil {
			return nil, fmt.Errorf("write the manifest: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func toAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// dnsName makes a batch name a DNS-1123 label: lower case, other characters '-'.
func dnsName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	if len(out) > 38 {
		out = strings.TrimRight(out[:38], "-")
	}
	if out == "" {
		out = "batch"
	}
	return out
}
