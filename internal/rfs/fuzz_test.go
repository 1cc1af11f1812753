package rfs

import (
	"encoding/json"
	"testing"
)

// FuzzValidate feeds arbitrary bytes to the parser entry as an HCL and as a JSON file: it must
// never panic, and every violation must name a rule.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(Sample(1)[0].Data), false)
	f.Add([]byte(cleanJSON), true)
	f.Add([]byte(`module "a" { source = "./a" }`), false)
	f.Add([]byte(`{"variable": {"x": {"type": "list(", "validation": [{"condition": "${file(1)}"}]}}}`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		name := "main.tf"
		if isJSON {
			name = "main.tf.json"
		}
		res := Validate([]File{{Name: name, Data: data}, {Name: "a/main.tf", Data: data}})
		for _, v := range res.Violations {
			if v.Rule == "" {
				t.Fatalf("violation without a rule: %v", v)
			}
		}
		CheckValues(res.Variables, nil)
	})
}

// FuzzCheckValues feeds arbitrary JSON answers to a generated template's form: it must never
// panic, and answers it accepts are valid JSON of every variable.
func FuzzCheckValues(f *testing.F) {
	vars := Validate(Sample(3)).Variables
	f.Add([]byte(`{"admin_password": "S3cure-pass!", "servers": 2}`))
	f.Add([]byte(`{"admin_password": null, "servers": "x", "name": [1, {"a": 2}]}`))
	f.Add([]byte(`{"name": "ab"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in map[string]json.RawMessage
		if json.Unmarshal(data, &in) != nil {
			return
		}
		vals, errs := CheckValues(vars, in)
		if len(errs) > 0 {
			return
		}
		for _, v := range vars {
			if !json.Valid(vals.JSON[v.Name]) {
				t.Fatalf("accepted %s with %s = %q", data, v.Name, vals.JSON[v.Name])
			}
		}
		for _, r := range Validate(Sample(3)).Resources {
			if n := vals.Count(r); n < 0 || n > MaxCount {
				t.Fatalf("count %d", n)
			}
		}
	})
}
