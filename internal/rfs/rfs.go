// Package rfs reads auto-deploy templates — Terraform in HCL (.tf) or JSON (.tf.json) — and
// checks them against the constraints of Huawei Cloud's Resource Formation Service (rules §5.3):
// at most 25 modules nested at most 3 deep, local modules only, no provisioners, no backend or
// Terraform Cloud, none of the prohibited resources and functions, no nonsensitive() outputs,
// every variable typed and described, and password-like variables sensitive. Every violation
// names its file, line and rule id (docs/auto-deploy.md lists them).
//
// It also extracts what the marketplace needs from a template: the root module's variables,
// from which a buyer's deployment form is generated and checked (CheckValues), and the managed
// resources of the whole module tree, which an execution plan prices.
//
// The package is pure: no database, no network, no file system. Templates are untrusted input,
// bounded by Limits.
package rfs

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

// File is one file of a template, by its slash-separated path inside the template (modules
// live in subdirectories: modules/ecs/main.tf). Files that are neither .tf nor .tf.json are
// carried along (scripts, README) but not read.
type File struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// The RFS constraints (rules §5.3).
const (
	// MaxModules is how many module calls a template may make in all.
	MaxModules = 25
	// MaxDepth is how deep module calls may nest: the root's calls are depth 1.
	MaxDepth = 3
)

// Limits bound what Validate accepts, since templates are untrusted.
const (
	MaxFiles     = 500
	MaxFileBytes = 1 << 20
	MaxBytes     = 4 << 20
)

// Rule ids: every violation carries one.
const (
	RuleLimits              = "rfs.limits"               // too many files or bytes, a bad file name
	RuleSyntax              = "rfs.syntax"               // the file does not parse
	RuleModuleCount         = "rfs.module.count"         // more than 25 module calls
	RuleModuleDepth         = "rfs.module.depth"         // module calls nested deeper than 3
	RuleModuleLocal         = "rfs.module.local"         // a module from a registry, Git, a URL, or outside the template
	RuleModuleMissing       = "rfs.module.missing"       // a local module source with no .tf files
	RuleProvisioner         = "rfs.provisioner"          // a provisioner block
	RuleBackend             = "rfs.backend"              // a backend block
	RuleCloud               = "rfs.cloud"                // a Terraform Cloud block
	RuleProhibitedResource  = "rfs.resource.prohibited"  // a resource type RFS refuses
	RuleProhibitedFunction  = "rfs.function.prohibited"  // a function RFS refuses (file system access)
	RuleNonsensitiveOutput  = "rfs.output.nonsensitive"  // an output revealing a sensitive value
	RuleVariableType        = "rfs.variable.type"        // a variable without a (valid) type
	RuleVariableDescription = "rfs.variable.description" // a variable without a description
	RuleVariableSensitive   = "rfs.variable.sensitive"   // a password-like variable not marked sensitive
)

// ProhibitedResources are the resource types RFS refuses (rules §5.3).
func ProhibitedResources() []string {
	return []string{"huaweicloud_vod_watermark_template", "huaweicloud_compute_keypair", "huaweicloud_identity_access_key",
		"huaweicloud_images_image_v2", "huaweicloud_kps_keypair", "huaweicloud_obs_bucket_object", "huaweicloud_iotda_batchtask",
		"huaweicloud_cce_chart", "huaweicloud_iotda_batchtask_file", "huaweicloud_cse_microservice"}
}

// ProhibitedFunctions are the functions RFS refuses (rules §5.3): they read the file system.
func ProhibitedFunctions() []string {
	return []string{"abspath", "basename", "dirname", "file", "filebase64", "filebase64sha256", "filebase64sha512", "fileexists",
		"fileset", "filemd5", "filesha1", "filesha256", "filesha512", "pathexpand", "templatefile"}
}

// Violation is one broken constraint.
type Violation struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (v Violation) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", v.File, v.Line, v.Rule, v.Message)
}

// Variable is one input variable of the root module: a field of the deployment form.
type Variable struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // the type constraint as written: string, number, list(string), ...
	Description string `json:"description"`
	// Default is the default value as JSON; absent means the buyer must give a value.
	Default     json.RawMessage `json:"default,omitempty"`
	Sensitive   bool            `json:"sensitive,omitempty"`
	Nullable    bool            `json:"nullable,omitempty"`
	Validations []Validation    `json:"validations,omitempty"`
	File        string          `json:"file"`
	Line        int             `json:"line"`
}

// Required reports whether the buyer must give the variable a value.
func (v *Variable) Required() bool { return len(v.Default) == 0 }

// Validation is one validation block of a variable: an HCL condition and its message.
type Validation struct {
	Condition    string `json:"condition"`
	ErrorMessage string `json:"error_message"`
}

// Resource is one managed resource of the module tree.
type Resource struct {
	// Address is the resource's Terraform address: module.vpc.huaweicloud_vpc.main.
	Address string `json:"address"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	// Module is the module path (module.a.module.b), "" for the root module.
	Module string `json:"module,omitempty"`
	// Count is the count (or for_each) expression as written, "" for a single instance.
	Count   string `json:"count,omitempty"`
	ForEach bool   `json:"for_each,omitempty"`
	// Scale holds the count or for_each of each module call above the resource, outermost
	// first ("" for a call without one); absent when none has one.
	Scale []string `json:"scale,omitempty"`
	File  string   `json:"file"`
	Line  int      `json:"line"`
}

// Result is what Validate found.
type Result struct {
	Variables  []Variable  `json:"variables"`
	Resources  []Resource  `json:"resources"`
	Outputs    []string    `json:"outputs,omitempty"`
	Modules    int         `json:"modules"`
	Depth      int         `json:"depth"`
	Violations []Violation `json:"violations"`
}

// OK reports whether the template meets every constraint.
func (r *Result) OK() bool { return len(r.Violations) == 0 }

func (r *Result) add(file string, line int, rule, format string, args ...any) {
	r.Violations = append(r.Violations, Violation{File: file, Line: line, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// sort orders violations by file, line and rule, so that reports are stable.
func (r *Result) sort() {
	sort.SliceStable(r.Violations, func(i, j int) bool {
		a, b := r.Violations[i], r.Violations[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Rule < b.Rule
	})
}

// isTerraform reports whether a file is read as Terraform, and whether as JSON.
func isTerraform(name string) (tf, isJSON bool) {
	switch {
	case strings.HasSuffix(name, ".tf.json"):
		return true, true
	case strings.HasSuffix(name, ".tf"):
		return true, false
	}
	return false, false
}

// cleanName checks a file name: relative, slash-separated, inside the template.
func cleanName(name string) (string, bool) {
	if name == "" || strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || strings.ContainsRune(name, 0) {
		return "", false
	}
	c := path.Clean(name)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", false
	}
	return c, true
}
