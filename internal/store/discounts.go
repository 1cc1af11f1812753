package store

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

// Resale authorization discounts (rules §1.9).

const discountCols = `id, merchant_id, product_id, level, partner_id, customer_id, discount, valid_from, valid_to, state, project, created_at, updated_at`

func scanDiscount(r rowScanner) (*market.ResaleDiscount, error) {
	var d market.ResaleDiscount
	var from, to, created, updated int64
	err := r.Scan(&d.ID, &d.MerchantID, &d.ProductID, &d.Level, &d.PartnerID, &d.CustomerID, &d.Discount, &from, &to, &d.State, &d.Project,
		&created, &updated)
	d.ValidFrom, d.ValidTo, d.CreatedAt, d.UpdatedAt = fromMS(from), fromMS(to), fromMS(created), fromMS(updated)
	return &d, err
}

// InsertDiscount stores a discount.
func (tx *Tx) InsertDiscount(ctx context.Context, d *market.ResaleDiscount) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO resale_discounts (`+discountCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		d.ID, d.MerchantID, d.ProductID, d.Level, d.PartnerID, d.CustomerID, d.Discount, ms(d.ValidFrom), ms(d.ValidTo), d.State, d.Project,
		ms(d.CreatedAt), ms(d.UpdatedAt))
	return err
}

// UpdateDiscount writes a discount's value, validity and state if its state is still from.
func (tx *Tx) UpdateDiscount(ctx context.Context, d *market.ResaleDiscount, from string) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE resale_discounts SET discount = $1, valid_from = $2, valid_to = $3, state = $4, updated_at = $5
		WHERE id = $6 AND state = $7`, d.Discount, ms(d.ValidFrom), ms(d.ValidTo), d.State, ms(d.UpdatedAt), d.ID, from))
}

// Discount returns a discount by ID.
func (r Reader) Discount(ctx context.Context, id string) (*market.ResaleDiscount, error) {
	d, err := scanDiscount(r.q.QueryRowContext(ctx, `SELECT `+discountCols+` FROM resale_discounts WHERE id = $1`, id))
	return d, notFound(err, "discount", id)
}

// Discounts lists a product's (or, with productID "", a merchant's) discounts, by level and ID.
func (r Reader) Discounts(ctx context.Context, merchantID, productID string) ([]*market.ResaleDiscount, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+discountCols+` FROM resale_discounts WHERE ($1 = '' OR merchant_id = $1)
		AND ($2 = '' OR product_id = $2) ORDER BY product_id, level, partner_id, customer_id, id LIMIT 1000`, merchantID, productID)
	return collect(rows, err, scanDiscount)
}
