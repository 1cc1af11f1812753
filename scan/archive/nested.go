package archive

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Archive kinds returned by Sniff.
const (
	KindTar   = "tar"
	KindGzip  = "gzip"
	KindBzip2 = "bzip2"
	KindZip   = "zip"
	KindZstd  = "zstd"
)

// Sniff names the archive format of data from its first bytes (512 are
// enough), or returns "" for anything this package does not open.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return KindZip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return KindGzip
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return KindZstd
	case bytes.HasPrefix(head, []byte("BZh")) && len(head) > 3 && head[3] >= '1' && head[3] <= '9':
		return KindBzip2
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return KindTar
	}
	return ""
}

// ratioReader counts compressed bytes in and expanded bytes out of one
// stream and fails once the ratio passes the limit: the bomb is stopped
// before it has expanded much past RatioGrace.
type ratioReader struct {
	r        io.Reader // the decompressor
	in       *countReader
	out      int64
	grace    int64
	maxRatio int64
	name     string
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (r *ratioReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.out += int64(n)
	if r.out > r.grace && r.out > r.maxRatio*max(r.in.n, 1) {
		return n, fmt.Errorf("%w: %s expands more than %d:1 (%d bytes from %d)", ErrLimit, r.name, r.maxRatio, r.out, r.in.n)
	}
	return n, err
}

// Decompress wraps a gzip, bzip2 or zstd stream in a ratio-checked reader; other
// kinds are returned unchanged.
func (w *Walker) Decompress(kind, name string, r io.Reader) (io.Reader, error) {
	cr := &countReader{r: r}
	var dr io.Reader
	switch kind {
	case KindGzip:
		zr, err := gzip.NewReader(cr)
		if err != nil {
			return nil, err
		}
		dr = zr
	case KindBzip2:
		dr = bzip2.NewReader(cr)
	case KindZstd:
		// The window cap keeps a hostile frame header from reserving gigabytes.
		zr, err := zstd.NewReader(cr, zstd.WithDecoderMaxWindow(128<<20), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		dr = zr.IOReadCloser()
	default:
		return r, nil
	}
	return &ratioReader{r: dr, in: cr, grace: w.limits.RatioGrace, maxRatio: w.limits.MaxRatio, name: name}, nil
}

// walkNested opens an archive found inside the input.
func (w *Walker) walkNested(ctx context.Context, kind string, f *File) error {
	prefix := f.Path + "!/"
	sr := io.NewSectionReader(f.R, 0, f.Size)
	switch kind {
	case KindZip:
		return w.WalkZip(ctx, f.R, f.Size, prefix, f.Depth+1, nil)
	case KindTar:
		return w.WalkTar(ctx, sr, prefix, f.Depth+1, nil)
	}
	dr, err := w.Decompress(kind, f.Path, sr)
	if err != nil {
		return err
	}
	// A compressed stream holds a tar or a single file: peek to tell.
	br := newPeekReader(dr)
	head, _ := br.peek(512)
	if Sniff(head) == KindTar {
		return w.WalkTar(ctx, br, prefix, f.Depth+1, nil)
	}
	inner := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(path.Base(f.Path), ".gz"), ".bz2"), ".tgz")
	return w.walkStream(ctx, br, prefix+inner, f.Depth+1)
}

// walkStream visits a decompressed single file of unknown size.
func (w *Walker) walkStream(ctx context.Context, r io.Reader, name string, depth int) error {
	if err := w.addEntry(); err != nil {
		return err
	}
	budget := w.limits.MaxBytes - w.bytes.Load()
	tooBig := fmt.Errorf("%w: more than %d bytes expanded", ErrLimit, w.limits.MaxBytes)
	data, err := io.ReadAll(io.LimitReader(r, min(w.limits.MaxInMemory, budget)+1))
	if err != nil {
		return err
	}
	m := &member{data: data}
	size := int64(len(data))
	if size > w.limits.MaxInMemory {
		// Too big for memory: spool what was read and the rest.
		f, err := os.CreateTemp(w.limits.TempDir, "mercato-scan-spool-")
		if err != nil {
			return err
		}
		m = &member{spool: f}
		n, err := io.Copy(f, io.MultiReader(bytes.NewReader(data), io.LimitReader(r, budget-size+1)))
		size = n
		if err == nil && size > budget {
			err = tooBig
		}
		if err != nil {
			m.close()
			return err
		}
	} else if size > budget {
		return tooBig
	}
	defer m.close()
	w.bytes.Add(size)
	return w.visitMember(ctx, &File{Path: name, Size: size, Mode: 0o644, Depth: depth, R: m.readerAt(), Data: m.data})
}

// peekReader lets the walker look at a stream's head without losing it.
type peekReader struct {
	r    io.Reader
	head []byte
}

func newPeekReader(r io.Reader) *peekReader { return &peekReader{r: r} }

func (p *peekReader) peek(n int) ([]byte, error) {
	if len(p.head) >= n {
		return p.head[:n], nil
	}
	buf := make([]byte, n-len(p.head))
	m, err := io.ReadFull(p.r, buf)
	p.head = append(p.head, buf[:m]...)
	return p.head, err
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(b)
}
