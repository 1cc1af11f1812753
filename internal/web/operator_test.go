package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
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

// submitted is a release application of the shop's merchant, drafted, debugged and submitted by

// its seller: what the operator reviews.

// TestOperatorReviewsApplications: the queue lists a submitted release; the operator rejects it

// with a comment at two fields (the seller reads them at those fields), the seller resubmits,

// and the operator approves: the product is released.

// TestOperatorRestartsAFailedCall: a merchant down for longer than the retry window leaves

// failed calls; the operator finds them by merchant and state and reads their attempts. The

// newInstance call's order was refunded, so its restart is refused with the reason; a renewal's

// call, restarted once the merchant is back, succeeds.

// TestOperatorMerchantsAndBuyers creates a merchant (its keys shown once) and a buyer (its token

// shown once), tops the buyer up, and shows every error at its field, keeping what was typed.

// TestOperatorTestClock moves the sandbox's clock and runs a collection; outside the sandbox the

// clock pages are the 404 page.

// TestOperatorAfterSale: a large refund waits in the queue until the operator approves it; a

// disputed return is decided with a lower amount (a note is required); an appeal on a service

// flow is decided (resume at delivery), each at its field when the input is bad.

// TestOperatorAccountActions: a merchant's profile saved (a bad URL at its field), its access

// key rotated and an AK/SK issued (each shown once), a frozen product's freeze lifted; a buyer's

// token reissued (the old one stops signing in), credit line and level (errors at their fields),

// and an instance released with a reason (none is refused at its field).

// TestOperatorSettlement: a month's statement is listed with its settlement and paid out once;

// a second payout is refused with a flash.

// TestOperatorUsersWaybillsVouchers: the operator gives a merchant its first admin (who then

// signs in to the seller console with the password), records a carrier's event on a waybill (a

// signed waybill marks the shipment received) and issues a platform voucher; bad input at its

// field, what was typed kept (never a password).

// TestOperatorProductsAndRegions: a product's page lists its debug runs, whose cases show each

// exchange; credit pay is switched on; a merchant's signing regions and a buyer's country are

// set, bad codes refused at their fields.
