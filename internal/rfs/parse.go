package rfs

import (
	"bytes"
	"encoding/json"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

// parsed is one Terraform file of a template.
type parsed struct {
	name    string
	json    bool
	src     []byte
	body    hcl.Body
	content *hcl.BodyContent
	calls   []call
}

// call is one function call found in a file.
type call struct {
	name string
	rng  hcl.Range
}

// fileSchema is the blocks of a Terraform file that matter here; others are left alone.
func fileSchema() *hcl.BodySchema {
	return &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "terraform"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "module", LabelNames: []string{"name"}},
	}}
}

// template is a template's files grouped by directory: each directory is a module.
type template struct {
	dirs map[string][]*parsed
	res  *Result
	top  bool // a Terraform file lies at the top of the tree
}

// Validate parses a template's files and checks every RFS constraint. It never fails: what
// cannot be read is a violation too. The root module is the files at the top of the tree.
func Validate(files []File) *Result {
	res := &Result{Variables: []Variable{}, Resources: []Resource{}, Violations: []Violation{}}
	t := &template{dirs: map[string][]*parsed{}, res: res}
	if t.load(files) {
		for _, dir := range t.sortedDirs() {
			for _, pf := range t.dirs[dir] {
				t.checkFile(pf)
			}
		}
		if !t.top {
			res.add(".", 0, RuleSyntax, "the template has no .tf or .tf.json file at its top level")
		}
		t.walk(".", "", 0, []string{"."}, nil)
	}
	res.sort()
	return res
}

// load checks the limits and parses every Terraform file; false when the limits are broken.
func (t *template) load(files []File) bool {
	if len(files) > MaxFiles {
		t.res.add(".", 0, RuleLimits, "a template has at most %d files, not %d", MaxFiles, len(files))
		return false
	}
	total, seen := 0, map[string]bool{}
	for _, f := range files {
		total += len(f.Data)
		name, ok := cleanName(f.Name)
		switch {
		case !ok:
			t.res.add(f.Name, 0, RuleLimits, "a file name must be a relative path inside the template")
			continue
		case seen[name]:
			t.res.add(name, 0, RuleLimits, "the file appears twice")
			continue
		case len(f.Data) > MaxFileBytes:
			t.res.add(name, 0, RuleLimits, "a file has at most %d bytes", MaxFileBytes)
			continue
		}
		seen[name] = true
		if tf, isJSON := isTerraform(name); tf {
			t.top = t.top || path.Dir(name) == "."
			if pf := t.parse(name, f.Data, isJSON); pf != nil {
				dir := path.Dir(name)
				t.dirs[dir] = append(t.dirs[dir], pf)
			}
		}
	}
	if total > MaxBytes {
		t.res.add(".", 0, RuleLimits, "a template has at most %d bytes, not %d", MaxBytes, total)
		return false
	}
	for _, list := range t.dirs {
		sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	}
	return true
}

func (t *template) sortedDirs() []string {
	dirs := make([]string, 0, len(t.dirs))
	for d := range t.dirs {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}

// parse reads one file, reporting syntax errors; nil when nothing could be read.
func (t *template) parse(name string, src []byte, isJSON bool) *parsed {
	check := nesting
	if isJSON {
		check = jsonNesting
	}
	if err := check(src); err != nil {
		t.res.add(name, 0, RuleLimits, "%v", err)
		return nil
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if isJSON {
		f, diags = hcljson.Parse(src, name)
	} else {
		f, diags = hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	t.diags(name, diags)
	if f == nil || f.Body == nil || diags.HasErrors() {
		return nil
	}
	pf := &parsed{name: name, json: isJSON, src: src, body: f.Body}
	content, _, diags := f.Body.PartialContent(fileSchema())
	t.diags(name, diags)
	if content == nil {
		return nil
	}
	pf.content = content
	if isJSON {
		pf.calls = jsonCalls(name, src)
	} else if b, ok := f.Body.(*hclsyntax.Body); ok {
		pf.calls = hclCalls(b)
	}
	return pf
}

// diags turns HCL's first error diagnostic into a syntax violation: the ones after it mostly
// follow from it.
func (t *template) diags(name string, diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		t.res.add(name, line, RuleSyntax, "%s", msg)
		return
	}
}

// hclCalls lists every function call in a native-syntax body.
func hclCalls(b *hclsyntax.Body) []call {
	var out []call
	hclsyntax.VisitAll(b, func(n hclsyntax.Node) hcl.Diagnostics {
		if f, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			out = append(out, call{name: baseName(f.Name), rng: f.NameRange})
		}
		return nil
	})
	return out
}

// jsonCalls lists every function call in the templates ("${...}") of a JSON file's strings.
// Each call's range is the last byte of its string, which lies inside the expression the
// string belongs to (what the nonsensitive() rule needs) and on its line.
func jsonCalls(name string, src []byte) []call {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var out []call
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		s, ok := tok.(string)
		if !ok || !strings.Contains(s, "${") {
			continue
		}
		end := int(dec.InputOffset())
		at := hcl.Pos{Line: 1 + bytes.Count(src[:end], []byte("\n")), Column: 1, Byte: end - 1}
		expr, diags := hclsyntax.ParseTemplate([]byte(s), name, at)
		if diags.HasErrors() {
			continue
		}
		hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
			if f, ok := n.(*hclsyntax.FunctionCallExpr); ok {
				out = append(out, call{name: baseName(f.Name), rng: hcl.Range{Filename: name, Start: at, End: at}})
			}
			return nil
		})
	}
}

// baseName drops the core:: namespace Terraform 1.8 allows on built-in functions.
func baseName(name string) string { return strings.TrimPrefix(name, "core::") }

// within reports whether call c lies inside range r.
func within(c call, r hcl.Range) bool {
	return c.rng.Filename == r.Filename && c.rng.Start.Byte >= r.Start.Byte && c.rng.Start.Byte < r.End.Byte
}

// text returns an expression as written: the HCL source, or for JSON the string's content
// (a single "${...}" interpolation unwrapped), so both syntaxes give HCL expression source.
func (pf *parsed) text(e hcl.Expression) string {
	r := e.Range()
	if r.Start.Byte < 0 || r.End.Byte > len(pf.src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	raw := pf.src[r.Start.Byte:r.End.Byte]
	if !pf.json {
		return string(raw)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw)
	}
	if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") && strings.Count(s, "${") == 1 {
		return strings.TrimSpace(s[2 : len(s)-1])
	}
	return s
}

// str evaluates a constant string attribute; ok is false when it is not one.
func str(e hcl.Expression) (string, bool) {
	v, diags := e.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() || !v.Type().Equals(cty.String) {
		return "", false
	}
	return v.AsString(), true
}

func prohibitedFunction(name string) bool { return slices.Contains(ProhibitedFunctions(), name) }

func prohibitedResource(t string) bool { return slices.Contains(ProhibitedResources(), t) }
