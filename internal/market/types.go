package market

import "time"

// Merchant is a seller whose production interface the marketplace calls.
type Merchant struct {
	ID            string
	Name          string
	ProductionURL string
	Generation    int    // interface generation: 1 (GET + authToken) or 2 (POST + URL signature)
	AccessKey     string // bound to the basic interfaces: signatures, Body-Sign, appInfo cipher
	KitKey        string // bound to the joint-operation kit interfaces
	// RequireBodySign makes a 2.0 answer without a valid Body-Sign a failure; 1.0 answers always
	// need one. KooGallery's 2.0 pages do not say, so the default is off (protocol §12.1).
	RequireBodySign bool
	// PreviousAccessKey and PreviousKitKey are the keys replaced at KeysRotatedAt: answers to
	// calls signed before the rotation still verify with them for RotationGrace.
	PreviousAccessKey string
	PreviousKitKey    string
	KeysRotatedAt     time.Time
	CreatedAt         time.Time
}

// RotationGrace is how long a merchant's replaced keys still verify answers: the longest retry
// window, so an answer to any call signed before a rotation is accepted.
const RotationGrace = 3 * time.Hour

// APIKey is an AK/SK pair with which a merchant signs open-API calls.
type APIKey struct {
	AK         string
	SK         string
	MerchantID string
	CreatedAt  time.Time
}

// Charging is how a spec is billed; the values are KooGallery's chargingMode strings.
type Charging string

// Charging modes.
const (
	ChargingPeriod      Charging = "PERIOD"
	ChargingOneTime     Charging = "ONE_TIME"
	ChargingOnDemand    Charging = "ON_DEMAND"
	ChargingOnDemandPkg Charging = "ON_DEMAND_PKG"
)

// Period types of period plans.
const (
	PeriodYear  = "year"
	PeriodMonth = "month"
	PeriodDay   = "day"
)

// Product is a merchant's offering; its specs are what buyers choose between.
type Product struct {
	ID         string
	MerchantID string
	Name       string
	// Status is the product's sales status; Frozen stops new orders and hides it after five
	// days of failed dial tests (protocol §0.2), until the operator lifts it.
	Status    SalesStatus
	Frozen    bool
	Category  string
	CreatedAt time.Time
}

// Spec is a specification of a product, identified by its skuCode.
type Spec struct {
	SkuCode   string
	ProductID string
	Name      string
	Charging  Charging
	TrialDays int // 0: no trial; otherwise 3–180 days, period specs only
	Delivery  Delivery
	// NameEN is the English name buyers see on English bills (rules §1.3).
	NameEN string
	Status SalesStatus
}

// Delivery is how a spec reaches the buyer.
type Delivery string

// Deliveries: through the merchant's production interface (newInstance and the lifecycle calls),
// or as license codes the marketplace issues itself.
const (
	DeliverySaaS    Delivery = "SAAS"
	DeliveryLicense Delivery = "LICENSE"
)

// Plan is what a buyer pays for: a spec at one period type, with KooGallery's productId (one per
// spec × period type) and a price per period (per unit of usage for pay-per-use).
type Plan struct {
	ProductID string // KooGallery productId, e.g. OFFI461867333479178240
	SkuCode   string
	Period    string // year, month, day; "" for one-time and pay-per-use
	Price     Money
	Currency  string
	// SkuID names the SKU of the spec the plan prices; "" for a spec without SKUs.
	SkuID string

	// Pay-per-use billing items: how usage is priced and when it is collected.
	Pricing Pricing
	Tiers   []Tier
	Cycle   Cycle
	// A package plan (ON_DEMAND_PKG) prepays PackageQuota of the billing item PackageItem (a
	// pay-per-use plan's productId); usage beyond it is billed at that item's price.
	PackageItem  string
	PackageQuota Quantity
}

// Pricing is how a pay-per-use billing item prices a cycle's usage.
type Pricing string

// Pricing modes (rules §8.1, the seller release guide's fixed, step and tier prices).
const (
	PricingFixed Pricing = "FIXED" // quantity × Price
	PricingStep  Pricing = "STEP"  // the whole quantity at the price of the tier it reaches
	PricingTier  Pricing = "TIER"  // each part of the quantity at its own tier's price
)

// Tier is one price band: quantities up to UpTo (inclusive; 0 on the last tier means without
// limit) cost Price per unit.
type Tier struct {
	UpTo  Quantity `json:"up_to"`
	Price Money    `json:"price"`
}

// Cycle is when usage of a billing item is collected and billed.
type Cycle string

// Billing cycles (protocol §8.6): hourly items at minute 15 of the next hour, daily items at 01:00
// of the next day.
const (
	CycleHourly Cycle = "HOURLY"
	CycleDaily  Cycle = "DAILY"
)

// Buyer is a customer account.
type Buyer struct {
	CustomerID string
	Name       string
	Email      string
	Mobile     string
	CreatedAt  time.Time
}

// OrderType is KooGallery's orderType.
type OrderType string

// Order types.
const (
	OrderNew           OrderType = "NEW"
	OrderTrial         OrderType = "TRIAL"
	OrderTrialToFormal OrderType = "TRIAL_TO_FORMAL"
	OrderRenew         OrderType = "RENEW"
	OrderChange        OrderType = "CHANGE"
	OrderUnsubscribe   OrderType = "UNSUBSCRIBE"
)

// OrderStatus is where an order is in its processing.
type OrderStatus string

// Order statuses. A paid order is PROCESSING until the merchant has delivered, then COMPLETED.
// An order whose delivery failed for good is REFUNDED; a renewal cancelled by the buyer is
// CANCELLED (and refunded).
const (
	OrderProcessing OrderStatus = "PROCESSING"
	OrderCompleted  OrderStatus = "COMPLETED"
	OrderRefunded   OrderStatus = "REFUNDED"
	OrderCancelled  OrderStatus = "CANCELLED"
)

// Order is a paid order and its lines.
type Order struct {
	ID         string
	BuyerID    string
	MerchantID string
	Type       OrderType
	Status     OrderStatus
	Amount     Money
	Refunded   Money
	Currency   string
	// InstanceKey names the instance a RENEW, CHANGE, TRIAL_TO_FORMAL or UNSUBSCRIBE order acts on.
	InstanceKey string
	// Reason says why an order was refunded or cancelled.
	Reason    string
	CreatedAt time.Time
	UpdatedAt time.Time
	Lines     []OrderLine
}

// OrderLine is one purchased item.
type OrderLine struct {
	ID           string
	OrderID      string
	ProductID    string // KooGallery productId of the plan
	SkuCode      string
	Charging     Charging
	Period       string
	PeriodNumber int
	Amount       Money
	// StartsAt and ExpireAt bound the period the line pays for; zero for one-time and pay-per-use.
	// A renewal starts at the previous expiry, even when it is bought after it (rules §9.3).
	StartsAt time.Time
	ExpireAt time.Time
	// Quantity is the chosen amount of the SKU's quantity attribute (linearValue); 0 without one.
	Quantity int64
}

// InstanceState is the marketplace's view of an instance.
type InstanceState string

// Instance states (rules §9.3).
const (
	InstancePending      InstanceState = "PENDING"      // newInstance not yet answered
	InstanceProvisioning InstanceState = "PROVISIONING" // answered 000004; polling queryInstance
	InstanceActive       InstanceState = "ACTIVE"
	InstanceFrozen       InstanceState = "FROZEN"
	InstanceReleased     InstanceState = "RELEASED"
	InstanceFailed       InstanceState = "FAILED" // never delivered; the order was refunded
)

// Instance is a delivered (or to-be-delivered) product instance.
type Instance struct {
	// Key identifies the instance inside the marketplace from the moment its order line exists:
	// it is the ID of the line that created it. ID, the merchant's instanceId, comes later.
	Key        string
	ID         string
	OrderID    string
	MerchantID string
	BuyerID    string
	ProductID  string
	SkuCode    string
	Charging   Charging
	Period     string
	State      InstanceState
	Delivery   Delivery
	Trial      bool
	// Quantity is the instance's amount of its SKU's quantity attribute; 0 without one.
	Quantity int64
	ExpireAt time.Time // zero when the instance does not expire
	// ReleaseAt is when a frozen instance will be released.
	ReleaseAt time.Time
	// AppInfo is the merchant's answer as received (credentials possibly encrypted, EncryptType
	// says how); AppInfoJSON holds it verbatim.
	AppInfoJSON []byte
	EncryptType string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CallState is where a merchant call is.
type CallState string

// Call states: a call is retried while PENDING until its deadline, then FAILED (gave up) until
// someone restarts it by hand.
const (
	CallPending   CallState = "PENDING"
	CallSucceeded CallState = "SUCCEEDED"
	CallFailed    CallState = "FAILED"
)

// CallForm is the wire form a call is sent in.
type CallForm string

// Call forms: the 2.0 basic interface (POST JSON, URL signature), the 1.0 basic interface (GET
// query, authToken), and the joint-operation kit interfaces v1 (authToken header) and v2
// (x-sign headers).
const (
	FormBasic  CallForm = "basic"
	FormLegacy CallForm = "legacy"
	FormKitV1  CallForm = "kit1"
	FormKitV2  CallForm = "kit2"
)

// Call is one interface message to a merchant (生产接口消息): what to send, and where it stands.
type Call struct {
	ID          string
	MerchantID  string
	Activity    string // kgp activity or kit interface name
	InstanceKey string
	OrderID     string
	// Form and Request are the request as encoded by kgp, before stamping and signing: the 2.0
	// or kit JSON body, or the 1.0 query string. Each attempt decodes it with kgp's decoder and
	// stamps, signs and (for newInstance) gives it a fresh businessId.
	Form       CallForm
	Request    []byte
	State      CallState
	Attempts   int
	ResultCode string
	LastError  string
	Deadline   time.Time // retry window end
	// NextAttemptAt is when a pending call is tried next; zero while an attempt is under way.
	NextAttemptAt time.Time
	JobID         int64 // the queue's job that sends the call
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Attempt is one HTTP exchange of a Call, kept for the seller console.
type Attempt struct {
	CallID   string
	N        int
	At       time.Time
	Method   string
	URL      string
	Request  []byte
	Status   int
	Response []byte // the answer's first bytes (at most a few KiB)
	// ResponseSize is the answer's length as read (reading stops past 1 MiB).
	ResponseSize int
	ResultCode   string
	Latency      time.Duration
	Error        string
}
