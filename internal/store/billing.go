package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// InsertBill stores a bill and its lines unless the buyer already has one for that collection;
// it reports whether it stored it.
func (tx *Tx) InsertBill(ctx context.Context, b *market.Bill) (bool, error) {
	ok, err := affected(tx.q.ExecContext(ctx, `INSERT INTO bills (id, buyer_id, cycle_at, cycle_from, cycle_to, amount, currency, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		b.ID, b.BuyerID, ms(b.CycleAt), ms(b.From), ms(b.To), int64(b.Amount), b.Currency, ms(b.CreatedAt)))
	if err != nil || !ok {
		return false, err
	}
	err = tx.upsertMany(ctx, len(b.Lines), 8, `INSERT INTO bill_lines (bill_id, instance_key, merchant_id, product_id, quantity, from_package, late, amount) VALUES `, ``,
		func(i int) []any {
			l := b.Lines[i]
			return []any{b.ID, l.InstanceKey, l.MerchantID, l.ProductID, int64(l.Quantity), int64(l.FromPackage), int64(l.Late), int64(l.Amount)}
		})
	return err == nil, err
}

// Bills lists a page of a buyer's bills (all buyers' with ""), newest first, with their lines.
func (r Reader) Bills(ctx context.Context, buyerID string, p Page) ([]*market.Bill, Cursor, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT id, buyer_id, cycle_at, cycle_from, cycle_to, amount, currency, created_at FROM bills
		WHERE ($1 = '' OR buyer_id = $1) AND ($2 = 0 OR cycle_at < $2 OR cycle_at = $2 AND id > $3)
		ORDER BY cycle_at DESC, id LIMIT $4`, buyerID, p.afterMS(), p.After.ID, p.limit()+1)
	bills, err := collect(rows, err, func(r rowScanner) (*market.Bill, error) {
		var b market.Bill
		var at, from, to, created int64
		err := r.Scan(&b.ID, &b.BuyerID, &at, &from, &to, &b.Amount, &b.Currency, &created)
		b.CycleAt, b.From, b.To, b.CreatedAt = fromMS(at), fromMS(from), fromMS(to), fromMS(created)
		return &b, err
	})
	bills, next, err := cut(bills, err, p, func(b *market.Bill) Cursor { return Cursor{b.CycleAt, b.ID} })
	for _, b := range bills {
		lines, err := r.q.QueryContext(ctx, `SELECT instance_key, merchant_id, product_id, quantity, from_package, late, amount
			FROM bill_lines WHERE bill_id = $1 ORDER BY instance_key`, b.ID)
		if b.Lines, err = collect(lines, err, func(r rowScanner) (market.BillLine, error) {
			var l market.BillLine
			err := r.Scan(&l.InstanceKey, &l.MerchantID, &l.ProductID, &l.Quantity, &l.FromPackage, &l.Late, &l.Amount)
			return l, err
		}); err != nil {
			return nil, Cursor{}, err
		}
	}
	return bills, next, err
}

// ApplyEntry changes a buyer's balance by amount once per ref: a repeat changes nothing. The
// balance may go below zero (a bill deducted into arrears), but never past ±market.MaxBalance:
// such an entry is refused with a conflict and nothing is written. It returns the balance after
// the entry (or, for a repeat, the current balance) and whether it applied.
func (tx *Tx) ApplyEntry(ctx context.Context, buyerID, ref, kind string, amount market.Money, at time.Time) (market.Money, bool, error) {
	return tx.entry(ctx, buyerID, ref, kind, amount, at, -market.MaxBalance)
}

// Charge takes amount (> 0) from a buyer's balance once per ref, only if the balance covers it:
// a payment never goes into arrears. A charge the balance does not cover is refused with a
// payment error and nothing is written; a repeat of ref changes nothing.
func (tx *Tx) Charge(ctx context.Context, buyerID, ref, kind string, amount market.Money, at time.Time) (market.Money, bool, error) {
	return tx.entry(ctx, buyerID, ref, kind, -amount, at, 0)
}

// entry applies one ledger entry, keeping the balance within [floor, MaxBalance]. The bounds
// are checked in the UPDATE itself, so the sum never overflows on either engine (SQLite would
// turn it into a float) and two transactions cannot both pass the check.
func (tx *Tx) entry(ctx context.Context, buyerID, ref, kind string, amount market.Money, at time.Time, floor market.Money) (market.Money, bool, error) {
	if amount > market.MaxBalance || amount < -market.MaxBalance {
		return 0, false, market.Errorf(market.CodeInvalid, "amount %s is beyond what an account holds", amount)
	}
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO accounts (buyer_id, balance, updated_at) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`,
		buyerID, ms(at)); err != nil {
		return 0, false, err
	}
	fresh, err := affected(tx.q.ExecContext(ctx, `INSERT INTO account_entries (buyer_id, ref, kind, amount, balance, at)
		VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT DO NOTHING`, buyerID, ref, kind, int64(amount), ms(at)))
	if err != nil {
		return 0, false, err
	}
	var balance market.Money
	if !fresh {
		err = tx.q.QueryRowContext(ctx, `SELECT balance FROM accounts WHERE buyer_id = $1`, buyerID).Scan(&balance)
		return balance, false, err
	}
	// balance + amount must stay in [floor, MaxBalance]; both bounds are rewritten so that
	// nothing in the comparison can overflow (|amount| and |floor| are at most MaxBalance).
	err = tx.q.QueryRowContext(ctx, `UPDATE accounts SET balance = balance + $1, updated_at = $2
		WHERE buyer_id = $3 AND balance >= $4 AND balance <= $5 RETURNING balance`,
		int64(amount), ms(at), buyerID, int64(floor-amount), int64(market.MaxBalance-amount)).Scan(&balance)
	if errors.Is(err, sql.ErrNoRows) {
		if err := tx.q.QueryRowContext(ctx, `SELECT balance FROM accounts WHERE buyer_id = $1`, buyerID).Scan(&balance); err != nil {
			return 0, false, err
		}
		if floor == 0 && amount < 0 {
			return balance, false, market.Errorf(market.CodePayment, "the balance %s does not cover %s; top up first", balance, -amount)
		}
		return balance, false, market.Errorf(market.CodeConflict, "the balance %s cannot take %s more", balance, amount)
	}
	if err != nil {
		return 0, false, err
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE account_entries SET balance = $1 WHERE buyer_id = $2 AND ref = $3`, int64(balance), buyerID, ref)
	return balance, true, err
}

// Account returns a buyer's balance and latest entries.
func (r Reader) Account(ctx context.Context, buyerID string, limit int) (market.Money, []market.Entry, error) {
	var balance market.Money
	err := r.q.QueryRowContext(ctx, `SELECT balance FROM accounts WHERE buyer_id = $1`, buyerID).Scan(&balance)
	if err != nil && !errors.Is(err, sql.ErrNoRows) { // no account yet: a zero balance
		return 0, nil, err
	}
	rows, err := r.q.QueryContext(ctx, `SELECT ref, kind, amount, balance, at FROM account_entries WHERE buyer_id = $1
		ORDER BY at DESC, ref DESC LIMIT $2`, buyerID, limit)
	entries, err := collect(rows, err, func(r rowScanner) (market.Entry, error) {
		var e market.Entry
		var at int64
		err := r.Scan(&e.Ref, &e.Kind, &e.Amount, &e.Balance, &at)
		e.At = fromMS(at)
		return e, err
	})
	return balance, entries, err
}

// InsertStatement stores a statement unless the merchant has one for the month.
func (tx *Tx) InsertStatement(ctx context.Context, s *market.Statement) (bool, error) {
	return affected(tx.q.ExecContext(ctx, `INSERT INTO statements (merchant_id, month, sales, vouchers, fee, settlement, created_at, refunds, held)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		s.MerchantID, s.Month, int64(s.Sales), int64(s.Vouchers), int64(s.Fee), int64(s.Settlement), ms(s.CreatedAt), int64(s.Refunds), int64(s.Held)))
}

// Statements lists statements, of one merchant or all (""), newest first.
func (r Reader) Statements(ctx context.Context, merchantID string, limit int) ([]*market.Statement, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT merchant_id, month, sales, vouchers, fee, settlement, created_at, refunds, held FROM statements
		WHERE ($1 = '' OR merchant_id = $1) ORDER BY month DESC, merchant_id LIMIT $2`, merchantID, limit)
	return collect(rows, err, func(r rowScanner) (*market.Statement, error) {
		var s market.Statement
		var created int64
		err := r.Scan(&s.MerchantID, &s.Month, &s.Sales, &s.Vouchers, &s.Fee, &s.Settlement, &created, &s.Refunds, &s.Held)
		s.CreatedAt = fromMS(created)
		return &s, err
	})
}
