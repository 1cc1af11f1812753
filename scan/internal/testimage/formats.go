package testimage

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mercato-oss/mercato/scan/internal/tooltest"
)

// Tar packs the tree at dir, sorted, with an optional path prefix ("./").
func Tar(t testing.TB, dir, prefix string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			link, _ = os.Readlink(p)
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		h.Name = prefix + filepath.ToSlash(rel)
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
	return b.Bytes()
}

// Gzip compresses b.
func Gzip(b []byte) []byte {
	var o bytes.Buffer
	zw := gzip.NewWriter(&o)
	zw.Write(b)
	zw.Close()
	return o.Bytes()
}

// TarGz packs files (name → content) as a .tar.gz.
func TarGz(t testing.TB, files map[string]string) []byte {
	t.Helper()
	dir := t.TempDir()
	for n, d := range files {
		Write(t, dir, n, d)
	}
	return Gzip(Tar(t, dir, ""))
}

// Zip packs files (name → content), sorted.
func Zip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	zw.Close()
	return b.Bytes()
}

// ZipDir packs the tree at dir.
func ZipDir(t testing.TB, dir string) []byte {
	t.Helper()
	files := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			data, _ := os.ReadFile(p)
			files[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return Zip(t, files)
}

// arch reads bin/sh's ELF machine to name the image's architecture.
func arch(dir string) string {
	h, err := os.ReadFile(filepath.Join(dir, "bin/sh"))
	if err == nil && len(h) > 20 && binary.LittleEndian.Uint16(h[18:]) == MachineARM64 {
		return "arm64"
	}
	return "amd64"
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type tarFile struct {
	name string
	data []byte
}

func tarOf(t testing.TB, files []tarFile) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(f.data)
	}
	tw.Close()
	return b.Bytes()
}

// extraLayer deletes opt/app/README through a whiteout and adds a file, so
// that every container test also exercises layer merging.
func extraLayer(t testing.TB) []byte {
	return tarOf(t, []tarFile{{"opt/app/.wh.README", nil}, {"opt/app/VERSION", []byte("2\n")}})
}

// DockerSave packs dir as `docker save` does (legacy layout: manifest.json,
// <id>/layer.tar, <config>.json).
func DockerSave(t testing.TB, dir string) []byte {
	t.Helper()
	layers := [][]byte{Tar(t, dir, ""), extraLayer(t)}
	var diffIDs, paths []string
	var files []tarFile
	for _, l := range layers {
		id := digest(l)
		diffIDs = append(diffIDs, "sha256:"+id)
		paths = append(paths, id+"/layer.tar")
		files = append(files, tarFile{id + "/layer.tar", l})
	}
	cfg, _ := json.Marshal(map[string]any{"architecture": arch(dir), "os": "linux", "rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs}})
	cfgName := digest(cfg) + ".json"
	man, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": []string{"mercato/test:1"}, "Layers": paths}})
	files = append(files, tarFile{cfgName, cfg}, tarFile{"manifest.json", man})
	return tarOf(t, files)
}

// OCI packs dir as an OCI image layout tar with gzip layers.
func OCI(t testing.TB, dir string) []byte {
	t.Helper()
	var files []tarFile
	blob := func(b []byte) string {
		d := digest(b)
		files = append(files, tarFile{"blobs/sha256/" + d, b})
		return "sha256:" + d
	}
	var layerDescs []map[string]any
	var diffIDs []string
	for _, l := range [][]byte{Tar(t, dir, ""), extraLayer(t)} {
		gz := Gzip(l)
		diffIDs = append(diffIDs, "sha256:"+digest(l))
		layerDescs = append(layerDescs, map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(gz), "size": len(gz)})
	}
	cfg, _ := json.Marshal(map[string]any{"architecture": arch(dir), "os": "linux", "rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs}})
	man, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(cfg), "size": len(cfg)},
		"layers": layerDescs})
	mdig := blob(man)
	idx, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []map[string]any{{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": mdig, "size": len(man)}}})
	files = append(files, tarFile{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)}, tarFile{"index.json", idx})
	return tarOf(t, files)
}

// Disk writes a raw disk image at out: an MBR partition table and one ext4
// partition holding the tree at dir, made without root (mkfs.ext4 -d).
func Disk(t testing.TB, dir, out string) {
	t.Helper()
	tools := tooltest.Need(t, "mkfs.ext4", "sfdisk")
	fsImg := out + ".fs"
	const fsMiB = 24
	run(t, tools[0], "-q", "-F", "-t", "ext4", "-b", "4096", "-d", dir, fsImg, fmt.Sprintf("%dM", fsMiB))
	defer os.Remove(fsImg)
	fsData, err := os.ReadFile(fsImg)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(int64(fsMiB+2) << 20); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(fsData, 1<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cmd := exec.Command(tools[1], "--quiet", out)
	cmd.Stdin = bytes.NewReader(fmt.Appendf(nil, "label: dos\nstart=2048, size=%d, type=83\n", fsMiB<<11))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, b)
	}
}

// Convert turns a raw disk into qcow2 or vmdk with qemu-img.
func Convert(t testing.TB, raw, format, out string) {
	t.Helper()
	qemu := tooltest.Need(t, "qemu-img")[0]
	run(t, qemu, "convert", "-f", "raw", "-O", format, raw, out)
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, b)
	}
}
