package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Bill is a buyer's bill for one collection.
type Bill struct {
	ID        string
	BuyerID   string
	CycleAt   time.Time
	From, To  time.Time
	Amount    market.Money
	Currency  string
	CreatedAt time.Time
	Lines     []BillLine
}

// BillLine is one instance's fee in a bill.
type BillLine struct {
	InstanceKey string
	MerchantID  string
	ProductID   string
	Quantity    market.Quantity
	FromPackage market.Quantity
	Late        market.Quantity
	Amount      market.Money
}

// InsertBill stores a bill and its lines unless the buyer already has one for that collection;
// it reports whether it stored it.
func (q queries) InsertBill(ctx context.Context, b *Bill) (bool, error) {
	ok, err := affected(q.q.ExecContext(ctx, `INSERT INTO bills (id, buyer_id, cycle_at, cycle_from, cycle_to, amount, currency, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		b.ID, b.BuyerID, ms(b.CycleAt), ms(b.From), ms(b.To), int64(b.Amount), b.Currency, ms(b.CreatedAt)))
	if err != nil || !ok {
		return false, err
	}
	err = q.upsertMany(ctx, len(b.Lines), 8, `INSERT INTO bill_lines (bill_id, instance_key, merchant_id, product_id, quantity, from_package, late, amount) VALUES `, ``,
		func(i int) []any {
			l := b.Lines[i]
			return []any{b.ID, l.InstanceKey, l.MerchantID, l.ProductID, int64(l.Quantity), int64(l.FromPackage), int64(l.Late), int64(l.Amount)}
		})
	return err == nil, err
}

// Bills lists a buyer's bills (all buyers' with ""), newest first, with their lines.
func (q queries) Bills(ctx context.Context, buyerID string, limit int) ([]*Bill, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, buyer_id, cycle_at, cycle_from, cycle_to, amount, currency, created_at FROM bills
		WHERE ($1 = '' OR buyer_id = $1) ORDER BY cycle_at DESC, id LIMIT $2`, buyerID, limit)
	bills, err := collect(rows, err, func(r rowScanner) (*Bill, error) {
		var b Bill
		var at, from, to, created int64
		err := r.Scan(&b.ID, &b.BuyerID, &at, &from, &to, &b.Amount, &b.Currency, &created)
		b.CycleAt, b.From, b.To, b.CreatedAt = fromMS(at), fromMS(from), fromMS(to), fromMS(created)
		return &b, err
	})
	for _, b := range bills {
		lines, err := q.q.QueryContext(ctx, `SELECT instance_key, merchant_id, product_id, quantity, from_package, late, amount
			FROM bill_lines WHERE bill_id = $1 ORDER BY instance_key`, b.ID)
		if b.Lines, err = collect(lines, err, func(r rowScanner) (BillLine, error) {
			var l BillLine
			err := r.Scan(&l.InstanceKey, &l.MerchantID, &l.ProductID, &l.Quantity, &l.FromPackage, &l.Late, &l.Amount)
			return l, err
		}); err != nil {
			return nil, err
		}
	}
	return bills, err
}

// Entry is one change of a buyer's balance.
type Entry struct {
	Ref     string
	Kind    string
	Amount  market.Money
	Balance market.Money
	At      time.Time
}

// ApplyEntry changes a buyer's balance by amount once per ref: a repeat changes nothing. It
// returns the balance after the entry (or, for a repeat, the current balance) and whether it
// applied.
func (q queries) ApplyEntry(ctx context.Context, buyerID, ref, kind string, amount market.Money, at time.Time) (market.Money, bool, error) {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO accounts (buyer_id, balance, updated_at) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`,
		buyerID, ms(at)); err != nil {
		return 0, false, err
	}
	fresh, err := affected(q.q.ExecContext(ctx, `INSERT INTO account_entries (buyer_id, ref, kind, amount, balance, at)
		VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT DO NOTHING`, buyerID, ref, kind, int64(amount), ms(at)))
	if err != nil {
		return 0, false, err
	}
	var balance market.Money
	if !fresh {
		err = q.q.QueryRowContext(ctx, `SELECT balance FROM accounts WHERE buyer_id = $1`, buyerID).Scan(&balance)
		return balance, false, err
	}
	if err := q.q.QueryRowContext(ctx, `UPDATE accounts SET balance = balance + $1, updated_at = $2 WHERE buyer_id = $3 RETURNING balance`,
		int64(amount), ms(at), buyerID).Scan(&balance); err != nil {
		return 0, false, err
	}
	_, err = q.q.ExecContext(ctx, `UPDATE account_entries SET balance = $1 WHERE buyer_id = $2 AND ref = $3`, int64(balance), buyerID, ref)
	return balance, true, err
}

// Account returns a buyer's balance and latest entries.
func (q queries) Account(ctx context.Context, buyerID string, limit int) (market.Money, []Entry, error) {
	var balance market.Money
	err := q.q.QueryRowContext(ctx, `SELECT balance FROM accounts WHERE buyer_id = $1`, buyerID).Scan(&balance)
	if err != nil && !errors.Is(err, sql.ErrNoRows) { // no account yet: a zero balance
		return 0, nil, err
	}
	rows, err := q.q.QueryContext(ctx, `SELECT ref, kind, amount, balance, at FROM account_entries WHERE buyer_id = $1
		ORDER BY at DESC, ref DESC LIMIT $2`, buyerID, limit)
	entries, err := collect(rows, err, func(r rowScanner) (Entry, error) {
		var e Entry
		var at int64
		err := r.Scan(&e.Ref, &e.Kind, &e.Amount, &e.Balance, &at)
		e.At = fromMS(at)
		return e, err
	})
	return balance, entries, err
}

// Statement is a merchant's monthly settlement.
type Statement struct {
	MerchantID string
	Month      string // yyyy-MM
	Sales      market.Money
	Vouchers   market.Money
	Fee        market.Money
	Settlement market.Money
	CreatedAt  time.Time
}

// MonthSales sums a merchant's sales in [from, to): paid orders net of refunds (cancellation
// orders carry no money of their own: the cancelled order holds the refund) plus pay-per-use bills.
func (q queries) MonthSales(ctx context.Context, merchantID string, from, to time.Time) (market.Money, error) {
	var orders, usage market.Money
	err := q.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount - refunded), 0) FROM orders
		WHERE merchant_id = $1 AND type <> 'UNSUBSCRIBE' AND created_at >= $2 AND created_at < $3`, merchantID, ms(from), ms(to)).Scan(&orders)
	if err != nil {
		return 0, err
	}
	err = q.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(l.amount), 0) FROM bill_lines l JOIN bills b ON b.id = l.bill_id
		WHERE l.merchant_id = $1 AND b.created_at >= $2 AND b.created_at < $3`, merchantID, ms(from), ms(to)).Scan(&usage)
	return orders + usage, err
}

// InsertStatement stores a statement unless the merchant has one for the month.
func (q queries) InsertStatement(ctx context.Context, s *Statement) (bool, error) {
	return affected(q.q.ExecContext(ctx, `INSERT INTO statements (merchant_id, month, sales, vouchers, fee, settlement, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		s.MerchantID, s.Month, int64(s.Sales), int64(s.Vouchers), int64(s.Fee), int64(s.Settlement), ms(s.CreatedAt)))
}

// Statements lists statements, of one merchant or all (""), newest first.
func (q queries) Statements(ctx context.Context, merchantID string, limit int) ([]*Statement, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT merchant_id, month, sales, vouchers, fee, settlement, created_at FROM statements
		WHERE ($1 = '' OR merchant_id = $1) ORDER BY month DESC, merchant_id LIMIT $2`, merchantID, limit)
	return collect(rows, err, func(r rowScanner) (*Statement, error) {
		var s Statement
		var created int64
		err := r.Scan(&s.MerchantID, &s.Month, &s.Sales, &s.Vouchers, &s.Fee, &s.Settlement, &created)
		s.CreatedAt = fromMS(created)
		return &s, err
	})
}
