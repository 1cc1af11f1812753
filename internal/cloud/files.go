package cloud

import (
	"context"
	"io"

	"github.com/mercato-oss/mercato/internal/blobstore"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// Drive entries: listing and lookup, folders, check-out and check-in, history, restore, and
// content. Lock refusals are conflicts that name the holder, so the engineer knows whom to ask.

// MaxList is the most entries one listing returns.
const MaxList = 1000

// List lists a folder of an instance's drive ("/" for the top), by path, at most limit entries
// after the path after.
func (s *Service) List(ctx context.Context, v market.Viewer, key, folder, after string, limit int) ([]*market.CloudFile, error) {
	if _, err := s.drive(ctx, s.db.Reader, v, key, false); err != nil {
		return nil, err
	}
	if folder != "/" {
		var err error
		if folder, err = cloudfs.CleanPath(folder); err != nil {
			return nil, market.Errorf(market.CodeInvalid, "folder: %v", err)
		}
	}
	if limit <= 0 || limit > MaxList {
		limit = MaxList
	}
	return s.db.CloudFiles(ctx, key, folder, after, limit)
}

// File returns a drive entry.
func (s *Service) File(ctx context.Context, v market.Viewer, id string) (*market.CloudFile, error) {
	f, _, err := s.file(ctx, s.db.Reader, v, id, false)
	return f, err
}

// FileByPath returns the entry at path of an instance's drive.
func (s *Service) FileByPath(ctx context.Context, v market.Viewer, key, path string) (*market.CloudFile, error) {
	if _, err := s.drive(ctx, s.db.Reader, v, key, false); err != nil {
		return nil, err
	}
	p, err := cloudfs.CleanPath(path)
	if err != nil {
		return nil, market.Errorf(market.CodeInvalid, "%v", err)
	}
	return s.db.CloudFileByPath(ctx, key, p)
}

// CreateFolder creates a folder (and the folders above it); an existing folder is returned.
func (s *Service) CreateFolder(ctx context.Context, v market.Viewer, key, path string) (*market.CloudFile, error) {
	p, err := cloudfs.CleanPath(path)
	if err != nil {
		return nil, market.Errorf(market.CodeInvalid, "%v", err)
	}
	var f *market.CloudFile
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		a, err := s.drive(ctx, tx.Reader, v, key, true)
		if err != nil {
			return err
		}
		if err := s.folders(ctx, tx, a, append(cloudfs.Folders(p), p)); err != nil {
			return err
		}
		f, err = tx.CloudFileByPath(ctx, key, p)
		return err
	})
	return f, err
}

// folders makes sure each path is a folder, creating those that do not exist.
func (s *Service) folders(ctx context.Context, tx *store.Tx, a *access, paths []string) error {
	now := s.clock.Now()
	for _, p := range paths {
		f := &market.CloudFile{ID: market.NewHexID(), InstanceKey: a.in.Key, Path: p, Kind: market.KindFolder, CreatedBy: a.user,
			CreatedAt: now, UpdatedAt: now}
		ok, err := tx.InsertCloudFile(ctx, f)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		old, err := tx.CloudFileByPath(ctx, a.in.Key, p)
		if err != nil {
			return err
		}
		if old.Kind != market.KindFolder {
			return market.Errorf(market.CodeConflict, "%s is a %s, not a folder", old.Path, lower(old.Kind))
		}
	}
	return nil
}

func lower(k market.FileKind) string {
	switch k {
	case market.KindAssembly:
		return "assembly"
	case market.KindFolder:
		return "folder"
	}
	return "file"
}

// heldBy is the refusal for a file another user has checked out.
func heldBy(f *market.CloudFile) error {
	return market.Errorf(market.CodeConflict, "%s is checked out by %s", f.Path, f.CheckedOutBy)
}

// CheckOut gives the viewer's user the exclusive check-out of a file: only they may save it
// until they check it in. A repeat by the holder is accepted.
func (s *Service) CheckOut(ctx context.Context, v market.Viewer, id string) (*market.CloudFile, error) {
	return s.lock(ctx, v, id, func(tx *store.Tx, f *market.CloudFile, a *access) error {
		if f.Kind == market.KindFolder {
			return market.Errorf(market.CodeInvalid, "%s is a folder: only files and assemblies are checked out", f.Path)
		}
		ok, err := tx.CheckOutCloudFile(ctx, id, a.user, s.clock.Now().UnixMilli())
		if err != nil || ok {
			return err
		}
		// PostgreSQL: another user's check-out committed after f was read; name them.
		if f, err = tx.CloudFile(ctx, id); err != nil {
			return err
		}
		return heldBy(f)
	})
}

// CheckIn releases the viewer's user's check-out. Another user's check-out is refused: only an
// administrator may release it (Release).
func (s *Service) CheckIn(ctx context.Context, v market.Viewer, id string) (*market.CloudFile, error) {
	return s.lock(ctx, v, id, func(tx *store.Tx, f *market.CloudFile, a *access) error {
		switch {
		case f.CheckedOutBy == "":
			return market.Errorf(market.CodeConflict, "%s is not checked out", f.Path)
		case f.CheckedOutBy != a.user:
			return market.Errorf(market.CodeConflict, "%s is checked out by %s: only they may check it in (an administrator may release it)", f.Path, f.CheckedOutBy)
		}
		ok, err := tx.CheckInCloudFile(ctx, id, a.user)
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "%s was checked in or released meanwhile", f.Path)
		}
		return err
	})
}

// Release is an administrator's force-release of whoever holds a file's check-out: the operator
// or the buyer account (not one of its users). Releasing a checked-in file is accepted.
func (s *Service) Release(ctx context.Context, v market.Viewer, id string) (*market.CloudFile, error) {
	return s.lock(ctx, v, id, func(tx *store.Tx, f *market.CloudFile, a *access) error {
		if !isAdmin(v) {
			return market.Errorf(market.CodeForbidden, "only an administrator may release another user's check-out")
		}
		_, err := tx.CheckInCloudFile(ctx, id, "")
		if err == nil && f.CheckedOutBy != "" {
			s.log.Info("check-out released", "file", f.Path, "instance", f.InstanceKey, "holder", f.CheckedOutBy, "by", a.user)
		}
		return err
	})
}

// lock runs a lock change in a transaction and returns the file as it left it.
func (s *Service) lock(ctx context.Context, v market.Viewer, id string, fn func(*store.Tx, *market.CloudFile, *access) error) (*market.CloudFile, error) {
	var out *market.CloudFile
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		f, a, err := s.file(ctx, tx.Reader, v, id, true)
		if err != nil {
			return err
		}
		if err := fn(tx, f, a); err != nil {
			return err
		}
		out, err = tx.CloudFile(ctx, id)
		return err
	})
	return out, err
}

// MaxVersions is the most versions one history listing returns.
const MaxVersions = 500

// Versions lists a file's versions, newest first, at most limit.
func (s *Service) Versions(ctx context.Context, v market.Viewer, id string, limit int) ([]*market.CloudVersion, error) {
	if _, _, err := s.file(ctx, s.db.Reader, v, id, false); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxVersions {
		limit = MaxVersions
	}
	return s.db.CloudVersions(ctx, id, limit)
}

// Restore makes an earlier version's content the file's newest version, authored by the
// viewer's user. A checked-out file is refused: its holder may be about to save over it.
func (s *Service) Restore(ctx context.Context, v market.Viewer, id string, version int) (*market.CloudFile, error) {
	return s.lock(ctx, v, id, func(tx *store.Tx, f *market.CloudFile, a *access) error {
		if f.CheckedOutBy != "" {
			return market.Errorf(market.CodeConflict, "%s is checked out by %s: it must be checked in before a version is restored", f.Path, f.CheckedOutBy)
		}
		old, err := tx.CloudVersion(ctx, id, version)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		nv := &market.CloudVersion{FileID: id, Version: f.Version + 1, Size: old.Size, SHA256: old.SHA256, Parts: old.Parts,
			Author: a.user, RestoredFrom: version, CreatedAt: now}
		ok, err := tx.AdvanceCloudFile(ctx, nv, f.Version, "", now.UnixMilli())
		if err != nil {
			return err
		}
		if !ok {
			return market.Errorf(market.CodeConflict, "%s changed meanwhile; try again", f.Path)
		}
		return tx.InsertCloudVersion(ctx, nv)
	})
}

// Content opens a version of a file (0: the current one) for reading. Close the reader.
func (s *Service) Content(ctx context.Context, v market.Viewer, id string, version int) (*market.CloudFile, *market.CloudVersion, io.ReadSeekCloser, error) {
	f, _, err := s.file(ctx, s.db.Reader, v, id, false)
	if err != nil {
		return nil, nil, nil, err
	}
	if f.Kind == market.KindFolder {
		return nil, nil, nil, market.Errorf(market.CodeInvalid, "%s is a folder", f.Path)
	}
	if version == 0 {
		version = f.Version
	}
	ver, err := s.db.CloudVersion(ctx, id, version)
	if err != nil {
		return nil, nil, nil, err
	}
	return f, ver, blobstore.NewReader(ctx, s.bucket, ver.Parts), nil
}
