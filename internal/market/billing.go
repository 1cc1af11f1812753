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

// Statement is a merchant's monthly settlement.
type Statement struct {
	MerchantID string
	Month      string // yyyy-MM
	Sales      Money
	Vouchers   Money
	Fee        Money
	Settlement Money
	CreatedAt  time.Time
}
