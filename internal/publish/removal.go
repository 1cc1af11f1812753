package publish

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Removal (rules §1.6): the hold while the operator reviews, and the discontinuation with its
// cascade when approved.

// removalReviewed says whether a removal of the product waits for the operator (by sales type).
func (s *Service) removalReviewed(ctx context.Context, r store.Reader, productID string) (bool, error) {
	l, err := listingOf(ctx, r, productID)
	if err != nil {
		return false, err
	}
	review, ok := s.cfg.RemovalReview[salesType(l)]
	return review || !ok, nil
}

func salesType(l *market.Listing) market.SalesType {
	if l.SalesType == "" {
		return market.SalesCommon
	}
	return l.SalesType
}

func listingOf(ctx context.Context, r store.Reader, productID string) (*market.Listing, error) {
	b, err := r.Listing(ctx, productID)
	var l market.Listing
	if err == nil && len(b) > 0 {
		err = json.Unmarshal(b, &l)
	}
	return &l, err
}

// holdForRemoval puts a removal's target in REMOVAL_PENDING and remembers its status.
func (s *Service) holdForRemoval(ctx context.Context, tx *store.Tx, app *market.Application) error {
	var rm Removal
	if err := json.Unmarshal(app.Payload, &rm); err != nil {
		return err
	}
	prev, err := s.removalStatus(ctx, tx.Reader, app.ProductID, &rm)
	if err != nil {
		return err
	}
	rm.Previous = prev
	if app.Payload, err = json.Marshal(rm); err != nil {
		return err
	}
	if _, err := tx.UpdateApplication(ctx, app, app.State); err != nil {
		return err
	}
	ok, err := s.setRemovalStatus(ctx, tx, app.ProductID, &rm, market.StatusRemovalPending, prev)
	if err == nil && !ok {
		err = market.Errorf(market.CodeConflict, "the removal's target changed meanwhile")
	}
	return err
}

// undoHold gives a withdrawn or rejected removal's target back the status it had.
func (s *Service) undoHold(ctx context.Context, tx *store.Tx, app *market.Application) error {
	if app.Type != market.AppRemoval {
		return nil
	}
	var rm Removal
	if err := json.Unmarshal(app.Payload, &rm); err != nil {
		return err
	}
	if rm.Previous == "" {
		return nil
	}
	_, err := s.setRemovalStatus(ctx, tx, app.ProductID, &rm, rm.Previous, market.StatusRemovalPending)
	return err
}

func (s *Service) removalStatus(ctx context.Context, r store.Reader, productID string, rm *Removal) (market.SalesStatus, error) {
	switch {
	case rm.SkuID != "":
		k, err := r.SKU(ctx, rm.SkuID)
		return k.Status, err
	case rm.SkuCode != "":
		sp, err := r.Spec(ctx, rm.SkuCode)
		return sp.Status, err
	}
	p, err := r.Product(ctx, productID)
	return p.Status, err
}

func (s *Service) setRemovalStatus(ctx context.Context, tx *store.Tx, productID string, rm *Removal, to market.SalesStatus, from ...market.SalesStatus) (bool, error) {
	switch {
	case rm.SkuID != "":
		return tx.SetSKUStatus(ctx, rm.SkuID, to, from...)
	case rm.SkuCode != "":
		return tx.SetSpecStatus(ctx, rm.SkuCode, to, from...)
	}
	return tx.SetProductStatus(ctx, productID, to, from...)
}

// discontinue removes a product, spec or SKU for good, with the cascade (rules §1.6): a product
// takes all its specs and SKUs with it, a spec its SKUs. Features are told of each spec and SKU.
func (s *Service) discontinue(ctx context.Context, tx *store.Tx, productID string, rm *Removal) error {
	ok, err := s.setRemovalStatus(ctx, tx, productID, rm, market.StatusDiscontinued, removing...)
	if err != nil {
		return err
	}
	if !ok {
		return market.Errorf(market.CodeConflict, "the removal's target is no longer on sale")
	}
	var specs []*market.Spec
	switch {
	case rm.SkuID != "":
		return s.told(ctx, tx, productID, rm.SkuCode, rm.SkuID)
	case rm.SkuCode != "":
		sp, err := tx.Spec(ctx, rm.SkuCode)
		if err != nil {
			return err
		}
		specs = []*market.Spec{sp}
	default:
		if specs, err = tx.SpecsOf(ctx, productID); err != nil {
			return err
		}
		if err := tx.SetSpecsStatus(ctx, productID, market.StatusDiscontinued, removing...); err != nil {
			return err
		}
	}
	for _, sp := range specs {
		if err := tx.SetSKUsStatus(ctx, sp.SkuCode, market.StatusDiscontinued, removing...); err != nil {
			return err
		}
		if err := s.told(ctx, tx, productID, sp.SkuCode, ""); err != nil {
			return err
		}
		skus, err := tx.SKUsOf(ctx, sp.SkuCode)
		if err != nil {
			return err
		}
		for _, k := range skus {
			if err := s.told(ctx, tx, productID, sp.SkuCode, k.ID); err != nil {
				return err
			}
		}
	}
	what := strings.TrimSuffix("product "+productID+" "+rm.target(), " ")
	p, err := tx.Product(ctx, productID)
	if err != nil {
		return err
	}
	return s.notify.Post(ctx, tx, p.MerchantID, "product.discontinued", productID, "%s is discontinued: %s", what, rm.Reason)
}

func (s *Service) told(ctx context.Context, tx *store.Tx, productID, skuCode, skuID string) error {
	for _, f := range s.discontinued {
		if err := f(ctx, tx, productID, skuCode, skuID); err != nil {
			return err
		}
	}
	return nil
}
