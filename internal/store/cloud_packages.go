package store

import (
	"context"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
)

// Industrial-software packages, license requests, the license-signing key, solve jobs and
// upgrade confirmations.

// UpsertIndustrialPackage stores a spec's package fields, replacing earlier ones.
func (tx *Tx) UpsertIndustrialPackage(ctx context.Context, p *market.IndustrialPackage) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO industrial_packages (sku_code, product_id, merchant_id, data_in_cloud, version, forced_upgrade,
		forced_versions, trial_supported, trial_days, install_mode, quota_bytes, notes, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (sku_code) DO UPDATE SET data_in_cloud = excluded.data_in_cloud, version = excluded.version,
		forced_upgrade = excluded.forced_upgrade, forced_versions = excluded.forced_versions, trial_supported = excluded.trial_supported,
		trial_days = excluded.trial_days, install_mode = excluded.install_mode, quota_bytes = excluded.quota_bytes, notes = excluded.notes,
		updated_at = excluded.updated_at`,
		p.SkuCode, p.ProductID, p.MerchantID, p.DataInCloud, p.Version, p.ForcedUpgrade, strings.Join(p.ForcedVersions, "\n"),
		p.TrialSupported, p.TrialDays, string(p.InstallMode), p.QuotaBytes, p.Notes, ms(p.UpdatedAt))
	return err
}

// IndustrialPackage returns a spec's package fields.
func (r Reader) IndustrialPackage(ctx context.Context, sku string) (*market.IndustrialPackage, error) {
	var p market.IndustrialPackage
	var forced string
	var updated int64
	err := r.q.QueryRowContext(ctx, `SELECT sku_code, product_id, merchant_id, data_in_cloud, version, forced_upgrade, forced_versions,
		trial_supported, trial_days, install_mode, quota_bytes, notes, updated_at FROM industrial_packages WHERE sku_code = $1`, sku).
		Scan(&p.SkuCode, &p.ProductID, &p.MerchantID, &p.DataInCloud, &p.Version, &p.ForcedUpgrade, &forced, &p.TrialSupported,
			&p.TrialDays, &p.InstallMode, &p.QuotaBytes, &p.Notes, &updated)
	if forced != "" {
		p.ForcedVersions = strings.Split(forced, "\n")
	}
	p.UpdatedAt = fromMS(updated)
	return &p, notFound(err, "industrial package of spec", sku)
}

// SigningKey returns the license-signing key (private and public, encoded), or not-found.
func (r Reader) SigningKey(ctx context.Context, id string) (private, public string, err error) {
	err = r.q.QueryRowContext(ctx, `SELECT private_key, public_key FROM cloud_signing_keys WHERE id = $1`, id).Scan(&private, &public)
	return private, public, notFound(err, "signing key", id)
}

// InsertSigningKey stores a signing key unless one with its ID exists (another replica made it
// first; the caller reads that one back).
func (tx *Tx) InsertSigningKey(ctx context.Context, id, private, public string, at int64) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO cloud_signing_keys (id, private_key, public_key, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, id, private, public, at)
	return err
}

const licenseRequestCols = `id, instance_key, buyer_id, user_id, kind, file_name, device_sha256, license, issued_at, expire_at, verified_at,
	verify_ok, verify_error`

// InsertLicenseRequest stores an issued license request.
func (tx *Tx) InsertLicenseRequest(ctx context.Context, l *market.LicenseRequest) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO cloud_license_requests (`+licenseRequestCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		l.ID, l.InstanceKey, l.BuyerID, l.UserID, l.Kind, l.FileName, l.DeviceSHA256, l.License, ms(l.IssuedAt), ms(l.ExpireAt),
		ms(l.VerifiedAt), l.VerifyOK, l.VerifyError)
	return err
}

// LicenseRequest returns a license request by ID.
func (r Reader) LicenseRequest(ctx context.Context, id string) (*market.LicenseRequest, error) {
	var l market.LicenseRequest
	var issued, expire, verified int64
	err := r.q.QueryRowContext(ctx, `SELECT `+licenseRequestCols+` FROM cloud_license_requests WHERE id = $1`, id).
		Scan(&l.ID, &l.InstanceKey, &l.BuyerID, &l.UserID, &l.Kind, &l.FileName, &l.DeviceSHA256, &l.License, &issued, &expire, &verified,
			&l.VerifyOK, &l.VerifyError)
	l.IssuedAt, l.ExpireAt, l.VerifiedAt = fromMS(issued), fromMS(expire), fromMS(verified)
	return &l, notFound(err, "license request", id)
}

// VerifyLicenseRequest records what the software reported after verifying its license; the
// first report stands. It reports whether this was the first.
func (tx *Tx) VerifyLicenseRequest(ctx context.Context, id string, ok bool, msg string, at int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_license_requests SET verified_at = $2, verify_ok = $3, verify_error = $4
		WHERE id = $1 AND verified_at = 0`, id, at, ok, msg))
}

const solutionCols = `id, instance_key, file_id, version, user_id, state, result, created_at, updated_at`

// InsertSolution stores a submitted solve job.
func (tx *Tx) InsertSolution(ctx context.Context, s *market.Solution) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO cloud_solutions (`+solutionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		s.ID, s.InstanceKey, s.FileID, s.Version, s.UserID, s.State, s.Result, ms(s.CreatedAt), ms(s.UpdatedAt))
	return err
}

// Solution returns a solve job.
func (r Reader) Solution(ctx context.Context, id string) (*market.Solution, error) {
	var s market.Solution
	var created, updated int64
	err := r.q.QueryRowContext(ctx, `SELECT `+solutionCols+` FROM cloud_solutions WHERE id = $1`, id).
		Scan(&s.ID, &s.InstanceKey, &s.FileID, &s.Version, &s.UserID, &s.State, &s.Result, &created, &updated)
	s.CreatedAt, s.UpdatedAt = fromMS(created), fromMS(updated)
	return &s, notFound(err, "solution", id)
}

// FinishSolution records a solve job's result if it is still in state from.
func (tx *Tx) FinishSolution(ctx context.Context, id, from, state, result string, at int64) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE cloud_solutions SET state = $2, result = $3, updated_at = $4 WHERE id = $1 AND state = $5`,
		id, state, result, at, from))
}

// InsertUpgrade records a client's confirmation of an upgrade.
func (tx *Tx) InsertUpgrade(ctx context.Context, key, user, from, to string, at int64) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO cloud_upgrades (instance_key, user_id, from_version, to_version, at) VALUES ($1, $2, $3, $4, $5)`,
		key, user, from, to, at)
	return err
}

// CountUpgrades counts an instance's upgrade confirmations.
func (r Reader) CountUpgrades(ctx context.Context, key string) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM cloud_upgrades WHERE instance_key = $1`, key).Scan(&n)
	return n, err
}
