package conformance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/conformance"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestBrokenMerchantsAreCaught runs the suite against merchants that each break one rule and
// checks that the case for that rule fails with a reason naming it. Other cases may fail too
// (a slow newInstance fails every case that creates instances), but the named one must.
func TestBrokenMerchantsAreCaught(t *testing.T) {
	t.Parallel()
	type F = sdktest.Faults
	tests := []struct {
		name     string
		o        opts
		wantCase string
		wantRule string // the reason must start with it
		optional bool   // the case is not mandatory, so the check as a whole may still pass
		also     string // another case that must fail for the same rule
	}{
		{"new instanceId per retry", opts{faults: F{NewIDPerDelivery: true}}, "idem.newInstance.repeat", "idempotency", false, ""},
		{"check-then-insert race", opts{faults: F{RacyCreate: true}}, "idem.newInstance.concurrent", "idempotency", false, ""},
		{"creates before verifying", opts{faults: F{CreateBeforeAuth: true}}, "auth.signature", "side effect", false, ""},
		{"accepts a wrong signature", opts{faults: F{AcceptBadSignature: true}}, "auth.signature", "signature", false, ""},
		{"accepts a wrong 1.0 authToken", opts{gen: kgp.Gen1, faults: F{AcceptBadSignature: true}}, "auth.signature", "signature", false, ""},
		{"no timestamp check", opts{faults: F{NoTimestampCheck: true}}, "auth.timestamp.stale", "timestamp", false, ""},
		{"no 1.0 timeStamp check (Huawei's demo)", opts{gen: kgp.Gen1, faults: F{NoTimestampCheck: true}}, "auth.timestamp.stale", "timestamp", false, ""},
		{"no nonce check", opts{faults: F{NoNonceCheck: true}}, "auth.replay", "replay", false, ""},
		{"missing field answered 000000", opts{faults: F{SkipFieldValidation: true}}, "auth.missing-field", "mandatory field", false, ""},
		{"missing 1.0 field answered 000000", opts{gen: kgp.Gen1, faults: F{SkipFieldValidation: true}}, "auth.missing-field", "mandatory field", false, ""},
		{"no Body-Sign (1.0)", opts{gen: kgp.Gen1, faults: F{NoBodySign: true}}, "resp.body-sign", "body-sign", false, ""},
		{"lowercase body-sign only (1.0)", opts{gen: kgp.Gen1, faults: F{LowercaseBodySign: true}}, "resp.body-sign", "body-sign", false, ""},
		{"no Body-Sign (2.0, reported)", opts{faults: F{NoBodySign: true}}, "resp.body-sign", "body-sign", true, ""},
		{"Body-Sign with a wrong key", opts{faults: F{WrongBodySignKey: true}}, "resp.body-sign.valid", "body-sign", false, ""},
		{"non-JSON answers", opts{faults: F{NonJSON: true}}, "resp.json", "json", false, ""},
		{"slow newInstance", opts{slow: 200 * time.Millisecond, timeout: 100 * time.Millisecond, noKit: true},
			"resp.budget", "budget", false, "accept.newInstance"},
		{"appInfo encrypted with another key", opts{encrypt: kgp.EncryptAES256, faults: F{AppInfoWrongKey: true}}, "query.appInfo", "appInfo", false, ""},
		{"queryInstance refuses 100 ids", opts{faults: F{MaxQueryIDs: 50}}, "query.batch", "queryInstance capacity", false, ""},
		{"release of an unknown instance fails", opts{faults: F{ReleaseUnknownFails: true}}, "release.unknown", "release without existence", false, ""},
		{"repeated release answers 000003", opts{faults: F{ReleaseForgets: true}}, "release.repeat", "idempotency", false, ""},
		{"kit delete fails when absent", opts{faults: F{KitDeleteAbsentFails: true}}, "kit.delete.unknown", "delete without existence", false, ""},
		{"repeated kit add fails", opts{faults: F{KitAddRepeatFails: true}}, "kit.add.repeat", "idempotency", false, ""},
		{"accepts a wrong kit x-sign", opts{faults: F{KitAcceptBadSignature: true}}, "kit.signature", "signature", false, ""},
		{"accepts a wrong kit v1 authToken", opts{gen: kgp.Gen1, faults: F{KitAcceptBadSignature: true}}, "kit.signature", "signature", false, ""},
		{"no kit nonce check", opts{faults: F{KitNoNonceCheck: true}}, "kit.replay", "replay", false, ""},
		{"no kit timestamp check", opts{faults: F{KitNoTimestampCheck: true}}, "kit.timestamp.stale", "timestamp", false, ""},
		{"no kit v1 timeStamp check", opts{gen: kgp.Gen1, faults: F{KitNoTimestampCheck: true}}, "kit.timestamp.stale", "timestamp", false, ""},
		{"authSync refuses 500 users", opts{faults: F{MaxAuthSyncUsers: 100}}, "kit.authSync.500", "authSync capacity", false, ""},
		{"agrees to change any instance", opts{faults: F{ChangeAnyInstance: true}}, "change.unknown", "check without existence", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.o.gen == 0 {
				tt.o.gen = kgp.Gen2
			}
			f := setup(t, tt.o)
			rep := run(t, f.cfg)
			for _, id := range []string{tt.wantCase, tt.also} {
				if id == "" {
					continue
				}
				got := result(t, rep, id)
				if got.Verdict != conformance.Fail || !strings.HasPrefix(got.Reason, tt.wantRule+":") {
					t.Errorf("%s: %s %q, want a failure naming %q\n%s", id, got.Verdict, got.Reason, tt.wantRule, table(t, rep))
				}
			}
			if rep.Passed() != tt.optional {
				t.Errorf("Passed() = %t, want %t", rep.Passed(), tt.optional)
			}
		})
	}
}
