package web_test

import (
	"net/http"
	"net/url"
	"regexp"
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
			"/operator/statements", "/operator/config", "/operator/clock", "/operator/waybills", "/operator/vouchers", "/operator/flows", "/operator/orders", "/operator/instances",
			"/operator/enterprises", "/operator/kit-notices", "/operator/shipments", "/operator/products/p-shop/specs/shop-img/package"} {
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
		"/operator/config", "/operator/clock", "/operator/waybills", "/operator/vouchers", "/operator/products/p-shop", "/operator/unsubscriptions",
		"/operator/unsubscriptions?state=REFUNDED&buyer=" + f.buyer.BuyerID, "/operator/flows", "/operator/flows?state=COMPLETED", "/operator/attributes",
		"/operator/orders", "/operator/orders?merchant=" + f.shop.M.ID, "/operator/instances", "/operator/instances?state=ACTIVE&buyer=" + f.buyer.BuyerID,
		"/operator/enterprises", "/operator/kit-notices", "/operator/shipments", "/operator/shipments?state=SIGNED", "/operator/products/p-shop/specs/" + f.shop.Specs["img"] + "/package"}
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

// TestOperatorRotatesItsToken: a rotated operator token is shown once and signs in; the token the
// configuration sets (MERCATO_OPERATOR_TOKEN) keeps working while it is configured.
func TestOperatorRotatesItsToken(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	status, body, h := f.post(c, "/operator/token", nil)
	token := between(body, `id="new-token">`, "<")
	if status != http.StatusOK || !strings.HasPrefix(token, "op_") || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("rotate: %d %q", status, token)
	}
	f.login(token)
	f.login(marketplacetest.OperatorToken)
	if body = f.page(c, "en", "/operator/config", http.StatusOK); strings.Contains(body, token) {
		t.Errorf("the token is shown again")
	}
}

// linked fails unless every error in a refused form's summary links to an element of the page.
func linked(t *testing.T, what, body string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`<a href="#([^"]+)">`).FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `id="`+m[1]+`"`) {
			t.Errorf("%s: the error summary links to #%s, which the page lacks", what, m[1])
		}
	}
}

// TestOperatorOrdersAndInstances lists orders and instances across buyers, by merchant, buyer and
// state; an order's page has its lines, instances and merchant calls.
func TestOperatorOrdersAndInstances(t *testing.T) {
	t.Parallel()
	f := setup(t)
	o := f.e.Buy(f.buyer, f.shop, "plain", 1)
	f.e.Settle()
	c := f.operator()
	body := f.page(c, "zh-CN", "/operator/orders?buyer="+f.buyer.BuyerID, http.StatusOK)
	if !strings.Contains(body, "/operator/orders/"+o.ID) {
		t.Fatalf("the buyer's order is not listed")
	}
	if body = f.page(c, "en", "/operator/orders?merchant=m-none", http.StatusOK); strings.Contains(body, o.ID) {
		t.Errorf("the merchant filter lists another merchant's order")
	}
	body = f.page(c, "en", "/operator/orders/"+o.ID, http.StatusOK)
	if !strings.Contains(body, "newInstance") || !strings.Contains(body, f.e.Instance(o.Lines[0].ID).ID) {
		t.Errorf("the order's page lacks its call or instance")
	}
	id := f.e.Instance(o.Lines[0].ID).ID // the merchant's instance ID, which the table shows
	if body = f.page(c, "en", "/operator/instances?state=ACTIVE", http.StatusOK); id == "" || !strings.Contains(body, id) {
		t.Errorf("the active instance %q is not listed", id)
	}
	if body = f.page(c, "en", "/operator/instances?state=FROZEN", http.StatusOK); strings.Contains(body, id) {
		t.Errorf("the state filter lists an active instance as frozen")
	}
}
