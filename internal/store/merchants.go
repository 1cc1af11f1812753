package store

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

const merchantCols = `id, name, production_url, generation, access_key, kit_key, require_body_sign, previous_access_key,
	previous_kit_key, keys_rotated_at, created_at`

func (r Reader) scanMerchant(s rowScanner) (*market.Merchant, error) {
	var m market.Merchant
	var rotated, created int64
	if err := s.Scan(&m.ID, &m.Name, &m.ProductionURL, &m.Generation, &m.AccessKey, &m.KitKey, &m.RequireBodySign,
		&m.PreviousAccessKey, &m.PreviousKitKey, &rotated, &created); err != nil {
		return nil, err
	}
	m.KeysRotatedAt, m.CreatedAt = fromMS(rotated), fromMS(created)
	return &m, r.keys.openAll(&m.AccessKey, &m.KitKey, &m.PreviousAccessKey, &m.PreviousKitKey)
}

// InsertMerchant stores a new merchant.
func (tx *Tx) InsertMerchant(ctx context.Context, m *market.Merchant) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO merchants (`+merchantCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		m.ID, m.Name, m.ProductionURL, m.Generation, tx.keys.seal(m.AccessKey), tx.keys.seal(m.KitKey), m.RequireBodySign,
		tx.keys.seal(m.PreviousAccessKey), tx.keys.seal(m.PreviousKitKey), ms(m.KeysRotatedAt), ms(m.CreatedAt))
	return err
}

// UpdateMerchant writes a merchant's mutable fields.
func (tx *Tx) UpdateMerchant(ctx context.Context, m *market.Merchant) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE merchants SET name = $1, production_url = $2, generation = $3, access_key = $4, kit_key = $5,
		require_body_sign = $6, previous_access_key = $7, previous_kit_key = $8, keys_rotated_at = $9 WHERE id = $10`,
		m.Name, m.ProductionURL, m.Generation, tx.keys.seal(m.AccessKey), tx.keys.seal(m.KitKey), m.RequireBodySign,
		tx.keys.seal(m.PreviousAccessKey), tx.keys.seal(m.PreviousKitKey), ms(m.KeysRotatedAt), m.ID)
	return err
}

// SetAPIKeySecret replaces the SK of an AK.
func (tx *Tx) SetAPIKeySecret(ctx context.Context, ak, sk string) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE api_keys SET sk = $1 WHERE ak = $2`, tx.keys.seal(sk), ak)
	return err
}

// Merchant returns a merchant by ID.
func (r Reader) Merchant(ctx context.Context, id string) (*market.Merchant, error) {
	m, err := r.scanMerchant(r.q.QueryRowContext(ctx, `SELECT `+merchantCols+` FROM merchants WHERE id = $1`, id))
	return m, notFound(err, "merchant", id)
}

// Merchants lists a page of merchants, by ID.
func (r Reader) Merchants(ctx context.Context, p Page) ([]*market.Merchant, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+merchantCols+` FROM merchants WHERE id > $1 ORDER BY id LIMIT $2`, p.After.ID, p.limit()+1)
	list, err := collect(rows, err, r.scanMerchant)
	return cut(list, err, p, func(m *market.Merchant) Cursor { return Cursor{ID: m.ID} })
}

// InsertAPIKey stores an AK/SK pair.
func (tx *Tx) InsertAPIKey(ctx context.Context, k *market.APIKey) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO api_keys (ak, sk, merchant_id, created_at) VALUES ($1, $2, $3, $4)`,
		k.AK, tx.keys.seal(k.SK), k.MerchantID, ms(k.CreatedAt))
	return err
}

// APIKey returns an AK/SK pair by its AK.
func (r Reader) APIKey(ctx context.Context, ak string) (*market.APIKey, error) {
	var k market.APIKey
	var created int64
	err := r.q.QueryRowContext(ctx, `SELECT ak, sk, merchant_id, created_at FROM api_keys WHERE ak = $1`, ak).
		Scan(&k.AK, &k.SK, &k.MerchantID, &created)
	if err != nil {
		return nil, notFound(err, "access key", ak)
	}
	k.CreatedAt = fromMS(created)
	return &k, r.keys.openAll(&k.SK)
}

// APIKeysOf lists a merchant's AK/SK pairs, oldest first.
func (r Reader) APIKeysOf(ctx context.Context, merchantID string) ([]*market.APIKey, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT ak, sk, merchant_id, created_at FROM api_keys WHERE merchant_id = $1 ORDER BY created_at, ak`, merchantID)
	return collect(rows, err, func(s rowScanner) (*market.APIKey, error) {
		var k market.APIKey
		var created int64
		if err := s.Scan(&k.AK, &k.SK, &k.MerchantID, &created); err != nil {
			return nil, err
		}
		k.CreatedAt = fromMS(created)
		return &k, r.keys.openAll(&k.SK)
	})
}

// DeleteAPIKey removes a merchant's AK/SK pair; it reports whether there was one.
func (tx *Tx) DeleteAPIKey(ctx context.Context, merchantID, ak string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `DELETE FROM api_keys WHERE merchant_id = $1 AND ak = $2`, merchantID, ak))
}
