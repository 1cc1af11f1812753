package deploy

import (
	"context"
	"fmt"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// An auto-deploy spec selects an approved asset (rules §5.2, §5.4): a License spec an app asset
// or an image, an image spec an image asset; the asset must be the merchant's own and have a
// valid template, through which the image product is associated with its template.

// checkSpecs checks the assets the specs of a release or modification select.
func (s *Service) checkSpecs(ctx context.Context, r store.Reader, merchantID string, reqs []catalog.SpecRequest, probs *market.Problems) error {
	for i, sr := range reqs {
		if sr.AssetID == "" {
			continue
		}
		f := fmt.Sprintf("specs[%d].asset_id", i)
		delivery := sr.Delivery
		if delivery == "" {
			delivery = market.DeliverySaaS
		}
		a, err := s.assets.Approved(ctx, r, sr.AssetID)
		switch code := market.ErrorCode(err); {
		case err != nil && (code == market.CodeNotFound || code == market.CodeConflict):
			probs.Add(f, "deploy.asset-approved", "the spec must select an approved asset: %s", market.ErrorMessage(err))
			continue
		case err != nil:
			return err
		case a.MerchantID != merchantID:
			probs.Add(f, "deploy.asset-approved", "the spec must select an approved asset: asset %s not found", sr.AssetID)
			continue
		}
		switch {
		case delivery == market.DeliveryImage && a.Kind != market.AssetImage:
			probs.Add(f, "deploy.asset-kind", "an image spec selects an image asset, not a %s", a.Kind)
		case delivery != market.DeliveryImage && delivery != market.DeliveryLicense:
			probs.Add(f, "deploy.delivery", "only License and image specs are deployed automatically, not %s", delivery)
		}
		n, err := r.CountValidTemplates(ctx, a.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			probs.Add(f, "deploy.template", "asset %s has no auto-deploy template that passes validation", a.ID)
		}
	}
	return nil
}

// specsStored keeps the asset each stored spec selects.
func (s *Service) specsStored(ctx context.Context, tx *store.Tx, p *market.Product, built []market.Spec, reqs []catalog.SpecRequest) error {
	if len(built) != len(reqs) {
		return market.Errorf(market.CodeInternal, "deploy: %d specs stored for %d requested", len(built), len(reqs))
	}
	for i, sr := range reqs {
		if sr.AssetID == "" {
			continue
		}
		if err := tx.SetSpecAsset(ctx, built[i].SkuCode, p.ID, p.MerchantID, sr.AssetID, s.clock.Now().UnixMilli()); err != nil {
			return fmt.Errorf("deploy: spec %s: %w", built[i].SkuCode, err)
		}
	}
	return nil
}
