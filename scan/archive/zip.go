package archive

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
)

// WalkZip visits every regular file of a zip archive (jar, war, whl, ...).
func (w *Walker) WalkZip(ctx context.Context, ra io.ReaderAt, size int64, prefix string, depth int, stage *Stage) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return err
	}
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.addEntry(); err != nil {
			return err
		}
		if zf.FileInfo().IsDir() || !zf.Mode().IsRegular() {
			continue
		}
		clean := CleanPath(zf.Name)
		if clean == "" {
			continue
		}
		// The declared size is checked against the bytes produced, and the
		// ratio against the compressed size: zip bombs lie about one or both.
		declared := int64(zf.UncompressedSize64)
		if declared < 0 || uint64(declared) != zf.UncompressedSize64 {
			return fmt.Errorf("%w: %s%s declares %d bytes", ErrLimit, prefix, clean, zf.UncompressedSize64)
		}
		if zf.CompressedSize64 > 0 && declared > w.limits.RatioGrace && uint64(declared) > uint64(w.limits.MaxRatio)*zf.CompressedSize64 {
			return fmt.Errorf("%w: %s%s expands more than %d:1", ErrLimit, prefix, clean, w.limits.MaxRatio)
		}
		if depth == 0 {
			w.count.Input.Add(int64(zf.CompressedSize64))
		}
		rc, err := zf.Open()
		if err != nil {
			w.warn(fmt.Sprintf("%s%s: %v", prefix, clean, err))
			continue
		}
		m, err := w.load(io.LimitReader(rc, declared), declared, depth)
		rc.Close()
		if err != nil {
			if isLimit(err) {
				return err
			}
			w.warn(fmt.Sprintf("%s%s: %v", prefix, clean, err))
			continue
		}
		f := &File{Path: prefix + clean, Size: declared, Mode: zf.Mode(), Depth: depth, R: m.readerAt(), Data: m.data}
		err = w.visitMember(ctx, f)
		if err == nil && stage != nil {
			if serr := stage.file(clean, zf.FileInfo(), f.R, f.Size, f.Data); serr != nil {
				w.warn(fmt.Sprintf("%s%s: not staged: %v", prefix, clean, serr))
			}
		}
		m.close()
		if err != nil {
			return err
		}
	}
	return nil
}
