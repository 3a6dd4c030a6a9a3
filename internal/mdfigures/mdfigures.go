// Package mdfigures writes generated figures into a Markdown file between markers
// (<!-- figures:NAME --> … <!-- /figures:NAME -->) and names the machine they were made
// on: the README's figures come from make targets (make bench, make readme-figures),
// never by hand.
package mdfigures

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Markers are the begin and end markers of the figures called name.
func Markers(name string) (begin, end string) {
	return "<!-- figures:" + name + " -->", "<!-- /figures:" + name + " -->"
}

// ReplaceBetween puts text between the markers of md, which must each occur once, in order.
func ReplaceBetween(md []byte, beginMarker, endMarker, text string) ([]byte, error) {
	if bytes.Count(md, []byte(beginMarker)) != 1 || bytes.Count(md, []byte(endMarker)) != 1 {
		return nil, fmt.Errorf("want %s and %s once each", beginMarker, endMarker)
	}
	i := bytes.Index(md, []byte(beginMarker)) + len(beginMarker)
	j := bytes.Index(md, []byte(endMarker))
	if j < i {
		return nil, fmt.Errorf("%s comes before %s", endMarker, beginMarker)
	}
	var out bytes.Buffer
	out.Write(md[:i])
	out.WriteString("\n" + text)
	out.Write(md[j:])
	return out.Bytes(), nil
}

// Machine names where the figures were made: CPUs, CPU model, Go version, load average.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPU(s) (%s), %s%s", runtime.NumCPU(), model, runtime.Version(), LoadAverage())
}

// LoadAverage is ", load average X" (the last minute's) or "" where /proc has none.
func LoadAverage() string {
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			return ", load average " + f[0]
		}
	}
	return ""
}
