package cloudfs

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"/a.prt", "/designs/Gearbox.zip", "/设计/齿轮.prt", "/a b/c.d.e"} {
		if got, err := CleanPath(p); err != nil || got != p {
			t.Errorf("CleanPath(%q) = %q, %v", p, got, err)
		}
	}
	for _, p := range []string{"", "/", "a.prt", "/../etc/passwd", "/a/../b", "/a/./b", "//a", "/a/", `/a\..\b`, "/a:b",
		"/CON", "/con.txt", "/a.", "/a ", "/x\x00y", "/" + strings.Repeat("a", 256), "/\xff", "/" + strings.Repeat("a/", 40) + "b"} {
		if _, err := CleanPath(p); err == nil || !IsRule(err) {
			t.Errorf("CleanPath(%q) = %v, want a rule error", p, err)
		}
	}
}

func TestSplitFolders(t *testing.T) {
	t.Parallel()
	if f, n := Split("/a/b/c.prt"); f != "/a/b" || n != "c.prt" {
		t.Errorf("Split = %q %q", f, n)
	}
	if f, n := Split("/c.prt"); f != "/" || n != "c.prt" {
		t.Errorf("Split = %q %q", f, n)
	}
	if got := Folders("/a/b/c"); strings.Join(got, ",") != "/a,/a/b" {
		t.Errorf("Folders = %q", got)
	}
}

// writeFolder makes an assembly folder with files (relative name → content).
func writeFolder(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func deps(list ...string) DependencyFunc {
	return func(string) ([]string, error) { return list, nil }
}

func TestCheckFolder(t *testing.T) {
	t.Parallel()
	good := map[string]string{"Gearbox.asm": "part shaft.prt\n", "shaft.prt": "s", "parts/gear.prt": "g"}
	dir := writeFolder(t, "Gearbox", good)
	main, files, err := CheckFolder(dir, deps("shaft.prt", "parts/gear.prt"))
	if err != nil || filepath.Base(main) != "Gearbox.asm" || strings.Join(files, ",") != "Gearbox.asm,parts/gear.prt,shaft.prt" {
		t.Fatalf("CheckFolder = %q %q %v", main, files, err)
	}
	cases := []struct {
		name  string
		dir   string
		deps  DependencyFunc
		wants string
	}{
		{"folder name differs", writeFolder(t, "Gear", good), nil, "folder's name must equal"},
		{"missing dependency", dir, deps("bolt.prt"), "missing from the assembly folder"},
		{"dependency outside", dir, deps("../elsewhere.prt"), "outside the assembly folder"},
		{"not saved locally", filepath.Join(t.TempDir(), "Nope"), nil, "save it locally first"},
		{"two main files", writeFolder(t, "Gearbox", map[string]string{"Gearbox.asm": "", "Gearbox.prt": ""}), nil, "two assembly files"},
	}
	for _, c := range cases {
		if _, _, err := CheckFolder(c.dir, c.deps); err == nil || !IsRule(err) || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%s: %v, want %q", c.name, err, c.wants)
		}
	}
	link := writeFolder(t, "Gearbox", map[string]string{"Gearbox.asm": ""})
	if err := os.Symlink("/etc/passwd", filepath.Join(link, "shaft.prt")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := CheckFolder(link, nil); err == nil || !strings.Contains(err.Error(), "link") {
		t.Errorf("symlink: %v", err)
	}
}

func zipOf(t *testing.T, dir string, compress bool) []byte {
	t.Helper()
	_, files, err := CheckFolder(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteZip(&b, dir, files, compress); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestZipRoundTrip(t *testing.T) {
	t.Parallel()
	dir := writeFolder(t, "Gearbox", map[string]string{"Gearbox.asm": "part shaft.prt\n", "shaft.prt": strings.Repeat("s", 5000), "sub/g.prt": "g"})
	for _, compress := range []bool{false, true} {
		z := zipOf(t, dir, compress)
		if again := zipOf(t, dir, compress); !bytes.Equal(z, again) {
			t.Fatal("WriteZip is not deterministic")
		}
		entries, err := CheckZip(bytes.NewReader(z), int64(len(z)), "Gearbox", DefaultLimits(), true)
		if err != nil || len(entries) != 3 {
			t.Fatalf("CheckZip = %d, %v", len(entries), err)
		}
		dest := t.TempDir()
		folder, err := Extract(bytes.NewReader(z), int64(len(z)), "Gearbox", dest, DefaultLimits())
		if err != nil || folder != filepath.Join(dest, "Gearbox") {
			t.Fatalf("Extract = %q, %v", folder, err)
		}
		if b, err := os.ReadFile(filepath.Join(folder, "sub", "g.prt")); err != nil || string(b) != "g" {
			t.Fatalf("extracted g.prt = %q, %v", b, err)
		}
		left, _ := os.ReadDir(dest)
		if len(left) != 1 {
			t.Fatalf("Extract left %d entries in dest, want only the folder", len(left))
		}
	}
}

// rawZip writes entries (name → content) without any of the assembly rules.
func rawZip(t *testing.T, method uint16, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// centralRecords returns the offsets of the central directory's file headers.
func centralRecords(z []byte) []int {
	var out []int
	for i := 0; i+4 <= len(z); i++ {
		if binary.LittleEndian.Uint32(z[i:]) == 0x02014b50 {
			out = append(out, i)
		}
	}
	return out
}

func TestCheckZipRefuses(t *testing.T) {
	t.Parallel()
	main := [2]string{"Gearbox/Gearbox.asm", "asm"}
	overlap := rawZip(t, zip.Store, main, [2]string{"Gearbox/b.prt", "bbbb"})
	cd := centralRecords(overlap)
	copy(overlap[cd[1]+42:cd[1]+46], overlap[cd[0]+42:cd[0]+46]) // the second entry points at the first's data
	lying := rawZip(t, zip.Deflate, main, [2]string{"Gearbox/big.prt", strings.Repeat("0", 100_000)})
	cd = centralRecords(lying)
	binary.LittleEndian.PutUint32(lying[cd[1]+24:], 10) // declares 10 bytes, inflates to 100,000
	cases := []struct {
		name  string
		zip   []byte
		lim   Limits
		wants string
	}{
		{"traversal", rawZip(t, zip.Store, main, [2]string{"Gearbox/../../etc/passwd", "x"}), DefaultLimits(), "not allowed"},
		{"outside folder", rawZip(t, zip.Store, main, [2]string{"Other/x.prt", "x"}), DefaultLimits(), "outside the folder"},
		{"absolute", rawZip(t, zip.Store, main, [2]string{"/Gearbox/x.prt", "x"}), DefaultLimits(), "outside the folder"},
		{"backslash", rawZip(t, zip.Store, main, [2]string{`Gearbox/..\..\x.prt`, "x"}), DefaultLimits(), "not allowed"},
		{"bomb", rawZip(t, zip.Deflate, main, [2]string{"Gearbox/zeros.prt", strings.Repeat("0", 2<<20)}), Limits{MaxEntries: 10, MaxUnpacked: 1 << 20}, "unpacks to more than"},
		{"too many entries", rawZip(t, zip.Store, main, [2]string{"Gearbox/a", ""}, [2]string{"Gearbox/b", ""}), Limits{MaxEntries: 2, MaxUnpacked: 1 << 20}, "entries, more than"},
		{"no main file", rawZip(t, zip.Store, [2]string{"Gearbox/x.prt", ""}), DefaultLimits(), "exactly one assembly file"},
		{"case collision", rawZip(t, zip.Store, main, [2]string{"Gearbox/A.prt", ""}, [2]string{"Gearbox/a.prt", ""}), DefaultLimits(), "appears twice"},
		{"overlapping entries", overlap, DefaultLimits(), "share compressed data"},
		{"lying size", lying, DefaultLimits(), "damaged"},
		{"not a zip", []byte("PK nonsense"), DefaultLimits(), "not a readable zip"},
	}
	for _, c := range cases {
		_, err := CheckZip(bytes.NewReader(c.zip), int64(len(c.zip)), "Gearbox", c.lim, true)
		if err == nil || !IsRule(err) || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%s: %v, want %q", c.name, err, c.wants)
		}
		if _, err := Extract(bytes.NewReader(c.zip), int64(len(c.zip)), "Gearbox", t.TempDir(), c.lim); err == nil {
			t.Errorf("%s: Extract accepted it", c.name)
		}
	}
}

func FuzzCheckZip(f *testing.F) {
	f.Add(rawZip(&testing.T{}, zip.Store, [2]string{"Gearbox/Gearbox.asm", "asm"}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, z []byte) {
		entries, err := CheckZip(bytes.NewReader(z), int64(len(z)), "Gearbox", Limits{MaxEntries: 100, MaxUnpacked: 1 << 20}, true)
		if err != nil {
			return
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name, "Gearbox/") || strings.Contains(e.Name, "..") {
				t.Fatalf("accepted entry %q", e.Name)
			}
		}
	})
}
