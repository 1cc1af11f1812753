package cloud

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Stored parts: each upload request's bytes become one blob, written whole or not at all, with
// the running SHA-256 carried from part to part; an upload that is rejected, aborted or expires
// has its parts deleted.

// runningHash restores the upload's SHA-256 of the bytes received so far.
func runningHash(u *market.Upload) (hash.Hash, error) { return blobstore.ResumeHash(u.HashState) }

// WriteChunk stores the bytes of body as the upload's part at offset, which must be where the
// upload stands (Received): a client resumes from there. The part is stored whole or not at all.
func (s *Service) WriteChunk(ctx context.Context, v market.Viewer, id string, offset int64, body io.Reader) (*market.Upload, error) {
	u, err := s.upload(ctx, s.db.Reader, v, id)
	if err != nil {
		return nil, err
	}
	if err := s.open(u); err != nil {
		return nil, err
	}
	if offset != u.Received {
		return nil, market.Errorf(market.CodeConflict, "upload %s stands at offset %d, not %d: resume from there", id, u.Received, offset)
	}
	from := u.Received
	key, err := s.writePart(ctx, u, body)
	if err != nil || key == "" {
		return u, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.AdvanceUpload(ctx, u, from)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "upload %s moved on or closed while this part was sent: resume from its offset", id)
		}
		return err
	})
	if err != nil {
		s.bucket.Delete(context.WithoutCancel(ctx), key)
		return nil, err
	}
	return u, nil
}

// writePart stores body (at most the upload's remaining bytes, and MaxChunk) as the upload's
// next part and advances u in memory (Received, Parts, HashState); recording it is the caller's.
// It returns the part's key, or "" for an empty body, which stores nothing.
func (s *Service) writePart(ctx context.Context, u *market.Upload, body io.Reader) (string, error) {
	h, err := runningHash(u)
	if err != nil {
		return "", err
	}
	room := min(u.Size-u.Received, s.cfg.MaxChunk)
	key := fmt.Sprintf("%s%016d-%s", partPrefix(u), u.Received, strings.ToLower(market.NewSecret(6)))
	buf := s.buffers.Get().(*[]byte)
	n, err := blobstore.WritePart(ctx, s.bucket, key, body, room, h, *buf)
	s.buffers.Put(buf)
	if errors.Is(err, blobstore.ErrTooLarge) {
		err = market.Errorf(market.CodeInvalid, "upload %s: more bytes than declared, or more than %d in one request", u.ID, s.cfg.MaxChunk)
	}
	if err != nil || n == 0 {
		return "", err
	}
	state, err := blobstore.MarshalHash(h)
	if err != nil {
		return "", err
	}
	u.Received, u.HashState, u.Parts = u.Received+n, state, append(u.Parts, market.Part{Key: key, Size: n})
	return key, nil
}

// partPrefix starts the keys of an upload's parts. Parts share a folder per instance and the
// first two characters of the upload's ID (random hex), rather than one per upload: on a local
// disk a new folder per upload cost a directory creation in every part's fsync.
func partPrefix(u *market.Upload) string {
	return "cloud/" + u.InstanceKey + "/" + u.ID[:2] + "/" + u.ID + "-"
}

// Abort abandons an upload and deletes its parts.
func (s *Service) Abort(ctx context.Context, v market.Viewer, id string) error {
	u, err := s.upload(ctx, s.db.Reader, v, id)
	if err != nil {
		return err
	}
	if u.State != market.UploadOpen {
		return s.open(u)
	}
	return s.discard(ctx, id, market.UploadAborted, "aborted by the client")
}

// discard closes an open upload, gives its reservation back and deletes its stored parts (every
// blob under its prefix, including parts whose request failed before it was recorded).
func (s *Service) discard(ctx context.Context, id string, state market.UploadState, reason string) error {
	var u *market.Upload
	closed := false
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.Upload(ctx, id); err != nil {
			return err
		}
		if closed, err = tx.FinishUpload(ctx, id, state, reason, 0); err != nil || !closed {
			return err
		}
		return tx.SettleDrive(ctx, u.InstanceKey, 0, u.Size)
	})
	if err != nil || !closed {
		return err
	}
	return blobstore.DeletePrefix(ctx, s.bucket, partPrefix(u))
}

// ExpiryArgs discards an upload left incomplete when its time runs out.
type ExpiryArgs struct {
	UploadID string `json:"upload_id"`
}

// Kind implements river.JobArgs.
func (ExpiryArgs) Kind() string { return "cloud_upload_expiry" }

// ExpiryWorker discards expired uploads.
type ExpiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	S *Service
}

// Work discards the upload unless it was completed or closed.
func (w *ExpiryWorker) Work(ctx context.Context, job *river.Job[ExpiryArgs]) error {
	return w.S.discard(ctx, job.Args.UploadID, market.UploadExpired, "not completed in time")
}
