package aftersale_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/promo"
)

// TestSelfService: an image is unsubscribed by the buyer alone (rules §3.1). Within 5 days,
// with the year's quota left, everything paid comes back and so do the vouchers; beyond, the
// unused part comes back, vouchers do not, cash coupons in proportion. Each no-reason refund
// uses the quota (here 2 a year); without quota left the refund is the unused part.
func TestSelfService(t *testing.T) {
	t.Parallel()
	each(t, func(c *marketplace.Config) { c.Aftersale.NoReasonQuota = 2 }, func(t *testing.T, e *marketplacetest.Env) {
		s, b := e.Shop("m-acme"), e.Buyer()
		issue := func(kind market.VoucherKind, amount market.Money) *market.Voucher {
			return marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, market.AsOperator(), promo.IssueRequest{Kind: kind, BuyerID: b.BuyerID,
				Amount: amount, Scope: market.ScopeProduct, ScopeID: "p-m-acme", ValidUntil: e.Clock.Now().AddDate(1, 0, 0)}))
		}
		selfService := func(key string) *market.Unsubscription {
			u := marketplacetest.Must[*market.Unsubscription](t)(e.Aftersale.Submit(e.Ctx, b, key, aftersale.SubmitRequest{Reason: "not needed"}))
			e.Settle()
			return wantState(t, e, u.ID, market.UnsubRefunded)
		}
		voucher := issue(market.KindVoucher, 30_000)
		start := e.Balance(b)
		u := selfService(e.Buy(b, s, "img", 1, voucher.ID).Lines[0].ID)
		if !u.NoReason || u.Amount != 70_000 || e.Balance(b) != start {
			t.Fatalf("no-reason refund %s (no reason %v), balance %s of %s", u.Amount, u.NoReason, e.Balance(b), start)
		}
		if v := marketplacetest.Must[*market.Voucher](t)(e.DB.Voucher(e.Ctx, voucher.ID)); v.State != market.VoucherActive || v.Balance != 30_000 {
			t.Fatalf("voucher after a no-reason refund: %s %s", v.State, v.Balance)
		}
		// Beyond 5 days: the unused part of the month; the voucher stays spent, the coupon gets its share.
		coupon := issue(market.KindCashCoupon, 20_000)
		bought := e.Buy(b, s, "img", 1, voucher.ID, coupon.ID).Lines[0] // 30 voucher, 20 coupon, 50 cash
		late := bought.ID
		e.Advance(6*day, day)
		u = selfService(late)
		left, total := bought.ExpireAt.Sub(e.Clock.Now()), bought.ExpireAt.Sub(bought.StartsAt)
		want := market.Money(int64(50_000) * left.Milliseconds() / total.Milliseconds())
		if u.NoReason || u.Amount != want {
			t.Fatalf("late refund %s, want %s (no reason %v)", u.Amount, want, u.NoReason)
		}
		if v := marketplacetest.Must[*market.Voucher](t)(e.DB.Voucher(e.Ctx, voucher.ID)); v.State != market.VoucherUsed {
			t.Fatalf("voucher returned beyond 5 days: %s", v.State)
		}
		if c := marketplacetest.Must[*market.Voucher](t)(e.DB.Voucher(e.Ctx, coupon.ID)); c.Balance != market.Money(int64(20_000)*int64(want)/50_000) {
			t.Fatalf("coupon got back %s of 20.000 for a refund of %s of 50.000", c.Balance, want)
		}
		// The quota: one use left this year, then none.
		selfService(e.Buy(b, s, "img", 1).Lines[0].ID)
		last := e.Buy(b, s, "img", 1).Lines[0].ID
		if got := marketplacetest.Must[*market.Eligibility](t)(e.Aftersale.Eligibility(e.Ctx, b, last)); got.NoReason || got.QuotaLeft != 0 || !got.Eligible {
			t.Fatalf("without quota: %+v", got)
		}
		// A new calendar year brings the quota back.
		e.Clock.Set(time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC))
		fresh := e.Buy(b, s, "img", 1).Lines[0].ID
		if got := marketplacetest.Must[*market.Eligibility](t)(e.Aftersale.Eligibility(e.Ctx, b, fresh)); !got.NoReason || got.QuotaLeft != 2 {
			t.Fatalf("in a new year: %+v", got)
		}
		e.CheckLedger()
	})
}
