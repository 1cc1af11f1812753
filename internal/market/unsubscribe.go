package market

import "time"

// UnsubKind is how an instance is unsubscribed (rules §3.1–§3.3).
type UnsubKind string

// Unsubscription kinds: self-service (products under Huawei Cloud's resource rules: the 5-day
// no-reason refund, else the unused part), negotiated with the seller, hardware not yet received
// or received and returned, and the platform's decision on an appeal.
const (
	UnsubSelfService UnsubKind = "SELF_SERVICE"
	UnsubNegotiated  UnsubKind = "NEGOTIATED"
	UnsubNotReceived UnsubKind = "NOT_RECEIVED"
	UnsubReceived    UnsubKind = "RECEIVED"
	UnsubDecision    UnsubKind = "DECISION"
)

// UnsubState is where an unsubscription request is (rules §3.2, §3.3).
type UnsubState string

// Unsubscription states. PENDING_SELLER_REVIEW → WITHDRAWN | REJECTED | REFUNDING → REFUNDED;
// a received hardware return goes AWAITING_BUYER_RETURN → AWAITING_SELLER_INSPECTION →
// REFUNDING, or DISPUTE for the operator.
const (
	UnsubPendingSeller    UnsubState = "PENDING_SELLER_REVIEW"
	UnsubWithdrawn        UnsubState = "WITHDRAWN"
	UnsubRejected         UnsubState = "REJECTED"
	UnsubRefunding        UnsubState = "REFUNDING"
	UnsubRefunded         UnsubState = "REFUNDED"
	UnsubAwaitingReturn   UnsubState = "AWAITING_BUYER_RETURN"
	UnsubAwaitingInspect  UnsubState = "AWAITING_SELLER_INSPECTION"
	UnsubDispute          UnsubState = "DISPUTE"
	ApprovalPending                  = "PENDING"       // a large refund waits for the operator
	ApprovalByOperator               = "APPROVED"      // the operator approved it
	ApprovalAutomatically            = "AUTO_APPROVED" // nobody reviewed it within 24 hours
)

// OpenUnsubStates are the states in which a request is still open: an instance has at most one.
var OpenUnsubStates = []UnsubState{UnsubPendingSeller, UnsubRefunding, UnsubAwaitingReturn, UnsubAwaitingInspect, UnsubDispute}

// Unsubscription is a buyer's request to unsubscribe an instance, and its refund.
type Unsubscription struct {
	ID          string
	InstanceKey string
	OrderID     string // the order that created the instance
	BuyerID     string
	MerchantID  string
	Kind        UnsubKind
	State       UnsubState
	// Amount is the refund asked for (negotiated: 0 < Amount ≤ Paid); Paid is what the buyer
	// actually paid for the instance, vouchers excluded, less earlier refunds.
	Amount Money
	Paid   Money
	Reason string
	// ShareContact lets the seller see the buyer's phone and email on the request.
	ShareContact bool
	SellerNote   string
	// Approval is "" for a refund that needs no operator, else PENDING, APPROVED or AUTO_APPROVED.
	Approval string
	// ReturnCarrier and ReturnWaybill are the buyer's return shipment (hardware received).
	ReturnCarrier string
	ReturnWaybill string
	// NoReason says the refund used the 5-day no-reason right (vouchers returned, one use of
	// the yearly quota).
	NoReason bool
	// UnsubscribeOrderID is the UNSUBSCRIBE order made when the refund was paid.
	UnsubscribeOrderID string
	// Deadline is when the state's timer acts (buyer return 10 days, inspection 15 days,
	// operator approval 24 hours, refund); zero when none runs.
	Deadline   time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	RefundedAt time.Time
}

// Open reports whether the request is still open.
func (u *Unsubscription) Open() bool {
	for _, s := range OpenUnsubStates {
		if u.State == s {
			return true
		}
	}
	return false
}

// Eligibility is whether and how an instance can be unsubscribed now, and why not, in words.
type Eligibility struct {
	InstanceKey string
	Eligible    bool
	// Kinds are the unsubscriptions the buyer may start (hardware: not received or received).
	Kinds []UnsubKind
	// Paid is the most a negotiated refund may be; Refund what a self-service one pays.
	Paid   Money
	Refund Money
	// NoReason says the 5-day no-reason right applies (within 5 × 24 h of provisioning and the
	// year's quota not used up); QuotaLeft is what remains of it this calendar year.
	NoReason  bool
	QuotaLeft int
	// Rule is the rule that forbids it, when Eligible is false, or the one that applies.
	Rule string
}

// Invoice is an invoice issued for an order; it must be returned before the order can be
// unsubscribed (rules §3.1).
type Invoice struct {
	OrderID    string
	BuyerID    string
	State      string // ISSUED or RETURNED
	IssuedAt   time.Time
	ReturnedAt time.Time
}

// Invoice states.
const (
	InvoiceIssued   = "ISSUED"
	InvoiceReturned = "RETURNED"
)
