package cloud

import (
	"context"
	"io"

	"gocloud.dev/blob"

	"github.com/mercato-oss/mercato/internal/market"
)

// StoredParts counts the blobs stored under an upload's prefix, for tests that check that a
// rejected upload left nothing behind.
func StoredParts(ctx context.Context, s *Service, u *market.Upload) int {
	return count(ctx, s, partPrefix(u))
}

// StoredBlobs counts every blob of the content store.
func StoredBlobs(ctx context.Context, s *Service) int { return count(ctx, s, "") }

func count(ctx context.Context, s *Service, prefix string) int {
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	n := 0
	for {
		if _, err := it.Next(ctx); err == io.EOF {
			return n
		} else if err != nil {
			return -1
		}
		n++
	}
}
