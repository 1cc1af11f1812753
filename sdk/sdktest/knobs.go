package sdktest

import (
	"time"

	"github.com/mercato-oss/mercato/kgp"
)

// Every is the key of Knobs.Delay that applies to every request, whatever its activity.
const Every kgp.Activity = "*"

// Forever is a delay that never ends by itself: the request hangs until its caller gives up or
// the Merchant closes. KooGallery gives a call 5 s, so a hang is a failed call.
const Forever = time.Duration(1<<63 - 1)

// raceWindow is the gap Faults.RacyCreate leaves between its check and its insert: long enough
// for duplicates sent together to overlap on a busy machine.
const raceWindow = 20 * time.Millisecond

// Knobs say how the Merchant behaves. Change them with Merchant.Set, also while it serves; each
// request reads them once when it arrives (a scripted failure when the SDK calls the merchant).
// The zero value is a correct, prompt merchant.
type Knobs struct {
	// Down answers every request with HTTP 503 and no body, as a merchant under maintenance.
	Down bool
	// Delay holds each request of an activity (kit syncs by their interface name, Every for
	// all) this long before it is served; Forever hangs it. A caller that gives up, or Close,
	// ends the wait, and the request is then aborted without an answer.
	Delay map[kgp.Activity]time.Duration
	// Fail makes the merchant's own code fail (000005) the first N times the SDK passes it a
	// call of the activity, counting down. The SDK answers repeats of finished operations
	// itself, so those do not count; a failed newInstance is retried by its redelivery.
	Fail map[kgp.Activity]int
	// Async answers newInstance with 000004; queryInstance then leaves the instance out of its
	// answer ReadyAfter times before listing it with appInfo. It applies to instances created
	// while it is on.
	Async      bool
	ReadyAfter int
	// NoAppInfo leaves appInfo out of every answer, so the instance never becomes ready.
	NoAppInfo bool
	// ProvisionDelay is how long the merchant's NewInstance works. Past Options.ProvisionBudget
	// the SDK answers 000004 and finishes in the background, as a real slow merchant's would.
	ProvisionDelay time.Duration
	// PlaintextAppInfo sends appInfo credentials unencrypted and without encryptType, as
	// Huawei's 2.0 demo does; KooGallery accepts it (protocol §14.4).
	PlaintextAppInfo bool
	// Faults break rules of the protocol that the SDK never breaks.
	Faults Faults
}

// Faults each break one rule of the protocol, for testing checkers (package conformance) and
// platforms. The SDK keeps every rule, so most faults rewrite the request before it reaches the
// SDK or the answer after it; the zero value breaks nothing.
type Faults struct {
	// NewIDPerDelivery answers every newInstance with its own businessId as instanceId, so a
	// redelivery gets a new instance (rule: idempotency).
	NewIDPerDelivery bool
	// RacyCreate gives a newInstance that overlaps another for the same order line its own
	// instanceId, as a check-then-insert without a unique key does (rule: idempotency).
	RacyCreate bool
	// CreateBeforeAuth creates the instance of a newInstance before its signature is checked
	// (rule: no side effect of a refused request).
	CreateBeforeAuth bool
	// AcceptBadSignature does not check 2.0 signatures and 1.0 authTokens (rule: signature).
	AcceptBadSignature bool
	// NoTimestampCheck accepts 2.0 and 1.0 timestamps however old (rule: timestamp), as
	// Huawei's 1.0 demo does.
	NoTimestampCheck bool
	// NoNonceCheck accepts a 2.0 nonce seen before (rule: replay). 1.0 has no nonce.
	NoNonceCheck bool
	// SkipFieldValidation answers 000000 to a 2.0 or 1.0 request missing a mandatory field
	// (rule: mandatory field), as merchants that bind requests without validating do.
	SkipFieldValidation bool
	// NoBodySign sends answers without Body-Sign (rule: body-sign, required in 1.0).
	NoBodySign bool
	// LowercaseBodySign sends the signature only under "body-sign"; KooGallery matches the
	// name case-sensitively (rule: body-sign).
	LowercaseBodySign bool
	// WrongBodySignKey signs answers with another key (rule: body-sign).
	WrongBodySignKey bool
	// NonJSON answers "success" as text/plain (rule: json).
	NonJSON bool
	// AppInfoWrongKey encrypts appInfo credentials with another key (rule: appInfo).
	AppInfoWrongKey bool
	// MaxQueryIDs refuses (000002) a queryInstance of more instances than this; 0 is no limit
	// beyond the protocol's 100 (rule: queryInstance capacity).
	MaxQueryIDs int
	// ReleaseUnknownFails answers 000005 to a release of an instance never created (rule:
	// release without existence).
	ReleaseUnknownFails bool
	// ReleaseForgets answers 000003 to a release of an instance already released or never
	// created, as a merchant that deletes on release does (rule: idempotency).
	ReleaseForgets bool
	// KitAcceptBadSignature does not check kit x-sign and kit v1 authToken (rule: signature).
	KitAcceptBadSignature bool
	// KitNoTimestampCheck accepts kit timestamps however old (rule: timestamp).
	KitNoTimestampCheck bool
	// KitNoNonceCheck accepts a kit v2 x-nonce seen before (rule: replay).
	KitNoNonceCheck bool
	// KitAddRepeatFails answers 000005 to a kit add of data already added (rule: idempotency).
	KitAddRepeatFails bool
	// KitDeleteAbsentFails answers 000005 to a kit delete of data never added (rule: delete
	// without existence).
	KitDeleteAbsentFails bool
	// MaxAuthSyncUsers refuses (000002) an authSync of more users than this; 0 is no limit
	// beyond the protocol's 500 (rule: authSync capacity).
	MaxAuthSyncUsers int
	// ChangeAnyInstance agrees (000000) to a changeInstanceCheck of an instance never created
	// (rule: check without existence).
	ChangeAnyInstance bool
}

// delay returns how long a request of activity a waits; the caller holds the lock.
func (k *Knobs) delay(a kgp.Activity) time.Duration {
	if d, ok := k.Delay[a]; ok {
		return d
	}
	return k.Delay[Every]
}
