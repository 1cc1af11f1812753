package cloud

import (
	"context"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// Uploads: a new version arrives in one or more requests, each stored as a part, and becomes a
// version only when its size and SHA-256 match what was declared (and an assembly's zip passes
// the assembly rules). A save needs the file's check-out, checked when the upload begins and
// again in the transaction that adds the version; a rejected upload's parts are deleted.

// UploadRequest begins an upload.
type UploadRequest struct {
	// FileID saves a new version of that file. Without it, the upload saves as Path: a new file,
	// or a new version of the one there.
	FileID string          `json:"file_id,omitempty"`
	Path   string          `json:"path,omitempty"`
	Kind   market.FileKind `json:"kind"` // FILE or ASSEMBLY
	// BaseVersion, when set, is the version the content was made from: the save is refused if the
	// file has moved on since (someone else's version would be lost).
	BaseVersion int    `json:"base_version,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// saveTarget checks that a's user may save a new version of f.
func saveTarget(f *market.CloudFile, a *access, kind market.FileKind, base int) error {
	switch {
	case f.Kind != kind:
		return market.Errorf(market.CodeConflict, "%s is a %s, not a %s", f.Path, lower(f.Kind), lower(kind))
	case f.CheckedOutBy == "":
		return market.Errorf(market.CodeConflict, "%s is not checked out: check it out (open it with OpenAndCheckout) before saving", f.Path)
	case f.CheckedOutBy != a.user:
		return heldBy(f)
	case base != 0 && base != f.Version:
		return market.Errorf(market.CodeConflict, "%s is at version %d, and this save was made from version %d: reopen it", f.Path, f.Version, base)
	}
	return nil
}

// BeginUpload checks a save and reserves its size in the drive's quota. The upload expires
// after the configured time unless completed.
func (s *Service) BeginUpload(ctx context.Context, v market.Viewer, key string, r UploadRequest) (*market.Upload, error) {
	u, err := s.newUpload(key, r)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.drive(ctx, tx.Reader, v, key, true)
		if err != nil {
			return err
		}
		u.UserID, u.BuyerID = a.user, a.in.BuyerID
		if err := s.target(ctx, tx.Reader, a, u, r.Path); err != nil {
			return err
		}
		if err := s.reserve(ctx, tx, a, u); err != nil {
			return err
		}
		return tx.Enqueue(ctx, ExpiryArgs{UploadID: u.ID}, &river.InsertOpts{Queue: Queue, ScheduledAt: u.ExpiresAt})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// newUpload validates a request and returns its upload, not yet stored.
func (s *Service) newUpload(key string, r UploadRequest) (*market.Upload, error) {
	if r.Kind != market.KindFile && r.Kind != market.KindAssembly {
		return nil, market.Errorf(market.CodeInvalid, "kind must be FILE or ASSEMBLY")
	}
	if r.Size < 0 || !hexSHA256.MatchString(r.SHA256) {
		return nil, market.Errorf(market.CodeInvalid, "size must be at least 0 and sha256 64 lowercase hex digits")
	}
	now := s.clock.Now()
	return &market.Upload{ID: market.NewHexID(), InstanceKey: key, Kind: r.Kind, FileID: r.FileID, BaseVersion: r.BaseVersion,
		Size: r.Size, SHA256: r.SHA256, State: market.UploadOpen, CreatedAt: now, ExpiresAt: now.Add(s.cfg.UploadTTL)}, nil
}

// reserve stores the upload with its size reserved in the drive's quota.
func (s *Service) reserve(ctx context.Context, tx *store.Tx, a *access, u *market.Upload) error {
	if err := tx.EnsureDrive(ctx, a.in.Key, u.CreatedAt.UnixMilli()); err != nil {
		return err
	}
	if ok, err := tx.ReserveDrive(ctx, a.in.Key, u.Size, s.quota(a)); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "the drive's quota of %d bytes has no room for %d more", s.quota(a), u.Size)
		}
		return err
	}
	return tx.InsertUpload(ctx, u)
}

// target fills the upload's path and file from what it saves to, checking the save is allowed.
func (s *Service) target(ctx context.Context, r store.Reader, a *access, u *market.Upload, path string) error {
	var f *market.CloudFile
	var err error
	if u.FileID != "" {
		if f, err = r.CloudFile(ctx, u.FileID); err == nil && f.InstanceKey != a.in.Key {
			err = market.Errorf(market.CodeNotFound, "file %s not found", u.FileID)
		}
		if err != nil {
			return err
		}
		u.Path = f.Path
		return saveTarget(f, a, u.Kind, u.BaseVersion)
	}
	if u.Path, err = cloudfs.CleanPath(path); err != nil {
		return market.Errorf(market.CodeInvalid, "%v", err)
	}
	if u.Kind == market.KindAssembly {
		if _, err := cloudfs.AssemblyName(u.Path); err != nil {
			return market.Errorf(market.CodeInvalid, "%v", err)
		}
	}
	f, err = r.CloudFileByPath(ctx, a.in.Key, u.Path)
	if market.ErrorCode(err) == market.CodeNotFound {
		return nil // a new file
	}
	if err != nil {
		return err
	}
	u.FileID = f.ID
	return saveTarget(f, a, u.Kind, u.BaseVersion)
}

// upload reads an upload the viewer may continue: its own user's.
func (s *Service) upload(ctx context.Context, r store.Reader, v market.Viewer, id string) (*market.Upload, error) {
	u, err := r.Upload(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.IsOperator() && (v.Role != market.RoleBuyer || v.BuyerID != u.BuyerID || userOf(v) != u.UserID) {
		return nil, market.Errorf(market.CodeNotFound, "upload %s not found", id)
	}
	return u, nil
}

// Upload returns an upload: where to resume it (Received).
func (s *Service) Upload(ctx context.Context, v market.Viewer, id string) (*market.Upload, error) {
	return s.upload(ctx, s.db.Reader, v, id)
}

// open refuses an upload that can take no more: closed, or past its time (its expiry job may
// not have run yet).
func (s *Service) open(u *market.Upload) error {
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

// Complete verifies a fully received upload and makes it the file's new version (creating the
// file and its folders for a save-as). A repeat returns the file. A failed verification or a
// lost check-out rejects the upload and deletes its parts.
func (s *Service) Complete(ctx context.Context, v market.Viewer, id string) (*market.CloudFile, error) {
	u, err := s.upload(ctx, s.db.Reader, v, id)
	if err != nil {
		return nil, err
	}
	if u.State == market.UploadDone {
		return s.db.CloudFileByPath(ctx, u.InstanceKey, u.Path)
	}
	if err := s.open(u); err != nil {
		return nil, err
	}
	if u.Received != u.Size {
		return nil, market.Errorf(market.CodeConflict, "upload %s has %d of its %d bytes", id, u.Received, u.Size)
	}
	if err := s.verify(ctx, u); err != nil {
		return nil, s.rejectFor(ctx, u, err)
	}
	var f *market.CloudFile
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		f, err = s.commit(ctx, tx, v, u)
		return err
	})
	if err != nil {
		return nil, s.rejectFor(ctx, u, err)
	}
	return f, nil
}

// verify checks the received bytes against the declared SHA-256, and an assembly's zip.
func (s *Service) verify(ctx context.Context, u *market.Upload) error {
	h, err := runningHash(u)
	if err != nil {
		return err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != u.SHA256 {
		return market.Errorf(market.CodeInvalid, "SHA-256 mismatch: declared %s, received %s", u.SHA256, sum)
	}
	if u.Kind != market.KindAssembly {
		return nil
	}
	name, err := cloudfs.AssemblyName(u.Path)
	if err != nil {
		return market.Errorf(market.CodeInvalid, "%v", err)
	}
	c := blobstore.NewReader(ctx, s.bucket, u.Parts)
	defer c.Close()
	if _, err := cloudfs.CheckZip(c, c.Size(), name, s.cfg.Assembly, true); err != nil {
		if cloudfs.IsRule(err) {
			return market.Errorf(market.CodeInvalid, "%v", err)
		}
		return err
	}
	return nil
}

// commit adds the upload's version in tx, checking the save again against the file as it is now.
func (s *Service) commit(ctx context.Context, tx *store.Tx, v market.Viewer, u *market.Upload) (*market.CloudFile, error) {
	if cur, err := tx.Upload(ctx, u.ID); err != nil || s.open(cur) != nil {
		if err == nil {
			err = s.open(cur)
		}
		return nil, err
	}
	a, err := s.drive(ctx, tx.Reader, v, u.InstanceKey, true)
	if err != nil {
		return nil, err
	}
	a.user = u.UserID // the operator completing a buyer's upload completes it as that user
	now := s.clock.Now()
	f, err := tx.CloudFileByPath(ctx, u.InstanceKey, u.Path)
	switch {
	case market.ErrorCode(err) == market.CodeNotFound && u.FileID == "":
		// A save-as to a new path: the saver goes on editing it, so it starts checked out to them.
		if err := s.folders(ctx, tx, a, cloudfs.Folders(u.Path)); err != nil {
			return nil, err
		}
		f = &market.CloudFile{ID: market.NewHexID(), InstanceKey: u.InstanceKey, Path: u.Path, Kind: u.Kind, CheckedOutBy: u.UserID,
			CheckedOutAt: now, CreatedBy: u.UserID, CreatedAt: now, UpdatedAt: now}
		ok, err := tx.InsertCloudFile(ctx, f)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "%s was created by someone else meanwhile", u.Path)
		}
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case u.FileID != f.ID:
		return nil, market.Errorf(market.CodeConflict, "%s was replaced meanwhile", u.Path)
	default:
		if err := saveTarget(f, a, u.Kind, u.BaseVersion); err != nil {
			return nil, err
		}
	}
	ver := &market.CloudVersion{FileID: f.ID, Version: f.Version + 1, Size: u.Size, SHA256: u.SHA256, Parts: u.Parts, Author: u.UserID, CreatedAt: now}
	ok, err := tx.AdvanceCloudFile(ctx, ver, f.Version, u.UserID, now.UnixMilli())
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "%s: the check-out was lost or another version was saved meanwhile", u.Path)
	}
	if err != nil {
		return nil, err
	}
	if err := tx.InsertCloudVersion(ctx, ver); err != nil {
		return nil, err
	}
	if err := tx.SettleDrive(ctx, u.InstanceKey, u.Size, u.Size); err != nil {
		return nil, err
	}
	if ok, err := tx.FinishUpload(ctx, u.ID, market.UploadDone, "", ver.Version); err != nil || !ok {
		if err == nil {
			err = market.Errorf(market.CodeConflict, "upload %s was closed meanwhile", u.ID)
		}
		return nil, err
	}
	return tx.CloudFile(ctx, f.ID)
}

// rejectFor rejects the upload when err is the caller's (a rule, a lock), and returns err. An
// internal failure leaves the upload open, so the client can complete it again.
func (s *Service) rejectFor(ctx context.Context, u *market.Upload, err error) error {
	switch market.ErrorCode(err) {
	case market.CodeInvalid, market.CodeConflict:
		if derr := s.discard(context.WithoutCancel(ctx), u.ID, market.UploadRejected, market.ErrorMessage(err)); derr != nil {
			s.log.Error("cloud: discarding a rejected upload", "upload", u.ID, "err", derr)
		}
	}
	return err
}
