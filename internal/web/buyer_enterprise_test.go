package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/enterprise/enterprisetest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/kgp"
)

// jointOp starts a joint-operation merchant (kit interfaces, RSA key uploaded) and buys its
// product for the fixture's buyer; it returns the merchant and the active instance's key.
func (f *fixture) jointOp() (*enterprisetest.Merchant, string) {
	f.t.Helper()
	t := f.t.(*testing.T)
	m := enterprisetest.Start(t, enterprisetest.TestKeyPEM(t))
	id := f.e.Merchant(marketplacetest.MerchantOpts{ID: "joint", Name: "Joint", ProductionURL: m.URL, Generation: 2, AccessKey: m.Key, KitKey: m.KitKey}).Merchant.ID
	if _, err := f.e.Enterprises.PutKitKey(f.e.Ctx, market.AsSeller(id), id, enterprise.KitKeyRequest{PublicKey: m.PublicKey,
		RedirectURIs: []string{"https://app.example/sso/callback"}}); err != nil {
		t.Fatal(err)
	}
	f.e.Product("p-joint", id, catalog.SpecRequest{Name: "Team", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
		{ProductID: "JOINT-TEAM", Period: market.PeriodYear, Price: 1_000_000}}})
	o, err := f.e.Orders.Purchase(f.e.Ctx, f.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "JOINT-TEAM", PeriodNumber: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	key := o.Lines[0].ID
	for deadline := time.Now().Add(30 * time.Second); ; {
		f.e.Settle()
		if in, err := f.e.Orders.Instance(f.e.Ctx, f.buyer, key); err == nil && in.State == market.InstanceActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s never became active", key)
		}
	}
	return m, key
}

// must fails the test unless a form post redirected (303).
func (f *fixture) must(status int, body string, step string) {
	f.t.Helper()
	if status != http.StatusSeeOther {
		f.t.Fatalf("%s: %d\n%s", step, status, body)
	}
}

// refused fails the test unless a form post was refused (422) with an error at field and what
// was typed (want) kept.
func (f *fixture) refused(status int, body, field, want, step string) {
	f.t.Helper()
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-`+field+`"`) || (want != "" && !strings.Contains(body, want)) {
		f.t.Fatalf("%s: %d, want the error at %s and %q kept\n%s", step, status, field, want, body)
	}
}

// TestBuyerEnterprise administers an enterprise over HTTP: create (refused first), rename,
// departments, users, bind a joint-operation instance, an application, authorizations, a sync
// that fails and is retried; each form's errors at their fields; another buyer's 404 pages.
func TestBuyerEnterprise(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(f.token)
	m, key := f.jointOp()

	for _, lang := range []string{"zh-CN", en} {
		status, body, _ := f.get(c, "/my/enterprise", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, `action="/my/enterprise"`) {
			t.Fatalf("no enterprise yet (%s): %d\n%s", lang, status, body)
		}
	}
	// A sub-page without an enterprise goes to the page that creates it.
	if status, _, h := f.get(c, "/my/enterprise/users"); status != http.StatusSeeOther || h.Get("Location") != "/my/enterprise" {
		t.Errorf("users without an enterprise: %d %v", status, h)
	}
	status, body, _ := f.post(c, "/my/enterprise", url.Values{"ent_name": {""}, "ent_code": {"bad code!"}})
	f.refused(status, body, "ent_name", "bad code!", "create without a name")
	if !strings.Contains(body, "请填写企业名称") {
		t.Errorf("the error is not in Chinese")
	}
	// The service names one field at a time: with a name, the code is refused.
	status, body, _ = f.post(c, "/my/enterprise", url.Values{"ent_name": {"Acme 科技"}, "ent_code": {"bad code!"}})
	f.refused(status, body, "ent_code", "Acme 科技", "create with a bad code")
	status, body, _ = f.post(c, "/my/enterprise", url.Values{"ent_name": {"Acme 科技"}, "ent_code": {"acme"}})
	f.must(status, body, "create")
	status, body, _ = f.post(c, "/my/enterprise/rename", url.Values{"ren_name": {""}})
	f.refused(status, body, "ren_name", "", "rename to nothing")
	f.must2(f.post(c, "/my/enterprise/rename", url.Values{"ren_name": {"Acme Technology"}}))

	// Departments: a tree; a duplicate name at a level and a move under itself are refused.
	f.must2(f.post(c, "/my/enterprise/departments", url.Values{"dep_name": {"Sales"}, "dep_code": {"sales"}}))
	f.must2(f.post(c, "/my/enterprise/departments", url.Values{"dep_name": {"East"}, "dep_code": {"east"}, "dep_parent": {"sales"}}))
	status, body, _ = f.post(c, "/my/enterprise/departments", url.Values{"dep_name": {"Sales"}, "dep_code": {"sales2"}})
	f.refused(status, body, "dep_name", `value="sales2"`, "a second Sales at the top")
	for _, lang := range []string{"zh-CN", en} {
		status, body, _ = f.get(c, "/my/enterprise/departments", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, `href="/my/enterprise/departments/east"`) || !strings.Contains(body, "Sales / East") {
			t.Fatalf("departments (%s): %d\n%s", lang, status, body)
		}
	}
	status, body, _ = f.post(c, "/my/enterprise/departments/sales", url.Values{"dep_name": {"Sales"}, "dep_parent": {"east"}})
	f.refused(status, body, "dep_parent", "", "a move under its own child")
	status, body, _ = f.post(c, "/my/enterprise/departments/sales/delete", nil)
	if status != http.StatusConflict || !strings.Contains(body, "仍有用户或下级部门") {
		t.Errorf("deleting a department with a child: %d", status)
	}

	// Users: a bad address is refused at its field, the rest kept, the password never shown.
	user := url.Values{"usr_user_name": {"alice"}, "usr_name": {"Alice Wang"}, "usr_email": {"not-an-address"}, "usr_org_code": {"east"},
		"usr_role": {"user"}, "usr_enabled": {"1"}, "usr_password": {"secret-pass-1"}}
	status, body, _ = f.post(c, "/my/enterprise/users", user)
	f.refused(status, body, "usr_email", "Alice Wang", "a bad email")
	if strings.Contains(body, "secret-pass-1") {
		t.Error("the refused form shows the password")
	}
	user.Set("usr_email", "alice@acme.example")
	f.must2(f.post(c, "/my/enterprise/users", user))
	f.must2(f.post(c, "/my/enterprise/users", url.Values{"usr_user_name": {"bob"}, "usr_name": {"Bob Li"}, "usr_org_code": {"sales"}, "usr_role": {"user"}, "usr_enabled": {"1"}}))
	for _, lang := range []string{"zh-CN", en} {
		status, body, _ = f.get(c, "/my/enterprise/users/alice", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, "alice@acme.example") {
			t.Fatalf("user page (%s): %d\n%s", lang, status, body)
		}
		if status, body, _ = f.get(c, "/my/enterprise/users?org=east", "Accept-Language", lang); status != http.StatusOK || !strings.Contains(body, "Alice Wang") || strings.Contains(body, "Bob Li") {
			t.Fatalf("users of East (%s): %d\n%s", lang, status, body)
		}
	}
	status, body, _ = f.post(c, "/my/enterprise/users/alice", url.Values{"usr_name": {"Alice Wang"}, "usr_org_code": {"east"}, "usr_role": {"admin"}, "usr_password": {"short"}, "usr_enabled": {"1"}})
	f.refused(status, body, "usr_password", "", "a short password")
	f.must2(f.post(c, "/my/enterprise/users/alice", url.Values{"usr_name": {"Alice Wang"}, "usr_email": {"alice@acme.example"}, "usr_org_code": {"east"}, "usr_role": {"admin"}, "usr_enabled": {"1"}}))

	// Bind the joint-operation instance; an application; authorizations.
	status, body, _ = f.get(c, "/my/enterprise/bindings")
	if status != http.StatusOK || !strings.Contains(body, `value="`+key+`"`) {
		t.Fatalf("bindings: %d\n%s", status, body)
	}
	status, body, _ = f.post(c, "/my/enterprise/bindings", url.Values{"bind_instance": {"nope"}})
	f.refused(status, body, "bind_instance", "", "bind an unknown instance")
	f.must2(f.post(c, "/my/enterprise/bindings", url.Values{"bind_instance": {key}}))
	status, body, _ = f.post(c, "/my/enterprise/bindings/"+key+"/apps", url.Values{"app_name": {""}})
	f.refused(status, body, "app_name", "", "an application without a name")
	status, _, h := f.post(c, "/my/enterprise/bindings/"+key+"/apps", url.Values{"app_name": {"CRM"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/my/enterprise/apps/") {
		t.Fatalf("application: %d %v", status, h)
	}
	app := h.Get("Location")
	status, body, _ = f.post(c, app+"/authorize", nil)
	f.refused(status, body, "auth_add", "", "authorize nobody")
	f.e.Settle()
	m.Fail(kgp.KitAuthSync, 1)
	f.must2(f.post(c, app+"/authorize", url.Values{"auth_add": {"alice", "bob"}}))
	for _, lang := range []string{"zh-CN", en} {
		status, body, _ = f.get(c, app, "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, `name="auth_cancel" value="alice"`) || !strings.Contains(body, `name="auth_cancel" value="bob"`) {
			t.Fatalf("application (%s): %d\n%s", lang, status, body)
		}
	}
	f.e.Settle()

	// The refused authSync is in the log with a retry button; the retry sends it again.
	status, body, _ = f.get(c, "/my/enterprise/syncs", "Accept-Language", en)
	if status != http.StatusOK || !strings.Contains(body, "Failed") || !strings.Contains(body, "/retry") {
		t.Fatalf("syncs: %d\n%s", status, body)
	}
	retry := between(body, `action="/my/enterprise/syncs/`, `"`)
	f.must2(f.post(c, "/my/enterprise/syncs/"+retry, nil))
	f.e.Settle()
	_, body, _ = f.get(c, "/my/enterprise/syncs")
	if strings.Contains(body, "/retry") {
		t.Errorf("a sync is still to retry after the retry:\n%s", body)
	}
	syncs := f.merchantSyncs(m)
	for _, want := range []string{kgp.KitTenantSync, kgp.KitAllOrgSync, kgp.KitApplicationSync, kgp.KitAuthSync} {
		if !strings.Contains(syncs, want) {
			t.Errorf("the merchant did not get a %s: %s", want, syncs)
		}
	}
	f.must2(f.post(c, app+"/authorize", url.Values{"auth_cancel": {"bob"}}))
	if _, body, _ = f.get(c, app); strings.Contains(body, `name="auth_cancel" value="bob"`) {
		t.Error("bob is still authorized")
	}

	// Another buyer with its own enterprise: the first one's people, departments, applications
	// and syncs are 404 pages.
	oc, _ := f.otherBuyer()
	f.must2(f.post(oc, "/my/enterprise", url.Values{"ent_name": {"Other"}, "ent_code": {"other"}}))
	for _, p := range []string{"/my/enterprise/users/alice", "/my/enterprise/departments/sales", app} {
		if status, body, _ := f.get(oc, p); status != http.StatusNotFound || !strings.Contains(body, "big-status") {
			t.Errorf("another buyer's %s: %d", p, status)
		}
	}
	for _, p := range []string{"/my/enterprise/syncs/" + retry, "/my/enterprise/users/alice/delete", "/my/enterprise/bindings/" + key + "/unbind"} {
		if status, _, _ := f.post(oc, p, nil); status != http.StatusNotFound {
			t.Errorf("another buyer posts %s: %d", p, status)
		}
	}
	status, body, _ = f.post(oc, "/my/enterprise/bindings", url.Values{"bind_instance": {key}})
	f.refused(status, body, "bind_instance", "", "another buyer binds the first one's instance")

	// Unbind, delete the user and the empty department.
	f.must2(f.post(c, "/my/enterprise/bindings/"+key+"/unbind", nil))
	f.must2(f.post(c, "/my/enterprise/users/bob/delete", nil))
	f.must2(f.post(c, "/my/enterprise/departments/east", url.Values{"dep_name": {"East"}, "dep_parent": {""}}))
	f.must2(f.post(c, "/my/enterprise/departments/sales/delete", nil))
	if _, body, _ = f.get(c, "/my/enterprise/departments"); strings.Contains(body, "departments/sales") || !strings.Contains(body, "departments/east") {
		t.Errorf("after deleting Sales and moving East to the top:\n%s", body)
	}
}

// must2 is must for a post's results.
func (f *fixture) must2(status int, body string, _ http.Header) {
	f.t.Helper()
	f.must(status, body, "post")
}

// merchantSyncs is the kinds of kit calls the merchant accepted, joined.
func (f *fixture) merchantSyncs(m *enterprisetest.Merchant) string {
	f.t.Helper()
	log, err := m.Syncs()
	if err != nil {
		f.t.Fatal(err)
	}
	var kinds []string
	for _, s := range log {
		kinds = append(kinds, s.Kind)
	}
	return strings.Join(kinds, " ")
}
