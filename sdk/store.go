package sdk

import (
	"context"
	"errors"
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// ProvisionState says how far the creation of an instance has gone.
type ProvisionState string

// Provision states. An instance is reserved as pending before the merchant is asked to create
// it, so a duplicate delivery finds it and answers with the same instanceId.
const (
	ProvisionPending ProvisionState = "pending" // the merchant's NewInstance has not returned yet
	ProvisionReady   ProvisionState = "ready"   // created; appInfo is known
	ProvisionFailed  ProvisionState = "failed"  // the last attempt failed; a redelivery retries
)

// InstanceStatus is the lifecycle status of a created instance.
type InstanceStatus string

// Instance statuses, driven by updateInstanceStatus (1.0: expireInstance, instanceStatus) and
// releaseInstance.
const (
	StatusActive   InstanceStatus = "ACTIVE"
	StatusFrozen   InstanceStatus = "FROZEN"
	StatusReleased InstanceStatus = "RELEASED"
)

// Instance is what the SDK remembers about an instance it created. Merchants read it through
// the calls they receive; a Store implementation persists it.
type Instance struct {
	ID string
	// Key is the idempotency key: the order and either its order line or, for pay-per-use, its
	// productId. A Store keeps it UNIQUE.
	Key         string
	OrderID     string
	OrderLineID string // empty for 1.0, which has no order lines
	ProductID   string

	Provision ProvisionState
	Attempt   int            // how many times provisioning was started
	FailCode  kgp.ResultCode // set when Provision is ProvisionFailed
	FailMsg   string

	Status     InstanceStatus
	Version    int64  // bumped on every status change; part of the key of status operations
	ExpireTime string // yyyyMMddHHmmss UTC, the last one KooGallery sent

	// AppInfo is stored sealed: userName and password encrypted with the access key under
	// EncryptType, so that the state directory holds no plaintext credentials.
	AppInfo     *kgp.AppInfo
	EncryptType kgp.EncryptType

	// Call is the NewInstanceCall that created the instance, as JSON, so that provisioning
	// interrupted by a crash can be resumed with the same input.
	Call []byte

	Created time.Time
	Updated time.Time
}

// ProvisionOutcome is the result of one provisioning attempt.
type ProvisionOutcome struct {
	State       ProvisionState // ProvisionReady or ProvisionFailed
	AppInfo     *kgp.AppInfo   // sealed, for ProvisionReady
	EncryptType kgp.EncryptType
	Code        kgp.ResultCode // for ProvisionFailed
	Msg         string
}

// OpState is the state of an idempotent operation (a renewal, an upgrade, a status change).
type OpState string

// Operation states returned by Store.ClaimOp.
const (
	OpClaimed OpState = "claimed" // the caller inserted the claim and must finish or abandon it
	OpRunning OpState = "running" // another request is performing the same operation now
	OpDone    OpState = "done"    // the operation was already performed
)

// InstanceChange is what a finished operation changes on its instance; zero fields change
// nothing.
type InstanceChange struct {
	InstanceID string
	Status     InstanceStatus
	ExpireTime string
	ProductID  string
}

// Store is the durable state behind a Handler: instances keyed by their idempotency key,
// idempotent operations, and the last state of each kit entity. Package sdk/sqlitestore is the
// SQLite implementation, in a package of its own so that a merchant with another database links
// no SQLite; another database can implement the interface, and must give the same guarantees
// under concurrent calls from several goroutines.
//
// A Store belongs to one Handler at a time: when a Handler starts it resumes every pending
// provisioning it finds, which would run twice if two processes shared the store.
type Store interface {
	// InstanceByLine returns the instance recorded for an order line, or nil.
	InstanceByLine(ctx context.Context, orderID, orderLineID string) (*Instance, error)
	// Reserve inserts inst unless an instance with the same Key exists, atomically (a UNIQUE
	// key, not a lock). It returns the stored instance and whether this call inserted it.
	// It records the order line (inst.OrderLineID, when set) as an alias of the stored
	// instance in both cases.
	Reserve(ctx context.Context, inst *Instance) (stored *Instance, inserted bool, err error)
	// Instances returns the instances among ids that exist, by ID.
	Instances(ctx context.Context, ids ...string) (map[string]*Instance, error)
	// RetryProvision moves a failed instance back to pending and counts an attempt. It reports
	// false when the instance was not failed (another request retried it first).
	RetryProvision(ctx context.Context, id string) (bool, error)
	// FinishProvision records the outcome of the running attempt of a pending instance.
	FinishProvision(ctx context.Context, id string, out ProvisionOutcome) error
	// PendingProvisions lists the instances still pending, oldest first.
	PendingProvisions(ctx context.Context) ([]*Instance, error)

	// ClaimOp claims the operation key for instanceID: OpClaimed when this call inserted the
	// claim, otherwise the state another call left.
	ClaimOp(ctx context.Context, key, instanceID string) (OpState, error)
	// FinishOp marks a claimed operation done and applies change, in one transaction.
	FinishOp(ctx context.Context, key string, change InstanceChange) error
	// AbandonOp removes a claim whose operation failed, so that a redelivery performs it.
	AbandonOp(ctx context.Context, key string) error

	// KitHashes returns the stored state hash of each kit entity of kind among keys.
	KitHashes(ctx context.Context, kind string, keys []string) (map[string]string, error)
	// SetKitHashes stores the state hash of kit entities.
	SetKitHashes(ctx context.Context, kind string, hashes map[string]string) error

	// Recover is called once when a Handler starts. It abandons operations left running by a
	// previous process, which ended without finishing them.
	Recover(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// UsageWindow is the usage of one instance in one UTC hour, as the Reporter aggregates it.
type UsageWindow struct {
	InstanceID        string
	Hour              time.Time // start of the hour, UTC
	Value             int64     // × 10^4 (kgp.UsageScale)
	RelatePkgInstance string
	MeteringSN        string
}

// UsageStore keeps the Reporter's windows until KooGallery has acknowledged them.
type UsageStore interface {
	// AddUsage adds value (× 10^4) to the window of w.InstanceID and w.Hour, creating it with
	// w.MeteringSN and w.RelatePkgInstance. It fails with ErrWindowClosed when the window was
	// already delivered.
	AddUsage(ctx context.Context, w UsageWindow) error
	// UndeliveredWindows lists the windows that started before end and were neither delivered
	// nor rejected, oldest first.
	UndeliveredWindows(ctx context.Context, end time.Time) ([]UsageWindow, error)
	// MarkDelivered records that KooGallery acknowledged the windows with these metering_sn.
	MarkDelivered(ctx context.Context, sns []string, at time.Time) error
	// MarkRejected records that KooGallery refused a window for good, with its reason.
	MarkRejected(ctx context.Context, sn, reason string, at time.Time) error
}

// ErrWindowClosed is returned for usage recorded in an hour that was already reported:
// KooGallery processes only the first record of a window, so the late usage would be lost.
var ErrWindowClosed = errors.New("sdk: usage window already reported")
