package market

import "time"

// License is a license code the marketplace issued for an instance of a LICENSE spec. Its
// status is its instance's (see the license package); State, ExpireAt and ProductID are the
// instance's when the license was read.
type License struct {
	Code        string
	InstanceKey string // the instance's key: the order line that created it
	MerchantID  string
	BuyerID     string
	OrderID     string
	ReceivedAt  time.Time // when the buyer confirmed receipt; zero before
	ActivatedAt time.Time // set once, by the first activation; zero before
	CreatedAt   time.Time

	State     InstanceState
	ExpireAt  time.Time // zero when the instance does not expire
	ProductID string
}

// HeartbeatKind says which call reported a heartbeat.
type HeartbeatKind string

// Heartbeat kinds: an activation (with or without heartbeatInfo) or a heartbeat (v1 or v2).
const (
	HeartbeatActivate  HeartbeatKind = "ACTIVATE"
	HeartbeatHeartbeat HeartbeatKind = "HEARTBEAT"
)

// Heartbeat is one report from a merchant's software that a license is in use.
type Heartbeat struct {
	LicenseCode       string
	At                time.Time
	Kind              HeartbeatKind
	ThirdPartyAccount string // the end user or device in the merchant's software
	IP                string // the end user's login IP, as the software reported it
}
