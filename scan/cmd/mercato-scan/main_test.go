package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/scan/internal/clamdtest"
	"github.com/mercato-oss/mercato/scan/internal/testimage"
)

// TestMain lets the tests run this test binary as the command itself, so
// that stdout is checked exactly as the asset centre will read it.
func TestMain(m *testing.M) {
	if os.Getenv("MERCATO_SCAN_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

type result struct {
	code           int
	stdout, stderr string
}

func cli(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MERCATO_SCAN_TEST_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// decodeStrict parses stdout as exactly one JSON report.
func decodeStrict(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("stdout has more than the report:\n%s", s)
	}
	return m
}

func TestJSONReportAndExitCodes(t *testing.T) {
	t.Parallel()
	sock := clamdtest.Start(t)
	osv := testimage.OSVDB(t)
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	// Debian's etc/os-release is a link; go-ext4 prints a warning to
	// stdout for each link it meets, which must not reach the report.
	os.Remove(filepath.Join(dir, "etc/os-release"))
	if err := os.Symlink("../usr/lib/os-release", filepath.Join(dir, "etc/os-release")); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	clean := filepath.Join(out, "clean.qcow2")
	raw := filepath.Join(out, "disk.raw")
	testimage.Disk(t, dir, raw)
	testimage.Convert(t, raw, "qcow2", clean)
	testimage.Write(t, dir, "root/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJQb6NL0zIGbyZF5W4zmRUp/Jzfo5rLTXpm3YWHhN6ou ops\n")
	bad := filepath.Join(out, "bad.tar")
	if err := os.WriteFile(bad, testimage.Tar(t, dir, ""), 0o644); err != nil {
		t.Fatal(err)
	}
	common := []string{"--json", "--quiet", "--clamd", sock, "--osv-db", osv, "--arch-regions", "cn-north-4"}

	r := cli(t, append(common, clean)...)
	if r.code != 0 {
		t.Fatalf("clean image: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	m := decodeStrict(t, r.stdout)
	for _, k := range []string{"schema", "scanner", "passed", "complete", "input", "started", "duration_ms", "checks", "findings", "stats", "warnings", "errors"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	in := m["input"].(map[string]any)
	if m["schema"] != "mercato-scan/v1" || m["passed"] != true || in["format"] != "qcow2" || in["kind"] != "image" || in["arch"] != "amd64" {
		t.Errorf("clean report: %v", m)
	}
	for _, c := range m["checks"].([]any) {
		if st := c.(map[string]any)["status"]; st != "ran" && c.(map[string]any)["rule"] != "package-name" {
			t.Errorf("check not run: %v", c)
		}
	}

	// The same image with --verbose: the library's link warnings go to
	// stderr, stdout still holds only the report.
	r = cli(t, append(common, "--verbose", clean)...)
	decodeStrict(t, r.stdout)
	if !strings.Contains(r.stderr, "library: Warning: Failed to open file /etc/os-release") {
		t.Errorf("go-ext4's link warning did not reach stderr (so this test no longer proves stdout is guarded):\n%s", r.stderr)
	}

	r = cli(t, append(common, bad)...)
	if r.code != 1 {
		t.Fatalf("bad image: exit %d\n%s", r.code, r.stderr)
	}
	m = decodeStrict(t, r.stdout)
	fs := m["findings"].([]any)
	f0 := fs[0].(map[string]any)
	if m["passed"] != false || f0["rule"] != "authorized-keys" || f0["path"] != "root/.ssh/authorized_keys" || f0["blocking"] != true {
		t.Errorf("bad report findings: %v", fs)
	}
	for _, k := range []string{"rule", "severity", "blocking", "path", "evidence", "detail"} {
		if _, ok := f0[k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}

	// Text summary.
	r = cli(t, "--quiet", bad)
	if r.code != 1 || !strings.HasPrefix(r.stdout, "FAILED: ") || !strings.Contains(r.stdout, "[authorized-keys/high] root/.ssh/authorized_keys") {
		t.Errorf("text: exit %d\n%s", r.code, r.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notImage, []byte("just text"), 0o644)
	for _, args := range [][]string{
		{},
		{"--no-such-flag", "x"},
		{"a", "b"},
		{filepath.Join(t.TempDir(), "missing.qcow2")},
		{"--kind", "vm", notImage},
		{"--clamd", filepath.Join(t.TempDir(), "none.sock"), notImage},
		{"--osv-db", t.TempDir(), notImage},
		{"--max-memory", "lots", notImage},
	} {
		if r := cli(t, args...); r.code != 2 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	// An unrecognised file is a scan error: exit 2, with a report saying why.
	r := cli(t, "--json", notImage)
	if m := decodeStrict(t, r.stdout); r.code != 2 || m["complete"] != false || len(m["errors"].([]any)) != 1 {
		t.Errorf("unrecognised: exit %d %v", r.code, m)
	}
}

func TestProgressAndDict(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	testimage.Write(t, dir, "etc/shadow", "root:$6$8z36gMg11GQsO0o0$OskmwuEdjlyxB.bJ77WCEacwLBm55.7RXIBKvfqKz99FPZ7RLnSfoupCp62i6RE/DCKujgMiR3ztqwqcIZwdQ1:1::::::\n")
	p := filepath.Join(t.TempDir(), "rootfs.tar.gz")
	os.WriteFile(p, testimage.Gzip(testimage.Tar(t, dir, "")), 0o644)
	// "changeme" is in the built-in list; a custom dictionary replaces it.
	dict := filepath.Join(t.TempDir(), "words.txt")
	os.WriteFile(dict, []byte("nothing\nuseful\n"), 0o644)
	weak := func(r result) bool {
		for _, f := range decodeStrict(t, r.stdout)["findings"].([]any) {
			if f.(map[string]any)["rule"] == "weak-password" {
				return true
			}
		}
		return false
	}
	r := cli(t, "--json", "--quiet", "--dict", dict, p)
	if weak(r) {
		t.Errorf("custom dictionary not used")
	}
	r = cli(t, "--json", p)
	if r.code != 1 || !weak(r) {
		t.Errorf("built-in dictionary: exit %d", r.code)
	}
	if !strings.Contains(r.stdout, `c******e (8 chars)`) {
		t.Errorf("cracked password not masked as expected: %s", r.stdout)
	}
}

func TestBenchSmoke(t *testing.T) {
	t.Parallel()
	r := cli(t, "--bench", "8MiB", "--quiet", "--tmpdir", t.TempDir())
	if r.code != 0 || !strings.Contains(r.stdout, "ratio to plain read") || !strings.Contains(r.stdout, "scan with ClamAV:         skipped") {
		t.Errorf("bench: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"2GiB": 2 << 30, "512M": 512 << 20, "1g": 1 << 30, "1048576": 1 << 20, "1.5KiB": 1536} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-1G", "G", "lots"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestSIGTERM: a caller's kill stops the scan, leaves an incomplete
// report and no temporary files.
func TestSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	// A service account's yescrypt hash and a long dictionary keep the
	// scan busy cracking for minutes.
	testimage.Write(t, dir, "etc/passwd", "svc:x:999:999::/:/usr/sbin/nologin\n")
	testimage.Write(t, dir, "etc/shadow", "svc:"+testimage.StrongHash+":1::::::\n")
	p := filepath.Join(t.TempDir(), "rootfs.tar")
	os.WriteFile(p, testimage.Tar(t, dir, ""), 0o644)
	var words strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&words, "guess%d\n", i)
	}
	dict := filepath.Join(t.TempDir(), "words.txt")
	os.WriteFile(dict, []byte(words.String()), 0o644)
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "--json", "--quiet", "--dict", dict, "--tmpdir", tmp, p)
	cmd.Env = append(os.Environ(), "MERCATO_SCAN_TEST_MAIN=1")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v", err)
	}
	m := decodeStrict(t, out.String())
	if m["complete"] != false || !strings.Contains(fmt.Sprint(m["errors"]), "signal") {
		t.Errorf("report: complete=%v errors=%v", m["complete"], m["errors"])
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temporary files left: %v", ents)
	}
}
