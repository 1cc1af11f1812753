package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/isdk/cloudfs"
)

// The cloud drive: drives (quota accounting), files with their check-out locks, and versions.
// Every state change is a conditional UPDATE that reports whether it applied, so that two users
// racing for one file cannot both win on either engine.

// EnsureDrive creates an instance's drive row unless it exists.
func (tx *Tx) EnsureDrive(ctx context.Context, key string, at int64) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO cloud_drives (instance_key, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, key, at)
	return err
}

// Drive returns an instance's stored and reserved bytes (zero for a drive never used).
func (r Reader) Drive(ctx context.Context, key string) (used, reserved int64, err error) {
	err = r.q.QueryRowContext(ctx, `SELECT used_bytes, reserved_bytes FROM cloud_drives WHERE instance_key = $1`, key).Scan(&used, &reserved)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return used, reserved, err
}

// ReserveDrive promises n bytes to an upload if the drive stays within quota, and reports
// whether it did.
func (tx *Tx) ReserveDrive(ctx context.Context, key string, n, quota int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_drives SET reserved_bytes = reserved_bytes + $2
		WHERE instance_key = $1 AND used_bytes + reserved_bytes + $2 <= $3`, key, n, quota))
}

// SettleDrive moves an upload's reservation: used grows by stored, reserved shrinks by released.
func (tx *Tx) SettleDrive(ctx context.Context, key string, stored, released int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE cloud_drives SET used_bytes = used_bytes + $2, reserved_bytes = reserved_bytes - $3
		WHERE instance_key = $1`, key, stored, released)
	return err
}

const cloudFileCols = `id, instance_key, path, kind, version, size, sha256, checked_out_by, checked_out_at, created_by, created_at, updated_at`

func scanCloudFile(r rowScanner) (*market.CloudFile, error) {
	var f market.CloudFile
	var outAt, created, updated int64
	err := r.Scan(&f.ID, &f.InstanceKey, &f.Path, &f.Kind, &f.Version, &f.Size, &f.SHA256, &f.CheckedOutBy, &outAt, &f.CreatedBy, &created, &updated)
	f.CheckedOutAt, f.CreatedAt, f.UpdatedAt = fromMS(outAt), fromMS(created), fromMS(updated)
	return &f, err
}

// InsertCloudFile stores a new drive entry unless its path (compared without case) is taken,
// and reports whether it did.
func (tx *Tx) InsertCloudFile(ctx context.Context, f *market.CloudFile) (bool, error) {
	parent, _ := cloudfs.Split(f.Path)
	return affected(tx.q.ExecContext(ctx, `INSERT INTO cloud_files (id, instance_key, path, path_fold, parent, kind, version, size, sha256,
		checked_out_by, checked_out_at, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
		f.ID, f.InstanceKey, f.Path, cloudfs.Fold(f.Path), parent, string(f.Kind), f.Version, f.Size, f.SHA256,
		f.CheckedOutBy, ms(f.CheckedOutAt), f.CreatedBy, ms(f.CreatedAt), ms(f.UpdatedAt)))
}

// CloudFile returns a drive entry by ID.
func (r Reader) CloudFile(ctx context.Context, id string) (*market.CloudFile, error) {
	f, err := scanCloudFile(r.q.QueryRowContext(ctx, `SELECT `+cloudFileCols+` FROM cloud_files WHERE id = $1`, id))
	return f, notFound(err, "file", id)
}

// CloudFileByPath returns the entry of a drive at path, compared without case.
func (r Reader) CloudFileByPath(ctx context.Context, key, path string) (*market.CloudFile, error) {
	f, err := scanCloudFile(r.q.QueryRowContext(ctx, `SELECT `+cloudFileCols+` FROM cloud_files WHERE instance_key = $1 AND path_fold = $2`,
		key, cloudfs.Fold(path)))
	return f, notFound(err, "file", path)
}

// CloudFiles lists the entries of a drive's folder by path, at most limit, after the path
// after (for paging; "" from the start).
func (r Reader) CloudFiles(ctx context.Context, key, folder, after string, limit int) ([]*market.CloudFile, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+cloudFileCols+` FROM cloud_files WHERE instance_key = $1 AND parent = $2 AND path > $3
		ORDER BY path LIMIT $4`, key, folder, after, limit)
	return collect(rows, err, scanCloudFile)
}

// CheckOutCloudFile gives user the exclusive check-out of a file unless another user holds it;
// a repeat by the holder keeps the first time. It reports whether user holds it now.
func (tx *Tx) CheckOutCloudFile(ctx context.Context, id, user string, at int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_files SET checked_out_by = $2,
		checked_out_at = CASE WHEN checked_out_by = $2 THEN checked_out_at ELSE $3 END
		WHERE id = $1 AND kind <> 'FOLDER' AND (checked_out_by = '' OR checked_out_by = $2)`, id, user, at))
}

// CheckInCloudFile releases a check-out held by holder (any holder when holder is "", the
// administrator's force-release), and reports whether it did.
func (tx *Tx) CheckInCloudFile(ctx context.Context, id, holder string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_files SET checked_out_by = '', checked_out_at = 0
		WHERE id = $1 AND checked_out_by <> '' AND ($2 = '' OR checked_out_by = $2)`, id, holder))
}

// AdvanceCloudFile makes v the file's current version if the file is still at version from and
// its check-out is still holder's (checked in when holder is "", as a restore needs). It
// reports whether it did.
func (tx *Tx) AdvanceCloudFile(ctx context.Context, v *market.CloudVersion, from int, holder string, at int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_files SET version = $2, size = $3, sha256 = $4, updated_at = $5
		WHERE id = $1 AND version = $6 AND checked_out_by = $7`, v.FileID, v.Version, v.Size, v.SHA256, at, from, holder))
}

// InsertCloudVersion stores a version; (file, version) is unique.
func (tx *Tx) InsertCloudVersion(ctx context.Context, v *market.CloudVersion) error {
	parts, err := json.Marshal(v.Parts)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO cloud_versions (file_id, version, size, sha256, parts, author, restored_from, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, v.FileID, v.Version, v.Size, v.SHA256, string(parts), v.Author, v.RestoredFrom, ms(v.CreatedAt))
	return err
}

const cloudVersionCols = `file_id, version, size, sha256, parts, author, restored_from, created_at`

func scanCloudVersion(r rowScanner) (*market.CloudVersion, error) {
	var v market.CloudVersion
	var parts string
	var created int64
	err := r.Scan(&v.FileID, &v.Version, &v.Size, &v.SHA256, &parts, &v.Author, &v.RestoredFrom, &created)
	if err == nil {
		err = json.Unmarshal([]byte(parts), &v.Parts)
	}
	v.CreatedAt = fromMS(created)
	return &v, err
}

// CloudVersion returns one version of a file.
func (r Reader) CloudVersion(ctx context.Context, fileID string, version int) (*market.CloudVersion, error) {
	v, err := scanCloudVersion(r.q.QueryRowContext(ctx, `SELECT `+cloudVersionCols+` FROM cloud_versions WHERE file_id = $1 AND version = $2`,
		fileID, version))
	return v, notFound(err, "version of file", fileID)
}

// CloudVersions lists a file's versions, newest first, at most limit.
func (r Reader) CloudVersions(ctx context.Context, fileID string, limit int) ([]*market.CloudVersion, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+cloudVersionCols+` FROM cloud_versions WHERE file_id = $1 ORDER BY version DESC LIMIT $2`,
		fileID, limit)
	return collect(rows, err, scanCloudVersion)
}
