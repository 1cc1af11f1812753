package assets

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Uploads: a new version's content arrives in one or more requests, each stored as a part with
// the running SHA-256's state kept in the upload's row (blobstore), so a client resumes from the
// upload's offset after a failure and completion reads nothing again. The upload becomes a
// version only when its size and SHA-256 match what was declared.

// UploadRequest begins an upload of a new version.
type UploadRequest struct {
	Label    string `json:"label"`     // the version's name, "1.4.2"
	FileName string `json:"file_name"` // a package's NAME.zip/.tar/.tar.gz; an image's .qcow2, .vmdk, .raw, .img, .tar(.gz)
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// BeginUpload checks a new version's name, file and size against the asset's rules and opens its
// upload, which expires after the configured time unless completed.
func (s *Service) BeginUpload(ctx context.Context, v market.Viewer, assetID string, r UploadRequest) (*market.AssetUpload, error) {
	var u *market.AssetUpload
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.act(ctx, tx.Reader, v, assetID)
		if err != nil {
			return err
		}
		var p market.Problems
		s.checkContent(&p, a, r.Label, r.FileName, r.Size)
		if r.Size == 0 {
			p.Add("size", "size", "size must be the file's length in bytes")
		}
		if !hexSHA256.MatchString(r.SHA256) {
			p.Add("sha256", "sha256", "sha256 must be 64 lowercase hex digits")
		}
		if err := s.labelFree(ctx, tx.Reader, a.ID, r.Label, &p); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := mayAddVersion(a); err != nil {
			return err
		}
		now := s.clock.Now()
		u = &market.AssetUpload{ID: market.NewHexID(), AssetID: a.ID, MerchantID: a.MerchantID, Label: r.Label, FileName: r.FileName,
			Size: r.Size, SHA256: r.SHA256, State: market.UploadOpen, CreatedBy: by(v), CreatedAt: now, ExpiresAt: now.Add(s.cfg.UploadTTL)}
		if err := tx.InsertAssetUpload(ctx, u); err != nil {
			return err
		}
		return tx.Enqueue(ctx, ExpiryArgs{UploadID: u.ID}, &river.InsertOpts{Queue: Queue, ScheduledAt: u.ExpiresAt})
	})
	return u, err
}

// labelFree adds a problem to p when the asset already has a version called label, so that an
// upload is refused before its bytes are sent rather than at its completion.
func (s *Service) labelFree(ctx context.Context, r store.Reader, assetID, label string, p *market.Problems) error {
	vs, err := r.AssetVersions(ctx, assetID)
	for _, v := range vs {
		if v.Label == label {
			p.Add("label", "label-taken", "asset %s already has a version %q", assetID, label)
		}
	}
	return err
}

// upload reads an upload v may continue: one of an asset v may change.
func (s *Service) upload(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.AssetUpload, error) {
	u, err := r.AssetUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.MustActAs("upload", id, u.MerchantID, market.SellerOperations); err != nil {
		return nil, err
	}
	return u, nil
}

// Upload returns an upload: where to resume it (Received).
func (s *Service) Upload(ctx context.Context, v market.Viewer, id string) (*market.AssetUpload, error) {
	return s.upload(ctx, s.db.Reader, v, id)
}

// open refuses an upload that can take no more: closed, or past its time.
func (s *Service) open(u *market.AssetUpload) error {
	if u.State == market.UploadOpen && !s.clock.Now().Before(u.ExpiresAt) {
		return market.Errorf(market.CodeConflict, "upload %s expired at %s", u.ID, u.ExpiresAt.Format("2006-01-02 15:04:05Z07:00"))
	}
	if u.State != market.UploadOpen {
		msg := fmt.Sprintf("upload %s is %s", u.ID, u.State)
		if u.Reason != "" {
			msg += ": " + u.Reason
		}
		return &market.Error{Code: market.CodeConflict, Message: msg}
	}
	return nil
}

// uploadPrefix starts the keys of an upload's parts, under its asset's prefix.
func uploadPrefix(u *market.AssetUpload) string { return prefix(u.AssetID) + "u-" + u.ID + "-" }

// WriteChunk stores body as the upload's part at offset, which must be where the upload stands
// (Received): a client resumes from there. The part is stored whole or not at all.
func (s *Service) WriteChunk(ctx context.Context, v market.Viewer, id string, offset int64, body io.Reader) (*market.AssetUpload, error) {
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
	h, err := blobstore.ResumeHash(u.HashState)
	if err != nil {
		return nil, err
	}
	from := u.Received
	key := fmt.Sprintf("%s%016d-%s", uploadPrefix(u), from, strings.ToLower(market.NewSecret(6)))
	buf := s.buffers.Get().(*[]byte)
	n, err := blobstore.WritePart(ctx, s.bucket, key, body, min(u.Size-from, s.cfg.MaxChunk), h, *buf)
	s.buffers.Put(buf)
	if errors.Is(err, blobstore.ErrTooLarge) {
		err = market.Errorf(market.CodeInvalid, "upload %s: more bytes than declared, or more than %d in one request", id, s.cfg.MaxChunk)
	}
	if err != nil || n == 0 {
		return u, err
	}
	if u.HashState, err = blobstore.MarshalHash(h); err != nil {
		return nil, err
	}
	u.Received, u.Parts = from+n, append(u.Parts, market.Part{Key: key, Size: n})
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		ok, err := tx.AdvanceAssetUpload(ctx, u, from)
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

// Complete verifies a fully received upload and adds it as the asset's newest version, a DRAFT.
// A repeat returns the version. A SHA-256 mismatch rejects the upload and deletes its parts; an
// asset under review meanwhile is a conflict that leaves the upload open until it expires.
func (s *Service) Complete(ctx context.Context, v market.Viewer, id string) (*market.AssetVersion, error) {
	u, err := s.upload(ctx, s.db.Reader, v, id)
	if err != nil {
		return nil, err
	}
	if u.State == market.UploadDone {
		return s.db.AssetVersion(ctx, u.AssetID, u.Version)
	}
	if err := s.open(u); err != nil {
		return nil, err
	}
	if u.Received != u.Size {
		return nil, market.Errorf(market.CodeConflict, "upload %s has %d of its %d bytes", id, u.Received, u.Size)
	}
	h, err := blobstore.ResumeHash(u.HashState)
	if err != nil {
		return nil, err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != u.SHA256 {
		return nil, s.rejectFor(ctx, u, market.Errorf(market.CodeInvalid, "SHA-256 mismatch: declared %s, received %s", u.SHA256, sum))
	}
	var ver *market.AssetVersion
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.AssetUpload(ctx, id)
		if err != nil {
			return err
		}
		if err := s.open(cur); err != nil {
			return err
		}
		a, err := s.act(ctx, tx.Reader, v, u.AssetID)
		if err != nil {
			return err
		}
		ver = &market.AssetVersion{Label: u.Label, FileName: u.FileName, Size: u.Size, SHA256: u.SHA256, Parts: u.Parts, Ready: true, CreatedBy: u.CreatedBy}
		if err := s.addVersion(ctx, tx, a, ver, by(v)); err != nil {
			return err
		}
		ok, err := tx.FinishAssetUpload(ctx, id, market.UploadDone, "", ver.N)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "upload %s was closed meanwhile", id)
		}
		return err
	})
	if err != nil {
		return nil, s.rejectFor(ctx, u, err)
	}
	return ver, nil
}

// rejectFor rejects the upload when its content broke a rule (a SHA-256 mismatch, a label taken
// meanwhile), and returns err. A conflict (the asset went under review meanwhile) or an internal
// failure leaves the upload open: the client completes it again once the review is decided,
// without sending an image again.
func (s *Service) rejectFor(ctx context.Context, u *market.AssetUpload, err error) error {
	switch market.ErrorCode(err) {
	case market.CodeInvalid:
		if derr := s.discard(context.WithoutCancel(ctx), u.ID, market.UploadRejected, market.ErrorMessage(err)); derr != nil {
			s.log.Error("assets: discarding a rejected upload", "upload", u.ID, "err", derr)
		}
	}
	return err
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

// discard closes an open upload and deletes its stored parts (every blob under its prefix,
// including parts whose request failed before it was recorded).
func (s *Service) discard(ctx context.Context, id string, state market.UploadState, reason string) error {
	var u *market.AssetUpload
	closed := false
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = tx.AssetUpload(ctx, id); err != nil {
			return err
		}
		closed, err = tx.FinishAssetUpload(ctx, id, state, reason, 0)
		return err
	})
	if err != nil || !closed {
		return err
	}
	return blobstore.DeletePrefix(ctx, s.bucket, uploadPrefix(u))
}

// ExpiryArgs discards an upload left incomplete when its time runs out.
type ExpiryArgs struct {
	UploadID string `json:"upload_id"`
}

// Kind implements river.JobArgs.
func (ExpiryArgs) Kind() string { return "asset_upload_expiry" }

// ExpiryWorker discards expired uploads.
type ExpiryWorker struct {
	river.WorkerDefaults[ExpiryArgs]
	S *Service
}

// Work discards the upload unless it was completed or closed (or its asset deleted).
func (w *ExpiryWorker) Work(ctx context.Context, job *river.Job[ExpiryArgs]) error {
	err := w.S.discard(ctx, job.Args.UploadID, market.UploadExpired, "not completed in time")
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil
	}
	return err
}
