package identity_test

import (
	"strings"
	"testing"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestCreateBuyerRejects: every rule of a buyer's fields, and nothing stored for a refusal.
func TestCreateBuyerRejects(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		for _, tc := range []struct {
			name  string
			req   identity.BuyerRequest
			field string
		}{
			{"no name", identity.BuyerRequest{}, "name"},
			{"long name", identity.BuyerRequest{Name: strings.Repeat("名", 65)}, "name"},
			{"NUL in name", identity.BuyerRequest{Name: "a\x00b"}, "name"},
			{"line break in name", identity.BuyerRequest{Name: "a\r\nb"}, "name"},
			{"bad email", identity.BuyerRequest{Name: "Ada", Email: "ada"}, "email"},
			{"display email", identity.BuyerRequest{Name: "Ada", Email: "Ada <ada@example.com>"}, "email"},
			{"letters in mobile", identity.BuyerRequest{Name: "Ada", Mobile: "call me"}, "mobile"},
			{"odd customer id", identity.BuyerRequest{Name: "Ada", CustomerID: "../x"}, "customer_id"},
			{"weak token", identity.BuyerRequest{Name: "Ada", Token: "t"}, "token"},
		} {
			_, _, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), tc.req)
			if market.ErrorCode(err) != market.CodeInvalid || market.ErrorField(err) != tc.field {
				t.Errorf("%s: %v (field %q), want invalid %q", tc.name, err, market.ErrorField(err), tc.field)
			}
		}
		if bs, _, _ := e.DB.Buyers(e.Ctx, store.Page{}); len(bs) != 0 {
			t.Fatalf("%d buyers stored by refusals", len(bs))
		}
		b, token, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "Ada 李", Email: "ada@example.com", Mobile: "+86 138-0000-0000"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "again", CustomerID: b.CustomerID}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("duplicate customer id: %v", err)
		}
		if v, err := e.Identity.Authenticate(e.Ctx, token); err != nil || v.BuyerID != b.CustomerID {
			t.Fatalf("the new token: %v, %v", v, err)
		}
	})
}

// TestTokens: the operator token from configuration, a generated operator token kept across
// restarts and rotated, buyer tokens reissued; unknown tokens are unauthorized.
func TestTokens(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		if v, err := e.Identity.Authenticate(e.Ctx, marketplacetest.OperatorToken); err != nil || !v.IsOperator() {
			t.Fatalf("configured operator token: %v, %v", v, err)
		}
		if _, err := e.Identity.Authenticate(e.Ctx, "nonsense"); market.ErrorCode(err) != market.CodeUnauthorized {
			t.Fatalf("unknown token: %v", err)
		}
		// Without a configured token, one is generated once and kept.
		ids, err := identity.New(e.DB, e.Clock, identity.Config{})
		if err != nil {
			t.Fatal(err)
		}
		first, err := ids.EnsureOperatorToken(e.Ctx)
		if err != nil || first == "" {
			t.Fatalf("generated: %q, %v", first, err)
		}
		if again, err := ids.EnsureOperatorToken(e.Ctx); err != nil || again != "" {
			t.Fatalf("a second start made another token: %q, %v", again, err)
		}
		if v, err := ids.Authenticate(e.Ctx, first); err != nil || !v.IsOperator() {
			t.Fatalf("generated token: %v, %v", v, err)
		}
		rotated, err := ids.RotateOperatorToken(e.Ctx, market.AsOperator())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ids.Authenticate(e.Ctx, first); market.ErrorCode(err) != market.CodeUnauthorized {
			t.Fatalf("the rotated-out token still works: %v", err)
		}
		if v, err := ids.Authenticate(e.Ctx, rotated); err != nil || !v.IsOperator() {
			t.Fatalf("rotated token: %v", err)
		}
		for _, weak := range []string{"x", "op-token", strings.Repeat("a", 40)} {
			if _, err := identity.New(e.DB, e.Clock, identity.Config{OperatorToken: weak}); err == nil {
				t.Errorf("weak operator token %q accepted", weak)
			}
		}
		buyer, old, _ := e.Identity.CreateBuyer(e.Ctx, market.AsOperator(), identity.BuyerRequest{Name: "Bo"})
		if _, err := e.Identity.ReissueBuyerToken(e.Ctx, market.AsBuyer(buyer.CustomerID), buyer.CustomerID); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("a buyer reissued its own token: %v", err)
		}
		fresh, err := e.Identity.ReissueBuyerToken(e.Ctx, market.AsOperator(), buyer.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Identity.Authenticate(e.Ctx, old); market.ErrorCode(err) != market.CodeUnauthorized {
			t.Fatalf("the old buyer token still works: %v", err)
		}
		if v, err := e.Identity.Authenticate(e.Ctx, fresh); err != nil || v.BuyerID != buyer.CustomerID {
			t.Fatalf("the new buyer token: %v", err)
		}
		// A buyer sees itself only; the buyer list is the operator's.
		other := e.Buyer()
		if _, err := e.Identity.Buyer(e.Ctx, other, buyer.CustomerID); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("a buyer read another: %v", err)
		}
		if _, _, err := e.Identity.Buyers(e.Ctx, other, store.Page{}); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("a buyer listed buyers: %v", err)
		}
	})
}
