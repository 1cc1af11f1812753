package catalog

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Merchants lists the merchants v sees: every one for the operator, a seller's own.
func (s *Service) Merchants(ctx context.Context, v market.Viewer, p store.Page) ([]*market.Merchant, store.Cursor, error) {
	switch v.Role {
	case market.RoleOperator:
		return s.db.Merchants(ctx, p)
	case market.RoleSeller:
		m, err := s.Merchant(ctx, v, v.MerchantID)
		if err != nil {
			return nil, store.Cursor{}, err
		}
		return []*market.Merchant{m}, store.Cursor{}, nil
	}
	return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "merchants are listed for the operator")
}

// Merchant returns a merchant to the operator or to one of its sellers.
func (s *Service) Merchant(ctx context.Context, v market.Viewer, id string) (*market.Merchant, error) {
	if !v.MayActFor(id) {
		return nil, market.Errorf(market.CodeNotFound, "merchant %s not found", id)
	}
	return s.db.Merchant(ctx, id)
}

// Catalog lists a page of the plans on sale, as a buyer sees them. It is public.
func (s *Service) Catalog(ctx context.Context, p store.Page) ([]*market.CatalogEntry, store.Cursor, error) {
	return s.db.Catalog(ctx, p)
}

// ProductDetail is a product with its specs and their plans.
type ProductDetail struct {
	Product *market.Product
	Specs   []*market.Spec
	Plans   map[string][]*market.Plan // by skuCode
}

// Products lists a page of products: every merchant's (or merchantID's) for the operator, a
// seller's own. Buyers browse the catalog instead.
func (s *Service) Products(ctx context.Context, v market.Viewer, merchantID string, p store.Page) ([]*market.Product, store.Cursor, error) {
	_, merchantID, ok := v.Scope("", merchantID)
	if !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "products are listed for sellers and the operator; buyers browse the catalog")
	}
	return s.db.Products(ctx, merchantID, p)
}

// Product returns a product with its specs and plans. It is public: what is on sale may be
// read by anyone.
func (s *Service) Product(ctx context.Context, id string) (*ProductDetail, error) {
	p, err := s.db.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &ProductDetail{Product: p, Plans: map[string][]*market.Plan{}}
	if d.Specs, err = s.db.SpecsOf(ctx, id); err != nil {
		return nil, err
	}
	for _, sp := range d.Specs {
		if d.Plans[sp.SkuCode], err = s.db.PlansOf(ctx, sp.SkuCode); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Entry returns a plan on sale with its spec and product. It is public.
func (s *Service) Entry(ctx context.Context, productID string) (*market.CatalogEntry, error) {
	return s.db.CatalogEntry(ctx, productID)
}

// APIKey looks up an open-API key pair by its AK, for the open API to authenticate a request
// with: there is no viewer yet, the key is what establishes one.
func (s *Service) APIKey(ctx context.Context, ak string) (*market.APIKey, error) {
	return s.db.APIKey(ctx, ak)
}
