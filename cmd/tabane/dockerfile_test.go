package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tabane/tabane/internal/whatif"
)

// The image of the Kubernetes manifests: the repository's Dockerfile, read as
// instructions (no Docker here). The static link itself is checked by building with the
// same flags (README section cluster).
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Instructions, continuation lines joined, comments dropped.
	text := regexp.MustCompile(`\\\n\s*`).ReplaceAllString(string(raw), " ")
	var ins [][2]string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		op, arg, _ := strings.Cut(l, " ")
		ins = append(ins, [2]string{strings.ToUpper(op), strings.TrimSpace(arg)})
	}
	var froms []string
	last := map[string]string{} // instruction → its last argument, in the final stage
	runs := ""
	for _, in := range ins {
		if in[0] == "FROM" {
			froms = append(froms, in[1])
			last = map[string]string{}
		}
		if in[0] == "RUN" || in[0] == "ENV" {
			runs += in[1] + "\n"
		}
		last[in[0]] = in[1]
	}
	if len(froms) != 2 || !strings.HasPrefix(froms[0], "golang:1.26") || !strings.HasSuffix(froms[0], " AS build") ||
		froms[1] != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("stages %q: want a golang:1.26 build stage and distroless/static nonroot", froms)
	}
	if want := fmt.Sprintf("%d:%d", whatif.ImageUser, whatif.ImageUser); last["USER"] != want {
		t.Errorf("final USER %q, want %s (the manifests' runAsUser)", last["USER"], want)
	}
	if last["COPY"] != "--from=build /out/tabane /usr/local/bin/tabane" || last["ENTRYPOINT"] != `["/usr/local/bin/tabane"]` {
		t.Errorf("final stage COPY %q, ENTRYPOINT %q", last["COPY"], last["ENTRYPOINT"])
	}
	for _, want := range []string{"CGO_ENABLED=1", `-extldflags "-static"`, "osusergo netgo", "-o /out/tabane ./cmd/tabane"} {
		if !strings.Contains(runs, want) {
			t.Errorf("the build stage lacks %q:\n%s", want, runs)
		}
	}
	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "*.db", "whatif-*/"} {
		if !strings.Contains("\n"+string(ignore), "\n"+want+"\n") {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}
