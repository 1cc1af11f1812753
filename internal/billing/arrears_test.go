package billing_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/promo"
)

// TestGraceByLevel: a V3 customer's instance in arrears stays usable 7 days (grace), is then
// frozen and released 7 days later (retention); a top-up within the grace period ends it.
func TestGraceByLevel(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		if err := h.orders.SetCustomerLevel(h.ctx, market.AsOperator(), h.buyer, "V9"); market.ErrorField(err) != "level" {
			t.Fatalf("an unknown level: %v", err)
		}
		if err := h.orders.SetCustomerLevel(h.ctx, market.AsOperator(), h.buyer, "V3"); err != nil {
			t.Fatal(err)
		}
		calls := h.buy("OFFI-CALLS")["OFFI-CALLS"]
		h.clock.Set(t0.Add(70 * time.Minute))
		h.push("m-acme", rec(calls, "a", "10:00", "11:00", "100"))
		h.at(t0.Add(77 * time.Minute)) // arrears of 1.000: grace until 7 days later
		inArrears := h.clock.Now()
		h.at(inArrears.AddDate(0, 0, 7).Add(-time.Minute))
		if got := h.instance(calls.Key); got.State != market.InstanceActive {
			t.Fatalf("in the grace period: %s", got.State)
		}
		h.at(inArrears.AddDate(0, 0, 7).Add(time.Minute))
		if got := h.instance(calls.Key); got.State != market.InstanceFrozen || !got.ReleaseAt.Equal(h.clock.Now().AddDate(0, 0, 7)) {
			t.Fatalf("after the grace period: %s until %v", got.State, got.ReleaseAt)
		}
		h.at(inArrears.AddDate(0, 0, 14).Add(time.Hour))
		if got := h.instance(calls.Key); got.State != market.InstanceReleased {
			t.Fatalf("after the retention: %s", got.State)
		}
		// Another instance, in arrears again, topped up within its grace: never frozen.
		sms := h.buy("OFFI-SMS")["OFFI-SMS"]
		h.push("m-acme", rec(sms, "s", "10:00", "11:00", "10"))
		h.at(h.clock.Now().Add(time.Hour))
		if _, err := h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 10_000, "pay-1"); err != nil {
			t.Fatal(err)
		}
		h.at(h.clock.Now().AddDate(0, 0, 8))
		if got := h.instance(sms.Key); got.State != market.InstanceActive {
			t.Fatalf("topped up in the grace period: %s", got.State)
		}
		h.env.CheckLedger()
	})
}

// TestCouponsPayBills: a cash coupon pays a pay-per-use bill before the balance; a voucher does
// not (KooGallery's vouchers are not for pay-per-use, rules §8.1).
func TestCouponsPayBills(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, h *harness) {
		calls := h.buy("OFFI-CALLS")["OFFI-CALLS"]
		issue := func(kind market.VoucherKind) *market.Voucher {
			v, err := h.env.Vouchers.Issue(h.ctx, market.AsOperator(), promo.IssueRequest{Kind: kind, BuyerID: h.buyer, Amount: 600,
				Scope: market.ScopeProduct, ScopeID: "p-api", ValidUntil: t0.AddDate(0, 1, 0)})
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		voucher, coupon := issue(market.KindVoucher), issue(market.KindCashCoupon)
		if _, err := h.billing.TopUp(h.ctx, market.AsOperator(), h.buyer, 1_000, "pay-1"); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(t0.Add(70 * time.Minute))
		h.push("m-acme", rec(calls, "a", "10:00", "11:00", "100")) // 1.000
		h.at(t0.Add(77 * time.Minute))
		if b, _ := h.db.Balance(h.ctx, h.buyer); b != 600 {
			t.Fatalf("balance %s: the coupon should have paid 0.600 of the 1.000", b)
		}
		if v, _ := h.db.Voucher(h.ctx, coupon.ID); v.Balance != 0 {
			t.Fatalf("coupon left %s", v.Balance)
		}
		if v, _ := h.db.Voucher(h.ctx, voucher.ID); v.Balance != 600 {
			t.Fatalf("a voucher paid a pay-per-use bill: %s left", v.Balance)
		}
		h.env.CheckLedger()
	})
}
