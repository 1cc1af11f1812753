package aftersale_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
)

// TestEligibility: the §3.1 table and the global preconditions, each answer with its rule in
// words; an ineligible instance's unsubscription is refused with 409 and that rule, and nothing
// is written.
func TestEligibility(t *testing.T) {
	t.Parallel()
	each(t, nil, func(t *testing.T, e *marketplacetest.Env) {
		s := e.Shop("m-acme")
		b := e.Buyer()
		key := func(plan string) string { return e.Buy(b, s, plan, 1).Lines[0].ID }
		trial := marketplacetest.Must[*market.Order](t)(e.Orders.Purchase(e.Ctx, b, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans["plain"]}}, Trial: true}))
		licTaken := key("lic")
		marketplacetest.Must[[]*market.License](t)(e.Licenses.Receive(e.Ctx, b, licTaken))
		inTransit, signed := key("hw"), key("hw")
		for i, k := range []string{inTransit, signed} {
			marketplacetest.Must[*market.Shipment](t)(e.Hardware.SetAddress(e.Ctx, b, k, "9 Buyer Street"))
			marketplacetest.Must[*market.Shipment](t)(e.Hardware.Ship(e.Ctx, s.Seller, k, hardware.ShipRequest{Carrier: "SF", Waybill: fmt.Sprintf("WB-%d", i)}))
		}
		sh := marketplacetest.Must[*market.Shipment](t)(e.DB.Shipment(e.Ctx, signed))
		marketplacetest.Must[*market.WaybillEvent](t)(e.Hardware.Track(e.Ctx, market.AsOperator(), sh.Carrier, sh.Waybill, hardware.EventRequest{Status: market.WaybillSigned}))
		invoiced := e.Buy(b, s, "svc", 0)
		marketplacetest.Must[*market.Invoice](t)(e.Aftersale.IssueInvoice(e.Ctx, b, invoiced.ID))
		completed := key("svc")
		deliver(t, e, s, b, completed)
		e.Advance(3*time.Hour+time.Minute, time.Hour)

		cases := []struct {
			name, key string
			eligible  bool
			kinds     []market.UnsubKind
			rule      string
		}{
			{"pay-per-use", key("api"), false, nil, "pay-per-use"},
			{"trial", trial.Lines[0].ID, false, nil, "trial"},
			{"SaaS without supervision", key("plain"), false, nil, "without service supervision"},
			{"supervised SaaS", key("saas"), true, []market.UnsubKind{market.UnsubNegotiated}, "negotiated"},
			{"license, code not taken", key("lic"), true, []market.UnsubKind{market.UnsubNegotiated}, "negotiated"},
			{"license, code taken", licTaken, false, nil, "license code was taken"},
			{"hardware not shipped", key("hw"), true, []market.UnsubKind{market.UnsubNotReceived}, "not received"},
			{"hardware in transit", inTransit, false, nil, "in transit"},
			{"hardware signed", signed, true, []market.UnsubKind{market.UnsubReceived}, "received"},
			{"image within 5 days", key("img"), true, []market.UnsubKind{market.UnsubSelfService}, "5-day no-reason"},
			{"invoice outstanding", invoiced.Lines[0].ID, false, nil, "return it first"},
			{"service flow completed", completed, false, nil, "guarantee period ended"},
		}
		for _, c := range cases {
			got := marketplacetest.Must[*market.Eligibility](t)(e.Aftersale.Eligibility(e.Ctx, b, c.key))
			if got.Eligible != c.eligible || !strings.Contains(got.Rule, c.rule) || len(got.Kinds) != len(c.kinds) || len(c.kinds) > 0 && got.Kinds[0] != c.kinds[0] {
				t.Errorf("%s: %+v, want eligible=%v kinds=%v rule ~ %q", c.name, got, c.eligible, c.kinds, c.rule)
				continue
			}
			if c.eligible {
				continue
			}
			before := count(t, e)
			_, err := e.Aftersale.Submit(e.Ctx, b, c.key, aftersale.SubmitRequest{Amount: 1, Reason: "no longer needed"})
			if market.ErrorCode(err) != market.CodeConflict || !strings.Contains(market.ErrorMessage(err), c.rule) || count(t, e) != before {
				t.Errorf("%s: unsubscription answered %v", c.name, err)
			}
		}
		// The invoice returned, the order can be unsubscribed.
		marketplacetest.Must[*market.Invoice](t)(e.Aftersale.ReturnInvoice(e.Ctx, b, invoiced.ID))
		if got := marketplacetest.Must[*market.Eligibility](t)(e.Aftersale.Eligibility(e.Ctx, b, invoiced.Lines[0].ID)); !got.Eligible {
			t.Fatalf("after the invoice's return: %+v", got)
		}
		// Beyond 5 days, a monthly image refunds its unused part; a one-time one nothing.
		img, once := key("img"), key("img-once")
		e.Advance(6*day, day)
		got := marketplacetest.Must[*market.Eligibility](t)(e.Aftersale.Eligibility(e.Ctx, b, img))
		if !got.Eligible || got.NoReason || got.Refund <= 0 || got.Refund >= got.Paid {
			t.Fatalf("image after 6 days: %+v", got)
		}
		if got := marketplacetest.Must[*market.Eligibility](t)(e.Aftersale.Eligibility(e.Ctx, b, once)); got.Eligible || !strings.Contains(got.Rule, "one-time") {
			t.Fatalf("one-time image after 6 days: %+v", got)
		}
	})
}
