package archive

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
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
//
// At depth 0 — where the input's bytes flow — reading runs one member ahead
// of the checks, in its own goroutine: a scan then costs about the larger
// of the two, not their sum. Visits stay in archive order.
func (w *Walker) WalkTar(ctx context.Context, r io.Reader, prefix string, depth int, stage *Stage) error {
	tr := tar.NewReader(r)
	if depth > 0 {
		for {
			it := w.readMember(ctx, tr, prefix, w.bufSlot(depth))
			if it.err == io.EOF {
				return nil
			}
			if err := w.handleMember(ctx, it, prefix, depth, stage); err != nil {
				return err
			}
		}
	}
	const ahead = 2
	items := make(chan tarItem, ahead)
	free := make(chan *[]byte, ahead+2)
	for range ahead + 2 {
		free <- new([]byte)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(items)
		for {
			var buf *[]byte
			select {
			case buf = <-free:
			case <-done:
				return
			}
			it := w.readMember(ctx, tr, prefix, buf)
			it.buf = buf
			select {
			case items <- it:
			case <-done:
				it.close()
				return
			}
			if it.err != nil {
				return
			}
		}
	})
	defer func() {
		close(done)
		for it := range items {
			it.close()
		}
		wg.Wait()
	}()
	for it := range items {
		if it.err == io.EOF {
			return nil
		}
		err := w.handleMember(ctx, it, prefix, depth, stage)
		it.close()
		free <- it.buf
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *Walker) bufSlot(depth int) *[]byte {
	for len(w.bufs) <= depth {
		w.bufs = append(w.bufs, nil)
	}
	return &w.bufs[depth]
}

// tarItem is one member read from a tar stream: its header and, for a
// regular file, its content.
type tarItem struct {
	hdr *tar.Header
	m   *member
	err error // io.EOF at the end
	buf *[]byte
}

func (it tarItem) close() {
	if it.m != nil {
		it.m.close()
	}
}

// readMember reads the next header and a regular file's content.
func (w *Walker) readMember(ctx context.Context, tr *tar.Reader, prefix string, buf *[]byte) tarItem {
	if err := ctx.Err(); err != nil {
		return tarItem{err: err}
	}
	hdr, err := tr.Next()
	if err == io.EOF {
		return tarItem{err: io.EOF}
	}
	if err != nil {
		return tarItem{err: fmt.Errorf("%s: %w", strings.TrimSuffix(prefix, "!/"), err)}
	}
	if err := w.addEntry(); err != nil {
		return tarItem{err: err}
	}
	it := tarItem{hdr: hdr}
	if hdr.Typeflag == tar.TypeReg {
		it.m, err = w.loadInto(tr, hdr.Size, buf)
		if err != nil && !errors.Is(err, ErrLimit) {
			err = fmt.Errorf("%s%s: %w", prefix, CleanPath(hdr.Name), err)
		}
		it.err = err
	}
	return it
}

// handleMember stages and visits one member.
func (w *Walker) handleMember(ctx context.Context, it tarItem, prefix string, depth int, stage *Stage) error {
	if it.err != nil {
		return it.err
	}
	hdr := it.hdr
	clean := CleanPath(hdr.Name)
	if clean != strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/") && clean != "" {
		w.warn(fmt.Sprintf("%s%s: unsafe member name, read as %q", prefix, hdr.Name, clean))
	}
	if clean == "" {
		return nil
	}
	if stage != nil {
		if done, err := stage.special(clean, hdr); done || err != nil {
			if err != nil {
				w.warn(fmt.Sprintf("%s%s: %v", prefix, hdr.Name, err))
			}
			return nil
		}
	}
	if it.m == nil {
		return nil // devices, fifos, dirs and links carry no content of their own
	}
	f := &File{Path: prefix + clean, Size: hdr.Size, Mode: hdr.FileInfo().Mode(), Depth: depth, R: it.m.readerAt(), Data: it.m.data}
	if stage != nil {
		stage.origin(f)
	}
	err := w.visitMember(ctx, f)
	if err == nil && stage != nil {
		if serr := stage.file(clean, hdr.FileInfo(), f.R, f.Size, f.Data); serr != nil {
			w.warn(fmt.Sprintf("%s%s: not staged: %v", prefix, clean, serr))
		}
	}
	return err
}
