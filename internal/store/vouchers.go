package store

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

const voucherCols = `id, kind, issuer, buyer_id, scope, scope_id, amount, balance, valid_from, valid_until, state, reason, created_at, updated_at`

func scanVoucher(r rowScanner) (*market.Voucher, error) {
	var v market.Voucher
	var from, until, created, updated int64
	err := r.Scan(&v.ID, &v.Kind, &v.Issuer, &v.BuyerID, &v.Scope, &v.ScopeID, &v.Amount, &v.Balance, &from, &until, &v.State, &v.Reason,
		&created, &updated)
	v.From, v.Until, v.Created, v.Updated = fromMS(from), fromMS(until), fromMS(created), fromMS(updated)
	return &v, err
}

// InsertVoucher stores a new voucher.
func (tx *Tx) InsertVoucher(ctx context.Context, v *market.Voucher) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO vouchers (`+voucherCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		v.ID, string(v.Kind), v.Issuer, v.BuyerID, string(v.Scope), v.ScopeID, int64(v.Amount), int64(v.Balance), ms(v.From), ms(v.Until),
		string(v.State), v.Reason, ms(v.Created), ms(v.Updated))
	return err
}

// Voucher returns a voucher.
func (r Reader) Voucher(ctx context.Context, id string) (*market.Voucher, error) {
	v, err := scanVoucher(r.q.QueryRowContext(ctx, `SELECT `+voucherCols+` FROM vouchers WHERE id = $1`, id))
	return v, notFound(err, "voucher", id)
}

// VoucherFilter selects vouchers; empty fields match everything.
type VoucherFilter struct {
	BuyerID string
	// Issuer is a merchant's ID; Platform selects the platform's vouchers instead.
	Issuer   string
	Platform bool
	State    market.VoucherState
	Page     Page
}

// Vouchers lists a page of vouchers, newest first.
func (r Reader) Vouchers(ctx context.Context, f VoucherFilter) ([]*market.Voucher, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+voucherCols+` FROM vouchers
		WHERE ($1 = '' OR buyer_id = $1) AND ($2 = '' OR issuer = $2) AND (NOT $3 OR issuer = '') AND ($4 = '' OR state = $4)
		AND ($5 = 0 OR created_at < $5 OR created_at = $5 AND id < $6)
		ORDER BY created_at DESC, id DESC LIMIT $7`, f.BuyerID, f.Issuer, f.Platform, string(f.State), f.Page.afterMS(), f.Page.After.ID, f.Page.limit()+1)
	list, err := collect(rows, err, scanVoucher)
	return cut(list, err, f.Page, func(v *market.Voucher) Cursor { return Cursor{v.Created, v.ID} })
}

// UsableVouchers lists a buyer's active vouchers valid at at, soonest expiring first.
func (r Reader) UsableVouchers(ctx context.Context, buyerID string, at time.Time) ([]*market.Voucher, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+voucherCols+` FROM vouchers
		WHERE buyer_id = $1 AND state = 'ACTIVE' AND balance > 0 AND valid_from <= $2 AND valid_until > $2
		ORDER BY valid_until, id LIMIT 200`, buyerID, ms(at))
	return collect(rows, err, scanVoucher)
}

// SpendVoucher takes amount from a voucher still active with at least that balance; a voucher
// (used once) or an emptied coupon becomes USED. It reports false when the voucher changed
// meanwhile.
func (tx *Tx) SpendVoucher(ctx context.Context, id string, amount market.Money, at time.Time) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `UPDATE vouchers SET
		balance = CASE WHEN kind = 'VOUCHER' THEN 0 ELSE balance - $1 END,
		state = CASE WHEN kind = 'VOUCHER' OR balance = $1 THEN 'USED' ELSE state END, updated_at = $2
		WHERE id = $3 AND state = 'ACTIVE' AND balance >= $1`, int64(amount), ms(at), id))
}

// InsertVoucherUse records what a voucher paid of a sale.
func (tx *Tx) InsertVoucherUse(ctx context.Context, u market.VoucherUse) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO voucher_uses (voucher_id, sale_ref, amount, returned, at) VALUES ($1, $2, $3, 0, $4)`,
		u.VoucherID, u.SaleRef, int64(u.Amount), ms(u.At))
	return err
}

// VoucherUses lists what vouchers paid of a sale.
func (r Reader) VoucherUses(ctx context.Context, saleRef string) ([]market.VoucherUse, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT voucher_id, sale_ref, amount, returned, at FROM voucher_uses WHERE sale_ref = $1 ORDER BY voucher_id`, saleRef)
	return collect(rows, err, func(r rowScanner) (market.VoucherUse, error) {
		var u market.VoucherUse
		var at int64
		err := r.Scan(&u.VoucherID, &u.SaleRef, &u.Amount, &u.Returned, &at)
		u.At = fromMS(at)
		return u, err
	})
}

// ReturnVoucher gives amount back to a voucher for one of its uses: it is usable again unless it
// was made invalid meanwhile.
func (tx *Tx) ReturnVoucher(ctx context.Context, id, saleRef string, amount market.Money, at time.Time) error {
	ok, err := affected(tx.q.ExecContext(ctx, `UPDATE voucher_uses SET returned = returned + $1 WHERE voucher_id = $2 AND sale_ref = $3 AND returned + $1 <= amount`,
		int64(amount), id, saleRef))
	if err != nil || !ok {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE vouchers SET balance = balance + $1, state = CASE WHEN state = 'USED' THEN 'ACTIVE' ELSE state END, updated_at = $2
		WHERE id = $3`, int64(amount), ms(at), id)
	return err
}

// InvalidateVouchers makes the active vouchers of scope scoped to one of ids unusable, with a
// reason; it returns how many.
func (tx *Tx) InvalidateVouchers(ctx context.Context, scope market.VoucherScope, id, reason string, at time.Time) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE vouchers SET state = 'INVALID', reason = $1, updated_at = $2
		WHERE scope = $3 AND scope_id = $4 AND state = 'ACTIVE'`, reason, ms(at), string(scope), id)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
