package license_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// harness is a marketplace with license delivery on a real database, with the lifecycle timers
// running on a fake clock. The catalog (merchant m-1, and m-2 for another merchant's codes):
//
//	lic:  monthly (OFFI-LIC-M, 100.000) and yearly (OFFI-LIC-Y) license plans
//	perm: a one-time license (OFFI-LIC-ONCE), which never expires
//	other: m-2's monthly license (OFFI-OTHER-M)
type harness struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	clock  *market.FakeClock
	orders *order.Service
	lic    *license.Service
	buyer  string
}

func setup(t *testing.T, d store.Dialect) *harness {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := &harness{t: t, ctx: ctx, db: storetest.Open(t, d), clock: market.NewFakeClock(t0), buyer: market.NewHexID()}
	h.lic = license.New(h.db, h.clock, log, license.RecorderConfig{MaxDelay: 0})
	h.orders = &order.Service{DB: h.db, Clock: h.clock, Cfg: order.Config{GraceDays: 0, RetentionDays: 15}, Log: log, Licenses: h.lic}
	workers := river.NewWorkers()
	river.AddWorker(workers, &order.ExpiryWorker{S: h.orders})
	river.AddWorker(workers, &order.ReleaseWorker{S: h.orders})
	storetest.StartQueue(t, h.db, workers, map[string]int{order.TimerQueue: 2}, h.clock)
	h.lic.Start()
	t.Cleanup(func() { // runs before the queue's cleanup
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		h.lic.Stop(stop)
	})
	err := h.db.Write(ctx, func(tx *store.Tx) error {
		var errs []error
		for _, m := range []string{"m-1", "m-2"} {
			errs = append(errs, tx.InsertMerchant(ctx, &market.Merchant{ID: m, Name: m, ProductionURL: "https://" + m + ".example/produce", Generation: 2,
				AccessKey: "key-" + m, CreatedAt: t0}))
		}
		errs = append(errs,
			tx.InsertProduct(ctx, &market.Product{ID: "p-lic", MerchantID: "m-1", Name: "Desktop app", CreatedAt: t0}),
			tx.InsertProduct(ctx, &market.Product{ID: "p-other", MerchantID: "m-2", Name: "Other app", CreatedAt: t0}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "lic", ProductID: "p-lic", Name: "Seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "lic-pro", ProductID: "p-lic", Name: "Pro seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-LICPRO-M", SkuCode: "lic-pro", Period: market.PeriodMonth, Price: 160_000, Currency: "CNY"}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "perm", ProductID: "p-lic", Name: "Perpetual", Charging: market.ChargingOneTime, Delivery: market.DeliveryLicense}),
			tx.InsertSpec(ctx, &market.Spec{SkuCode: "other", ProductID: "p-other", Name: "Seat", Charging: market.ChargingPeriod, Delivery: market.DeliveryLicense}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-LIC-M", SkuCode: "lic", Period: market.PeriodMonth, Price: 100_000, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-LIC-Y", SkuCode: "lic", Period: market.PeriodYear, Price: 1_000_000, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-LIC-ONCE", SkuCode: "perm", Price: 500_000, Currency: "CNY"}),
			tx.InsertPlan(ctx, &market.Plan{ProductID: "OFFI-OTHER-M", SkuCode: "other", Period: market.PeriodMonth, Price: 100_000, Currency: "CNY"}),
			tx.InsertBuyer(ctx, &market.Buyer{CustomerID: h.buyer, Name: "buyer", CreatedAt: t0}, "hash-"+h.buyer),
		)
		return errors.Join(errs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// each runs fn on both databases.
func each(t *testing.T, fn func(t *testing.T, h *harness)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d))
		})
	}
}

// buy purchases items and returns the order and the code of each line's instance.
func (h *harness) buy(items ...order.Item) (*market.Order, []*market.License) {
	h.t.Helper()
	o, err := h.orders.Purchase(h.ctx, h.buyer, order.PurchaseRequest{Items: items})
	if err != nil {
		h.t.Fatal(err)
	}
	var codes []*market.License
	for _, l := range o.Lines {
		ls, err := h.lic.Licenses(h.ctx, license.Viewer{BuyerID: h.buyer}, l.ID)
		if err != nil || len(ls) != 1 {
			h.t.Fatalf("codes of %s: %d, %v", l.ID, len(ls), err)
		}
		codes = append(codes, ls[0])
	}
	return o, codes
}

// received buys one monthly license and confirms its receipt.
func (h *harness) received() *market.License {
	h.t.Helper()
	_, codes := h.buy(order.Item{ProductID: "OFFI-LIC-M", PeriodNumber: 1})
	if _, err := h.lic.Receive(h.ctx, license.Viewer{BuyerID: h.buyer}, codes[0].InstanceKey); err != nil {
		h.t.Fatal(err)
	}
	return h.license(codes[0].Code)
}

func (h *harness) license(code string) *market.License {
	h.t.Helper()
	l, err := h.db.License(h.ctx, code)
	if err != nil {
		h.t.Fatal(err)
	}
	return l
}

// jump moves business time to t and works the timers that come due.
func (h *harness) jump(t time.Time) {
	h.t.Helper()
	h.clock.Set(t)
	if err := h.db.Settle(h.ctx, h.clock.Now, 30*time.Second); err != nil {
		h.t.Fatal(err)
	}
}

// status is what a heartbeat of merchant m-1 answers for code.
func (h *harness) status(code string) string {
	h.t.Helper()
	res, err := h.lic.Heartbeat(h.ctx, "m-1", heartbeats(code))
	if err != nil || res[0].Err != nil {
		h.t.Fatalf("heartbeat %s: %v, %v", code, err, res[0].Err)
	}
	return string(license.Info(res[0].License).Status)
}
