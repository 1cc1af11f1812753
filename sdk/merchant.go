package sdk

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// Merchant is what a merchant implements to serve KooGallery's production interface. The
// Handler has already verified the signature, the timestamp window and the nonce, decoded and
// validated the message, and made the call idempotent, so each method sees only genuine,
// well-formed calls and, except where its doc says otherwise, each change only once.
//
// The same method receives the call whatever its generation: a 1.0 GET newInstance and a 2.0
// POST newInstance both reach NewInstance; the call's Generation and Legacy fields carry what
// differs. Embed Unimplemented to implement only the activities a product needs.
//
// A method answers KooGallery through its error: nil is 000000, an *Error carries its own
// result code (000100..000107 for refusals), ErrInstanceNotFound is 000003, anything else is
// 000005, which KooGallery retries.
type Merchant interface {
	// NewInstance creates the instance call.InstanceID for an order line. The SDK has reserved
	// the ID under the line's idempotency key, so duplicates never reach this method while it
	// runs or after it succeeded. It may run longer than the 5 s KooGallery waits: the SDK
	// answers 000004 after Config.ProvisionBudget and lets it finish in the background. After a
	// crash, or when a failed attempt is redelivered, it is called again with the same
	// InstanceID (call.Attempt > 1): make it idempotent per InstanceID.
	NewInstance(ctx context.Context, call *NewInstanceCall) (*Provisioned, error)
	// QueryInstance may add usage (pay-per-use) or fresher login data to the instances the SDK
	// answers queryInstance with. The SDK already answers with the appInfo NewInstance
	// returned; a nil result keeps it.
	QueryInstance(ctx context.Context, call *QueryInstanceCall) ([]kgp.InstanceInfo, error)
	// RefreshInstance renews, converts a trial or cancels a renewal. It runs once per
	// (instance, order, order line, scene); the SDK stores the new expiry.
	RefreshInstance(ctx context.Context, call *RefreshInstanceCall) error
	// UpdateInstanceStatus freezes or unfreezes. The SDK skips calls that would not change the
	// stored status.
	UpdateInstanceStatus(ctx context.Context, call *UpdateInstanceStatusCall) error
	// ReleaseInstance releases an instance; it runs once per instance. Releases of instances
	// the SDK does not know are answered with success without a call.
	ReleaseInstance(ctx context.Context, call *ReleaseInstanceCall) error
	// UpgradeInstance applies an upgrade order; it runs once per (instance, order, line).
	UpgradeInstance(ctx context.Context, call *UpgradeInstanceCall) error
	// ChangeInstanceCheck answers whether a renewal with a spec change is possible: nil allows
	// it. It changes nothing and may be called any number of times.
	ChangeInstanceCheck(ctx context.Context, call *ChangeInstanceCheckCall) error
	// OrderNotify learns that an order was paid. KooGallery may repeat it.
	OrderNotify(ctx context.Context, call *OrderNotifyCall) error

	// The kit syncs of joint-operation products. The SDK remembers the last state it passed on
	// for each entity (tenant, application, user, department) and skips repeats, so a repeated
	// add reaches the merchant once. Deletes reach the merchant even for entities the SDK never
	// saw, and must succeed when there is nothing to delete (returning ErrInstanceNotFound from
	// a delete is answered with success).

	// TenantSync binds, renames or removes the buyer's enterprise.
	TenantSync(ctx context.Context, call *TenantSyncCall) error
	// ApplicationSync creates, modifies or deletes the application credential.
	ApplicationSync(ctx context.Context, call *ApplicationSyncCall) error
	// AuthSync adds, modifies, deletes or de-authorizes users; call.UserList holds only the
	// users whose state changes.
	AuthSync(ctx context.Context, call *AuthSyncCall) error
	// SingleOrgSync adds, modifies or deletes one department.
	SingleOrgSync(ctx context.Context, call *SingleOrgSyncCall) error
	// AllOrgSync replaces the department tree.
	AllOrgSync(ctx context.Context, call *AllOrgSyncCall) error
}

// Unimplemented is a Merchant to embed. Its defaults: NewInstance, UpgradeInstance,
// ChangeInstanceCheck and the kit syncs answer 000005 "not supported" (they need the
// merchant's own logic, and a silent success would lose an order or allow a change nobody
// checked); QueryInstance adds nothing to what the SDK stored; RefreshInstance,
// UpdateInstanceStatus, ReleaseInstance and OrderNotify succeed, the SDK recording the new
// expiry and status, which Handler.Instance reports.
type Unimplemented struct{}

var _ Merchant = Unimplemented{}

// NewInstance implements Merchant.
func (Unimplemented) NewInstance(context.Context, *NewInstanceCall) (*Provisioned, error) {
	return nil, ErrNotImplemented
}

// QueryInstance implements Merchant.
func (Unimplemented) QueryInstance(context.Context, *QueryInstanceCall) ([]kgp.InstanceInfo, error) {
	return nil, nil
}

// RefreshInstance implements Merchant.
func (Unimplemented) RefreshInstance(context.Context, *RefreshInstanceCall) error { return nil }

// UpdateInstanceStatus implements Merchant.
func (Unimplemented) UpdateInstanceStatus(context.Context, *UpdateInstanceStatusCall) error {
	return nil
}

// ReleaseInstance implements Merchant.
func (Unimplemented) ReleaseInstance(context.Context, *ReleaseInstanceCall) error { return nil }

// UpgradeInstance implements Merchant.
func (Unimplemented) UpgradeInstance(context.Context, *UpgradeInstanceCall) error {
	return ErrNotImplemented
}

// ChangeInstanceCheck implements Merchant.
func (Unimplemented) ChangeInstanceCheck(context.Context, *ChangeInstanceCheckCall) error {
	return ErrNotImplemented
}

// OrderNotify implements Merchant.
func (Unimplemented) OrderNotify(context.Context, *OrderNotifyCall) error { return nil }

// TenantSync implements Merchant.
func (Unimplemented) TenantSync(context.Context, *TenantSyncCall) error { return ErrNotImplemented }

// ApplicationSync implements Merchant.
func (Unimplemented) ApplicationSync(context.Context, *ApplicationSyncCall) error {
	return ErrNotImplemented
}

// AuthSync implements Merchant.
func (Unimplemented) AuthSync(context.Context, *AuthSyncCall) error { return ErrNotImplemented }

// SingleOrgSync implements Merchant.
func (Unimplemented) SingleOrgSync(context.Context, *SingleOrgSyncCall) error {
	return ErrNotImplemented
}

// AllOrgSync implements Merchant.
func (Unimplemented) AllOrgSync(context.Context, *AllOrgSyncCall) error { return ErrNotImplemented }

// Provisioned is what NewInstance returns.
type Provisioned struct {
	// AppInfo is what the buyer needs to log in, with userName and password in plaintext: the
	// SDK encrypts them per Config.EncryptType. Encrypted, each must fit in 128 characters
	// (about 64 plaintext bytes). Nil when login data is delivered by SMS or e-mail.
	AppInfo *kgp.AppInfo
}

// NewInstanceCall asks for a new instance.
type NewInstanceCall struct {
	InstanceID  string // reserved by the SDK; the same for every attempt
	OrderID     string
	OrderLineID string // empty in 1.0
	BusinessID  string // of the delivery that first reserved the instance
	// ProductID is known in 1.0 and when Config.Orders fetched the order.
	ProductID    string
	ChargingMode kgp.ChargingMode // known in 1.0 (period, one-time) and when the order was fetched
	TestFlag     bool             // KooGallery's debug tool or a dial test (testFlag=1)
	Generation   kgp.Generation
	Attempt      int // 1 for the first attempt

	// Order and Line are the order from Config.Orders (2.0 carries only IDs); nil otherwise,
	// and then the merchant calls Client.QueryOrder itself.
	Order *kgp.OrderInfo
	Line  *kgp.OrderLine
	// Legacy holds the order details a 1.0 newInstance carries.
	Legacy *kgp.LegacyNewInstance
}

// QueryInstanceCall lists the created instances a queryInstance asks about, in request order,
// with their stored appInfo decrypted.
type QueryInstanceCall struct {
	Instances  []*Instance
	TestFlag   bool
	Generation kgp.Generation
}

// RefreshInstanceCall renews (kgp.SceneRenewal), converts a trial (kgp.SceneTrialToFormal),
// cancels a renewal (kgp.SceneUnsubscribeRenewalPeriod) or renews with a spec change
// (kgp.SceneRenewalChange). 1.0 calls are mapped to the same scenes.
type RefreshInstanceCall struct {
	Instance    *Instance
	OrderID     string // the renewal (or conversion, cancellation) order, not the original
	OrderLineID string // empty in 1.0
	ProductID   string // set when the period type changes
	Scene       string
	ExpireTime  time.Time // the new expiry, UTC
	TestFlag    bool
	Generation  kgp.Generation
	Legacy      *kgp.LegacyRefreshInstance
}

// UpdateInstanceStatusCall freezes (kgp.StatusFreeze) or unfreezes (kgp.StatusUnfreeze).
type UpdateInstanceStatusCall struct {
	Instance   *Instance
	Status     string
	Expired    bool // a 1.0 expireInstance: frozen because the period ended
	TestFlag   bool
	Generation kgp.Generation
}

// ReleaseInstanceCall releases an instance.
type ReleaseInstanceCall struct {
	Instance    *Instance
	OrderID     string // the unsubscription order, when one caused the release
	OrderLineID string
	TestFlag    bool
	Generation  kgp.Generation
}

// UpgradeInstanceCall applies an upgrade order. In 2.0 the merchant reads the new spec with
// Client.QueryOrder; 1.0 carries it in Legacy.
type UpgradeInstanceCall struct {
	Instance    *Instance
	OrderID     string
	OrderLineID string // empty in 1.0
	TestFlag    bool
	Generation  kgp.Generation
	Legacy      *kgp.LegacyUpgrade
}

// ChangeInstanceCheckCall asks whether an instance may be renewed with another spec.
type ChangeInstanceCheckCall struct {
	Instance *Instance
	Product  kgp.ProductInfo
	TestFlag bool
}

// OrderNotifyCall says that an order was paid.
type OrderNotifyCall struct {
	OrderID     string
	OrderLineID string
	TestFlag    bool
}

// TenantSyncCall is a tenant sync of either kit generation.
type TenantSyncCall struct {
	kgp.TenantSync
	Generation kgp.Generation
}

// ApplicationSyncCall is an application sync; decrypt ClientSecret with
// kgp.DecryptClientSecret and the merchant's private key.
type ApplicationSyncCall struct {
	kgp.ApplicationSync
	Generation kgp.Generation
}

// AuthSyncCall is a user authorization sync, reduced to the users whose state changes.
type AuthSyncCall struct {
	kgp.AuthSync
	Generation kgp.Generation
}

// SingleOrgSyncCall is a department incremental sync.
type SingleOrgSyncCall struct {
	kgp.SingleOrgSync
	Generation kgp.Generation
}

// AllOrgSyncCall is a department full sync.
type AllOrgSyncCall struct {
	kgp.AllOrgSync
	Generation kgp.Generation
}
