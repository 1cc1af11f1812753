package order_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/order"
)

// TestPurchaseRules: a per-buyer limit counts purchases but not unsubscribed ones; "until the
// resource expires" waits for the earlier purchase's expiry; a restricted trial is for the
// whitelist only. Refusals write nothing.
func TestPurchaseRules(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		s := e.Shop("m-acme")
		b := e.Buyer()
		buy := func(v market.Viewer, plan string, trial bool) (*market.Order, error) {
			o, err := e.Orders.Purchase(e.Ctx, v, order.PurchaseRequest{Items: []order.Item{{ProductID: s.Plans[plan], PeriodNumber: 1}}, Trial: trial})
			e.Settle()
			return o, err
		}
		if err := e.Orders.SetPurchaseLimit(e.Ctx, e.Buyer(), market.PurchaseLimit{SkuCode: s.Specs["svc"], PerUser: 1}); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("a buyer set a limit: %v", err)
		}
		if err := e.Orders.SetPurchaseLimit(e.Ctx, s.Seller, market.PurchaseLimit{SkuCode: s.Specs["svc"], PerUser: 1}); err != nil {
			t.Fatal(err)
		}
		if err := e.Orders.SetPurchaseLimit(e.Ctx, s.Seller, market.PurchaseLimit{SkuCode: s.Specs["img"], UntilExpiry: true}); err != nil {
			t.Fatal(err)
		}
		first, err := buy(b, "svc", false)
		if err != nil {
			t.Fatal(err)
		}
		balance := e.Balance(b)
		if _, err := buy(b, "svc", false); market.ErrorCode(err) != market.CodeConflict || !strings.Contains(market.ErrorMessage(err), "limited to 1") || e.Balance(b) != balance {
			t.Fatalf("a second purchase over the limit: %v", err)
		}
		if _, err := buy(e.Buyer(), "svc", false); err != nil {
			t.Fatalf("another buyer's first purchase: %v", err)
		}
		// Unsubscribed, the first purchase no longer counts.
		u, err := e.Aftersale.Submit(e.Ctx, b, first.Lines[0].ID, aftersale.SubmitRequest{Amount: 1_000, Reason: "wrong one"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Aftersale.Review(e.Ctx, s.Seller, u.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		e.Settle()
		if _, err := buy(b, "svc", false); err != nil {
			t.Fatalf("a purchase after the unsubscription: %v", err)
		}
		// Until expiry: a second image only once the first has expired.
		if _, err := buy(b, "img", false); err != nil {
			t.Fatal(err)
		}
		if _, err := buy(b, "img", false); market.ErrorCode(err) != market.CodeConflict || !strings.Contains(market.ErrorMessage(err), "expired") {
			t.Fatalf("a second image before the first expired: %v", err)
		}
		e.Advance(32*24*time.Hour, 8*24*time.Hour)
		if _, err := buy(b, "img", false); err != nil {
			t.Fatalf("a second image after the first expired: %v", err)
		}
		// A restricted trial: the whitelisted buyer only.
		trier := e.Buyer()
		if err := e.Orders.TrialAccess(e.Ctx, s.Seller, "p-m-acme", "", true); err != nil {
			t.Fatal(err)
		}
		if _, err := buy(trier, "plain", true); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("a trial of a buyer not on the whitelist: %v", err)
		}
		if err := e.Orders.Whitelist(e.Ctx, s.Seller, "p-m-acme", trier.BuyerID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := buy(trier, "plain", true); err != nil {
			t.Fatalf("a whitelisted trial: %v", err)
		}
		if err := e.Orders.TrialAccess(e.Ctx, s.Seller, "p-m-other", "", true); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("restricting an unknown product: %v", err)
		}
	})
}
