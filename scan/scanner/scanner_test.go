package scanner

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/scan/clamd"
	"github.com/mercato-oss/mercato/scan/internal/clamdtest"
	"github.com/mercato-oss/mercato/scan/internal/testimage"
	"github.com/mercato-oss/mercato/scan/report"
	"github.com/mercato-oss/mercato/scan/shadow"
)

// format packs a tree at dir into a file under out and returns its path.
type format struct {
	name, want string // want is the report's input.format
	kind       string // expected input.kind
	build      func(t *testing.T, dir, out string) string
}

func writeFile(t *testing.T, p string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var formats = []format{
	{"tar", "tar", KindImage, func(t *testing.T, dir, out string) string {
		return writeFile(t, filepath.Join(out, "rootfs.tar"), testimage.Tar(t, dir, "./"))
	}},
	{"tar.gz", "tar.gz", KindImage, func(t *testing.T, dir, out string) string {
		return writeFile(t, filepath.Join(out, "rootfs.tar.gz"), testimage.Gzip(testimage.Tar(t, dir, "")))
	}},
	{"docker-save", "docker-archive", KindPackage, func(t *testing.T, dir, out string) string {
		return writeFile(t, filepath.Join(out, "app-image.tar"), testimage.DockerSave(t, dir))
	}},
	{"oci", "oci-archive", KindPackage, func(t *testing.T, dir, out string) string {
		return writeFile(t, filepath.Join(out, "app-image.tar"), testimage.OCI(t, dir))
	}},
	{"raw", "raw", KindImage, func(t *testing.T, dir, out string) string {
		p := filepath.Join(out, "disk.raw")
		testimage.Disk(t, dir, p)
		return p
	}},
	{"qcow2", "qcow2", KindImage, func(t *testing.T, dir, out string) string {
		raw := filepath.Join(out, "disk.raw")
		testimage.Disk(t, dir, raw)
		p := filepath.Join(out, "disk.qcow2")
		testimage.Convert(t, raw, "qcow2", p)
		os.Remove(raw)
		return p
	}},
	{"vmdk", "vmdk", KindImage, func(t *testing.T, dir, out string) string {
		raw := filepath.Join(out, "disk.raw")
		testimage.Disk(t, dir, raw)
		p := filepath.Join(out, "disk.vmdk")
		testimage.Convert(t, raw, "vmdk", p)
		os.Remove(raw)
		return p
	}},
}

// extraRules are the other rules a violation legitimately breaks too.
var extraRules = map[string][]string{
	// root's dictionary password is also a preset password of a login account.
	"weak-password": {report.RulePresetPassword},
}

func blockingRules(r *report.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Blocking && !slices.Contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	sort.Strings(out)
	return out
}

// TestEveryViolationOnEveryFormat seeds each violation into a clean tree,
// packs it in each format and checks that exactly that rule fails, at the
// right path; the clean tree passes in every format.
func TestEveryViolationOnEveryFormat(t *testing.T) {
	t.Parallel()
	cl := &clamd.Client{Addr: clamdtest.Start(t), Timeout: 30 * time.Second}
	osv := testimage.OSVDB(t)
	// A short dictionary: the strong yescrypt hash of the preset-password
	// case is tried against every word (tens of ms each); the full list is
	// tested in package shadow and by the command's tests.
	words := shadow.DefaultWords()[:20]
	cases := append([]testimage.Violation{{Name: "clean"}}, testimage.Violations()...)
	for _, fm := range formats {
		t.Run(fm.name, func(t *testing.T) {
			t.Parallel()
			for _, v := range cases {
				t.Run(v.Name, func(t *testing.T) {
					dir, out := t.TempDir(), t.TempDir()
					testimage.Rootfs(t, dir)
					if v.Seed != nil {
						v.Seed(t, dir)
					}
					input := fm.build(t, dir, out)
					cfg := Config{Clamd: cl, OSVDir: osv, Words: words, Regions: []string{"cn-north-4", "ap-southeast-1"}, TempDir: out}
					if v.Rule == report.RulePasswordPolicy && fm.kind == KindPackage {
						cfg.Kind = KindImage // containers are packages: the policy rule runs only when asked (see TestContainerSkipsPolicy)
					}
					rep, err := Scan(context.Background(), cfg, input)
					if err != nil {
						t.Fatal(err)
					}
					if rep.Input.Format != fm.want || (cfg.Kind == "" && rep.Input.Kind != fm.kind) {
						t.Errorf("input %+v, want format %s kind %s", rep.Input, fm.want, fm.kind)
					}
					if !rep.Complete || len(rep.Errors) > 0 {
						t.Fatalf("incomplete: %v", rep.Errors)
					}
					for _, c := range rep.Checks {
						if c.Status == report.CheckFailed {
							t.Errorf("check %s failed: %s", c.Rule, c.Detail)
						}
					}
					got := blockingRules(rep)
					var want []string
					if v.Rule != "" {
						want = append([]string{v.Rule}, extraRules[v.Rule]...)
						sort.Strings(want)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("blocking rules %v, want %v\nfindings: %+v", got, want, rep.Findings)
					}
					if v.Rule == "" {
						if !rep.Passed || rep.ExitCode() != 0 {
							t.Errorf("clean image did not pass: %+v", rep.Findings)
						}
						return
					}
					if rep.Passed || rep.ExitCode() != 1 {
						t.Errorf("violation passed")
					}
					found := false
					for _, f := range rep.Findings {
						if f.Rule == v.Rule && f.Blocking && f.Path == v.Path && f.Evidence != "" && f.Detail != "" {
							found = true
						}
					}
					if !found {
						t.Errorf("no %s finding at %q: %+v", v.Rule, v.Path, rep.Findings)
					}
				})
			}
		})
	}
}
