package scanner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/mercato-oss/mercato/scan/archive"
	"github.com/mercato-oss/mercato/scan/container"
	"github.com/mercato-oss/mercato/scan/diskimg"
)

// walk visits the input's files and builds the merged tree.
func (s *scan) walk(ctx context.Context, format string) error {
	switch format {
	case diskimg.FormatQCOW2, diskimg.FormatVMDK, diskimg.FormatRaw:
		s.cfg.Phase("extracting disk image")
		d, err := diskimg.Open(ctx, s.path, format, s.cfg.TempDir)
		if err != nil {
			return err
		}
		s.disk = d
		for _, w := range d.Warnings {
			s.warn(w)
		}
		if len(d.Partitions) == 0 {
			return errors.New("no readable filesystem in the disk image (supported: ext2/3/4, FAT32, exFAT, NTFS partitions)")
		}
		total := int64(0)
		for _, p := range d.Partitions {
			total += treeSize(p.FS)
		}
		s.cfg.Counters.Total.Store(total)
		s.cfg.Phase("scanning files")
		root := s.rootPartition()
		if _, err := fs.Stat(root.FS, "etc/passwd"); err != nil && len(d.Warnings) > 0 {
			// A readable /boot or EFI partition beside an unreadable root
			// (XFS, LVM) must not make a pass.
			s.fail(errors.New("no readable partition holds etc/passwd while some partitions could not be read: the root filesystem was not scanned"))
		}
		for _, p := range d.Partitions {
			prefix := ""
			if len(d.Partitions) > 1 && p != root {
				prefix = fmt.Sprintf("partition%d/", p.Index)
			}
			if err := s.walker.WalkFS(ctx, p.FS, prefix); err != nil {
				return err
			}
		}
		s.tree, s.dir = root.FS, root.Dir
		return nil
	}
	stage, err := archive.NewStage(s.cfg.TempDir, s.wants)
	if err != nil {
		return err
	}
	s.stage = stage
	s.cfg.Counters.Total.Store(s.size)
	s.cfg.Phase("scanning files")
	in := s.walker.CountInput(io.NewSectionReader(s.file, 0, s.size))
	switch format {
	case "zip":
		err = s.walker.WalkZip(ctx, s.file, s.size, "", 0, stage)
	case container.FormatDocker, container.FormatOCI:
		err = s.image.Walk(ctx, s.walker, stage)
	case "tar":
		err = s.walker.WalkTar(ctx, in, "", 0, stage)
	default:
		var r io.Reader
		kind := map[string]string{"tar.gz": archive.KindGzip, "tar.bz2": archive.KindBzip2, "tar.zst": archive.KindZstd}[format]
		r, err = s.walker.Decompress(kind, s.path, in)
		if err == nil {
			err = s.walker.WalkTar(ctx, r, "", 0, stage)
		}
	}
	if err != nil {
		return err
	}
	for _, w := range stage.Finish() {
		s.warn(w)
	}
	s.tree, s.dir = stage.FS(), stage.Dir()
	return nil
}

// rootPartition picks the partition holding the OS (etc/passwd), else the
// first readable one.
func (s *scan) rootPartition() *diskimg.Partition {
	for _, p := range s.disk.Partitions {
		if _, err := fs.Stat(p.FS, "etc/passwd"); err == nil {
			return p
		}
	}
	return s.disk.Partitions[0]
}

func treeSize(fsys fs.FS) int64 {
	var n int64
	_ = fs.WalkDir(fsys, ".", func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// detectKind: disks and OS trees are images; everything else is a package.
func (s *scan) detectKind(format string) string {
	switch format {
	case diskimg.FormatQCOW2, diskimg.FormatVMDK, diskimg.FormatRaw:
		return KindImage
	case container.FormatDocker, container.FormatOCI:
		return KindPackage
	}
	if s.stage != nil && (s.stage.Has("etc/passwd") || s.stage.Has("etc/os-release") || s.stage.Has("usr/lib/os-release")) {
		return KindImage
	}
	return KindPackage
}

// pathRules are the files the tree rules read; they are always staged.
var pathRules = map[string]bool{
	"etc/passwd": true, "etc/shadow": true, "etc/login.defs": true, "etc/os-release": true,
	"usr/lib/os-release": true, "etc/security/pwquality.conf": true,
}

func (s *scan) wants(p string, info fs.FileInfo, data []byte) bool {
	if pathRules[p] || strings.HasPrefix(p, "etc/pam.d/") || strings.HasPrefix(p, "etc/security/pwquality.conf.d/") {
		return true
	}
	return s.inv.Wants(p, info, data)
}
