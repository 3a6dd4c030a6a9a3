package whatif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

// yamlObjects parses a YAML stream into its documents.
func yamlObjects(t *testing.T, text []byte) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var out []map[string]any
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("YAML: %v\n%s", err, text)
		}
		out = append(out, m)
	}
}

// at walks a parsed document by keys and list indexes.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for i, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a mapping at %v", path, path[:i])
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no element %d at %v", path, k, path[:i])
			}
			v = l[k]
		}
	}
	return v
}

func k8sBatch(t *testing.T) (*Batch, string, []byte, []Variation) {
	t.Helper()
	text := "name: Summit 2027\nbases: prefs/*.json\nsolver: {time_limit: 60s, seed: 7, max_iterations: 100, threads: 2}\n"
	_, batch := prefectures(t, text, "nara", "saitama")
	b, bases, err := loadBases(t, batch)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := b.ExpandBases(bases)
	if err != nil {
		t.Fatal(err)
	}
	return b, batch, []byte(text), vars
}

func TestK8sManifests(t *testing.T) {
	b, batch, text, vars := k8sBatch(t)
	m, err := K8s(b, batch, text, vars, K8sOptions{Image: "registry.example.jp/tabane:1.0", Shards: 3, Parallelism: 2, Namespace: "mlit"})
	if err != nil {
		t.Fatal(err)
	}
	// 43 assets at 2 threads: 64 MiB + 16 KiB × 86 = 66 MiB, rounded up to 128.
	if m.CPU != "2" || m.Memory != "128Mi" {
		t.Errorf("pod %s CPU, %s", m.CPU, m.Memory)
	}
	docs := yamlObjects(t, m.Shards)
	if len(docs) != 3 {
		t.Fatalf("%d objects in whatif.yaml, want ConfigMap, PVC, Job", len(docs))
	}
	const name = "tabane-whatif-summit-2027"
	for i, kind := range []string{"ConfigMap", "PersistentVolumeClaim", "Job"} {
		if docs[i]["kind"] != kind || at(t, docs[i], "metadata", "name") != name || at(t, docs[i], "metadata", "namespace") != "mlit" {
			t.Errorf("object %d: %v %v", i, docs[i]["kind"], docs[i]["metadata"])
		}
	}
	cm, pvc, job := docs[0], docs[1], docs[2]

	// The ConfigMap holds the batch and its bases, mounted at their paths.
	nara, err := os.ReadFile(filepath.Join(filepath.Dir(batch), "prefs", "nara.json"))
	if err != nil {
		t.Fatal(err)
	}
	if at(t, cm, "data", "batch.yaml") != string(text) || at(t, cm, "data", "prefs--nara.json") != string(nara) || len(at(t, cm, "data").(map[string]any)) != 3 {
		t.Errorf("ConfigMap data keys %v", reflect.ValueOf(at(t, cm, "data")).MapKeys())
	}
	if !reflect.DeepEqual(pvc["spec"], map[string]any{"accessModes": []any{"ReadWriteMany"},
		"resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}) {
		t.Errorf("PVC spec %v", pvc["spec"])
	}

	// The Indexed Job.
	spec := job["spec"]
	if job["apiVersion"] != "batch/v1" || at(t, spec, "completionMode") != "Indexed" || at(t, spec, "completions") != 3 ||
		at(t, spec, "parallelism") != 2 || at(t, spec, "backoffLimitPerIndex") != 2 || at(t, spec, "template", "spec", "restartPolicy") != "Never" {
		t.Errorf("Job spec %v", spec)
	}
	pod := at(t, spec, "template", "spec")
	c := at(t, pod, "containers", 0)
	if at(t, c, "image") != "registry.example.jp/tabane:1.0" ||
		fmt.Sprint(at(t, c, "args")) != "[whatif /batch/batch.yaml --shards 3 --parallel 1 -o /out]" {
		t.Errorf("container %v %v", at(t, c, "image"), at(t, c, "args"))
	}
	if at(t, c, "env", 0, "name") != "JOB_COMPLETION_INDEX" ||
		at(t, c, "env", 0, "valueFrom", "fieldRef", "fieldPath") != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("env %v", at(t, c, "env"))
	}
	if !reflect.DeepEqual(at(t, c, "resources"), map[string]any{"requests": map[string]any{"cpu": "2", "memory": "128Mi"},
		"limits": map[string]any{"memory": "256Mi"}}) {
		t.Errorf("resources %v", at(t, c, "resources"))
	}
	wantMounts := []any{map[string]any{"name": "batch", "mountPath": "/batch", "readOnly": true},
		map[string]any{"name": "out", "mountPath": "/out"}}
	if !reflect.DeepEqual(at(t, c, "volumeMounts"), wantMounts) {
		t.Errorf("mounts %v", at(t, c, "volumeMounts"))
	}
	wantVolumes := []any{
		map[string]any{"name": "batch", "configMap": map[string]any{"name": name, "items": []any{
			map[string]any{"key": "batch.yaml", "path": "batch.yaml"},
			map[string]any{"key": "prefs--nara.json", "path": "prefs/nara.json"},
			map[string]any{"key": "prefs--saitama.json", "path": "prefs/saitama.json"}}}},
		map[string]any{"name": "out", "persistentVolumeClaim": map[string]any{"claimName": name}}}
	if !reflect.DeepEqual(at(t, pod, "volumes"), wantVolumes) {
		t.Errorf("volumes %v", at(t, pod, "volumes"))
	}
	if at(t, pod, "securityContext", "runAsNonRoot") != true || at(t, pod, "securityContext", "runAsUser") != 65532 {
		t.Errorf("pod security %v", at(t, pod, "securityContext"))
	}

	// The merge Job reads the same volume.
	merges := yamlObjects(t, m.Merge)
	if len(merges) != 1 || merges[0]["kind"] != "Job" || at(t, merges[0], "metadata", "name") != name+"-merge" ||
		at(t, merges[0], "spec", "completionMode") != nil {
		t.Fatalf("merge.yaml %v", merges)
	}
	mc := at(t, merges[0], "spec", "template", "spec", "containers", 0)
	// 2 × 43 assets: 64 MiB + 22 KiB, rounded up to 128.
	if !reflect.DeepEqual(at(t, mc, "resources"), map[string]any{"requests": map[string]any{"cpu": "1", "memory": "128Mi"},
		"limits": map[string]any{"memory": "256Mi"}}) || m.MergeMemory != "128Mi" {
		t.Errorf("merge resources %v", at(t, mc, "resources"))
	}
	if fmt.Sprint(at(t, mc, "args")) != "[whatif merge /out -o /out/merged --print]" || at(t, mc, "image") != "registry.example.jp/tabane:1.0" ||
		!reflect.DeepEqual(at(t, mc, "volumeMounts"), wantMounts) ||
		!reflect.DeepEqual(at(t, merges[0], "spec", "template", "spec", "volumes"), wantVolumes) {
		t.Errorf("merge container %v", mc)
	}
}

func TestK8sRefusals(t *testing.T) {
	b, batch, text, vars := k8sBatch(t)
	opt := K8sOptions{Image: "tabane:1", Shards: 2, Parallelism: 2}
	check := func(b *Batch, opt K8sOptions, want string) {
		t.Helper()
		if _, err := K8s(b, batch, text, vars, opt); err == nil || err.Error() != want {
			t.Errorf("%v\nwant %s", err, want)
		}
	}
	noImage := opt
	noImage.Image = ""
	check(b, noImage, "name the image (--image), e.g. registry.example.jp/tabane:1.0 built from the repository's Dockerfile")
	badName := opt
	badName.Name = "Tabane_X"
	check(b, badName, `name "Tabane_X": expected lower-case letters, digits and '-', at most 52 characters`)
	check(&Batch{Base: Base{Scenario: 3}}, opt, batch+": the base is a scenario of a database, which the pods cannot reach: export it as an instance file and name that as the base")

	// A base outside the batch's folder is not in the ConfigMap's view.
	outside := *b
	outside.Bases = []string{filepath.Join(filepath.Dir(batch), "..", "x.json")}
	if err := os.WriteFile(outside.Bases[0], []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	check(&outside, opt, "base "+outside.Bases[0]+" is outside the batch file's folder "+filepath.Dir(batch)+": the pods see only that folder; copy it there")

	// More than a ConfigMap holds.
	big := filepath.Join(filepath.Dir(batch), "prefs", "nara.json")
	raw, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, append(raw, bytes.Repeat([]byte(" "), 1<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	saitama, err := os.ReadFile(filepath.Join(filepath.Dir(batch), "prefs", "saitama.json"))
	if err != nil {
		t.Fatal(err)
	}
	size := float64(len(text)+len(raw)+1<<20+len(saitama)) / (1 << 20)
	check(b, opt, fmt.Sprintf("the batch and its bases are %.1f MiB, more than a ConfigMap holds (1 MiB): build an image with them (FROM tabane:1, COPY the batch folder to /batch) and name the batch in it (--batch-in-image /batch/batch.yaml)", size))
	inImage := opt
	inImage.BatchInImage = "national/batch.yaml"
	check(b, inImage, `batch in the image "national/batch.yaml": expected an absolute path such as /batch/batch.yaml`)
}

func TestShardMemory(t *testing.T) {
	for _, c := range []struct{ assets, threads, mib int }{
		{0, 1, 64}, {1, 1, 128}, {2613, 1, 128}, {4096, 1, 128}, {4097, 1, 192}, {10000, 2, 384},
	} {
		if got := ShardMemory(c.assets, c.threads); got != c.mib {
			t.Errorf("%d assets × %d threads: %d MiB, want %d", c.assets, c.threads, got, c.mib)
		}
	}
	// 600 rows of 2,613 assets (measured 243 MiB): 64 + 383 MiB, rounded up to 448.
	for _, c := range []struct{ assetRows, mib int }{{0, 64}, {1, 128}, {6 * 2613, 128}, {600 * 2613, 448}} {
		if got := MergeMemory(c.assetRows); got != c.mib {
			t.Errorf("merge of %d asset rows: %d MiB, want %d", c.assetRows, got, c.mib)
		}
	}
	if dnsName("Summit 2027 / 奈良") != "summit-2027" || dnsName("奈良") != "batch" {
		t.Errorf("dns names %q %q", dnsName("Summit 2027 / 奈良"), dnsName("奈良"))
	}
}

// A batch too large for a ConfigMap travels in an image built FROM tabane.
func TestK8sBatchInImage(t *testing.T) {
	b, batch, text, vars := k8sBatch(t)
	m, err := K8s(b, batch, text, vars, K8sOptions{Image: "registry.example.jp/national:1", Shards: 4, Parallelism: 8,
		BatchInImage: "/batch/national.yaml", Name: "national", StorageClass: "nfs", Storage: "5Gi"})
	if err != nil {
		t.Fatal(err)
	}
	docs := yamlObjects(t, m.Shards)
	if len(docs) != 2 || docs[0]["kind"] != "PersistentVolumeClaim" || docs[1]["kind"] != "Job" || m.Files != nil {
		t.Fatalf("objects %v, files %v: want PVC and Job, no ConfigMap", len(docs), m.Files)
	}
	if at(t, docs[0], "spec", "storageClassName") != "nfs" || at(t, docs[0], "spec", "resources", "requests", "storage") != "5Gi" {
		t.Errorf("PVC %v", docs[0]["spec"])
	}
	spec := docs[1]["spec"]
	pod := at(t, spec, "template", "spec")
	// Parallelism above the completions runs one pod per shard.
	if at(t, spec, "completions") != 4 || at(t, spec, "parallelism") != 4 ||
		fmt.Sprint(at(t, pod, "containers", 0, "args")) != "[whatif /batch/national.yaml --shards 4 --parallel 1 -o /out]" {
		t.Errorf("job %v", spec)
	}
	wantMounts := []any{map[string]any{"name": "out", "mountPath": "/out"}}
	wantVolumes := []any{map[string]any{"name": "out", "persistentVolumeClaim": map[string]any{"claimName": "national"}}}
	if !reflect.DeepEqual(at(t, pod, "containers", 0, "volumeMounts"), wantMounts) || !reflect.DeepEqual(at(t, pod, "volumes"), wantVolumes) {
		t.Errorf("mounts %v volumes %v", at(t, pod, "containers", 0, "volumeMounts"), at(t, pod, "volumes"))
	}
	merge := yamlObjects(t, m.Merge)[0]
	if !reflect.DeepEqual(at(t, merge, "spec", "template", "spec", "volumes"), wantVolumes) {
		t.Errorf("merge volumes %v", at(t, merge, "spec", "template", "spec", "volumes"))
	}
}
