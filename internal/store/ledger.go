package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// The after-sale ledger: sales, postings on the merchants' and platform's accounts, credit.

const saleCols = `ref, merchant_id, buyer_id, order_id, instance_key, product_id, kind, gross, seller_discount, platform_discount,
	cash, unpaid, refunded, returned, held, effective_at, at, settled_month`

func scanSale(r rowScanner) (*market.Sale, error) {
	var s market.Sale
	var eff, at int64
	err := r.Scan(&s.Ref, &s.MerchantID, &s.BuyerID, &s.OrderID, &s.InstanceKey, &s.ProductID, &s.Kind, &s.Gross, &s.SellerDiscount,
		&s.PlatformDiscount, &s.Cash, &s.Unpaid, &s.Refunded, &s.Returned, &s.Held, &eff, &at, &s.SettledMonth)
	s.EffectiveAt, s.At = fromMS(eff), fromMS(at)
	return &s, err
}

// InsertSale stores a sale once; it reports whether it stored it.
func (tx *Tx) InsertSale(ctx context.Context, s *market.Sale) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `INSERT INTO sales (`+saleCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING`,
		s.Ref, s.MerchantID, s.BuyerID, s.OrderID, s.InstanceKey, s.ProductID, string(s.Kind), int64(s.Gross), int64(s.SellerDiscount),
		int64(s.PlatformDiscount), int64(s.Cash), int64(s.Unpaid), int64(s.Refunded), int64(s.Returned), int64(s.Held),
		ms(s.EffectiveAt), ms(s.At), s.SettledMonth))
}

// Sale returns a sale by its ref.
func (r Reader) Sale(ctx context.Context, ref string) (*market.Sale, error) {
	s, err := scanSale(r.q.QueryRowContext(ctx, `SELECT `+saleCols+` FROM sales WHERE ref = $1`, ref))
	return s, notFound(err, "sale", ref)
}

// SaleFilter selects sales; empty fields match everything.
type SaleFilter struct {
	InstanceKey string
	OrderID     string
	BuyerID     string
	MerchantID  string
}

// Sales lists the sales f selects, oldest first (at most 10,000: an instance's or an order's).
func (r Reader) Sales(ctx context.Context, f SaleFilter) ([]*market.Sale, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+saleCols+` FROM sales
		WHERE ($1 = '' OR instance_key = $1) AND ($2 = '' OR order_id = $2) AND ($3 = '' OR buyer_id = $3) AND ($4 = '' OR merchant_id = $4)
		ORDER BY at, ref LIMIT 10000`, f.InstanceKey, f.OrderID, f.BuyerID, f.MerchantID)
	return collect(rows, err, scanSale)
}

// RefundSale records cash paid back and platform-voucher value returned for a sale; while the
// sale is held, its held amount goes down by both. Cash paid back first pays off what the sale
// still owed.
func (tx *Tx) RefundSale(ctx context.Context, ref string, cash, returned market.Money) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE sales SET refunded = refunded + $1, returned = returned + $2,
		held = CASE WHEN settled_month = '' THEN held - $1 - $2 ELSE held END,
		unpaid = CASE WHEN unpaid > $1 THEN unpaid - $1 ELSE 0 END WHERE ref = $3`, int64(cash), int64(returned), ref)
	return err
}

// SetSaleUnpaid records what of a sale's cash the balance did not cover.
func (tx *Tx) SetSaleUnpaid(ctx context.Context, ref string, unpaid market.Money) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE sales SET unpaid = $1 WHERE ref = $2`, int64(unpaid), ref)
	return err
}

// MarkRepaid clears every unpaid part of a buyer's sales: the balance is back above zero.
func (tx *Tx) MarkRepaid(ctx context.Context, buyerID string) (int64, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE sales SET unpaid = 0 WHERE buyer_id = $1 AND unpaid > 0`, buyerID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SettleableSales lists a merchant's held sales that a bill run closing at until may settle:
// effective before it, fully paid, and not waiting on a service flow (rules §8.4).
func (r Reader) SettleableSales(ctx context.Context, merchantID string, until time.Time) ([]*market.Sale, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT `+saleCols+` FROM sales s
		WHERE merchant_id = $1 AND settled_month = '' AND effective_at < $2 AND unpaid = 0
		AND NOT EXISTS (SELECT 1 FROM service_flows f WHERE f.instance_key = s.instance_key AND f.state NOT IN ('COMPLETED', 'CLOSED'))
		ORDER BY at, ref`, merchantID, ms(until))
	return collect(rows, err, scanSale)
}

// HeldTotal sums what a merchant's unsettled sales effective before until still hold.
func (r Reader) HeldTotal(ctx context.Context, merchantID string, until time.Time) (market.Money, error) {
	var v market.Money
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(held), 0) FROM sales WHERE merchant_id = $1 AND settled_month = '' AND effective_at < $2`,
		merchantID, ms(until)).Scan(&v)
	return v, err
}

// GrossSales sums a merchant's sales made in [from, to), for the fee's incentive tier.
func (r Reader) GrossSales(ctx context.Context, merchantID string, from, to time.Time) (market.Money, error) {
	var v market.Money
	err := r.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(gross - refunded - returned), 0) FROM sales WHERE merchant_id = $1 AND at >= $2 AND at < $3`,
		merchantID, ms(from), ms(to)).Scan(&v)
	return v, err
}

// MarkSettled records that a statement settled the sales refs.
func (tx *Tx) MarkSettled(ctx context.Context, month string, refs []string) error {
	for _, ref := range refs {
		if _, err := tx.q.ExecContext(ctx, `UPDATE sales SET settled_month = $1 WHERE ref = $2 AND settled_month = ''`, month, ref); err != nil {
			return err
		}
	}
	return nil
}

// Post applies a posting once per (account, ref); it reports whether it applied.
func (tx *Tx) Post(ctx context.Context, p market.Posting) (bool, error) {
	if p.Amount == 0 {
		return false, nil
	}
	return affected(tx.q.ExecContext(ctx, `INSERT INTO ledger_postings (account, ref, kind, amount, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, p.Account, p.Ref, p.Kind, int64(p.Amount), ms(p.At)))
}

// PostingSum sums an account's postings of the given kinds made in [from, to).
func (r Reader) PostingSum(ctx context.Context, account string, from, to time.Time, kinds ...string) (market.Money, error) {
	var total market.Money
	for _, k := range kinds {
		var v market.Money
		if err := r.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM ledger_postings WHERE account = $1 AND kind = $2 AND at >= $3 AND at < $4`,
			account, k, ms(from), ms(to)).Scan(&v); err != nil {
			return 0, err
		}
		total += v
	}
	return total, nil
}

// AccountBalances returns every ledger account's balance (merchants' held and payable, the
// platform), by account.
func (r Reader) AccountBalances(ctx context.Context) ([]market.AccountBalance, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT account, SUM(amount) FROM ledger_postings GROUP BY account ORDER BY account`)
	return collect(rows, err, func(r rowScanner) (market.AccountBalance, error) {
		var b market.AccountBalance
		err := r.Scan(&b.Account, &b.Balance)
		return b, err
	})
}

// LedgerTotals are the sums the ledger's identity is checked on: buyers' balances + merchants'
// accounts + the platform = top-ups − payouts.
type LedgerTotals struct {
	Buyers, Merchants, Platform, TopUps, Payouts market.Money
}

// Totals sums the whole ledger.
func (r Reader) Totals(ctx context.Context) (LedgerTotals, error) {
	var t LedgerTotals
	err := r.q.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(SUM(balance), 0) FROM accounts),
		(SELECT COALESCE(SUM(amount), 0) FROM ledger_postings WHERE account LIKE 'seller:%'),
		(SELECT COALESCE(SUM(amount), 0) FROM ledger_postings WHERE account = 'platform'),
		(SELECT COALESCE(SUM(amount), 0) FROM account_entries WHERE kind = 'TOPUP'),
		(SELECT COALESCE(-SUM(amount), 0) FROM ledger_postings WHERE kind = 'PAYOUT')`).
		Scan(&t.Buyers, &t.Merchants, &t.Platform, &t.TopUps, &t.Payouts)
	return t, err
}

// ChargeWithin takes amount (> 0) from a buyer's balance once per ref, letting the balance go
// down to −limit (a credit line) but no further: beyond it the charge is refused with a payment
// error and nothing is written.
func (tx *Tx) ChargeWithin(ctx context.Context, buyerID, ref, kind string, amount, limit market.Money, at time.Time) (market.Money, bool, error) {
	return tx.entry(ctx, buyerID, ref, kind, -amount, at, -limit)
}

// Balance returns a buyer's balance (0 without an account).
func (r Reader) Balance(ctx context.Context, buyerID string) (market.Money, error) {
	var b market.Money
	err := r.q.QueryRowContext(ctx, `SELECT balance FROM accounts WHERE buyer_id = $1`, buyerID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return b, err
}

// SetCreditLine sets how far below zero a buyer's balance may go for credit-pay products.
func (tx *Tx) SetCreditLine(ctx context.Context, buyerID string, limit market.Money, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO credit_lines (buyer_id, credit_limit, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (buyer_id) DO UPDATE SET credit_limit = excluded.credit_limit, updated_at = excluded.updated_at`, buyerID, int64(limit), ms(at))
	return err
}

// CreditLine returns a buyer's credit line (0 without one).
func (r Reader) CreditLine(ctx context.Context, buyerID string) (market.Money, error) {
	var v market.Money
	err := r.q.QueryRowContext(ctx, `SELECT credit_limit FROM credit_lines WHERE buyer_id = $1`, buyerID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// SetCreditPay turns credit pay on or off for a catalog product.
func (tx *Tx) SetCreditPay(ctx context.Context, productID string, on bool, at time.Time) error {
	if !on {
		_, err := tx.q.ExecContext(ctx, `DELETE FROM credit_pay_products WHERE product_id = $1`, productID)
		return err
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO credit_pay_products (product_id, updated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, productID, ms(at))
	return err
}

// CreditPay reports whether a catalog product is sold on credit.
func (r Reader) CreditPay(ctx context.Context, productID string) (bool, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM credit_pay_products WHERE product_id = $1`, productID).Scan(&n)
	return n > 0, err
}
