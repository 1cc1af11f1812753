package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mercato-oss/mercato/internal/assets/assetstest"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/rfs"
)

// TestAssetCentre: a seller creates a package asset (a refused form keeps what was typed and
// names the field), uploads a version with a private key in it, submits it; the real
// mercato-scan rejects it and the report's finding is on the page; the seller appeals, the
// operator approves from its queue. Another merchant's seller and a buyer get the 404 page.
func TestAssetCentre(t *testing.T) {
	t.Parallel()
	scanner, err := assetstest.BuildScanner(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	f := setupWith(t, marketplacetest.Options{Config: func(c *marketplace.Config) {
		c.Assets.Scanner, c.Assets.RequireChecks, c.Assets.TempDir = scanner, nil, tmp
	}})
	e, op := f.e, market.AsOperator()
	_, sellerToken, err := e.Identity.CreateSellerUser(e.Ctx, op, f.shop.M.ID, identity.SellerUserRequest{Name: "ops", Role: market.SellerOperations})
	if err != nil {
		t.Fatal(err)
	}
	other := e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
	_, otherToken, err := e.Identity.CreateSellerUser(e.Ctx, op, other.Merchant.ID, identity.SellerUserRequest{Name: "admin", Role: market.SellerAdmin})
	if err != nil {
		t.Fatal(err)
	}
	seller := f.login(sellerToken)

	code, body, _ := f.get(seller, "/seller/assets")
	if code != http.StatusOK || !strings.Contains(body, "资产中心") {
		t.Fatalf("asset list: %d", code)
	}
	code, body, _ = f.post(seller, "/seller/assets", url.Values{"asset_kind": {"PACKAGE"}, "asset_name": {""}, "asset_description": {"typed <b>text</b>"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-asset_name"`) || !strings.Contains(body, "typed &lt;b&gt;text&lt;/b&gt;") {
		t.Fatalf("a nameless asset: %d\n%s", code, between(body, `<main`, `</main>`))
	}
	code, _, h := f.post(seller, "/seller/assets", url.Values{"asset_kind": {"PACKAGE"}, "asset_name": {"Acme app"}, "asset_regions": {"cn-north-4"}})
	page := h.Get("Location")
	if code != http.StatusSeeOther || !strings.HasPrefix(page, "/seller/assets/ast-") {
		t.Fatalf("create: %d %q", code, page)
	}
	if code := f.upload(seller, page+"/upload", "1.0", "acme.zip", assetstest.KeyPackage()); code != http.StatusSeeOther {
		t.Fatalf("upload: %d", code)
	}
	// A package is deployed by a template: submission needs a valid one.
	if code, body, _ := f.post(seller, page+"/submit", nil); code != http.StatusUnprocessableEntity || !strings.Contains(body, `class="alert"`) {
		t.Fatalf("submit without a template: %d", code)
	}
	if code, _ := f.postTemplate(seller, strings.TrimPrefix(page, "/seller/assets/"), "standard", rfs.Sample(1)); code != http.StatusSeeOther {
		t.Fatalf("add a template: %d", code)
	}
	if code, _, _ := f.post(seller, page+"/submit", nil); code != http.StatusSeeOther {
		t.Fatalf("submit: %d", code)
	}
	e.Settle() // the scan job runs mercato-scan
	code, body, _ = f.get(seller, page, "Accept-Language", "en")
	if code != http.StatusOK || !strings.Contains(body, `id="asset-state">Rejected`) || !strings.Contains(body, "private-key") || !strings.Contains(body, "app/conf/server.key") {
		t.Fatalf("after the scan: %d\n%s", code, between(body, `<main`, `</main>`))
	}

	for _, c := range []*http.Client{f.login(otherToken), f.login(f.token)} {
		if code, _, _ := f.get(c, page); code != http.StatusNotFound {
			t.Errorf("someone else's asset page: %d", code)
		}
	}

	code, body, _ = f.post(seller, page+"/appeal", url.Values{"asset_appeal": {""}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-asset_appeal"`) {
		t.Fatalf("an empty appeal: %d", code)
	}
	if code, _, _ := f.post(seller, page+"/appeal", url.Values{"asset_appeal": {"The key is a test fixture, not used in production."}}); code != http.StatusSeeOther {
		t.Fatalf("appeal: %d", code)
	}

	operator := f.login(marketplacetest.OperatorToken)
	id := strings.TrimPrefix(page, "/seller/assets/")
	code, body, _ = f.get(operator, "/operator/assets")
	if code != http.StatusOK || !strings.Contains(body, "/operator/assets/"+id) {
		t.Fatalf("the operator's queue: %d", code)
	}
	if code, _, _ := f.post(operator, "/operator/assets/"+id+"/decide", url.Values{"decision": {"approve"}, "decide_comment": {"Accepted: test key."}}); code != http.StatusSeeOther {
		t.Fatalf("decide: %d", code)
	}
	code, body, _ = f.get(seller, page, "Accept-Language", "zh-CN")
	if code != http.StatusOK || !strings.Contains(body, `id="asset-state">已通过`) || !strings.Contains(body, "Accepted: test key.") {
		t.Fatalf("after the decision: %d\n%s", code, between(body, `<main`, `</main>`))
	}
	if code, _, _ := f.get(seller, "/operator/assets"); code != http.StatusNotFound {
		t.Errorf("a seller on the operator's queue: %d", code)
	}
}

// upload posts a version's file as the upload form does (multipart, label first).
func (f *fixture) upload(c *http.Client, path, label, name string, content []byte) int {
	f.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("version_label", label)
	fw, _ := w.CreateFormFile("version_file", name)
	fw.Write(content)
	w.Close()
	res, err := c.Post(f.srv.URL+path, w.FormDataContentType(), &b)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

// TestBrowserAssets looks at the asset centre in a real browser: the seller's list and a
// rejected asset with its report, then the appeal and the operator's queue; no console errors,
// no serious accessibility violations, screenshots in both languages.
func TestBrowserAssets(t *testing.T) {
	scanner, err := assetstest.BuildScanner(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	f := setupWith(t, marketplacetest.Options{Config: func(c *marketplace.Config) {
		c.Assets.Scanner, c.Assets.RequireChecks, c.Assets.TempDir = scanner, nil, tmp
	}})
	_, sellerToken, err := f.e.Identity.CreateSellerUser(f.e.Ctx, market.AsOperator(), f.shop.M.ID, identity.SellerUserRequest{Name: "ops", Role: market.SellerOperations})
	if err != nil {
		t.Fatal(err)
	}
	seller := f.login(sellerToken)
	_, _, h := f.post(seller, "/seller/assets", url.Values{"asset_kind": {"PACKAGE"}, "asset_name": {"Acme CRM server"}, "asset_regions": {"cn-north-4"},
		"asset_description": {"The CRM's on-premises edition, deployed by the auto-deploy template."}})
	page := h.Get("Location")
	f.upload(seller, page+"/upload", "2.4.1", "acme-crm.zip", assetstest.KeyPackage())
	f.postTemplate(seller, strings.TrimPrefix(page, "/seller/assets/"), "standard", rfs.Sample(1))
	f.post(seller, page+"/submit", nil)
	f.e.Settle()

	b := newBrowser(t, f)
	b.open("/login")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), sellerToken), chromedp.Submit(chromedp.ID("token")), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	b.open("/seller/assets")
	b.axe("assets")
	b.shot("assets")
	b.open(page)
	b.do("the report", chromedp.WaitVisible(chromedp.CSS("table.findings")))
	b.axe("asset rejected")
	b.shot("asset-rejected")
	b.do("appeal", chromedp.SendKeys(chromedp.ID("appeal-reason"), "The key is a test fixture."), chromedp.Click(chromedp.ID("asset-appeal")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	b.phone("/seller/assets", page)
	b.shot("asset-phone")
	b.check()

	op := newBrowser(t, f)
	op.open("/login")
	op.do("operator signs in", chromedp.SendKeys(chromedp.ID("token"), marketplacetest.OperatorToken), chromedp.Submit(chromedp.ID("token")), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	op.open("/operator/assets")
	op.axe("asset queue")
	id := strings.TrimPrefix(page, "/seller/assets/")
	op.do("to the appeal", chromedp.Click(chromedp.CSS(`a[href="/operator/assets/`+id+`"]`)), chromedp.WaitVisible(chromedp.ID("asset-approve")))
	op.axe("asset appealed")
	op.shot("asset-appealed")
	op.phone("/operator/assets", "/operator/assets/"+id)
	op.do("desktop", chromedp.EmulateViewport(1280, 900))
	op.open("/operator/assets/" + id)
	op.do("approve", chromedp.SendKeys(chromedp.ID("decide-comment"), "Accepted."), chromedp.Click(chromedp.ID("asset-approve")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := op.text("#asset-state"); !strings.Contains(got, "Approved") && !strings.Contains(got, "已通过") {
		t.Errorf("after approval the state reads %q", got)
	}
	op.check()
}
