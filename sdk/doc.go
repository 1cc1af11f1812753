// Package sdk is the Go SDK for merchants (ISVs) selling on Huawei Cloud KooGallery (华为云云商店)
// or on a Mercato marketplace. It gets right by construction what hand-written integrations
// usually get wrong: signature checks in constant time, a timestamp window and a nonce cache on
// every generation, one instance per order line however often the platform retries, answers
// within the platform's 5 s, and usage that is never billed twice.
//
// # The production interface
//
// NewHandler returns the http.Handler of a product's production URL. It serves, on one URL:
//
//   - the SaaS 2.0 basic interfaces: POST with signature, timestamp and nonce URL parameters
//     and the activity in the JSON body;
//   - the SaaS 1.0 GET interfaces, signed with an authToken and a timeStamp;
//   - the joint-operation kit syncs at .../produceAPI/v2/<name> (x-sign headers) and
//     .../produceAPI/<name> (authToken header), verified with Config.KitKey.
//
// Each request is verified (signature first, then the ±60 s window and the nonce; 1.0 and kit
// v1, which have no nonce, use their authToken as one), decoded with package kgp and passed to
// the Merchant as a typed call; 1.0 and 2.0 reach the same methods. Answers are JSON, always
// signed with Body-Sign (required by 1.0, harmless for 2.0), with these result codes:
//
//	000001  missing or wrong signature, timestamp outside the window, replayed nonce
//	000002  malformed body, missing or invalid mandatory field, unknown activity (HTTP 200)
//	000003  refresh, status change, upgrade or change check of an unknown instance
//	000004  newInstance still provisioning after Config.ProvisionBudget (3 s)
//	000005  a Merchant error, unless it is an *Error carrying its own code (000100..000107)
//
// A rejected request changes nothing and never reaches the Merchant.
//
// # Idempotency
//
// The Handler keeps its state in a Store: SQLite in a state directory (package sdk/sqlitestore)
// or the merchant's own database behind the interface. newInstance reserves the instance under
// its idempotency key — (orderId, orderLineId), or (orderId, productId) for a pay-per-use line
// when Config.Orders can show the order, and (orderId, productId) in 1.0, which has no order
// lines — with an insert under a UNIQUE key, so the first delivery wins and every duplicate,
// concurrent or later, answers with the same instanceId. Renewals and upgrades run once per
// order; status changes and releases that change nothing are answered without a call; kit syncs
// reach the Merchant only when they change the stored state of their tenant, application, user
// or department.
//
// # Asynchronous provisioning
//
// When NewInstance outlives the budget the Handler answers 000004 with the instanceId and lets
// it finish; KooGallery then polls queryInstance, which answers appInfo once it is ready. The
// reserved row is the durable job: after a crash, the next Handler on the same store calls
// NewInstance again with the same InstanceID.
//
// # The open API and usage
//
// Client calls KooGallery's open API — QueryOrder, PushUsage, ActivateLicense, Heartbeat,
// HeartbeatBatch — with APIG signing, the usage body signature, retries with backoff and the
// documented fallback host. Reporter aggregates pay-per-use usage per instance and hour,
// persists it and pushes each hour once in minutes 0–15 of the next.
//
// # Readings of open questions
//
// Where KooGallery's documentation is silent or contradicts itself (see the protocol
// specification, §12), the SDK takes the reading a platform is least likely to reject:
// appInfo credentials are always encrypted and encryptType is always sent (§12.7); 2.0
// newInstance answers the instanceId without appInfo (§12.8), 1.0 with it; a stale timestamp is
// 000001, as the documentation says, not the 000002 of Huawei's demo (§14.3); a release of an
// unknown instance succeeds, since there is nothing left to release; a queryInstance of which
// no instance is known answers 000003.
package sdk
