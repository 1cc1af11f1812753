// Package blobstore is the content store the features that keep files share (the
// industrial-software cloud's drives, the asset centre's images and packages): a bucket opened
// through gocloud.dev/blob (a local directory, S3-compatible storage, or memory), content kept as
// an ordered list of parts (each upload request one part, so a resumed upload never rewrites what
// it sent), a running SHA-256 whose state is stored between parts, and a reader that streams a
// list of parts as one file.
package blobstore

import (
	"context"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/memblob"
	"gocloud.dev/blob/s3blob"

	"github.com/mercato-oss/mercato/internal/market"
)

// Open opens the content store at url through a mux of its own (not gocloud's global one):
// file:///dir?create_dir=1 (a local directory; temporary files are written beside their final
// names and no metadata sidecars are kept), s3://bucket?endpoint=…&region=…&use_path_style=true
// (S3-compatible storage; credentials from the usual AWS environment), or mem://.
func Open(ctx context.Context, url string) (*blob.Bucket, error) {
	mux := new(blob.URLMux)
	mux.RegisterBucket(fileblob.Scheme, &fileblob.URLOpener{Options: fileblob.Options{NoTempDir: true, Metadata: fileblob.MetadataDontWrite}})
	mux.RegisterBucket(s3blob.Scheme, &s3blob.URLOpener{})
	mux.RegisterBucket(memblob.Scheme, &memblob.URLOpener{})
	return mux.OpenBucket(ctx, url)
}

// ResumeHash restores a SHA-256 from the state MarshalHash saved (a new hash for an empty state).
func ResumeHash(state []byte) (hash.Hash, error) {
	h := sha256.New()
	if len(state) == 0 {
		return h, nil
	}
	return h, h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state)
}

// MarshalHash saves a running SHA-256's state.
func MarshalHash(h hash.Hash) ([]byte, error) {
	m, ok := h.(encoding.BinaryMarshaler)
	if !ok {
		return nil, errors.New("blobstore: the hash cannot save its state")
	}
	return m.MarshalBinary()
}

// ErrTooLarge is WritePart's answer to a body longer than its limit; nothing is stored.
var ErrTooLarge = errors.New("blobstore: more bytes than allowed")

// WritePart stores body as the blob key, whole or not at all, adding its bytes to h, and returns
// how many it stored. A body longer than limit stores nothing and returns ErrTooLarge; an empty
// body stores nothing and returns 0. buf is the buffer the bytes are copied through (blob.Writer's
// own ReadFrom would allocate a fresh one per part). A part written to a local directory is
// synced before WritePart returns: a crash must not leave recorded content the disk never got
// (object stores are durable when the write completes).
func WritePart(ctx context.Context, b *blob.Bucket, key string, body io.Reader, limit int64, h hash.Hash, buf []byte) (int64, error) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var file *os.File
	w, err := b.NewWriter(wctx, key, &blob.WriterOptions{ContentType: "application/octet-stream", BeforeWrite: func(as func(any) bool) error {
		as(&file)
		return nil
	}})
	if err != nil {
		return 0, fmt.Errorf("blobstore: write %s: %w", key, err)
	}
	n, err := io.CopyBuffer(writerOnly{w}, io.TeeReader(io.LimitReader(body, limit+1), h), buf)
	if err == nil && n > limit {
		err = ErrTooLarge
	}
	if err == nil && file != nil && n > 0 {
		err = file.Sync()
	}
	if err != nil || n == 0 {
		cancel() // discards what was written
		w.Close()
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("blobstore: write %s: %w", key, err)
	}
	return n, nil
}

// writerOnly hides a writer's ReadFrom, so that io.CopyBuffer uses the caller's buffer.
type writerOnly struct{ io.Writer }

// DeletePrefix deletes every blob whose key starts with prefix.
func DeletePrefix(ctx context.Context, b *blob.Bucket, prefix string) error {
	it := b.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("blobstore: list %s: %w", prefix, err)
		}
		if err := b.Delete(ctx, obj.Key); err != nil {
			return fmt.Errorf("blobstore: delete %s: %w", obj.Key, err)
		}
	}
}

// Size is the total length of parts.
func Size(parts []market.Part) int64 {
	var n int64
	for _, p := range parts {
		n += p.Size
	}
	return n
}
