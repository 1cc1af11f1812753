package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/supervision"
)

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
	linked(t, "clock", body)
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
	ap := marketplacetest.Must[*market.Appeal](t)(e.Appeals.File(e.Ctx, b, flow.ID, appeal.Request{Reason: "the seller ignores me", Demand: "deliver",
		Files: []supervision.File{{Name: "chat.html", Content: []byte("<script>alert(1)</script>")}}}))

	c := f.operator()
	body := f.page(c, "en", "/operator/", http.StatusOK)
	if strings.Count(body, `<p class="stat-value">1</p>`) < 3 {
		t.Errorf("the overview does not count the large refund, the dispute and the appeal")
	}
	body = f.page(c, "en", "/operator/unsubscriptions?state=DISPUTE", http.StatusOK)
	if !strings.Contains(body, "/operator/refunds/"+disputed.ID) || strings.Contains(body, "/operator/refunds/"+large.ID) {
		t.Errorf("the DISPUTE filter of all requests")
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
	linked(t, "dispute", body)
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
	body = f.page(c, "en", path, http.StatusOK)
	file := between(body, `href="`+path+`/files/`, `"`)
	if file == "" || !strings.Contains(body, "chat.html") {
		t.Fatalf("the appeal's evidence is not listed")
	}
	status, body, h := f.get(c, path+"/files/"+file)
	if status != http.StatusOK || body != "<script>alert(1)</script>" || h.Get("Content-Type") != "application/octet-stream" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("evidence opDownload: %d %v", status, h)
	}
	status, body, _ = f.post(c, path+"/decide", url.Values{"outcome": {"RESUME"}, "note": {"given by phone"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-resume_at"`) {
		t.Fatalf("resume without a state: %d", status)
	}
	linked(t, "appeal", body)
	if status, _, _ = f.post(c, path+"/decide", url.Values{"outcome": {"RESUME"}, "resume_at": {"SELLER_DELIVERING"}, "note": {"given by phone"}}); status != http.StatusSeeOther {
		t.Fatalf("decide appeal: %d", status)
	}
	if fl := marketplacetest.Must[*market.Flow](t)(e.DB.Flow(e.Ctx, flow.ID)); fl.State != market.FlowDelivering || fl.Frozen {
		t.Fatalf("after the decision the flow is %s (frozen %v)", fl.State, fl.Frozen)
	}
	body = f.page(c, "zh-CN", "/operator/flows?state=SELLER_DELIVERING", http.StatusOK)
	if !strings.Contains(body, "/operator/flows/"+flow.ID) {
		t.Errorf("the resumed flow is not listed under its state")
	}
	if body = f.page(c, "en", "/operator/flows/"+flow.ID, http.StatusOK); !strings.Contains(body, "/operator/appeals/"+ap.ID) || !strings.Contains(body, "Seller delivering") {
		t.Errorf("the flow's page lacks its appeal or state")
	}
	marketplacetest.Must[*market.Flow](t)(e.Supervision.Deliver(e.Ctx, s.Seller, flow.ID, supervision.StepRequest{Text: "delivered",
		Files: []supervision.File{{Name: "report.pdf", Content: []byte("%PDF-1.4")}}}))
	body = f.page(c, "en", "/operator/flows/"+flow.ID, http.StatusOK)
	flowFile := between(body, `href="/operator/flows/`+flow.ID+`/files/`, `"`)
	if status, body, _ := f.get(c, "/operator/flows/"+flow.ID+"/files/"+flowFile); flowFile == "" || status != http.StatusOK || body != "%PDF-1.4" {
		t.Errorf("the delivery's file: %q %d", flowFile, status)
	}
	body = f.page(c, "en", path, http.StatusOK)
	if !strings.Contains(body, "Decided") || !strings.Contains(body, "given by phone") || strings.Contains(body, `action="`+path+`/decide"`) {
		t.Errorf("the decided appeal's page")
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
