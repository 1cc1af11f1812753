package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Merchant keys (protocol §3.1): the keys bound to each interface type, AK/SK pairs, and the
// RSA public key for joint-operation application credentials.

// SetMerchantKeys replaces the keys bound to a merchant's basic and kit interfaces.
func (tx *Tx) SetMerchantKeys(ctx context.Context, merchantID, accessKey, kitKey string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE merchants SET access_key = $1, kit_key = $2 WHERE id = $3`, accessKey, kitKey, merchantID)
	return err
}

// DeleteAPIKey removes a merchant's AK/SK pair; it reports whether there was one.
func (tx *Tx) DeleteAPIKey(ctx context.Context, merchantID, ak string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `DELETE FROM api_keys WHERE merchant_id = $1 AND ak = $2`, merchantID, ak))
}

// SetRSAPublicKey stores a merchant's RSA public key (PEM).
func (tx *Tx) SetRSAPublicKey(ctx context.Context, merchantID, pem string, bits int, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO merchant_rsa_keys (merchant_id, public_key, bits, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (merchant_id) DO UPDATE SET public_key = excluded.public_key, bits = excluded.bits, created_at = excluded.created_at`,
		merchantID, pem, bits, ms(at))
	return err
}

// RSAPublicKey returns a merchant's RSA public key (PEM) and when it was uploaded; "" if none.
func (r Reader) RSAPublicKey(ctx context.Context, merchantID string) (string, time.Time, error) {
	var pem string
	var at int64
	err := r.q.QueryRowContext(ctx, `SELECT public_key, created_at FROM merchant_rsa_keys WHERE merchant_id = $1`, merchantID).Scan(&pem, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	return pem, fromMS(at), err
}
