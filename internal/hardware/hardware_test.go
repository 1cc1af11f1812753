package hardware_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

const day = 24 * time.Hour

// TestShipping: stock limits purchases (nothing is written for one beyond it); the address can
// change until the goods ship; shipping moves the flow to the buyer's acceptance; a signed
// waybill idle for 10 days accepts the delivery, an unsigned one never does, and each event
// restarts the 10 days.
func TestShipping(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		s, other, b := e.Shop("m-acme"), e.Shop("m-other"), e.Buyer()
		marketplacetest.Must[*market.Stock](t)(e.Hardware.SetStock(e.Ctx, s.Seller, s.Specs["hw"], hardware.StockRequest{Quantity: 3, ReturnAddress: "Dock 1"}))
		_, err := e.Hardware.SetStock(e.Ctx, other.Seller, s.Specs["hw"], hardware.StockRequest{Quantity: 9, ReturnAddress: "x"})
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another merchant sets the stock")
		_, err = e.Hardware.SetStock(e.Ctx, s.Seller, s.Specs["saas"], hardware.StockRequest{Quantity: 9, ReturnAddress: "x"})
		marketplacetest.WantCode(t, err, market.CodeConflict, "stock of a SaaS spec")
		var keys []string
		for range 3 {
			keys = append(keys, e.Buy(b, s, "hw", 0).Lines[0].ID)
		}
		orders, _, _ := e.DB.Orders(e.Ctx, store.OrderFilter{BuyerID: b.BuyerID})
		_, err = e.Orders.Purchase(e.Ctx, b, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans["hw"]}}})
		marketplacetest.WantCode(t, err, market.CodeConflict, "a purchase beyond the stock")
		if after, _, _ := e.DB.Orders(e.Ctx, store.OrderFilter{BuyerID: b.BuyerID}); len(after) != len(orders) {
			t.Fatal("a refused purchase left an order")
		}
		signed, unsigned, busy := keys[0], keys[1], keys[2]
		_, err = e.Hardware.Ship(e.Ctx, s.Seller, signed, hardware.ShipRequest{Carrier: "SF", Waybill: "SF1000"})
		marketplacetest.WantCode(t, err, market.CodeConflict, "shipping without an address")
		_, err = e.Hardware.SetAddress(e.Ctx, s.Seller, signed, "somewhere")
		marketplacetest.WantCode(t, err, market.CodeForbidden, "the seller sets the address")
		_, err = e.Hardware.SetAddress(e.Ctx, e.Buyer(), signed, "somewhere")
		marketplacetest.WantCode(t, err, market.CodeNotFound, "another buyer sets the address")
		for i, k := range keys {
			marketplacetest.Must[*market.Shipment](t)(e.Hardware.SetAddress(e.Ctx, b, k, "9 Buyer Street"))
			_, err = e.Hardware.Ship(e.Ctx, b, k, hardware.ShipRequest{Carrier: "SF", Waybill: "SF100" + string(rune('0'+i))})
			marketplacetest.WantCode(t, err, market.CodeForbidden, "the buyer ships")
			marketplacetest.Must[*market.Shipment](t)(e.Hardware.Ship(e.Ctx, s.Seller, k, hardware.ShipRequest{Carrier: "SF", Waybill: "SF100" + string(rune('0'+i))}))
		}
		_, err = e.Hardware.SetAddress(e.Ctx, b, signed, "elsewhere")
		marketplacetest.WantCode(t, err, market.CodeConflict, "an address change after shipping")
		if f := marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, signed)); f.State != market.FlowAwaitingAcceptance {
			t.Fatalf("shipped flow %s", f.State)
		}
		track := func(wb string, st market.WaybillStatus) {
			marketplacetest.Must[*market.WaybillEvent](t)(e.Hardware.Track(e.Ctx, market.AsOperator(), "SF", wb, hardware.EventRequest{Status: st, Text: string(st)}))
		}
		_, err = e.Hardware.Track(e.Ctx, s.Seller, "SF", "SF1000", hardware.EventRequest{Status: market.WaybillSigned})
		marketplacetest.WantCode(t, err, market.CodeForbidden, "a seller enters waybill events")
		track("SF1000", market.WaybillInTransit)
		track("SF1000", market.WaybillSigned)
		track("SF1001", market.WaybillInTransit)
		track("SF1002", market.WaybillSigned)
		e.Advance(5*day, day)
		track("SF1002", market.WaybillException) // progress: its 10 days start again
		e.Advance(5*day-time.Hour, 12*time.Hour)
		state := func(k string) market.FlowState {
			return marketplacetest.Must[*market.Flow](t)(e.DB.FlowOf(e.Ctx, k)).State
		}
		if state(signed) != market.FlowAwaitingAcceptance {
			t.Fatalf("accepted before 10 idle days: %s", state(signed))
		}
		e.Advance(2*time.Hour, time.Hour)
		if state(signed) != market.FlowAccepted || state(busy) != market.FlowAwaitingAcceptance {
			t.Fatalf("after 10 idle days: signed %s, busy %s", state(signed), state(busy))
		}
		e.Advance(5*day+3*time.Hour, day) // 10 days after the exception, and the 3 hours to completion
		if state(busy) != market.FlowCompleted || state(unsigned) != market.FlowAwaitingAcceptance {
			t.Fatalf("later: busy %s, unsigned %s", state(busy), state(unsigned))
		}
		sh, events := must2(t)(e.Hardware.Shipment(e.Ctx, b, busy))
		if sh.State != market.ShipmentSigned || len(events) != 2 {
			t.Fatalf("shipment %s with %d events", sh.State, len(events))
		}
	})
}

func must2(t *testing.T) func(*market.Shipment, []market.WaybillEvent, error) (*market.Shipment, []market.WaybillEvent) {
	return func(s *market.Shipment, ev []market.WaybillEvent, err error) (*market.Shipment, []market.WaybillEvent) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s, ev
	}
}
