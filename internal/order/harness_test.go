package order_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

var t0 = marketplacetest.T0

// harness is a marketplace on a real database with a running queue, a fake clock and a fake
// merchant, with a small catalog:
//
//	std:  monthly (OFFI-STD-M, 100.000) and yearly (OFFI-STD-Y, 1000.000) plans, 7-day trial
//	pro:  monthly (OFFI-PRO-M, 160.000) and yearly plans of the same product
//	api:  pay-per-use with two billing items (OFFI-API-CALLS, OFFI-API-GB)
//	once: one-time (OFFI-ONCE, 500.000)
type harness struct {
	t        *testing.T
	ctx      context.Context
	env      *marketplacetest.Env
	db       *store.DB
	clock    *market.FakeClock
	svc      *order.Service
	merchant *sdktest.Merchant
	m        *market.Merchant
	buyer    market.Viewer
}

func setup(t *testing.T, d store.Dialect, gen int) *harness {
	t.Helper()
	e := marketplacetest.New(t, d, marketplacetest.Options{})
	h := &harness{t: t, ctx: e.Ctx, env: e, db: e.DB, clock: e.Clock, svc: e.Orders}
	h.merchant = sdktest.NewServer(t, sdktest.Options{Key: "merchant-access-key"})
	h.m = e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme", ProductionURL: h.merchant.URL, Generation: gen, AccessKey: h.merchant.Key}).Merchant
	h.buyer = e.Buyer()
	e.Product("p-crm", h.m.ID,
		catalog.SpecRequest{SkuCode: "std", Name: "Standard", Charging: market.ChargingPeriod, TrialDays: 7, Plans: []catalog.PlanRequest{
			{ProductID: "OFFI-STD-M", Period: market.PeriodMonth, Price: 100_000}, {ProductID: "OFFI-STD-Y", Period: market.PeriodYear, Price: 1_000_000}}},
		catalog.SpecRequest{SkuCode: "pro", Name: "Pro", Charging: market.ChargingPeriod, Plans: []catalog.PlanRequest{
			{ProductID: "OFFI-PRO-M", Period: market.PeriodMonth, Price: 160_000}, {ProductID: "OFFI-PRO-Y", Period: market.PeriodYear, Price: 1_600_000}}})
	e.Rule("p-crm", [2]string{"std", "pro"})
	e.Product("p-api", h.m.ID,
		catalog.SpecRequest{SkuCode: "api", Name: "Calls", Charging: market.ChargingOnDemand, Plans: []catalog.PlanRequest{
			{ProductID: "OFFI-API-CALLS", Price: 10}, {ProductID: "OFFI-API-GB", Price: 500}}},
		catalog.SpecRequest{SkuCode: "once", Name: "Setup", Charging: market.ChargingOneTime, Plans: []catalog.PlanRequest{{ProductID: "OFFI-ONCE", Price: 500_000}}})
	return h
}

// settle works every job that is due at the current business time, then returns.
func (h *harness) settle() {
	h.t.Helper()
	h.env.Settle()
}

// advance moves business time in steps, settling after each, so that retries and timers fire at
// their own times.
func (h *harness) advance(d, step time.Duration) {
	h.t.Helper()
	h.env.Advance(d, step)
}

func (h *harness) buy(items ...order.Item) *market.Order {
	h.t.Helper()
	o, err := h.svc.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: items})
	if err != nil {
		h.t.Fatal(err)
	}
	h.settle()
	return o
}

func (h *harness) order(id string) *market.Order {
	h.t.Helper()
	o, err := h.db.Order(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

func (h *harness) instance(key string) *market.Instance {
	h.t.Helper()
	in, err := h.db.Instance(h.ctx, key)
	if err != nil {
		h.t.Fatal(err)
	}
	return in
}

func (h *harness) wantInstance(key string, state market.InstanceState) *market.Instance {
	h.t.Helper()
	in := h.instance(key)
	if in.State != state {
		calls, _, _ := h.db.Calls(h.ctx, store.CallFilter{InstanceKey: key})
		for _, c := range calls {
			h.t.Logf("call %s %s %s attempts=%d code=%s err=%s", c.ID, c.Activity, c.State, c.Attempts, c.ResultCode, c.LastError)
		}
		h.t.Fatalf("instance %s is %s, want %s", key, in.State, state)
	}
	return in
}

func (h *harness) wantOrder(id string, status market.OrderStatus) *market.Order {
	h.t.Helper()
	o := h.order(id)
	if o.Status != status {
		h.t.Fatalf("order %s (%s) is %s (%s), want %s", id, o.Type, o.Status, o.Reason, status)
	}
	return o
}

// each runs fn on both databases.
func each(t *testing.T, gen int, fn func(t *testing.T, h *harness)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d, gen))
		})
	}
}
