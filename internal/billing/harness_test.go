package billing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/billing"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// harness is a marketplace with metering and billing on a real database, a running queue, a fake
// clock and a fake merchant. Its catalog, all pay-per-use, prices per unit:
//
//	OFFI-CALLS  FIXED 0.010, hourly
//	OFFI-GB     STEP 0.500 up to 100, 0.400 above, daily
//	OFFI-SMS    TIER 0.050 up to 100, 0.040 up to 1000, 0.030 above, hourly
//	OFFI-PACK   a package of 100 OFFI-SMS for 3.000
//	OFFI-GOLD   FIXED at the largest price there is, hourly: its usage overflows any bill
//
// A second merchant sells OFFI-OTHER, to check that merchants cannot push for each other.
type harness struct {
	t        *testing.T
	ctx      context.Context
	env      *marketplacetest.Env
	db       *store.DB
	clock    *market.FakeClock
	orders   *order.Service
	metering *metering.Service
	billing  *billing.Service
	merchant *sdktest.Merchant
	buyer    string
}

func setup(t *testing.T, d store.Dialect) *harness {
	t.Helper()
	e := marketplacetest.New(t, d, marketplacetest.Options{Start: t0})
	h := &harness{t: t, ctx: e.Ctx, env: e, db: e.DB, clock: e.Clock, orders: e.Orders, metering: e.Metering, billing: e.Billing}
	h.merchant = sdktest.NewServer(t, sdktest.Options{Key: "metering-merchant-key"})
	other := sdktest.NewServer(t, sdktest.Options{Key: "other-merchant-key-01"})
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme", ProductionURL: h.merchant.URL, AccessKey: h.merchant.Key})
	e.Merchant(marketplacetest.MerchantOpts{ID: "m-other", Name: "Other", ProductionURL: other.URL, AccessKey: other.Key})
	h.buyer = e.BuyerWith(0).BuyerID
	u := func(units int64) market.Quantity { return market.Quantity(units * 10_000) }
	e.Product("p-api", "m-acme",
		catalog.SpecRequest{SkuCode: "calls", Name: "Calls", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
			{ProductID: "OFFI-CALLS", Price: 10, Pricing: market.PricingFixed, Cycle: market.CycleHourly}}},
		catalog.SpecRequest{SkuCode: "gb", Name: "Storage", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
			{ProductID: "OFFI-GB", Pricing: market.PricingStep, Cycle: market.CycleDaily, Tiers: []market.Tier{{UpTo: u(100), Price: 500}, {Price: 400}}}}},
		catalog.SpecRequest{SkuCode: "sms", Name: "SMS", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
			{ProductID: "OFFI-SMS", Pricing: market.PricingTier, Cycle: market.CycleHourly,
				Tiers: []market.Tier{{UpTo: u(100), Price: 50}, {UpTo: u(1000), Price: 40}, {Price: 30}}}}},
		catalog.SpecRequest{SkuCode: "pack", Name: "SMS pack", Charging: market.ChargingOnDemandPkg, Plans: []catalog.PlanRequest{
			{ProductID: "OFFI-PACK", Price: 3000, PackageItem: "OFFI-SMS", PackageQuota: u(100)}}})
	e.Product("p-gold", "m-acme", catalog.SpecRequest{SkuCode: "gold", Name: "Gold", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
		{ProductID: "OFFI-GOLD", Price: market.MaxAmount, Pricing: market.PricingFixed, Cycle: market.CycleHourly}}})
	e.Product("p-other", "m-other", catalog.SpecRequest{SkuCode: "other", Name: "Other", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
		{ProductID: "OFFI-OTHER", Price: 10, Pricing: market.PricingFixed, Cycle: market.CycleHourly}}})
	return h
}

// buy purchases items and returns the instances, delivered, by productId.
func (h *harness) buy(productIDs ...string) map[string]*market.Instance {
	h.t.Helper()
	var items []order.Item
	for _, id := range productIDs {
		items = append(items, order.Item{ProductID: id})
	}
	o, err := h.orders.Purchase(h.ctx, market.AsBuyer(h.buyer), order.PurchaseRequest{Items: items})
	if err != nil {
		h.t.Fatal(err)
	}
	h.settle()
	out := map[string]*market.Instance{}
	for _, l := range o.Lines {
		in := h.instance(l.ID)
		if in.State != market.InstanceActive {
			h.t.Fatalf("instance of %s is %s", l.ProductID, in.State)
		}
		out[l.ProductID] = in
	}
	return out
}

func (h *harness) instance(key string) *market.Instance {
	h.t.Helper()
	in, err := h.db.Instance(h.ctx, key)
	if err != nil {
		h.t.Fatal(err)
	}
	return in
}

func (h *harness) settle() {
	h.t.Helper()
	h.env.Settle()
}

// at moves business time to t and runs what is due, ticking as the server would.
func (h *harness) at(t time.Time) {
	h.t.Helper()
	h.clock.Set(t)
	if err := errors.Join(h.metering.Tick(h.ctx), h.billing.Tick(h.ctx)); err != nil {
		h.t.Fatal(err)
	}
	h.settle()
}

// rec builds a usage record; times are "15:04" on t0's day.
func rec(instance *market.Instance, sn, begin, end, value string) kgp.UsageRecord {
	day := t0.Format("20060102")
	b, e := day+"T"+begin[:2]+begin[3:]+"00Z", day+"T"+end[:2]+end[3:]+"00Z"
	return kgp.UsageRecord{InstanceID: instance.ID, MeteringSN: sn, RecordTime: e, BeginTime: b, EndTime: e, UsageValue: kgp.Decimal(value)}
}

func (h *harness) push(merchantID string, recs ...kgp.UsageRecord) *kgp.ErrorResponse {
	h.t.Helper()
	r, err := h.metering.Push(h.ctx, market.AsSeller(merchantID), &kgp.UsagePush{UsageRecords: recs}, false)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *harness) bills() []*market.Bill {
	h.t.Helper()
	bills, _, err := h.db.Bills(h.ctx, h.buyer, store.Page{})
	if err != nil {
		h.t.Fatal(err)
	}
	return bills
}

func each(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d))
		})
	}
}
