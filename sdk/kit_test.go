package sdk_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

func users(n int, role string) []kgp.User {
	out := make([]kgp.User, n)
	for i := range out {
		out[i] = kgp.User{UserName: fmt.Sprintf("user%03d", i), Name: fmt.Sprintf("User %d", i), OrgCode: "ORG1", Role: role, Enable: "true"}
	}
	return out
}

func TestKitSyncsAreIdempotent(t *testing.T) {
	t.Parallel()
	ts := kgp.FormatKitTimeStamp(t0)
	tenant := func(flag int, name string) kgp.KitRequest {
		return kgp.TenantSync{InstanceID: "i1", OrderID: "CS1", TenantID: "T1", TenantCode: "acme", Name: name,
			DomainName: "https://acme.example.com", Flag: flag, TestFlag: 1, TimeStamp: ts}
	}
	app := func(flag int) kgp.KitRequest {
		return kgp.ApplicationSync{InstanceID: "i1", TenantID: "T1", AppID: "A1", ClientID: "cid", ClientSecret: "c2VjcmV0",
			Flag: flag, TimeStamp: ts}
	}
	org := func(flag int, name string) kgp.KitRequest {
		return kgp.SingleOrgSync{InstanceID: "i1", TenantID: "T1", OrgCode: "ORG1", OrgName: name, Flag: flag, TimeStamp: ts}
	}
	all := func(names ...string) kgp.KitRequest {
		var list []kgp.OrgInfo
		for i, n := range names {
			list = append(list, kgp.OrgInfo{OrgCode: fmt.Sprintf("O%d", i), OrgName: n})
		}
		return kgp.AllOrgSync{InstanceID: "i1", TenantID: "T1", OrgInfoList: list, TimeStamp: ts}
	}
	auth := func(flag int, list []kgp.User) kgp.KitRequest {
		return kgp.AuthSync{InstanceID: "i1", TenantID: "T1", AppID: "A1", UserList: list, CurrentSyncTime: ts, Flag: flag, TimeStamp: ts}
	}
	cases := []struct {
		name     string
		reqs     []kgp.KitRequest
		activity string
		calls    int
	}{
		{"tenant add twice", []kgp.KitRequest{tenant(1, "Acme"), tenant(1, "Acme")}, "tenantSync", 1},
		{"tenant add, rename, rename", []kgp.KitRequest{tenant(1, "Acme"), tenant(2, "Acme Ltd"), tenant(2, "Acme Ltd")}, "tenantSync", 2},
		{"tenant delete of nothing, twice", []kgp.KitRequest{tenant(0, "Acme"), tenant(0, "Acme")}, "tenantSync", 1},
		{"tenant add, delete, add", []kgp.KitRequest{tenant(1, "Acme"), tenant(0, "Acme"), tenant(1, "Acme")}, "tenantSync", 3},
		{"application add twice, delete twice", []kgp.KitRequest{app(1), app(1), app(0), app(0)}, "applicationSync", 2},
		{"department add twice", []kgp.KitRequest{org(1, "Sales"), org(1, "Sales")}, "singleOrgSync", 1},
		{"department delete of nothing", []kgp.KitRequest{org(0, "Sales")}, "singleOrgSync", 1},
		{"full org sync twice, in another order", []kgp.KitRequest{all("A", "B"), all("A", "B")}, "allOrgSync", 1},
		{"500 users twice", []kgp.KitRequest{auth(1, users(500, "user")), auth(1, users(500, "user"))}, "authSync", 1},
		{"500 users, then cancel 500", []kgp.KitRequest{auth(1, users(500, "user")), auth(3, users(500, "user")), auth(3, users(500, "user"))}, "authSync", 2},
	}
	for _, tc := range cases {
		for _, g := range []kgp.Generation{kgp.Gen2, kgp.Gen1} {
			t.Run(fmt.Sprintf("%s/gen%d", tc.name, g), func(t *testing.T) {
				t.Parallel()
				b := setup(t, nil)
				for _, req := range tc.reqs {
					if g == kgp.Gen1 {
						if a, ok := req.(kgp.AuthSync); ok && a.Flag == kgp.FlagCancel {
							a.Flag = kgp.FlagDelete // v1 has no cancel
							req = a
						}
					}
					wantCode(t, do(t, b.h, b.kit(b.fresh(req), g)), kgp.ResultSuccess)
				}
				if n := b.m.count(tc.activity); n != tc.calls {
					t.Fatalf("merchant %s called %d times, want %d", tc.activity, n, tc.calls)
				}
			})
		}
	}
}

// fresh gives req its own body timeStamp, as each KooGallery delivery has: kit v1 has no nonce,
// and an identical body would be refused as a replay.
func (b *bundle) fresh(req kgp.KitRequest) kgp.KitRequest {
	ts := kgp.FormatKitTimeStamp(t0.Add(time.Duration(b.seq.Add(1)) * time.Millisecond))
	switch v := req.(type) {
	case kgp.TenantSync:
		v.TimeStamp = ts
		return v
	case kgp.ApplicationSync:
		v.TimeStamp = ts
		return v
	case kgp.SingleOrgSync:
		v.TimeStamp = ts
		return v
	case kgp.AllOrgSync:
		v.TimeStamp = ts
		return v
	case kgp.AuthSync:
		v.TimeStamp = ts
		return v
	}
	return req
}

func TestAuthSyncPassesOnlyChangedUsers(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ts := kgp.FormatKitTimeStamp(t0)
	list := users(500, "user")
	sync := func(l []kgp.User) *kgp.Response {
		return do(t, b.h, b.kit(kgp.AuthSync{InstanceID: "i1", TenantID: "T1", AppID: "A1", UserList: l,
			CurrentSyncTime: ts, Flag: kgp.FlagModify, TimeStamp: ts}, kgp.Gen2))
	}
	wantCode(t, sync(list), kgp.ResultSuccess)
	if got := len(b.m.lastCall("authSync").(*sdk.AuthSyncCall).UserList); got != 500 {
		t.Fatalf("first sync passed %d users", got)
	}
	list[7].Role = "admin"
	wantCode(t, sync(list), kgp.ResultSuccess)
	call := b.m.lastCall("authSync").(*sdk.AuthSyncCall)
	if len(call.UserList) != 1 || call.UserList[0].UserName != "user007" || call.UserList[0].Role != "admin" {
		t.Fatalf("second sync passed %+v", call.UserList)
	}
}

func TestKitFailureIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	req := kgp.TenantSync{InstanceID: "i1", TenantID: "T1", TenantCode: "c", Name: "n", DomainName: "d", Flag: 1,
		TimeStamp: kgp.FormatKitTimeStamp(t0)}
	b.m.fail = sdk.Errorf(kgp.ResultEmailDomainTaken, "domain taken")
	wantCode(t, do(t, b.h, b.kit(req, kgp.Gen2)), kgp.ResultEmailDomainTaken)
	b.m.fail = nil
	wantCode(t, do(t, b.h, b.kit(req, kgp.Gen2)), kgp.ResultSuccess)
	b.m.fail = sdk.ErrInstanceNotFound // a delete of something already gone still succeeds
	req.Flag = kgp.FlagDelete
	wantCode(t, do(t, b.h, b.kit(req, kgp.Gen2)), kgp.ResultSuccess)
	if n := b.m.count("tenantSync"); n != 3 {
		t.Fatalf("tenantSync called %d times, want 3", n)
	}
}

func TestKitNotImplemented(t *testing.T) {
	t.Parallel()
	h, err := sdk.NewHandler(sdk.Config{Key: testKey, KitKey: testKitKey, Store: openStore(t, t.TempDir()),
		Now: func() time.Time { return t0 }}, sdk.Unimplemented{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	b := &bundle{t: t, h: h}
	resp := do(t, h, b.kit(kgp.SingleOrgSync{InstanceID: "i", TenantID: "T", OrgCode: "O", OrgName: "N", Flag: 1,
		TimeStamp: kgp.FormatKitTimeStamp(t0)}, kgp.Gen2))
	wantCode(t, resp, kgp.ResultInternalError)
	if resp.ResultMsg != "not supported by this merchant" {
		t.Fatalf("resultMsg %q", resp.ResultMsg)
	}
}
