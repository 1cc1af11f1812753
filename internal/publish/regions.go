package publish

import (
	"context"
	"slices"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Sales regions (rules §1.8). A region is an ISO 3166-1 alpha-2 country code.

// checkRegionCodes reports codes that are not two capital letters, and repeats.
func checkRegionCodes(probs *market.Problems, field string, regions []string) {
	seen := map[string]bool{}
	for _, c := range regions {
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' || seen[c] {
			probs.Add(field, "region.code", "regions are distinct ISO 3166-1 alpha-2 codes such as CN or SG, not %q", c)
		}
		seen[c] = true
	}
}

// checkRegions: a product's regions lie within its signing entity's.
func (s *Service) checkRegions(ctx context.Context, r store.Reader, probs *market.Problems, merchantID string, regions []string) error {
	checkRegionCodes(probs, "listing.regions", regions)
	signing, err := r.SigningRegions(ctx, merchantID)
	if err != nil || signing == nil {
		return err
	}
	for _, c := range regions {
		if !slices.Contains(signing, c) {
			probs.Add("listing.regions", "region.signing", "%s is not a region the merchant's signing entity sells in (%v)", c, signing)
		}
	}
	return nil
}

// SetSigningRegions sets the regions a merchant's signing entity may sell in, as certified by
// the operator; no regions lifts the limit.
func (s *Service) SetSigningRegions(ctx context.Context, v market.Viewer, merchantID string, regions []string) error {
	if err := v.MustBeOperator(); err != nil {
		return err
	}
	var probs market.Problems
	checkRegionCodes(&probs, "regions", regions)
	if err := probs.Err(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Merchant(ctx, merchantID); err != nil {
			return err
		}
		return tx.SetSigningRegions(ctx, merchantID, regions, s.clock.Now())
	})
}

// SetRegions sets the regions a listed product is sold in ("Set Sales Region": it needs no
// review); no regions means all of the signing entity's.
func (s *Service) SetRegions(ctx context.Context, v market.Viewer, productID string, regions []string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		p, err := catalog.ProductFor(ctx, tx.Reader, v, productID, market.SellerOperations)
		if err != nil {
			return err
		}
		if !p.Status.Listed() {
			return market.Errorf(market.CodeConflict, "product %s is %s: regions are set on listed products (a draft sets them in its listing)", productID, p.Status)
		}
		var probs market.Problems
		if err := s.checkRegions(ctx, tx.Reader, &probs, p.MerchantID, regions); err != nil {
			return err
		}
		if err := probs.Err(); err != nil {
			return err
		}
		return s.patchListing(ctx, tx, productID, func(l *market.Listing) { l.Regions = regions })
	})
}

// SetBuyerCountry records a buyer's country, which decides where it may order. The operator sets
// it (from the buyer's real-name authentication).
func (s *Service) SetBuyerCountry(ctx context.Context, v market.Viewer, buyerID, country string) error {
	if err := v.MustBeOperator(); err != nil {
		return err
	}
	var probs market.Problems
	checkRegionCodes(&probs, "country", []string{country})
	if err := probs.Err(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, buyerID); err != nil {
			return err
		}
		return tx.SetBuyerCountry(ctx, buyerID, country)
	})
}
