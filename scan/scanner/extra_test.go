package scanner

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/clamd"
	"github.com/mercato-oss/mercato/scan/internal/testimage"
	"github.com/mercato-oss/mercato/scan/internal/tooltest"
	"github.com/mercato-oss/mercato/scan/report"
	"github.com/mercato-oss/mercato/scan/shadow"
)

func scanFile(t *testing.T, cfg Config, path string) *report.Report {
	t.Helper()
	if cfg.TempDir == "" {
		cfg.TempDir = t.TempDir()
	}
	rep, err := Scan(context.Background(), cfg, path)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func findings(r *report.Report, rule string) []report.Finding {
	var out []report.Finding
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func check(r *report.Report, rule string) report.Check {
	for _, c := range r.Checks {
		if c.Rule == rule {
			return c
		}
	}
	return report.Check{}
}

func TestPackageLimits(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	zipData := testimage.Zip(t, map[string]string{"app/run.sh": "#!/bin/sh\necho hi\n"})
	good := writeFile(t, filepath.Join(out, "my_app-1(2).zip"), zipData)
	bad := writeFile(t, filepath.Join(out, "my app!.zip"), zipData)

	rep := scanFile(t, Config{}, good)
	if !rep.Passed || rep.Input.Kind != KindPackage || rep.Input.Name != "my_app-1(2)" || check(rep, report.RulePackageName).Status != report.CheckRan {
		t.Errorf("good package: %+v %+v", rep.Input, rep.Findings)
	}
	if c := check(rep, report.RulePasswordPolicy); c.Status != report.CheckSkipped {
		t.Errorf("policy on a package: %+v", c)
	}
	rep = scanFile(t, Config{}, bad)
	if f := findings(rep, report.RulePackageName); len(f) != 1 || !f[0].Blocking || rep.ExitCode() != 1 {
		t.Errorf("bad name: %+v", rep.Findings)
	}
	rep = scanFile(t, Config{Name: "renamed_ok"}, bad)
	if len(findings(rep, report.RulePackageName)) != 0 {
		t.Errorf("--name not used: %+v", rep.Findings)
	}
	// Over both limits: failed without reading the content.
	rep = scanFile(t, Config{MaxPackageSize: 100, MaxImageSize: 100}, good)
	if f := findings(rep, report.RuleSizeLimit); len(f) != 1 || rep.Complete || rep.Stats.Files != 0 || rep.ExitCode() != 1 {
		t.Errorf("size limit: %+v files=%d complete=%v", rep.Findings, rep.Stats.Files, rep.Complete)
	}
	// Over the package limit only: a zip is read to learn that it is a
	// package, then fails.
	rep = scanFile(t, Config{MaxPackageSize: 100, MaxImageSize: 1000}, good)
	if f := findings(rep, report.RuleSizeLimit); len(f) != 1 || !rep.Complete || rep.ExitCode() != 1 {
		t.Errorf("package size limit: %+v complete=%v", rep.Findings, rep.Complete)
	}
	// Under the package limit but a disk image is judged by the image limit.
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	tarPath := writeFile(t, filepath.Join(out, "rootfs.tar"), testimage.Tar(t, dir, ""))
	rep = scanFile(t, Config{MaxPackageSize: 100, MaxImageSize: 100 << 20}, tarPath)
	if !rep.Passed || rep.Input.Kind != KindImage {
		t.Errorf("rootfs tar under the image limit: %+v %+v", rep.Input, rep.Findings)
	}
}

func TestDecompressionBomb(t *testing.T) {
	t.Parallel()
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestSpeed)
	zw.Write(make([]byte, 200<<20))
	zw.Close()
	out := t.TempDir()
	p := writeFile(t, filepath.Join(out, "pkg.zip"), testimage.Zip(t, map[string]string{"data/blob.gz": bomb.String(), "README": "x"}))
	rep := scanFile(t, Config{Limits: archive.Limits{MaxRatio: 100, RatioGrace: 16 << 20}}, p)
	if f := findings(rep, report.RuleUnscannable); len(f) != 1 || !f[0].Blocking || rep.ExitCode() != 1 || rep.Complete {
		t.Fatalf("bomb: exit %d %+v", rep.ExitCode(), rep.Findings)
	}
	if rep.Stats.Bytes > 64<<20 {
		t.Errorf("expanded %d bytes before stopping", rep.Stats.Bytes)
	}
}

func TestHostileTar(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	add := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		tw.WriteHeader(h)
		tw.Write([]byte(body))
	}
	add(&tar.Header{Name: "../../../../../tmp/mercato-escape-test", Typeflag: tar.TypeReg}, "x")
	add(&tar.Header{Name: "etc", Typeflag: tar.TypeSymlink, Linkname: "/etc"}, "")
	add(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg}, "root:x:0:0::/root:/bin/sh\n")
	add(&tar.Header{Name: "etc/shadow", Typeflag: tar.TypeReg}, "root:"+testimage.WeakHash+":1::::::\n")
	tw.Close()
	base := t.TempDir()
	p := writeFile(t, filepath.Join(base, "evil.tar"), b.Bytes())
	tmp := filepath.Join(base, "tmp")
	os.Mkdir(tmp, 0o755)
	rep := scanFile(t, Config{TempDir: tmp, Words: []string{"password"}}, p)
	if _, err := os.Stat("/tmp/mercato-escape-test"); err == nil {
		t.Fatal("an archive member was written outside the scanner's directory")
	}
	if len(findings(rep, report.RuleWeakPassword)) != 1 {
		t.Errorf("the shadow entry behind the link trick was not checked: %+v", rep.Findings)
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "unsafe member name") {
		t.Errorf("no warning about the ../ name: %v", rep.Warnings)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temporary files left behind: %v", ents)
	}
}

func TestGoBinaryInventoried(t *testing.T) {
	t.Parallel()
	self, err := os.Executable() // a Go test binary carries build info
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	testimage.Write(t, dir, "usr/local/bin/app", string(exe))
	os.Chmod(filepath.Join(dir, "usr/local/bin/app"), 0o755)
	p := writeFile(t, filepath.Join(t.TempDir(), "rootfs.tar"), testimage.Tar(t, dir, ""))
	rep := scanFile(t, Config{}, p)
	if rep.Stats.Packages <= 3 {
		t.Errorf("Go binary's modules not inventoried: %d packages", rep.Stats.Packages)
	}
}

func TestContainerSkipsPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	testimage.Write(t, dir, "etc/pam.d/common-password", "password required pam_unix.so\n")
	p := writeFile(t, filepath.Join(t.TempDir(), "img.tar"), testimage.DockerSave(t, dir))
	rep := scanFile(t, Config{}, p)
	if !rep.Passed || check(rep, report.RulePasswordPolicy).Status != report.CheckSkipped {
		t.Errorf("container: %+v %+v", rep.Findings, check(rep, report.RulePasswordPolicy))
	}
	rep = scanFile(t, Config{Kind: KindImage}, p)
	if len(findings(rep, report.RulePasswordPolicy)) == 0 {
		t.Errorf("--kind image did not apply the policy rule")
	}
}

func TestClamdDown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	p := writeFile(t, filepath.Join(t.TempDir(), "rootfs.tar"), testimage.Tar(t, dir, ""))
	rep := scanFile(t, Config{Clamd: &clamd.Client{Addr: filepath.Join(t.TempDir(), "no.sock"), Timeout: time.Second}}, p)
	if rep.Complete || rep.ExitCode() != 2 || check(rep, report.RuleMalware).Status != report.CheckFailed {
		t.Errorf("clamd down: complete=%v exit=%d %+v", rep.Complete, rep.ExitCode(), check(rep, report.RuleMalware))
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	// A service account (no login shell): its hash is cracked but is no
	// preset-password finding, so the scan has no verdict when time runs out.
	testimage.Write(t, dir, "etc/passwd", "svc:x:999:999::/:/usr/sbin/nologin\n")
	testimage.Write(t, dir, "etc/shadow", "svc:"+testimage.StrongHash+":1::::::\n")
	p := writeFile(t, filepath.Join(t.TempDir(), "rootfs.tar"), testimage.Tar(t, dir, ""))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	words := make([]string, 100000) // far more yescrypt guesses than fit in the budget
	for i := range words {
		words[i] = strings.Repeat("x", i%50+1) + string(rune('a'+i%26))
	}
	start := time.Now()
	rep, err := Scan(ctx, Config{Words: words, TempDir: t.TempDir()}, p)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("scan ran %s past a 300ms budget", time.Since(start))
	}
	if rep.Complete || rep.ExitCode() != 2 || len(rep.Errors) == 0 {
		t.Errorf("timeout: complete=%v exit=%d errors=%v", rep.Complete, rep.ExitCode(), rep.Errors)
	}
}

func TestUncheckedHash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	testimage.Write(t, dir, "etc/shadow", "root:$7$CU..../....salt$hash:1::::::\nalice:abJnggxhB/yWI:1::::::\n")
	p := writeFile(t, filepath.Join(t.TempDir(), "rootfs.tar"), testimage.Tar(t, dir, ""))
	rep := scanFile(t, Config{Words: shadow.DefaultWords()}, p)
	if n := len(findings(rep, report.RuleUncheckedHash)); n != 2 {
		t.Errorf("unchecked hashes: %d, %+v", n, rep.Findings)
	}
	if n := len(findings(rep, report.RulePresetPassword)); n != 2 {
		t.Errorf("preset passwords: %d", n)
	}
}

// TestKeyInsideBinary: libraries carry self-test keys (GnuTLS has six);
// they are noted, not blocking, while the same key in a file blocks.
func TestKeyInsideBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	key := testimage.PrivateKeyPEM(t)
	lib := append(testimage.ELF(testimage.MachineAMD64), key...)
	testimage.Write(t, dir, "usr/lib/libselftest.so.1", string(lib))
	p := writeFile(t, filepath.Join(t.TempDir(), "rootfs.tar"), testimage.Tar(t, dir, ""))
	rep := scanFile(t, Config{}, p)
	f := findings(rep, report.RulePrivateKey)
	if !rep.Passed || len(f) != 1 || f[0].Blocking || f[0].Path != "usr/lib/libselftest.so.1" {
		t.Fatalf("key in a library: %+v", rep.Findings)
	}
	testimage.Write(t, dir, "opt/app/server.pem", string(key))
	p = writeFile(t, filepath.Join(t.TempDir(), "rootfs.tar"), testimage.Tar(t, dir, ""))
	rep = scanFile(t, Config{}, p)
	if rep.Passed || len(findings(rep, report.RulePrivateKey)) != 2 {
		t.Fatalf("key in a file: %+v", rep.Findings)
	}
}

// TestUnreadableRootPartition: a readable /boot beside a root filesystem
// the scanner cannot read (XFS, LVM) must not pass.
func TestUnreadableRootPartition(t *testing.T) {
	t.Parallel()
	tools := tooltest.Need(t, "mkfs.ext4", "sfdisk")
	boot := t.TempDir()
	testimage.Write(t, boot, "grub/grub.cfg", "set timeout=5\n")
	out := t.TempDir()
	fsImg := filepath.Join(out, "boot.fs")
	if b, err := exec.Command(tools[0], "-q", "-F", "-d", boot, fsImg, "8M").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, b)
	}
	data, err := os.ReadFile(fsImg)
	if err != nil {
		t.Fatal(err)
	}
	disk := filepath.Join(out, "disk.raw")
	f, _ := os.Create(disk)
	f.Truncate(20 << 20)
	f.WriteAt(data, 1<<20)
	f.Close()
	cmd := exec.Command(tools[1], "--quiet", disk)
	cmd.Stdin = strings.NewReader("label: dos\nstart=2048, size=16384, type=83\nstart=18432, type=83\n")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, b)
	}
	rep := scanFile(t, Config{}, disk)
	if rep.Complete || rep.ExitCode() != 2 || len(rep.Warnings) == 0 {
		t.Errorf("complete=%v exit=%d warnings=%v errors=%v", rep.Complete, rep.ExitCode(), rep.Warnings, rep.Errors)
	}
}

// TestBareExt4 scans a raw filesystem image without a partition table.
func TestBareExt4(t *testing.T) {
	t.Parallel()
	mkfs := tooltest.Need(t, "mkfs.ext4")[0]
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	testimage.Write(t, dir, "root/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJQb6NL0zIGbyZF5W4zmRUp/Jzfo5rLTXpm3YWHhN6ou x\n")
	img := filepath.Join(t.TempDir(), "rootfs.ext4")
	if b, err := exec.Command(mkfs, "-q", "-F", "-d", dir, img, "24M").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, b)
	}
	rep := scanFile(t, Config{}, img)
	f := findings(rep, report.RuleAuthorizedKeys)
	if rep.Input.Format != "raw" || !rep.Complete || len(f) != 1 || f[0].Path != "root/.ssh/authorized_keys" {
		t.Errorf("bare ext4: %+v %+v %v", rep.Input, rep.Findings, rep.Errors)
	}
}
