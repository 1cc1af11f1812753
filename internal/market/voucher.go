package market

import "time"

// VoucherKind tells a voucher (代金券) from a cash coupon (现金券) (rules §8.4, §3.1). Both pay part
// of an order or a pay-per-use bill before the balance does, vouchers first; they differ in what
// an unsubscription gives back.
type VoucherKind string

// Voucher kinds.
const (
	KindVoucher    VoucherKind = "VOUCHER"
	KindCashCoupon VoucherKind = "CASH_COUPON"
)

// VoucherScope is what a voucher may pay for.
type VoucherScope string

// Voucher scopes: anything (platform vouchers only), one catalog product, one spec (skuCode), or
// one SKU of a spec.
const (
	ScopeAll     VoucherScope = "ALL"
	ScopeProduct VoucherScope = "PRODUCT"
	ScopeSpec    VoucherScope = "SPEC"
	ScopeSKU     VoucherScope = "SKU"
)

// VoucherState is where a voucher is. A voucher past its validity is expired without a state
// change: Usable compares the time.
type VoucherState string

// Voucher states: usable (while valid), used up, or made unusable because the spec or SKU it was
// scoped to was discontinued (rules §1.6, §11.1).
const (
	VoucherActive  VoucherState = "ACTIVE"
	VoucherUsed    VoucherState = "USED"
	VoucherInvalid VoucherState = "INVALID"
)

// Voucher is a voucher or cash coupon held by a buyer. A voucher is used once (what an order does
// not need of it is lost); a cash coupon keeps its remaining Balance for later payments.
type Voucher struct {
	ID      string
	Kind    VoucherKind
	Issuer  string // a merchant's ID, or "" for the platform
	BuyerID string
	Scope   VoucherScope
	ScopeID string // the product ID, skuCode or SKU ID; "" for ScopeAll
	Amount  Money  // face value
	Balance Money  // what is left to use
	From    time.Time
	Until   time.Time
	State   VoucherState
	Reason  string // why it became unusable
	Created time.Time
	Updated time.Time
}

// Usable reports whether v can pay at time at.
func (v *Voucher) Usable(at time.Time) bool {
	return v.State == VoucherActive && v.Balance > 0 && !at.Before(v.From) && at.Before(v.Until)
}

// Covers reports whether v may pay for an item of catalog product productID, spec skuCode and
// SKU skuID (skuID "" when the spec has no SKUs).
func (v *Voucher) Covers(productID, skuCode, skuID string) bool {
	switch v.Scope {
	case ScopeAll:
		return true
	case ScopeProduct:
		return v.ScopeID == productID
	case ScopeSpec:
		return v.ScopeID == skuCode
	case ScopeSKU:
		return skuID != "" && v.ScopeID == skuID
	}
	return false
}

// VoucherUse is what a voucher paid of one sale, and what of that went back to it.
type VoucherUse struct {
	VoucherID string
	SaleRef   string
	Amount    Money
	Returned  Money
	At        time.Time
}
