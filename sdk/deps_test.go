package sdk_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoSQLiteInTheSDK keeps the promise of package sqlitestore: a merchant that keeps the SDK's
// state in its own database links no SQLite, and no public package links the marketplace.
func TestNoSQLiteInTheSDK(t *testing.T) {
	t.Parallel()
	const module = "github.com/mercato-oss/mercato/"
	for _, pkg := range []string{"sdk", "sdk/sdktest"} {
		out, err := exec.Command("go", "list", "-deps", module+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for dep := range strings.FieldsSeq(string(out)) {
			if strings.HasPrefix(dep, "modernc.org/sqlite") || strings.HasPrefix(dep, module+"internal/") || dep == module+"sdk/sqlitestore" {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
