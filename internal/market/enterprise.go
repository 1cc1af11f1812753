package market

import "time"

// Joint operation (联营, protocol §5): a buyer's enterprise with its departments and users, bound
// to a joint-operation instance, with applications whose users sign in through the
// marketplace's auth centre. Every change reaches the instance's merchant as a kit sync.

// Enterprise is a tenant: the organisation a buyer administers.
type Enterprise struct {
	TenantID   string // 32 hex characters, like a customerId
	TenantCode string // routes its users' logins (the auth centre's path), unique
	Name       string
	// DomainName is the auth centre's address for this enterprise (tenantSync domainName):
	// the merchant calls {DomainName}/api/v1/oauth2/token.
	DomainName string
	// AdminID is the buyer who administers the enterprise; "" for a seller's test enterprise.
	AdminID string
	// TestMerchantID is the merchant whose test credential this enterprise is (protocol §5:
	// instanceId and orderId are then sent empty); "" for a buyer's enterprise.
	TestMerchantID string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Department is one node of an enterprise's department tree.
type Department struct {
	TenantID   string
	OrgCode    string
	Name       string
	ParentCode string // "" for a top-level department
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Enterprise user roles (authSync role): an admin gets administrator rights in the merchant's
// application.
const (
	UserRoleUser  = "user"
	UserRoleAdmin = "admin"
)

// EnterpriseUser is a person of an enterprise.
type EnterpriseUser struct {
	TenantID     string
	UserName     string // the login name, unique in the enterprise (authSync userName)
	Name         string
	Email        string
	Mobile       string
	OrgCode      string // the user's department
	Role         string // UserRoleUser or UserRoleAdmin
	Enabled      bool
	Position     string
	EmployeeCode string
	// HasPassword says whether the user can sign in on the auth centre's login page.
	HasPassword bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// BindingState is whether an instance is bound to its enterprise.
type BindingState string

// Binding states.
const (
	BindingBound   BindingState = "BOUND"
	BindingUnbound BindingState = "UNBOUND"
)

// Binding is a joint-operation purchase bound to an enterprise: the instance whose merchant
// receives the enterprise's syncs.
type Binding struct {
	InstanceKey string // the instance's key, or a test credential's own key
	TenantID    string
	MerchantID  string
	InstanceID  string // the merchant's instanceId; "" for a test credential
	OrderID     string // "" for a test credential
	Test        bool   // a seller's test credential: testFlag 1, empty instanceId and orderId
	State       BindingState
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TenantApp is an application credential of a binding: the OAuth client of the merchant's
// application at the auth centre. The client secret is never stored in clear: the merchant
// receives it encrypted with its RSA key (applicationSync), the auth centre keeps its hash.
type TenantApp struct {
	AppID       string
	InstanceKey string
	TenantID    string
	MerchantID  string
	Name        string
	ClientID    string
	Deleted     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SyncState is where a kit sync is in its binding's sequence.
type SyncState string

// Sync states: HELD waits for the syncs before it, SENT has its call (whose state says how it
// goes), DONE was answered with success.
const (
	SyncHeld SyncState = "HELD"
	SyncSent SyncState = "SENT"
	SyncDone SyncState = "DONE"
)

// KitSync is one kit call to a binding's merchant, in the order its changes were made. Syncs
// of one group (the batches of one authorization change) go out together; a group waits until
// every earlier group succeeded.
type KitSync struct {
	ID          string
	InstanceKey string
	TenantID    string
	MerchantID  string
	Kind        string // kgp kit interface name
	Flag        int    // the kit flag; -1 for allOrgSync, which has none
	Users       int    // users in an authSync batch
	Group       int64
	State       SyncState
	CallID      string
	// CallState is the state of the sync's call once it is SENT.
	CallState CallState
	LastError string
	Form      CallForm
	// Request is the encoded request; lists leave it empty (store.SyncRequest reads it).
	Request   []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// KitKey is what a merchant uploaded for its joint-operation applications: the RSA public key
// applicationSync encrypts client secrets with, and the addresses its login may redirect to.
type KitKey struct {
	MerchantID   string
	PublicKey    string // Base64 X.509 DER
	Bits         int
	RedirectURIs []string
	UpdatedAt    time.Time
}

// KitNotice tells a merchant that a sync to it failed (protocol §5: the merchant is notified,
// the enterprise administrator decides whether to retry).
type KitNotice struct {
	ID         string
	MerchantID string
	TenantID   string
	CallID     string
	Message    string
	CreatedAt  time.Time
}
