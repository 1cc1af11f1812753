package rfs

import "testing"

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
