package aftersale_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
)

// TestNotReceived: before the goods ship, a "not received" unsubscription stops the shipping
// and, refunded, cancels the shipment and puts the unit back into stock (rules §3.3).
func TestNotReceived(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, e *marketplacetest.Env) {
		s, b := e.Shop("m-acme"), e.Buyer()
		key := e.Buy(b, s, "hw", 0).Lines[0].ID
		if st := marketplacetest.Must[*market.Stock](t)(e.Hardware.Stock(e.Ctx, s.Specs["hw"])); st.Quantity != 4 {
			t.Fatalf("stock %d after a sale", st.Quantity)
		}
		marketplacetest.Must[*market.Shipment](t)(e.Hardware.SetAddress(e.Ctx, b, key, "9 Buyer Street"))
		u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: 500_000, Reason: "ordered by mistake"}))
		if u.Kind != market.UnsubNotReceived {
			t.Fatalf("kind %s", u.Kind)
		}
		_, err := e.Hardware.Ship(e.Ctx, s.Seller, key, hardware.ShipRequest{Carrier: "SF", Waybill: "SF0001"})
		marketplacetest.WantCode(t, err, market.CodeConflict, "shipping with a not-received unsubscription open")
		marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Review(e.Ctx, s.Seller, u.ID, true, ""))
		e.Settle()
		wantState(t, e, u.ID, market.UnsubRefunded)
		if sh := marketplacetest.Must[*market.Shipment](t)(e.DB.Shipment(e.Ctx, key)); sh.State != market.ShipmentCancelled {
			t.Fatalf("shipment %s", sh.State)
		}
		if st := marketplacetest.Must[*market.Stock](t)(e.Hardware.Stock(e.Ctx, s.Specs["hw"])); st.Quantity != 5 {
			t.Fatalf("stock %d after the cancellation", st.Quantity)
		}
		e.CheckLedger()
	})
}

// TestReturnFlow: received hardware goes back (rules §3.3): without a return waybill within 10
// days the request is withdrawn; returned goods the seller does not inspect within 15 days are
// accepted and refunded; an exception goes to the operator, who decides; the buyer may withdraw
// before sending the goods.
func TestReturnFlow(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, e *marketplacetest.Env) {
		s, b := e.Shop("m-acme"), e.Buyer()
		var ids []string
		for i := range 4 {
			key := e.Buy(b, s, "hw", 0).Lines[0].ID
			marketplacetest.Must[*market.Shipment](t)(e.Hardware.SetAddress(e.Ctx, b, key, "9 Buyer Street"))
			wb := fmt.Sprintf("SF%04d", i)
			marketplacetest.Must[*market.Shipment](t)(e.Hardware.Ship(e.Ctx, s.Seller, key, hardware.ShipRequest{Carrier: "SF", Waybill: wb}))
			marketplacetest.Must[*market.WaybillEvent](t)(e.Hardware.Track(e.Ctx, market.AsOperator(), "SF", wb, hardware.EventRequest{Status: market.WaybillSigned}))
			u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Amount: 500_000, Reason: "faulty"}))
			if u.Kind != market.UnsubReceived {
				t.Fatalf("kind %s", u.Kind)
			}
			marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Review(e.Ctx, s.Seller, u.ID, true, ""))
			ids = append(ids, u.ID)
		}
		silent, uninspected, disputed, withdrawn := ids[0], ids[1], ids[2], ids[3]
		d := marketplacetest.Must[*aftersale.Detail](t)(e.Aftersale.Unsubscription(e.Ctx, b, silent))
		if d.State != market.UnsubAwaitingReturn || d.ReturnAddress != "1 Return Road, m-acme" {
			t.Fatalf("approved return %s to %q", d.State, d.ReturnAddress)
		}
		marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Withdraw(e.Ctx, b, withdrawn))
		for i, id := range []string{uninspected, disputed} {
			marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.ReturnShipped(e.Ctx, b, id, aftersale.ReturnRequest{Carrier: "SF", Waybill: fmt.Sprintf("RT%04d", i)}))
		}
		marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Inspect(e.Ctx, s.Seller, disputed, false, "the seal is broken"))
		wantState(t, e, disputed, market.UnsubDispute)
		_, err := e.Aftersale.ResolveDispute(e.Ctx, s.Seller, disputed, true, 0, "mine")
		marketplacetest.WantCode(t, err, market.CodeForbidden, "a seller decides a dispute")
		marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.ResolveDispute(e.Ctx, market.AsOperator(), disputed, true, 300_000, "partly damaged"))

		e.Advance(10*day-time.Hour, 12*time.Hour)
		wantState(t, e, silent, market.UnsubAwaitingReturn)
		e.Advance(2*time.Hour, time.Hour)
		wantState(t, e, silent, market.UnsubWithdrawn)
		wantState(t, e, uninspected, market.UnsubAwaitingInspect)
		e.Advance(5*day, 12*time.Hour) // 15 days after the return: accepted and refunded
		wantState(t, e, uninspected, market.UnsubRefunded)
		if u := wantState(t, e, disputed, market.UnsubRefunded); u.Amount != 300_000 {
			t.Fatalf("disputed refund %s", u.Amount)
		}
		wantState(t, e, withdrawn, market.UnsubWithdrawn)
		if st := marketplacetest.Must[*market.Stock](t)(e.Hardware.Stock(e.Ctx, s.Specs["hw"])); st.Quantity != 3 {
			t.Fatalf("stock %d: two returns accepted of four sold out of five", st.Quantity)
		}
		e.CheckLedger()
	})
}
