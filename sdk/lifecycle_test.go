package sdk_test

import (
	"testing"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// created returns a bundle with one created 2.0 instance.
func created(t *testing.T) (*bundle, string) {
	b := setup(t, nil)
	resp := b.newInstance2("CSLIFE", "CSLIFE-000001")
	wantCode(t, resp, kgp.ResultSuccess)
	return b, resp.InstanceID
}

func TestLifecycleIsIdempotent(t *testing.T) {
	t.Parallel()
	refresh := func(id, order string) kgp.RefreshInstance {
		return kgp.RefreshInstance{ExpireTime: "20260314092653", InstanceID: id, OrderID: order,
			OrderLineID: order + "-000001", Scene: kgp.SceneRenewal}
	}
	cases := []struct {
		name     string
		requests func(id string) []kgp.BasicRequest
		activity string
		want     []kgp.ResultCode
		calls    int
	}{
		{"renewal twice extends once", func(id string) []kgp.BasicRequest {
			return []kgp.BasicRequest{refresh(id, "CSREN"), refresh(id, "CSREN")}
		}, "refreshInstance", []kgp.ResultCode{kgp.ResultSuccess, kgp.ResultSuccess}, 1},
		{"two renewal orders extend twice", func(id string) []kgp.BasicRequest {
			return []kgp.BasicRequest{refresh(id, "CSREN1"), refresh(id, "CSREN2")}
		}, "refreshInstance", []kgp.ResultCode{kgp.ResultSuccess, kgp.ResultSuccess}, 2},
		{"refresh unknown instance", func(string) []kgp.BasicRequest {
			return []kgp.BasicRequest{refresh("nope", "CSREN")}
		}, "refreshInstance", []kgp.ResultCode{kgp.ResultInstanceNotFound}, 0},
		{"freeze twice", func(id string) []kgp.BasicRequest {
			f := kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusFreeze}
			return []kgp.BasicRequest{f, f}
		}, "updateInstanceStatus", []kgp.ResultCode{kgp.ResultSuccess, kgp.ResultSuccess}, 1},
		{"freeze, unfreeze, freeze", func(id string) []kgp.BasicRequest {
			f := kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusFreeze}
			u := kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusUnfreeze}
			return []kgp.BasicRequest{f, u, u, f}
		}, "updateInstanceStatus", []kgp.ResultCode{kgp.ResultSuccess, kgp.ResultSuccess, kgp.ResultSuccess, kgp.ResultSuccess}, 3},
		{"unfreeze an active instance", func(id string) []kgp.BasicRequest {
			return []kgp.BasicRequest{kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusUnfreeze}}
		}, "updateInstanceStatus", []kgp.ResultCode{kgp.ResultSuccess}, 0},
		{"status of unknown instance", func(string) []kgp.BasicRequest {
			return []kgp.BasicRequest{kgp.UpdateInstanceStatus{InstanceID: "nope", Status: kgp.StatusFreeze}}
		}, "updateInstanceStatus", []kgp.ResultCode{kgp.ResultInstanceNotFound}, 0},
		{"release twice", func(id string) []kgp.BasicRequest {
			r := kgp.ReleaseInstance{InstanceID: id}
			return []kgp.BasicRequest{r, r}
		}, "releaseInstance", []kgp.ResultCode{kgp.ResultSuccess, kgp.ResultSuccess}, 1},
		{"release unknown instance", func(string) []kgp.BasicRequest {
			return []kgp.BasicRequest{kgp.ReleaseInstance{InstanceID: "nope"}}
		}, "releaseInstance", []kgp.ResultCode{kgp.ResultSuccess}, 0},
		{"freeze after release", func(id string) []kgp.BasicRequest {
			return []kgp.BasicRequest{kgp.ReleaseInstance{InstanceID: id}, kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusFreeze}}
		}, "updateInstanceStatus", []kgp.ResultCode{kgp.ResultSuccess, kgp.ResultInstanceNotFound}, 0},
		{"upgrade twice", func(id string) []kgp.BasicRequest {
			u := kgp.UpgradeInstance{InstanceID: id, OrderID: "CSUP", OrderLineID: "CSUP-000001"}
			return []kgp.BasicRequest{u, u}
		}, "upgradeInstance", []kgp.ResultCode{kgp.ResultSuccess, kgp.ResultSuccess}, 1},
		{"upgrade unknown instance", func(string) []kgp.BasicRequest {
			return []kgp.BasicRequest{kgp.UpgradeInstance{InstanceID: "nope", OrderID: "CSUP", OrderLineID: "CSUP-000001"}}
		}, "upgradeInstance", []kgp.ResultCode{kgp.ResultInstanceNotFound}, 0},
		{"change check not implemented", func(id string) []kgp.BasicRequest {
			return []kgp.BasicRequest{kgp.ChangeInstanceCheck{InstanceID: id, ProductInfo: &kgp.ProductInfo{ProductID: "p", SkuCode: "s"}}}
		}, "changeInstanceCheck", []kgp.ResultCode{kgp.ResultInternalError}, 0},
		{"order notify", func(string) []kgp.BasicRequest {
			return []kgp.BasicRequest{kgp.OrderNotify{OrderID: "CSN", OrderLineID: "CSN-000001", TestFlag: "1"}}
		}, "orderNotify", []kgp.ResultCode{kgp.ResultSuccess}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, id := created(t)
			for i, req := range tc.requests(id) {
				wantCode(t, do(t, b.h, b.basic(req)), tc.want[i])
			}
			if n := b.m.count(tc.activity); n != tc.calls {
				t.Fatalf("merchant %s called %d times, want %d", tc.activity, n, tc.calls)
			}
		})
	}
}

func TestLifecycleRecordsState(t *testing.T) {
	t.Parallel()
	b, id := created(t)
	wantCode(t, do(t, b.h, b.basic(kgp.RefreshInstance{ExpireTime: "20260314092653123", InstanceID: id, OrderID: "CSR",
		OrderLineID: "CSR-000001", ProductID: "OFFI-YEAR", Scene: kgp.SceneRenewal})), kgp.ResultSuccess)
	wantCode(t, do(t, b.h, b.basic(kgp.UpdateInstanceStatus{InstanceID: id, Status: kgp.StatusFreeze})), kgp.ResultSuccess)
	in, err := b.h.Instance(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if in.ExpireTime != "20260314092653" || in.ProductID != "OFFI-YEAR" || in.Status != sdk.StatusFrozen || in.AppInfo.UserName != "admin" {
		t.Fatalf("instance %+v", in)
	}
	call := b.m.lastCall("refreshInstance").(*sdk.RefreshInstanceCall)
	if call.ExpireTime.Year() != 2026 || call.Instance.ID != id || call.Scene != kgp.SceneRenewal {
		t.Fatalf("refresh call %+v", call)
	}
	wantCode(t, do(t, b.h, b.basic(kgp.RefreshInstance{ExpireTime: "soon", InstanceID: id, OrderID: "CSR2",
		OrderLineID: "CSR2-000001", Scene: kgp.SceneRenewal})), kgp.ResultInvalidParam)
	if _, err := b.h.Instance(t.Context(), "nope"); err != sdk.ErrInstanceNotFound {
		t.Fatalf("unknown instance: %v", err)
	}
}

// A failed operation is forgotten: its redelivery reaches the merchant again.
func TestFailedOperationIsRetried(t *testing.T) {
	t.Parallel()
	b, id := created(t)
	b.m.fail = sdk.Errorf(kgp.ResultProductError, "backend busy")
	req := kgp.UpgradeInstance{InstanceID: id, OrderID: "CSUP", OrderLineID: "CSUP-000001"}
	resp := do(t, b.h, b.basic(req))
	wantCode(t, resp, kgp.ResultProductError)
	if resp.ResultMsg != "backend busy" {
		t.Fatalf("resultMsg %q", resp.ResultMsg)
	}
	b.m.fail = nil
	wantCode(t, do(t, b.h, b.basic(req)), kgp.ResultSuccess)
	wantCode(t, do(t, b.h, b.basic(req)), kgp.ResultSuccess)
	if n := b.m.count("upgradeInstance"); n != 2 {
		t.Fatalf("upgrade called %d times, want 2", n)
	}
}
