package store

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

// Seller users (rules §0).

const sellerCols = `id, merchant_id, name, role, disabled, created_by, created_at`

func scanSeller(r rowScanner, more ...any) (*market.SellerUser, error) {
	var u market.SellerUser
	var created int64
	err := r.Scan(append([]any{&u.ID, &u.MerchantID, &u.Name, &u.Role, &u.Disabled, &u.CreatedBy, &created}, more...)...)
	u.CreatedAt = fromMS(created)
	return &u, err
}

// InsertSellerUser stores a seller user with the hashes of its token and password. A name taken
// within the merchant is a conflict.
func (tx *Tx) InsertSellerUser(ctx context.Context, u *market.SellerUser, tokenHash, passwordHash string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO seller_users (`+sellerCols+`, token_hash, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		u.ID, u.MerchantID, u.Name, string(u.Role), u.Disabled, u.CreatedBy, ms(u.CreatedAt), tokenHash, passwordHash)
	if isUniqueViolation(err) {
		return market.Invalid("name", "merchant %s already has a user named %s", u.MerchantID, u.Name)
	}
	return err
}

// SellerUser returns a seller user by ID.
func (r Reader) SellerUser(ctx context.Context, id string) (*market.SellerUser, error) {
	u, err := scanSeller(r.cachedQueryRow(ctx, `SELECT `+sellerCols+` FROM seller_users WHERE id = $1`, id))
	return u, notFound(err, "seller user", id)
}

// SellerByTokenHash returns the seller user whose token hashes to h.
func (r Reader) SellerByTokenHash(ctx context.Context, h string) (*market.SellerUser, error) {
	u, err := scanSeller(r.q.QueryRowContext(ctx, `SELECT `+sellerCols+` FROM seller_users WHERE token_hash = $1`, h))
	return u, notFound(err, "seller user", "for token")
}

// SellerByName returns a merchant's seller user by name, with its password hash.
func (r Reader) SellerByName(ctx context.Context, merchantID, name string) (*market.SellerUser, string, error) {
	var hash string
	u, err := scanSeller(r.q.QueryRowContext(ctx, `SELECT `+sellerCols+`, password_hash FROM seller_users WHERE merchant_id = $1 AND name = $2`,
		merchantID, name), &hash)
	return u, hash, notFound(err, "seller user", name)
}

// SellerUsers lists a merchant's seller users, oldest first.
func (r Reader) SellerUsers(ctx context.Context, merchantID string) ([]*market.SellerUser, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+sellerCols+` FROM seller_users WHERE merchant_id = $1 ORDER BY created_at, id`, merchantID)
	return collect(rows, err, func(r rowScanner) (*market.SellerUser, error) { return scanSeller(r) })
}

// UpdateSellerUser writes a seller user's role and disabled flag.
func (tx *Tx) UpdateSellerUser(ctx context.Context, u *market.SellerUser) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE seller_users SET role = $1, disabled = $2 WHERE id = $3`, string(u.Role), u.Disabled, u.ID)
	return err
}

// SetSellerTokenHash replaces a seller user's token.
func (tx *Tx) SetSellerTokenHash(ctx context.Context, id, h string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE seller_users SET token_hash = $1 WHERE id = $2`, h, id)
	return err
}

// SetSellerPasswordHash replaces a seller user's password.
func (tx *Tx) SetSellerPasswordHash(ctx context.Context, id, h string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE seller_users SET password_hash = $1 WHERE id = $2`, h, id)
	return err
}
