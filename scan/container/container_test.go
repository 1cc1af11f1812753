package container

import (
	"bytes"
	"context"
	"io/fs"
	"testing"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/internal/testimage"
)

func TestOpenAndWalk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	testimage.Write(t, dir, "bin/sh", string(testimage.ELF(testimage.MachineARM64)))
	for _, tt := range []struct {
		format string
		data   []byte
	}{
		{FormatDocker, testimage.DockerSave(t, dir)},
		{FormatOCI, testimage.OCI(t, dir)},
	} {
		t.Run(tt.format, func(t *testing.T) {
			r := bytes.NewReader(tt.data)
			img, err := Open(r, int64(len(tt.data)))
			if err != nil || img == nil {
				t.Fatalf("Open: %v %v", img, err)
			}
			if img.Format != tt.format || img.Arch != "arm64" || img.OS != "linux" || len(img.Layers) != 2 {
				t.Fatalf("got %+v", img)
			}
			st, err := archive.NewStage(t.TempDir(), func(string, fs.FileInfo, []byte) bool { return true })
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			seen := map[string]string{}
			w := archive.NewWalker(archive.Limits{}, func(_ context.Context, f *archive.File) error {
				seen[f.Path] = f.Origin
				return nil
			}, nil, nil)
			if err := img.Walk(context.Background(), w, st); err != nil {
				t.Fatal(err)
			}
			// README is deleted by layer 2's whiteout: visited, but not staged.
			if _, ok := seen["opt/app/README"]; !ok {
				t.Error("a file of a lower layer was not visited")
			}
			if st.Has("opt/app/README") || !st.Has("opt/app/VERSION") || !st.Has("etc/shadow") {
				t.Error("layers not merged")
			}
			if seen["opt/app/VERSION"] == "" {
				t.Error("no layer origin")
			}
		})
	}
}

func TestNotAnImage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testimage.Rootfs(t, dir)
	data := testimage.Tar(t, dir, "")
	img, err := Open(bytes.NewReader(data), int64(len(data)))
	if img != nil || err != nil {
		t.Fatalf("rootfs tar recognised as an image: %+v %v", img, err)
	}
}

func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	testimage.Rootfs(f, dir)
	f.Add(testimage.DockerSave(f, dir))
	f.Add(testimage.OCI(f, dir))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Open(bytes.NewReader(data), int64(len(data)))
		if err != nil || img == nil {
			return
		}
		w := archive.NewWalker(archive.Limits{MaxBytes: 4 << 20, MaxEntries: 1000}, func(context.Context, *archive.File) error { return nil }, nil, nil)
		st, err := archive.NewStage(t.TempDir(), func(string, fs.FileInfo, []byte) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		_ = img.Walk(context.Background(), w, st)
	})
}
