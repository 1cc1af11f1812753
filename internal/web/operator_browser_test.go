package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestBrowserOperator is the operator's story in a real browser: sign in with the operator
// token, see the queue, reject a seller's release with a comment at a field (a refused empty
// rejection first), approve the resubmission, read a failed call's attempts, and visit every
// operator page. Screenshots in both languages go to testdata/out (operator-*.png).
func TestBrowserOperator(t *testing.T) {
	f := setup(t)
	_, seller := f.sellerClient()
	app := f.submitted(seller, "crm")
	f.e.Buy(f.buyer, f.shop, "plain", 1)
	f.e.Settle()
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
	f.e.Buy(f.buyer, f.shop, "saas", 1)
	f.e.Advance(4*time.Hour, 10*time.Minute)
	f.shop.Merchant.Set(func(k *sdktest.Knobs) { k.Down = false })
	b := newBrowser(t, f)

	b.open("/login")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("token"), marketplacetest.OperatorToken), chromedp.Submit(chromedp.ID("token")),
		chromedp.WaitVisible(chromedp.CSS(".side")))
	b.axe("operator home")
	b.shot("operator-home")

	b.do("to the queue", chromedp.Click(chromedp.CSS(`.side a[href="/operator/applications"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/operator/applications/`+app.ID+`"]`)))
	b.axe("applications")
	b.shot("operator-applications")
	b.do("to the application", chromedp.Click(chromedp.CSS(`a[href="/operator/applications/`+app.ID+`"]`)), chromedp.WaitVisible(chromedp.ID("reject")))
	b.axe("application")
	b.shot("operator-application")

	// An empty rejection is refused at its field.
	b.expect("/operator/applications/" + app.ID + "/reject")
	b.do("reject without comments", chromedp.Click(chromedp.ID("reject")), chromedp.WaitVisible(chromedp.ID("err-reason")))
	b.axe("application with errors")
	b.do("reject with a field comment", chromedp.SendKeys(chromedp.CSS(`textarea[name="c.listing.name"]`), "Drop the code from the name."),
		chromedp.Click(chromedp.ID("reject")), chromedp.WaitVisible(chromedp.CSS(".flash")), chromedp.WaitVisible(chromedp.CSS(".op-comment")))
	if got := b.text(".op-comment"); !strings.Contains(got, "Drop the code from the name.") {
		t.Errorf("the field comment shows %q", got)
	}
	b.shot("operator-application-rejected")

	// The seller resubmits; the operator approves.
	fixed := releaseDraft("crm")
	fixed.Listing.Name = "Acme CRM"
	if _, err := f.e.Publish.Update(f.e.Ctx, seller, app.ID, publish.ApplicationRequest{Type: market.AppRelease, ProductID: app.ProductID, Draft: fixed}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Publish.Submit(f.e.Ctx, seller, app.ID); err != nil {
		t.Fatal(err)
	}
	b.open("/operator/applications/" + app.ID)
	b.do("approve", chromedp.SendKeys(chromedp.ID("approve-comment"), "Welcome aboard"), chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if d, err := f.e.Publish.Application(f.e.Ctx, seller, app.ID); err != nil || d.State != market.AppApproved {
		t.Fatalf("after approval in the browser: %v %+v", err, d)
	}
	b.shot("operator-application-approved")

	// A failed call and its attempts.
	failed, _, err := f.e.Calls.Calls(f.e.Ctx, market.AsOperator(), store.CallFilter{State: market.CallFailed, Page: store.Page{Limit: 1}})
	if err != nil || len(failed) != 1 {
		t.Fatalf("failed calls: %v %v", failed, err)
	}
	b.open("/operator/calls?state=FAILED")
	b.axe("calls")
	b.shot("operator-calls")
	b.open("/operator/calls/" + failed[0].ID)
	b.do("open an attempt", chromedp.Click(chromedp.CSS(".op-attempts summary")), chromedp.WaitVisible(chromedp.CSS(".op-attempts pre")))
	b.axe("call")
	b.shot("operator-call")

	for _, p := range []string{"/operator/refunds", "/operator/appeals", "/operator/merchants", "/operator/merchants/" + f.shop.M.ID,
		"/operator/buyers", "/operator/buyers/" + f.buyer.BuyerID, "/operator/bills", "/operator/statements", "/operator/config", "/operator/clock",
		"/operator/waybills", "/operator/vouchers", "/operator/products/p-shop", "/operator/products/" + app.ProductID, "/operator/unsubscriptions", "/operator/flows", "/operator/attributes", "/operator/orders", "/operator/instances",
		"/operator/enterprises", "/operator/kit-notices", "/operator/shipments", "/operator/products/p-shop/specs/" + f.shop.Specs["img"] + "/package"} {
		b.open(p)
		b.axe(p)
	}
	b.open("/operator/clock")
	b.shot("operator-clock")
	b.open("/operator/buyers/" + f.buyer.BuyerID)
	b.shot("operator-buyer")
	b.open("/operator/merchants/" + f.shop.M.ID)
	b.shot("operator-merchant")

	// Phone width: no operator page scrolls sideways.
	b.phone("/operator/", "/operator/applications", "/operator/applications/"+app.ID, "/operator/calls", "/operator/calls/"+failed[0].ID,
		"/operator/refunds", "/operator/appeals", "/operator/merchants", "/operator/merchants/"+f.shop.M.ID, "/operator/buyers",
		"/operator/buyers/"+f.buyer.BuyerID, "/operator/bills", "/operator/statements", "/operator/config", "/operator/clock",
		"/operator/waybills", "/operator/vouchers", "/operator/products/p-shop", "/operator/enterprises", "/operator/kit-notices", "/operator/shipments",
		"/operator/products/p-shop/specs/"+f.shop.Specs["img"]+"/package")
	b.open("/operator/applications/" + app.ID)
	b.shot("operator-application-phone")
	b.open("/operator/calls/" + failed[0].ID)
	b.shot("operator-call-phone")
	b.check()
}
