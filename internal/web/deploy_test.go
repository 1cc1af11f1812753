package web_test

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/rfs"
	"github.com/mercato-oss/mercato/internal/store"
)

// deployFixture is the console fixture with an approved image asset of the shop whose sample
// template the seller attached through the console, selected by the shop's one-time image spec.
type deployFixture struct {
	*fixture
	seller, operator *http.Client
	asset            string
}

func setupDeploy(t *testing.T) *deployFixture {
	f := setup(t)
	e := f.e
	now := e.Clock.Now()
	a := &market.Asset{ID: "ast-web", MerchantID: f.shop.M.ID, Kind: market.AssetImage, Name: "Acme CRM image", Arch: market.ArchX86,
		Regions: []string{"cn-north-4"}, State: market.AssetApproved, Version: 1, ApprovedVersion: 1, CreatedAt: now, UpdatedAt: now}
	if err := e.DB.Write(e.Ctx, func(tx *store.Tx) error { return tx.InsertAsset(e.Ctx, a) }); err != nil {
		t.Fatal(err)
	}
	_, sellerToken, err := e.Identity.CreateSellerUser(e.Ctx, market.AsOperator(), f.shop.M.ID, identity.SellerUserRequest{Name: "ops", Role: market.SellerOperations})
	if err != nil {
		t.Fatal(err)
	}
	d := &deployFixture{fixture: f, seller: f.login(sellerToken), operator: f.login(marketplacetest.OperatorToken), asset: a.ID}
	if code, body := d.addTemplate("standard", rfs.Sample(3)); code != http.StatusSeeOther {
		t.Fatalf("add the sample template: %d\n%s", code, between(body, `<main`, `</main>`))
	}
	if err := e.DB.Write(e.Ctx, func(tx *store.Tx) error {
		return tx.SetSpecAsset(e.Ctx, f.shop.Specs["img-once"], "p-"+f.shop.M.ID+"-once", f.shop.M.ID, a.ID, now.UnixMilli())
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

// addTemplate posts a template's files to the shop's asset as the asset page's form does.
func (d *deployFixture) addTemplate(name string, files []rfs.File) (int, string) {
	d.t.Helper()
	return d.postTemplate(d.seller, d.asset, name, files)
}

// postTemplate posts a template to an asset as the asset page's form does: its folders in one
// zip, as a seller sends them from a browser.
func (f *fixture) postTemplate(c *http.Client, assetID, name string, files []rfs.File) (int, string) {
	f.t.Helper()
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	for _, file := range files {
		fw, _ := zw.Create(file.Name)
		fw.Write(file.Data)
	}
	zw.Close()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("template_name", name)
	fw, _ := w.CreateFormFile("template_files", name+".zip")
	fw.Write(z.Bytes())
	w.Close()
	res, err := c.Post(f.srv.URL+"/seller/assets/"+assetID+"/templates", w.FormDataContentType(), &b)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// price sets a resource type's one price line through the operator's form.
func (d *deployFixture) price(typ, name, per, price string) {
	d.t.Helper()
	if code, body, _ := d.post(d.operator, "/operator/prices", url.Values{"resource_type": {typ}, "line_name_0": {name}, "line_per_0": {per},
		"line_price_0": {price}}); code != http.StatusSeeOther {
		d.t.Fatalf("price %s: %d\n%s", typ, code, between(body, `<main`, `</main>`))
	}
}

// TestDeployConsole: a template that breaks RFS's rules shows each violation with its file and
// line; the operator's price table; the buyer's form (a wrong answer at its field), the plan
// blocked by a resource with no price, then priced and deployed by the local deployer.
func TestDeployConsole(t *testing.T) {
	t.Parallel()
	d := setupDeploy(t)
	bad := []rfs.File{{Name: "main.tf", Data: []byte("variable \"x\" {}\nresource \"huaweicloud_vpc\" \"v\" {\n  provisioner \"local-exec\" {\n    command = \"echo\"\n  }\n}\n")}}
	if code, _ := d.addTemplate("broken", bad); code != http.StatusSeeOther {
		t.Fatalf("a broken template is kept with its report: %d", code)
	}
	code, body, _ := d.get(d.seller, "/seller/assets/"+d.asset, "Accept-Language", "en")
	if code != http.StatusOK || !strings.Contains(body, "breaks RFS rules") || !strings.Contains(body, "main.tf:3") {
		t.Fatalf("the asset page's templates: %d\n%s", code, between(body, `id="templates"`, `</section>`))
	}
	code, body, _ = d.post(d.operator, "/operator/prices", url.Values{"resource_type": {"Not A Type"}, "line_name_0": {"x"}, "line_per_0": {"hour"}, "line_price_0": {"1"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-resource_type"`) || !strings.Contains(body, `value="Not A Type"`) {
		t.Fatalf("a bad resource type: %d", code)
	}
	d.price("huaweicloud_vpc", "VPC", "month", "0")
	d.price("huaweicloud_compute_instance", "s6 server", "hour", "0.45")
	d.price("huaweicloud_evs_volume", "SSD", "month", "100")

	o := d.e.Buy(d.buyer, d.shop, "img-once", 0)
	d.e.Settle()
	ins, _, err := d.e.Orders.Instances(d.e.Ctx, d.buyer, store.InstanceFilter{OrderID: o.ID})
	if err != nil || len(ins) != 1 {
		t.Fatal(ins, err)
	}
	if _, err := d.e.Deploy.Form(d.e.Ctx, d.buyer, ins[0].Key, ""); err != nil {
		t.Fatalf("the instance (%s) has no form: %v", ins[0].State, err)
	}
	buyer := d.login(d.token)
	page := "/my/instances/" + ins[0].Key + "/deploy"
	if _, body, _ := d.get(buyer, "/my/instances/"+ins[0].Key); !strings.Contains(body, `href="`+page+`"`) {
		t.Fatalf("the instance page does not lead to its deployment")
	}
	code, body, _ = d.get(buyer, page, "Accept-Language", "zh-CN")
	if code != http.StatusOK || !strings.Contains(body, `name="inputs.admin_password"`) || !strings.Contains(body, `name="inputs.servers"`) {
		t.Fatalf("the form: %d", code)
	}
	req := between(body, `name="request_id" value="`, `"`)
	answers := url.Values{"request_id": {req}, "inputs.name": {"crm"}, "inputs.admin_password": {"short"}, "inputs.servers": {"2"}, "action": {"plan"}}
	code, body, _ = d.post(buyer, page, answers)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-inputs.admin_password"`) || !strings.Contains(body, `value="crm"`) {
		t.Fatalf("a short password: %d\n%s", code, between(body, `<main`, `</main>`))
	}
	answers.Set("inputs.admin_password", "correct horse battery")
	code, body, _ = d.post(buyer, page, answers)
	if code != http.StatusOK || !strings.Contains(body, "huaweicloud_vpc_eip") || !strings.Contains(body, "无价格") {
		t.Fatalf("the plan with an unpriced resource: %d\n%s", code, between(body, `id="plan"`, `</section>`))
	}
	answers.Set("action", "deploy")
	if code, _, _ := d.post(buyer, page, answers); code != http.StatusUnprocessableEntity {
		t.Fatalf("deploying with an unpriced resource: %d", code)
	}
	d.price("huaweicloud_vpc_eip", "EIP", "month", "200")
	code, _, h := d.post(buyer, page, answers)
	dep := h.Get("Location")
	if code != http.StatusSeeOther || !strings.HasPrefix(dep, "/my/deployments/dep-") {
		t.Fatalf("deploy: %d %q", code, dep)
	}
	if code, _, h := d.post(buyer, page, answers); code != http.StatusSeeOther || h.Get("Location") != dep {
		t.Fatalf("the same form sent again is the same deployment: %d %q", code, h.Get("Location"))
	}
	d.e.Settle()
	code, body, _ = d.get(buyer, dep, "Accept-Language", "en")
	if code != http.StatusOK || !strings.Contains(body, `id="dep-state">Deployed`) || strings.Contains(body, "correct horse") {
		t.Fatalf("the deployment: %d\n%s", code, between(body, `<main`, `</main>`))
	}
	other, _ := d.otherBuyer()
	if code, _, _ := d.get(other, dep); code != http.StatusNotFound {
		t.Errorf("another buyer's view of the deployment: %d", code)
	}
}

// TestBrowserDeploy: the buyer's deployment form and plan, and the operator's price table, in
// a real browser, with screenshots in both languages.
func TestBrowserDeploy(t *testing.T) {
	d := setupDeploy(t)
	for typ, p := range map[string]string{"huaweicloud_vpc": "0", "huaweicloud_compute_instance": "0.45", "huaweicloud_evs_volume": "100", "huaweicloud_vpc_eip": "200"} {
		d.price(typ, strings.TrimPrefix(typ, "huaweicloud_"), "month", p)
	}
	d.e.Buy(d.buyer, d.shop, "img-once", 0)
	d.e.Settle()
	ins, _, _ := d.e.Orders.Instances(d.e.Ctx, d.buyer, store.InstanceFilter{})
	b := newBrowser(t, d.fixture)
	b.open("/login")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), d.token), chromedp.Submit(chromedp.ID("token")), chromedp.WaitVisible(chromedp.CSS(".side")))
	b.open("/my/instances/" + ins[0].Key)
	b.do("to the form", chromedp.Click(chromedp.ID("to-deploy")), chromedp.WaitVisible(chromedp.CSS(".deploy-form")))
	// The plan is the answer to a POST: each language's screenshot asks for it again.
	for _, lang := range []string{"zh-CN", "en"} {
		b.lang(lang)
		b.do("answer", chromedp.SendKeys(chromedp.ID("f-admin_password"), "correct horse battery"), chromedp.Click(chromedp.ID("deploy-plan")),
			chromedp.WaitVisible(chromedp.ID("plan")))
		b.axe("deploy plan")
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.out, "deploy-plan-"+lang+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.do("deploy", chromedp.SendKeys(chromedp.ID("f-admin_password"), "correct horse battery"), chromedp.Click(chromedp.ID("deploy-submit")),
		chromedp.WaitVisible(chromedp.ID("dep-state")))
	d.e.Settle()
	b.do("deployed", chromedp.WaitVisible(chromedp.CSS("#dep-state.ok")))
	b.axe("deployment")
	b.shot("deployment")
	b.phone("/my/instances/"+ins[0].Key+"/deploy", "/my/instances/"+ins[0].Key)
	b.shot("deploy-phone")
	b.check()

	op := newBrowser(t, d.fixture)
	op.open("/login")
	op.do("operator signs in", chromedp.SendKeys(chromedp.ID("token"), marketplacetest.OperatorToken), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	op.open("/operator/prices")
	op.axe("prices")
	op.shot("prices")
	op.phone("/operator/prices")
	op.shot("prices-phone")
	op.check()
}
