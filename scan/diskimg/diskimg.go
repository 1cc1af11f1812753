// Package diskimg opens VM disk images (qcow2, vmdk, raw) without mounting
// them or needing root: osv-scalibr's embedded-filesystem code converts the
// image to raw, reads its partition table and copies each ext4, FAT32, exFAT
// or NTFS partition's files into a temporary directory.
package diskimg

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/embeddedfs/common"
	"github.com/google/osv-scalibr/extractor/filesystem/embeddedfs/qcow2"
	"github.com/google/osv-scalibr/extractor/filesystem/embeddedfs/vmdk"
	scalibrfs "github.com/google/osv-scalibr/fs"
	"github.com/google/osv-scalibr/inventory"
	"github.com/masahiro331/go-ext4-filesystem/ext4"
)

// Formats.
const (
	FormatQCOW2 = "qcow2"
	FormatVMDK  = "vmdk"
	FormatRaw   = "raw"
)

// Sniff names the disk format from the file's first 4 KiB, or "".
func Sniff(head []byte) string {
	switch {
	case len(head) >= 4 && string(head[:4]) == "QFI\xfb":
		return FormatQCOW2
	case len(head) >= 4 && string(head[:4]) == "KDMV":
		return FormatVMDK
	case len(head) >= 512 && head[510] == 0x55 && head[511] == 0xaa:
		return FormatRaw // MBR or protective MBR of GPT
	case len(head) >= 0x43a && binary.LittleEndian.Uint16(head[0x438:]) == 0xef53:
		return FormatRaw // a bare ext filesystem
	}
	return ""
}

// VirtualSize reads the disk's size as the guest sees it: what the image
// expands to when converted to raw.
func VirtualSize(format string, head []byte, fileSize int64) (int64, error) {
	switch format {
	case FormatQCOW2:
		if len(head) < 32 {
			return 0, errors.New("short qcow2 header")
		}
		return int64(binary.BigEndian.Uint64(head[24:32])), nil
	case FormatVMDK:
		if len(head) < 20 {
			return 0, errors.New("short vmdk header")
		}
		return int64(binary.LittleEndian.Uint64(head[12:20])) * 512, nil
	}
	return fileSize, nil
}

// Partition is one filesystem of the disk, copied out.
type Partition struct {
	// Index is the 1-based partition number (0 for a bare filesystem).
	Index int
	// Dir holds the partition's files.
	Dir string
	// FS reads Dir through os.Root.
	FS   fs.FS
	root *os.Root
}

// Disk is an opened image; Close removes the temporary copies.
type Disk struct {
	// Partitions holds each readable partition.
	Partitions []*Partition
	// Warnings lists partitions that could not be read (swap, LVM, XFS...).
	Warnings []string
	cleanup  []string
	closers  []io.Closer
}

// Open converts and extracts the image at path. tempDir holds the link
// that stands for the input (scalibr deletes what it is given on some error
// paths; the link keeps the operator's file out of reach).
func Open(ctx context.Context, path, format, tempDir string) (*Disk, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(tempDir, "mercato-scan-disk-")
	if err != nil {
		return nil, err
	}
	d := &Disk{cleanup: []string{work}}
	name := "input." + format
	if err := os.Symlink(abs, filepath.Join(work, name)); err != nil {
		d.Close()
		return nil, err
	}
	var efs []*inventory.EmbeddedFS
	switch format {
	case FormatQCOW2, FormatVMDK:
		ex, err := newExtractor(format)
		if err != nil {
			d.Close()
			return nil, err
		}
		inv, err := ex.Extract(ctx, &filesystem.ScanInput{FS: scalibrfs.DirFS(work), Path: name, Root: work})
		if err != nil {
			d.Close()
			return nil, err
		}
		efs = inv.EmbeddedFSs
	case FormatRaw:
		efs, err = d.raw(filepath.Join(work, name))
		if err != nil {
			d.Close()
			return nil, err
		}
	default:
		d.Close()
		return nil, fmt.Errorf("unknown disk format %q", format)
	}
	for i, e := range efs {
		if err := ctx.Err(); err != nil {
			d.Close()
			return nil, err
		}
		fsys, err := e.GetEmbeddedFS(ctx)
		if err != nil {
			d.Warnings = append(d.Warnings, fmt.Sprintf("partition %d: %v", i+1, err))
			continue
		}
		ct, ok := fsys.(common.CloserWithTmpPaths)
		if !ok || len(ct.TempPaths()) == 0 {
			d.Warnings = append(d.Warnings, fmt.Sprintf("partition %d: unexpected filesystem type %T", i+1, fsys))
			continue
		}
		d.closers = append(d.closers, ct)
		d.cleanup = append(d.cleanup, ct.TempPaths()...)
		if err := d.add(i+1, ct.TempPaths()[0]); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

func newExtractor(format string) (filesystem.Extractor, error) {
	if format == FormatQCOW2 {
		return qcow2.New(&cpb.PluginConfig{})
	}
	return vmdk.New(&cpb.PluginConfig{})
}

func (d *Disk) add(index int, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	d.Partitions = append(d.Partitions, &Partition{Index: index, Dir: dir, FS: root.FS(), root: root})
	return nil
}

// raw handles a raw disk: a partition table, or a bare ext filesystem.
func (d *Disk) raw(link string) ([]*inventory.EmbeddedFS, error) {
	f, err := os.Open(link)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if common.DetectFilesystem(f, 0) == "ext4" {
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		efs, err := ext4.NewFS(*io.NewSectionReader(f, 0, st.Size()), nil)
		if err != nil {
			return nil, err
		}
		dir, err := os.MkdirTemp(filepath.Dir(link), "part0-")
		if err != nil {
			return nil, err
		}
		if err := common.ExtractAllRecursiveExt(efs, "/", dir); err != nil {
			return nil, err
		}
		return nil, d.add(0, dir)
	}
	parts, disk, err := common.GetDiskPartitions(link)
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, closerFunc(func() error { return disk.Close() }))
	var (
		out      []*inventory.EmbeddedFS
		refMu    sync.Mutex
		refCount int32
	)
	for i, p := range parts {
		out = append(out, &inventory.EmbeddedFS{
			Path:          fmt.Sprintf("raw:%d", i+1),
			GetEmbeddedFS: common.NewPartitionEmbeddedFSGetter("raw", i+1, p, disk, link, &refMu, &refCount),
		})
	}
	return out, nil
}

type closerFunc func() error

func (c closerFunc) Close() error { return c() }

// Close removes every temporary file and directory. The input itself is
// never among them: only the link to it is.
func (d *Disk) Close() error {
	var errs []error
	for _, p := range d.Partitions {
		errs = append(errs, p.root.Close())
	}
	for _, c := range d.closers {
		errs = append(errs, c.Close())
	}
	for _, p := range d.cleanup {
		if strings.HasSuffix(p, ".raw") || strings.Contains(p, "mercato-scan-disk-") || strings.Contains(filepath.Base(p), "scalibr-") {
			errs = append(errs, os.RemoveAll(p))
		}
	}
	return errors.Join(errs...)
}
