package cloud

import (
	"context"

	"gocloud.dev/blob"

	"github.com/mercato-oss/mercato/internal/blobstore"
)

// OpenBucket opens the content store at url (see blobstore.Open): file:///dir?create_dir=1,
// s3://bucket?endpoint=…&region=…&use_path_style=true, or mem://.
func OpenBucket(ctx context.Context, url string) (*blob.Bucket, error) {
	return blobstore.Open(ctx, url)
}
