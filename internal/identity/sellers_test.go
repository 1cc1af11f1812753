package identity_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
)

// TestSellerUsers: a merchant's admin adds users with roles; each signs in with its own token
// or with its password (which issues a fresh token); a disabled user is refused; another
// merchant's admin reaches none of them.
func TestSellerUsers(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		ctx, op := e.Ctx, market.AsOperator()
		e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"})
		e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
		admin, adminToken, err := e.Identity.CreateSellerUser(ctx, op, "m-acme", identity.SellerUserRequest{Name: "alice", Role: market.SellerAdmin,
			Password: "correct horse 42"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.Identity.Authenticate(ctx, adminToken)
		if err != nil || v.Role != market.RoleSeller || v.MerchantID != "m-acme" || v.SellerRole != market.SellerAdmin || v.UserID != admin.ID {
			t.Fatalf("admin's token authenticates as %+v, %v", v, err)
		}
		// The admin adds users; bad ones are refused with every broken rule.
		_, _, err = e.Identity.CreateSellerUser(ctx, v, "m-acme", identity.SellerUserRequest{Name: "", Role: "boss", Password: "short"})
		if d := market.ErrorDetails(err); len(d) != 3 {
			t.Fatalf("a bad user: %v", d)
		}
		fin, finToken, err := e.Identity.CreateSellerUser(ctx, v, "m-acme", identity.SellerUserRequest{Name: "bob", Role: market.SellerFinance})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Identity.CreateSellerUser(ctx, v, "m-acme", identity.SellerUserRequest{Name: "bob", Role: market.SellerFinance}); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("a second bob: %v", err)
		}
		finV, _ := e.Identity.Authenticate(ctx, finToken)
		// Finance is no admin: it adds no users and changes nobody.
		if _, _, err := e.Identity.CreateSellerUser(ctx, finV, "m-acme", identity.SellerUserRequest{Name: "eve", Role: market.SellerAdmin}); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("finance adds a user: %v", err)
		}
		// Another merchant's admin reaches nothing of acme's.
		_, otherToken, _ := e.Identity.CreateSellerUser(ctx, op, "m-other", identity.SellerUserRequest{Name: "mallory", Role: market.SellerAdmin})
		other, _ := e.Identity.Authenticate(ctx, otherToken)
		if _, err := e.Identity.SellerUsers(ctx, other, "m-acme"); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("other admin lists acme's users: %v", err)
		}
		disabled := true
		if _, err := e.Identity.UpdateSellerUser(ctx, other, fin.ID, identity.SellerUserUpdate{Disabled: &disabled}); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("other admin disables bob: %v", err)
		}
		// A buyer has no business here either.
		if _, err := e.Identity.SellerUsers(ctx, e.Buyer(), "m-acme"); market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("a buyer lists seller users: %v", err)
		}
		// Password sign-in issues a new token; the old one stops working.
		if _, _, err := e.Identity.Login(ctx, "m-acme", "alice", "wrong password 1"); market.ErrorCode(err) != market.CodeUnauthorized {
			t.Fatalf("a wrong password: %v", err)
		}
		if _, _, err := e.Identity.Login(ctx, "m-acme", "nobody", "correct horse 42"); market.ErrorCode(err) != market.CodeUnauthorized {
			t.Fatalf("an unknown user: %v", err)
		}
		_, fresh, err := e.Identity.Login(ctx, "m-acme", "alice", "correct horse 42")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Identity.Authenticate(ctx, adminToken); market.ErrorCode(err) != market.CodeUnauthorized {
			t.Fatalf("the old token after sign-in: %v", err)
		}
		if v, err = e.Identity.Authenticate(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		// An admin cannot lock itself out; disabling another refuses its token.
		demote := market.SellerFinance
		if _, err := e.Identity.UpdateSellerUser(ctx, v, admin.ID, identity.SellerUserUpdate{Role: &demote}); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("an admin demotes itself: %v", err)
		}
		if _, err := e.Identity.UpdateSellerUser(ctx, v, fin.ID, identity.SellerUserUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Identity.Authenticate(ctx, finToken); market.ErrorCode(err) != market.CodeUnauthorized {
			t.Fatalf("a disabled user's token: %v", err)
		}
		// Own password: the current one is needed.
		if err := e.Identity.SetSellerPassword(ctx, v, admin.ID, identity.PasswordChange{Current: "nope", Password: "battery staple 7"}); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("changing the password without the current one: %v", err)
		}
		if err := e.Identity.SetSellerPassword(ctx, v, admin.ID, identity.PasswordChange{Current: "correct horse 42", Password: "battery staple 7"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Identity.Login(ctx, "m-acme", "alice", "battery staple 7"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSubUserLimit: a merchant has its admin and at most 50 sub-users (rules §0).
func TestSubUserLimit(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		e.Merchant(marketplacetest.MerchantOpts{ID: "m-big"})
		for i := range identity.MaxSubUsers + 1 {
			if _, _, err := e.Identity.CreateSellerUser(e.Ctx, market.AsOperator(), "m-big", identity.SellerUserRequest{Name: "u" + string(rune('A'+i%26)) + string(rune('a'+i/26)),
				Role: market.SellerOperations}); err != nil {
				t.Fatalf("user %d: %v", i+1, err)
			}
		}
		_, _, err := e.Identity.CreateSellerUser(e.Ctx, market.AsOperator(), "m-big", identity.SellerUserRequest{Name: "one-too-many", Role: market.SellerFinance})
		if market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("the 52nd user: %v", err)
		}
	})
}
