package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// sellerPassword is every fixture seller user's password.
const sellerPassword = "Seller-pass-2026"

// sellerUser adds a user with the password to merchant and signs a client in with it.
func (f *fixture) sellerUser(merchant, name string, role market.SellerRole) *http.Client {
	f.t.Helper()
	if _, _, err := f.e.Identity.CreateSellerUser(f.e.Ctx, market.AsOperator(), merchant, identity.SellerUserRequest{Name: name, Role: role, Password: sellerPassword}); err != nil {
		f.t.Fatal(err)
	}
	c := f.client()
	res, err := c.PostForm(f.srv.URL+"/login", url.Values{"mode": {"password"}, "merchant": {merchant}, "user": {name}, "password": {sellerPassword}})
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/seller/" {
		f.t.Fatalf("seller login: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return c
}

// failedCall makes the shop's merchant fail a renewal's refreshInstance until the call gives
// up, and returns the failed call.
func (f *fixture) failedCall() *market.Call {
	f.t.Helper()
	buyer := f.e.Buyer()
	o := f.e.Buy(buyer, f.shop, "plain", 1)
	key := o.Lines[0].ID
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityRefreshInstance] = 1000 })
	if _, err := f.e.Orders.Renew(f.e.Ctx, buyer, key, order.ChangeRequest{PeriodNumber: 1}); err != nil {
		f.t.Fatal(err)
	}
	f.e.Advance(61*time.Minute, 10*time.Minute)
	calls, _, err := f.e.Calls.Calls(f.e.Ctx, market.AsOperator(), store.CallFilter{InstanceKey: key, State: market.CallFailed})
	if err != nil || len(calls) != 1 {
		f.t.Fatalf("failed calls: %v %+v", err, calls)
	}
	return calls[0]
}

// sellerWant fails unless body contains every string.
func sellerWant(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: %q is missing", what, w)
		}
	}
}

// TestSellerPages signs a seller in (it lands on the seller overview) and renders every page of
// the seller console in both languages, with every message in both catalogs (StrictText).
func TestSellerPages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	call := f.failedCall()
	api := f.e.Instance(f.e.Buy(f.e.Buyer(), f.shop, "api", 0).Lines[0].ID)
	f.usage(api, 5)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerAdmin)
	if _, _, err := f.e.Notify.List(f.e.Ctx, f.shop.Seller, "", false, store.Page{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	orders, _, _ := f.e.Orders.Orders(f.e.Ctx, f.shop.Seller, store.OrderFilter{Page: store.Page{Limit: 1}})
	if len(orders) == 0 {
		t.Fatal("no order")
	}
	pages := []string{"/seller/", "/seller/products", "/seller/products/p-shop", "/seller/applications", "/seller/applications?state=REJECTED",
		"/seller/applications/new", "/seller/calls", "/seller/calls?state=FAILED", "/seller/calls/" + call.ID, "/seller/orders",
		"/seller/orders/" + orders[0].ID, "/seller/instances", "/seller/instances/" + call.InstanceKey, "/seller/statements",
		"/seller/keys", "/seller/users", "/seller/messages", "/seller/instances/" + api.Key + "/usage", "/seller/instances/" + api.Key + "/usage?by=day",
		"/seller/unsubscriptions", "/seller/flows", "/seller/products/p-shop/rules", "/seller/attributes", "/seller/discounts", "/seller/shipments"}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, p := range pages {
			status, body, _ := f.get(c, p, "Accept-Language", lang)
			if status != http.StatusOK {
				t.Errorf("%s %s: %d", lang, p, status)
				continue
			}
			if !strings.Contains(body, `lang="`+lang+`"`) || !strings.Contains(body, `href="/seller/calls"`) {
				t.Errorf("%s %s: not a seller console page in %s", lang, p, lang)
			}
		}
	}
	_, body, _ := f.get(c, "/seller/calls/"+call.ID, "Accept-Language", "en")
	sellerWant(t, "call page", body, "refreshInstance", "000005", "Attempt 1", "call-restart", "Latency")
}

// TestSellerOtherMerchant: a seller of another merchant gets the 404 page for this merchant's
// product, application, call, order and instance, and a buyer gets it for the console.
func TestSellerOtherMerchant(t *testing.T) {
	t.Parallel()
	f := setup(t)
	call := f.failedCall()
	mine := f.sellerUser(f.shop.M.ID, "alice", market.SellerAdmin)
	app := f.saveDraft(mine, sellerDraft())
	f.e.Shop("other")
	other := f.sellerUser("other", "bob", market.SellerAdmin)
	for _, p := range []string{"/seller/products/p-shop", "/seller/applications/" + app, "/seller/applications/" + app + "/edit",
		"/seller/calls/" + call.ID, "/seller/orders/" + call.OrderID, "/seller/instances/" + call.InstanceKey, "/seller/products/p-shop/rules"} {
		status, body, _ := f.get(other, p, "Accept-Language", "en")
		if status != http.StatusNotFound || !strings.Contains(body, "not yours to see") {
			t.Errorf("other merchant's seller: %s answered %d", p, status)
		}
	}
	for _, p := range []string{"/seller/calls/" + call.ID + "/restart", "/seller/applications/" + app + "/delete", "/seller/products/p-shop/debug"} {
		if status, _, _ := f.post(other, p, url.Values{}); status != http.StatusNotFound {
			t.Errorf("other merchant's seller: POST %s answered %d", p, status)
		}
	}
	if status, _, _ := f.get(f.login(f.token), "/seller/"); status != http.StatusNotFound {
		t.Errorf("a buyer sees the seller console: %d", status)
	}
	if status, _, h := f.get(f.client(), "/seller/calls"); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
		t.Errorf("a visitor is not sent to sign in: %d %s", status, h.Get("Location"))
	}
}

// sellerDraft is a release form that keeps every listing rule but the debug cases.
func sellerDraft() url.Values {
	return url.Values{
		"listing.name": {"Ledger Cloud"}, "listing.name_en": {"Ledger Cloud"}, "listing.version": {"V1.0"}, "listing.category": {"finance"},
		"listing.sales_type": {"COMMON"}, "listing.summary": {"Bookkeeping for small teams."},
		"listing.description": {strings.Repeat("Ledger Cloud keeps the books of small teams in order. ", 10)},
		"listing.usage_guide": {"Sign in at the front-end URL with the credentials of your instance."},
		"listing.agreement":   {"The merchant protects your personal data as its privacy policy says."},
		"listing.logo.format": {"PNG"}, "listing.logo.width": {"120"}, "listing.logo.height": {"120"}, "listing.logo.bytes": {"2048"},
		"listing.public": {"on"}, "spec_count": {"1"},
		"specs[0].name": {"标准版"}, "specs[0].name_en": {"Standard"}, "specs[0].charging": {"PERIOD"}, "specs[0].delivery": {"SAAS"},
		"specs[0].price.month": {"99"}, "specs[0].price.year": {"990"},
	}
}

var sellerAppLocation = regexp.MustCompile(`^/seller/applications/([^/]+)$`)

// saveDraft posts a new release form as a draft and returns the application's ID.
func (f *fixture) saveDraft(c *http.Client, form url.Values) string {
	f.t.Helper()
	form.Set("action", "save")
	status, body, h := f.post(c, "/seller/applications/new", form)
	m := sellerAppLocation.FindStringSubmatch(h.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		f.t.Fatalf("save draft: %d %s\n%s", status, h.Get("Location"), body)
	}
	return m[1]
}

// TestSellerPublishing: a submit that breaks rules shows each at its field in the user's
// language and keeps what was typed; a draft is saved, debug-tested and submitted; the
// operator's rejection comments show at their fields; the seller corrects and resubmits.
func TestSellerPublishing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	before, _, _ := f.e.Publish.Applications(f.e.Ctx, f.shop.Seller, store.ApplicationFilter{})

	// What the console cannot read (an amount) is refused at its field before the service.
	typo := sellerDraft()
	typo.Set("specs[0].price.month", "abc")
	typo.Set("action", "submit")
	status, body, _ := f.post(c, "/seller/applications/new", typo)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("typo: %d", status)
	}
	sellerWant(t, "typo", body, `id="err-specs[0].price.month"`, "请输入金额", `value="abc"`)

	bad := sellerDraft()
	bad.Set("listing.name", "华为云 Ledger V2.0")
	bad.Set("listing.version", "1.0")
	bad.Set("listing.agreement", "签字盖章")
	bad.Set("specs[0].name_en", "")
	bad.Set("action", "submit")
	status, body, _ = f.post(c, "/seller/applications/new", bad)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad submit: %d", status)
	}
	// zh-CN is the default language: the rules' messages in Chinese, at their fields.
	sellerWant(t, "bad submit", body, `id="err-listing.name"`, "名称不得以“华为云”开头", "名称不得包含版本号", `id="err-listing.version"`,
		"版本号格式应为", `id="err-listing.agreement"`, "个人信息", `id="err-specs[0].name_en"`, "每个规格都须有英文名称",
		`id="err-debug_cases"`, `value="华为云 Ledger V2.0"`, `value="1.0"`, "签字盖章")
	if apps, _, _ := f.e.Publish.Applications(f.e.Ctx, f.shop.Seller, store.ApplicationFilter{}); len(apps) != len(before) {
		t.Fatalf("a refused form stored %d applications", len(apps)-len(before))
	}

	id := f.saveDraft(c, sellerDraft())
	d, err := f.e.Publish.Application(f.e.Ctx, f.shop.Seller, id)
	if err != nil || d.State != market.AppDraft {
		t.Fatalf("draft: %v %+v", err, d)
	}
	// Submitting before the debug cases ran is refused at the debug cases.
	status, body, _ = f.post(c, "/seller/applications/"+id+"/submit", url.Values{})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-debug_cases"`) {
		t.Fatalf("submit without debug cases: %d", status)
	}
	status, _, h := f.post(c, "/seller/products/"+d.ProductID+"/debug", url.Values{})
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/seller/debug-runs/") {
		t.Fatalf("run debug: %d %s", status, h.Get("Location"))
	}
	f.e.Settle()
	_, body, _ = f.get(c, h.Get("Location"), "Accept-Language", "en")
	sellerWant(t, "debug run", body, "newInstance", "Passed")
	if status, _, _ = f.post(c, "/seller/applications/"+id+"/submit", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("submit: %d", status)
	}

	// The operator rejects, with comments at two fields and a general one.
	if _, err := f.e.Publish.Reject(f.e.Ctx, market.AsOperator(), id, "listing.name: 名称过于宽泛，请写明产品用途\nspecs[0].name: Name the edition's users\nPlease also add screenshots."); err != nil {
		t.Fatal(err)
	}
	_, body, _ = f.get(c, "/seller/applications/"+id, "Accept-Language", "en")
	sellerWant(t, "rejected application", body, "Reviewer&#39;s comments", `id="err-listing.name"`, "名称过于宽泛", `id="err-specs[0].name"`,
		"Name the edition&#39;s users", "Please also add screenshots.", "Correct and resubmit")
	_, body, _ = f.get(c, "/seller/applications/"+id+"/edit")
	sellerWant(t, "edit rejected", body, `id="err-listing.name"`, "审核意见", "名称过于宽泛", `value="Ledger Cloud"`)

	fixed := sellerDraft()
	fixed.Set("listing.name", "Ledger Cloud Bookkeeping")
	fixed.Set("specs[0].sku_code", sellerDraftSpec(t, f, id))
	fixed.Set("action", "submit")
	status, body, _ = f.post(c, "/seller/applications/"+id+"/edit", fixed)
	if status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d\n%s", status, body)
	}
	if d, _ := f.e.Publish.Application(f.e.Ctx, f.shop.Seller, id); d.State != market.AppPending || !strings.Contains(string(d.Payload), "Ledger Cloud Bookkeeping") {
		t.Fatalf("resubmitted: %s %s", d.State, d.Payload)
	}
	if _, err := f.e.Publish.Approve(f.e.Ctx, market.AsOperator(), id, ""); err != nil {
		t.Fatal(err)
	}
	_, body, _ = f.get(c, "/seller/products/"+d.ProductID, "Accept-Language", "en")
	sellerWant(t, "approved product", body, "Ledger Cloud Bookkeeping", "On sale", "Apply to hide", "Apply for removal")
	// A removal without a reason is refused at the reason.
	status, body, _ = f.post(c, "/seller/products/"+d.ProductID+"/removal", url.Values{"reason": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-seller_reason"`) {
		t.Fatalf("removal without reason: %d", status)
	}
	if status, _, _ = f.post(c, "/seller/products/"+d.ProductID+"/visibility", url.Values{"public": {"false"}}); status != http.StatusSeeOther {
		t.Fatalf("hide: %d", status)
	}
	// Hiding a spec of another product: its own visibility application.
	status, _, h = f.post(c, "/seller/products/p-shop/visibility", url.Values{"spec": {f.shop.Specs["saas"], f.shop.Specs["plain"]}, "hidden": {f.shop.Specs["plain"]}})
	if m := sellerAppLocation.FindStringSubmatch(h.Get("Location")); status != http.StatusSeeOther || m == nil {
		t.Fatalf("hide a spec: %d", status)
	} else if a, _ := f.e.Publish.Application(f.e.Ctx, f.shop.Seller, m[1]); !strings.Contains(string(a.Payload), `"`+f.shop.Specs["plain"]+`":true`) {
		t.Fatalf("spec visibility: %s", a.Payload)
	}
	// Sales regions: a code that is none is refused at the field.
	status, body, _ = f.post(c, "/seller/products/"+d.ProductID+"/regions", url.Values{"regions": {"CN, XX1"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-seller_regions"`) || !strings.Contains(body, "XX1") {
		t.Fatalf("bad regions: %d", status)
	}
	// The dial tests replay the saved debug cases at their round; the product's page lists them.
	f.e.Advance(18*time.Hour, time.Hour)
	_, body, _ = f.get(c, "/seller/products/"+d.ProductID, "Accept-Language", "en")
	if i := strings.Index(body, "Dial tests"); i < 0 || !strings.Contains(body[i:], "/seller/debug-runs/") {
		t.Error("no dial test on the product's page")
	}
	// The application's changes are in the message centre, in both languages.
	_, body, _ = f.get(c, "/seller/messages", "Accept-Language", "en")
	sellerWant(t, "messages", body, "Application approved", id)
	_, body, _ = f.get(c, "/seller/messages")
	sellerWant(t, "messages zh", body, "申请已通过")
}

// sellerDraftSpec is the sku_code the draft gave its first spec (the form keeps it in a hidden field).
func sellerDraftSpec(t *testing.T, f *fixture, id string) string {
	t.Helper()
	d, err := f.e.Publish.Application(f.e.Ctx, f.shop.Seller, id)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"sku_code":"([^"]+)"`).FindStringSubmatch(string(d.Payload))
	if m == nil {
		t.Fatalf("no sku_code in %s", d.Payload)
	}
	return m[1]
}

// TestSellerRestartsCall: a failed call is restarted from its page and, the merchant fixed,
// succeeds; the new key of a rotation is shown once.
func TestSellerRestartsCall(t *testing.T) {
	t.Parallel()
	f := setup(t)
	call := f.failedCall()
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityRefreshInstance] = 0 })
	status, _, h := f.post(c, "/seller/calls/"+call.ID+"/restart", url.Values{})
	if status != http.StatusSeeOther || h.Get("Location") != "/seller/calls/"+call.ID {
		t.Fatalf("restart: %d %s", status, h.Get("Location"))
	}
	f.e.Settle()
	_, body, _ := f.get(c, "/seller/calls/"+call.ID, "Accept-Language", "en")
	sellerWant(t, "restarted call", body, "Succeeded", "The call is restarted.")
	// Restarting a call that succeeded is refused with the reason and the way back.
	status, body, _ = f.post(c, "/seller/calls/"+call.ID+"/restart", url.Values{})
	if status != http.StatusConflict || !strings.Contains(body, `href="/seller/calls/`+call.ID+`"`) {
		t.Fatalf("restart again: %d", status)
	}
	// Operations may not rotate keys; an admin may, and sees the key once.
	if status, _, _ := f.post(c, "/seller/keys/rotate", url.Values{"interface": {"basic"}}); status != http.StatusForbidden {
		t.Errorf("operations rotated a key: %d", status)
	}
	admin := f.sellerUser(f.shop.M.ID, "root", market.SellerAdmin)
	status, body, h = f.post(admin, "/seller/keys/rotate", url.Values{"interface": {"basic"}})
	if status != http.StatusOK || !strings.Contains(body, `id="new-secret"`) || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("rotate: %d %s", status, h.Get("Cache-Control"))
	}
	if _, body, _ = f.get(admin, "/seller/keys"); strings.Contains(body, `id="new-secret"`) {
		t.Fatal("the new key is shown again")
	}
	status, body, _ = f.post(admin, "/seller/keys", url.Values{})
	if status != http.StatusOK || !strings.Contains(body, `id="new-ak"`) {
		t.Fatalf("issue an AK/SK: %d", status)
	}
	keys, _ := f.e.Catalog.APIKeys(f.e.Ctx, f.shop.Seller, f.shop.M.ID)
	if status, _, _ = f.post(admin, "/seller/keys/"+keys[len(keys)-1].AK+"/delete", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", status)
	}
	if after, _ := f.e.Catalog.APIKeys(f.e.Ctx, f.shop.Seller, f.shop.M.ID); len(after) != len(keys)-1 {
		t.Fatalf("%d keys after revoking one of %d", len(after), len(keys))
	}
	// The user's own password: a wrong current one is refused at its field.
	status, body, _ = f.post(admin, "/seller/password", url.Values{"current": {"wrong-pass-123"}, "new_password": {"Another-pass-2026"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-seller_current"`) {
		t.Fatalf("wrong current password: %d", status)
	}
	if status, _, _ = f.post(admin, "/seller/password", url.Values{"current": {sellerPassword}, "new_password": {"Another-pass-2026"}}); status != http.StatusSeeOther {
		t.Fatalf("change password: %d", status)
	}
}

// TestSellerAftersale: the seller reviews an unsubscription (a rejection without a note is
// refused at the note) and confirms and delivers a supervised service, from the console.
func TestSellerAftersale(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	buyer := f.e.Buyer()

	o := f.e.Buy(buyer, f.shop, "svc", 0)
	fl, _, err := f.e.Supervision.FlowOf(f.e.Ctx, buyer, o.Lines[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Supervision.SubmitRequirement(f.e.Ctx, buyer, fl.ID, supervision.StepRequest{Text: "Install it on our two servers."}); err != nil {
		t.Fatal(err)
	}
	_, body, _ := f.get(c, "/seller/flows?state=AWAITING_SELLER_CONFIRM_REQUIREMENT", "Accept-Language", "en")
	sellerWant(t, "flows", body, fl.ID, "To confirm")
	_, body, _ = f.get(c, "/seller/flows/"+fl.ID)
	sellerWant(t, "flow", body, "Install it on our two servers.", "确认需求")
	if status, _, _ := f.post(c, "/seller/flows/"+fl.ID+"/confirm", url.Values{"decision": {"approve"}}); status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", status)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("text", "Installed; see the admin URL.")
	fw, _ := mw.CreateFormFile("files", "report.txt")
	fw.Write([]byte("installation report"))
	mw.Close()
	res, err := c.Post(f.srv.URL+"/seller/flows/"+fl.ID+"/deliver", mw.FormDataContentType(), &buf)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("deliver: %v %v", err, res.Status)
	}
	res.Body.Close()
	_, body, _ = f.get(c, "/seller/flows/"+fl.ID)
	sellerWant(t, "delivered flow", body, "report.txt", "Installed; see the admin URL.")
	link := regexp.MustCompile(`href="(/seller/flows/[^"]+/files/[^"]+)"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no link to the delivered file")
	}
	if status, got, h := f.get(c, link[1]); status != http.StatusOK || got != "installation report" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the delivered file: %d %q %s", status, got, h.Get("Content-Disposition"))
	}
	if got, _, _ := f.e.Supervision.Flow(f.e.Ctx, buyer, fl.ID); got.State != market.FlowAwaitingAcceptance {
		t.Fatalf("flow is %s", got.State)
	}

	p := f.e.Buy(buyer, f.shop, "saas", 1)
	u, err := f.e.Aftersale.Submit(f.e.Ctx, buyer, p.Lines[0].ID, aftersale.SubmitRequest{Amount: 50_000, Reason: "Ordered the wrong edition."})
	if err != nil {
		t.Fatal(err)
	}
	if u.State != market.UnsubPendingSeller {
		t.Skipf("the request does not wait for the seller (%s)", u.State)
	}
	_, body, _ = f.get(c, "/seller/unsubscriptions/"+u.ID, "Accept-Language", "en")
	sellerWant(t, "unsubscription", body, "Ordered the wrong edition.", "Review the request")
	status, body, _ := f.post(c, "/seller/unsubscriptions/"+u.ID+"/review", url.Values{"decision": {"reject"}, "note": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-seller_note"`) {
		t.Fatalf("reject without a note: %d", status)
	}
	if status, _, _ = f.post(c, "/seller/unsubscriptions/"+u.ID+"/review", url.Values{"decision": {"reject"}, "note": {"The edition was used for a month."}}); status != http.StatusSeeOther {
		t.Fatalf("reject: %d", status)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, page := range []string{"/seller/unsubscriptions", "/seller/unsubscriptions/" + u.ID, "/seller/flows", "/seller/flows/" + fl.ID} {
			if status, _, _ := f.get(c, page, "Accept-Language", lang); status != http.StatusOK {
				t.Errorf("%s %s: %d", lang, page, status)
			}
		}
	}
}

// TestSellerRules: the upgrade rules page lists the product's specs; a refused set is shown
// with the service's reasons and the rows as typed.
func TestSellerRules(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	for _, lang := range []string{"zh-CN", "en"} {
		if status, body, _ := f.get(c, "/seller/products/p-shop/rules", "Accept-Language", lang); status != http.StatusOK || !strings.Contains(body, f.shop.Specs["saas"]) {
			t.Fatalf("%s rules page: %d", lang, status)
		}
	}
	status, body, _ := f.post(c, "/seller/products/p-shop/rules", url.Values{"rule_count": {"1"},
		"rules[0].source": {f.shop.Specs["plain"]}, "rules[0].target": {f.shop.Specs["hw"]}, "rules[0].step": {"x"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-rules[0].step"`) {
		t.Fatalf("a step that is no number: %d", status)
	}
	status, body, _ = f.post(c, "/seller/products/p-shop/rules", url.Values{"rule_count": {"1"},
		"rules[0].source": {f.shop.Specs["plain"]}, "rules[0].target": {f.shop.Specs["hw"]}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `class="alert"`) {
		t.Fatalf("a refused rule: %d", status)
	}
	sellerWant(t, "refused rule", body, `<option value="`+f.shop.Specs["hw"]+`" selected>`)
}

// TestSellerPlan: a business plan of a common product is refused with the rule at the form,
// what was typed kept; an amount that is no number is refused at its cell.
func TestSellerPlan(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	for _, lang := range []string{"zh-CN", "en"} {
		if status, _, _ := f.get(c, "/seller/products/p-shop/plan", "Accept-Language", lang); status != http.StatusOK {
			t.Fatalf("%s plan page: %d", lang, status)
		}
	}
	form := url.Values{}
	for i, y := range []string{"2026", "2027", "2028"} {
		p := "business_plan.years[" + string(rune('0'+i)) + "]."
		form.Set(p+"year", y)
		form.Set(p+"gmv", "1000000")
		form.Set(p+"projects", "12")
	}
	form.Set("business_plan.years[1].gmv", "lots")
	status, body, _ := f.post(c, "/seller/products/p-shop/plan", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-business_plan.years[1].gmv"`) || !strings.Contains(body, `value="lots"`) {
		t.Fatalf("a GMV that is no amount: %d", status)
	}
	form.Set("business_plan.years[1].gmv", "2000000")
	status, body, _ = f.post(c, "/seller/products/p-shop/plan", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "经营计划仅适用于联营商品") {
		t.Fatalf("a plan of a common product: %d", status)
	}
}

// TestSellerModify: a listed product's modification form lists its specs by name; saved, it is
// a MODIFICATION draft naming the listed specs without prices; submitted, the listing rules
// come back at their fields.
func TestSellerModify(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	status, body, _ := f.get(c, "/seller/products/p-shop/modify", "Accept-Language", "en")
	if status != http.StatusOK {
		t.Fatalf("modify page: %d", status)
	}
	sellerWant(t, "modify page", body, "Modify a product", `name="specs[0].listed"`, f.shop.Specs["saas"])
	form := url.Values{"action": {"save"}, "spec_count": {"1"}, "specs[0].listed": {"1"}, "specs[0].sku_code": {f.shop.Specs["saas"]},
		"specs[0].name": {"Supervised SaaS"}, "specs[0].name_en": {"Supervised SaaS"}, "listing.name": {"Shop product"}, "listing.version": {"V1.1"}}
	status, _, h := f.post(c, "/seller/products/p-shop/modify", form)
	m := sellerAppLocation.FindStringSubmatch(h.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("save modification: %d %s", status, h.Get("Location"))
	}
	d, err := f.e.Publish.Application(f.e.Ctx, f.shop.Seller, m[1])
	if err != nil || d.Type != market.AppModification || strings.Contains(string(d.Payload), `"plans":[{`) {
		t.Fatalf("modification: %v %s %s", err, d.Type, d.Payload)
	}
	status, body, _ = f.post(c, "/seller/applications/"+m[1]+"/submit", url.Values{})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-listing.`) {
		t.Fatalf("submit an incomplete modification: %d", status)
	}
	// The edit form keeps the listed spec as listed.
	_, body, _ = f.get(c, "/seller/applications/"+m[1]+"/edit")
	sellerWant(t, "edit modification", body, `name="specs[0].listed"`, `value="Supervised SaaS"`)
}

// TestSellerAttributes: a custom attribute named like a preset is refused at its name; a good
// one is listed and deleted.
func TestSellerAttributes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	status, body, _ := f.post(c, "/seller/attributes", url.Values{"category": {"finance"}, "type": {"ENUMERATION"}, "code": {"9bad"}, "name": {"version"}, "values": {"basic\npro"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-code"`) || !strings.Contains(body, `id="err-name"`) {
		t.Fatalf("a bad attribute: %d", status)
	}
	if status, _, _ = f.post(c, "/seller/attributes", url.Values{"category": {"finance"}, "type": {"ENUMERATION"}, "code": {"edition"}, "name": {"Edition"}, "values": {"basic\npro"}}); status != http.StatusSeeOther {
		t.Fatalf("an attribute: %d", status)
	}
	_, body, _ = f.get(c, "/seller/attributes", "Accept-Language", "en")
	sellerWant(t, "attributes", body, "Edition", "basic, pro", "Custom")
}

// TestSellerDiscounts: a finance user grants a product-level discount, which is pending until
// authorized; a partner-level one without its partner is refused at the field.
func TestSellerDiscounts(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "fiona", market.SellerFinance)
	form := url.Values{"product_id": {"p-shop"}, "level": {"PARTNER"}, "discount": {"900"}, "valid_from": {"2026-02-01"}, "valid_to": {"2026-12-31"}}
	status, body, _ := f.post(c, "/seller/discounts", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-partner_id"`) {
		t.Fatalf("a partner discount without its partner: %d", status)
	}
	form.Set("level", "PRODUCT")
	if status, _, _ = f.post(c, "/seller/discounts", form); status != http.StatusSeeOther {
		t.Fatalf("a product discount: %d", status)
	}
	ds, err := f.e.Resale.Discounts(f.e.Ctx, f.shop.Seller, f.shop.M.ID, "")
	if err != nil || len(ds) != 1 || ds[0].State != "PENDING" {
		t.Fatalf("discounts: %v %+v", err, ds)
	}
	if status, _, _ = f.post(c, "/seller/discounts/"+ds[0].ID+"/authorize", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("authorize: %d", status)
	}
	_, body, _ = f.get(c, "/seller/discounts", "Accept-Language", "en")
	sellerWant(t, "discounts", body, "Authorized", "900‰")
}

// TestSellerShipments: hardware bought and addressed is shipped from the console; a shipment
// without its waybill is refused at the field.
func TestSellerShipments(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	buyer := f.e.Buyer()
	key := f.e.Buy(buyer, f.shop, "hw", 0).Lines[0].ID
	if _, err := f.e.Hardware.SetAddress(f.e.Ctx, buyer, key, "1 Buyer Street, Shenzhen"); err != nil {
		t.Fatal(err)
	}
	_, body, _ := f.get(c, "/seller/shipments?state=AWAITING_SHIPMENT", "Accept-Language", "en")
	sellerWant(t, "shipments", body, key, "To ship")
	status, body, _ := f.post(c, "/seller/shipments/"+key+"/ship", url.Values{"carrier": {"SF"}, "waybill": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-seller_waybill"`) {
		t.Fatalf("ship without a waybill: %d", status)
	}
	if status, _, _ = f.post(c, "/seller/shipments/"+key+"/ship", url.Values{"carrier": {"SF"}, "waybill": {"SF1234567890"}}); status != http.StatusSeeOther {
		t.Fatalf("ship: %d", status)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		if status, body, _ := f.get(c, "/seller/shipments/"+key, "Accept-Language", lang); status != http.StatusOK || !strings.Contains(body, "SF1234567890") {
			t.Errorf("%s shipment page: %d", lang, status)
		}
	}
	f.e.Shop("other")
	if status, _, _ := f.get(f.sellerUser("other", "bob", market.SellerAdmin), "/seller/shipments/"+key); status != http.StatusNotFound {
		t.Errorf("another merchant's seller sees the shipment: %d", status)
	}
}

// TestSellerStock: a hardware spec's stock is set from the product's page; a quantity that is
// no number, or an empty return address, is refused at its field.
func TestSellerStock(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	hw := f.shop.Specs["hw"]
	_, body, _ := f.get(c, "/seller/products/p-shop", "Accept-Language", "en")
	sellerWant(t, "stock form", body, "Hardware stock", `value="1 Return Road, shop"`)
	status, body, _ := f.post(c, "/seller/products/p-shop/stock/"+hw, url.Values{"quantity": {"many"}, "return_address": {"x"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-seller_quantity"`) {
		t.Fatalf("a quantity that is no number: %d", status)
	}
	status, body, _ = f.post(c, "/seller/products/p-shop/stock/"+hw, url.Values{"quantity": {"8"}, "return_address": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-seller_return_address"`) {
		t.Fatalf("no return address: %d", status)
	}
	if status, _, _ = f.post(c, "/seller/products/p-shop/stock/"+hw, url.Values{"quantity": {"8"}, "return_address": {"2 Return Road"}}); status != http.StatusSeeOther {
		t.Fatalf("stock: %d", status)
	}
	if st, _ := f.e.Hardware.Stock(f.e.Ctx, hw); st.Quantity != 8 {
		t.Fatalf("stock is %d", st.Quantity)
	}
}

// TestSellerAppeal: an appeal without a reason is refused at the field; one filed too early is
// refused with the reason; after the buyer let the acceptance wait, the appeal is filed and
// listed on the flow's page.
func TestSellerAppeal(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	buyer := f.e.Buyer()
	o := f.e.Buy(buyer, f.shop, "svc", 0)
	fl, _, err := f.e.Supervision.FlowOf(f.e.Ctx, buyer, o.Lines[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	status, body, _ := f.post(c, "/seller/flows/"+fl.ID+"/appeal", url.Values{"appealing": {"1"}, "reason": {""}, "demand": {"complete"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-appeal_reason"`) {
		t.Fatalf("an appeal without a reason: %d", status)
	}
	status, _, _ = f.post(c, "/seller/flows/"+fl.ID+"/appeal", url.Values{"appealing": {"1"}, "reason": {"The buyer does not answer."}, "demand": {"Complete the flow."}})
	switch status {
	case http.StatusConflict, http.StatusForbidden: // too early: the buyer has not waited five days
		f.e.Advance(6*24*time.Hour, 12*time.Hour)
		if status, _, _ = f.post(c, "/seller/flows/"+fl.ID+"/appeal", url.Values{"appealing": {"1"}, "reason": {"The buyer does not answer."}, "demand": {"Complete the flow."}}); status != http.StatusSeeOther {
			t.Fatalf("appeal after six days: %d", status)
		}
	case http.StatusSeeOther:
	default:
		t.Fatalf("appeal: %d", status)
	}
	_, body, _ = f.get(c, "/seller/flows/"+fl.ID, "Accept-Language", "en")
	sellerWant(t, "appealed flow", body, "The buyer does not answer.", "Appeals")
}
