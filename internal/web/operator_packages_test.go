package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
)

// TestOperatorPackage makes a spec an industrial-software package: refused at its fields with
// what was typed kept, saved, shown as stored; buyers and sellers get the 404 page.
func TestOperatorPackage(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	sku := f.shop.Specs["img"]
	page := "/operator/products/p-shop/specs/" + sku + "/package"
	if body := f.page(c, "en", "/operator/products/p-shop", http.StatusOK); !strings.Contains(body, `href="`+page+`"`) {
		t.Fatalf("the product page does not link the spec's package")
	}
	for _, lang := range []string{"zh-CN", "en"} {
		if body := f.page(c, lang, page, http.StatusOK); !strings.Contains(body, `id="pkg-none"`) {
			t.Fatalf("%s: a spec without a package shows one\n%s", lang, body)
		}
	}
	f.page(c, "en", "/operator/products/p-shop/specs/nope/package", http.StatusNotFound)

	seller, _ := f.sellerClient()
	for who, o := range map[string]*http.Client{"buyer": f.login(f.token), "seller": seller} {
		if status, body, _ := f.get(o, page); status != http.StatusNotFound || !strings.Contains(body, "404") {
			t.Errorf("%s GET the package: %d", who, status)
		}
		if status, _, _ := f.post(o, page, url.Values{"version": {"9"}}); status != http.StatusNotFound {
			t.Errorf("%s POST the package: %d", who, status)
		}
	}

	good := url.Values{"data_in_cloud": {"on"}, "version": {"2.1.0"}, "install_mode": {"INTERACTIVE"}, "quota_mib": {"512"},
		"forced_versions": {"1.0.0\r\n1.1.0"}, "trial_supported": {"on"}, "trial_days": {"14"}, "notes": {"CAD suite"}}
	bad := func(field, value string) url.Values {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		v.Set(field, value)
		return v
	}
	status, body, _ := f.post(c, page, bad("version", ""))
	f.refused(status, body, "version", "CAD suite", "a package without a version")
	linked(t, "package", body)
	status, body, _ = f.post(c, page, bad("trial_days", "1"))
	f.refused(status, body, "trial_days", `value="1"`, "a one-day trial")
	status, body, _ = f.post(c, page, bad("quota_mib", "lots"))
	f.refused(status, body, "quota_mib", `value="lots"`, "a quota that is no number")
	if _, err := f.e.Cloud.Package(f.e.Ctx, market.AsOperator(), sku); market.ErrorCode(err) != market.CodeNotFound {
		t.Fatalf("a refused form saved a package: %v", err)
	}
	f.must2(f.post(c, page, good))
	p, err := f.e.Cloud.Package(f.e.Ctx, market.AsOperator(), sku)
	if err != nil || p.Version != "2.1.0" || !p.DataInCloud || p.InstallMode != market.InstallInteractive || p.QuotaBytes != 512<<20 ||
		len(p.ForcedVersions) != 2 || p.TrialDays != 14 || p.Notes != "CAD suite" {
		t.Fatalf("package: %+v %v", p, err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		body = f.page(c, lang, page, http.StatusOK)
		for _, want := range []string{`value="2.1.0"`, `value="512"`, "1.0.0\n1.1.0", `id="pkg-updated"`, `value="INTERACTIVE" selected`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the package page lacks %q", lang, want)
			}
		}
	}
}
