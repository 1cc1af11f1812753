package rfs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// MaxCount bounds how many instances one resource's count may ask a plan to price.
const MaxCount = 1000

// FieldError is what is wrong with one field of a deployment form.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Values are a buyer's answers to a deployment form, checked against the variables' types and
// validation blocks, with the defaults filled in.
type Values struct {
	// JSON is every variable's value as JSON, in the variable's type.
	JSON map[string]json.RawMessage
	ctx  *hcl.EvalContext
}

// CheckValues checks a buyer's answers against a template's variables: every required
// variable answered, every answer of its variable's type, every validation condition true, no
// answer for a variable the template does not have. It returns one error per broken field.
func CheckValues(vars []Variable, in map[string]json.RawMessage) (*Values, []FieldError) {
	var errs []FieldError
	known := map[string]bool{}
	for _, v := range vars {
		known[v.Name] = true
	}
	for name := range in {
		if !known[name] {
			errs = append(errs, FieldError{name, "the template has no variable " + name})
		}
	}
	vals, ok := map[string]cty.Value{}, map[string]bool{}
	for _, v := range vars {
		ty, err := ParseType(v.Type)
		if err != nil {
			ty = cty.DynamicPseudoType
		}
		raw, given := in[v.Name]
		if !given || strings.TrimSpace(string(raw)) == "null" {
			if v.Required() {
				errs = append(errs, FieldError{v.Name, "a value is required"})
				vals[v.Name] = cty.NullVal(ty)
				continue
			}
			raw = v.Default
		}
		val, err := decode(raw, ty)
		switch {
		case err != nil:
			errs = append(errs, FieldError{v.Name, fmt.Sprintf("must be a %s: %v", v.Type, err)})
			val = cty.UnknownVal(ty)
		case val.IsNull() && !v.Nullable:
			errs = append(errs, FieldError{v.Name, "a value is required"})
		default:
			ok[v.Name] = true
		}
		vals[v.Name] = val
	}
	out := &Values{JSON: map[string]json.RawMessage{}, ctx: &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vals)}, Functions: functions()}}
	for _, v := range vars {
		if !ok[v.Name] {
			continue
		}
		if msg := out.validate(v); msg != "" {
			errs = append(errs, FieldError{v.Name, msg})
			continue
		}
		if js, err := ctyjson.Marshal(vals[v.Name], vals[v.Name].Type()); err == nil {
			out.JSON[v.Name] = js
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
	return out, errs
}

// decode reads a JSON value and converts it to ty, as Terraform converts variable values.
func decode(raw json.RawMessage, ty cty.Type) (cty.Value, error) {
	if err := nesting(raw); err != nil {
		return cty.NilVal, err
	}
	implied, err := ctyjson.ImpliedType(raw)
	if err != nil {
		return cty.NilVal, fmt.Errorf("not JSON: %w", err)
	}
	val, err := ctyjson.Unmarshal(raw, implied)
	if err != nil {
		return cty.NilVal, err
	}
	return convert.Convert(val, ty)
}

// validate runs a variable's validation blocks; it returns the first failure's message. A
// condition calling a function this checker lacks is left to the deployer.
func (vs *Values) validate(v Variable) string {
	for _, val := range v.Validations {
		expr, diags := hclsyntax.ParseExpression([]byte(val.Condition), v.File, hcl.InitialPos)
		if diags.HasErrors() {
			return "the template's condition cannot be read: " + diags.Error()
		}
		res, diags := expr.Value(vs.ctx)
		if diags.HasErrors() {
			if unknownFunction(diags) {
				continue
			}
			return orDefault(val.ErrorMessage, diags.Error())
		}
		if res.Type() != cty.Bool || res.IsNull() || !res.IsKnown() {
			continue
		}
		if res.False() {
			return orDefault(val.ErrorMessage, "the value is not valid")
		}
	}
	return ""
}

func unknownFunction(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary == "Call to unknown function" {
			return true
		}
	}
	return false
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// Count is how many instances of r the answers create: its count (or the size of its
// for_each) times the count of every module call above it. An expression is evaluated with
// the answers where var means the root module's variables (a root resource's count, a root
// module call's count); elsewhere var means a module's own inputs, so only a literal is used,
// and anything that cannot be evaluated counts 1. The result is at most MaxCount.
func (vs *Values) Count(r Resource) int {
	literal := &hcl.EvalContext{Functions: functions()}
	ctx := vs.ctx
	if r.Module != "" {
		ctx = literal
	}
	n := instances(r.Count, r.File, ctx)
	for i, s := range r.Scale {
		ctx := literal
		if i == 0 {
			ctx = vs.ctx
		}
		n = min(n*instances(s, r.File, ctx), MaxCount)
	}
	return n
}

// instances evaluates a count (a number) or a for_each (a collection: its size); "" is 1.
func instances(src, file string, ctx *hcl.EvalContext) int {
	if src == "" {
		return 1
	}
	expr, diags := hclsyntax.ParseExpression([]byte(src), file, hcl.InitialPos)
	if diags.HasErrors() {
		return 1
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return 1
	}
	if ty := v.Type(); ty.IsCollectionType() || ty.IsObjectType() || ty.IsTupleType() {
		return min(v.LengthInt(), MaxCount)
	}
	num, err := convert.Convert(v, cty.Number)
	if err != nil {
		return 1
	}
	i, _ := num.AsBigFloat().Int64()
	return int(max(0, min(i, MaxCount)))
}

// functions are the functions validation conditions and counts may call: Terraform's pure
// ones that conditions use.
func functions() map[string]function.Function {
	return map[string]function.Function{
		"length": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType}},
			Type:   function.StaticReturnType(cty.Number),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				if args[0].Type() == cty.String {
					return stdlib.Strlen(args[0])
				}
				return stdlib.Length(args[0])
			}}),
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "contains": stdlib.ContainsFunc,
		"lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc, "substr": stdlib.SubstrFunc, "trimspace": stdlib.TrimSpaceFunc,
		"min": stdlib.MinFunc, "max": stdlib.MaxFunc, "abs": stdlib.AbsoluteFunc, "floor": stdlib.FloorFunc, "ceil": stdlib.CeilFunc,
		"can": tryfunc.CanFunc, "try": tryfunc.TryFunc, "keys": stdlib.KeysFunc, "values": stdlib.ValuesFunc,
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number), "tobool": stdlib.MakeToFunc(cty.Bool),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	}
}
