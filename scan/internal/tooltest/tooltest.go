// Package tooltest finds the external programs that tests drive (clamd,
// qemu-img, mkpasswd, mkfs.ext4, ...) and decides whether a missing one may
// skip a test: only when MERCATO_SCAN_REQUIRE_TOOLS is unset, so that CI
// (scan/ci.sh sets it) can never pass by skipping.
package tooltest

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of each named program, or skips the test when one
// is missing and tools are not required, or fails it when they are.
func Need(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			for _, dir := range []string{"/usr/sbin/", "/sbin/"} {
				if _, serr := os.Stat(dir + n); serr == nil {
					p, err = dir+n, nil
					break
				}
			}
		}
		if err != nil {
			if os.Getenv("MERCATO_SCAN_REQUIRE_TOOLS") != "" {
				t.Fatalf("%s is required (MERCATO_SCAN_REQUIRE_TOOLS is set) but not found: %v", n, err)
			}
			t.Skipf("%s not installed (set MERCATO_SCAN_REQUIRE_TOOLS=1 to make this fatal; scan/ci.sh installs it)", n)
		}
		paths[i] = p
	}
	return paths
}
