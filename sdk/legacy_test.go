package sdk_test

import (
	"net/http/httptest"
	"testing"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

func TestLegacyNewInstanceAnswersAppInfo(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	req := kgp.LegacyNewInstance{CustomerID: "c1", BusinessID: "b1", OrderID: "CSV1", SkuCode: "sku-1", ProductID: "OFFI-1",
		ChargingMode: 1, PeriodType: "month", PeriodNumber: 1, TestFlag: "1",
		SaasExtendParams: kgp.ExtendParams{{Name: "emailDomainName", Value: "acme.example.com"}}}
	first := do(t, b.h, b.legacy(req))
	wantCode(t, first, kgp.ResultSuccess)
	if first.EncryptType != kgp.EncryptAES256 || first.AppInfo == nil || decrypt(t, first.EncryptType, first.AppInfo.UserName) != "admin" {
		t.Fatalf("1.0 newInstance answer %+v", first)
	}
	// 1.0 re-calls newInstance when the buyer opens the resource details: same instance, same login.
	req.BusinessID = "b2"
	again := do(t, b.h, b.legacy(req))
	if again.InstanceID != first.InstanceID || decrypt(t, again.EncryptType, again.AppInfo.Password) != decrypt(t, first.EncryptType, first.AppInfo.Password) {
		t.Fatalf("repeat answered %+v", again)
	}
	call := b.m.lastCall("newInstance").(*sdk.NewInstanceCall)
	if b.m.count("newInstance") != 1 || call.Generation != kgp.Gen1 || call.Legacy == nil || call.ProductID != "OFFI-1" ||
		call.ChargingMode != kgp.ChargingPeriod || !call.TestFlag || call.Legacy.SaasExtendParams[0].Value != "acme.example.com" {
		t.Fatalf("merchant call %+v", call)
	}
	q := do(t, b.h, b.legacy(kgp.LegacyQueryInstance{InstanceID: first.InstanceID}))
	if len(q.Info) != 1 || q.Info[0].AppInfo == nil {
		t.Fatalf("1.0 queryInstance %+v", q)
	}
}

func TestLegacyLifecycleMapsToScenes(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	id := do(t, b.h, b.legacy(kgp.LegacyNewInstance{CustomerID: "c1", BusinessID: "b1", OrderID: "CSV1L", SkuCode: "s", ProductID: "p"})).InstanceID
	cases := []struct {
		req      kgp.LegacyRequest
		activity string
		check    func(call any) bool
	}{
		{kgp.LegacyRefreshInstance{OrderID: "R1", InstanceID: id, ExpireTime: "20260101000000", TrialToFormal: "1"}, "refreshInstance",
			func(c any) bool { return c.(*sdk.RefreshInstanceCall).Scene == kgp.SceneTrialToFormal }},
		{kgp.LegacyRefreshInstance{OrderID: "R2", InstanceID: id, ExpireTime: "20250101000000", OrderAmount: "-12.5"}, "refreshInstance",
			func(c any) bool { return c.(*sdk.RefreshInstanceCall).Scene == kgp.SceneUnsubscribeRenewalPeriod }},
		{kgp.LegacyRefreshInstance{OrderID: "R3", InstanceID: id, ExpireTime: "20270101000000", OrderAmount: "99"}, "refreshInstance",
			func(c any) bool { return c.(*sdk.RefreshInstanceCall).Scene == kgp.SceneRenewal }},
		{kgp.LegacyExpireInstance{InstanceID: id, OrderID: "CSV1L"}, "updateInstanceStatus",
			func(c any) bool {
				x := c.(*sdk.UpdateInstanceStatusCall)
				return x.Expired && x.Status == kgp.StatusFreeze
			}},
		{kgp.LegacyInstanceStatus{InstanceID: id, InstanceStatus: kgp.StatusNormal}, "updateInstanceStatus",
			func(c any) bool { return c.(*sdk.UpdateInstanceStatusCall).Status == kgp.StatusUnfreeze }},
		{kgp.LegacyUpgrade{InstanceID: id, OrderID: "U1", SkuCode: "sku-2", ProductID: "p2", Amount: 10}, "upgradeInstance",
			func(c any) bool { return c.(*sdk.UpgradeInstanceCall).Legacy.Amount == 10 }},
		{kgp.LegacyReleaseInstance{InstanceID: id, OrderID: "CSV1L"}, "releaseInstance",
			func(c any) bool { return c.(*sdk.ReleaseInstanceCall).Generation == kgp.Gen1 }},
	}
	for _, tc := range cases { // sequential: each step depends on the previous state
		wantCode(t, do(t, b.h, b.legacy(tc.req)), kgp.ResultSuccess)
		if !tc.check(b.m.lastCall(tc.activity)) {
			t.Fatalf("%T reached the merchant as %+v", tc.req, b.m.lastCall(tc.activity))
		}
	}
	in, _ := b.h.Instance(t.Context(), id)
	if in.Status != sdk.StatusReleased || in.ProductID != "p2" || in.ExpireTime != "20270101000000" {
		t.Fatalf("instance after the lifecycle %+v", in)
	}
}

// A 1.0 answer always carries a valid Body-Sign, including the rejections.
func TestLegacyBodySign(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for _, target := range []string{"/saasproduce?activity=newInstance", "/saasproduce", "/p?authToken=x&timeStamp=1"} {
		resp := do(t, b.h, httptest.NewRequest("GET", target, nil)) // do verifies Body-Sign
		wantCode(t, resp, kgp.ResultAuthFailed)
	}
}
