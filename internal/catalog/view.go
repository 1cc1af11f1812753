package catalog

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

// Merchants lists the merchants v sees: every one for the operator, a seller's own.
func (s *Service) Merchants(ctx context.Context, v market.Viewer) ([]*market.Merchant, error) {
	switch v.Role {
	case market.RoleOperator:
		return s.db.Merchants(ctx)
	case market.RoleSeller:
		m, err := s.Merchant(ctx, v, v.MerchantID)
		if err != nil {
			return nil, err
		}
		return []*market.Merchant{m}, nil
	}
	return nil, market.Errorf(market.CodeForbidden, "merchants are listed for the operator")
}

// Merchant returns a merchant to the operator or to one of its sellers.
func (s *Service) Merchant(ctx context.Context, v market.Viewer, id string) (*market.Merchant, error) {
	if !v.MayActFor(id) {
		return nil, market.Errorf(market.CodeNotFound, "merchant %s not found", id)
	}
	return s.db.Merchant(ctx, id)
}

// Catalog lists every plan on sale, as a buyer sees it. It is public.
func (s *Service) Catalog(ctx context.Context) ([]*market.CatalogEntry, error) {
	return s.db.Catalog(ctx)
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
