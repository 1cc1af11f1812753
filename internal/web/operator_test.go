package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/supervision"
	"github.com/mercato-oss/mercato/internal/web"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// operator signs the operator in with its token (the password-equivalent of the console).
func (f *fixture) operator() *http.Client {
	f.t.Helper()
	return f.login(marketplacetest.OperatorToken)
}

// sellerClient signs a seller user of the shop in with its token.
func (f *fixture) sellerClient() (*http.Client, market.Viewer) {
	f.t.Helper()
	u, token, err := f.e.Identity.CreateSellerUser(f.e.Ctx, market.AsOperator(), f.shop.M.ID, identity.SellerUserRequest{Name: "ops", Role: market.SellerOperations})
	if err != nil {
		f.t.Fatal(err)
	}
	return f.login(token), u.Viewer()
}

// page fetches path in lang and fails unless it answers want.
func (f *fixture) page(c *http.Client, lang, path string, want int) string {
	f.t.Helper()
	status, body, _ := f.get(c, path, "Accept-Language", lang)
	if status != want {
		f.t.Fatalf("%s %s: %d, want %d\n%s", lang, path, status, want, body)
	}
	return body
}

// TestOperatorSignIn: the operator token signs in and lands on the overview; a wrong token is
// refused at its field; the sign-in is the operator's token, not a stored password.
func TestOperatorSignIn(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.client()
	status, body, _ := f.post(c, "/login", url.Values{"mode": {"token"}, "token": {marketplacetest.OperatorToken + "x"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-token"`) {
		t.Fatalf("a wrong operator token: %d", status)
	}
	status, _, h := f.post(c, "/login", url.Values{"mode": {"token"}, "token": {marketplacetest.OperatorToken}})
	if status != http.StatusSeeOther || h.Get("Location") != "/operator/" {
		t.Fatalf("operator sign-in: %d → %q, want the operator overview", status, h.Get("Location"))
	}
	body = f.page(c, "zh-CN", "/operator/", http.StatusOK)
	if !strings.Contains(body, "运营概览") || !strings.Contains(body, `href="/operator/applications"`) {
		t.Fatalf("overview lacks its title or navigation:\n%s", body)
	}
	// Sent elsewhere first, the operator comes back there after signing in.
	anon := f.client()
	status, _, h = f.get(anon, "/operator/calls?state=FAILED")
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous operator page: %d %q", status, h.Get("Location"))
	}
	status, _, h = f.post(anon, "/login", url.Values{"mode": {"token"}, "token": {marketplacetest.OperatorToken}, "next": {"/operator/calls?state=FAILED"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/operator/calls?state=FAILED" {
		t.Fatalf("back after sign-in: %d %q", status, h.Get("Location"))
	}
}

// TestOperatorPagesNotForOthers: a buyer or a seller gets the 404 page for every operator page,
// and for its actions; nothing changes.
func TestOperatorPagesNotForOthers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	seller, _ := f.sellerClient()
	for who, c := range map[string]*http.Client{"buyer": f.login(f.token), "seller": seller} {
		for _, p := range []string{"/operator/", "/operator/applications", "/operator/calls", "/operator/merchants", "/operator/buyers/" + f.buyer.BuyerID,
			"/operator/statements", "/operator/config", "/operator/clock", "/operator/waybills", "/operator/vouchers"} {
			status, body, _ := f.get(c, p)
			if status != http.StatusNotFound || !strings.Contains(body, "404") {
				t.Errorf("%s GET %s: %d, want the 404 page", who, p, status)
			}
		}
		before := f.e.Clock.Now()
		for _, p := range []string{"/operator/clock/advance", "/operator/buyers/" + f.buyer.BuyerID + "/topup"} {
			if status, _, _ := f.post(c, p, url.Values{"duration": {"1h"}, "amount": {"1000"}, "ref": {"x"}}); status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, p, status)
			}
		}
		if !f.e.Clock.Now().Equal(before) {
			t.Errorf("a %s moved the test clock", who)
		}
	}
	if bal := f.e.Balance(f.buyer); bal != 5_000_000 {
		t.Errorf("the buyer's balance is %s after refused top-ups", bal)
	}
}

// TestOperatorPagesInBothLanguages renders every operator page in Chinese and English with the
// catalogs strict: a message missing from either fails the page.
func TestOperatorPagesInBothLanguages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.e.Buy(f.buyer, f.shop, "plain", 1)
	f.e.Settle()
	calls, _, err := f.e.Calls.Calls(f.e.Ctx, market.AsOperator(), store.CallFilter{Page: store.Page{Limit: 1}})
	if err != nil || len(calls) == 0 {
		t.Fatalf("no call after a purchase: %v", err)
	}
	c := f.operator()
	pages := []string{"/operator/", "/operator/applications", "/operator/applications?state=APPROVED&type=RELEASE", "/operator/refunds",
		"/operator/appeals", "/operator/appeals?state=DECIDED", "/operator/calls", "/operator/calls?state=FAILED&merchant=" + f.shop.M.ID,
		"/operator/calls/" + calls[0].ID, "/operator/merchants", "/operator/merchants/" + f.shop.M.ID, "/operator/buyers",
		"/operator/buyers/" + f.buyer.BuyerID, "/operator/bills", "/operator/bills?buyer=" + f.buyer.BuyerID, "/operator/statements",
		"/operator/config", "/operator/clock", "/operator/waybills", "/operator/vouchers", "/operator/products/p-shop"}
	for _, lang := range []string{"zh-CN", "en"} {
		for _, p := range pages {
			body := f.page(c, lang, p, http.StatusOK)
			if !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s %s is not in %s", lang, p, lang)
			}
		}
	}
	body := f.page(c, "en", "/operator/calls/"+calls[0].ID, http.StatusOK)
	for _, want := range []string{"Request as stored", "#1", " ms", "000000"} {
		if !strings.Contains(body, want) {
			t.Errorf("call page lacks %q", want)
		}
	}
	for _, p := range []string{"/operator/calls/nope", "/operator/applications/nope", "/operator/merchants/nope", "/operator/buyers/nope", "/operator/appeals/nope", "/operator/refunds/nope"} {
		f.page(c, "en", p, http.StatusNotFound)
	}
}

// releaseDraft is a listing that passes the publishing rules, with one monthly spec.
func releaseDraft(code string) *publish.Draft {
	return &publish.Draft{
		Listing: market.Listing{Name: "Acme CRM " + code, Version: "V1.0", Category: "crm", Summary: "Customer relationship management for small teams",
			Description: strings.Repeat("Acme CRM keeps customers, deals and follow-ups in one place for small sales teams. ", 6),
			UsageGuide:  "Log in at the address in your order with the account we send you, then invite your team.",
			Agreement:   "Service agreement. The merchant processes personal data only to provide the service (privacy clause).",
			Logo:        &market.Image{Format: "PNG", Width: 120, Height: 120, Bytes: 20_000}, Public: true},
		Specs: []catalog.SpecRequest{{SkuCode: code + "-std", Name: "标准版", NameEN: "Standard", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-" + strings.ToUpper(code) + "-STD-M", Period: market.PeriodMonth, Price: 100_000}}}},
	}
}

// submitted is a release application of the shop's merchant, drafted, debugged and submitted by
// its seller: what the operator reviews.
func (f *fixture) submitted(seller market.Viewer, code string) *market.Application {
	f.t.Helper()
	app, err := f.e.Publish.Create(f.e.Ctx, seller, publish.ApplicationRequest{Type: market.AppRelease, ProductID: "p-" + code, Draft: releaseDraft(code)})
	if err != nil {
		f.t.Fatal(err)
	}
	run, err := f.e.Dial.RunDebug(f.e.Ctx, seller, app.ProductID)
	if err != nil {
		f.t.Fatal(err)
	}
	f.e.Settle()
	if run, err = f.e.Dial.Run(f.e.Ctx, seller, run.ID); err != nil || run.State != market.RunPassed {
		f.t.Fatalf("debug run: %v %+v", err, run)
	}
	if app, err = f.e.Publish.Submit(f.e.Ctx, seller, app.ID); err != nil {
		f.t.Fatal(err)
	}
	return app
}

// TestOperatorReviewsApplications: the queue lists a submitted release; the operator rejects it
// with a comment at two fields (the seller reads them at those fields), the seller resubmits,
// and the operator approves: the product is released.
func TestOperatorReviewsApplications(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, seller := f.sellerClient()
	app := f.submitted(seller, "crm")
	c := f.operator()

	body := f.page(c, "zh-CN", "/operator/applications", http.StatusOK)
	if !strings.Contains(body, "/operator/applications/"+app.ID) || !strings.Contains(body, "商品发布") {
		t.Fatalf("the queue lacks the submitted release:\n%s", body)
	}
	if body = f.page(c, "en", "/operator/", http.StatusOK); !strings.Contains(body, `<p class="stat-value">1</p>`) {
		t.Errorf("the overview does not count the application")
	}
	path := "/operator/applications/" + app.ID
	body = f.page(c, "en", path, http.StatusOK)
	for _, want := range []string{"Acme CRM crm", "V1.0", `name="c.listing.name"`, `name="c.specs"`, `name="c.specs[0]"`, "Specification: 标准版", "Approve the application"} {
		if !strings.Contains(body, want) {
			t.Errorf("application page lacks %q", want)
		}
	}

	// A rejection needs a reason or a field comment; what was typed is kept.
	status, body, _ := f.post(c, path+"/reject", url.Values{"reason": {"  "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-reason"`) {
		t.Fatalf("an empty rejection: %d", status)
	}
	status, _, h := f.post(c, path+"/reject", url.Values{"reason": {"Please fix the listing."}, "c.listing.name": {"Drop the code from the name."},
		"c.listing.version": {"Use <V2.0>\nplease"}, "c.specs": {""}, "c.specs[0]": {"Name the edition's users"}})
	if status != http.StatusSeeOther || h.Get("Location") != path {
		t.Fatalf("reject: %d %v", status, h)
	}
	d, err := f.e.Publish.Application(f.e.Ctx, seller, app.ID)
	if err != nil || d.State != market.AppRejected {
		t.Fatalf("after rejection: %v %+v", err, d)
	}
	rc := web.ParseReviewComments(d.Comment)
	if rc.Overall != "Please fix the listing." || rc.For("listing.name") != "Drop the code from the name." || rc.For("listing.version") != "Use <V2.0> please" ||
		rc.For("specs[0]") != "Name the edition's users" || len(rc.Fields) != 3 {
		t.Fatalf("the seller reads %q as %+v", d.Comment, rc)
	}
	// The seller console reads "FIELD: text" lines (seller_form.go).
	if want := "Please fix the listing.\nlisting.name: Drop the code from the name.\nlisting.version: Use <V2.0> please\nspecs[0]: Name the edition's users"; d.Comment != want {
		t.Errorf("the reason is %q, want %q", d.Comment, want)
	}
	body = f.page(c, "zh-CN", path, http.StatusOK)
	if !strings.Contains(body, html.EscapeString("Use <V2.0> please")) || strings.Contains(body, "<V2.0>") || !strings.Contains(body, "已驳回") || !strings.Contains(body, "规格：标准版") {
		t.Errorf("the rejected application's page lacks the escaped field comment")
	}
	// A decided application is not decided again.
	if _, _, h = f.post(c, path+"/approve", nil); h.Get("Location") != path {
		t.Fatalf("approving a rejected application: %v", h)
	}
	if d, _ = f.e.Publish.Application(f.e.Ctx, seller, app.ID); d.State != market.AppRejected {
		t.Fatalf("a rejected application was approved")
	}

	// The seller fixes and resubmits; the operator approves.
	fixed := releaseDraft("crm")
	fixed.Listing.Name = "Acme CRM"
	if _, err := f.e.Publish.Update(f.e.Ctx, seller, app.ID, publish.ApplicationRequest{Type: market.AppRelease, ProductID: app.ProductID, Draft: fixed}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Publish.Submit(f.e.Ctx, seller, app.ID); err != nil {
		t.Fatal(err)
	}
	status, _, _ = f.post(c, path+"/approve", url.Values{"comment": {"Welcome aboard"}})
	if status != http.StatusSeeOther {
		t.Fatalf("approve: %d", status)
	}
	if d, _ = f.e.Publish.Application(f.e.Ctx, seller, app.ID); d.State != market.AppApproved {
		t.Fatalf("after approval: %s", d.State)
	}
	body = f.page(c, "en", path, http.StatusOK)
	if !strings.Contains(body, "The application is approved") || !strings.Contains(body, "Welcome aboard") || strings.Contains(body, `action="`+path+`/approve"`) {
		t.Errorf("approved page: no flash, no comment in the history, or still a review form")
	}
}

// TestOperatorRestartsAFailedCall: a merchant down for longer than the retry window leaves
// failed calls; the operator finds them by merchant and state and reads their attempts. The
// newInstance call's order was refunded, so its restart is refused with the reason; a renewal's
// call, restarted once the merchant is back, succeeds.
func TestOperatorRestartsAFailedCall(t *testing.T) {
	t.Parallel()
	f := setup(t)
	active := f.e.Buy(f.buyer, f.shop, "plain", 1)
	f.e.Settle()
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
	f.e.Buy(f.buyer, f.shop, "plain", 1)
	if _, err := f.e.Orders.Renew(f.e.Ctx, f.buyer, active.Lines[0].ID, order.ChangeRequest{PeriodNumber: 1}); err != nil {
		t.Fatal(err)
	}
	f.e.Advance(4*time.Hour, 10*time.Minute)
	c := f.operator()
	failed, _, err := f.e.Calls.Calls(f.e.Ctx, market.AsOperator(), store.CallFilter{State: market.CallFailed, Page: store.Page{Limit: 10}})
	if err != nil || len(failed) != 2 {
		t.Fatalf("want 2 failed calls, have %d (%v)", len(failed), err)
	}
	body := f.page(c, "en", fmt.Sprintf("/operator/calls?merchant=%s&state=FAILED", f.shop.M.ID), http.StatusOK)
	for _, call := range failed {
		if !strings.Contains(body, "/operator/calls/"+call.ID) {
			t.Errorf("failed call %s (%s) is not listed", call.ID, call.Activity)
		}
	}
	if body = f.page(c, "en", "/operator/calls?merchant=m-none&state=FAILED", http.StatusOK); strings.Contains(body, failed[0].ID) {
		t.Errorf("the merchant filter lists another merchant's call")
	}
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = false })
	for _, call := range failed {
		path := "/operator/calls/" + call.ID
		body = f.page(c, "zh-CN", path, http.StatusOK)
		for _, want := range []string{"失败", "重新发起", "HTTP 状态 503", "毫秒"} {
			if !strings.Contains(body, want) {
				t.Errorf("failed %s page lacks %q", call.Activity, want)
			}
		}
		status, body, h := f.post(c, path+"/restart", nil)
		if call.Activity == "newInstance" {
			if status != http.StatusConflict || !strings.Contains(body, "该调用当前无法重新发起") {
				t.Errorf("restarting the refunded order's call: %d", status)
			}
			continue
		}
		if status != http.StatusSeeOther || h.Get("Location") != path {
			t.Fatalf("restart %s: %d %v", call.Activity, status, h)
		}
		f.e.Settle()
		body = f.page(c, "en", path, http.StatusOK)
		if !strings.Contains(body, "The call is restarted.") || !strings.Contains(body, "Succeeded") || !strings.Contains(body, "#") {
			t.Errorf("after restarting %s the page lacks the flash or the new state:\n%s", call.Activity, body)
		}
	}
}

// TestOperatorMerchantsAndBuyers creates a merchant (its keys shown once) and a buyer (its token
// shown once), tops the buyer up, and shows every error at its field, keeping what was typed.
func TestOperatorMerchantsAndBuyers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()

	status, body, _ := f.post(c, "/operator/merchants", url.Values{"name": {"Globex"}, "production_url": {"not a url"}, "generation": {"2"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-production_url"`) || !strings.Contains(body, `value="Globex"`) {
		t.Fatalf("bad merchant: %d\n%s", status, body)
	}
	status, body, h := f.post(c, "/operator/merchants", url.Values{"name": {"Globex"}, "production_url": {"http://127.0.0.1:9/kg"}, "generation": {"2"}, "id": {"m-globex"}})
	if status != http.StatusCreated || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("create merchant: %d %v\n%s", status, h, body)
	}
	m, err := f.e.Catalog.Merchant(f.e.Ctx, market.AsOperator(), "m-globex")
	if err != nil || !strings.Contains(body, m.AccessKey) || !strings.Contains(body, "SK") {
		t.Fatalf("the new merchant's keys are not shown: %v", err)
	}
	if body = f.page(c, "en", "/operator/merchants", http.StatusOK); strings.Contains(body, m.AccessKey) {
		t.Errorf("the access key is shown again")
	}

	status, body, _ = f.post(c, "/operator/buyers", url.Values{"name": {""}, "email": {"x@example.com"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-name"`) || !strings.Contains(body, `value="x@example.com"`) {
		t.Fatalf("bad buyer: %d\n%s", status, body)
	}
	status, body, _ = f.post(c, "/operator/buyers", url.Values{"name": {"Han Meimei"}, "email": {"han@example.com"}})
	if status != http.StatusCreated {
		t.Fatalf("create buyer: %d\n%s", status, body)
	}
	token := between(body, `<dt>Sign-in token</dt><dd class="mono">`, "<")
	if token == "" {
		token = between(body, `<dt>登录令牌</dt><dd class="mono">`, "<")
	}
	id := between(body, `href="/operator/buyers/`, `"`)
	if token == "" || id == "" {
		t.Fatalf("the new buyer's token or ID is not shown:\n%s", body)
	}
	f.login(token) // the token signs the new buyer in

	path := "/operator/buyers/" + id
	status, body, _ = f.post(c, path+"/topup", url.Values{"amount": {"abc"}, "ref": {"pay-1"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-amount"`) || !strings.Contains(body, `value="pay-1"`) {
		t.Fatalf("bad top-up: %d", status)
	}
	status, body, _ = f.post(c, path+"/topup", url.Values{"amount": {"100"}, "ref": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-ref"`) {
		t.Fatalf("top-up without reference: %d", status)
	}
	for range 2 { // the same reference twice credits once
		if status, _, _ = f.post(c, path+"/topup", url.Values{"amount": {"1234.5"}, "ref": {"pay-1"}}); status != http.StatusSeeOther {
			t.Fatalf("top-up: %d", status)
		}
	}
	body = f.page(c, "zh-CN", path, http.StatusOK)
	if !strings.Contains(body, "¥1,234.50") || !strings.Contains(body, "充值已入账") {
		t.Errorf("the buyer page lacks the balance or the flash")
	}
}

// TestOperatorTestClock moves the sandbox's clock and runs a collection; outside the sandbox the
// clock pages are the 404 page.
func TestOperatorTestClock(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	before := f.e.Clock.Now()
	status, body, _ := f.post(c, "/operator/clock/advance", url.Values{"duration": {"-5m"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-duration"`) || !strings.Contains(body, `value="-5m"`) {
		t.Fatalf("bad duration: %d", status)
	}
	if status, _, _ = f.post(c, "/operator/clock/advance", url.Values{"duration": {"36h"}}); status != http.StatusSeeOther {
		t.Fatalf("advance: %d", status)
	}
	if got := f.e.Clock.Now().Sub(before); got != 36*time.Hour {
		t.Fatalf("the clock moved %s", got)
	}
	if status, _, _ = f.post(c, "/operator/clock/collect", url.Values{"cycle": {"HOURLY"}}); status != http.StatusSeeOther {
		t.Fatalf("collect: %d", status)
	}
	if now := f.e.Clock.Now(); now.Minute() != 16 {
		t.Errorf("after the hourly collection the clock is at %s, want :16 (the :15 collection and its margin)", now)
	}
	body = f.page(c, "en", "/operator/clock", http.StatusOK)
	if !strings.Contains(body, "The collection runs now") {
		t.Errorf("no flash after the collection")
	}
}

// TestOperatorAfterSale: a large refund waits in the queue until the operator approves it; a
// disputed return is decided with a lower amount (a note is required); an appeal on a service
// flow is decided (resume at delivery), each at its field when the input is bad.
func TestOperatorAfterSale(t *testing.T) {
	t.Parallel()
	f := setup(t)
	e, s, b := f.e, f.shop, f.buyer
	if _, err := e.Billing.TopUp(e.Ctx, market.AsOperator(), b.BuyerID, 100_000_000, "big"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Catalog.CreateProduct(e.Ctx, market.AsOperator(), catalog.ProductRequest{ID: "p-big", MerchantID: s.M.ID, Name: "Big",
		Specs: []catalog.SpecRequest{{SkuCode: "big-std", Name: "Big", Charging: market.ChargingPeriod, Delivery: market.DeliverySaaS,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-BIG", Period: market.PeriodYear, Price: 60_000_000}}}}}); err != nil {
		t.Fatal(err)
	}
	s.Plans["big"] = "OFFI-BIG"
	if _, err := e.Supervision.SetSpec(e.Ctx, s.Seller, "big-std", supervision.SpecRequest{Supervised: true}); err != nil {
		t.Fatal(err)
	}
	key := e.Buy(b, s, "big", 1).Lines[0].ID
	large := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: 60_000_000, Reason: "bought the wrong plan"}))
	large = marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Review(e.Ctx, s.Seller, large.ID, true, ""))
	if large.State != market.UnsubRefunding || large.Approval != market.ApprovalPending {
		t.Fatalf("large refund %s/%s", large.State, large.Approval)
	}

	hw := e.Buy(b, s, "hw", 0).Lines[0].ID
	marketplacetest.Must[*market.Shipment](t)(e.Hardware.SetAddress(e.Ctx, b, hw, "9 Buyer Street"))
	marketplacetest.Must[*market.Shipment](t)(e.Hardware.Ship(e.Ctx, s.Seller, hw, hardware.ShipRequest{Carrier: "SF", Waybill: "SF0001"}))
	marketplacetest.Must[*market.WaybillEvent](t)(e.Hardware.Track(e.Ctx, market.AsOperator(), "SF", "SF0001", hardware.EventRequest{Status: market.WaybillSigned}))
	disputed := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, hw, aftersale.SubmitRequest{Amount: 500_000, Reason: "faulty"}))
	marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Review(e.Ctx, s.Seller, disputed.ID, true, ""))
	marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.ReturnShipped(e.Ctx, b, disputed.ID, aftersale.ReturnRequest{Carrier: "SF", Waybill: "RT0001"}))
	marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Inspect(e.Ctx, s.Seller, disputed.ID, false, "the seal is broken"))

	flow := marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, e.Buy(b, s, "saas", 1).Lines[0].ID))
	ap := marketplacetest.Must[*market.Appeal](t)(e.Appeals.File(e.Ctx, b, flow.ID, appeal.Request{Reason: "the seller ignores me", Demand: "deliver"}))

	c := f.operator()
	body := f.page(c, "en", "/operator/", http.StatusOK)
	if strings.Count(body, `<p class="stat-value">1</p>`) < 3 {
		t.Errorf("the overview does not count the large refund, the dispute and the appeal")
	}
	body = f.page(c, "zh-CN", "/operator/refunds", http.StatusOK)
	if !strings.Contains(body, "/operator/refunds/"+large.ID) || !strings.Contains(body, "/operator/refunds/"+disputed.ID) || !strings.Contains(body, "¥60,000.00") {
		t.Fatalf("the refunds queue lacks a request:\n%s", body)
	}

	// The large refund.
	f.page(c, "en", "/operator/refunds/"+large.ID, http.StatusOK)
	if status, _, _ := f.post(c, "/operator/refunds/"+large.ID+"/approve", nil); status != http.StatusSeeOther {
		t.Fatalf("approve refund: %d", status)
	}
	if u := marketplacetest.Must[*aftersale.Detail](t)(e.Aftersale.Unsubscription(e.Ctx, market.AsOperator(), large.ID)); u.Approval != market.ApprovalByOperator {
		t.Fatalf("after approval: %s", u.Approval)
	}
	if body = f.page(c, "en", "/operator/refunds/"+large.ID, http.StatusOK); strings.Contains(body, `/approve"`) || !strings.Contains(body, "The refund is approved.") {
		t.Errorf("the approved refund still offers approval, or no flash")
	}

	// The dispute: no note, then a bad amount, then a lower refund.
	path := "/operator/refunds/" + disputed.ID
	status, body, _ := f.post(c, path+"/dispute", url.Values{"decision": {"refund"}, "amount": {"300"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-note"`) || !strings.Contains(body, `value="300"`) {
		t.Fatalf("dispute without a note: %d\n%s", status, body)
	}
	status, body, _ = f.post(c, path+"/dispute", url.Values{"decision": {"refund"}, "amount": {"9999"}, "note": {"partly damaged"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-amount"`) || !strings.Contains(body, "partly damaged") {
		t.Fatalf("dispute above the amount asked: %d\n%s", status, body)
	}
	if status, _, _ = f.post(c, path+"/dispute", url.Values{"decision": {"refund"}, "amount": {"300"}, "note": {"partly damaged"}}); status != http.StatusSeeOther {
		t.Fatalf("decide dispute: %d", status)
	}
	if u := marketplacetest.Must[*aftersale.Detail](t)(e.Aftersale.Unsubscription(e.Ctx, market.AsOperator(), disputed.ID)); u.State != market.UnsubRefunding || u.Amount != 300_000 {
		t.Fatalf("after the decision: %s %s", u.State, u.Amount)
	}

	// The appeal.
	path = "/operator/appeals/" + ap.ID
	body = f.page(c, "zh-CN", "/operator/appeals", http.StatusOK)
	if !strings.Contains(body, path) {
		t.Fatalf("the appeal is not listed")
	}
	status, body, _ = f.post(c, path+"/decide", url.Values{"outcome": {"RESUME"}, "note": {"given by phone"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-resume_at"`) {
		t.Fatalf("resume without a state: %d", status)
	}
	if status, _, _ = f.post(c, path+"/decide", url.Values{"outcome": {"RESUME"}, "resume_at": {"SELLER_DELIVERING"}, "note": {"given by phone"}}); status != http.StatusSeeOther {
		t.Fatalf("decide appeal: %d", status)
	}
	if fl := marketplacetest.Must[*market.Flow](t)(e.DB.Flow(e.Ctx, flow.ID)); fl.State != market.FlowDelivering || fl.Frozen {
		t.Fatalf("after the decision the flow is %s (frozen %v)", fl.State, fl.Frozen)
	}
	body = f.page(c, "en", path, http.StatusOK)
	if !strings.Contains(body, "Decided") || !strings.Contains(body, "given by phone") || strings.Contains(body, `action="`+path+`/decide"`) {
		t.Errorf("the decided appeal's page")
	}
}

// TestOperatorAccountActions: a merchant's profile saved (a bad URL at its field), its access
// key rotated and an AK/SK issued (each shown once), a frozen product's freeze lifted; a buyer's
// token reissued (the old one stops signing in), credit line and level (errors at their fields),
// and an instance released with a reason (none is refused at its field).
func TestOperatorAccountActions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	m := "/operator/merchants/" + f.shop.M.ID

	// Released first: a rotated access key (below) leaves the test merchant signing with the old one.
	o := f.e.Buy(f.buyer, f.shop, "plain", 1)
	f.e.Settle()
	key := o.Lines[0].ID
	field := "reason-" + key
	status, body, _ := f.post(c, "/operator/buyers/"+f.buyer.BuyerID+"/instances/"+key+"/release", url.Values{field: {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-`+field+`"`) {
		t.Fatalf("release without a reason: %d", status)
	}
	if status, _, _ = f.post(c, "/operator/buyers/"+f.buyer.BuyerID+"/instances/"+key+"/release", url.Values{field: {"abuse report"}}); status != http.StatusSeeOther {
		t.Fatalf("release: %d", status)
	}
	f.e.Settle()
	if in := f.e.Instance(key); in.State != market.InstanceReleased {
		t.Fatalf("after the release the instance is %s", in.State)
	}
	if body = f.page(c, "en", "/operator/buyers/"+f.buyer.BuyerID, http.StatusOK); !strings.Contains(body, "The instance is being released.") {
		t.Errorf("no flash after the release")
	}

	status, body, _ = f.post(c, m, url.Values{"name": {"Shop Renamed"}, "production_url": {"ftp://nowhere"}, "generation": {"2"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-production_url"`) || !strings.Contains(body, `value="ftp://nowhere"`) {
		t.Fatalf("bad production URL: %d", status)
	}
	if status, _, _ = f.post(c, m, url.Values{"name": {"Shop Renamed"}, "production_url": {f.shop.M.ProductionURL}, "generation": {"2"}}); status != http.StatusSeeOther {
		t.Fatalf("save merchant: %d", status)
	}
	if got, _ := f.e.Catalog.Merchant(f.e.Ctx, market.AsOperator(), f.shop.M.ID); got.Name != "Shop Renamed" {
		t.Fatalf("name %q after saving", got.Name)
	}
	status, body, h := f.post(c, m+"/keys", url.Values{"key": {"access"}})
	got, _ := f.e.Catalog.Merchant(f.e.Ctx, market.AsOperator(), f.shop.M.ID)
	if status != http.StatusOK || got.AccessKey == f.shop.M.AccessKey || !strings.Contains(body, got.AccessKey) || h.Get("Cache-Control") != "no-store" ||
		!strings.Contains(body, `value="Shop Renamed"`) {
		t.Fatalf("rotate access key: %d, shown %v", status, strings.Contains(body, got.AccessKey))
	}
	if body = f.page(c, "en", m, http.StatusOK); strings.Contains(body, got.AccessKey) {
		t.Errorf("the rotated key is shown again")
	}
	if status, body, _ = f.post(c, m+"/keys", url.Values{"key": {"aksk"}}); status != http.StatusOK || !strings.Contains(body, `id="secret-op.merchant.sk"`) {
		t.Fatalf("issue AK/SK: %d", status)
	}

	// A frozen product (five days of failed dial tests) takes orders again.
	if err := f.e.DB.Write(f.e.Ctx, func(tx *store.Tx) error { _, err := tx.SetFrozen(f.e.Ctx, "p-shop", true); return err }); err != nil {
		t.Fatal(err)
	}
	if body = f.page(c, "zh-CN", m, http.StatusOK); !strings.Contains(body, "已冻结") {
		t.Fatalf("the frozen product is not marked")
	}
	if status, _, h = f.post(c, "/operator/products/p-shop/unfreeze", url.Values{"back": {m}}); status != http.StatusSeeOther || h.Get("Location") != m {
		t.Fatalf("unfreeze: %d %v", status, h)
	}
	if d, _ := f.e.Catalog.Product(f.e.Ctx, market.AsOperator(), "p-shop"); d.Product.Frozen {
		t.Fatalf("still frozen")
	}

	b := "/operator/buyers/" + f.buyer.BuyerID
	status, body, _ = f.post(c, b+"/token", nil)
	token := between(body, `id="new-token">`, "<")
	if status != http.StatusOK || token == "" {
		t.Fatalf("reissue token: %d", status)
	}
	if _, err := f.e.Identity.SignInWithToken(f.e.Ctx, f.token); err == nil {
		t.Errorf("the old token still signs in")
	}
	f.login(token)
	if status, body, _ = f.post(c, b+"/credit", url.Values{"credit_limit": {"-5"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-credit_limit"`) {
		t.Fatalf("negative credit line: %d", status)
	}
	if status, _, _ = f.post(c, b+"/credit", url.Values{"credit_limit": {"2000"}}); status != http.StatusSeeOther {
		t.Fatalf("credit line: %d", status)
	}
	if status, body, _ = f.post(c, b+"/level", url.Values{"level": {"platinum"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-level"`) {
		t.Fatalf("unknown level: %d", status)
	}

}

// TestOperatorSettlement: a month's statement is listed with its settlement and paid out once;
// a second payout is refused with a flash.
func TestOperatorSettlement(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.e.Buy(f.buyer, f.shop, "img", 12) // CNY 1,200 of images: above the bill run's minimum
	f.e.Settle()
	f.e.Clock.Set(time.Date(2026, 3, 7, 0, 1, 0, 0, time.UTC))
	if err := f.e.Billing.Settle(f.e.Ctx, "2026-02"); err != nil {
		t.Fatal(err)
	}
	list, err := f.e.Billing.Statements(f.e.Ctx, market.AsOperator(), f.shop.M.ID, 12)
	if err != nil || len(list) == 0 || list[0].Month != "2026-02" || list[0].Settlement <= 0 {
		t.Fatalf("statements: %v %+v", err, *list[0])
	}
	c := f.operator()
	path := "/operator/statements/" + f.shop.M.ID + "/2026-02/payout"
	body := f.page(c, "zh-CN", "/operator/statements?merchant="+f.shop.M.ID, http.StatusOK)
	if !strings.Contains(body, `action="`+path+`"`) || !strings.Contains(body, "结算金额") {
		t.Fatalf("the statement offers no payout:\n%s", body)
	}
	status, _, h := f.post(c, path, url.Values{"back": {"/operator/statements?merchant=" + f.shop.M.ID}})
	if status != http.StatusSeeOther || h.Get("Location") != "/operator/statements?merchant="+f.shop.M.ID {
		t.Fatalf("payout: %d %v", status, h)
	}
	if body = f.page(c, "en", "/operator/statements", http.StatusOK); !strings.Contains(body, "The payout is recorded.") {
		t.Errorf("no flash after the payout")
	}
	f.post(c, path, url.Values{"back": {"https://evil.example/"}})
	if body = f.page(c, "en", "/", http.StatusOK); !strings.Contains(body, "paid out already") {
		t.Errorf("a second payout: no refusal (or the flash went elsewhere)")
	}
}

// TestOperatorUsersWaybillsVouchers: the operator gives a merchant its first admin (who then
// signs in to the seller console with the password), records a carrier's event on a waybill (a
// signed waybill marks the shipment received) and issues a platform voucher; bad input at its
// field, what was typed kept (never a password).
func TestOperatorUsersWaybillsVouchers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	m := "/operator/merchants/" + f.shop.M.ID
	status, body, _ := f.post(c, m+"/users", url.Values{"user_name": {""}, "role": {"admin"}, "password": {"Secret-pass-123"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-user_name"`) || strings.Contains(body, "Secret-pass-123") {
		t.Fatalf("a user without a name: %d", status)
	}
	status, body, _ = f.post(c, m+"/users", url.Values{"user_name": {"alice"}, "role": {"admin"}, "password": {"Secret-pass-123"}})
	if status != http.StatusCreated || !strings.Contains(body, `id="secret-op.user.token"`) {
		t.Fatalf("add a user: %d", status)
	}
	seller := f.client()
	if status, _, h := f.post(seller, "/login", url.Values{"mode": {"password"}, "merchant": {f.shop.M.ID}, "user": {"alice"}, "password": {"Secret-pass-123"}}); status != http.StatusSeeOther || h.Get("Location") != "/seller/" {
		t.Fatalf("the new admin signs in: %d %v", status, h)
	}

	key := f.e.Buy(f.buyer, f.shop, "hw", 0).Lines[0].ID
	marketplacetest.Must[*market.Shipment](t)(f.e.Hardware.SetAddress(f.e.Ctx, f.buyer, key, "9 Buyer Street"))
	marketplacetest.Must[*market.Shipment](t)(f.e.Hardware.Ship(f.e.Ctx, f.shop.Seller, key, hardware.ShipRequest{Carrier: "SF", Waybill: "SF0042"}))
	if status, body, _ = f.post(c, "/operator/waybills", url.Values{"carrier": {"SF"}, "number": {"SF0042"}, "status": {"LOST"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-status"`) {
		t.Fatalf("an unknown status: %d", status)
	}
	if status, _, _ = f.post(c, "/operator/waybills", url.Values{"carrier": {"SF"}, "number": {"SF0042"}, "status": {"SIGNED"}, "text": {"front desk"}}); status != http.StatusSeeOther {
		t.Fatalf("record the event: %d", status)
	}
	if sh := marketplacetest.Must[*market.Shipment](t)(f.e.DB.Shipment(f.e.Ctx, key)); sh.State != market.ShipmentSigned {
		t.Fatalf("after the signed event the shipment is %s", sh.State)
	}

	status, body, _ = f.post(c, "/operator/vouchers", url.Values{"buyer_id": {f.buyer.BuyerID}, "kind": {"VOUCHER"}, "amount": {"50"}, "scope": {"PRODUCT"}, "valid_until": {"2026-03-01"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-scope_id"`) || !strings.Contains(body, `value="2026-03-01"`) {
		t.Fatalf("a product voucher without its product: %d", status)
	}
	if status, _, _ = f.post(c, "/operator/vouchers", url.Values{"buyer_id": {f.buyer.BuyerID}, "kind": {"VOUCHER"}, "amount": {"50"}, "scope": {"PRODUCT"},
		"scope_id": {"p-shop"}, "valid_until": {"2026-03-01"}}); status != http.StatusSeeOther {
		t.Fatalf("issue a voucher: %d", status)
	}
	list, _, err := f.e.Vouchers.Vouchers(f.e.Ctx, f.buyer, store.VoucherFilter{})
	if err != nil || len(list) != 1 || list[0].Amount != 50_000 || list[0].Issuer != "" {
		t.Fatalf("the buyer's vouchers: %v %+v", err, list)
	}
	if body = f.page(c, "zh-CN", "/operator/vouchers", http.StatusOK); !strings.Contains(body, list[0].ID) || !strings.Contains(body, "¥50.00") {
		t.Errorf("the voucher is not listed")
	}
}

// TestOperatorProductsAndRegions: a product's page lists its debug runs, whose cases show each
// exchange; credit pay is switched on; a merchant's signing regions and a buyer's country are
// set, bad codes refused at their fields.
func TestOperatorProductsAndRegions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, seller := f.sellerClient()
	app := f.submitted(seller, "crm")
	c := f.operator()
	body := f.page(c, "en", "/operator/products/"+app.ProductID, http.StatusOK)
	run := between(body, `href="/operator/debug-runs/`, `"`)
	if run == "" || !strings.Contains(body, "The seller&#39;s debug runs") {
		t.Fatalf("the product page lists no debug run:\n%s", body)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		body = f.page(c, lang, "/operator/debug-runs/"+run, http.StatusOK)
		if !strings.Contains(body, "newInstance") {
			t.Errorf("%s: the run's cases are missing", lang)
		}
		f.page(c, lang, "/operator/products/p-shop", http.StatusOK)
	}
	if status, _, _ := f.post(c, "/operator/products/p-shop/credit-pay", url.Values{"on": {"true"}}); status != http.StatusSeeOther {
		t.Fatalf("credit pay: %d", status)
	}

	m := "/operator/merchants/" + f.shop.M.ID
	status, body, _ := f.post(c, m+"/regions", url.Values{"regions": {"CN, XYZ"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-regions"`) || !strings.Contains(body, `value="CN, XYZ"`) {
		t.Fatalf("bad regions: %d", status)
	}
	if status, _, _ = f.post(c, m+"/regions", url.Values{"regions": {"cn, sg"}}); status != http.StatusSeeOther {
		t.Fatalf("regions: %d", status)
	}
	b := "/operator/buyers/" + f.buyer.BuyerID
	if status, body, _ = f.post(c, b+"/country", url.Values{"country": {"China"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-country"`) {
		t.Fatalf("bad country: %d", status)
	}
	if status, _, _ = f.post(c, b+"/country", url.Values{"country": {"sg"}}); status != http.StatusSeeOther {
		t.Fatalf("country: %d", status)
	}
}
