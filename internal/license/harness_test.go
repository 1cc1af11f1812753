package license_test

import (
	"context"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/internal/store/storetest"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// harness is a marketplace with license delivery on a real database, with the lifecycle timers
// running on a fake clock. The catalog (merchant m-acme, and m-other for another merchant's codes):
//
//	lic:  monthly (OFFI-LIC-M, 100.000) and yearly (OFFI-LIC-Y) license plans
//	perm: a one-time license (OFFI-LIC-ONCE), which never expires
//	other: m-other's monthly license (OFFI-OTHER-M)
type harness struct {
	t      *testing.T
	ctx    context.Context
	env    *marketplacetest.Env
	db     *store.DB
	clock  *market.FakeClock
	orders *order.Service
	lic    *license.Service
	buyer  string
}

func setup(t *testing.T, d store.Dialect) *harness {
	t.Helper()
	e := marketplacetest.New(t, d, marketplacetest.Options{Start: t0, Config: func(c *marketplace.Config) {
		c.Licenses = license.RecorderConfig{MaxDelay: 0}
	}})
	h := &harness{t: t, ctx: e.Ctx, env: e, db: e.DB, clock: e.Clock, orders: e.Orders, lic: e.Licenses}
	h.buyer = e.Buyer().BuyerID
	for _, m := range []string{"m-acme", "m-other"} {
		e.Merchant(marketplacetest.MerchantOpts{ID: m, Name: m, ProductionURL: "https://" + m + ".example/produce", AccessKey: "access-key-of-" + m})
	}
	lic := func(sku, name string, c market.Charging, plans ...catalog.PlanRequest) catalog.SpecRequest {
		return catalog.SpecRequest{SkuCode: sku, Name: name, Charging: c, Delivery: market.DeliveryLicense, Plans: plans}
	}
	e.Product("p-lic", "m-acme",
		lic("lic", "Seat", market.ChargingPeriod, catalog.PlanRequest{ProductID: "OFFI-LIC-M", Period: market.PeriodMonth, Price: 100_000},
			catalog.PlanRequest{ProductID: "OFFI-LIC-Y", Period: market.PeriodYear, Price: 1_000_000}),
		lic("lic-pro", "Pro seat", market.ChargingPeriod, catalog.PlanRequest{ProductID: "OFFI-LICPRO-M", Period: market.PeriodMonth, Price: 160_000}),
		lic("perm", "Perpetual", market.ChargingOneTime, catalog.PlanRequest{ProductID: "OFFI-LIC-ONCE", Price: 500_000}))
	e.Rule("p-lic", [2]string{"lic", "lic-pro"})
	e.Product("p-other", "m-other", lic("other", "Seat", market.ChargingPeriod,
		catalog.PlanRequest{ProductID: "OFFI-OTHER-M", Period: market.PeriodMonth, Price: 100_000}))
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
	o, err := h.orders.Purchase(h.ctx, market.AsBuyer(h.buyer), order.PurchaseRequest{Items: items})
	if err != nil {
		h.t.Fatal(err)
	}
	var codes []*market.License
	for _, l := range o.Lines {
		ls, err := h.lic.Licenses(h.ctx, market.AsBuyer(h.buyer), l.ID)
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
	if _, err := h.lic.Receive(h.ctx, market.AsBuyer(h.buyer), codes[0].InstanceKey); err != nil {
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
	h.env.Settle()
}

// status is what a heartbeat of merchant m-acme answers for code.
func (h *harness) status(code string) string {
	h.t.Helper()
	res, err := h.lic.Heartbeat(h.ctx, market.AsSeller("m-acme"), "", heartbeats(code))
	if err != nil || res[0].Err != nil {
		h.t.Fatalf("heartbeat %s: %v, %v", code, err, res[0].Err)
	}
	return string(license.Info(res[0].License).Status)
}
