package market

import "time"

// Sale is what one payment sold — an order line, or one instance's line of a pay-per-use bill —
// what paid for it, and where its money stands until the merchant is settled (rules §8.4).
// Gross = SellerDiscount + PlatformDiscount + Cash: vouchers and coupons pay their part, the
// buyer's balance the rest. Held is what the merchant's held account holds for the sale: Gross
// less what the merchant's own vouchers paid, less refunds and returned platform vouchers.
type Sale struct {
	Ref         string // line:<orderLineId> or bill:<billId>:<instanceKey>
	MerchantID  string
	BuyerID     string
	OrderID     string // "" for a bill
	InstanceKey string
	ProductID   string   // the catalog product
	Kind        Delivery // the product type of the bill run
	Gross       Money
	// SellerDiscount is what the merchant's own vouchers and coupons paid (borne by the
	// merchant); PlatformDiscount what the platform's paid (borne by the platform).
	SellerDiscount   Money
	PlatformDiscount Money
	// Cash is what the buyer's balance paid; Unpaid the part of it the balance did not cover (a
	// credit-pay purchase or a pay-per-use bill in arrears), which blocks settlement until the
	// buyer's balance is back above zero.
	Cash     Money
	Unpaid   Money
	Refunded Money // cash paid back
	// Returned is what the platform's vouchers paid and got back (returned with an unsubscription).
	Returned Money
	Held     Money
	// EffectiveAt is when the sale counts for settlement: a renewal from the start of its period.
	EffectiveAt  time.Time
	At           time.Time
	SettledMonth string // yyyy-MM of the statement that settled it; "" while held
}

// Ledger accounts beside buyers' balances: what the platform owes each merchant (held until the
// bill run settles it, then payable until paid out) and the platform's own fees, net of the
// vouchers it bears. Buyer balances + merchants' accounts + the platform = money in − money out.
const (
	AccountPlatform = "platform"
)

// AccountHeld names a merchant's held account: sales not yet settled.
func AccountHeld(merchantID string) string { return "seller:" + merchantID + ":held" }

// AccountPayable names a merchant's payable account: settled and not yet paid out.
func AccountPayable(merchantID string) string { return "seller:" + merchantID + ":payable" }

// Posting kinds on the merchants' and platform's accounts.
const (
	PostSale    = "SALE"    // a sale's merchant part
	PostVoucher = "VOUCHER" // what the platform's vouchers paid
	PostRefund  = "REFUND"  // cash paid back to a buyer, taken from the merchant
	PostReturn  = "RETURN"  // a platform voucher's value returned with an unsubscription
	PostSettle  = "SETTLE"  // held sales moved to payable, less the fee
	PostFee     = "FEE"     // the platform's fee
	PostPayout  = "PAYOUT"  // paid out to the merchant: money out
)

// Posting is one movement on a merchant's or the platform's account.
type Posting struct {
	Account string
	Ref     string
	Kind    string
	Amount  Money
	At      time.Time
}

// AccountBalance is an account's balance.
type AccountBalance struct {
	Account string
	Balance Money
}
