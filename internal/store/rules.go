package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Upgrade rules (rules §1.7).

// ReplaceUpgradeRules sets a product's rules to rules.
func (tx *Tx) ReplaceUpgradeRules(ctx context.Context, productID string, rules []*market.UpgradeRule, at time.Time) error {
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM upgrade_rules WHERE product_id = $1`, productID); err != nil {
		return err
	}
	for _, r := range rules {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO upgrade_rules (product_id, source_sku_code, source_sku_id, target_sku_code, target_sku_id,
			step, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, productID, r.Source.SkuCode, r.Source.SkuID, r.Target.SkuCode, r.Target.SkuID,
			r.Step, ms(at)); err != nil {
			if isUniqueViolation(err) {
				return market.Invalid("rules", "the rule %s → %s appears twice", r.Source.SkuCode, r.Target.SkuCode)
			}
			return err
		}
	}
	return nil
}

// UpgradeRules lists a product's rules.
func (r Reader) UpgradeRules(ctx context.Context, productID string) ([]*market.UpgradeRule, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT product_id, source_sku_code, source_sku_id, target_sku_code, target_sku_id, step, created_at
		FROM upgrade_rules WHERE product_id = $1 ORDER BY source_sku_code, source_sku_id, target_sku_code, target_sku_id`, productID)
	return collect(rows, err, func(r rowScanner) (*market.UpgradeRule, error) {
		var u market.UpgradeRule
		var created int64
		err := r.Scan(&u.ProductID, &u.Source.SkuCode, &u.Source.SkuID, &u.Target.SkuCode, &u.Target.SkuID, &u.Step, &created)
		u.CreatedAt = fromMS(created)
		return &u, err
	})
}

// Term returns the order line that paid for an instance's term ending at expireAt (its purchase,
// renewal or trial conversion; an upgrade's line only tops the term up), or ok=false.
func (r Reader) Term(ctx context.Context, instanceKey string, expireAt time.Time) (l *market.OrderLine, ok bool, err error) {
	var line market.OrderLine
	var starts, expire int64
	err = r.q.QueryRowContext(ctx, `SELECT l.id, l.order_id, l.product_id, l.sku_code, l.charging, l.period, l.period_number, l.amount,
		l.starts_at, l.expire_at, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id
		WHERE (l.id = $1 OR o.instance_key = $1) AND l.expire_at = $2 AND o.status IN ('PROCESSING', 'COMPLETED')
		AND o.type IN ('NEW', 'RENEW', 'TRIAL_TO_FORMAL') ORDER BY l.starts_at DESC LIMIT 1`, instanceKey, ms(expireAt)).
		Scan(&line.ID, &line.OrderID, &line.ProductID, &line.SkuCode, &line.Charging, &line.Period, &line.PeriodNumber, &line.Amount,
			&starts, &expire, &line.Quantity)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	line.StartsAt, line.ExpireAt = fromMS(starts), fromMS(expire)
	return &line, err == nil, err
}

// OrderHasCall reports whether an order caused a call of an activity (a renewal change is the
// renewal that asked changeInstanceCheck).
func (r Reader) OrderHasCall(ctx context.Context, orderID, activity string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls WHERE order_id = $1 AND activity = $2`, orderID, activity).Scan(&n)
	return n > 0, err
}
