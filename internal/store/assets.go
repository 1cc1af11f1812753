package store

import (
	"context"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// The asset centre's assets, versions and review history (rules §5.2, §6.1).

const assetCols = `id, merchant_id, kind, name, description, arch, regions, state, version, approved_version, scan_error,
	scan_attempts, created_by, created_at, updated_at`

func scanAsset(r rowScanner) (*market.Asset, error) {
	var a market.Asset
	var regions string
	var created, updated int64
	err := r.Scan(&a.ID, &a.MerchantID, &a.Kind, &a.Name, &a.Description, &a.Arch, &regions, &a.State, &a.Version, &a.ApprovedVersion,
		&a.ScanError, &a.ScanAttempts, &a.CreatedBy, &created, &updated)
	if regions != "" {
		a.Regions = strings.Split(regions, ",")
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return &a, err
}

// InsertAsset stores a new asset.
func (tx *Tx) InsertAsset(ctx context.Context, a *market.Asset) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO assets (`+assetCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		a.ID, a.MerchantID, string(a.Kind), a.Name, a.Description, a.Arch, strings.Join(a.Regions, ","), string(a.State), a.Version,
		a.ApprovedVersion, a.ScanError, a.ScanAttempts, a.CreatedBy, ms(a.CreatedAt), ms(a.UpdatedAt))
	return err
}

// Asset returns an asset by ID.
func (r Reader) Asset(ctx context.Context, id string) (*market.Asset, error) {
	a, err := scanAsset(r.q.QueryRowContext(ctx, `SELECT `+assetCols+` FROM assets WHERE id = $1`, id))
	return a, notFound(err, "asset", id)
}

// UpdateAsset writes an asset's review fields if it is still in state from at version
// fromVersion, and reports whether it was: of two concurrent transitions exactly one succeeds.
func (tx *Tx) UpdateAsset(ctx context.Context, a *market.Asset, from market.AssetState, fromVersion int) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE assets SET state = $1, version = $2, approved_version = $3, scan_error = $4,
		scan_attempts = $5, updated_at = $6 WHERE id = $7 AND state = $8 AND version = $9`, string(a.State), a.Version, a.ApprovedVersion,
		a.ScanError, a.ScanAttempts, ms(a.UpdatedAt), a.ID, string(from), fromVersion))
}

// DeleteAsset deletes an asset with its versions, history and uploads if it is still in state
// from at version fromVersion, and reports whether it did.
func (tx *Tx) DeleteAsset(ctx context.Context, id string, from market.AssetState, fromVersion int) (bool, error) {
	for _, q := range []string{`DELETE FROM asset_events WHERE asset_id = $1`, `DELETE FROM asset_versions WHERE asset_id = $1`,
		`DELETE FROM asset_uploads WHERE asset_id = $1`} {
		if _, err := tx.q.ExecContext(ctx, q, id); err != nil {
			return false, err
		}
	}
	return affected(tx.q.ExecContext(ctx, `DELETE FROM assets WHERE id = $1 AND state = $2 AND version = $3`, id, string(from), fromVersion))
}

// AssetFilter selects assets to list; empty fields match everything.
type AssetFilter struct {
	MerchantID string
	Kind       market.AssetKind
	State      market.AssetState
	// Queue lists the longest-waiting first (the operator's review queue) instead of newest first.
	Queue bool
	Page  Page
}

// Assets lists a page of assets.
func (r Reader) Assets(ctx context.Context, f AssetFilter) ([]*market.Asset, Cursor, error) {
	where := `WHERE ($1 = '' OR merchant_id = $1) AND ($2 = '' OR kind = $2) AND ($3 = '' OR state = $3)`
	q := `SELECT ` + assetCols + ` FROM assets ` + where + ` AND ($4 = 0 OR created_at < $4 OR created_at = $4 AND id < $5)
		ORDER BY created_at DESC, id DESC LIMIT $6`
	key := func(a *market.Asset) Cursor { return Cursor{a.CreatedAt, a.ID} }
	if f.Queue {
		q = `SELECT ` + assetCols + ` FROM assets ` + where + ` AND ($4 = 0 OR updated_at > $4 OR updated_at = $4 AND id > $5)
			ORDER BY updated_at, id LIMIT $6`
		key = func(a *market.Asset) Cursor { return Cursor{a.UpdatedAt, a.ID} }
	}
	rows, err := r.q.QueryContext(ctx, q, f.MerchantID, string(f.Kind), string(f.State), f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanAsset)
	return cut(list, err, f.Page, key)
}

const assetVersionCols = `asset_id, n, label, file_name, size, sha256, parts, source_url, fetch_error, ready, state, report, appeal,
	comment, created_by, created_at, submitted_at, decided_at`

func scanAssetVersion(r rowScanner) (*market.AssetVersion, error) {
	var v market.AssetVersion
	var parts, report string
	var created, submitted, decided int64
	err := r.Scan(&v.AssetID, &v.N, &v.Label, &v.FileName, &v.Size, &v.SHA256, &parts, &v.SourceURL, &v.FetchError, &v.Ready, &v.State,
		&report, &v.Appeal, &v.Comment, &v.CreatedBy, &created, &submitted, &decided)
	if err == nil {
		err = unmarshalParts(parts, &v.Parts)
	}
	if report != "" {
		v.Report = []byte(report)
	}
	v.CreatedAt, v.SubmittedAt, v.DecidedAt = fromMS(created), fromMS(submitted), fromMS(decided)
	return &v, err
}

// InsertAssetVersion stores a new version. A label the asset already has is a conflict.
func (tx *Tx) InsertAssetVersion(ctx context.Context, v *market.AssetVersion) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO asset_versions (`+assetVersionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		v.AssetID, v.N, v.Label, v.FileName, v.Size, v.SHA256, partsJSON(v.Parts), v.SourceURL, v.FetchError, v.Ready, string(v.State),
		string(v.Report), v.Appeal, v.Comment, v.CreatedBy, ms(v.CreatedAt), ms(v.SubmittedAt), ms(v.DecidedAt))
	if isUniqueViolation(err) {
		return market.Invalid("label", "asset %s already has a version %q", v.AssetID, v.Label)
	}
	return err
}

// UpdateAssetVersion writes a version's content and review fields.
func (tx *Tx) UpdateAssetVersion(ctx context.Context, v *market.AssetVersion) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE asset_versions SET size = $3, sha256 = $4, parts = $5, fetch_error = $6, ready = $7, state = $8,
		report = $9, appeal = $10, comment = $11, submitted_at = $12, decided_at = $13 WHERE asset_id = $1 AND n = $2`,
		v.AssetID, v.N, v.Size, v.SHA256, partsJSON(v.Parts), v.FetchError, v.Ready, string(v.State), string(v.Report), v.Appeal, v.Comment,
		ms(v.SubmittedAt), ms(v.DecidedAt))
	return err
}

// AssetVersion returns version n of an asset.
func (r Reader) AssetVersion(ctx context.Context, assetID string, n int) (*market.AssetVersion, error) {
	v, err := scanAssetVersion(r.q.QueryRowContext(ctx, `SELECT `+assetVersionCols+` FROM asset_versions WHERE asset_id = $1 AND n = $2`, assetID, n))
	return v, notFound(err, "asset version", assetID)
}

// AssetVersions lists an asset's versions, newest first.
func (r Reader) AssetVersions(ctx context.Context, assetID string) ([]*market.AssetVersion, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+assetVersionCols+` FROM asset_versions WHERE asset_id = $1 ORDER BY n DESC`, assetID)
	return collect(rows, err, scanAssetVersion)
}

// AddAssetEvent records a state change of an asset as its next event.
func (tx *Tx) AddAssetEvent(ctx context.Context, e *market.AssetEvent) error {
	if err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM asset_events WHERE asset_id = $1`, e.AssetID).Scan(&e.N); err != nil {
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO asset_events (asset_id, n, version, from_state, to_state, by_user, comment, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.AssetID, e.N, e.Version, string(e.From), string(e.To), e.By, e.Comment, ms(e.At))
	return err
}

// AssetEvents lists an asset's review history, oldest first.
func (r Reader) AssetEvents(ctx context.Context, assetID string) ([]*market.AssetEvent, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT asset_id, n, version, from_state, to_state, by_user, comment, at FROM asset_events
		WHERE asset_id = $1 ORDER BY n`, assetID)
	return collect(rows, err, func(r rowScanner) (*market.AssetEvent, error) {
		var e market.AssetEvent
		var at int64
		err := r.Scan(&e.AssetID, &e.N, &e.Version, &e.From, &e.To, &e.By, &e.Comment, &at)
		e.At = fromMS(at)
		return &e, err
	})
}
