package archive

import (
	"context"
	"fmt"
	"io"
	"io/fs"
)

// WalkFS visits every regular file of a directory tree (an extracted disk
// image). Links are not followed. Files are read in place, not counted
// against MaxBytes: they already exist on disk.
func (w *Walker) WalkFS(ctx context.Context, fsys fs.FS, prefix string) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			w.warn(fmt.Sprintf("%s%s: %v", prefix, p, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if err := w.addEntry(); err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			w.warn(fmt.Sprintf("%s%s: %v", prefix, p, err))
			return nil
		}
		f, err := fsys.Open(p)
		if err != nil {
			w.warn(fmt.Sprintf("%s%s: %v", prefix, p, err))
			return nil
		}
		defer f.Close()
		// Files that fit are read into memory like archive members, so that
		// visitors can hand their content on (to parallel clamd scans).
		ra, ok := f.(io.ReaderAt)
		var m *member
		if !ok || info.Size() <= w.limits.MaxInMemory {
			m, err = w.load(f, info.Size(), 0)
			w.bytes.Add(-info.Size()) // on disk already: not an expansion
			if err != nil {
				w.warn(fmt.Sprintf("%s%s: %v", prefix, p, err))
				return nil
			}
			defer m.close()
			ra = m.readerAt()
		}
		var data []byte
		if m != nil {
			data = m.data
		}
		w.count.Input.Add(info.Size())
		return w.visitMember(ctx, &File{Path: prefix + p, Size: info.Size(), Mode: info.Mode(), R: ra, Data: data})
	})
}
