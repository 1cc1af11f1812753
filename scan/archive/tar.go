package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// CleanPath turns an archive member name into a relative slash path that
// cannot leave its root: "../../etc/x", "/etc/x" and "./etc//x" all become
// "etc/x". It returns "" for the root itself.
func CleanPath(name string) string {
	p := path.Clean("/" + strings.ReplaceAll(name, "\\", "/"))
	return strings.TrimPrefix(p, "/")
}

// WalkTar visits every regular file of a tar stream. prefix is prepended to
// member paths (it ends in "!/" for nested archives). stage, if not nil,
// receives the top-level tree (links, whiteouts and wanted files).
func (w *Walker) WalkTar(ctx context.Context, r io.Reader, prefix string, depth int, stage *Stage) error {
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", strings.TrimSuffix(prefix, "!/"), err)
		}
		if err := w.addEntry(); err != nil {
			return err
		}
		clean := CleanPath(hdr.Name)
		if clean != strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/") && clean != "" {
			w.warn(fmt.Sprintf("%s%s: unsafe member name, read as %q", prefix, hdr.Name, clean))
		}
		if clean == "" {
			continue
		}
		if stage != nil {
			if done, err := stage.special(clean, hdr); done || err != nil {
				if err != nil {
					w.warn(fmt.Sprintf("%s%s: %v", prefix, hdr.Name, err))
				}
				continue
			}
		}
		if hdr.Typeflag != tar.TypeReg {
			continue // devices, fifos, dirs and links carry no content of their own
		}
		m, err := w.load(tr, hdr.Size, depth)
		if err != nil {
			if errors.Is(err, ErrLimit) {
				return err
			}
			return fmt.Errorf("%s%s: %w", prefix, clean, err)
		}
		f := &File{Path: prefix + clean, Size: hdr.Size, Mode: hdr.FileInfo().Mode(), Depth: depth, R: m.readerAt(), Data: m.data}
		if stage != nil {
			stage.origin(f)
		}
		err = w.visitMember(ctx, f)
		if err == nil && stage != nil {
			if serr := stage.file(clean, hdr.FileInfo(), f.R, f.Size, f.Data); serr != nil {
				w.warn(fmt.Sprintf("%s%s: not staged: %v", prefix, clean, serr))
			}
		}
		m.close()
		if err != nil {
			return err
		}
	}
}
