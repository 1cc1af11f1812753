package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Purchase rules, customer levels, per-instance arrears and the validity of supervised lines.

// SetPurchaseLimit sets a spec's purchase limit; a limit of nothing removes it.
func (tx *Tx) SetPurchaseLimit(ctx context.Context, l market.PurchaseLimit, at time.Time) error {
	if l.PerUser == 0 && !l.UntilExpiry {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM purchase_limits WHERE sku_code = $1`, l.SkuCode)
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO purchase_limits (sku_code, per_user, until_expiry, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (sku_code) DO UPDATE SET per_user = excluded.per_user, until_expiry = excluded.until_expiry, updated_at = excluded.updated_at`,
		l.SkuCode, l.PerUser, l.UntilExpiry, ms(at))
	return err
}

// PurchaseLimit returns a spec's purchase limit (the zero limit when it has none).
func (r Reader) PurchaseLimit(ctx context.Context, skuCode string) (market.PurchaseLimit, error) {
	l := market.PurchaseLimit{SkuCode: skuCode}
	err := r.q.QueryRowContext(ctx, `SELECT per_user, until_expiry FROM purchase_limits WHERE sku_code = $1`, skuCode).Scan(&l.PerUser, &l.UntilExpiry)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return l, err
}

// HeldPurchases counts a buyer's purchases of a spec that a purchase limit counts: instances
// that were delivered or are being delivered, less the unsubscribed ones (rules §9.4); live
// counts those among them not yet expired.
func (r Reader) HeldPurchases(ctx context.Context, buyerID, skuCode string) (all, live int, err error) {
	err = r.q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN state IN ('PENDING', 'PROVISIONING', 'ACTIVE') THEN 1 ELSE 0 END), 0)
		FROM instances i WHERE buyer_id = $1 AND sku_code = $2 AND state <> 'FAILED' AND NOT trial
		AND NOT EXISTS (SELECT 1 FROM unsubscriptions u WHERE u.instance_key = i.line_id AND u.state = 'REFUNDED')`, buyerID, skuCode).Scan(&all, &live)
	return all, live, err
}

// RestrictTrial restricts a product's trials (all specs with skuCode "") to whitelisted buyers,
// or lifts the restriction.
func (tx *Tx) RestrictTrial(ctx context.Context, productID, skuCode string, on bool) error {
	if !on {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM trial_restrictions WHERE product_id = $1 AND sku_code = $2`, productID, skuCode)
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO trial_restrictions (product_id, sku_code) VALUES ($1, $2) ON CONFLICT DO NOTHING`, productID, skuCode)
	return err
}

// WhitelistTrial adds a buyer to, or removes it from, a product's trial whitelist.
func (tx *Tx) WhitelistTrial(ctx context.Context, productID, buyerID string, on bool) error {
	if !on {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM trial_whitelist WHERE product_id = $1 AND buyer_id = $2`, productID, buyerID)
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO trial_whitelist (product_id, buyer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, productID, buyerID)
	return err
}

// TrialAllowed reports whether a buyer may take a trial of a product's spec: the spec's trial is
// not restricted, or the buyer is on the product's whitelist.
func (r Reader) TrialAllowed(ctx context.Context, productID, skuCode, buyerID string) (bool, error) {
	var restricted, listed int
	err := r.q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM trial_restrictions WHERE product_id = $1 AND (sku_code = '' OR sku_code = $2)),
		(SELECT COUNT(*) FROM trial_whitelist WHERE product_id = $1 AND buyer_id = $3)`, productID, skuCode, buyerID).Scan(&restricted, &listed)
	return restricted == 0 || listed > 0, err
}

// SetCustomerLevel sets a buyer's customer level ("" removes it).
func (tx *Tx) SetCustomerLevel(ctx context.Context, buyerID, level string, at time.Time) error {
	if level == "" {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM customer_levels WHERE buyer_id = $1`, buyerID)
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO customer_levels (buyer_id, level, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (buyer_id) DO UPDATE SET level = excluded.level, updated_at = excluded.updated_at`, buyerID, level, ms(at))
	return err
}

// CustomerLevel returns a buyer's customer level ("" when none is set).
func (r Reader) CustomerLevel(ctx context.Context, buyerID string) (string, error) {
	var level string
	err := r.q.QueryRowContext(ctx, `SELECT level FROM customer_levels WHERE buyer_id = $1`, buyerID).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return level, err
}

// InsertArrears puts an instance in arrears since since, to be frozen at freezeAt, unless it is
// already; it reports whether it did.
func (tx *Tx) InsertArrears(ctx context.Context, key, buyerID string, since, freezeAt time.Time) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `INSERT INTO arrears (instance_key, buyer_id, since, freeze_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		key, buyerID, ms(since), ms(freezeAt)))
}

// ArrearsSince returns when an instance went into arrears (ok false when it is not).
func (r Reader) ArrearsSince(ctx context.Context, key string) (since time.Time, ok bool, err error) {
	var v int64
	err = r.q.QueryRowContext(ctx, `SELECT since FROM arrears WHERE instance_key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return fromMS(v), err == nil, err
}

// ClearArrears takes every instance of a buyer out of arrears and returns their keys.
func (tx *Tx) ClearArrears(ctx context.Context, buyerID string) ([]string, error) {
	rows, err := tx.q.QueryContext(ctx, `DELETE FROM arrears WHERE buyer_id = $1 RETURNING instance_key`, buyerID)
	return collect(rows, err, func(r rowScanner) (string, error) {
		var k string
		return k, r.Scan(&k)
	})
}

// SetLineTerm moves the period an order line pays for: a supervised line's validity starts when
// the buyer accepts the delivery (rules §4.4).
func (tx *Tx) SetLineTerm(ctx context.Context, lineID string, starts, expire time.Time) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE order_lines SET starts_at = $1, expire_at = $2 WHERE id = $3`, ms(starts), ms(expire), lineID)
	return err
}

// SpecMerchant returns a spec and the merchant whose product it is: who may configure it.
func (r Reader) SpecMerchant(ctx context.Context, skuCode string) (*market.Spec, string, error) {
	sp, err := r.Spec(ctx, skuCode)
	if err != nil {
		return nil, "", err
	}
	p, err := r.Product(ctx, sp.ProductID)
	if err != nil {
		return nil, "", err
	}
	return sp, p.MerchantID, nil
}
