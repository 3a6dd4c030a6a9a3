package whatif

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/tabane/tabane/solver"
)

// The dotted paths of a variation follow the JSON of solver.Instance: a struct field by
// its JSON name (params.limits.max_value), a map entry by its key
// (params.equipment.snooper_truck), and an element of a list by its code or id
// (municipalities.29201.participates, assets.A000001.cost, depots.office-29201.lon).
// The schema, not the base file, decides which paths exist, so an optional limit the
// base leaves out can still be set; a map entry must exist in the base (set the whole
// map to add one).

var instanceType = reflect.TypeFor[solver.Instance]()

// pathError is a problem with one override path.
type pathError struct {
	path, msg string
}

func (e *pathError) Error() string { return e.path + ": " + e.msg }

// setPath sets the node at path in tree, the generic JSON of an instance, to v after
// checking path and v against the schema of solver.Instance.
func setPath(tree map[string]any, path string, v any) error {
	if path == "" {
		return &pathError{path, "empty path"}
	}
	segs := strings.Split(path, ".")
	t := instanceType
	var node any = tree
	for i, seg := range segs {
		here := strings.Join(segs[:i+1], ".")
		parent := strings.Join(segs[:i], ".")
		if parent == "" {
			parent = "the instance"
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		last := i == len(segs)-1
		switch t.Kind() {
		case reflect.Struct:
			f, ok := jsonField(t, seg)
			if !ok {
				return &pathError{here, fmt.Sprintf("no field %q in %s (fields: %s)", seg, parent, strings.Join(jsonFields(t), ", "))}
			}
			obj, ok := node.(map[string]any)
			if !ok {
				return &pathError{parent, "is not an object in the base instance"}
			}
			if last {
				if err := checkValue(f.Type, v, here); err != nil {
					return err
				}
				obj[seg] = v
				return nil
			}
			child := obj[seg]
			if child == nil {
				// An absent optional object (params.limits): create it.
				child = map[string]any{}
				obj[seg] = child
			}
			node, t = child, f.Type
		case reflect.Map:
			obj, ok := node.(map[string]any)
			if !ok {
				return &pathError{parent, "is not set in the base instance; set the whole mapping instead"}
			}
			child, ok := obj[seg]
			if !ok {
				return &pathError{here, fmt.Sprintf("no entry %q in %s (entries: %s); set the whole mapping to add one", seg, parent, strings.Join(sortedKeys(obj), ", "))}
			}
			if last {
				if err := checkValue(t.Elem(), v, here); err != nil {
					return err
				}
				obj[seg] = v
				return nil
			}
			node, t = child, t.Elem()
		case reflect.Slice:
			elem := t.Elem()
			idKey := "id"
			if _, ok := jsonField(elem, "code"); ok {
				idKey = "code"
			}
			list, _ := node.([]any)
			if last {
				return &pathError{here, fmt.Sprintf("set the fields of an element one by one (%s.FIELD)", here)}
			}
			found := -1
			for j, e := range list {
				if m, ok := e.(map[string]any); ok && fmt.Sprint(m[idKey]) == seg {
					found = j
					break
				}
			}
			if found < 0 && idKey == "code" {
				// Municipalities may be named as well as coded (municipalities.生駒市.participates).
				found, err := elementByName(list, seg)
				if err != nil {
					return &pathError{here, err.Error()}
				}
				if found >= 0 {
					node, t = list[found], elem
					continue
				}
			}
			if found < 0 {
				return &pathError{here, fmt.Sprintf("no element of %s with %s %q in the base instance", parent, idKey, seg)}
			}
			node, t = list[found], elem
		default:
			return &pathError{here, fmt.Sprintf("%s is a %s, it has no field %q", parent, typeName(t), seg)}
		}
	}
	return nil
}

// jsonField finds the field of struct t whose JSON name is name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if n := jsonName(f); n != "" && n == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if n := jsonName(t.Field(i)); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// typeName names a Go type the way a batch author thinks of it.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem()) + " or null"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "mapping of " + typeName(t.Elem())
	case reflect.Struct:
		return "object"
	}
	return t.String()
}

// checkValue reports whether v, a plain value from the batch file, fits Go type t.
func checkValue(t reflect.Type, v any, path string) error {
	bad := func() error {
		return &pathError{path, fmt.Sprintf("expected %s, found %s", article(typeName(t)), describe(v))}
	}
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return nil
		}
		if err := checkValue(t.Elem(), v, path); err != nil {
			return &pathError{path, fmt.Sprintf("expected %s, found %s", article(typeName(t)), describe(v))}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		switch x := v.(type) {
		case int:
			return nil
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return &pathError{path, "expected a finite number, found " + FormatValue(x)}
			}
			return nil
		}
		return bad()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch x := v.(type) {
		case int:
			return nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return nil
			}
		}
		return bad()
	case reflect.Bool:
		if _, ok := v.(bool); ok {
			return nil
		}
		return bad()
	case reflect.String:
		if _, ok := v.(string); ok {
			return nil
		}
		return bad()
	case reflect.Slice:
		if v == nil {
			return nil
		}
		list, ok := v.([]any)
		if !ok {
			return bad()
		}
		for i, e := range list {
			if err := checkValue(t.Elem(), e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if v == nil {
			return nil
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		for _, k := range sortedKeys(obj) {
			if err := checkValue(t.Elem(), obj[k], path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		for _, k := range sortedKeys(obj) {
			f, ok := jsonField(t, k)
			if !ok {
				return &pathError{path + "." + k, fmt.Sprintf("no field %q (fields: %s)", k, strings.Join(jsonFields(t), ", "))}
			}
			if err := checkValue(f.Type, obj[k], path+"."+k); err != nil {
				return err
			}
		}
		return nil
	}
	return bad()
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// instanceTree turns an instance into generic JSON (objects as map[string]any,
// numbers as json.Number so that they survive unchanged).
func instanceTree(inst *solver.Instance) (map[string]any, error) {
	raw, err := json.Marshal(inst)
	if err != nil {
		return nil, err
	}
	return decodeTree(raw)
}

func decodeTree(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return tree, nil
}

// elementByName is the index of the one element of list whose name is name, -1 when
// none has it; several is an error naming their codes.
func elementByName(list []any, name string) (int, error) {
	found := -1
	var codes []string
	for j, e := range list {
		if m, ok := e.(map[string]any); ok && m["name"] == name {
			found = j
			codes = append(codes, fmt.Sprint(m["code"]))
		}
	}
	if len(codes) > 1 {
		return -1, fmt.Errorf("name %q is ambiguous (codes %s): use the code", name, strings.Join(codes, ", "))
	}
	return found, nil
}
