package billing_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestVisibility: a buyer reads its own account and bills only; statements are the merchants',
// each seller its own; top-ups are the operator's.
func TestVisibility(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		alice, bob := e.Buyer(), e.Buyer()
		m := e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"}).Merchant
		if err := e.Billing.Settle(e.Ctx, "2025-12"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Billing.Account(e.Ctx, alice, alice.BuyerID, 10); err != nil {
			t.Fatalf("own account: %v", err)
		}
		for _, v := range []market.Viewer{bob, market.AsSeller(m.ID), {}} {
			if _, _, err := e.Billing.Account(e.Ctx, v, alice.BuyerID, 10); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%s read another's account: %v", v.Role, err)
			}
			if bills, _, err := e.Billing.Bills(e.Ctx, v, alice.BuyerID, store.Page{}); err == nil && v.Role != market.RoleBuyer {
				t.Errorf("%s listed bills: %d", v.Role, len(bills))
			}
			if _, err := e.Billing.TopUp(e.Ctx, v, alice.BuyerID, 1000, "sneaky"); market.ErrorCode(err) != market.CodeForbidden {
				t.Errorf("%s topped up: %v", v.Role, err)
			}
		}
		// A buyer's bill filter is its own, whatever it asks for.
		if _, _, err := e.Billing.Bills(e.Ctx, bob, alice.BuyerID, store.Page{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Billing.Statements(e.Ctx, alice, m.ID, 10); market.ErrorCode(err) != market.CodeForbidden {
			t.Errorf("a buyer read statements: %v", err)
		}
		if list, err := e.Billing.Statements(e.Ctx, market.AsSeller("m-other"), m.ID, 10); err != nil || len(list) != 0 {
			t.Errorf("another seller read %d statements: %v", len(list), err)
		}
		if list, err := e.Billing.Statements(e.Ctx, market.AsSeller(m.ID), "", 10); err != nil || len(list) != 1 {
			t.Errorf("own statements: %d, %v", len(list), err)
		}
	})
}
