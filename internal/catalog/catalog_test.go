package catalog_test

import (
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

func period(sku string, plans ...catalog.PlanRequest) catalog.SpecRequest {
	return catalog.SpecRequest{SkuCode: sku, Name: "Standard", Charging: market.ChargingPeriod, Plans: plans}
}

func month(id string) catalog.PlanRequest {
	return catalog.PlanRequest{ProductID: id, Period: market.PeriodMonth, Price: 1000}
}

// TestCreateProductRejects: every rule of product creation refuses its request with a clear
// message, and a refused request stores nothing.
func TestCreateProductRejects(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := marketplacetest.New(t, d, marketplacetest.Options{})
			m := e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"}).Merchant
			e.Product("p-taken", m.ID, period("sku-taken", month("OFFI-TAKEN")))
			manyPlans := make([]catalog.PlanRequest, catalog.MaxPlans+1)
			for i := range manyPlans {
				manyPlans[i] = catalog.PlanRequest{ProductID: "OFFI-MANY-" + string(rune('A'+i)), Price: 10}
			}
			for _, tc := range []struct {
				name string
				req  catalog.ProductRequest
				want string // in the message
			}{
				{"no name", catalog.ProductRequest{MerchantID: m.ID, Specs: []catalog.SpecRequest{period("s1", month("P1"))}}, "name must be 1 to 100"},
				{"long name", catalog.ProductRequest{MerchantID: m.ID, Name: strings.Repeat("x", 101), Specs: []catalog.SpecRequest{period("s1", month("P1"))}}, "name must be 1 to 100"},
				{"line break in name", catalog.ProductRequest{MerchantID: m.ID, Name: "a\nb", Specs: []catalog.SpecRequest{period("s1", month("P1"))}}, "control characters"},
				{"no specs", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM"}, "1 to 50 specs"},
				{"unknown merchant", catalog.ProductRequest{MerchantID: "m-nobody", Name: "CRM", Specs: []catalog.SpecRequest{period("s1", month("P1"))}}, "not found"},
				{"taken product id", catalog.ProductRequest{ID: "p-taken", MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1", month("P1"))}}, "exists"},
				{"taken sku", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("sku-taken", month("P1"))}}, "exists"},
				{"taken productId", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1", month("OFFI-TAKEN"))}}, "exists"},
				{"no spec name", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{month("P1")}}}}, "specs[0].name"},
				{"unknown charging", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: "WEEKLY", Plans: []catalog.PlanRequest{month("P1")}}}}, "charging must be"},
				{"unknown delivery", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingPeriod, Delivery: "MAIL", Plans: []catalog.PlanRequest{month("P1")}}}}, "delivery must be"},
				{"license on demand", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemand, Delivery: market.DeliveryLicense, Plans: []catalog.PlanRequest{{ProductID: "P1", Price: 1}}}}}, "license spec"},
				{"trial too short", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingPeriod, TrialDays: 2, Plans: []catalog.PlanRequest{month("P1")}}}}, "3 to 180 days"},
				{"trial on one-time", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOneTime, TrialDays: 7, Plans: []catalog.PlanRequest{{ProductID: "P1", Price: 1}}}}}, "period specs only"},
				{"no plans", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1")}}, "plans"},
				{"too many plans", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemand, Plans: manyPlans}}}, "plans"},
				{"week period", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1", catalog.PlanRequest{ProductID: "P1", Period: "week", Price: 1})}}, "year, month or day"},
				{"two month plans", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1", month("P1"), month("P2"))}}, "two month plans"},
				{"period on one-time", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOneTime, Plans: []catalog.PlanRequest{month("P1")}}}}, "only period specs"},
				{"negative price", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1", catalog.PlanRequest{ProductID: "P1", Period: market.PeriodMonth, Price: -1})}}, "a price is"},
				{"price beyond bound", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1", catalog.PlanRequest{ProductID: "P1", Period: market.PeriodMonth, Price: market.MaxAmount + 1})}}, "a price is"},
				{"package quota on pay-per-use", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{{ProductID: "P1", Price: 1, PackageQuota: 5}}}}}, "package quota"},
				{"daily-weekly cycle", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{{ProductID: "P1", Price: 1, Cycle: "WEEKLY"}}}}}, "cycle must be"},
				{"fixed with tiers", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{{ProductID: "P1", Pricing: market.PricingFixed, Tiers: []market.Tier{{Price: 1}}}}}}}, "no tiers"},
				{"tier without tiers", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{{ProductID: "P1", Pricing: market.PricingTier}}}}}, "1 to 20 tiers"},
				{"falling tiers", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{{ProductID: "P1", Pricing: market.PricingStep, Tiers: []market.Tier{{UpTo: 50, Price: 1}, {UpTo: 10, Price: 1}, {Price: 1}}}}}}}, "rising"},
				{"package without item", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemandPkg, Plans: []catalog.PlanRequest{{ProductID: "P1", Price: 1}}}}}, "package plan needs"},
				{"package of a period plan", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{{SkuCode: "s1", Name: "S", Charging: market.ChargingOnDemandPkg, Plans: []catalog.PlanRequest{{ProductID: "P1", Price: 1, PackageItem: "OFFI-TAKEN", PackageQuota: 10}}}}}, "not a pay-per-use plan"},
				{"usage terms on a period plan", catalog.ProductRequest{MerchantID: m.ID, Name: "CRM", Specs: []catalog.SpecRequest{period("s1", catalog.PlanRequest{ProductID: "P1", Period: market.PeriodMonth, Price: 1, Cycle: market.CycleDaily})}}, "pay-per-use plans"},
			} {
				_, err := e.Catalog.CreateProduct(e.Ctx, market.AsOperator(), tc.req)
				if err == nil || !strings.Contains(market.ErrorMessage(err), tc.want) {
					t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
				}
				if c := market.ErrorCode(err); c != market.CodeInvalid && c != market.CodeConflict && c != market.CodeNotFound {
					t.Errorf("%s: code %s", tc.name, c)
				}
			}
			ps, _, err := e.DB.Products(e.Ctx, "", store.Page{})
			if err != nil || len(ps) != 1 {
				t.Fatalf("%d products after the refusals, %v", len(ps), err)
			}
			if _, err := e.Catalog.CreateProduct(e.Ctx, market.AsSeller(m.ID), catalog.ProductRequest{MerchantID: m.ID, Name: "CRM",
				Specs: []catalog.SpecRequest{period("s1", month("P1"))}}); market.ErrorCode(err) != market.CodeForbidden {
				t.Fatalf("a seller created a product directly: %v", err)
			}
		})
	}
}

// TestCreateMerchantRejects: merchant IDs, URLs, keys and AK/SK are checked, a taken AK or ID is
// a conflict, and nothing is stored for a refused merchant.
func TestCreateMerchantRejects(t *testing.T) {
	t.Parallel()
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			e := marketplacetest.New(t, d, marketplacetest.Options{})
			taken := e.Merchant(marketplacetest.MerchantOpts{ID: "m-taken"})
			ok := catalog.MerchantRequest{Name: "Acme", ProductionURL: "https://merchant.example/produce"}
			with := func(f func(*catalog.MerchantRequest)) catalog.MerchantRequest { r := ok; f(&r); return r }
			for _, tc := range []struct {
				name  string
				req   catalog.MerchantRequest
				code  market.Code
				field string
			}{
				{"path in id", with(func(r *catalog.MerchantRequest) { r.ID = "../../etc/passwd" }), market.CodeInvalid, "id"},
				{"slash in id", with(func(r *catalog.MerchantRequest) { r.ID = "m/a/b" }), market.CodeInvalid, "id"},
				{"short id", with(func(r *catalog.MerchantRequest) { r.ID = "m1" }), market.CodeInvalid, "id"},
				{"taken id", with(func(r *catalog.MerchantRequest) { r.ID = "m-taken" }), market.CodeConflict, ""},
				{"no name", with(func(r *catalog.MerchantRequest) { r.Name = "" }), market.CodeInvalid, "name"},
				{"generation 3", with(func(r *catalog.MerchantRequest) { r.Generation = 3 }), market.CodeInvalid, ""},
				{"not a URL", with(func(r *catalog.MerchantRequest) { r.ProductionURL = "merchant" }), market.CodeInvalid, ""},
				{"credentials in URL", with(func(r *catalog.MerchantRequest) { r.ProductionURL = "https://u:p@merchant.example/" }), market.CodeInvalid, ""},
				{"short access key", with(func(r *catalog.MerchantRequest) { r.AccessKey = "short" }), market.CodeInvalid, "access_key"},
				{"same keys", with(func(r *catalog.MerchantRequest) { r.AccessKey, r.KitKey = "same-key-0123456789", "same-key-0123456789" }), market.CodeInvalid, ""},
				{"one-character sk", with(func(r *catalog.MerchantRequest) { r.SK = "x" }), market.CodeInvalid, "sk"},
				{"odd ak", with(func(r *catalog.MerchantRequest) { r.AK = "ak with spaces" }), market.CodeInvalid, "ak"},
				{"taken ak", with(func(r *catalog.MerchantRequest) { r.AK = taken.Key.AK }), market.CodeConflict, "ak"},
			} {
				_, err := e.Catalog.CreateMerchant(e.Ctx, market.AsOperator(), tc.req)
				if market.ErrorCode(err) != tc.code || tc.field != "" && market.ErrorField(err) != tc.field {
					t.Errorf("%s: %v (field %q), want %s on %q", tc.name, err, market.ErrorField(err), tc.code, tc.field)
				}
			}
			if ms, _, _ := e.DB.Merchants(e.Ctx, store.Page{}); len(ms) != 1 {
				t.Fatalf("%d merchants after the refusals", len(ms))
			}
		})
	}
}
