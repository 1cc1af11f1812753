package catalog_test

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/marketplace/marketplacetest"
	"github.com/mercato-oss/mercato/internal/store"
)

// TestVisibility: a seller sees and keys its own merchant only; buyers see no merchant; the
// catalog is public; merchants and products are created by the operator.
func TestVisibility(t *testing.T) {
	t.Parallel()
	marketplacetest.Each(t, marketplacetest.Options{}, func(t *testing.T, e *marketplacetest.Env) {
		m := e.Merchant(marketplacetest.MerchantOpts{ID: "m-acme"}).Merchant
		other := e.Merchant(marketplacetest.MerchantOpts{ID: "m-other"}).Merchant
		e.Product("p-crm", other.ID, period("std", month("OFFI-STD-M")))
		seller, buyer := market.AsSeller(m.ID), e.Buyer()
		if _, err := e.Catalog.Merchant(e.Ctx, seller, m.ID); err != nil {
			t.Fatalf("own merchant: %v", err)
		}
		if _, err := e.Catalog.IssueKey(e.Ctx, seller, m.ID); err != nil {
			t.Fatalf("own key: %v", err)
		}
		for _, v := range []market.Viewer{seller, buyer, {}} {
			if _, err := e.Catalog.Merchant(e.Ctx, v, other.ID); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%s read another merchant: %v", v.Role, err)
			}
			if _, err := e.Catalog.IssueKey(e.Ctx, v, other.ID); market.ErrorCode(err) != market.CodeNotFound {
				t.Errorf("%s keyed another merchant: %v", v.Role, err)
			}
			if _, err := e.Catalog.CreateMerchant(e.Ctx, v, catalog.MerchantRequest{Name: "x", ProductionURL: "https://x.example/p"}); market.ErrorCode(err) != market.CodeForbidden {
				t.Errorf("%s created a merchant: %v", v.Role, err)
			}
			if ps, _, err := e.Catalog.Products(e.Ctx, v, other.ID, store.Page{}); err == nil && len(ps) != 0 {
				t.Errorf("%s listed another merchant's products", v.Role)
			}
		}
		if ms, _, err := e.Catalog.Merchants(e.Ctx, seller, store.Page{}); err != nil || len(ms) != 1 || ms[0].ID != m.ID {
			t.Errorf("a seller's merchant list: %v, %v", ms, err)
		}
		if plans, _, err := e.Catalog.Catalog(e.Ctx, store.StorefrontFilter{}); err != nil || len(plans) != 1 {
			t.Errorf("public catalog: %d, %v", len(plans), err)
		}
	})
}
