package main

import (
	"context"
	"go/build"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/cloud/cloudtest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestCABI builds the shared library with `go build -buildmode=c-shared`, compiles a C program
// that checks the ABI's rules and the C++ example program (examples/cad) against isdk.h with the
// machine's gcc and g++, and runs both against a marketplace served from this test. A missing
// compiler fails the test: the C ABI is part of what the project ships.
func TestCABI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	lib := filepath.Join(dir, "libisdk.so")
	goTool := filepath.Join(build.Default.GOROOT, "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Fatal("the go command is needed to build the shared library")
		}
	}
	run(t, 5*time.Minute, nil, goTool, "build", "-buildmode=c-shared", "-o", lib, ".")
	for _, cc := range []string{"gcc", "g++"} {
		if _, err := exec.LookPath(cc); err != nil {
			t.Fatalf("%s is required to build and test the C ABI (apt-get install g++): %v", cc, err)
		}
	}
	link := []string{"-I", ".", "-L", dir, "-lisdk", "-Wl,-rpath," + dir, "-pthread"}
	abi := filepath.Join(dir, "abi_check")
	run(t, 2*time.Minute, nil, "gcc", append([]string{"-std=c11", "-Wall", "-Werror", "-o", abi, "testdata/abi_check.c"}, link...)...)
	cad := filepath.Join(dir, "cad")
	run(t, 2*time.Minute, nil, "g++", append([]string{"-std=c++17", "-Wall", "-Werror", "-o", cad, "../../examples/cad/main.cpp"}, link...)...)

	t.Run("abi", func(t *testing.T) {
		site := cloudtest.Start(t, store.SQLite, cloudtest.Options{})
		out := run(t, 2*time.Minute, siteEnv(t, site), abi)
		if !strings.Contains(out, "abi: ok") {
			t.Fatalf("abi_check: %s", out)
		}
		if n, _ := site.DB.CountUpgrades(site.Ctx, site.Instance); n != 1 {
			t.Errorf("%d upgrade confirmations recorded", n)
		}
	})
	t.Run("cad example", func(t *testing.T) {
		site := cloudtest.Start(t, store.SQLite, cloudtest.Options{})
		out := run(t, 2*time.Minute, siteEnv(t, site), cad)
		if !strings.Contains(out, "cad example: all steps passed") {
			t.Fatalf("cad example: %s", out)
		}
		for path, want := range map[string]struct {
			version int
			content string
		}{
			"/designs/Bracket.prt": {2, "solid bracket\nhole 8mm\nfillet 2mm\n"},
			"/designs/Gearbox.zip": {2, ""},
		} {
			f, err := site.Cloud.FileByPath(site.Ctx, market.AsOperator(), site.Instance, path)
			if err != nil || f.Version != want.version || f.State() != market.CheckedIn {
				t.Fatalf("%s after the example: %+v, %v", path, f, err)
			}
			if want.content == "" {
				continue
			}
			_, _, r, err := site.Cloud.Content(site.Ctx, market.AsOperator(), f.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r)
			r.Close()
			if string(b) != want.content {
				t.Fatalf("%s holds %q", path, b)
			}
		}
	})
}

func siteEnv(t *testing.T, s *cloudtest.Site) []string {
	return append(os.Environ(), "ISDK_SERVER="+s.URL, "ISDK_TOKEN="+s.Token, "ISDK_INSTANCE="+s.Instance,
		"ISDK_WORKSPACE="+filepath.Join(t.TempDir(), "cloud"), "ISDK_LOCAL="+filepath.Join(t.TempDir(), "local"))
}

// run runs a command and returns its output, failing the test if it fails.
func run(t *testing.T, timeout time.Duration, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	t.Logf("%s: %s", filepath.Base(name), out)
	return string(out)
}
