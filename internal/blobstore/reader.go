package blobstore

import (
	"context"
	"errors"
	"io"

	"gocloud.dev/blob"

	"github.com/mercato-oss/mercato/internal/market"
)

// Reader reads a list of parts as one stream. It is an io.ReadSeeker (downloads with ranges) and
// an io.ReaderAt (a zip's directory); it keeps one part open and reopens only when a read does
// not continue where the last one ended. It is not for concurrent use.
type Reader struct {
	ctx    context.Context
	bucket *blob.Bucket
	parts  []market.Part
	size   int64
	pos    int64
	cur    *blob.Reader
	curAt  int64 // where cur's next byte lies in the stream
}

// NewReader returns a reader of parts, in order, from b.
func NewReader(ctx context.Context, b *blob.Bucket, parts []market.Part) *Reader {
	return &Reader{ctx: ctx, bucket: b, parts: parts, size: Size(parts)}
}

// Size is the content's length.
func (c *Reader) Size() int64 { return c.size }

func (c *Reader) Read(p []byte) (int, error) {
	for {
		if c.pos >= c.size {
			return 0, io.EOF
		}
		if c.cur == nil || c.curAt != c.pos {
			if err := c.open(); err != nil {
				return 0, err
			}
		}
		n, err := c.cur.Read(p)
		c.pos += int64(n)
		c.curAt += int64(n)
		if errors.Is(err, io.EOF) {
			c.cur.Close()
			c.cur = nil
			err = nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// open opens the part holding c.pos, from that position to the part's end.
func (c *Reader) open() error {
	if c.cur != nil {
		c.cur.Close()
		c.cur = nil
	}
	start := int64(0)
	for _, p := range c.parts {
		if c.pos < start+p.Size {
			r, err := c.bucket.NewRangeReader(c.ctx, p.Key, c.pos-start, p.Size-(c.pos-start), nil)
			if err != nil {
				return err
			}
			c.cur, c.curAt = r, c.pos
			return nil
		}
		start += p.Size
	}
	return io.ErrUnexpectedEOF
}

// Seek sets where the next Read starts.
func (c *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += c.pos
	case io.SeekEnd:
		offset += c.size
	}
	if offset < 0 {
		return 0, errors.New("blobstore: seek before the start")
	}
	c.pos = offset
	return offset, nil
}

// ReadAt reads len(p) bytes at off.
func (c *Reader) ReadAt(p []byte, off int64) (int, error) {
	if _, err := c.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(c, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}

// Close releases the open part.
func (c *Reader) Close() error {
	if c.cur != nil {
		c.cur.Close()
		c.cur = nil
	}
	return nil
}
