package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Unsubscription requests, the 5-day no-reason quota, invoices.

const unsubCols = `id, instance_key, order_id, buyer_id, merchant_id, kind, state, amount, paid, reason, share_contact, seller_note, approval,
	return_carrier, return_waybill, no_reason, unsubscribe_order_id, deadline, created_at, updated_at, refunded_at`

func scanUnsub(r rowScanner) (*market.Unsubscription, error) {
	var u market.Unsubscription
	var deadline, created, updated, refunded int64
	err := r.Scan(&u.ID, &u.InstanceKey, &u.OrderID, &u.BuyerID, &u.MerchantID, &u.Kind, &u.State, &u.Amount, &u.Paid, &u.Reason,
		&u.ShareContact, &u.SellerNote, &u.Approval, &u.ReturnCarrier, &u.ReturnWaybill, &u.NoReason, &u.UnsubscribeOrderID,
		&deadline, &created, &updated, &refunded)
	u.Deadline, u.CreatedAt, u.UpdatedAt, u.RefundedAt = fromMS(deadline), fromMS(created), fromMS(updated), fromMS(refunded)
	return &u, err
}

// InsertUnsubscription stores a new request. An instance has at most one open request: a second
// is refused with a conflict (the unique index decides, so concurrent requests are safe).
func (tx *Tx) InsertUnsubscription(ctx context.Context, u *market.Unsubscription) error {
	ok, err := affected(tx.q.ExecContext(ctx, `INSERT INTO unsubscriptions (`+unsubCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) ON CONFLICT DO NOTHING`,
		u.ID, u.InstanceKey, u.OrderID, u.BuyerID, u.MerchantID, string(u.Kind), string(u.State), int64(u.Amount), int64(u.Paid), u.Reason,
		u.ShareContact, u.SellerNote, u.Approval, u.ReturnCarrier, u.ReturnWaybill, u.NoReason, u.UnsubscribeOrderID, ms(u.Deadline),
		ms(u.CreatedAt), ms(u.UpdatedAt), ms(u.RefundedAt)))
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "instance %s already has an open unsubscription request", u.InstanceKey)
	}
	return err
}

// Unsubscription returns a request.
func (r Reader) Unsubscription(ctx context.Context, id string) (*market.Unsubscription, error) {
	u, err := scanUnsub(r.q.QueryRowContext(ctx, `SELECT `+unsubCols+` FROM unsubscriptions WHERE id = $1`, id))
	return u, notFound(err, "unsubscription", id)
}

// OpenUnsubscription returns an instance's open request (not found when it has none).
func (r Reader) OpenUnsubscription(ctx context.Context, key string) (*market.Unsubscription, error) {
	u, err := scanUnsub(r.q.QueryRowContext(ctx, `SELECT `+unsubCols+` FROM unsubscriptions WHERE instance_key = $1
		AND state IN ('PENDING_SELLER_REVIEW', 'REFUNDING', 'AWAITING_BUYER_RETURN', 'AWAITING_SELLER_INSPECTION', 'DISPUTE')`, key))
	return u, notFound(err, "open unsubscription of instance", key)
}

// UnsubFilter selects requests; empty fields match everything.
type UnsubFilter struct {
	BuyerID    string
	MerchantID string
	State      market.UnsubState
	Page       Page
}

// Unsubscriptions lists a page of requests, newest first.
func (r Reader) Unsubscriptions(ctx context.Context, f UnsubFilter) ([]*market.Unsubscription, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+unsubCols+` FROM unsubscriptions
		WHERE ($1 = '' OR buyer_id = $1) AND ($2 = '' OR merchant_id = $2) AND ($3 = '' OR state = $3)
		AND ($4 = 0 OR created_at < $4 OR created_at = $4 AND id < $5)
		ORDER BY created_at DESC, id DESC LIMIT $6`, f.BuyerID, f.MerchantID, string(f.State), f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanUnsub)
	return cut(list, err, f.Page, func(u *market.Unsubscription) Cursor { return Cursor{u.CreatedAt, u.ID} })
}

// UpdateUnsubscription writes a request's mutable fields if it is still in state from: of two
// parties acting at once (the seller approving, the buyer withdrawing) exactly one wins. It
// reports whether it did.
func (tx *Tx) UpdateUnsubscription(ctx context.Context, u *market.Unsubscription, from market.UnsubState) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE unsubscriptions SET state = $1, amount = $2, seller_note = $3, approval = $4, return_carrier = $5,
		return_waybill = $6, no_reason = $7, unsubscribe_order_id = $8, deadline = $9, updated_at = $10, refunded_at = $11
		WHERE id = $12 AND state = $13`,
		string(u.State), int64(u.Amount), u.SellerNote, u.Approval, u.ReturnCarrier, u.ReturnWaybill, u.NoReason, u.UnsubscribeOrderID,
		ms(u.Deadline), ms(u.UpdatedAt), ms(u.RefundedAt), u.ID, string(from)))
}

// UseNoReason records one use of a buyer's 5-day no-reason quota in year, once per ref.
func (tx *Tx) UseNoReason(ctx context.Context, buyerID string, year int, ref string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO no_reason_uses (buyer_id, year, ref, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		buyerID, year, ref, ms(at))
	return err
}

// NoReasonUses counts a buyer's uses of the 5-day no-reason quota in year.
func (r Reader) NoReasonUses(ctx context.Context, buyerID string, year int) (int, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM no_reason_uses WHERE buyer_id = $1 AND year = $2`, buyerID, year).Scan(&n)
	return n, err
}

// InsertInvoice records an invoice issued for an order, once.
func (tx *Tx) InsertInvoice(ctx context.Context, inv *market.Invoice) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `INSERT INTO invoices (order_id, buyer_id, state, issued_at, returned_at) VALUES ($1, $2, $3, $4, 0)
		ON CONFLICT DO NOTHING`, inv.OrderID, inv.BuyerID, inv.State, ms(inv.IssuedAt)))
}

// ReturnInvoice records an order's invoice returned; it reports false when none was outstanding.
func (tx *Tx) ReturnInvoice(ctx context.Context, orderID string, at time.Time) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE invoices SET state = 'RETURNED', returned_at = $1 WHERE order_id = $2 AND state = 'ISSUED'`, ms(at), orderID))
}

// Invoice returns an order's invoice (nil when none was issued).
func (r Reader) Invoice(ctx context.Context, orderID string) (*market.Invoice, error) {
	var inv market.Invoice
	var issued, returned int64
	err := r.q.QueryRowContext(ctx, `SELECT order_id, buyer_id, state, issued_at, returned_at FROM invoices WHERE order_id = $1`, orderID).
		Scan(&inv.OrderID, &inv.BuyerID, &inv.State, &issued, &returned)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	inv.IssuedAt, inv.ReturnedAt = fromMS(issued), fromMS(returned)
	return &inv, err
}

// LicenseTaken reports whether the buyer has taken (confirmed receipt of) an instance's license
// code: a taken code ends the negotiated unsubscription (rules §3.1).
func (r Reader) LicenseTaken(ctx context.Context, key string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM licenses WHERE instance_key = $1 AND received_at > 0`, key).Scan(&n)
	return n > 0, err
}
