package rfs

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestHostileInput: templates are untrusted. Deep nesting (which overflows hcl's recursive
// parsers, a fatal error) is refused before parsing, and large inputs stay fast.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		src  string
		rule string
	}{
		"brackets":         {"a = " + strings.Repeat("[", 200000), RuleLimits},
		"parens":           {"locals {\n a = " + strings.Repeat("(", 200000) + "1" + strings.Repeat(")", 200000) + "\n}", RuleLimits},
		"unary":            {"locals {\n a = " + strings.Repeat("!", 200000) + "true\n}", RuleLimits},
		"json arrays":      {strings.Repeat("[", 200000), RuleLimits},
		"json templates":   {`{"locals": {"a": "` + strings.Repeat("${", 100000) + `"}}`, RuleLimits},
		"json escapes":     {`{"locals": {"a": "${` + strings.Repeat(`\u005b`, 100000) + `}"}}`, RuleLimits},
		"many blocks":      {strings.Repeat("resource \"a_b\" \"c\" {\n count = 1\n}\n", 25000), ""},
		"json many calls":  {`{"locals": {"a": [` + strings.Repeat(`"${file(1)}",`, 60000) + `"x"]}}`, RuleProhibitedFunction},
		"nested modules 1": {strings.Repeat("module \"m\" {\n source = \"./\"\n}\n", 5000), RuleModuleDepth},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn := "main.tf"
			if strings.HasPrefix(name, "json") {
				fn = "main.tf.json"
			}
			start := time.Now()
			res := Validate([]File{{Name: fn, Data: []byte(c.src)}})
			took := time.Since(start)
			if c.rule != "" && (len(res.Violations) == 0 || res.Violations[0].Rule != c.rule) {
				t.Fatalf("want %s first, got %d violations: %.200v", c.rule, len(res.Violations), res.Violations)
			}
			t.Logf("%d bytes in %v", len(c.src), took)
		})
	}
	deep := json.RawMessage(strings.Repeat("[", 100000) + strings.Repeat("]", 100000))
	_, errs := CheckValues(Validate(Sample(1)).Variables, map[string]json.RawMessage{"name": deep, "admin_password": []byte(`"S3cure-pass!"`)})
	if len(errs) != 1 || errs[0].Field != "name" || !strings.Contains(errs[0].Message, "nest") {
		t.Fatalf("a deeply nested answer: %v", errs)
	}
}
