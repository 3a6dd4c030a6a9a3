package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

// The OpenAPI document is assembled at startup from fragments, one file per group of
// routes, so that each part of the API documents its own routes next to its code:
// openapi/NN-name.json, each {"paths": {...}, "components": {"schemas": {...}}}. A path
// may appear in several fragments as long as no method is documented twice; a schema
// name may appear twice only with the same content.
//
//go:embed openapi/*.json
var openAPIFragments embed.FS

// OpenAPIVersion is the version of the OpenAPI specification the document follows.
const OpenAPIVersion = "3.1.0"

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true}

// OpenAPIDocument merges the embedded fragments into one OpenAPI 3.1 document.
func OpenAPIDocument() (map[string]any, error) {
	return mergeOpenAPI(openAPIFragments, "openapi")
}

func mergeOpenAPI(fsys fs.FS, dir string) (map[string]any, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	paths := map[string]any{}
	schemas := map[string]any{}
	owner := map[string]string{} // "get /api/v1/x" or "schema X" → fragment
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("openapi/%s: %w", name, err)
		}
		var frag struct {
			Paths      map[string]map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&frag); err != nil {
			return nil, fmt.Errorf("openapi/%s: %w (a fragment holds only \"paths\" and \"components\".\"schemas\")", name, err)
		}
		for p, item := range frag.Paths {
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("openapi/%s: path %q must start with /", name, p)
			}
			merged, _ := paths[p].(map[string]any)
			if merged == nil {
				merged = map[string]any{}
				paths[p] = merged
			}
			for k, op := range item {
				if openAPIMethods[k] {
					key := k + " " + p
					if prev, dup := owner[key]; dup {
						return nil, fmt.Errorf("openapi/%s: %s %s is already documented in %s", name, strings.ToUpper(k), p, prev)
					}
					owner[key] = name
					merged[k] = op
					continue
				}
				// Shared path-item fields (parameters, summary): equal content only.
				if prev, ok := merged[k]; ok && !reflect.DeepEqual(prev, op) {
					return nil, fmt.Errorf("openapi/%s: %s of path %s differs from another fragment's", name, k, p)
				}
				merged[k] = op
			}
		}
		for s, schema := range frag.Components.Schemas {
			if prev, ok := schemas[s]; ok {
				if !reflect.DeepEqual(prev, schema) {
					return nil, fmt.Errorf("openapi/%s: schema %s is already defined differently in %s", name, s, owner["schema "+s])
				}
				continue
			}
			owner["schema "+s] = name
			schemas[s] = schema
		}
	}
	doc := map[string]any{
		"openapi": OpenAPIVersion,
		"info": map[string]any{
			"title":   "tabane API",
			"version": "1",
			"description": "Plans the bundled inspection contracts (包括発注) a prefecture lets for its municipalities. " +
				"Errors are application/problem+json (RFC 9457); every response carries X-Request-Id.",
		},
		"servers":    []any{map[string]any{"url": "/"}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas},
	}
	if err := checkRefs(doc, schemas); err != nil {
		return nil, err
	}
	return doc, nil
}

// checkRefs fails on a $ref to a schema no fragment defines.
func checkRefs(v any, schemas map[string]any) error {
	switch x := v.(type) {
	case map[string]any:
		if r, ok := x["$ref"].(string); ok {
			name, found := strings.CutPrefix(r, "#/components/schemas/")
			if !found {
				return fmt.Errorf("openapi: $ref %q: only #/components/schemas/... references are supported", r)
			}
			if _, ok := schemas[name]; !ok {
				return fmt.Errorf("openapi: $ref %q: no fragment defines schema %s", r, name)
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := checkRefs(x[k], schemas); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkRefs(e, schemas); err != nil {
				return err
			}
		}
	}
	return nil
}

// OpenAPIPath turns an echo route path into its OpenAPI form: /runs/:id → /runs/{id},
// and a trailing * → {path}.
func OpenAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		switch {
		case strings.HasPrefix(s, ":"):
			parts[i] = "{" + s[1:] + "}"
		case s == "*":
			parts[i] = "{path}"
		}
	}
	return strings.Join(parts, "/")
}

func (s *Server) registerOpenAPI(g *echo.Group) {
	doc, err := OpenAPIDocument()
	var body []byte
	if err == nil {
		body, err = json.MarshalIndent(doc, "", "  ")
	}
	if err != nil {
		s.log.Error("openapi document", "err", err)
	}
	g.GET("/openapi.json", func(c echo.Context) error {
		if err != nil {
			return fmt.Errorf("openapi document: %w", err)
		}
		return c.Blob(http.StatusOK, "application/json", body)
	})
	g.GET("/docs", func(c echo.Context) error {
		if err != nil {
			return fmt.Errorf("openapi document: %w", err)
		}
		var buf bytes.Buffer
		if err := docsPage.Execute(&buf, docsView(doc)); err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.HTMLBlob(http.StatusOK, buf.Bytes())
	})
}

// docsOperation is one row of the API page.
type docsOperation struct {
	Method, Path, Summary, Description, Anchor string
	Params                                     []string
	Body                                       string
	Responses                                  []string
}

type docsSchema struct {
	Name, Description string
	Fields            []string
}

// docsView flattens the document for the API page: operations sorted by path, then in
// GET, POST, PUT, PATCH, DELETE order.
func docsView(doc map[string]any) map[string]any {
	order := map[string]int{"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}
	paths, _ := doc["paths"].(map[string]any)
	var ops []docsOperation
	for p, item := range paths {
		m, _ := item.(map[string]any)
		for k, v := range m {
			op, ok := v.(map[string]any)
			if !ok || !openAPIMethods[k] {
				continue
			}
			d := docsOperation{Method: strings.ToUpper(k), Path: p}
			d.Summary, _ = op["summary"].(string)
			d.Description, _ = op["description"].(string)
			d.Anchor = strings.ToLower(k) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(p)
			params, _ := op["parameters"].([]any)
			for _, pa := range params {
				pm, _ := pa.(map[string]any)
				name, _ := pm["name"].(string)
				in, _ := pm["in"].(string)
				desc, _ := pm["description"].(string)
				d.Params = append(d.Params, strings.TrimSpace(fmt.Sprintf("%s (%s) %s", name, in, desc)))
			}
			if rb, ok := op["requestBody"].(map[string]any); ok {
				d.Body = contentSummary(rb)
			}
			resps, _ := op["responses"].(map[string]any)
			codes := make([]string, 0, len(resps))
			for code := range resps {
				codes = append(codes, code)
			}
			sort.Strings(codes)
			for _, code := range codes {
				r, _ := resps[code].(map[string]any)
				desc, _ := r["description"].(string)
				line := code + " " + desc
				if cs := contentSummary(r); cs != "" {
					line += " — " + cs
				}
				d.Responses = append(d.Responses, line)
			}
			ops = append(ops, d)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return order[strings.ToLower(ops[i].Method)] < order[strings.ToLower(ops[j].Method)]
	})
	comps, _ := doc["components"].(map[string]any)
	schemas, _ := comps["schemas"].(map[string]any)
	var ss []docsSchema
	for name, v := range schemas {
		m, _ := v.(map[string]any)
		d := docsSchema{Name: name}
		d.Description, _ = m["description"].(string)
		props, _ := m["properties"].(map[string]any)
		for f := range props {
			d.Fields = append(d.Fields, f)
		}
		sort.Strings(d.Fields)
		ss = append(ss, d)
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].Name < ss[j].Name })
	info, _ := doc["info"].(map[string]any)
	return map[string]any{"Info": info, "Version": doc["openapi"], "Ops": ops, "Schemas": ss}
}

// contentSummary names the media types of a request body or response and their schemas.
func contentSummary(r map[string]any) string {
	content, _ := r["content"].(map[string]any)
	types := make([]string, 0, len(content))
	for t := range content {
		types = append(types, t)
	}
	sort.Strings(types)
	var parts []string
	for _, t := range types {
		m, _ := content[t].(map[string]any)
		s := t
		if sc, ok := m["schema"].(map[string]any); ok {
			if name := schemaName(sc); name != "" {
				s += " " + name
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func schemaName(sc map[string]any) string {
	if r, ok := sc["$ref"].(string); ok {
		return path.Base(r)
	}
	if it, ok := sc["items"].(map[string]any); ok {
		if n := schemaName(it); n != "" {
			return n + "[]"
		}
	}
	if t, ok := sc["type"].(string); ok {
		return t
	}
	return ""
}

// docsPage is the readable API page: plain HTML, every text escaped by html/template,
// no script and no inline style, so it passes a strict Content-Security-Policy.
var docsPage = template.Must(template.New("docs").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Info.title}} — reference</title>
</head>
<body>
<header>
<h1>{{.Info.title}} <small>v{{.Info.version}}</small></h1>
<p>{{.Info.description}}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {{.Version}}).</p>
</header>
<main>
<h2>Routes</h2>
<table>
<thead><tr><th>Method</th><th>Path</th><th>What</th></tr></thead>
<tbody>
{{range .Ops}}<tr><td><code>{{.Method}}</code></td><td><a href="#{{.Anchor}}"><code>{{.Path}}</code></a></td><td>{{.Summary}}</td></tr>
{{end}}</tbody>
</table>
{{range .Ops}}
<section id="{{.Anchor}}">
<h3><code>{{.Method}} {{.Path}}</code></h3>
{{if .Summary}}<p><strong>{{.Summary}}</strong></p>{{end}}
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{if .Params}}<h4>Parameters</h4><ul>{{range .Params}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Body}}<h4>Request body</h4><p>{{.Body}}</p>{{end}}
{{if .Responses}}<h4>Responses</h4><ul>{{range .Responses}}<li>{{.}}</li>{{end}}</ul>{{end}}
</section>
{{end}}
<h2>Schemas</h2>
<dl>
{{range .Schemas}}<dt id="schema-{{.Name}}"><code>{{.Name}}</code></dt><dd>{{.Description}}{{if .Fields}} Fields: {{range $i, $f := .Fields}}{{if $i}}, {{end}}<code>{{$f}}</code>{{end}}.{{end}}</dd>
{{end}}</dl>
</main>
</body>
</html>
`))
