package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/kgp"
)

// TestOperatorJointOperation: the operator sees every enterprise and its kit syncs, retries a
// failed tenantSync, reads the merchant's notice, uploads a merchant's kit key (refused at its
// fields first) and makes a test credential shown once; buyers and sellers get the 404 page.
func TestOperatorJointOperation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	m, key := f.jointOp()
	e, err := f.e.Enterprises.CreateEnterprise(f.e.Ctx, f.buyer, enterprise.EnterpriseRequest{Name: "Acme Trading", TenantCode: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Enterprises.AddDepartment(f.e.Ctx, f.buyer, e.TenantID, enterprise.DepartmentRequest{OrgCode: "sales", Name: "Sales"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Enterprises.AddUsers(f.e.Ctx, f.buyer, e.TenantID, []enterprise.UserRequest{{UserName: "alice", Name: "Alice Wang", OrgCode: "sales"}}); err != nil {
		t.Fatal(err)
	}
	m.Fail(kgp.KitTenantSync, 1)
	if _, err := f.e.Enterprises.Bind(f.e.Ctx, f.buyer, e.TenantID, key); err != nil {
		t.Fatal(err)
	}
	f.e.Settle()
	c := f.operator()
	ent := "/operator/enterprises/" + e.TenantID
	for _, lang := range []string{"zh-CN", "en"} {
		if body := f.page(c, lang, "/operator/enterprises", http.StatusOK); !strings.Contains(body, `href="`+ent+`"`) || !strings.Contains(body, "Acme Trading") {
			t.Fatalf("%s: the enterprise is not listed\n%s", lang, body)
		}
		body := f.page(c, lang, ent, http.StatusOK)
		if !strings.Contains(body, key) || !strings.Contains(body, kgp.KitTenantSync) || !strings.Contains(body, "/retry") || !strings.Contains(body, "Alice Wang") {
			t.Fatalf("%s: the enterprise's page lacks its binding or failed sync\n%s", lang, body)
		}
		f.page(c, lang, ent+"?instance="+url.QueryEscape(key), http.StatusOK)
		f.page(c, lang, "/operator/kit-notices", http.StatusOK)
		if body := f.page(c, lang, "/operator/kit-notices?merchant=joint", http.StatusOK); !strings.Contains(body, `href="`+ent+`"`) {
			t.Errorf("%s: the merchant's notice of the failed sync is not listed\n%s", lang, body)
		}
		if body = f.page(c, lang, "/operator/merchants/joint", http.StatusOK); !strings.Contains(body, `id="kit-public-key"`) || !strings.Contains(body, "https://app.example/sso/callback") {
			t.Fatalf("%s: the merchant's page lacks its kit key\n%s", lang, body)
		}
		if body = f.page(c, lang, "/operator/merchants/"+f.shop.M.ID, http.StatusOK); !strings.Contains(body, `id="kit-none"`) {
			t.Errorf("%s: a merchant without a kit key shows one", lang)
		}
	}
	f.page(c, "en", "/operator/enterprises/nope", http.StatusNotFound)

	// Buyers and sellers: the 404 page, nothing done.
	seller, _ := f.sellerClient()
	body := f.page(c, "en", ent, http.StatusOK)
	retry := "/operator/enterprises/" + e.TenantID + "/syncs/" + between(body, `action="/operator/enterprises/`+e.TenantID+`/syncs/`, `"`)
	for who, o := range map[string]*http.Client{"buyer": f.login(f.token), "seller": seller} {
		for _, p := range []string{"/operator/enterprises", ent, "/operator/kit-notices"} {
			if status, body, _ := f.get(o, p); status != http.StatusNotFound || !strings.Contains(body, "404") {
				t.Errorf("%s GET %s: %d, want the 404 page", who, p, status)
			}
		}
		for _, p := range []string{retry, "/operator/merchants/joint/kit-key", "/operator/merchants/joint/test-credentials"} {
			if status, _, _ := f.post(o, p, url.Values{"public_key": {m.PublicKey}}); status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, p, status)
			}
		}
	}

	// The failed sync retried: no retry left.
	f.must2(f.post(c, retry, nil))
	f.e.Settle()
	if body = f.page(c, "en", ent, http.StatusOK); strings.Contains(body, "/retry") {
		t.Errorf("a sync is still to retry after the retry:\n%s", body)
	}
	if s := f.merchantSyncs(m); !strings.Contains(s, kgp.KitTenantSync) {
		t.Errorf("the merchant never got the tenantSync: %s", s)
	}

	// The kit key: refused at its fields with what was typed kept, then saved.
	status, body, _ := f.post(c, "/operator/merchants/joint/kit-key", url.Values{"public_key": {"not-a-key"}, "redirect_uris": {"https://ok.example/cb"}})
	f.refused(status, body, "public_key", "not-a-key", "a kit key that is no key")
	linked(t, "kit key", body)
	status, body, _ = f.post(c, "/operator/merchants/joint/kit-key", url.Values{"public_key": {m.PublicKey}, "redirect_uris": {"ftp://bad.example/cb"}})
	f.refused(status, body, "redirect_uris", "ftp://bad.example/cb", "a redirect URI not http(s)")
	f.must2(f.post(c, "/operator/merchants/joint/kit-key", url.Values{"public_key": {m.PublicKey}, "redirect_uris": {"https://new.example/cb\r\nhttps://two.example/cb"}}))
	if body = f.page(c, "zh-CN", "/operator/merchants/joint", http.StatusOK); !strings.Contains(body, "https://two.example/cb") || strings.Contains(body, "https://app.example/sso/callback") {
		t.Errorf("the redirect URIs are not replaced:\n%s", body)
	}

	// A test credential: shown once, its enterprise listed as the merchant's test enterprise.
	status, body, h := f.post(c, "/operator/merchants/joint/test-credentials", nil)
	password := between(body, `id="secret-op.testcred.password">`, "<")
	if status != http.StatusCreated || password == "" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("test credential: %d %q %q", status, password, h.Get("Cache-Control"))
	}
	if body = f.page(c, "en", "/operator/enterprises", http.StatusOK); !strings.Contains(body, `href="/operator/merchants/joint"`) {
		t.Errorf("the test enterprise is not listed as the merchant's")
	}
	if body = f.page(c, "en", "/operator/merchants/joint", http.StatusOK); strings.Contains(body, password) {
		t.Errorf("the test password is shown again")
	}
}
