package marketplacetest

import (
	"strings"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/supervision"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// Shop is a merchant (the SDK's test merchant behind its production interface) selling one
// product of every after-sale kind, for the after-sale tests. Plans maps a kind to its plan's
// productId:
//
//	saas   supervised SaaS, monthly 100.000 (saas-y: yearly 1000.000)
//	plain  SaaS without supervision, monthly 100.000, 7-day trial
//	lic    supervised license, yearly 1000.000 (no requirement step)
//	hw     supervised hardware, one-time 500.000, 5 in stock
//	svc    supervised professional service, one-time 2000.000
//	img    image (self-service unsubscription), monthly 100.000 (img-once: one-time 300.000)
//	api    pay-per-use, 0.010 a unit
type Shop struct {
	Merchant *sdktest.Merchant
	M        *market.Merchant
	Seller   market.Viewer
	Plans    map[string]string
	Specs    map[string]string
}

// Shop creates a shop for merchant id.
func (e *Env) Shop(id string) *Shop {
	e.T.Helper()
	s := &Shop{Plans: map[string]string{}, Specs: map[string]string{}}
	s.Merchant = sdktest.NewServer(e.T, sdktest.Options{Key: "key-of-" + id + "-0123456789"})
	s.M = e.Merchant(MerchantOpts{ID: id, Name: id, ProductionURL: s.Merchant.URL, AccessKey: s.Merchant.Key}).Merchant
	s.Seller = market.AsSeller(id)
	up := strings.ToUpper(strings.ReplaceAll(id, "-", ""))
	spec := func(kind string, d market.Delivery, c market.Charging, trial int, plans ...catalog.PlanRequest) catalog.SpecRequest {
		sku := id + "-" + kind
		s.Specs[kind] = sku
		for i := range plans {
			suffix := ""
			if plans[i].Period == market.PeriodYear {
				suffix = "-Y"
			}
			if plans[i].ProductID == "" {
				plans[i].ProductID = "OFFI-" + up + "-" + strings.ToUpper(kind) + suffix
			}
			s.Plans[kind+strings.ToLower(suffix)] = plans[i].ProductID
			if _, ok := s.Plans[kind]; !ok {
				s.Plans[kind] = plans[i].ProductID // a spec's first plan is also under its kind
			}
		}
		return catalog.SpecRequest{SkuCode: sku, Name: kind, Charging: c, Delivery: d, TrialDays: trial, Plans: plans}
	}
	month := func(p market.Money) catalog.PlanRequest {
		return catalog.PlanRequest{Period: market.PeriodMonth, Price: p}
	}
	year := func(p market.Money) catalog.PlanRequest {
		return catalog.PlanRequest{Period: market.PeriodYear, Price: p}
	}
	once := func(p market.Money) catalog.PlanRequest { return catalog.PlanRequest{Price: p} }
	e.Product("p-"+id, id,
		spec("saas", market.DeliverySaaS, market.ChargingPeriod, 0, month(100_000), year(1_000_000)),
		spec("plain", market.DeliverySaaS, market.ChargingPeriod, 7, month(100_000)),
		spec("lic", market.DeliveryLicense, market.ChargingPeriod, 0, year(1_000_000)),
		spec("hw", market.DeliveryHardware, market.ChargingOneTime, 0, once(500_000)),
		spec("svc", market.DeliveryService, market.ChargingOneTime, 0, once(2_000_000)),
		spec("img", market.DeliveryImage, market.ChargingPeriod, 0, month(100_000)),
		spec("api", market.DeliverySaaS, market.ChargingOnDemand, 0, catalog.PlanRequest{Price: 10, Pricing: market.PricingFixed, Cycle: market.CycleHourly}))
	e.Product("p-"+id+"-once", id, spec("img-once", market.DeliveryImage, market.ChargingOneTime, 0, once(300_000)))
	for _, kind := range []string{"saas", "lic", "hw", "svc"} {
		if _, err := e.Supervision.SetSpec(e.Ctx, s.Seller, s.Specs[kind], supervision.SpecRequest{Supervised: true}); err != nil {
			e.T.Fatal(err)
		}
	}
	if _, err := e.Hardware.SetStock(e.Ctx, s.Seller, s.Specs["hw"], hardware.StockRequest{Quantity: 5, ReturnAddress: "1 Return Road, " + id}); err != nil {
		e.T.Fatal(err)
	}
	return s
}

// Buy places an order of buyer v for plan (a Plans key), with periods for period plans, and
// works what it causes.
func (e *Env) Buy(v market.Viewer, s *Shop, plan string, periods int, vouchers ...string) *market.Order {
	e.T.Helper()
	o, err := e.Orders.Purchase(e.Ctx, v, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans[plan], PeriodNumber: periods}}, Vouchers: vouchers})
	if err != nil {
		e.T.Fatalf("buy %s: %v", plan, err)
	}
	e.Settle()
	return o
}

// Instance reads an instance.
func (e *Env) Instance(key string) *market.Instance {
	e.T.Helper()
	in, err := e.DB.Instance(e.Ctx, key)
	if err != nil {
		e.T.Fatal(err)
	}
	return in
}

// Balance reads a buyer's balance.
func (e *Env) Balance(v market.Viewer) market.Money {
	e.T.Helper()
	b, err := e.DB.Balance(e.Ctx, v.BuyerID)
	if err != nil {
		e.T.Fatal(err)
	}
	return b
}

// CheckLedger fails the test unless buyers' balances + merchants' accounts + the platform =
// top-ups − payouts.
func (e *Env) CheckLedger() {
	e.T.Helper()
	t, err := e.DB.Totals(e.Ctx)
	if err != nil {
		e.T.Fatal(err)
	}
	if t.Buyers+t.Merchants+t.Platform != t.TopUps-t.Payouts {
		e.T.Fatalf("the ledger does not balance: buyers %s + merchants %s + platform %s ≠ top-ups %s − payouts %s",
			t.Buyers, t.Merchants, t.Platform, t.TopUps, t.Payouts)
	}
}
