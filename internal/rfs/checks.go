package rfs

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// passwordName matches variable names that hold a password or a secret (rules §5.3: passwords
// are marked sensitive).
var passwordName = regexp.MustCompile(`(?i)(password|passwd|passphrase|pwd|secret|(^|_)pass($|_))`)

// checkFile runs the per-file rules: terraform settings, resources, variables, outputs and
// functions. The module tree is checked by walk.
func (t *template) checkFile(pf *parsed) {
	for _, c := range pf.calls {
		if prohibitedFunction(c.name) {
			t.res.add(pf.name, c.rng.Start.Line, RuleProhibitedFunction, "function %s() is not supported by RFS (it reads the file system)", c.name)
		}
	}
	for _, b := range pf.content.Blocks {
		switch b.Type {
		case "terraform":
			t.checkTerraform(pf, b)
		case "resource":
			t.checkResource(pf, b)
		case "variable":
			t.variable(pf, b)
		case "output":
			t.checkOutput(pf, b)
		}
	}
}

func (t *template) checkTerraform(pf *parsed, b *hcl.Block) {
	c, _, _ := b.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "backend", LabelNames: []string{"type"}}, {Type: "cloud"}}})
	if c == nil {
		return
	}
	for _, nb := range c.Blocks {
		if nb.Type == "backend" {
			t.res.add(pf.name, nb.DefRange.Start.Line, RuleBackend, "backend %q: RFS keeps the state itself; remove the backend block", nb.Labels[0])
		} else {
			t.res.add(pf.name, nb.DefRange.Start.Line, RuleCloud, "Terraform Cloud is not supported by RFS; remove the cloud block")
		}
	}
}

func (t *template) checkResource(pf *parsed, b *hcl.Block) {
	typ := b.Labels[0]
	if prohibitedResource(typ) {
		t.res.add(pf.name, b.DefRange.Start.Line, RuleProhibitedResource, "resource type %s is not supported by RFS", typ)
	}
	c, _, _ := b.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "provisioner", LabelNames: []string{"type"}}}})
	if c == nil {
		return
	}
	for _, nb := range c.Blocks {
		t.res.add(pf.name, nb.DefRange.Start.Line, RuleProvisioner, "provisioner %q in %s.%s: RFS runs no provisioners; use the image's start script or cloud-init user data",
			nb.Labels[0], typ, b.Labels[1])
	}
}

func (t *template) checkOutput(pf *parsed, b *hcl.Block) {
	attrs, _ := b.Body.JustAttributes()
	value, ok := attrs["value"]
	if !ok {
		return
	}
	for _, c := range pf.calls {
		if c.name == "nonsensitive" && within(c, value.Expr.Range()) {
			t.res.add(pf.name, c.rng.Start.Line, RuleNonsensitiveOutput, "output %q reveals a sensitive value through nonsensitive(); output a hash of it instead", b.Labels[0])
		}
	}
}

// variable checks a variable block and returns what the form needs of it.
func (t *template) variable(pf *parsed, b *hcl.Block) Variable {
	v := Variable{Name: b.Labels[0], File: pf.name, Line: b.DefRange.Start.Line, Nullable: true}
	c, _, _ := b.Body.PartialContent(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "type"}, {Name: "description"}, {Name: "default"}, {Name: "sensitive"}, {Name: "nullable"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "validation"}}})
	if c == nil {
		return v
	}
	if a, ok := c.Attributes["type"]; !ok {
		t.res.add(pf.name, v.Line, RuleVariableType, "variable %q has no type", v.Name)
	} else {
		v.Type = strings.TrimSpace(pf.text(a.Expr))
		if _, err := ParseType(v.Type); err != nil {
			t.res.add(pf.name, a.Range.Start.Line, RuleVariableType, "variable %q: %q is not a type constraint", v.Name, v.Type)
		}
	}
	if a, ok := c.Attributes["description"]; ok {
		v.Description, _ = str(a.Expr)
	}
	if strings.TrimSpace(v.Description) == "" {
		t.res.add(pf.name, v.Line, RuleVariableDescription, "variable %q has no description", v.Name)
	}
	if a, ok := c.Attributes["sensitive"]; ok {
		if s, diags := a.Expr.Value(nil); !diags.HasErrors() && s.Type() == cty.Bool && s.IsKnown() && !s.IsNull() {
			v.Sensitive = s.True()
		}
	}
	if a, ok := c.Attributes["nullable"]; ok {
		if s, diags := a.Expr.Value(nil); !diags.HasErrors() && s.Type() == cty.Bool && s.IsKnown() && !s.IsNull() {
			v.Nullable = s.True()
		}
	}
	if passwordName.MatchString(v.Name) && !v.Sensitive {
		t.res.add(pf.name, v.Line, RuleVariableSensitive, "variable %q holds a password: mark it sensitive = true", v.Name)
	}
	if a, ok := c.Attributes["default"]; ok {
		if d, diags := a.Expr.Value(nil); !diags.HasErrors() && d.IsWhollyKnown() {
			if js, err := ctyjson.Marshal(d, d.Type()); err == nil {
				v.Default = json.RawMessage(js)
			}
		}
	}
	for _, vb := range c.Blocks {
		attrs, _ := vb.Body.JustAttributes()
		var val Validation
		if a, ok := attrs["condition"]; ok {
			val.Condition = strings.TrimSpace(pf.text(a.Expr))
		}
		if a, ok := attrs["error_message"]; ok {
			val.ErrorMessage, _ = str(a.Expr)
		}
		v.Validations = append(v.Validations, val)
	}
	return v
}

// ParseType reads a type constraint as written in a variable (string, list(string), object({...})).
func ParseType(src string) (cty.Type, error) {
	expr, diags := hclsyntax.ParseExpression([]byte(src), "type", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilType, diags
	}
	ty, diags := typeexpr.TypeConstraint(expr)
	if diags.HasErrors() {
		return cty.NilType, diags
	}
	return ty, nil
}

// walk follows the module tree from dir: it collects the resources (and the root's variables
// and outputs) and checks the module rules. stack holds the directories being walked, so that
// a module calling itself ends.
func (t *template) walk(dir, module string, depth int, stack, scale []string) {
	for _, pf := range t.dirs[dir] {
		for _, b := range pf.content.Blocks {
			switch b.Type {
			case "resource":
				t.resource(pf, b, module, scale)
			case "variable":
				if depth == 0 {
					t.res.Variables = append(t.res.Variables, t.quiet(pf, b))
				}
			case "output":
				if depth == 0 {
					t.res.Outputs = append(t.res.Outputs, b.Labels[0])
				}
			case "module":
				t.module(pf, b, dir, module, depth, stack, scale)
			}
		}
	}
}

// quiet extracts a variable without reporting its violations again (checkFile did).
func (t *template) quiet(pf *parsed, b *hcl.Block) Variable {
	n := len(t.res.Violations)
	v := t.variable(pf, b)
	t.res.Violations = t.res.Violations[:n]
	return v
}

func (t *template) resource(pf *parsed, b *hcl.Block, module string, scale []string) {
	r := Resource{Type: b.Labels[0], Name: b.Labels[1], Module: module, File: pf.name, Line: b.DefRange.Start.Line}
	for _, s := range scale {
		if s != "" {
			r.Scale = slices.Clone(scale)
			break
		}
	}
	r.Address = r.Type + "." + r.Name
	if module != "" {
		r.Address = module + "." + r.Address
	}
	r.Count, r.ForEach = pf.count(b)
	t.res.Resources = append(t.res.Resources, r)
}

// count returns a block's count or for_each expression as written ("" for neither).
func (pf *parsed) count(b *hcl.Block) (string, bool) {
	attrs, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}}})
	if attrs != nil {
		if a, ok := attrs.Attributes["count"]; ok {
			return strings.TrimSpace(pf.text(a.Expr)), false
		}
		if a, ok := attrs.Attributes["for_each"]; ok {
			return strings.TrimSpace(pf.text(a.Expr)), true
		}
	}
	return "", false
}

// module checks one module call and walks into it.
func (t *template) module(pf *parsed, b *hcl.Block, dir, parent string, depth int, stack, scale []string) {
	name, line := b.Labels[0], b.DefRange.Start.Line
	t.res.Modules++
	if t.res.Modules == MaxModules+1 {
		t.res.add(pf.name, line, RuleModuleCount, "module %q is call %d: a template has at most %d modules", name, t.res.Modules, MaxModules)
	}
	if depth+1 > MaxDepth {
		t.res.add(pf.name, line, RuleModuleDepth, "module %q is nested %d deep: modules nest at most %d deep", name, depth+1, MaxDepth)
		return
	}
	t.res.Depth = max(t.res.Depth, depth+1)
	attrs, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "source"}}})
	var src string
	if attrs != nil {
		if a, ok := attrs.Attributes["source"]; ok {
			src, _ = str(a.Expr)
		}
	}
	if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
		t.res.add(pf.name, line, RuleModuleLocal, "module %q: source %q is not a local path (./ or ../); RFS supports local modules only", name, src)
		return
	}
	child := path.Join(dir, src)
	if child == ".." || strings.HasPrefix(child, "../") {
		t.res.add(pf.name, line, RuleModuleLocal, "module %q: source %q leaves the template", name, src)
		return
	}
	if len(t.dirs[child]) == 0 {
		t.res.add(pf.name, line, RuleModuleMissing, "module %q: the template has no .tf files in %s", name, child)
		return
	}
	for _, s := range stack {
		if s == child {
			t.res.add(pf.name, line, RuleModuleDepth, "module %q calls %s, which is already being called: modules may not recurse", name, child)
			return
		}
	}
	if t.res.Modules > MaxModules {
		return // already refused; walking further only costs time
	}
	addr := "module." + name
	if parent != "" {
		addr = parent + "." + addr
	}
	n, _ := pf.count(b)
	t.walk(child, addr, depth+1, append(slices.Clone(stack), child), append(slices.Clone(scale), n))
}
