package order_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// TestOrdersArePaidFromTheBalance: every order takes its amount from the buyer's balance when it
// is placed, one refused for want of money stores nothing, and every refund (a create that never
// succeeds, a failed upgrade, a cancelled renewal) goes back, each money movement an entry.
func TestOrdersArePaidFromTheBalance(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		buyer := h.env.BuyerWith(150_000) // 150.000
		balance := func(want market.Money) []market.Entry {
			t.Helper()
			got, entries, err := h.db.Account(h.ctx, buyer.BuyerID, 100)
			if err != nil || got != want {
				t.Fatalf("balance %s, want %s (%v)", got, want, err)
			}
			return entries
		}
		o, err := h.svc.Purchase(h.ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M", PeriodNumber: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		h.settle()
		balance(50_000)

		// 160.000 is more than the 50.000 left: 402-style refusal, nothing stored.
		_, err = h.svc.Purchase(h.ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-PRO-M", PeriodNumber: 1}}})
		if market.ErrorCode(err) != market.CodePayment {
			t.Fatalf("short purchase: %v", err)
		}
		if list, _, _ := h.db.Orders(h.ctx, store.OrderFilter{BuyerID: buyer.BuyerID}); len(list) != 1 {
			t.Fatalf("%d orders after a refused one", len(list))
		}
		balance(50_000)

		// A failed upgrade is refunded: 30.000 out, 30.000 back.
		h.advance(14*24*time.Hour, 7*24*time.Hour)
		h.merchant.Set(func(k *sdktest.Knobs) { k.Fail[kgp.ActivityUpgradeInstance] = 1000 })
		u, err := h.svc.Upgrade(h.ctx, buyer, o.Lines[0].ID, order.ChangeRequest{ProductID: "OFFI-PRO-M"})
		if err != nil {
			t.Fatal(err)
		}
		balance(20_000)
		h.advance(3*time.Hour+time.Minute, 10*time.Minute)
		h.wantOrder(u.ID, market.OrderRefunded)
		balance(50_000)

		// A renewal paid and cancelled before its period starts comes back whole.
		r, err := h.svc.Renew(h.ctx, buyer, o.Lines[0].ID, order.ChangeRequest{PeriodNumber: 1})
		if market.ErrorCode(err) != market.CodePayment {
			t.Fatalf("renewal with 50.000 for 100.000: %v %v", r, err)
		}
		if _, err := h.env.Billing.TopUp(h.ctx, market.AsOperator(), buyer.BuyerID, 100_000, "second"); err != nil {
			t.Fatal(err)
		}
		if r, err = h.svc.Renew(h.ctx, buyer, o.Lines[0].ID, order.ChangeRequest{PeriodNumber: 1}); err != nil {
			t.Fatal(err)
		}
		h.settle()
		balance(50_000)
		if _, err := h.svc.CancelRenewal(h.ctx, buyer, r.ID); err != nil {
			t.Fatal(err)
		}
		entries := balance(150_000)
		kinds := map[string]int{}
		var sum market.Money
		for _, e := range entries {
			kinds[e.Kind]++
			sum += e.Amount
		}
		if kinds[market.EntryTopUp] != 2 || kinds[market.EntryPayment] != 3 || kinds[market.EntryRefund] != 2 || sum != 150_000 {
			t.Fatalf("entries %v, sum %s", kinds, sum)
		}
	})
}

// TestCreateRefundCreditsTheBalance: an order whose instance is never delivered is refunded to
// the balance after its 3-hour window, once.
func TestCreateRefundCreditsTheBalance(t *testing.T) {
	t.Parallel()
	each(t, 2, func(t *testing.T, h *harness) {
		buyer := h.env.BuyerWith(200_000)
		h.merchant.Set(func(k *sdktest.Knobs) { k.Down = true })
		o, err := h.svc.Purchase(h.ctx, buyer, order.PurchaseRequest{Items: []order.Item{{ProductID: "OFFI-STD-M", PeriodNumber: 2}}})
		if err != nil {
			t.Fatal(err)
		}
		h.advance(3*time.Hour+time.Minute, 10*time.Minute)
		h.wantOrder(o.ID, market.OrderRefunded)
		if got, entries, _ := h.db.Account(h.ctx, buyer.BuyerID, 10); got != 200_000 || len(entries) != 3 {
			t.Fatalf("balance %s after the refund, %d entries", got, len(entries))
		}
	})
}
