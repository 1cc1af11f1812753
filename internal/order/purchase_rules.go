package order

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Purchase rules (rules §9.4): a restricted trial is for whitelisted buyers only; a spec's
// purchase limit counts the buyer's purchases of it, unsubscribed ones excepted, and with "until
// the resource expires" allows a new one only once the earlier ones have expired.

// checkRules refuses a purchase that a trial restriction or a purchase limit forbids, in the
// purchase's transaction.
func (s *Service) checkRules(ctx context.Context, tx *store.Tx, o *market.Order, trial bool) error {
	for i, l := range o.Lines {
		if trial {
			e, err := tx.CatalogEntry(ctx, l.ProductID)
			if err != nil {
				return err
			}
			ok, err := tx.TrialAllowed(ctx, e.Product.ID, l.SkuCode, o.BuyerID)
			if err != nil {
				return err
			}
			if !ok {
				return market.Errorf(market.CodeForbidden, "the trial of %s is offered to selected buyers only (rules §9.4: trial whitelist)", l.SkuCode)
			}
			continue
		}
		lim, err := tx.PurchaseLimit(ctx, l.SkuCode)
		if err != nil || lim.PerUser == 0 && !lim.UntilExpiry {
			if err != nil {
				return err
			}
			continue
		}
		all, live, err := tx.HeldPurchases(ctx, o.BuyerID, l.SkuCode)
		if err != nil {
			return err
		}
		for _, prev := range o.Lines[:i] {
			if prev.SkuCode == l.SkuCode {
				all, live = all+1, live+1
			}
		}
		if lim.PerUser > 0 && all >= lim.PerUser {
			return market.Errorf(market.CodeConflict, "spec %s is limited to %d purchase(s) per buyer and you have %d (rules §9.4; unsubscribed purchases do not count)", l.SkuCode, lim.PerUser, all)
		}
		if lim.UntilExpiry && live > 0 {
			return market.Errorf(market.CodeConflict, "spec %s can be bought again only once your earlier purchase has expired (rules §9.4: limited until the resource expires)", l.SkuCode)
		}
	}
	return nil
}

// SetPurchaseLimit sets a spec's purchase limit: its merchant's sellers or the operator.
func (s *Service) SetPurchaseLimit(ctx context.Context, v market.Viewer, l market.PurchaseLimit) error {
	if l.PerUser < 0 || l.PerUser > 10_000 {
		return market.Invalid("per_user", "per_user must be 0 (no limit) to 10000")
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.specOf(ctx, tx.Reader, v, l.SkuCode); err != nil {
			return err
		}
		return tx.SetPurchaseLimit(ctx, l, s.clock.Now())
	})
}

// PurchaseLimit returns a spec's purchase limit (anyone may read it: buyers see it before buying).
func (s *Service) PurchaseLimit(ctx context.Context, skuCode string) (market.PurchaseLimit, error) {
	if _, err := s.db.Spec(ctx, skuCode); err != nil {
		return market.PurchaseLimit{}, err
	}
	return s.db.PurchaseLimit(ctx, skuCode)
}

// TrialAccess restricts a product's trials (one spec's, or all with skuCode "") to whitelisted
// buyers, or lifts the restriction: its merchant's sellers or the operator.
func (s *Service) TrialAccess(ctx context.Context, v market.Viewer, productID, skuCode string, restricted bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.productOf(ctx, tx.Reader, v, productID); err != nil {
			return err
		}
		if skuCode != "" {
			sp, err := tx.Spec(ctx, skuCode)
			if err != nil || sp.ProductID != productID {
				return market.Invalid("sku_code", "spec %s is not a spec of product %s", skuCode, productID)
			}
		}
		return tx.RestrictTrial(ctx, productID, skuCode, restricted)
	})
}

// Whitelist adds a buyer to a product's trial whitelist, or removes it.
func (s *Service) Whitelist(ctx context.Context, v market.Viewer, productID, buyerID string, on bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.productOf(ctx, tx.Reader, v, productID); err != nil {
			return err
		}
		if _, err := tx.Buyer(ctx, buyerID); err != nil {
			return market.Invalid("buyer_id", "buyer %s not found", buyerID)
		}
		return tx.WhitelistTrial(ctx, productID, buyerID, on)
	})
}

// SetCustomerLevel sets a buyer's customer level, which picks its grace and retention periods:
// the operator only.
func (s *Service) SetCustomerLevel(ctx context.Context, v market.Viewer, buyerID, level string) error {
	if err := v.MustBeOperator(); err != nil {
		return err
	}
	if _, ok := s.cfg.Levels[level]; level != "" && !ok {
		return market.Invalid("level", "level %q is not configured (--customer-levels)", level)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, buyerID); err != nil {
			return err
		}
		return tx.SetCustomerLevel(ctx, buyerID, level, s.clock.Now())
	})
}

// productOf checks that v may configure product productID.
func (s *Service) productOf(ctx context.Context, r store.Reader, v market.Viewer, productID string) error {
	p, err := r.Product(ctx, productID)
	if err != nil {
		return err
	}
	if !v.MayActFor(p.MerchantID) {
		return market.Errorf(market.CodeNotFound, "product %s not found", productID)
	}
	return nil
}

// specOf checks that v may configure spec skuCode.
func (s *Service) specOf(ctx context.Context, r store.Reader, v market.Viewer, skuCode string) error {
	_, owner, err := r.SpecMerchant(ctx, skuCode)
	if err != nil {
		return err
	}
	if !v.MayActFor(owner) {
		return market.Errorf(market.CodeNotFound, "spec %s not found", skuCode)
	}
	return nil
}
