package store

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Order notification settings and notifications, and market events.

// SetOrderNotify turns order notification on or off for a product.
func (tx *Tx) SetOrderNotify(ctx context.Context, productID, merchantID string, on bool, at time.Time) error {
	if !on {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM order_notify_products WHERE product_id = $1`, productID)
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO order_notify_products (product_id, merchant_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (product_id) DO NOTHING`, productID, merchantID, ms(at))
	return err
}

// OrderNotify reports whether a product's paid orders are notified.
func (r Reader) OrderNotify(ctx context.Context, productID string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM order_notify_products WHERE product_id = $1`, productID).Scan(&n)
	return n > 0, err
}

// InsertOrderNotification records an order's notification; false when it has one already.
func (tx *Tx) InsertOrderNotification(ctx context.Context, orderID, lineID, callID string, at time.Time) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `INSERT INTO order_notifications (order_id, line_id, call_id, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (order_id) DO NOTHING`, orderID, lineID, callID, ms(at)))
}

const eventCols = `id, order_id, merchant_id, buyer_id, title, kind, file_name, sha256, size, uploaded_at, created_at`

func scanEvent(r rowScanner) (*market.MarketEvent, error) {
	var e market.MarketEvent
	var up, created int64
	err := r.Scan(&e.ID, &e.OrderID, &e.MerchantID, &e.BuyerID, &e.Title, &e.Kind, &e.FileName, &e.SHA256, &e.Size, &up, &created)
	e.UploadedAt, e.CreatedAt = fromMS(up), fromMS(created)
	return &e, err
}

// InsertMarketEvent opens a market event on an order.
func (tx *Tx) InsertMarketEvent(ctx context.Context, e *market.MarketEvent) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO market_events (id, order_id, merchant_id, buyer_id, title, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		e.ID, e.OrderID, e.MerchantID, e.BuyerID, e.Title, ms(e.CreatedAt))
	return err
}

// MarketEvent returns a market event by ID.
func (r Reader) MarketEvent(ctx context.Context, id string) (*market.MarketEvent, error) {
	e, err := scanEvent(r.q.QueryRowContext(ctx, `SELECT `+eventCols+` FROM market_events WHERE id = $1`, id))
	return e, notFound(err, "market event", id)
}

// MarketEvents lists an order's market events, oldest first.
func (r Reader) MarketEvents(ctx context.Context, orderID string) ([]*market.MarketEvent, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+eventCols+` FROM market_events WHERE order_id = $1 ORDER BY created_at, id`, orderID)
	return collect(rows, err, scanEvent)
}

// PutEventContent stores what the merchant uploaded to an event (content: the file or the
// characters), replacing an earlier upload.
func (tx *Tx) PutEventContent(ctx context.Context, e *market.MarketEvent, content []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE market_events SET kind = $2, file_name = $3, sha256 = $4, size = $5, content = $6, uploaded_at = $7
		WHERE id = $1`, e.ID, e.Kind, e.FileName, e.SHA256, e.Size, base64.StdEncoding.EncodeToString(content), ms(e.UploadedAt))
	return err
}

// EventContent returns what was uploaded to an event.
func (r Reader) EventContent(ctx context.Context, id string) ([]byte, error) {
	var s string
	if err := r.q.QueryRowContext(ctx, `SELECT content FROM market_events WHERE id = $1`, id).Scan(&s); err != nil {
		return nil, notFound(err, "market event", id)
	}
	return base64.StdEncoding.DecodeString(s)
}
