package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestGapSellerDiscountChange: a finance user changes a discount's value and validity; a value
// out of range is refused at its field (the service's rule), in both languages; another
// merchant's seller gets the 404 page.
func TestGapSellerDiscountChange(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "fiona", market.SellerFinance)
	form := url.Values{"product_id": {"p-shop"}, "level": {"PRODUCT"}, "discount": {"900"}, "valid_from": {"2026-02-01"}, "valid_to": {"2026-12-31"}}
	if status, _, _ := f.post(c, "/seller/discounts", form); status != http.StatusSeeOther {
		t.Fatalf("a product discount: %d", status)
	}
	ds, err := f.e.Resale.Discounts(f.e.Ctx, f.shop.Seller, f.shop.M.ID, "")
	if err != nil || len(ds) != 1 {
		t.Fatalf("discounts: %v %+v", err, ds)
	}
	path := "/seller/discounts/" + ds[0].ID + "/edit"
	if _, body, _ := f.get(c, "/seller/discounts", "Accept-Language", "en"); !strings.Contains(body, path) {
		t.Fatal("no link to change the discount")
	}
	for lang, want := range map[string]string{"en": "Change a resale discount", "zh-CN": "修改转售折扣"} {
		status, body, _ := f.get(c, path, "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, `value="900"`) || !strings.Contains(body, `value="2026-12-31"`) {
			t.Fatalf("%s edit page: %d", lang, status)
		}
		req := url.Values{"gap_discount": {"1500"}, "gap_from": {"2026-02-01"}, "gap_to": {"2026-12-31"}}
		r, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(req.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Accept-Language", lang)
		res, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: a discount out of range: %d", lang, res.StatusCode)
		}
	}
	status, body, _ := f.post(c, path, url.Values{"gap_discount": {"1500"}, "gap_from": {"2026-02-01"}, "gap_to": {"2026-12-31"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-gap_discount"`) || !strings.Contains(body, `value="1500"`) {
		t.Fatalf("out of range: %d", status)
	}
	status, body, _ = f.post(c, path, url.Values{"gap_discount": {"850"}, "gap_from": {"someday"}, "gap_to": {"2026-12-31"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-gap_from"`) {
		t.Fatalf("not a date: %d", status)
	}
	if status, _, _ := f.post(c, path, url.Values{"gap_discount": {"850"}, "gap_from": {"2026-03-01"}, "gap_to": {"2027-01-31"}}); status != http.StatusSeeOther {
		t.Fatalf("change: %d", status)
	}
	ds, _ = f.e.Resale.Discounts(f.e.Ctx, f.shop.Seller, f.shop.M.ID, "")
	if ds[0].Discount != 850 {
		t.Fatalf("discount after the change: %d", ds[0].Discount)
	}
	f.e.Shop("other")
	bob := f.sellerUser("other", "bob", market.SellerAdmin)
	if status, _, _ := f.get(bob, path); status != http.StatusNotFound {
		t.Errorf("another merchant's discount: %d", status)
	}
	if status, _, _ := f.post(bob, path, url.Values{"gap_discount": {"100"}, "gap_from": {"2026-03-01"}, "gap_to": {"2027-01-31"}}); status != http.StatusNotFound {
		t.Errorf("another merchant changes the discount: %d", status)
	}
}

// TestGapSellerAttributeEdit: a custom attribute template is edited (values refused at the field
// when empty for an enumeration), in both languages; a preset and another merchant's template
// are the 404 page.
func TestGapSellerAttributeEdit(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	if status, _, _ := f.post(c, "/seller/attributes", url.Values{"category": {"finance"}, "type": {"ENUMERATION"}, "code": {"edition"}, "name": {"Edition"}, "values": {"basic\npro"}}); status != http.StatusSeeOther {
		t.Fatalf("an attribute: %d", status)
	}
	list, err := f.e.Publish.Templates(f.e.Ctx, f.shop.Seller, store.TemplateFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var id, preset string
	for _, tp := range list {
		if tp.Origin == "CUSTOM" {
			id = tp.ID
		} else {
			preset = tp.ID
		}
	}
	path := "/seller/attributes/" + id + "/edit"
	for lang, want := range map[string]string{"en": "Edit an attribute template", "zh-CN": "编辑属性模板"} {
		status, body, _ := f.get(c, path, "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "basic\npro") {
			t.Fatalf("%s edit page: %d", lang, status)
		}
	}
	status, body, _ := f.post(c, path, url.Values{"gap_name": {"Edition"}, "gap_values": {""}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-gap_values"`) {
		t.Fatalf("no values: %d", status)
	}
	if status, _, _ := f.post(c, path, url.Values{"gap_name": {"Edition"}, "gap_description": {"which one"}, "gap_values": {"basic\npro\nultimate"}}); status != http.StatusSeeOther {
		t.Fatalf("edit: %d", status)
	}
	_, body, _ = f.get(c, "/seller/attributes", "Accept-Language", "en")
	if !strings.Contains(body, "ultimate") {
		t.Error("the edited values are not listed")
	}
	if preset != "" {
		if status, _, _ := f.get(c, "/seller/attributes/"+preset+"/edit"); status != http.StatusNotFound {
			t.Errorf("a preset's edit page: %d", status)
		}
	}
	f.e.Shop("other")
	bob := f.sellerUser("other", "bob", market.SellerAdmin)
	if status, _, _ := f.get(bob, path); status != http.StatusNotFound {
		t.Errorf("another merchant's template: %d", status)
	}
	if status, _, _ := f.post(bob, path, url.Values{"gap_name": {"Mine"}, "gap_values": {"a"}}); status != http.StatusNotFound {
		t.Errorf("another merchant edits the template: %d", status)
	}
}

// TestGapKitNotices: the merchant's kit notices are listed in both languages; another
// merchant's seller does not see them; a buyer gets the 404 page.
func TestGapKitNotices(t *testing.T) {
	t.Parallel()
	f := setup(t)
	err := f.e.DB.Write(context.Background(), func(tx *store.Tx) error {
		return tx.InsertKitNotice(context.Background(), &market.KitNotice{ID: market.NewUUID(), MerchantID: f.shop.M.ID, TenantID: "tenant-7",
			CallID: "call-1", Message: "syncing users failed", CreatedAt: f.e.Clock.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	c := f.sellerUser(f.shop.M.ID, "alice", market.SellerOperations)
	for lang, want := range map[string]string{"en": "Kit notices", "zh-CN": "套件通知"} {
		status, body, _ := f.get(c, "/seller/kit-notices", "Accept-Language", lang)
		if status != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "syncing users failed") || !strings.Contains(body, "tenant-7") {
			t.Fatalf("%s notices: %d", lang, status)
		}
	}
	f.e.Shop("other")
	bob := f.sellerUser("other", "bob", market.SellerAdmin)
	if _, body, _ := f.get(bob, "/seller/kit-notices"); strings.Contains(body, "syncing users failed") {
		t.Error("another merchant sees the notice")
	}
	if status, _, _ := f.get(f.login(f.token), "/seller/kit-notices"); status != http.StatusNotFound {
		t.Errorf("a buyer: %d", status)
	}
}

// TestGapSellerVouchers: a seller issues its merchant's voucher to a buyer, scoped to its own
// product (a voucher for another merchant's product is refused at its field), and sees only its
// merchant's vouchers; another merchant's seller sees none of them.
func TestGapSellerVouchers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	other := f.e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
	otherProduct, err := f.e.Catalog.CreateProduct(f.e.Ctx, market.AsOperator(), catalog.ProductRequest{ID: "p-other", MerchantID: other.Merchant.ID, Name: "Other",
		Specs: []catalog.SpecRequest{{SkuCode: "other-std", Name: "Standard", Charging: market.ChargingPeriod, Delivery: market.DeliverySaaS,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-OTHER", Period: market.PeriodMonth, Price: 1_000}}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := f.sellerUser(f.shop.M.ID, "promo", market.SellerAdmin)
	until := f.e.Clock.Now().AddDate(0, 1, 0).Format("2006-01-02")
	for _, lang := range []string{"zh-CN", "en"} {
		if code, _, _ := f.get(c, "/seller/vouchers", "Accept-Language", lang); code != http.StatusOK {
			t.Fatalf("vouchers page in %s: %d", lang, code)
		}
	}
	form := url.Values{"buyer_id": {f.buyer.BuyerID}, "kind": {"VOUCHER"}, "amount": {"30"}, "scope": {"PRODUCT"}, "scope_id": {otherProduct.Product.ID}, "valid_until": {until}}
	code, body, _ := f.post(c, "/seller/vouchers", form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="err-scope_id"`) || !strings.Contains(body, `value="`+otherProduct.Product.ID+`"`) {
		t.Fatalf("a voucher for another merchant's product: %d", code)
	}
	form.Set("scope_id", "p-shop")
	if code, _, _ := f.post(c, "/seller/vouchers", form); code != http.StatusSeeOther {
		t.Fatalf("issue: %d", code)
	}
	list, _, err := f.e.Vouchers.Vouchers(f.e.Ctx, f.buyer, store.VoucherFilter{})
	if err != nil || len(list) != 1 || list[0].Issuer != f.shop.M.ID || list[0].Amount != 30_000 {
		t.Fatalf("the buyer's vouchers: %+v %v", list, err)
	}
	if _, body, _ := f.get(c, "/seller/vouchers"); !strings.Contains(body, list[0].ID) {
		t.Errorf("the seller's list misses its voucher")
	}
	if _, body, _ := f.get(f.sellerUser(other.Merchant.ID, "rival", market.SellerAdmin), "/seller/vouchers"); strings.Contains(body, list[0].ID) {
		t.Errorf("another merchant's seller sees the voucher")
	}
	if code, _, _ := f.get(f.login(f.token), "/seller/vouchers"); code != http.StatusNotFound {
		t.Errorf("a buyer on the seller's vouchers: %d", code)
	}
}
