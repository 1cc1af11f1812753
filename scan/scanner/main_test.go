package scanner

import (
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/mercato-oss/mercato/scan/vuln"
)

// TestMain silences osv-scalibr's log and gives the package's tests their
// own $TMPDIR: osv-scalibr's disk code writes there, outside Config.TempDir.
func TestMain(m *testing.M) {
	vuln.SetLog(io.Discard)
	tmp, err := os.MkdirTemp("", "mercato-scan-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("TMPDIR", tmp)
	code := m.Run()
	// Every scan must clean up after itself, osv-scalibr's files included.
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 && code == 0 {
		for _, e := range ents {
			fmt.Fprintln(os.Stderr, "left behind in $TMPDIR:", e.Name())
		}
		code = 1
	}
	os.RemoveAll(tmp)
	os.Exit(code)
}
