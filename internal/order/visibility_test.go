package order_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestVisibility: a buyer can neither read nor act on another buyer's orders and instances, and a
// seller sees its own merchant's only. What is not visible is not found.
func TestVisibility(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		m := e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"}).Merchant
		other := e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"}).Merchant
		e.Product("p-crm", m.ID, catalog.SpecRequest{SkuCode: "std", Name: "Standard", Charging: market.ChargingPeriod,
			Plans: []catalog.PlanRequest{{ProductID: "OFFI-STD-M", Period: market.PeriodMonth, Price: 1000}}})
		alice, bob := e.Buyer(), e.Buyer()
		o, err := e.Orders.Purchase(e.Ctx, alice, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M", PeriodNumber: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		key := o.Lines[0].ID
		seller, stranger := market.AsSeller(m.ID), market.AsSeller(other.ID)
		for _, v := range []market.Viewer{alice, seller, market.AsOperator()} {
			if _, err := e.Orders.Order(e.Ctx, v, o.ID); err != nil {
				t.Errorf("%s: own order: %v", v.Role, err)
			}
			if _, err := e.Orders.Instance(e.Ctx, v, key); err != nil {
				t.Errorf("%s: own instance: %v", v.Role, err)
			}
		}
		in, _ := e.DB.Instance(e.Ctx, key)
		for _, v := range []market.Viewer{bob, stranger, {}} {
			notFound := func(what string, err error) {
				t.Helper()
				if market.ErrorCode(err) != market.CodeNotFound && market.ErrorCode(err) != market.CodeForbidden {
					t.Errorf("%s %q: %s of another: %v", v.Role, v.BuyerID+v.MerchantID, what, err)
				}
			}
			_, err := e.Orders.Order(e.Ctx, v, o.ID)
			notFound("order", err)
			_, err = e.Orders.Instance(e.Ctx, v, key)
			notFound("instance", err)
			_, err = e.Orders.AppInfo(e.Ctx, v, in)
			notFound("login information", err)
			_, _, err = e.Orders.OrderWithBuyer(e.Ctx, v, o.ID)
			notFound("order with buyer", err)
			if v.Role == market.RoleBuyer {
				_, err = e.Orders.Renew(e.Ctx, v, key, order.ChangeRequest{PeriodNumber: 1})
				notFound("renewal", err)
				_, err = e.Orders.Upgrade(e.Ctx, v, key, order.ChangeRequest{ProductID: "OFFI-STD-M"})
				notFound("upgrade", err)
				_, err = e.Orders.Release(e.Ctx, v, key, "mine")
				notFound("release", err)
				_, err = e.Orders.CancelRenewal(e.Ctx, v, o.ID)
				notFound("cancellation", err)
			}
			list, _, err := e.Orders.Orders(e.Ctx, v, store.OrderFilter{BuyerID: alice.BuyerID})
			if err == nil && len(list) != 0 {
				t.Errorf("%s lists %d of another's orders", v.Role, len(list))
			}
			ins, _, err := e.Orders.Instances(e.Ctx, v, store.InstanceFilter{MerchantID: m.ID})
			if err == nil && len(ins) != 0 {
				t.Errorf("%s lists %d of another's instances", v.Role, len(ins))
			}
		}
		// Only a buyer places orders, even the operator or the merchant's seller cannot.
		for _, v := range []market.Viewer{seller, market.AsOperator()} {
			if _, err := e.Orders.Purchase(e.Ctx, v, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M", PeriodNumber: 1}}}); market.ErrorCode(err) != market.CodeForbidden {
				t.Errorf("%s placed an order: %v", v.Role, err)
			}
		}
	})
}
