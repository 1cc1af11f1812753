package enterprise_test

import (
	"time"

	"fmt"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"slices"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/enterprise/enterprisetest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// eachGeneration runs fn on a fresh fixture for kit v1 and v2 merchants, on both databases.
func eachGeneration(t *testing.T, fn func(t *testing.T, f *enterprisetest.Fixture, gen int)) {
	for _, gen := range []int{1, 2} {
		t.Run(fmt.Sprintf("kit-v%d", gen), func(t *testing.T) {
			t.Parallel()
			marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
				fn(t, enterprisetest.New(t, e, gen), gen)
			})
		})
	}
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func users(prefix string, n int, org string) []enterprise.UserRequest {
	out := make([]enterprise.UserRequest, n)
	for i := range out {
		out[i] = enterprise.UserRequest{UserName: fmt.Sprintf("%s%04d", prefix, i), Name: fmt.Sprintf("User %d", i), OrgCode: org,
			Email: fmt.Sprintf("%s%d@acme.example", prefix, i)}
	}
	return out
}

func names(rs []enterprise.UserRequest) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.UserName
	}
	return out
}

// summary is a sync as "kind/flag/size" (size: users of an authSync, departments of an org sync).
func summary(s enterprisetest.Sync) string {
	n := len(s.Users) + len(s.Orgs)
	return fmt.Sprintf("%s/%d/%d", s.Kind, s.Flag, n)
}

// expectGroups checks the merchant's log against groups of syncs: each group in order, the
// syncs inside a group (batches sent together) in any order.
func expectGroups(t *testing.T, got []enterprisetest.Sync, groups ...[]string) {
	t.Helper()
	var all []string
	for _, s := range got {
		all = append(all, summary(s))
	}
	i := 0
	for gi, g := range groups {
		if i+len(g) > len(all) {
			t.Fatalf("group %d %v missing; merchant received %v", gi, g, all)
		}
		have := slices.Clone(all[i : i+len(g)])
		want := slices.Clone(g)
		slices.Sort(have)
		slices.Sort(want)
		if !slices.Equal(have, want) {
			t.Fatalf("group %d: got %v, want %v; merchant received %v", gi, have, want, all)
		}
		i += len(g)
	}
	if i != len(all) {
		t.Fatalf("merchant received more than expected: %v", all[i:])
	}
}

// TestEveryKitInterface drives every kit interface and flag from changes of the identity
// model, to v1 and v2 merchants, and checks what the SDK merchant accepted under both signature
// readings, in order.
func TestEveryKitInterface(t *testing.T) {
	t.Parallel()
	eachGeneration(t, func(t *testing.T, f *enterprisetest.Fixture, gen int) {
		ctx, svc, admin, tid := f.Env.Ctx, f.Env.Enterprises, f.Buyer, f.Enterprise.TenantID
		must[*market.Department](t)(svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{OrgCode: "HQ", Name: "Head office"}))
		must[*market.Department](t)(svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{OrgCode: "SALES", Name: "Sales", ParentCode: "HQ"}))
		staff := users("u", 501, "SALES")
		staff = append(staff, enterprise.UserRequest{UserName: "alice", Name: "爱丽丝 <Alice> & \u2028co", OrgCode: "HQ", Role: "admin"})
		must[[]*market.EnterpriseUser](t)(svc.AddUsers(ctx, admin, tid, staff))
		must[*market.Binding](t)(svc.Bind(ctx, admin, tid, f.InstanceKey))
		app := must[*market.TenantApp](t)(svc.CreateApp(ctx, admin, tid, f.InstanceKey, enterprise.AppRequest{Name: "CRM"}))
		auth := enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app.AppID, Add: names(staff)}
		res := must[*enterprise.AuthResult](t)(svc.Authorize(ctx, admin, tid, auth))
		if res.Added != 502 || res.Batches != 2 {
			t.Fatalf("authorize: %+v, want 502 users in 2 batches", res)
		}
		// Authorizing them again changes nothing and sends nothing.
		if res := must[*enterprise.AuthResult](t)(svc.Authorize(ctx, admin, tid, auth)); res.Added != 0 || res.Batches != 0 {
			t.Fatalf("repeated authorization: %+v, want nothing sent", res)
		}
		sales := "SALES"
		must[*market.EnterpriseUser](t)(svc.ChangeUser(ctx, admin, tid, "alice", enterprise.UserChange{OrgCode: &sales}))
		pos := "nothing synced changes"
		must[*market.EnterpriseUser](t)(svc.ChangeUser(ctx, admin, tid, "u0002", enterprise.UserChange{Password: &pos}))
		top := ""
		must[*market.Department](t)(svc.ChangeDepartment(ctx, admin, tid, "SALES", enterprise.DepartmentChange{ParentCode: &top}))
		must[*market.Department](t)(svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{OrgCode: "TMP", Name: "Temp", ParentCode: "HQ"}))
		ok(t, svc.DeleteDepartment(ctx, admin, tid, "TMP"))
		must[*enterprise.AuthResult](t)(svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app.AppID, Cancel: []string{"u0000"}}))
		ok(t, svc.DeleteUser(ctx, admin, tid, "u0001"))
		if n := must[int](t)(svc.SyncDepartments(ctx, admin, tid)); n != 1 {
			t.Fatalf("full sync sent to %d bindings, want 1", n)
		}
		ok(t, svc.DeleteApp(ctx, admin, tid, f.InstanceKey, app.AppID))
		ok(t, svc.Unbind(ctx, admin, tid, f.InstanceKey))

		got := f.Syncs(t)
		expectGroups(t, got,
			[]string{"tenantSync/1/0"}, []string{"allOrgSync/-1/2"}, []string{"applicationSync/1/0"},
			[]string{"authSync/1/500", "authSync/1/2"}, []string{"authSync/2/1"}, []string{"singleOrgSync/2/1"},
			[]string{"singleOrgSync/1/1"}, []string{"singleOrgSync/0/1"}, []string{"authSync/3/1"}, []string{"authSync/0/1"},
			[]string{"allOrgSync/-1/2"}, []string{"applicationSync/0/0"}, []string{"tenantSync/0/0"})
		in := must[*market.Instance](t)(f.Env.Orders.Instance(ctx, admin, f.InstanceKey))
		for _, s := range got {
			if s.Generation != kgp.Generation(gen) || s.TenantID != tid || s.InstanceID != in.ID || s.TestFlag != 0 {
				t.Fatalf("%s: generation %d, tenant %s, instance %q, testFlag %d; want %d, %s, %s, 0", s.Kind, s.Generation, s.TenantID, s.InstanceID,
					s.TestFlag, gen, tid, in.ID)
			}
		}
		appSync := got[2]
		if appSync.ClientID != app.ClientID || len(appSync.Secret) != 40 || appSync.AppID != app.AppID {
			t.Fatalf("applicationSync carried app %s client %s secret of %d characters", appSync.AppID, appSync.ClientID, len(appSync.Secret))
		}
		for _, s := range got {
			if s.Kind == kgp.KitAuthSync && s.Flag == kgp.FlagModify {
				if len(s.UserList) != 1 || s.UserList[0].OrgCode != "SALES" || s.UserList[0].Name != staff[501].Name || s.UserList[0].Role != "admin" {
					t.Fatalf("modify carried %+v", s.UserList)
				}
			}
		}
		list := must[[]*market.KitSync](t)(func() ([]*market.KitSync, error) {
			l, _, err := svc.Syncs(ctx, admin, store.SyncFilter{TenantID: tid, Page: store.Page{Limit: 100}})
			return l, err
		}())
		for _, s := range list {
			if s.State != market.SyncDone || s.CallState != market.CallSucceeded {
				t.Fatalf("sync %s %s is %s (call %s)", s.ID, s.Kind, s.State, s.CallState)
			}
		}
		if len(list) != 14 {
			t.Fatalf("%d syncs recorded, want 14", len(list))
		}
	})
}

// TestFailedSyncWaitsForTheAdministrator: a refused sync is not retried by itself; the merchant
// is notified, what was queued after it waits, and the administrator's retry lets it all go on.
func TestFailedSyncWaitsForTheAdministrator(t *testing.T) {
	t.Parallel()
	eachGeneration(t, func(t *testing.T, f *enterprisetest.Fixture, gen int) {
		ctx, svc, admin, tid := f.Env.Ctx, f.Env.Enterprises, f.Buyer, f.Enterprise.TenantID
		must[*market.Department](t)(svc.AddDepartment(ctx, admin, tid, enterprise.DepartmentRequest{OrgCode: "HQ", Name: "Head office"}))
		staff := users("w", 3, "HQ")
		must[[]*market.EnterpriseUser](t)(svc.AddUsers(ctx, admin, tid, staff))
		must[*market.Binding](t)(svc.Bind(ctx, admin, tid, f.InstanceKey))
		f.Syncs(t)
		f.Merchant.Fail(kgp.KitApplicationSync, 1)
		app := must[*market.TenantApp](t)(svc.CreateApp(ctx, admin, tid, f.InstanceKey, enterprise.AppRequest{Name: "CRM"}))
		must[*enterprise.AuthResult](t)(svc.Authorize(ctx, admin, tid, enterprise.AuthRequest{InstanceKey: f.InstanceKey, AppID: app.AppID, Add: names(staff)}))
		f.Env.Advance(3*fulfil.LongWindow, 10*time.Minute) // no automatic retry, however long one waits
		if got := f.Syncs(t); len(got) != 2 {
			t.Fatalf("merchant received %d syncs, want only the tenant and the departments", len(got))
		}
		list, _, err := svc.Syncs(ctx, admin, store.SyncFilter{TenantID: tid})
		ok(t, err)
		var appSync, authSync *market.KitSync
		for _, s := range list {
			switch s.Kind {
			case kgp.KitApplicationSync:
				appSync = s
			case kgp.KitAuthSync:
				authSync = s
			}
		}
		if appSync.CallState != market.CallFailed || authSync.State != market.SyncHeld {
			t.Fatalf("application sync %s/%s, auth sync %s; want SENT/FAILED and HELD", appSync.State, appSync.CallState, authSync.State)
		}
		notices, _, err := svc.Notices(ctx, market.AsSeller(f.MerchantID), "", store.Page{})
		ok(t, err)
		if len(notices) != 1 || notices[0].CallID != appSync.CallID || !strings.Contains(notices[0].Message, "applicationSync") {
			t.Fatalf("notices %+v", notices)
		}
		if _, err := svc.RetrySync(ctx, admin, tid, authSync.ID); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("retrying a held sync: %v, want conflict", err)
		}
		if _, err := svc.RetrySync(ctx, market.AsBuyer("someone-else"), tid, appSync.ID); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("another buyer retrying: %v, want not found", err)
		}
		must[*market.KitSync](t)(svc.RetrySync(ctx, admin, tid, appSync.ID))
		expectGroups(t, f.Syncs(t), []string{"tenantSync/1/0"}, []string{"allOrgSync/-1/1"}, []string{"applicationSync/1/0"}, []string{"authSync/1/3"})
	})
}
