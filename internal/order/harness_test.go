package order_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/fulfil/fulfiltest"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

var t0 = time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)

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
	db       *store.DB
	clock    *market.FakeClock
	svc      *order.Service
	merchant *fulfiltest.Merchant
	m        *market.Merchant
	buyer    string
}

func setup(t *testing.T, d store.Dialect, gen int) *harness {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &harness{t: t, ctx: ctx, db: storetest.Open(t, d), clock: market.NewFakeClock(t0)}
	h.svc = &order.Service{DB: h.db, Clock: h.clock, Cfg: order.Config{GraceDays: 0, RetentionDays: 15}, Log: log}
	workers := river.NewWorkers()
	river.AddWorker(workers, &fulfil.Worker{DB: h.db, Caller: &fulfil.Caller{HTTP: fulfil.NewHTTPClient(true), Clock: h.clock}, Handler: h.svc, Log: log})
	river.AddWorker(workers, &order.ExpiryWorker{S: h.svc})
	river.AddWorker(workers, &order.ReleaseWorker{S: h.svc})
	storetest.StartQueue(t, h.db, workers, map[string]int{fulfil.Queue: 4, order.TimerQueue: 2}, h.clock)
	h.merchant = fulfiltest.New(t, "merchant-access-key", gen)
	h.m = &market.Merchant{ID: "m-1", Name: "Acme", ProductionURL: h.merchant.URL, Generation: gen, AccessKey: h.merchant.Key, CreatedAt: t0}
	h.buyer = market.NewHexID()
	err := h.db.Write(ctx, func(tx *store.Tx) error {
		errs := []error{
			tx.InsertMerchant(ctx, h.m),
			tx.InsertProduct(ctx, &market.Product{ID: "p-crm", MerchantID: h.m.ID, Name: "CRM", CreatedAt: t0}),
			tx.InsertProduct(ctx, &market.Product{ID: "p-api", MerchantID: h.m.ID, Name: "API", CreatedAt: t0}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "std", ProductID: "p-crm", Name: "Standard", Charging: market.ChargingPeriod, TrialDays: 7}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "pro", ProductID: "p-crm", Name: "Pro", Charging: market.ChargingPeriod}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "api", ProductID: "p-api", Name: "Calls", Charging: market.ChargingOnDemand}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "once", ProductID: "p-api", Name: "Setup", Charging: market.ChargingOneTime}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-STD-M", SkuCode: "std", Period: market.PeriodMonth, Price: 100_000, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-STD-Y", SkuCode: "std", Period: market.PeriodYear, Price: 1_000_000, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-PRO-M", SkuCode: "pro", Period: market.PeriodMonth, Price: 160_000, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-PRO-Y", SkuCode: "pro", Period: market.PeriodYear, Price: 1_600_000, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-API-CALLS", SkuCode: "api", Price: 10, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-API-GB", SkuCode: "api", Price: 500, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-ONCE", SkuCode: "once", Price: 500_000, Currency: "CNY"}),
			tx.InsertBuyer(ctx, &market.Buyer{CustomerID: h.buyer, Name: "buyer", Email: "b@example.com", CreatedAt: t0}, "hash-"+h.buyer),
		}
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// settle works every job that is due at the current business time, then returns.
func (h *harness) settle() {
	h.t.Helper()
	if err := h.db.Settle(h.ctx, h.clock.Now, 30*time.Second); err != nil {
		h.t.Fatal(err)
	}
}

// advance moves business time in steps, settling after each, so that retries and timers fire at
// their own times.
func (h *harness) advance(d, step time.Duration) {
	h.t.Helper()
	end := h.clock.Now().Add(d)
	for h.clock.Now().Before(end) {
		h.clock.Set(minTime(h.clock.Now().Add(step), end))
		h.settle()
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
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
		calls, _ := h.db.Calls(h.ctx, store.CallFilter{InstanceKey: key})
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
