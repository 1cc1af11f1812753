package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// InsertOrder stores an order and its lines. With an idempotency key, a second order with the same
// (buyer, key) is not stored: InsertOrder reports created=false and the caller reads the first
// one with OrderByIdempotencyKey. The UNIQUE constraint decides, so concurrent repeats are safe.
func (tx *Tx) InsertOrder(ctx context.Context, o *market.Order, idempotencyKey string) (created bool, err error) {
	var key any
	if idempotencyKey != "" {
		key = idempotencyKey
	}
	created, err = affected(tx.q.ExecContext(ctx, `INSERT INTO orders
		(id, buyer_id, merchant_id, type, status, amount, refunded, currency, instance_key, reason, idempotency_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (buyer_id, idempotency_key) DO NOTHING`,
		o.ID, o.BuyerID, o.MerchantID, string(o.Type), string(o.Status), int64(o.Amount), int64(o.Refunded), o.Currency,
		o.InstanceKey, o.Reason, key, ms(o.CreatedAt), ms(o.UpdatedAt)))
	if err != nil || !created {
		return false, err
	}
	for _, l := range o.Lines {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO order_lines
			(id, order_id, product_id, sku_code, charging, period, period_number, amount, starts_at, expire_at, quantity)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			l.ID, l.OrderID, l.ProductID, l.SkuCode, string(l.Charging), l.Period, l.PeriodNumber, int64(l.Amount), ms(l.StartsAt), ms(l.ExpireAt),
			l.Quantity); err != nil {
			return false, err
		}
	}
	return true, nil
}

const orderCols = `id, buyer_id, merchant_id, type, status, amount, refunded, currency, instance_key, reason, created_at, updated_at`

func scanOrder(r rowScanner) (*market.Order, error) {
	var o market.Order
	var created, updated int64
	err := r.Scan(&o.ID, &o.BuyerID, &o.MerchantID, &o.Type, &o.Status, &o.Amount, &o.Refunded, &o.Currency,
		&o.InstanceKey, &o.Reason, &created, &updated)
	o.CreatedAt, o.UpdatedAt = fromMS(created), fromMS(updated)
	return &o, err
}

// Order returns an order with its lines.
func (r Reader) Order(ctx context.Context, id string) (*market.Order, error) {
	o, err := scanOrder(r.q.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "order", id)
	}
	o.Lines, err = r.orderLines(ctx, id)
	return o, err
}

// OrderByIdempotencyKey returns the order a buyer placed with an idempotency key.
func (r Reader) OrderByIdempotencyKey(ctx context.Context, buyerID, key string) (*market.Order, error) {
	var id string
	err := r.q.QueryRowContext(ctx, `SELECT id FROM orders WHERE buyer_id = $1 AND idempotency_key = $2`, buyerID, key).Scan(&id)
	if err != nil {
		return nil, notFound(err, "order with idempotency key", key)
	}
	return r.Order(ctx, id)
}

func (r Reader) orderLines(ctx context.Context, orderID string) ([]market.OrderLine, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, order_id, product_id, sku_code, charging, period, period_number, amount, starts_at, expire_at,
		quantity FROM order_lines WHERE order_id = $1 ORDER BY id`, orderID)
	return collect(rows, err, func(r rowScanner) (market.OrderLine, error) {
		var l market.OrderLine
		var starts, expire int64
		err := r.Scan(&l.ID, &l.OrderID, &l.ProductID, &l.SkuCode, &l.Charging, &l.Period, &l.PeriodNumber, &l.Amount, &starts, &expire, &l.Quantity)
		l.StartsAt, l.ExpireAt = fromMS(starts), fromMS(expire)
		return l, err
	})
}

// OrderFilter selects orders to list; empty fields match everything.
type OrderFilter struct {
	BuyerID     string
	MerchantID  string
	InstanceKey string
	Page        Page
}

// Orders lists a page of orders, newest first, without their lines. Only the filters given are
// in the query, so that each reads its own index in page order (migration 00070).
func (r Reader) Orders(ctx context.Context, f OrderFilter) ([]*market.Order, Cursor, error) {
	var q listQuery
	q.and(f.BuyerID != "", `buyer_id = $?`, f.BuyerID)
	q.and(f.MerchantID != "", `merchant_id = $?`, f.MerchantID)
	q.and(f.InstanceKey != "", `(instance_key = $? OR id IN (SELECT order_id FROM order_lines WHERE id = $?))`, f.InstanceKey, f.InstanceKey)
	q.and(!f.Page.After.At.IsZero(), `(created_at < $? OR created_at = $? AND id < $?)`, f.Page.afterMS(), f.Page.afterMS(), f.Page.After.ID)
	query := `SELECT ` + orderCols + ` FROM orders` + q.where() + q.then(` ORDER BY created_at DESC, id DESC LIMIT $?`, f.Page.limit()+1)
	rows, err := r.cachedQuery(ctx, query, q.args...)
	list, err := collect(rows, err, scanOrder)
	return cut(list, err, f.Page, func(o *market.Order) Cursor { return Cursor{o.CreatedAt, o.ID} })
}

// SetOrderStatus moves an order from one of the from statuses to status, recording a refund and a
// reason. It reports false when the order was not in a from status (someone else moved it).
func (tx *Tx) SetOrderStatus(ctx context.Context, id string, status market.OrderStatus, refunded market.Money, reason string, at time.Time, from ...market.OrderStatus) (bool, error) {
	if len(from) == 0 {
		from = []market.OrderStatus{market.OrderProcessing}
	}
	for _, f := range from {
		ok, err := affected(tx.q.ExecContext(ctx, `UPDATE orders SET status = $1, refunded = refunded + $2, reason = $3, updated_at = $4
			WHERE id = $5 AND status = $6`, string(status), int64(refunded), reason, ms(at), id, string(f)))
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// nullString maps "" to NULL.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// TermStart returns when the period ending at expireAt began for an instance: the start of the
// paid order line (purchase, renewal or conversion) that set that expiry. ok is false if none did.
func (r Reader) TermStart(ctx context.Context, instanceKey string, expireAt time.Time) (start time.Time, ok bool, err error) {
	var v int64
	err = r.q.QueryRowContext(ctx, `SELECT l.starts_at FROM order_lines l JOIN orders o ON o.id = l.order_id
		WHERE (l.id = $1 OR o.instance_key = $1) AND l.expire_at = $2 AND o.status IN ('PROCESSING', 'COMPLETED') AND o.type <> 'UNSUBSCRIBE'
		ORDER BY l.starts_at DESC LIMIT 1`, instanceKey, ms(expireAt)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return fromMS(v), err == nil, err
}
