package resale_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/resale"
)

// TestDiscountLevels (rules §1.9): product > partner > customer among authorized discounts of
// overlapping validity; a settlement takes the customer's, then the partner's, then the
// product's; expired discounts are invalid.
func TestDiscountLevels(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"})
		e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
		e.Product("p-crm", "m-acme", catalog.SpecRequest{SkuCode: "std", Name: "Std", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-STD-M", Period: market.PeriodMonth, Price: 1000}}})
		fin := e.Seller("m-acme", market.SellerFinance)
		ops := e.Seller("m-acme", market.SellerOperations)
		from, to := marketplacetest.T0, marketplacetest.T0.AddDate(1, 0, 0)
		add := func(level, partner, customer string, discount int64) (*market.ResaleDiscount, error) {
			d, err := e.Resale.Create(e.Ctx, fin, resale.Request{ProductID: "p-crm", Level: level, PartnerID: partner, CustomerID: customer,
				Discount: discount, ValidFrom: from, ValidTo: to})
			if err != nil {
				return nil, err
			}
			return e.Resale.Authorize(e.Ctx, fin, d.ID)
		}
		if _, err := add(resale.LevelProduct, "", "", 900); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			level, partner, customer string
			discount                 int64
		}{
			{resale.LevelPartner, "p1", "", 950},  // not below the product's 900
			{resale.LevelPartner, "", "", 850},    // names no partner
			{resale.LevelCustomer, "p1", "", 800}, // names no customer
			{resale.LevelProduct, "", "", 1200},   // not a discount
			{resale.LevelProduct, "", "", 850},    // a second product-level one for the same time
		} {
			if _, err := add(bad.level, bad.partner, bad.customer, bad.discount); err == nil {
				t.Fatalf("%+v accepted", bad)
			}
		}
		partner, err := add(resale.LevelPartner, "p1", "", 850)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := add(resale.LevelCustomer, "p1", "c1", 860); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("a customer discount above its partner's: %v", err)
		}
		if _, err := add(resale.LevelCustomer, "p1", "c1", 800); err != nil {
			t.Fatal(err)
		}
		at := from.AddDate(0, 1, 0)
		for _, tc := range []struct {
			partner, customer string
			want              int64
		}{{"p1", "c1", 800}, {"p1", "c2", 850}, {"p2", "c9", 900}} {
			d, err := e.Resale.Effective(e.Ctx, fin, "p-crm", tc.partner, tc.customer, at)
			if err != nil || d == nil || d.Discount != tc.want {
				t.Fatalf("%s/%s settles at %+v, %v; want %d", tc.partner, tc.customer, d, err, tc.want)
			}
		}
		if _, err := e.Resale.Invalidate(e.Ctx, fin, partner.ID); err != nil {
			t.Fatal(err)
		}
		if d, _ := e.Resale.Effective(e.Ctx, fin, "p-crm", "p1", "c2", at); d.Discount != 900 {
			t.Fatalf("after invalidating the partner's: %d", d.Discount)
		}
		// Past its validity a discount is invalid and applies to nothing.
		e.Clock.Advance(367 * 24 * time.Hour)
		ds, _ := e.Resale.Discounts(e.Ctx, fin, "", "p-crm")
		for _, d := range ds {
			if d.State != resale.Invalid && d.State != resale.Pending {
				t.Fatalf("discount %s is %s after its validity", d.ID, d.State)
			}
		}
		// Roles and merchants: operations, another merchant and a buyer keep out.
		other := e.Seller("m-other", market.SellerAdmin)
		for _, v := range []market.Viewer{ops, other, e.Buyer()} {
			_, err := e.Resale.Create(e.Ctx, v, resale.Request{ProductID: "p-crm", Level: resale.LevelProduct, Discount: 900, ValidFrom: from, ValidTo: to})
			want := market.CodeNotFound
			if v.MerchantID == "m-acme" {
				want = market.CodeForbidden
			}
			if market.ErrorCode(err) != want {
				t.Fatalf("%s %s creates a discount: %v", v.Role, v.SellerRole, err)
			}
		}
		if ds, err := e.Resale.Discounts(e.Ctx, other, "m-acme", ""); err != nil || len(ds) != 0 {
			t.Fatalf("another merchant lists %d of acme's discounts, %v", len(ds), err)
		}
	})
}
