package market

import "time"

// ShipmentState is where a hardware order line's goods are (rules §3.3, §4.1).
type ShipmentState string

// Shipment states: waiting to be shipped (the buyer may still change the address), shipped (in
// transit), signed for by the buyer, or cancelled by a "not received" unsubscription.
const (
	ShipmentAwaiting  ShipmentState = "AWAITING_SHIPMENT"
	ShipmentShipped   ShipmentState = "SHIPPED"
	ShipmentSigned    ShipmentState = "SIGNED"
	ShipmentCancelled ShipmentState = "CANCELLED"
)

// Shipment is the delivery of one hardware instance.
type Shipment struct {
	InstanceKey string
	OrderID     string
	BuyerID     string
	MerchantID  string
	SkuCode     string
	State       ShipmentState
	Address     string
	Carrier     string
	Waybill     string
	ShippedAt   time.Time
	SignedAt    time.Time
	// LastEventAt is when the waybill last showed progress.
	LastEventAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Stock is a hardware spec's stock.
type Stock struct {
	SkuCode    string
	MerchantID string
	Quantity   int
	// ReturnAddress is where buyers send returned goods.
	ReturnAddress string
	UpdatedAt     time.Time
}

// WaybillStatus is what a carrier reports of a waybill.
type WaybillStatus string

// Waybill statuses.
const (
	WaybillInTransit WaybillStatus = "IN_TRANSIT"
	WaybillSigned    WaybillStatus = "SIGNED"
	WaybillException WaybillStatus = "EXCEPTION"
)

// WaybillEvent is one progress event of a waybill.
type WaybillEvent struct {
	Carrier string
	Waybill string
	Seq     int
	At      time.Time
	Status  WaybillStatus
	Text    string
}

// Message is an in-site message to a buyer: a reminder, a result.
type Message struct {
	ID        string
	BuyerID   string
	Kind      string
	Subject   string
	Body      string
	CreatedAt time.Time
	ReadAt    time.Time
	// EmailedAt is when it went out by email; EmailError why it could not.
	EmailedAt  time.Time
	EmailError string
}

// ExpiryPolicy is what a buyer chose to happen at an instance's expiry (修改到期策略, rules §9.3).
type ExpiryPolicy string

// Expiry policies: the default (reminders at 15, 7, 3 and 1 days), auto-renewal from the balance,
// or do-not-renew (one reminder 3 days before).
const (
	PolicyDefault    ExpiryPolicy = "DEFAULT"
	PolicyAutoRenew  ExpiryPolicy = "AUTO_RENEW"
	PolicyDoNotRenew ExpiryPolicy = "DO_NOT_RENEW"
)

// Renewal is an instance's expiry policy.
type Renewal struct {
	InstanceKey string
	BuyerID     string
	Policy      ExpiryPolicy
	// Period and PeriodNumber are what each auto-renewal buys; RenewalsLeft how many more it
	// makes.
	Period       string
	PeriodNumber int
	RenewalsLeft int
	UpdatedAt    time.Time
}

// PurchaseLimit limits how much of a spec one buyer may hold (rules §9.4): at most PerUser
// purchases (0: no limit), and with UntilExpiry no new one while an earlier one has not expired.
// Unsubscribed purchases do not count.
type PurchaseLimit struct {
	SkuCode     string
	PerUser     int
	UntilExpiry bool
}
