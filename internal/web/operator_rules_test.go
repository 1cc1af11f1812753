package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
)

// TestOperatorPurchaseRules sets a product's purchase rules on its page: order notification,
// trials restricted to a whitelist (a buyer refused a trial, then whitelisted), a spec's purchase
// limit and a hardware spec's stock, each refusal at its spec's field; buyers and sellers get
// the 404 page.
func TestOperatorPurchaseRules(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	plain, hw := f.shop.Specs["plain"], f.shop.Specs["hw"]
	const page = "/operator/products/p-shop"
	for _, lang := range []string{"zh-CN", "en"} {
		body := f.page(c, lang, page, http.StatusOK)
		for _, want := range []string{`name="per_user-` + plain + `"`, `name="quantity-` + hw + `"`, "1 Return Road, shop", `action="/operator/products/p-shop/trial-access"`} {
			if !strings.Contains(body, want) {
				t.Fatalf("%s: the product page lacks %q", lang, want)
			}
		}
		if strings.Contains(body, `name="quantity-`+plain+`"`) {
			t.Errorf("%s: a SaaS spec has a stock form", lang)
		}
	}

	// Buyers and sellers: the 404 page, nothing set.
	seller, _ := f.sellerClient()
	for who, o := range map[string]*http.Client{"buyer": f.login(f.token), "seller": seller} {
		for _, p := range []string{"/order-notify", "/trial-access", "/trial-whitelist", "/specs/" + plain + "/purchase-limit", "/specs/" + hw + "/stock"} {
			if status, _, _ := f.post(o, page+p, url.Values{"on": {"true"}, "restricted": {"true"}, "per_user-" + plain: {"1"}, "quantity-" + hw: {"0"}, "return_address-" + hw: {"x"}}); status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, p, status)
			}
		}
	}
	if l, _ := f.e.Orders.PurchaseLimit(f.e.Ctx, plain); l.PerUser != 0 {
		t.Fatalf("a refused post set a limit: %+v", l)
	}

	// Order notification.
	f.must2(f.post(c, page+"/order-notify", url.Values{"on": {"true"}}))
	if on, err := f.e.Orders.OrderNotify(f.e.Ctx, market.AsOperator(), "p-shop"); err != nil || !on {
		t.Errorf("order notification: %v %v", on, err)
	}

	// Purchase limit: refused at the spec's field with what was typed kept, then saved.
	status, body, _ := f.post(c, page+"/specs/"+plain+"/purchase-limit", url.Values{"per_user-" + plain: {"two"}})
	f.refused(status, body, "per_user-"+plain, `value="two"`, "a limit that is no number")
	linked(t, "limit", body)
	status, body, _ = f.post(c, page+"/specs/"+plain+"/purchase-limit", url.Values{"per_user-" + plain: {"20000"}})
	f.refused(status, body, "per_user-"+plain, `value="20000"`, "a limit too large")
	f.must2(f.post(c, page+"/specs/"+plain+"/purchase-limit", url.Values{"per_user-" + plain: {"2"}, "until_expiry-" + plain: {"on"}}))
	if l, _ := f.e.Orders.PurchaseLimit(f.e.Ctx, plain); l.PerUser != 2 || !l.UntilExpiry {
		t.Errorf("limit: %+v", l)
	}

	// Stock: refused at its fields, a SaaS spec refused, then saved.
	status, body, _ = f.post(c, page+"/specs/"+hw+"/stock", url.Values{"quantity-" + hw: {"-1"}, "return_address-" + hw: {"2 Road"}})
	f.refused(status, body, "quantity-"+hw, "2 Road", "a negative stock")
	status, body, _ = f.post(c, page+"/specs/"+hw+"/stock", url.Values{"quantity-" + hw: {"3"}, "return_address-" + hw: {""}})
	f.refused(status, body, "return_address-"+hw, "", "a stock without a return address")
	if status, _, _ = f.post(c, page+"/specs/"+plain+"/stock", url.Values{"quantity-" + plain: {"3"}, "return_address-" + plain: {"x"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("stock of a SaaS spec: %d", status)
	}
	f.must2(f.post(c, page+"/specs/"+hw+"/stock", url.Values{"quantity-" + hw: {"9"}, "return_address-" + hw: {"2 Road"}}))
	if st, err := f.e.Hardware.Stock(f.e.Ctx, hw); err != nil || st.Quantity != 9 || st.ReturnAddress != "2 Road" {
		t.Errorf("stock: %+v %v", st, err)
	}

	// Trials restricted: the buyer is refused a trial until whitelisted.
	status, body, _ = f.post(c, page+"/trial-access", url.Values{"trial_sku": {"nope"}, "restricted": {"true"}})
	f.refused(status, body, "trial_sku", "", "trial access of another product's spec")
	f.must2(f.post(c, page+"/trial-access", url.Values{"trial_sku": {plain}, "restricted": {"true"}}))
	trial := order.PurchaseRequest{Items: []order.Item{{ProductID: f.shop.Plans["plain"], PeriodNumber: 1}}, Trial: true}
	if _, err := f.e.Orders.Purchase(f.e.Ctx, f.buyer, trial); err == nil {
		t.Fatal("a trial of a restricted spec by a buyer not on the whitelist")
	}
	status, body, _ = f.post(c, page+"/trial-whitelist", url.Values{"whitelist_buyer": {"nobody"}, "on": {"true"}})
	f.refused(status, body, "whitelist_buyer", `value="nobody"`, "an unknown buyer whitelisted")
	f.must2(f.post(c, page+"/trial-whitelist", url.Values{"whitelist_buyer": {f.buyer.BuyerID}, "on": {"true"}}))
	if _, err := f.e.Orders.Purchase(f.e.Ctx, f.buyer, trial); err != nil {
		t.Errorf("the whitelisted buyer's trial: %v", err)
	}
	f.must2(f.post(c, page+"/trial-whitelist", url.Values{"whitelist_buyer": {f.buyer.BuyerID}, "on": {"false"}}))
	f.must2(f.post(c, page+"/trial-access", url.Values{"trial_sku": {""}, "restricted": {"false"}}))
	f.page(c, "en", page, http.StatusOK)
}
