package identity_test

import (
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
)

// TestLoginLinks: only the operator makes links; a link signs its principal in once, even when
// requests race; an expired or unknown link signs nobody in.
func TestLoginLinks(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		op := market.AsOperator()
		b, _, err := e.Identity.CreateBuyer(e.Ctx, op, identity.BuyerRequest{Name: "Ada"})
		if err != nil {
			t.Fatal(err)
		}
		p := identity.Principal{Role: market.RoleBuyer, ID: b.CustomerID}
		if _, err := e.Identity.NewLoginLink(e.Ctx, market.AsBuyer(b.CustomerID), p, time.Hour); market.ErrorCode(err) != market.CodeForbidden && market.ErrorCode(err) != market.CodeNotFound {
			t.Fatalf("a buyer made a link: %v", err)
		}
		if _, err := e.Identity.NewLoginLink(e.Ctx, op, identity.Principal{Role: market.RoleBuyer}, time.Hour); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("a link for nobody: %v", err)
		}
		code, err := e.Identity.NewLoginLink(e.Ctx, op, p, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []identity.Principal
		for range 4 {
			wg.Go(func() {
				got, err := e.Identity.SignInWithLink(e.Ctx, code)
				if err == nil {
					mu.Lock()
					won = append(won, got)
					mu.Unlock()
				} else if market.ErrorCode(err) != market.CodeUnauthorized {
					t.Errorf("racing use: %v", err)
				}
			})
		}
		wg.Wait()
		if len(won) != 1 || won[0] != p {
			t.Fatalf("4 racing uses signed in %v, want %v once", won, p)
		}
		expired, err := e.Identity.NewLoginLink(e.Ctx, op, p, -time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{expired, "ln_unknown"} {
			if _, err := e.Identity.SignInWithLink(e.Ctx, c); market.ErrorCode(err) != market.CodeUnauthorized {
				t.Errorf("link %s: %v, want unauthorized", c, err)
			}
		}
	})
}
