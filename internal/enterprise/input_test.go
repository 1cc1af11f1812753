package enterprise_test

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/enterprise/enterprisetest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// TestBadInput: each bad request is refused with CodeInvalid naming its field, and changes
// nothing — no rows, no syncs.
func TestBadInput(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		f := enterprisetest.New(t, e, 2)
		ctx, svc, admin, tid := e.Ctx, e.Enterprises, f.Buyer, f.Enterprise.TenantID
		for _, d := range []enterprise.DepartmentRequest{{OrgCode: "HQ", Name: "HQ"}, {OrgCode: "A", Name: "A", ParentCode: "HQ"},
			{OrgCode: "B", Name: "B", ParentCode: "A"}} {
			must[*market.Department](t)(svc.AddDepartment(ctx, admin, tid, d))
		}
		must[[]*market.EnterpriseUser](t)(svc.AddUsers(ctx, admin, tid, users("b", 2, "HQ")))
		// Another buyer's enterprise with a department of its own.
		other := e.Buyer()
		oe := must[*market.Enterprise](t)(svc.CreateEnterprise(ctx, other, enterprise.EnterpriseRequest{Name: "Other", TenantCode: "other-" + f.MerchantID[:6]}))
		must[*market.Department](t)(svc.AddDepartment(ctx, other, oe.TenantID, enterprise.DepartmentRequest{OrgCode: "OTHER", Name: "Other"}))
		// A second instance of the administrator, bound too, with its own application.
		o2 := must[*market.Order](t)(e.Orders.Purchase(ctx, admin, order.PurchaseRequest{Items: []order.Item{{ProductID: "JOINT-" + f.MerchantID, PeriodNumber: 1}}}))
		f.Syncs(t)
		must[*market.Binding](t)(svc.Bind(ctx, admin, tid, f.InstanceKey))
		must[*market.Binding](t)(svc.Bind(ctx, admin, tid, o2.Lines[0].ID))
		app1 := must[*market.TenantApp](t)(svc.CreateApp(ctx, admin, tid, f.InstanceKey, enterprise.AppRequest{Name: "One"}))
		app2 := must[*market.TenantApp](t)(svc.CreateApp(ctx, admin, tid, o2.Lines[0].ID, enterprise.AppRequest{Name: "Two"}))
		small, err := rsa.GenerateKey(rand.Reader, 1024)
		ok(t, err)
		smallPub, err := kgp.MarshalRSAPublicKey(&small.PublicKey)
		ok(t, err)
		before := len(f.Syncs(t))
		up := "B"
		cases := []struct {
			name, field string
			do          func() error
		}{
			{"user in another enterprise's department", "users[1].org_code", func() error {
				_, err := svc.AddUsers(ctx, admin, tid, []enterprise.UserRequest{{UserName: "x1", Name: "X", OrgCode: "HQ"}, {UserName: "x2", Name: "Y", OrgCode: "OTHER"}})
				return err
			}},
			{"user moved to another enterprise's department", "org_code", func() error {
				o := "OTHER"
				_, err := svc.ChangeUser(ctx, admin, tid, "b0000", enterprise.UserChange{OrgCode: &o})
				return err
			}},
			{"department cycle", "parent_code", func() error {
				_, err := svc.ChangeDepartment(ctx, admin, tid, "HQ", enterprise.DepartmentChange{ParentCode: &up})
				return err
			}},
			{"department under itself", "parent_code", func() error {
				self := "A"
				_, err := svc.ChangeDepartment(ctx, admin, tid, "A", enterprise.DepartmentChange{ParentCode: &self})
				return err
			}},
			{"parent of another enterprise", "parent_code", func() error {
				_, err := svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{Name: "New", ParentCode: "OTHER"})
				return err
			}},
			{"authorization on another instance's application", "app_id", func() error {
				_, err := svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app2.AppID, Add: []string{"b0000"}})
				return err
			}},
			{"authorization of a user of another enterprise", "add[1]", func() error {
				_, err := svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app1.AppID, Add: []string{"b0000", "nobody"}})
				return err
			}},
			{"user both added and cancelled", "cancel[0]", func() error {
				_, err := svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app1.AppID, Add: []string{"b0000"}, Cancel: []string{"b0000"}})
				return err
			}},
			{"RSA key that is not a key", "public_key", func() error {
				_, err := svc.PutKitKey(ctx, market.AsSeller(f.MerchantID), f.MerchantID, enterprise.KitKeyRequest{PublicKey: "bm90IGEga2V5"})
				return err
			}},
			{"RSA key too short", "public_key", func() error {
				_, err := svc.PutKitKey(ctx, market.AsSeller(f.MerchantID), f.MerchantID, enterprise.KitKeyRequest{PublicKey: smallPub})
				return err
			}},
			{"bad user name", "users[0].user_name", func() error {
				_, err := svc.AddUsers(ctx, admin, tid, []enterprise.UserRequest{{UserName: "a b", Name: "X", OrgCode: "HQ"}})
				return err
			}},
			{"duplicate user in one request", "users[1].user_name", func() error {
				_, err := svc.AddUsers(ctx, admin, tid, []enterprise.UserRequest{{UserName: "d", Name: "X", OrgCode: "HQ"}, {UserName: "d", Name: "Y", OrgCode: "HQ"}})
				return err
			}},
		}
		for _, c := range cases {
			err := c.do()
			if market.ErrorCode(err) != market.CodeInvalid || market.ErrorField(err) != c.field {
				t.Errorf("%s: %v (field %q), want invalid %s", c.name, err, market.ErrorField(err), c.field)
			}
		}
		all, _, err := svc.Users(ctx, admin, store.UserFilter{TenantID: tid})
		ok(t, err)
		tree := must[[]*market.Department](t)(svc.Departments(ctx, admin, tid))
		if len(all) != 2 || len(tree) != 3 || tree[2].OrgCode != "HQ" || tree[2].ParentCode != "" {
			t.Fatalf("after refused requests: %d users, departments %+v", len(all), tree)
		}
		if k := must[*market.KitKey](t)(svc.KitKey(ctx, market.AsSeller(f.MerchantID), f.MerchantID)); k.PublicKey != f.Merchant.PublicKey {
			t.Fatal("a refused key replaced the uploaded one")
		}
		if auth, _, _ := svc.AuthorizedUsers(ctx, admin, tid, app2.AppID, store.Page{}); len(auth) != 0 {
			t.Fatalf("application of the other instance has users %v", auth)
		}
		if after := len(f.Syncs(t)); after != before {
			t.Fatalf("refused requests sent %d syncs", after-before)
		}
	})
}

// TestVisibility: one enterprise's administrator, another buyer, a seller and the enterprise's
// users see and change only what is theirs.
func TestVisibility(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		f := enterprisetest.New(t, e, 2)
		ctx, svc, tid := e.Ctx, e.Enterprises, f.Enterprise.TenantID
		must[*market.Department](t)(svc.AddDepartment(ctx, f.Buyer, tid, enterprise.DepartmentRequest{OrgCode: "HQ", Name: "HQ"}))
		must[[]*market.EnterpriseUser](t)(svc.AddUsers(ctx, f.Buyer, tid, users("v", 2, "HQ")))
		other := e.Buyer()
		oe := must[*market.Enterprise](t)(svc.CreateEnterprise(ctx, other, enterprise.EnterpriseRequest{Name: "Other", TenantCode: "vis-" + f.MerchantID[:6]}))
		member := market.AsEnterpriseUser(tid, "v0000")
		for _, v := range []market.Viewer{other, market.AsSeller(f.MerchantID), market.AsEnterpriseUser(oe.TenantID, "v0000")} {
			if _, err := svc.Enterprise(ctx, v, tid); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%+v reads the enterprise: %v", v, err)
			}
			if _, err := svc.AddDepartment(ctx, v, tid, enterprise.DepartmentRequest{Name: "X"}); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%+v adds a department: %v", v, err)
			}
			if _, _, err := svc.Users(ctx, v, store.UserFilter{TenantID: tid}); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%+v lists users: %v", v, err)
			}
			if _, err := svc.Bind(ctx, v, tid, f.InstanceKey); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%+v binds: %v", v, err)
			}
		}
		if list, _, err := svc.Enterprises(ctx, other, store.Page{}); err != nil || len(list) != 1 || list[0].TenantID != oe.TenantID {
			t.Errorf("another buyer lists %v, %v", list, err)
		}
		// Another buyer's instance cannot be bound, and looks like no instance.
		if _, err := svc.Bind(ctx, other, oe.TenantID, f.InstanceKey); market.ErrorCode(err) != market.CodeInvalid {
			t.Errorf("binding another buyer's instance: %v", err)
		}
		// The enterprise's own user reads it and itself, changes nothing, lists nobody.
		if _, err := svc.Enterprise(ctx, member, tid); err != nil {
			t.Errorf("member reads its enterprise: %v", err)
		}
		if u, err := svc.User(ctx, member, tid, "v0000"); err != nil || u.UserName != "v0000" {
			t.Errorf("member reads itself: %v", err)
		}
		if _, err := svc.User(ctx, member, tid, "v0001"); market.ErrorCode(err) != market.CodeNotFound {
			t.Errorf("member reads a colleague: %v", err)
		}
		if _, err := svc.AddDepartment(ctx, member, tid, enterprise.DepartmentRequest{Name: "X"}); market.ErrorCode(err) != market.CodeForbidden {
			t.Errorf("member changes the enterprise: %v", err)
		}
		if _, _, err := svc.Users(ctx, member, store.UserFilter{TenantID: tid}); market.ErrorCode(err) != market.CodeForbidden {
			t.Errorf("member lists users: %v", err)
		}
		if _, err := svc.Enterprise(ctx, market.AsOperator(), tid); err != nil {
			t.Errorf("operator reads: %v", err)
		}
	})
}

// TestSellerTestCredential: a seller's test credential reaches its merchant with empty
// instanceId and orderId and testFlag 1, in order, and the seller sees its test enterprise.
func TestSellerTestCredential(t *testing.T) {
	t.Parallel()
	eachGeneration(t, func(t *testing.T, f *enterprisetest.Fixture, gen int) {
		ctx, svc, seller := f.Env.Ctx, f.Env.Enterprises, market.AsSeller(f.MerchantID)
		cred := must[*enterprise.TestCredential](t)(svc.CreateTestCredential(ctx, seller, f.MerchantID))
		if _, err := svc.CreateTestCredential(ctx, market.AsSeller("someone-else"), f.MerchantID); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another merchant's seller: %v", err)
		}
		got := f.Syncs(t)
		expectGroups(t, got, []string{"tenantSync/1/0"}, []string{"allOrgSync/-1/1"}, []string{"applicationSync/1/0"}, []string{"authSync/1/1"})
		for _, s := range got {
			if s.InstanceID != "" || s.TestFlag != 1 || s.TenantID != cred.TenantID {
				t.Fatalf("%s: instance %q, testFlag %d, tenant %s", s.Kind, s.InstanceID, s.TestFlag, s.TenantID)
			}
		}
		if got[2].ClientID != cred.ClientID || got[3].Users[0] != cred.UserName || got[3].UserList[0].Role != "admin" {
			t.Fatalf("credential %+v, merchant got %+v / %+v", cred, got[2], got[3])
		}
		list, _, err := svc.Enterprises(ctx, seller, store.Page{})
		if err != nil || len(list) != 1 || list[0].TenantID != cred.TenantID {
			t.Fatalf("seller lists %v, %v", list, err)
		}
	})
}

// TestReleasedInstanceIsUnbound: once the bound instance is released, its merchant gets no more
// syncs, and the binding shows unbound.
func TestReleasedInstanceIsUnbound(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		f := enterprisetest.New(t, e, 2)
		ctx, svc, admin, tid := e.Ctx, e.Enterprises, f.Buyer, f.Enterprise.TenantID
		must[*market.Binding](t)(svc.Bind(ctx, admin, tid, f.InstanceKey))
		must[*market.Order](t)(e.Orders.Release(ctx, market.AsOperator(), f.InstanceKey, "released by the operator"))
		sent := len(f.Syncs(t))
		must[*market.Department](t)(svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{OrgCode: "HQ", Name: "HQ"}))
		if got := len(f.Syncs(t)); got != sent {
			t.Fatalf("%d syncs sent for a released instance", got-sent)
		}
		bs := must[[]*market.Binding](t)(svc.Bindings(ctx, admin, tid))
		if len(bs) != 1 || bs[0].State != market.BindingUnbound {
			t.Fatalf("bindings %+v", bs)
		}
	})
}
