package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// SKUs, listings and sales status (rules §1.2, §1.5, §1.6).

const skuCols = `id, sku_code, name, attributes, unit, step, max, status`

// InsertSKU stores a SKU.
func (tx *Tx) InsertSKU(ctx context.Context, k *market.SKU) error {
	attrs := ""
	if len(k.Attributes) > 0 {
		b, err := json.Marshal(k.Attributes)
		if err != nil {
			return err
		}
		attrs = string(b)
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO skus (`+skuCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.ID, k.SkuCode, k.Name, attrs, k.Unit, k.Step, k.Max, string(k.Status))
	return err
}

func scanSKU(r rowScanner) (*market.SKU, error) {
	var k market.SKU
	var attrs string
	err := r.Scan(&k.ID, &k.SkuCode, &k.Name, &attrs, &k.Unit, &k.Step, &k.Max, &k.Status)
	if err == nil && attrs != "" {
		err = json.Unmarshal([]byte(attrs), &k.Attributes)
	}
	return &k, err
}

// SKU returns a SKU by ID.
func (r Reader) SKU(ctx context.Context, id string) (*market.SKU, error) {
	k, err := scanSKU(r.q.QueryRowContext(ctx, `SELECT `+skuCols+` FROM skus WHERE id = $1`, id))
	return k, notFound(err, "SKU", id)
}

// SKUsOf lists a spec's SKUs.
func (r Reader) SKUsOf(ctx context.Context, sku string) ([]*market.SKU, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+skuCols+` FROM skus WHERE sku_code = $1 ORDER BY id`, sku)
	return collect(rows, err, scanSKU)
}

// SetListing stores a product's approved listing (JSON).
func (tx *Tx) SetListing(ctx context.Context, productID string, listing []byte) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE products SET listing = $1 WHERE id = $2`, string(listing), productID)
	return err
}

// Listing returns a product's approved listing (JSON), empty when it has none yet.
func (r Reader) Listing(ctx context.Context, productID string) ([]byte, error) {
	var s string
	err := r.q.QueryRowContext(ctx, `SELECT listing FROM products WHERE id = $1`, productID).Scan(&s)
	return []byte(s), notFound(err, "product", productID)
}

// UpdateProductInfo writes a product's name and category (an approved modification).
func (tx *Tx) UpdateProductInfo(ctx context.Context, id, name, category string) error {
	if _, err := tx.q.ExecContext(ctx, `UPDATE products SET name = $1, category = $2 WHERE id = $3`, name, category, id); err != nil {
		return err
	}
	return tx.refreshStorefront(ctx, id, "")
}

// UpdateSpecNames writes a spec's names (an approved modification).
func (tx *Tx) UpdateSpecNames(ctx context.Context, sku, name, nameEN string) error {
	if _, err := tx.q.ExecContext(ctx, `UPDATE specs SET name = $1, name_en = $2 WHERE sku_code = $3`, name, nameEN, sku); err != nil {
		return err
	}
	return tx.refreshStorefront(ctx, "", sku)
}

// SetProductStatus moves a product to status to if it is in one of from; it reports whether it did.
func (tx *Tx) SetProductStatus(ctx context.Context, id string, to market.SalesStatus, from ...market.SalesStatus) (bool, error) {
	ok, err := tx.setStatus(ctx, `UPDATE products SET status = $1 WHERE id = $2 AND status = $3`, id, to, from)
	if err == nil && ok {
		err = tx.refreshStorefront(ctx, id, "")
	}
	return ok, err
}

// SetSpecStatus moves a spec to status to if it is in one of from.
func (tx *Tx) SetSpecStatus(ctx context.Context, sku string, to market.SalesStatus, from ...market.SalesStatus) (bool, error) {
	ok, err := tx.setStatus(ctx, `UPDATE specs SET status = $1 WHERE sku_code = $2 AND status = $3`, sku, to, from)
	if err == nil && ok {
		err = tx.refreshStorefront(ctx, "", sku)
	}
	return ok, err
}

// SetSKUStatus moves a SKU to status to if it is in one of from.
func (tx *Tx) SetSKUStatus(ctx context.Context, id string, to market.SalesStatus, from ...market.SalesStatus) (bool, error) {
	ok, err := tx.setStatus(ctx, `UPDATE skus SET status = $1 WHERE id = $2 AND status = $3`, id, to, from)
	if err == nil && ok {
		var sku string
		if err = tx.q.QueryRowContext(ctx, `SELECT sku_code FROM skus WHERE id = $1`, id).Scan(&sku); err == nil {
			err = tx.refreshStorefront(ctx, "", sku)
		}
	}
	return ok, err
}

func (tx *Tx) setStatus(ctx context.Context, q, id string, to market.SalesStatus, from []market.SalesStatus) (bool, error) {
	for _, f := range from {
		ok, err := affected(tx.q.ExecContext(ctx, q, string(to), id, string(f)))
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// SetSpecsStatus moves every spec of a product that is in one of from to status to, and the SKUs
// of those specs with them (the cascade of rules §1.5, §1.6).
func (tx *Tx) SetSpecsStatus(ctx context.Context, productID string, to market.SalesStatus, from ...market.SalesStatus) error {
	for _, f := range from {
		if _, err := tx.q.ExecContext(ctx, `UPDATE skus SET status = $1 WHERE status = $2
			AND sku_code IN (SELECT sku_code FROM specs WHERE product_id = $3 AND status = $2)`, string(to), string(f), productID); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `UPDATE specs SET status = $1 WHERE product_id = $2 AND status = $3`,
			string(to), productID, string(f)); err != nil {
			return err
		}
	}
	return tx.refreshStorefront(ctx, productID, "")
}

// SetSKUsStatus moves every SKU of a spec that is in one of from to status to.
func (tx *Tx) SetSKUsStatus(ctx context.Context, sku string, to market.SalesStatus, from ...market.SalesStatus) error {
	for _, f := range from {
		if _, err := tx.q.ExecContext(ctx, `UPDATE skus SET status = $1 WHERE sku_code = $2 AND status = $3`, string(to), sku, string(f)); err != nil {
			return err
		}
	}
	return tx.refreshStorefront(ctx, "", sku)
}

// SetFrozen freezes or unfreezes a product; it reports whether that changed anything.
func (tx *Tx) SetFrozen(ctx context.Context, productID string, frozen bool) (bool, error) {
	ok, err := affected(tx.q.ExecContext(ctx, `UPDATE products SET frozen = $1 WHERE id = $2 AND frozen <> $1`, frozen, productID))
	if err == nil && ok {
		err = tx.refreshStorefront(ctx, productID, "")
	}
	return ok, err
}

// ProductsOnSale lists a page of the products on sale (publicly or by link), by ID.
func (r Reader) ProductsOnSale(ctx context.Context, p Page) ([]*market.Product, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+productCols+` FROM products WHERE status IN ('ON_SALE_PUBLIC', 'ON_SALE_HIDDEN') AND id > $1
		ORDER BY id LIMIT $2`, p.After.ID, p.limit()+1)
	list, err := collect(rows, err, scanProduct)
	return cut(list, err, p, func(p *market.Product) Cursor { return Cursor{ID: p.ID} })
}

// InsertNotification adds a message to a merchant's message centre.
func (tx *Tx) InsertNotification(ctx context.Context, n *market.Notification) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO notifications (id, merchant_id, kind, subject, text, created_at, read_at)
		VALUES ($1, $2, $3, $4, $5, $6, 0)`, n.ID, n.MerchantID, n.Kind, n.Subject, n.Text, ms(n.CreatedAt))
	return err
}

// NotificationFilter selects notifications to list.
type NotificationFilter struct {
	MerchantID string
	Unread     bool
	Page       Page
}

// Notifications lists a page of a merchant's messages, newest first.
func (r Reader) Notifications(ctx context.Context, f NotificationFilter) ([]*market.Notification, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, merchant_id, kind, subject, text, created_at, read_at FROM notifications
		WHERE merchant_id = $1 AND (NOT $2 OR read_at = 0) AND ($3 = 0 OR created_at < $3 OR created_at = $3 AND id < $4)
		ORDER BY created_at DESC, id DESC LIMIT $5`, f.MerchantID, f.Unread, f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, func(r rowScanner) (*market.Notification, error) {
		var n market.Notification
		var created, read int64
		err := r.Scan(&n.ID, &n.MerchantID, &n.Kind, &n.Subject, &n.Text, &created, &read)
		n.CreatedAt, n.ReadAt = fromMS(created), fromMS(read)
		return &n, err
	})
	return cut(list, err, f.Page, func(n *market.Notification) Cursor { return Cursor{n.CreatedAt, n.ID} })
}

// MarkNotificationRead marks a merchant's message read; it reports whether the message exists.
func (tx *Tx) MarkNotificationRead(ctx context.Context, merchantID, id string, at time.Time) (bool, error) {
	if _, err := tx.q.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE merchant_id = $2 AND id = $3 AND read_at = 0`,
		ms(at), merchantID, id); err != nil {
		return false, err
	}
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE merchant_id = $1 AND id = $2`, merchantID, id).Scan(&n)
	return n > 0, err
}
