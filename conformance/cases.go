package conformance

import "github.com/mercato-oss/mercato/kgp"

// noNonce is why the replay cases do not apply to 1.0.
const noNonce = "1.0 GET calls and kit v1 carry no nonce (§3.2, §3.3): a replay cannot be told from a retry"

// cases is the suite, in the order it runs and is reported. The response cases come last because
// they examine the answers of all the others. It is a function rather than a package variable
// because the house rules keep package state to constant tables.
func cases() []caseDef {
	return []caseDef{
		{id: "accept.newInstance", rule: "acceptance", spec: "§4.1, §6.1", need: required, run: acceptNewInstance,
			title: "a correctly signed newInstance for the documented mock line MOCKPERIODYEARNEW-000001 succeeds"},
		{id: "accept.queryInstance", rule: "acceptance", spec: "§4.2, §6.7", need: required, run: acceptQueryInstance,
			title: "a correctly signed queryInstance lists new MOCKONETIMENEW and MOCKONDEMANDPKG instances"},
		{id: "accept.refreshInstance", rule: "acceptance", spec: "§4.3, §6.2", need: required, run: acceptRefreshInstance,
			title: "refreshInstance succeeds for a renewal (MOCKMONTYRENEW) and a trial conversion (MOCKMONTYTRIALTOFORMAL)"},
		{id: "accept.instanceStatus", rule: "acceptance", spec: "§4.4, §6.3", need: required, run: acceptInstanceStatus,
			title: "updateInstanceStatus FREEZE and UNFREEZE (1.0: expireInstance) succeed on a MOCKONDEMAND instance"},
		{id: "accept.releaseInstance", rule: "acceptance", spec: "§4.5, §6.4", need: required, run: acceptReleaseInstance,
			title: "releaseInstance after an unsubscription (MOCKMONTYUNSUBSCRIBE) succeeds"},
		{id: "accept.upgradeInstance", rule: "acceptance", spec: "§0.1, §4.6, §6.5", need: optional, run: acceptUpgradeInstance,
			title: "upgradeInstance (1.0: upgrade) with MOCKMONTYCHANGE succeeds; optional, as upgrades are (§0.1)"},
		{id: "accept.kit.tenantSync", rule: "acceptance", spec: "§5.1", need: required, kit: true, run: acceptKit(kgp.KitTenantSync),
			title: "a correctly signed tenantSync add succeeds"},
		{id: "accept.kit.applicationSync", rule: "acceptance", spec: "§5.2", need: required, kit: true, run: acceptKit(kgp.KitApplicationSync),
			title: "a correctly signed applicationSync add with an RSA-OAEP clientSecret succeeds"},
		{id: "accept.kit.authSync", rule: "acceptance", spec: "§5.3", need: required, kit: true, run: acceptKit(kgp.KitAuthSync),
			title: "a correctly signed authSync add of three users succeeds"},
		{id: "accept.kit.singleOrgSync", rule: "acceptance", spec: "§5.4", need: required, kit: true, run: acceptKit(kgp.KitSingleOrgSync),
			title: "a correctly signed singleOrgSync add succeeds"},
		{id: "accept.kit.allOrgSync", rule: "acceptance", spec: "§5.5", need: required, kit: true, run: acceptKit(kgp.KitAllOrgSync),
			title: "a correctly signed allOrgSync of three departments succeeds"},

		{id: "auth.signature", rule: "signature", spec: "§3.2, §3.4, §4.10", need: required, run: authSignature,
			title: "a wrong, body-mismatched or missing signature gets 000001 on every interface, and creates nothing"},
		{id: "auth.timestamp.stale", rule: "timestamp", spec: "§3.8, §14.3", need: required, run: authStale,
			title: "a request signed 10 minutes ago gets 000001 (or 000002) on every interface, and creates nothing"},
		{id: "auth.timestamp.future", rule: "timestamp", spec: "§3.8", need: optional, run: authFuture,
			title: "a request stamped 10 minutes ahead gets 000001 (or 000002); Huawei's demo accepts it"},
		{id: "auth.replay", rule: "replay", spec: "§3.4, §3.8", need: required, only: kgp.Gen2, why: noNonce, run: authReplay,
			title: "the exact same signed newInstance sent twice: the second gets 000001"},
		{id: "auth.missing-field", rule: "mandatory field", spec: "§4, §6, §4.10", need: required, run: authMissingField,
			title: "a correctly signed request without a mandatory field gets 000002 on every interface, and creates nothing"},

		{id: "idem.newInstance.repeat", rule: "idempotency", spec: "§4.1, §4.9, §6.1", need: required, run: idemRepeat,
			title: "a second newInstance for the same order line (new businessId) returns the same instanceId"},
		{id: "idem.newInstance.concurrent", rule: "idempotency", spec: "§4.1, §4.9", need: required, run: idemConcurrent,
			title: "20 concurrent newInstance for one order line (a businessId each) all return one instanceId"},
		{id: "idem.lifecycle.repeat", rule: "idempotency", spec: "§4.9, §6.3", need: required, run: idemLifecycle,
			title: "a repeated refreshInstance and instance-status change succeed again"},
		{id: "release.repeat", rule: "idempotency", spec: "§4.5, §4.9", need: required, run: releaseRepeat,
			title: "a second releaseInstance of the same instance succeeds (000000)"},
		{id: "release.unknown", rule: "release without existence", spec: "§4.5, §4.10, §7", need: required, run: releaseUnknown,
			title: "releaseInstance of an instance the merchant never created answers 000000 (or 000003)"},
		{id: "query.batch", rule: "queryInstance capacity", spec: "§4.2, §6.7", need: required, run: queryBatch,
			title: "one queryInstance with 100 comma-separated instanceIds lists all 100"},
		{id: "query.appInfo", rule: "appInfo", spec: "§3.7, §4.2, §14.4", need: required, run: queryAppInfo,
			title: "appInfo decrypts with the access key per encryptType (plaintext without it), each credential ≤ 128 characters"},

		{id: "kit.signature", rule: "signature", spec: "§3.3, §3.5", need: required, kit: true, run: kitSignature,
			title: "a kit call with a wrong, body-mismatched or missing signature gets 000001"},
		{id: "kit.timestamp.stale", rule: "timestamp", spec: "§3.5, §3.8", need: required, kit: true, run: kitStale,
			title: "a kit call signed 10 minutes ago gets 000001 (or 000002)"},
		{id: "kit.replay", rule: "replay", spec: "§3.5", need: required, kit: true, only: kgp.Gen2, why: noNonce, run: kitReplay,
			title: "the exact same signed tenantSync sent twice: the second gets 000001"},
		{id: "kit.missing-field", rule: "mandatory field", spec: "§5", need: required, kit: true, run: kitMissingField,
			title: "a kit call without a mandatory field gets 000002"},
		{id: "kit.add.repeat", rule: "idempotency", spec: "§5", need: required, kit: true, run: kitAddRepeat,
			title: "every kit add sent twice succeeds twice (that nothing is duplicated is not observable)"},
		{id: "kit.delete.repeat", rule: "idempotency", spec: "§5", need: required, kit: true, run: kitDeleteRepeat,
			title: "every kit delete sent twice succeeds twice"},
		{id: "kit.delete.unknown", rule: "delete without existence", spec: "§5", need: required, kit: true, run: kitDeleteUnknown,
			title: "kit deletes of data never added succeed"},
		{id: "kit.authSync.500", rule: "authSync capacity", spec: "§5.3", need: required, kit: true, run: kitAuthSync500,
			title: "authSync with 500 users succeeds"},
		{id: "kit.authSync.501", rule: "authSync limit", spec: "§5.3", need: optional, kit: true, run: kitAuthSync501,
			title: "authSync with 501 users is refused (000002)"},

		{id: "resp.json", rule: "json", spec: "§1, §4", need: required, run: respJSON,
			title: "every answer is JSON with a 6-digit resultCode; 000000 and 000004 come with HTTP 2xx"},
		{id: "resp.budget", rule: "budget", spec: "§2, §7", need: required, run: respBudget,
			title: "every answer arrives within the budget (5 s)"},
		{id: "resp.body-sign", rule: "body-sign", spec: "§3.6, §12.1", need: requiredGen1, run: respBodySign,
			title: "every answer carries a Body-Sign header, name exactly so; required for 1.0 and kit v1, reported for 2.0"},
		{id: "resp.body-sign.valid", rule: "body-sign", spec: "§3.6", need: required, run: respBodySignValid,
			title: "every Body-Sign present verifies over the exact body with the interface's key"},
		{id: "transport.https", rule: "https", spec: "§2", need: optional, run: transportHTTPS,
			title: "the production URL is HTTPS with TLS 1.2 or later, as KooGallery requires"},
	}
}
