package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

type entry struct {
	name, body, link string
	typ              byte
}

func mkTar(t testing.TB, ents ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range ents {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link, Format: tar.FormatPAX}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	return b.Bytes()
}

func mkZip(t testing.TB, files map[string][]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write(files[n])
	}
	zw.Close()
	return b.Bytes()
}

func gz(b []byte) []byte {
	var o bytes.Buffer
	zw := gzip.NewWriter(&o)
	zw.Write(b)
	zw.Close()
	return o.Bytes()
}

type seen map[string]string

func collect(s seen) Visitor {
	return func(_ context.Context, f *File) error {
		b, err := io.ReadAll(io.NewSectionReader(f.R, 0, f.Size))
		if err != nil {
			return err
		}
		s[f.Path] = string(b)
		return nil
	}
}

func TestNested(t *testing.T) {
	t.Parallel()
	inner := gz(mkTar(t, entry{name: "deep/secret.txt", body: "deep"}))
	z := mkZip(t, map[string][]byte{"lib/a.txt": []byte("a"), "lib/inner.tar.gz": inner, "notes.gz": gz([]byte("plain gz"))})
	outer := mkTar(t, entry{name: "./opt/app.zip", body: string(z)}, entry{name: "etc/hostname", body: "h"})
	s := seen{}
	w := NewWalker(Limits{}, collect(s), nil, nil)
	if err := w.WalkTar(context.Background(), bytes.NewReader(outer), "", 0, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"etc/hostname":           "h",
		"opt/app.zip!/lib/a.txt": "a",
		"opt/app.zip!/lib/inner.tar.gz!/deep/secret.txt": "deep",
		"opt/app.zip!/notes.gz!/notes":                   "plain gz",
	}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("%s = %q, want %q (seen %v)", k, s[k], v, keys(s))
		}
	}
	if _, ok := s["opt/app.zip"]; !ok {
		t.Error("the archive itself was not visited")
	}
}

func keys(s seen) []string {
	var k []string
	for n := range s {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

func TestNestedDepthLimit(t *testing.T) {
	t.Parallel()
	data := mkZip(t, map[string][]byte{"x.txt": []byte("x")})
	for range 6 {
		data = mkZip(t, map[string][]byte{"n.zip": data})
	}
	s := seen{}
	w := NewWalker(Limits{MaxDepth: 3}, collect(s), nil, nil)
	if err := w.WalkZip(context.Background(), bytes.NewReader(data), int64(len(data)), "", 0, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := s["n.zip!/n.zip!/n.zip"]; !ok {
		t.Errorf("depth 3 not visited: %v", keys(s))
	}
	for k := range s {
		if strings.Count(k, "!/") > 3 {
			t.Errorf("visited beyond the depth limit: %s", k)
		}
	}
}

// TestPathEscape feeds the classic traversal tricks to a stage and checks
// that nothing is written outside it and links resolve inside the image.
func TestPathEscape(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	os.Mkdir(outside, 0o755)
	stageParent := filepath.Join(base, "stages")
	os.Mkdir(stageParent, 0o755)
	data := mkTar(t,
		entry{name: "../../outside/dotdot", body: "x"},
		entry{name: "/abs/etc/passwd", body: "root:x:0:0::/root:/bin/sh\n"},
		entry{name: "esc", typ: tar.TypeSymlink, link: "../../../../outside"},
		entry{name: "esc/through-link", body: "y"},
		entry{name: "etc/shadow", typ: tar.TypeSymlink, link: "/../../../../etc/shadow"},
		entry{name: "usr/lib/os-release", body: "ID=debian\n"},
		entry{name: "etc/os-release", typ: tar.TypeSymlink, link: "../usr/lib/os-release"},
		entry{name: "etc/hard", typ: tar.TypeLink, link: "../../../etc/hostname"},
	)
	st, err := NewStage(stageParent, func(string, fs.FileInfo, []byte) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var warns []string
	w := NewWalker(Limits{}, collect(seen{}), nil, func(s string) { warns = append(warns, s) })
	if err := w.WalkTar(context.Background(), bytes.NewReader(data), "", 0, st); err != nil {
		t.Fatal(err)
	}
	warns = append(warns, st.Finish()...)
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("files written outside the stage: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(base, "etc")); err == nil {
		t.Fatal("wrote above the stage")
	}
	read := func(p string) string {
		b, _ := fs.ReadFile(st.FS(), p)
		return string(b)
	}
	if read("outside/dotdot") != "x" || read("abs/etc/passwd") == "" {
		t.Errorf("cleaned members not staged where expected")
	}
	if read("etc/os-release") != "ID=debian\n" {
		t.Errorf("relative link not resolved inside the image: %q", read("etc/os-release"))
	}
	if got := read("etc/shadow"); got != "" {
		t.Errorf("absolute link escaped to the host: %q", got)
	}
	if len(warns) == 0 {
		t.Error("unsafe names were not reported")
	}
	err = filepath.WalkDir(st.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			t.Errorf("symlink created on disk: %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWhiteouts(t *testing.T) {
	t.Parallel()
	st, err := NewStage(t.TempDir(), func(string, fs.FileInfo, []byte) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w := NewWalker(Limits{}, collect(seen{}), nil, nil)
	l1 := mkTar(t, entry{name: "etc/a", body: "a"}, entry{name: "etc/b", body: "b"}, entry{name: "opt/x/1", body: "1"})
	l2 := mkTar(t, entry{name: "etc/.wh.a", body: ""}, entry{name: "opt/x/.wh..wh..opq", body: ""}, entry{name: "opt/x/2", body: "2"})
	for i, l := range [][]byte{l1, l2} {
		st.Layer(string(rune('1' + i)))
		if err := w.WalkTar(context.Background(), bytes.NewReader(l), "", 0, st); err != nil {
			t.Fatal(err)
		}
	}
	for p, want := range map[string]bool{"etc/a": false, "etc/b": true, "opt/x/1": false, "opt/x/2": true} {
		_, err := fs.Stat(st.FS(), p)
		if (err == nil) != want || st.Has(p) != want {
			t.Errorf("%s: present=%v, want %v", p, err == nil, want)
		}
	}
}

func TestGzipBomb(t *testing.T) {
	t.Parallel()
	// 256 MiB of zeros in a tar, gzipped to about 250 KiB.
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	tw.WriteHeader(&tar.Header{Name: "zeros", Mode: 0o644, Size: 256 << 20})
	zero := make([]byte, 1<<20)
	for range 256 {
		tw.Write(zero)
	}
	tw.Close()
	zw.Close()
	bomb := mkTar(t, entry{name: "pkg/data.tar.gz", body: b.String()})
	w := NewWalker(Limits{MaxRatio: 100, RatioGrace: 8 << 20}, collect(seen{}), nil, nil)
	err := w.WalkTar(context.Background(), bytes.NewReader(bomb), "", 0, nil)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("gzip bomb: err = %v, want ErrLimit", err)
	}
	// The same with only a total byte budget.
	w = NewWalker(Limits{MaxBytes: 64 << 20}, collect(seen{}), nil, nil)
	if err := w.WalkTar(context.Background(), bytes.NewReader(bomb), "", 0, nil); !errors.Is(err, ErrLimit) {
		t.Fatalf("byte budget: err = %v, want ErrLimit", err)
	}
}

func TestZipBomb(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, _ := zw.Create("zeros")
	zero := make([]byte, 1<<20)
	for range 128 {
		f.Write(zero)
	}
	zw.Close()
	w := NewWalker(Limits{MaxRatio: 100, RatioGrace: 8 << 20}, collect(seen{}), nil, nil)
	err := w.WalkZip(context.Background(), bytes.NewReader(b.Bytes()), int64(b.Len()), "", 0, nil)
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("zip bomb: err = %v, want ErrLimit", err)
	}
}

func TestVisitorErrorStops(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	inner := mkZip(t, map[string][]byte{"a": []byte("a")})
	data := mkTar(t, entry{name: "x.zip", body: string(inner)}, entry{name: "after", body: "b"})
	n := 0
	w := NewWalker(Limits{}, func(_ context.Context, f *File) error {
		n++
		if f.Path == "x.zip!/a" {
			return boom
		}
		return nil
	}, nil, nil)
	err := w.WalkTar(context.Background(), bytes.NewReader(data), "", 0, nil)
	if !errors.Is(err, boom) || !IsStop(err) || n != 2 {
		t.Fatalf("err %v after %d visits", err, n)
	}
}

func FuzzWalk(f *testing.F) {
	f.Add(mkTar(f, entry{name: "a", body: "b"}, entry{name: "l", typ: tar.TypeSymlink, link: "/a"}))
	f.Add(mkZip(f, map[string][]byte{"a/b": []byte("c")}))
	f.Add(gz(mkTar(f, entry{name: "../x", body: "y"})))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang would otherwise stall the fuzzer silently: fail loudly.
		wd := time.AfterFunc(10*time.Second, func() {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			panic(fmt.Sprintf("HANG on %q\n%s", data, buf[:n]))
		})
		defer wd.Stop()
		lim := Limits{MaxBytes: 8 << 20, MaxInMemory: 1 << 20, MaxEntries: 1000, MaxRatio: 50, RatioGrace: 1 << 20}
		st, err := NewStage(t.TempDir(), func(string, fs.FileInfo, []byte) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		w := NewWalker(lim, func(_ context.Context, f *File) error {
			if strings.HasPrefix(f.Path, "/") || strings.Contains("/"+f.Path+"/", "/../") {
				t.Fatalf("unclean path %q", f.Path)
			}
			return nil
		}, nil, nil)
		ctx := context.Background()
		_ = w.WalkTar(ctx, bytes.NewReader(data), "", 0, st)
		_ = w.WalkZip(ctx, bytes.NewReader(data), int64(len(data)), "", 0, nil)
		_ = w.walkStream(ctx, bytes.NewReader(data), "in", 0)
		st.Finish()
	})
}
