package sdk_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the promise of package sqlitestore — a merchant that keeps the SDK's
// state in its own database links no SQLite — and keeps the marketplace out of every public SDK
// package.
func TestDependencies(t *testing.T) {
	t.Parallel()
	const module = "github.com/mercato-oss/mercato/"
	for _, tc := range []struct {
		pkg    string
		sqlite bool // may link SQLite
	}{{"sdk", false}, {"sdk/sdktest", false}, {"sdk/sqlitestore", true}} {
		out, err := exec.Command("go", "list", "-deps", module+tc.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", tc.pkg, err, out)
		}
		for dep := range strings.FieldsSeq(string(out)) {
			sqlite := strings.HasPrefix(dep, "modernc.org/sqlite") || dep == module+"sdk/sqlitestore"
			if strings.HasPrefix(dep, module+"internal/") || sqlite && !tc.sqlite {
				t.Errorf("%s depends on %s", tc.pkg, dep)
			}
		}
	}
}
