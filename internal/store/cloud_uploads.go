package store

import (
	"context"
	"encoding/hex"
	"encoding/json"

	"github.com/mercato-oss/mercato/internal/market"
)

const uploadCols = `id, instance_key, buyer_id, user_id, path, kind, file_id, base_version, size, sha256, received, hash_state, parts,
	state, reason, version, created_at, expires_at`

func scanUpload(r rowScanner) (*market.Upload, error) {
	var u market.Upload
	var hashState, parts string
	var created, expires int64
	err := r.Scan(&u.ID, &u.InstanceKey, &u.BuyerID, &u.UserID, &u.Path, &u.Kind, &u.FileID, &u.BaseVersion, &u.Size, &u.SHA256,
		&u.Received, &hashState, &parts, &u.State, &u.Reason, &u.Version, &created, &expires)
	if err == nil {
		u.HashState, err = hex.DecodeString(hashState)
	}
	if err == nil {
		err = json.Unmarshal([]byte(parts), &u.Parts)
	}
	u.CreatedAt, u.ExpiresAt = fromMS(created), fromMS(expires)
	return &u, err
}

func partsJSON(p []market.Part) string {
	if len(p) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(p) // a slice of plain structs always marshals
	return string(b)
}

// InsertUpload stores a new upload.
func (tx *Tx) InsertUpload(ctx context.Context, u *market.Upload) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO cloud_uploads (`+uploadCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		u.ID, u.InstanceKey, u.BuyerID, u.UserID, u.Path, string(u.Kind), u.FileID, u.BaseVersion, u.Size, u.SHA256,
		u.Received, hex.EncodeToString(u.HashState), partsJSON(u.Parts), string(u.State), u.Reason, u.Version, ms(u.CreatedAt), ms(u.ExpiresAt))
	return err
}

// Upload returns an upload by ID.
func (r Reader) Upload(ctx context.Context, id string) (*market.Upload, error) {
	u, err := scanUpload(r.q.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM cloud_uploads WHERE id = $1`, id))
	return u, notFound(err, "upload", id)
}

// AdvanceUpload records a received part if the upload is still open at offset from, and reports
// whether it did: of two requests sending the same range, one is recorded.
func (tx *Tx) AdvanceUpload(ctx context.Context, u *market.Upload, from int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_uploads SET received = $2, hash_state = $3, parts = $4
		WHERE id = $1 AND received = $5 AND state = 'OPEN'`, u.ID, u.Received, hex.EncodeToString(u.HashState), partsJSON(u.Parts), from))
}

// FinishUpload moves an open upload to state (with a reason, or the version it became), and
// reports whether it was still open.
func (tx *Tx) FinishUpload(ctx context.Context, id string, state market.UploadState, reason string, version int) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_uploads SET state = $2, reason = $3, version = $4 WHERE id = $1 AND state = 'OPEN'`,
		id, string(state), reason, version))
}
