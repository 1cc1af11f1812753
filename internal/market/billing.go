package market

import "time"

// Bill is a buyer's bill for one collection.
type Bill struct {
	ID        string
	BuyerID   string
	CycleAt   time.Time
	From, To  time.Time
	Amount    Money
	Currency  string
	CreatedAt time.Time
	Lines     []BillLine
}

// BillLine is one instance's fee in a bill.
type BillLine struct {
	InstanceKey string
	MerchantID  string
	ProductID   string
	Quantity    Quantity
	FromPackage Quantity
	Late        Quantity
	Amount      Money
}

// Entry is one change of a buyer's balance.
type Entry struct {
	Ref     string
	Kind    string
	Amount  Money
	Balance Money
	At      time.Time
}

// Statement is a merchant's monthly settlement: Settlement = Sales − Vouchers − Fee − Refunds.
// Sales are the sales the bill run settled (net of refunds paid before it), Vouchers what the
// merchant's own vouchers paid of them, Refunds what was paid back this month of sales settled
// earlier, and Held what stays held for a later run (rules §8.4: supervision not complete, not
// yet repaid, or below the minimum).
type Statement struct {
	MerchantID string
	Month      string // yyyy-MM
	Sales      Money
	Vouchers   Money
	Fee        Money
	Refunds    Money
	Settlement Money
	Held       Money
	CreatedAt  time.Time
}
