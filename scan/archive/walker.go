// Package archive walks untrusted archives and file trees: tar (plain,
// gzip, bzip2), zip, and archives nested inside them, handing every regular
// file to a visitor once. It never writes outside the directories it is
// given (Stage writes through os.Root) and stops expanding at the limits
// (depth, bytes, compression ratio, entries), so that decompression bombs
// and path tricks cost bounded time, memory and disk.
package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
)

// Limits bound one walk. Zero fields take the defaults of DefaultLimits.
type Limits struct {
	// MaxDepth is how many archives deep the walk descends (the input is 0).
	MaxDepth int
	// MaxBytes caps the bytes of member content expanded over the whole walk.
	MaxBytes int64
	// MaxRatio caps expanded/compressed bytes of one compressed stream, once
	// it has expanded past RatioGrace.
	MaxRatio int64
	// RatioGrace is the expansion allowed before MaxRatio applies: small
	// files of zeros compress very well and are not bombs.
	RatioGrace int64
	// MaxEntries caps the number of members over the whole walk.
	MaxEntries int64
	// MaxInMemory is the largest member held in memory; bigger members that
	// must be re-read (nested archives, staged files) spool to TempDir.
	MaxInMemory int64
	// TempDir holds spooled members ("" means os.TempDir()).
	TempDir string
}

// DefaultLimits are generous for real images and small enough to stop a
// bomb on a 2-core, 24 GiB machine within seconds.
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:    4,
		MaxBytes:    512 << 30,
		MaxRatio:    1000,
		RatioGrace:  256 << 20,
		MaxEntries:  10_000_000,
		MaxInMemory: 32 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth == 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxBytes == 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxRatio == 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.RatioGrace == 0 {
		l.RatioGrace = d.RatioGrace
	}
	if l.MaxEntries == 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxInMemory == 0 {
		l.MaxInMemory = d.MaxInMemory
	}
	return l
}

// ErrLimit is wrapped by errors that stop a walk at a limit: the input is a
// decompression bomb or too large to review.
var ErrLimit = errors.New("archive limit exceeded")

// File is one regular file handed to the visitor.
type File struct {
	// Path is slash-separated and relative; members of a nested archive are
	// "outer/app.zip!/inner/file".
	Path string
	// Size is the content length.
	Size int64
	// Mode is the file mode from the archive or filesystem.
	Mode fs.FileMode
	// Depth is 0 for files of the input itself, 1 inside a nested archive.
	Depth int
	// Origin names the container layer the file came from, if any.
	Origin string
	// R reads the content; it is valid only during the visit.
	R io.ReaderAt
	// Data is the whole content when it is held in memory (nil when it is
	// read from disk); valid only during the visit, like R.
	Data []byte
}

// Visitor is called once per regular file. Returning an error stops the walk.
type Visitor func(ctx context.Context, f *File) error

// Counters is progress shared with a reporter goroutine.
type Counters struct {
	// Files and Bytes count visited files and their content.
	Files, Bytes atomic.Int64
	// Archives counts nested archives opened.
	Archives atomic.Int64
	// Input counts bytes consumed from the input (or, for disk images, of
	// the extracted files); Total is what it will reach, for the ETA.
	Input, Total atomic.Int64
}

// Walker walks inputs with one set of limits and one visitor.
type Walker struct {
	limits Limits
	visit  Visitor
	count  *Counters
	warn   func(string)
	// entries and bytes are shared by the tar reader goroutine and the
	// visitor's nested walks.
	entries atomic.Int64
	bytes   atomic.Int64
	bufs    [][]byte // one reusable buffer per nesting depth
}

// NewWalker returns a walker. warn receives non-fatal problems (a member
// that cannot be read, a path that tried to escape); it may be nil.
func NewWalker(l Limits, visit Visitor, count *Counters, warn func(string)) *Walker {
	if count == nil {
		count = &Counters{}
	}
	if warn == nil {
		warn = func(string) {}
	}
	return &Walker{limits: l.withDefaults(), visit: visit, count: count, warn: warn}
}

// CountInput wraps r so that the bytes read from it count as input
// consumed, for the progress ETA.
func (w *Walker) CountInput(r io.Reader) io.Reader { return &inputCounter{r: r, c: w.count} }

type inputCounter struct {
	r io.Reader
	c *Counters
}

func (i *inputCounter) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	i.c.Input.Add(int64(n))
	return n, err
}

// Limits returns the effective limits.
func (w *Walker) Limits() Limits { return w.limits }

func (w *Walker) addEntry() error {
	if w.entries.Add(1) > w.limits.MaxEntries {
		return fmt.Errorf("%w: more than %d archive members", ErrLimit, w.limits.MaxEntries)
	}
	return nil
}

// member is a file's content: in memory or spooled.
type member struct {
	data  []byte
	spool *os.File
}

func (m *member) readerAt() io.ReaderAt {
	if m.spool != nil {
		return m.spool
	}
	return bytes.NewReader(m.data)
}

func (m *member) close() {
	if m.spool != nil {
		m.spool.Close()
		os.Remove(m.spool.Name())
	}
}

// load reads a member of the given size from r, counting it against the
// byte limit. Its memory is reused by the next load at the same depth. Members beyond MaxInMemory spool to a temporary file.
func (w *Walker) load(r io.Reader, size int64, depth int) (*member, error) {
	return w.loadInto(r, size, w.bufSlot(depth))
}

// loadInto is load with a buffer of the caller's.
func (w *Walker) loadInto(r io.Reader, size int64, buf *[]byte) (*member, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative size %d", size)
	}
	if w.bytes.Add(size) > w.limits.MaxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes expanded", ErrLimit, w.limits.MaxBytes)
	}
	if size <= w.limits.MaxInMemory {
		if int64(cap(*buf)) < size {
			*buf = make([]byte, size, max(size, 1<<20))
		}
		b := (*buf)[:size]
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		return &member{data: b}, nil
	}
	f, err := os.CreateTemp(w.limits.TempDir, "mercato-scan-spool-")
	if err != nil {
		return nil, err
	}
	m := &member{spool: f}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if err == nil && n != size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

// visitMember visits one file and descends into it when it is an archive.
// The member's buffer may be reused once this returns.
func (w *Walker) visitMember(ctx context.Context, f *File) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.count.Files.Add(1)
	w.count.Bytes.Add(f.Size)
	if err := w.visit(ctx, f); err != nil {
		return fmt.Errorf("%w: %w", errStop, err)
	}
	if f.Depth >= w.limits.MaxDepth {
		return nil
	}
	var head [512]byte
	n, _ := f.R.ReadAt(head[:], 0)
	kind := Sniff(head[:n])
	if kind == "" {
		return nil
	}
	w.count.Archives.Add(1)
	err := w.walkNested(ctx, kind, f)
	if err != nil && !errors.Is(err, ErrLimit) && ctx.Err() == nil && !errors.Is(err, errStop) {
		// A corrupt nested archive is still scanned whole by the visitor;
		// say so and go on.
		w.warn(fmt.Sprintf("%s: cannot open nested %s: %v", f.Path, kind, err))
		return nil
	}
	return err
}

// errStop marks errors returned by the visitor, which must end the walk.
var errStop = errors.New("walk stopped")

func isLimit(err error) bool { return errors.Is(err, ErrLimit) }

// IsStop reports whether err came from the visitor rather than the input.
func IsStop(err error) bool { return errors.Is(err, errStop) }
