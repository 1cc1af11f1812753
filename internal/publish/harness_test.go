package publish_test

import (
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// harness is a marketplace with two merchants (acme, with a working production interface, and
// other), a seller (operations) of each, a finance seller of acme, a buyer and the operator.
type harness struct {
	*marketplacetest.Env
	t        *testing.T
	merchant *sdktest.Merchant
	acme     *market.Merchant
	seller   market.Viewer
	finance  market.Viewer
	other    market.Viewer
	buyer    market.Viewer
	op       market.Viewer
}

func setup(t *testing.T, d store.Dialect, cfg func(*marketplace.Config)) *harness {
	t.Helper()
	e := marketplacetest.New(t, d, marketplacetest.Options{Config: cfg})
	h := &harness{Env: e, t: t, op: market.AsOperator()}
	h.merchant = sdktest.NewServer(t, sdktest.Options{Key: "acme-access-key-0123456789"})
	h.acme = e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme", ProductionURL: h.merchant.URL, AccessKey: h.merchant.Key}).Merchant
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-other", Name: "Other"})
	h.seller = e.Seller("m-acme", market.SellerOperations)
	h.finance = e.Seller("m-acme", market.SellerFinance)
	h.other = e.Seller("m-other", market.SellerOperations)
	h.buyer = e.Buyer()
	return h
}

// each runs fn on a fresh harness of each engine, in parallel.
func each(t *testing.T, cfg func(*marketplace.Config), fn func(t *testing.T, h *harness)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d, cfg))
		})
	}
}

// description is a product description long enough for the rules (≥ 400 characters).
var description = strings.Repeat("Acme CRM keeps customers, deals and follow-ups in one place for small sales teams. ", 6)

// goodDraft is a listing that passes every rule, with a standard spec (monthly and yearly) and a
// seats spec whose SKU has a quantity attribute.
func goodDraft(code string) *publish.Draft {
	return &publish.Draft{
		Listing: market.Listing{Name: "Acme CRM " + code, Version: "V1.0", Category: "crm", Summary: "Customer relationship management for small teams",
			Description: description, UsageGuide: "Log in at the address in your order with the account we send you, then invite your team.",
			Agreement: "Service agreement. The merchant processes personal data only to provide the service (privacy clause).",
			Logo:      &market.Image{Format: "PNG", Width: 120, Height: 120, Bytes: 20_000}, Public: true},
		Specs: []catalog.SpecRequest{
			{SkuCode: code + "-std", Name: "标准版", NameEN: "Standard", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
				{ProductID: "OFFI-" + code + "-STD-M", Period: market.PeriodMonth, Price: 100_000},
				{ProductID: "OFFI-" + code + "-STD-Y", Period: market.PeriodYear, Price: 1_000_000}}},
			{SkuCode: code + "-seats", Name: "席位版", NameEN: "Seats", Charging: market.ChargingPeriod,
				SKUs: []catalog.SKURequest{{ID: code + "-basic", Name: "Basic", Attributes: map[string]string{"edition": "basic"}, Unit: "users", Step: 5, Max: 100},
					{ID: code + "-plus", Name: "Plus", Attributes: map[string]string{"edition": "plus"}}},
				Plans: []catalog.PlanRequest{
					{ProductID: "OFFI-" + code + "-BASIC-M", Period: market.PeriodMonth, Price: 10_000, SKU: code + "-basic"},
					{ProductID: "OFFI-" + code + "-PLUS-M", Period: market.PeriodMonth, Price: 300_000, SKU: code + "-plus"}}},
		},
	}
}

// debug runs the product's debug cases as its seller and waits for them.
func (h *harness) debug(productID string) *market.DebugRun {
	h.t.Helper()
	r, err := h.Dial.RunDebug(h.Ctx, h.seller, productID)
	if err != nil {
		h.t.Fatal(err)
	}
	h.Settle()
	if r, err = h.Dial.Run(h.Ctx, h.seller, r.ID); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// draft creates a release draft as the seller.
func (h *harness) draft(code string, d *publish.Draft) *market.Application {
	h.t.Helper()
	app, err := h.Publish.Create(h.Ctx, h.seller, publish.ApplicationRequest{Type: market.AppRelease, ProductID: "p-" + code, Draft: d})
	if err != nil {
		h.t.Fatal(err)
	}
	return app
}

// released takes a product through the whole release: draft, debug cases, submit, approval.
func (h *harness) released(code string) string {
	h.t.Helper()
	app := h.draft(code, goodDraft(code))
	if r := h.debug(app.ProductID); r.State != market.RunPassed {
		h.t.Fatalf("debug run %s: %+v", r.State, r.Cases)
	}
	h.must(h.Publish.Submit(h.Ctx, h.seller, app.ID))
	h.must(h.Publish.Approve(h.Ctx, h.op, app.ID, "looks good"))
	return app.ProductID
}

// apply creates and submits an application as the seller.
func (h *harness) apply(r publish.ApplicationRequest) *market.Application {
	h.t.Helper()
	r.Submit = true
	app, err := h.Publish.Create(h.Ctx, h.seller, r)
	if err != nil {
		h.t.Fatal(err)
	}
	return app
}

func (h *harness) must(app *market.Application, err error) *market.Application {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
	return app
}

func (h *harness) product(id string) *market.Product {
	h.t.Helper()
	p, err := h.DB.Product(h.Ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) spec(sku string) *market.Spec {
	h.t.Helper()
	s, err := h.DB.Spec(h.Ctx, sku)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) sku(id string) *market.SKU {
	h.t.Helper()
	k, err := h.DB.SKU(h.Ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return k
}

// storefront returns the productIds the storefront lists.
func (h *harness) storefront() map[string]bool {
	h.t.Helper()
	es, _, err := h.Catalog.Catalog(h.Ctx, store.StorefrontFilter{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range es {
		out[e.Plan.ProductID] = true
	}
	return out
}

// buy places a one-month order of a plan as the buyer.
func (h *harness) buy(productID string, quantity int64) error {
	_, err := h.Orders.Purchase(h.Ctx, h.buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: productID, PeriodNumber: 1, Quantity: quantity}}})
	return err
}

func wantCode(t *testing.T, err error, code market.Code) {
	t.Helper()
	if market.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func rulesOf(err error) map[string]bool {
	out := map[string]bool{}
	for _, d := range market.ErrorDetails(err) {
		out[d.Rule] = true
	}
	return out
}
