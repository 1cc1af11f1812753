package blobstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
)

// TestParts: parts written one at a time with the hash carried between them read back as one
// file, with seeks across part boundaries; a part over its limit stores nothing; DeletePrefix
// removes every part.
func TestParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, err := blobstore.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	content := strings.Repeat("0123456789", 25)
	var parts []market.Part
	var state []byte
	buf := make([]byte, 16)
	for i, off := 0, 0; off < len(content); i, off = i+1, off+100 {
		h, err := blobstore.ResumeHash(state)
		if err != nil {
			t.Fatal(err)
		}
		chunk := content[off:min(off+100, len(content))]
		key := "p/" + string(rune('a'+i))
		n, err := blobstore.WritePart(ctx, b, key, strings.NewReader(chunk), 100, h, buf)
		if err != nil || n != int64(len(chunk)) {
			t.Fatalf("part %d: %d, %v", i, n, err)
		}
		parts = append(parts, market.Part{Key: key, Size: n})
		if state, err = blobstore.MarshalHash(h); err != nil {
			t.Fatal(err)
		}
	}
	h, _ := blobstore.ResumeHash(state)
	if want := sha256.Sum256([]byte(content)); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("the running hash differs from the whole content's")
	}
	if _, err := blobstore.WritePart(ctx, b, "p/z", strings.NewReader(content), 100, sha256.New(), buf); !errors.Is(err, blobstore.ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if ok, _ := b.Exists(ctx, "p/z"); ok {
		t.Fatal("a part over its limit was stored")
	}
	r := blobstore.NewReader(ctx, b, parts)
	defer r.Close()
	if r.Size() != int64(len(content)) || blobstore.Size(parts) != r.Size() {
		t.Fatalf("size %d", r.Size())
	}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != content {
		t.Fatalf("read: %v", err)
	}
	p := make([]byte, 20)
	if n, err := r.ReadAt(p, 190); n != 20 || err != nil || string(p) != content[190:210] {
		t.Fatalf("read across a boundary: %q %v", p[:n], err)
	}
	if err := blobstore.DeletePrefix(ctx, b, "p/"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.Exists(ctx, "p/a"); ok {
		t.Fatal("DeletePrefix left a part")
	}
}
