package rfs

import "testing"

// BenchmarkValidate25 validates a generated template of 25 modules (rules §5.3's maximum);
// the target is under 50 ms (`mercato bench template` prints the figure).
func BenchmarkValidate25(b *testing.B) {
	files := Sample(MaxModules)
	for b.Loop() {
		if res := Validate(files); !res.OK() {
			b.Fatal(res.Violations)
		}
	}
}
