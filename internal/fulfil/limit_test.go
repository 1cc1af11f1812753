package fulfil_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestHangingMerchantDoesNotStarveOthers: with 20 calls queued to a merchant that never answers,
// orders of a healthy merchant placed after them complete at once, not after the hanging calls'
// 5-second timeouts: a merchant holds at most PerMerchant of the workers.
func TestHangingMerchantDoesNotStarveOthers(t *testing.T) {
	t.Parallel()
	e := marketplacetest.New(t, store.SQLite, marketplacetest.Options{Config: func(c *marketplace.Config) {
		c.Calls.Workers, c.Calls.PerMerchant = 6, 2
	}})
	hanging := sdktest.NewServer(t, sdktest.Options{Key: "hanging-merchant-key-0001"})
	hanging.Set(func(k *sdktest.Knobs) { k.Delay = map[kgp.Activity]time.Duration{sdktest.Every: sdktest.Forever} })
	healthy := sdktest.NewServer(t, sdktest.Options{Key: "healthy-merchant-key-0001"})
	for _, m := range []struct {
		id string
		s  *sdktest.Merchant
	}{{"m-hanging", hanging}, {"m-healthy", healthy}} {
		e.Merchant(marketplacetest.MerchantOpts{ID: m.id, ProductionURL: m.s.URL, AccessKey: m.s.Key})
		e.Product("p-"+m.id, m.id, catalog.SpecRequest{SkuCode: "s-" + m.id, Name: "Standard", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-" + m.id, Period: market.PeriodMonth, Price: 1000}}})
	}
	buyer := e.Buyer()
	buy := func(productID string) string {
		o, err := e.Orders.Purchase(e.Ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: productID, PeriodNumber: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	for range 20 {
		buy("OFFI-m-hanging")
	}
	start := time.Now()
	var ids []string
	for range 5 {
		ids = append(ids, buy("OFFI-m-healthy"))
	}
	for _, id := range ids {
		for {
			o, err := e.Orders.Order(e.Ctx, market.AsOperator(), id)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status == market.OrderCompleted {
				break
			}
			if time.Since(start) > 4*time.Second {
				t.Fatalf("a healthy merchant's order is still %s after %s behind a hanging merchant", o.Status, time.Since(start).Round(time.Millisecond))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("5 healthy orders completed in %s behind 20 hanging calls", time.Since(start).Round(time.Millisecond))
}
