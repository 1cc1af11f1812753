package order

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// sellable checks that a buyer may order a plan new: the product, spec and SKU are on sale
// (publicly, or hidden and bought by link) and the product is not frozen (rules §1.5, §1.6,
// protocol §0.2), and the buyer's country is among the product's sales regions (rules §1.8).
func (s *Service) sellable(ctx context.Context, r store.Reader, e *market.CatalogEntry, buyerID string) error {
	if err := e.Sellable(); err != nil {
		return err
	}
	listing, err := r.Listing(ctx, e.Product.ID)
	if err != nil {
		return err
	}
	signing, err := r.SigningRegions(ctx, e.Product.MerchantID)
	if err != nil {
		return err
	}
	country, err := r.BuyerCountry(ctx, buyerID)
	if err != nil {
		return err
	}
	return market.RegionAllowed(listing, signing, country)
}
