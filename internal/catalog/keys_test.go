package catalog_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
)

// TestKeys: a merchant's admin rotates the key of one interface type, issues and revokes AK/SK
// pairs; other roles and other merchants cannot, and another merchant's seller is told nothing exists.
func TestKeys(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		ctx := e.Ctx
		nm := e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"})
		e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"})
		admin, fin := e.Seller("m-acme", market.SellerAdmin), e.Seller("m-acme", market.SellerFinance)
		other := e.Seller("m-other", market.SellerAdmin)
		key, err := e.Catalog.RotateKey(ctx, admin, "m-acme", catalog.InterfaceKit)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := e.DB.Merchant(ctx, "m-acme")
		if m.KitKey != key || m.AccessKey != nm.Merchant.AccessKey {
			t.Fatal("rotating the kit key changed the wrong key")
		}
		if _, err := e.Catalog.RotateKey(ctx, admin, "m-acme", "both"); market.ErrorCode(err) != market.CodeInvalid {
			t.Fatalf("an unknown interface: %v", err)
		}
		k, err := e.Catalog.IssueKey(ctx, admin, "m-acme")
		if err != nil {
			t.Fatal(err)
		}
		if keys, err := e.Catalog.APIKeys(ctx, fin, "m-acme"); err != nil || len(keys) != 2 {
			t.Fatalf("finance lists %d keys, %v", len(keys), err)
		}
		if err := e.Catalog.DeleteAPIKey(ctx, admin, "m-acme", nm.Key.AK); err != nil {
			t.Fatal(err)
		}
		if err := e.Catalog.DeleteAPIKey(ctx, admin, "m-acme", k.AK); market.ErrorCode(err) != market.CodeConflict {
			t.Fatalf("deleting the last key: %v", err)
		}
		// Finance reads but does not manage keys; another merchant and buyers reach nothing.
		if _, err := e.Catalog.RotateKey(ctx, fin, "m-acme", catalog.InterfaceBasic); market.ErrorCode(err) != market.CodeForbidden {
			t.Fatalf("finance rotates: %v", err)
		}
		for _, v := range []market.Viewer{other, e.Buyer()} {
			if _, err := e.Catalog.APIKeys(ctx, v, "m-acme"); market.ErrorCode(err) != market.CodeNotFound {
				t.Fatalf("%s lists acme's keys: %v", v.Role, err)
			}
			if _, err := e.Catalog.RotateKey(ctx, v, "m-acme", catalog.InterfaceBasic); market.ErrorCode(err) != market.CodeNotFound {
				t.Fatalf("%s rotates acme's key: %v", v.Role, err)
			}
		}
	})
}
