package cloud

import (
	"context"
	"errors"
	"io"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/blob/s3blob"

	"github.com/mercato-oss/mercato/internal/market"
)

// OpenBucket opens the content store at url through a mux of its own (not gocloud's global
// one): file:///dir?create_dir=1 (a local directory; temporary files are written beside their
// final names and no metadata sidecars are kept), s3://bucket?endpoint=…&region=…&use_path_style=true
// (S3-compatible storage; credentials from the usual AWS environment), or mem://.
func OpenBucket(ctx context.Context, url string) (*blob.Bucket, error) {
	mux := new(blob.URLMux)
	mux.RegisterBucket(fileblob.Scheme, &fileblob.URLOpener{Options: fileblob.Options{NoTempDir: true, Metadata: fileblob.MetadataDontWrite}})
	mux.RegisterBucket(s3blob.Scheme, &s3blob.URLOpener{})
	mux.RegisterBucket(memblob.Scheme, &memblob.URLOpener{})
	return mux.OpenBucket(ctx, url)
}

// content reads a version's parts as one stream. It is an io.ReadSeeker (downloads with
// ranges) and an io.ReaderAt (a zip's directory); it keeps one part open and reopens only when a
// read does not continue where the last one ended. It is not for concurrent use.
type content struct {
	ctx    context.Context
	bucket *blob.Bucket
	parts  []market.Part
	size   int64
	pos    int64
	cur    *blob.Reader
	curAt  int64 // where cur's next byte lies in the stream
}

func newContent(ctx context.Context, b *blob.Bucket, parts []market.Part) *content {
	c := &content{ctx: ctx, bucket: b, parts: parts}
	for _, p := range parts {
		c.size += p.Size
	}
	return c
}

// Size is the content's length.
func (c *content) Size() int64 { return c.size }

func (c *content) Read(p []byte) (int, error) {
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
func (c *content) open() error {
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

func (c *content) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += c.pos
	case io.SeekEnd:
		offset += c.size
	}
	if offset < 0 {
		return 0, errors.New("cloud: seek before the start")
	}
	c.pos = offset
	return offset, nil
}

func (c *content) ReadAt(p []byte, off int64) (int, error) {
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
func (c *content) Close() error {
	if c.cur != nil {
		c.cur.Close()
		c.cur = nil
	}
	return nil
}
