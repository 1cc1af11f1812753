package rfs

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func one(name, src string) []File { return []File{{Name: name, Data: []byte(src)}} }

// modulesHCL is a root calling n copies of a local module.
func modulesHCL(n int) []File {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "module \"m%d\" {\n  source = \"./mod\"\n}\n", i)
	}
	return []File{{Name: "main.tf", Data: []byte(b.String())}, {Name: "mod/main.tf", Data: []byte(`resource "huaweicloud_vpc" "v" {}`)}}
}

func modulesJSON(n int) []File {
	calls := map[string]any{}
	for i := range n {
		calls[fmt.Sprintf("m%02d", i)] = map[string]string{"source": "./mod"}
	}
	root, _ := json.MarshalIndent(map[string]any{"module": calls}, "", " ")
	return []File{{Name: "main.tf.json", Data: root}, {Name: "mod/main.tf.json", Data: []byte(`{"resource": {"huaweicloud_vpc": {"v": {}}}}`)}}
}

// chain is a module chain n deep, in HCL or JSON.
func chain(n int, isJSON bool) []File {
	var files []File
	for i := 0; i <= n; i++ {
		dir := "."
		if i > 0 {
			dir = fmt.Sprintf("m%d", i)
		}
		next := fmt.Sprintf("./m%d", i+1)
		if i > 0 {
			next = fmt.Sprintf("../m%d", i+1)
		}
		src, name := fmt.Sprintf("module \"c\" {\n  source = %q\n}\n", next), dir+"/main.tf"
		if isJSON {
			src, name = fmt.Sprintf("{\n \"module\": {\n  \"c\": {\"source\": %q}\n }\n}\n", next), dir+"/main.tf.json"
		}
		if i == n {
			src = `resource "huaweicloud_vpc" "v" {}`
			name = dir + "/main.tf"
		}
		files = append(files, File{Name: strings.TrimPrefix(name, "./"), Data: []byte(src)})
	}
	return files
}

func TestRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		files []File
		rule  string
		file  string
		line  int
	}{
		{"syntax", one("main.tf", "resource \"huaweicloud_vpc\" \"v\" {\n  name = \n"), RuleSyntax, "main.tf", 2},
		{"syntax json", one("main.tf.json", "{\n \"resource\": [\n"), RuleSyntax, "main.tf.json", 3},
		{"module count", modulesHCL(26), RuleModuleCount, "main.tf", 76},
		{"module count json", modulesJSON(26), RuleModuleCount, "main.tf.json", 78},
		{"module depth", chain(4, false), RuleModuleDepth, "m3/main.tf", 1},
		{"module depth json", chain(4, true), RuleModuleDepth, "m3/main.tf.json", 3},
		{"module local", one("main.tf", "module \"vpc\" {\n  source = \"terraform-huaweicloud-modules/vpc/huaweicloud\"\n}\n"), RuleModuleLocal, "main.tf", 1},
		{"module local json", one("main.tf.json", "{\"module\": {\n \"vpc\": {\"source\": \"git::https://example.com/vpc.git\"}}}"), RuleModuleLocal, "main.tf.json", 2},
		{"module escapes", one("main.tf", "module \"up\" {\n  source = \"../outside\"\n}\n"), RuleModuleLocal, "main.tf", 1},
		{"module missing", one("main.tf", "\nmodule \"vpc\" {\n  source = \"./modules/vpc\"\n}\n"), RuleModuleMissing, "main.tf", 2},
		{"module missing json", one("main.tf.json", "{\"module\": {\n \"vpc\": {\"source\": \"./modules/vpc\"}}}"), RuleModuleMissing, "main.tf.json", 2},
		{"variable bad type json", one("main.tf.json", "{\"variable\": {\"region\": {\"description\": \"Region\",\n \"type\": \"list(\"}}}"), RuleVariableType, "main.tf.json", 2},
		{"provisioner", one("main.tf", "resource \"huaweicloud_compute_instance\" \"s\" {\n  name = \"s\"\n  provisioner \"local-exec\" {\n    command = \"echo hi\"\n  }\n}\n"), RuleProvisioner, "main.tf", 3},
		{"provisioner json", one("main.tf.json", "{\"resource\": {\"huaweicloud_compute_instance\": {\"s\": {\n \"provisioner\": {\"remote-exec\": {\"inline\": [\"ls\"]}}}}}}"), RuleProvisioner, "main.tf.json", 2},
		{"backend", one("main.tf", "terraform {\n  backend \"s3\" {\n    bucket = \"state\"\n  }\n}\n"), RuleBackend, "main.tf", 2},
		{"backend json", one("main.tf.json", "{\"terraform\": {\n  \"backend\": {\"local\": {\"path\": \"x\"}}}}"), RuleBackend, "main.tf.json", 2},
		{"cloud", one("main.tf", "terraform {\n  cloud {\n    organization = \"acme\"\n  }\n}\n"), RuleCloud, "main.tf", 2},
		{"cloud json", one("main.tf.json", "{\"terraform\": {\n  \"cloud\": {\"organization\": \"acme\"}}}"), RuleCloud, "main.tf.json", 2},
		{"prohibited resource", one("main.tf", "\nresource \"huaweicloud_kps_keypair\" \"k\" {\n  name = \"k\"\n}\n"), RuleProhibitedResource, "main.tf", 2},
		{"prohibited resource json", one("main.tf.json", "{\"resource\": {\n \"huaweicloud_compute_keypair\": {\"k\": {\"name\": \"k\"}}}}"), RuleProhibitedResource, "main.tf.json", 2},
		{"prohibited function", one("main.tf", "resource \"huaweicloud_vpc\" \"v\" {\n  name = \"v\"\n  tags = { script = templatefile(\"init.sh\", {}) }\n}\n"), RuleProhibitedFunction, "main.tf", 3},
		{"prohibited function json", one("main.tf.json", "{\"resource\": {\"huaweicloud_vpc\": {\"v\": {\n \"name\": \"v\",\n \"description\": \"${file(\\\"x.txt\\\")}\"}}}}"), RuleProhibitedFunction, "main.tf.json", 3},
		{"prohibited core:: function", one("main.tf", "locals {\n  p = core::abspath(\".\")\n}\n"), RuleProhibitedFunction, "main.tf", 2},
		{"nonsensitive", one("main.tf", "output \"pw\" {\n  value = nonsensitive(huaweicloud_rds_instance.db.password)\n}\n"), RuleNonsensitiveOutput, "main.tf", 2},
		{"nonsensitive json", one("main.tf.json", "{\"output\": {\"pw\": {\n \"value\": \"${nonsensitive(huaweicloud_rds_instance.db.password)}\"}}}"), RuleNonsensitiveOutput, "main.tf.json", 2},
		{"variable type", one("main.tf", "variable \"region\" {\n  description = \"Region\"\n}\n"), RuleVariableType, "main.tf", 1},
		{"variable bad type", one("main.tf", "variable \"region\" {\n  description = \"Region\"\n  type = strang\n}\n"), RuleVariableType, "main.tf", 3},
		{"variable type json", one("main.tf.json", "{\"variable\": {\n \"region\": {\"description\": \"Region\"}}}"), RuleVariableType, "main.tf.json", 2},
		{"variable description", one("main.tf", "variable \"region\" {\n  type = string\n}\n"), RuleVariableDescription, "main.tf", 1},
		{"variable description json", one("main.tf.json", "{\"variable\": {\n \"region\": {\"type\": \"string\", \"description\": \" \"}}}"), RuleVariableDescription, "main.tf.json", 2},
		{"variable sensitive", one("main.tf", "variable \"db_password\" {\n  type        = string\n  description = \"The database password\"\n}\n"), RuleVariableSensitive, "main.tf", 1},
		{"variable sensitive json", one("main.tf.json", "{\"variable\": {\n \"admin_pass\": {\"type\": \"string\", \"description\": \"Admin password\", \"sensitive\": false}}}"), RuleVariableSensitive, "main.tf.json", 2},
		{"limits", []File{{Name: "../etc/passwd", Data: []byte("x")}, {Name: "main.tf", Data: []byte("")}}, RuleLimits, "../etc/passwd", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := Validate(c.files)
			if len(res.Violations) != 1 {
				t.Fatalf("want one violation of %s, got %v", c.rule, res.Violations)
			}
			v := res.Violations[0]
			if v.Rule != c.rule || v.File != c.file || v.Line != c.line {
				t.Fatalf("want %s at %s:%d, got %v", c.rule, c.file, c.line, v)
			}
			if v.Message == "" {
				t.Fatal("a violation needs a message")
			}
		})
	}
}

const cleanJSON = `{
  "variable": {
    "name": {"type": "string", "description": "Name prefix", "default": "shop"},
    "db_password": {"type": "string", "description": "Database password", "sensitive": true,
      "validation": [{"condition": "${length(var.db_password) >= 8}", "error_message": "At least 8 characters."}]},
    "disks": {"type": "list(number)", "description": "Data disk sizes", "default": [40, 100]}
  },
  "resource": {
    "huaweicloud_vpc": {"main": {"name": "${var.name}-vpc", "cidr": "10.0.0.0/16"}},
    "huaweicloud_evs_volume": {"disk": {"count": "${length(var.disks)}", "size": "${var.disks[count.index]}"}}
  },
  "module": {"db": {"source": "./modules/db", "password": "${var.db_password}"}},
  "output": {"vpc": {"value": "${huaweicloud_vpc.main.id}"}}
}`

func TestCleanTemplates(t *testing.T) {
	t.Parallel()
	for name, files := range map[string][]File{
		"hcl 25 modules": Sample(MaxModules),
		"json": {{Name: "main.tf.json", Data: []byte(cleanJSON)},
			{Name: "modules/db/db.tf", Data: []byte("variable \"password\" {\n  type = string\n  description = \"Password\"\n  sensitive = true\n}\nresource \"huaweicloud_rds_instance\" \"db\" {\n  password = var.password\n}\n")},
			{Name: "README.md", Data: []byte("# not read")}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := Validate(files)
			if !res.OK() {
				t.Fatalf("violations: %v", res.Violations)
			}
			if len(res.Variables) != 3 || len(res.Resources) == 0 {
				t.Fatalf("variables %v resources %v", res.Variables, res.Resources)
			}
		})
	}
}

func TestSampleShape(t *testing.T) {
	t.Parallel()
	res := Validate(Sample(MaxModules))
	if res.Modules != MaxModules || res.Depth != MaxDepth || len(res.Resources) != 2+3*MaxModules {
		t.Fatalf("modules %d depth %d resources %d", res.Modules, res.Depth, len(res.Resources))
	}
	want := "module.m3.module.next.module.next.huaweicloud_vpc_eip.ip"
	found := false
	for _, r := range res.Resources {
		found = found || r.Address == want
	}
	if !found {
		t.Fatalf("no resource %s in %v", want, res.Resources)
	}
	pw := res.Variables[1]
	if pw.Name != "admin_password" || !pw.Sensitive || !pw.Required() || len(pw.Validations) != 1 || pw.Validations[0].Condition != "length(var.admin_password) >= 8" {
		t.Fatalf("admin_password: %+v", pw)
	}
	if string(res.Variables[0].Default) != `"mercato"` {
		t.Fatalf("default %s", res.Variables[0].Default)
	}
}

func TestRecursiveModule(t *testing.T) {
	t.Parallel()
	res := Validate([]File{{Name: "main.tf", Data: []byte(`module "a" { source = "./a" }`)},
		{Name: "a/main.tf", Data: []byte(`module "self" { source = "./" }`)}})
	if len(res.Violations) != 1 || res.Violations[0].Rule != RuleModuleDepth {
		t.Fatalf("got %v", res.Violations)
	}
}

func TestCheckValues(t *testing.T) {
	t.Parallel()
	res := Validate(Sample(3))
	cases := []struct {
		name   string
		in     string
		errors map[string]string
	}{
		{"valid", `{"admin_password": "S3cure-pass", "servers": 3}`, nil},
		{"missing password", `{"servers": 2}`, map[string]string{"admin_password": "a value is required"}},
		{"short password", `{"admin_password": "short"}`, map[string]string{"admin_password": "The password has at least 8 characters."}},
		{"bad type", `{"admin_password": "S3cure-pass", "servers": "many"}`, map[string]string{"servers": "must be a number"}},
		{"unknown", `{"admin_password": "S3cure-pass", "colour": "red"}`, map[string]string{"colour": "no variable"}},
		{"short name", `{"admin_password": "S3cure-pass", "name": "ab"}`, map[string]string{"name": "3 to 32"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var in map[string]json.RawMessage
			if err := json.Unmarshal([]byte(c.in), &in); err != nil {
				t.Fatal(err)
			}
			vals, errs := CheckValues(res.Variables, in)
			if len(errs) != len(c.errors) {
				t.Fatalf("want errors %v, got %v", c.errors, errs)
			}
			for _, e := range errs {
				if !strings.Contains(e.Message, c.errors[e.Field]) || c.errors[e.Field] == "" {
					t.Fatalf("want %v, got %v", c.errors, errs)
				}
			}
			if c.errors == nil {
				if string(vals.JSON["name"]) != `"mercato"` || vals.Count(res.Resources[1]) != 3 || vals.Count(res.Resources[0]) != 1 {
					t.Fatalf("values %v count %d", vals.JSON, vals.Count(res.Resources[1]))
				}
			}
		})
	}
}

// Module calls' counts multiply their resources': a root call's count is evaluated with the
// answers, a nested call's only when it is a literal.
func TestModuleCounts(t *testing.T) {
	t.Parallel()
	res := Validate([]File{
		{Name: "main.tf", Data: []byte("variable \"n\" {\n  type = number\n  description = \"Web servers\"\n  default = 3\n}\nmodule \"web\" {\n  source = \"./web\"\n  count = var.n\n}\nmodule \"db\" {\n  source = \"./db\"\n  for_each = toset([\"a\", \"b\"])\n}\n")},
		{Name: "web/main.tf", Data: []byte("variable \"k\" {\n  type = number\n  description = \"k\"\n}\nresource \"huaweicloud_compute_instance\" \"s\" {\n  count = var.k\n}\nmodule \"disk\" {\n  source = \"../disk\"\n  count = 2\n}\n")},
		{Name: "disk/main.tf", Data: []byte("resource \"huaweicloud_evs_volume\" \"d\" {\n  count = 4\n}\n")},
		{Name: "db/main.tf", Data: []byte("resource \"huaweicloud_rds_instance\" \"r\" {}\n")},
	})
	if !res.OK() {
		t.Fatal(res.Violations)
	}
	vals, errs := CheckValues(res.Variables, map[string]json.RawMessage{"n": json.RawMessage("5")})
	if errs != nil {
		t.Fatal(errs)
	}
	want := map[string]int{"module.web.huaweicloud_compute_instance.s": 5, "module.web.module.disk.huaweicloud_evs_volume.d": 5 * 2 * 4,
		"module.db.huaweicloud_rds_instance.r": 2}
	for _, r := range res.Resources {
		if got := vals.Count(r); got != want[r.Address] {
			t.Errorf("%s: %d instances, want %d (scale %q)", r.Address, got, want[r.Address], r.Scale)
		}
	}
}
