package cloud

import (
	"context"
	"io"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// SaveWhole saves a version sent whole in one request (at most MaxChunk bytes): the checks of
// BeginUpload first, so that a refused save stores no byte; then the content, verified; then, in
// one transaction, the quota reservation, the upload's record and the version. A small file
// costs one request and one transaction instead of three of each. Nothing is left to resume, so
// no expiry job is needed; a crash between storing the content and the transaction leaves an
// unreferenced blob, never a version without its content.
func (s *Service) SaveWhole(ctx context.Context, v market.Viewer, key string, r UploadRequest, body io.Reader) (*market.CloudFile, error) {
	if r.Size > s.cfg.MaxChunk {
		return nil, market.Errorf(market.CodeInvalid, "one request carries at most %d bytes: upload larger content in parts", s.cfg.MaxChunk)
	}
	u, err := s.newUpload(key, r)
	if err != nil {
		return nil, err
	}
	a, err := s.drive(ctx, s.db.Reader, v, key, true)
	if err != nil {
		return nil, err
	}
	u.UserID, u.BuyerID = a.user, a.in.BuyerID
	if err := s.target(ctx, s.db.Reader, a, u, r.Path); err != nil {
		return nil, err
	}
	used, reserved, err := s.db.Drive(ctx, key)
	if err != nil {
		return nil, err
	}
	if used+reserved+u.Size > s.quota(a) {
		return nil, market.Errorf(market.CodeConflict, "the drive's quota of %d bytes has no room for %d more", s.quota(a), u.Size)
	}
	if _, err := s.writePart(ctx, u, body); err != nil {
		return nil, err
	}
	if u.Received != u.Size {
		err = market.Errorf(market.CodeInvalid, "the request carried %d bytes, not the declared %d", u.Received, u.Size)
	}
	if err == nil {
		err = s.verify(ctx, u)
	}
	var f *market.CloudFile
	if err == nil {
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			if err := s.reserve(ctx, tx, a, u); err != nil {
				return err
			}
			f, err = s.commit(ctx, tx, v, u)
			return err
		})
	}
	if err != nil {
		for _, p := range u.Parts {
			s.bucket.Delete(context.WithoutCancel(ctx), p.Key)
		}
		return nil, err
	}
	return f, nil
}
