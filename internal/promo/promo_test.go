package promo_test

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestVouchers: who issues what; the deduction order at payment (vouchers, then cash coupons,
// then the balance); what a voucher refuses to pay, with nothing written; a discontinued spec
// makes the vouchers scoped to it unusable.
func TestVouchers(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		s, other, b := e.Shop("m-acme"), e.Shop("m-other"), e.Buyer()
		now := e.Clock.Now()
		req := func(kind market.VoucherKind, amount market.Money, scope market.VoucherScope, id string) promo.IssueRequest {
			return promo.IssueRequest{Kind: kind, BuyerID: b.BuyerID, Amount: amount, Scope: scope, ScopeID: id, ValidUntil: now.Add(30 * 24 * time.Hour)}
		}
		issues := []struct {
			name string
			v    market.Viewer
			req  promo.IssueRequest
			ok   bool
		}{
			{"platform, anything", market.AsOperator(), req(market.KindVoucher, 10_000, market.ScopeAll, ""), true},
			{"seller, own spec", s.Seller, req(market.KindVoucher, 20_000, market.ScopeSpec, s.Specs["saas"]), true},
			{"seller, another's product", s.Seller, req(market.KindVoucher, 1, market.ScopeProduct, "p-m-other"), false},
			{"seller, anything", s.Seller, req(market.KindVoucher, 1, market.ScopeAll, ""), false},
			{"a buyer", b, req(market.KindVoucher, 1, market.ScopeAll, ""), false},
			{"no amount", market.AsOperator(), req(market.KindVoucher, 0, market.ScopeAll, ""), false},
			{"expired already", market.AsOperator(), promo.IssueRequest{Kind: market.KindVoucher, BuyerID: b.BuyerID, Amount: 1, Scope: market.ScopeAll, ValidUntil: now.Add(-time.Hour)}, false},
			{"unknown spec", market.AsOperator(), req(market.KindCashCoupon, 1, market.ScopeSpec, "nope"), false},
		}
		var all, spec *market.Voucher
		for _, c := range issues {
			v, err := e.Vouchers.Issue(e.Ctx, c.v, c.req)
			if (err == nil) != c.ok {
				t.Errorf("%s: %v", c.name, err)
			}
			if c.ok && all == nil {
				all = v
			} else if c.ok {
				spec = v
			}
		}
		coupon := marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, market.AsOperator(), req(market.KindCashCoupon, 50_000, market.ScopeProduct, "p-m-acme")))
		// The order pays 100: the seller's voucher 20 and the platform's 10 first, then 50 of the
		// coupon, then 20 from the balance.
		start := e.Balance(b)
		e.Buy(b, s, "saas", 1, coupon.ID, all.ID, spec.ID)
		if paid := start - e.Balance(b); paid != 20_000 {
			t.Fatalf("the balance paid %s", paid)
		}
		for _, c := range []struct {
			id      string
			state   market.VoucherState
			balance market.Money
		}{{all.ID, market.VoucherUsed, 0}, {spec.ID, market.VoucherUsed, 0}, {coupon.ID, market.VoucherUsed, 0}} {
			if v := marketplacetest.Must[*market.Voucher](t)(e.DB.Voucher(e.Ctx, c.id)); v.State != c.state || v.Balance != c.balance {
				t.Errorf("voucher %s: %s %s", c.id, v.State, v.Balance)
			}
		}
		sales := marketplacetest.Must[[]*market.Sale](t)(e.DB.Sales(e.Ctx, store.SaleFilter{BuyerID: b.BuyerID}))
		if len(sales) != 1 || sales[0].SellerDiscount != 20_000 || sales[0].PlatformDiscount != 60_000 || sales[0].Cash != 20_000 {
			t.Fatalf("sale %+v", sales[0])
		}
		// Refusals: nothing is redeemed, nothing bought.
		big := marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, market.AsOperator(), req(market.KindCashCoupon, 500_000, market.ScopeAll, "")))
		otherSpec := marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, other.Seller, req(market.KindVoucher, 5_000, market.ScopeSpec, other.Specs["saas"])))
		late := marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, market.AsOperator(), promo.IssueRequest{Kind: market.KindVoucher, BuyerID: b.BuyerID,
			Amount: 1_000, Scope: market.ScopeAll, ValidUntil: now.Add(2 * time.Hour)}))
		e.Advance(3*time.Hour, time.Hour)
		for _, c := range []struct {
			name string
			ids  []string
		}{
			{"expired", []string{big.ID, late.ID}},
			{"for another merchant's spec", []string{big.ID, otherSpec.ID}},
			{"used up", []string{big.ID, all.ID}},
			{"unknown", []string{big.ID, "V-nope"}},
			{"twice", []string{big.ID, big.ID}},
		} {
			before := e.Balance(b)
			_, err := e.Orders.Purchase(e.Ctx, b, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans["saas"], PeriodNumber: 1}}, Vouchers: c.ids})
			if market.ErrorField(err) != "vouchers" || e.Balance(b) != before {
				t.Errorf("%s: %v", c.name, err)
			}
			if v := marketplacetest.Must[*market.Voucher](t)(e.DB.Voucher(e.Ctx, big.ID)); v.Balance != 500_000 {
				t.Fatalf("%s: the coupon was spent (%s)", c.name, v.Balance)
			}
		}
		// A spec discontinued: its vouchers become unusable, broader ones stay.
		kept := marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, s.Seller, req(market.KindVoucher, 5_000, market.ScopeProduct, "p-m-acme")))
		gone := marketplacetest.Must[*market.Voucher](t)(e.Vouchers.Issue(e.Ctx, s.Seller, req(market.KindVoucher, 5_000, market.ScopeSpec, s.Specs["saas"])))
		err := e.DB.Write(e.Ctx, func(tx *store.Tx) error { return e.Vouchers.SpecDiscontinued(e.Ctx, tx, s.Specs["saas"]) })
		if err != nil {
			t.Fatal(err)
		}
		if v := marketplacetest.Must[*market.Voucher](t)(e.DB.Voucher(e.Ctx, gone.ID)); v.State != market.VoucherInvalid || v.Reason == "" {
			t.Fatalf("discontinued spec's voucher %s", v.State)
		}
		if v := marketplacetest.Must[*market.Voucher](t)(e.DB.Voucher(e.Ctx, kept.ID)); v.State != market.VoucherActive {
			t.Fatalf("product voucher %s", v.State)
		}
		_, err = e.Orders.Purchase(e.Ctx, b, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans["img"], PeriodNumber: 1}}, Vouchers: []string{gone.ID}})
		if market.ErrorField(err) != "vouchers" {
			t.Fatalf("an unusable voucher: %v", err)
		}
		// Who sees which vouchers.
		mine := must3(t)(e.Vouchers.Vouchers(e.Ctx, b, store.VoucherFilter{BuyerID: "someone else"}))
		issued := must3(t)(e.Vouchers.Vouchers(e.Ctx, other.Seller, store.VoucherFilter{}))
		if len(mine) != 8 || len(issued) != 1 {
			t.Fatalf("the buyer lists %d, the other seller %d", len(mine), len(issued))
		}
		if _, err := e.Vouchers.Voucher(e.Ctx, other.Seller, big.ID); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("a seller reads a platform voucher: %v", err)
		}
		e.CheckLedger()
	})
}

func must3(t *testing.T) func([]*market.Voucher, store.Cursor, error) []*market.Voucher {
	return func(l []*market.Voucher, _ store.Cursor, err error) []*market.Voucher {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
}
