package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
)

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
	linked(t, "merchant", body)
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
	linked(t, "release", body)
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
	linked(t, "voucher", body)
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
	sku := f.shop.Specs["plain"]
	if status, _, _ := f.post(c, "/operator/products/p-shop/specs/"+sku+"/supervision", url.Values{"template": {"STANDARD"}}); status != http.StatusSeeOther {
		t.Fatalf("supervision: %d", status)
	}
	if tpl, err := f.e.Supervision.Spec(f.e.Ctx, sku); err != nil || tpl != market.TemplateStandard {
		t.Fatalf("the spec's supervision is %q (%v)", tpl, err)
	}
	if status, _, _ := f.post(c, "/operator/products/p-shop/specs/"+f.shop.Specs["saas"]+"/supervision", url.Values{"template": {""}}); status != http.StatusSeeOther {
		t.Fatalf("supervision off: %d", status)
	}
	if tpl, _ := f.e.Supervision.Spec(f.e.Ctx, f.shop.Specs["saas"]); tpl != "" {
		t.Fatalf("the saas spec is still supervised (%q)", tpl)
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

// TestOperatorAttributeTemplates creates a preset attribute of a category; an enumeration without
// values is refused at its field.
func TestOperatorAttributeTemplates(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	status, body, _ := f.post(c, "/operator/attributes", url.Values{"category": {"crm"}, "code": {"edition"}, "name": {"Edition"}, "type": {"ENUMERATION"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-values"`) || !strings.Contains(body, `value="edition"`) {
		t.Fatalf("an enumeration without values: %d", status)
	}
	if status, _, _ = f.post(c, "/operator/attributes", url.Values{"category": {"crm"}, "code": {"edition"}, "name": {"Edition"}, "type": {"ENUMERATION"},
		"values": {"basic\r\n plus \n\n"}}); status != http.StatusSeeOther {
		t.Fatalf("create: %d", status)
	}
	body = f.page(c, "zh-CN", "/operator/attributes?category=crm", http.StatusOK)
	if !strings.Contains(body, "basic, plus") || !strings.Contains(body, "预置") {
		t.Errorf("the preset is not listed:\n%s", body)
	}
}

// TestOperatorPutsAProductOnSale: a product of one spec and one plan goes on sale at once from
// the merchant's page; a missing name and price are refused at their fields.
func TestOperatorPutsAProductOnSale(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.operator()
	m := "/operator/merchants/" + f.shop.M.ID
	status, body, _ := f.post(c, m+"/products", url.Values{"product_name": {""}, "spec_name": {"Standard"}, "charging": {"PERIOD"}, "delivery": {"SAAS"},
		"period": {"month"}, "price": {"abc"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-price"`) || !strings.Contains(body, `value="Standard"`) {
		t.Fatalf("bad price: %d", status)
	}
	linked(t, "product", body)
	status, body, _ = f.post(c, m+"/products", url.Values{"product_name": {""}, "spec_name": {"Standard"}, "charging": {"PERIOD"}, "delivery": {"SAAS"},
		"period": {"month"}, "price": {"99"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-product_name"`) {
		t.Fatalf("no name: %d", status)
	}
	if status, _, _ = f.post(c, m+"/products", url.Values{"product_id": {"p-notes"}, "product_name": {"Team Notes"}, "category": {"office"},
		"spec_name": {"Standard"}, "charging": {"PERIOD"}, "delivery": {"SAAS"}, "period": {"month"}, "price": {"99"}, "trial_days": {"7"}}); status != http.StatusSeeOther {
		t.Fatalf("put on sale: %d", status)
	}
	if body = f.page(c, "en", "/?q=Team+Notes", http.StatusOK); !strings.Contains(body, "/products/p-notes") {
		t.Errorf("the new product is not in the storefront")
	}
}
