package billing_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/billing"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/fulfil/fulfiltest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
	"github.com/mercato-oss/mercato/kgp"
)

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// harness is a marketplace with metering and billing on a real database, a running queue, a fake
// clock and a fake merchant. Its catalog, all pay-per-use, prices per unit:
//
//	OFFI-CALLS  FIXED 0.010, hourly
//	OFFI-GB     STEP 0.500 up to 100, 0.400 above, daily
//	OFFI-SMS    TIER 0.050 up to 100, 0.040 up to 1000, 0.030 above, hourly
//	OFFI-PACK   a package of 100 OFFI-SMS for 3.000
//
// A second merchant sells OFFI-OTHER, to check that merchants cannot push for each other.
type harness struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	clock    *market.FakeClock
	orders   *order.Service
	metering *metering.Service
	billing  *billing.Service
	merchant *fulfiltest.Merchant
	buyer    string
}

func setup(t *testing.T, d store.Dialect) *harness {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &harness{t: t, ctx: ctx, db: storetest.Open(t, d), clock: market.NewFakeClock(t0)}
	h.orders = &order.Service{DB: h.db, Clock: h.clock, Cfg: order.Config{RetentionDays: 15}, Log: log}
	h.billing = &billing.Service{DB: h.db, Clock: h.clock, Orders: h.orders, Cfg: billing.DefaultConfig, Log: log}
	h.metering = &metering.Service{DB: h.db, Clock: h.clock, Log: log, Biller: h.billing}
	workers := river.NewWorkers()
	river.AddWorker(workers, &fulfil.Worker{DB: h.db, Caller: &fulfil.Caller{HTTP: fulfil.NewHTTPClient(true), Clock: h.clock}, Handler: h.orders, Log: log})
	river.AddWorker(workers, &order.ExpiryWorker{S: h.orders})
	river.AddWorker(workers, &order.ReleaseWorker{S: h.orders})
	river.AddWorker(workers, &metering.CollectWorker{S: h.metering})
	river.AddWorker(workers, &billing.StatementWorker{S: h.billing})
	storetest.StartQueue(t, h.db, workers, map[string]int{fulfil.Queue: 4, order.TimerQueue: 2, metering.Queue: 1}, h.clock)
	h.merchant = fulfiltest.New(t, "metering-merchant-key", 2)
	other := fulfiltest.New(t, "other-merchant-key-01", 2)
	h.buyer = market.NewHexID()
	u := func(units int64) market.Quantity { return market.Quantity(units * 10_000) }
	err := h.db.Write(ctx, func(tx *store.Tx) error {
		return errors.Join(
			tx.InsertMerchant(ctx, &market.Merchant{ID: "m-1", Name: "Acme", ProductionURL: h.merchant.URL, Generation: 2, AccessKey: h.merchant.Key, CreatedAt: t0}),
			tx.InsertMerchant(ctx, &market.Merchant{ID: "m-2", Name: "Other", ProductionURL: other.URL, Generation: 2, AccessKey: other.Key, CreatedAt: t0}),
			tx.InsertProduct(ctx, &market.Product{ID: "p-api", MerchantID: "m-1", Name: "API", CreatedAt: t0}),
			tx.InsertProduct(ctx, &market.Product{ID: "p-other", MerchantID: "m-2", Name: "Other", CreatedAt: t0}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "calls", ProductID: "p-api", Name: "Calls", Charging: market.ChargingOnDemand}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "gb", ProductID: "p-api", Name: "Storage", Charging: market.ChargingOnDemand}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "sms", ProductID: "p-api", Name: "SMS", Charging: market.ChargingOnDemand}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "pack", ProductID: "p-api", Name: "SMS pack", Charging: market.ChargingOnDemandPkg}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "other", ProductID: "p-other", Name: "Other", Charging: market.ChargingOnDemand}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-CALLS", SkuCode: "calls", Price: 10, Currency: "CNY", Pricing: market.PricingFixed, Cycle: market.CycleHourly}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-GB", SkuCode: "gb", Currency: "CNY", Pricing: market.PricingStep, Cycle: market.CycleDaily,
				Tiers: []market.Tier{{UpTo: u(100), Price: 500}, {Price: 400}}}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-SMS", SkuCode: "sms", Currency: "CNY", Pricing: market.PricingTier, Cycle: market.CycleHourly,
				Tiers: []market.Tier{{UpTo: u(100), Price: 50}, {UpTo: u(1000), Price: 40}, {Price: 30}}}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-PACK", SkuCode: "pack", Price: 3000, Currency: "CNY", PackageItem: "OFFI-SMS", PackageQuota: u(100)}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-OTHER", SkuCode: "other", Price: 10, Currency: "CNY", Pricing: market.PricingFixed, Cycle: market.CycleHourly}),
			tx.InsertBuyer(ctx, &market.Buyer{CustomerID: h.buyer, Name: "buyer", CreatedAt: t0}, "hash-"+h.buyer),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// buy purchases items and returns the instances, delivered, by productId.
func (h *harness) buy(productIDs ...string) map[string]*market.Instance {
	h.t.Helper()
	var items []order.Item
	for _, id := range productIDs {
		items = append(items, order.Item{ProductID: id})
	}
	o, err := h.orders.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: items})
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
	if err := h.db.Settle(h.ctx, h.clock.Now, 30*time.Second); err != nil {
		h.t.Fatal(err)
	}
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
	r, err := h.metering.Push(h.ctx, merchantID, &kgp.UsagePush{UsageRecords: recs}, false)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *harness) bills() []*market.Bill {
	h.t.Helper()
	bills, err := h.db.Bills(h.ctx, h.buyer, 100)
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
