package store

import (
	"context"
	"encoding/hex"
	"encoding/json"

	"github.com/mercato-oss/mercato/internal/market"
)

// Resumable uploads of asset versions (like cloud_uploads.go).

const assetUploadCols = `id, asset_id, merchant_id, label, file_name, size, sha256, received, hash_state, parts, state, reason, version,
	created_by, created_at, expires_at`

func unmarshalParts(s string, p *[]market.Part) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), p)
}

func scanAssetUpload(r rowScanner) (*market.AssetUpload, error) {
	var u market.AssetUpload
	var hashState, parts string
	var created, expires int64
	err := r.Scan(&u.ID, &u.AssetID, &u.MerchantID, &u.Label, &u.FileName, &u.Size, &u.SHA256, &u.Received, &hashState, &parts, &u.State,
		&u.Reason, &u.Version, &u.CreatedBy, &created, &expires)
	if err == nil {
		u.HashState, err = hex.DecodeString(hashState)
	}
	if err == nil {
		err = unmarshalParts(parts, &u.Parts)
	}
	u.CreatedAt, u.ExpiresAt = fromMS(created), fromMS(expires)
	return &u, err
}

// InsertAssetUpload stores a new upload.
func (tx *Tx) InsertAssetUpload(ctx context.Context, u *market.AssetUpload) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO asset_uploads (`+assetUploadCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		u.ID, u.AssetID, u.MerchantID, u.Label, u.FileName, u.Size, u.SHA256, u.Received, hex.EncodeToString(u.HashState), partsJSON(u.Parts),
		string(u.State), u.Reason, u.Version, u.CreatedBy, ms(u.CreatedAt), ms(u.ExpiresAt))
	return err
}

// AssetUpload returns an upload by ID.
func (r Reader) AssetUpload(ctx context.Context, id string) (*market.AssetUpload, error) {
	u, err := scanAssetUpload(r.q.QueryRowContext(ctx, `SELECT `+assetUploadCols+` FROM asset_uploads WHERE id = $1`, id))
	return u, notFound(err, "upload", id)
}

// AdvanceAssetUpload records a received part if the upload is still open at offset from, and
// reports whether it did: of two requests sending the same range, one is recorded.
func (tx *Tx) AdvanceAssetUpload(ctx context.Context, u *market.AssetUpload, from int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE asset_uploads SET received = $2, hash_state = $3, parts = $4
		WHERE id = $1 AND received = $5 AND state = 'OPEN'`, u.ID, u.Received, hex.EncodeToString(u.HashState), partsJSON(u.Parts), from))
}

// FinishAssetUpload moves an open upload to state (with a reason, or the version it became), and
// reports whether it was still open.
func (tx *Tx) FinishAssetUpload(ctx context.Context, id string, state market.UploadState, reason string, version int) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE asset_uploads SET state = $2, reason = $3, version = $4 WHERE id = $1 AND state = 'OPEN'`,
		id, string(state), reason, version))
}
