package promo

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// IssueRequest gives a buyer a voucher or a cash coupon.
type IssueRequest struct {
	Kind    market.VoucherKind  `json:"kind"`
	BuyerID string              `json:"buyer_id"`
	Amount  market.Money        `json:"amount"`
	Scope   market.VoucherScope `json:"scope"`
	ScopeID string              `json:"scope_id,omitempty"`
	// ValidFrom defaults to now; ValidUntil (exclusive) is required.
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until"`
}

// Issue gives a buyer a voucher: the operator issues the platform's (any scope), a seller its
// merchant's, scoped to one of its products, specs or SKUs.
func (s *Service) Issue(ctx context.Context, v market.Viewer, r IssueRequest) (*market.Voucher, error) {
	if v.Role != market.RoleOperator && v.Role != market.RoleSeller {
		return nil, market.Errorf(market.CodeForbidden, "vouchers are issued by the operator and sellers")
	}
	now := s.clock.Now()
	if r.ValidFrom.IsZero() {
		r.ValidFrom = now
	}
	switch {
	case r.Kind != market.KindVoucher && r.Kind != market.KindCashCoupon:
		return nil, market.Invalid("kind", "kind must be VOUCHER or CASH_COUPON")
	case r.Amount <= 0 || r.Amount > market.MaxAmount:
		return nil, market.Invalid("amount", "amount must be positive and at most %s", market.MaxAmount)
	case !r.ValidUntil.After(r.ValidFrom) || !r.ValidUntil.After(now):
		return nil, market.Invalid("valid_until", "valid_until must be after valid_from and in the future")
	case r.ValidUntil.Sub(r.ValidFrom) > s.cfg.MaxValidity:
		return nil, market.Invalid("valid_until", "a voucher is valid at most %d days", int(s.cfg.MaxValidity.Hours()/24))
	case r.Scope == market.ScopeAll && r.ScopeID != "":
		return nil, market.Invalid("scope_id", "an ALL voucher names no scope_id")
	case r.Scope != market.ScopeAll && (r.ScopeID == "" || len(r.ScopeID) > 64):
		return nil, market.Invalid("scope_id", "a %s voucher names its scope_id (1 to 64 characters)", r.Scope)
	}
	vo := &market.Voucher{ID: "V" + market.NewUUID(), Kind: r.Kind, BuyerID: r.BuyerID, Amount: r.Amount, Balance: r.Amount,
		Scope: r.Scope, ScopeID: r.ScopeID, From: r.ValidFrom.UTC(), Until: r.ValidUntil.UTC(), State: market.VoucherActive, Created: now, Updated: now}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, r.BuyerID); err != nil {
			return market.Invalid("buyer_id", "buyer %s not found", r.BuyerID)
		}
		owner, err := s.scopeOwner(ctx, tx, r.Scope, r.ScopeID)
		if err != nil {
			return err
		}
		if v.Role == market.RoleSeller {
			if owner == "" || owner != v.MerchantID {
				return market.Invalid("scope", "a seller's voucher is scoped to one of its own products, specs or SKUs")
			}
			vo.Issuer = v.MerchantID
		}
		return tx.InsertVoucher(ctx, vo)
	})
	return vo, err
}

// scopeOwner checks a scope and returns the merchant its product or spec belongs to ("" for
// ALL).
func (s *Service) scopeOwner(ctx context.Context, tx *store.Tx, scope market.VoucherScope, id string) (string, error) {
	switch scope {
	case market.ScopeAll:
		return "", nil
	case market.ScopeSKU:
		k, err := tx.SKU(ctx, id)
		if err != nil {
			return "", market.Invalid("scope_id", "SKU %s not found", id)
		}
		_, owner, err := tx.SpecMerchant(ctx, k.SkuCode)
		return owner, err
	case market.ScopeProduct:
		p, err := tx.Product(ctx, id)
		if err != nil {
			return "", market.Invalid("scope_id", "product %s not found", id)
		}
		return p.MerchantID, nil
	case market.ScopeSpec:
		_, owner, err := tx.SpecMerchant(ctx, id)
		if err != nil {
			return "", market.Invalid("scope_id", "spec %s not found", id)
		}
		return owner, nil
	}
	return "", market.Invalid("scope", "scope must be ALL, PRODUCT, SPEC or SKU")
}

// Vouchers lists vouchers: a buyer's own, a seller's merchant's issues, or for the operator
// whatever f names.
func (s *Service) Vouchers(ctx context.Context, v market.Viewer, f store.VoucherFilter) ([]*market.Voucher, store.Cursor, error) {
	switch v.Role {
	case market.RoleOperator:
	case market.RoleBuyer:
		f.BuyerID = v.BuyerID
	case market.RoleSeller:
		f.Issuer, f.Platform = v.MerchantID, false
	default:
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no vouchers to see")
	}
	return s.db.Vouchers(ctx, f)
}

// Voucher returns one voucher its buyer, its issuer or the operator sees.
func (s *Service) Voucher(ctx context.Context, v market.Viewer, id string) (*market.Voucher, error) {
	vo, err := s.db.Voucher(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.Role == market.RoleSeller && vo.Issuer == "" {
		return nil, market.Errorf(market.CodeNotFound, "voucher %s not found", id)
	}
	if err := v.Check("voucher", id, vo.BuyerID, vo.Issuer); err != nil {
		return nil, err
	}
	return vo, nil
}

// Return gives back to their vouchers what they paid of a sale. With full (the 5-day no-reason
// right, a failed delivery, a cancelled renewal) everything goes back; otherwise vouchers stay
// spent and cash coupons get back the share num/den of what they paid (rules §3.1: "cash coupons
// partly returned, vouchers not returned"). It returns what went back to the platform's vouchers,
// which the ledger takes back from the merchant.
func (s *Service) Return(ctx context.Context, tx *store.Tx, saleRef string, full bool, num, den market.Money) (market.Money, error) {
	uses, err := tx.VoucherUses(ctx, saleRef)
	if err != nil {
		return 0, err
	}
	var platform market.Money
	for _, u := range uses {
		vo, err := tx.Voucher(ctx, u.VoucherID)
		if err != nil {
			return 0, err
		}
		back := u.Amount - u.Returned
		if !full {
			if vo.Kind == market.KindVoucher || den <= 0 {
				continue
			}
			back = min(back, market.Money(int64(u.Amount)*int64(num)/int64(den)))
		}
		if back <= 0 {
			continue
		}
		if err := tx.ReturnVoucher(ctx, vo.ID, saleRef, back, s.clock.Now()); err != nil {
			return 0, err
		}
		if vo.Issuer == "" {
			platform += back
		}
	}
	return platform, nil
}

// SpecDiscontinued is called by the publishing service, in the transaction that discontinues a
// spec or a SKU (rules §1.6), with its skuCode or SKU ID: the buyers' unused vouchers scoped to
// it alone become unusable (rules §11.1: a voucher scoped more broadly stays valid for what is
// still on sale). Discontinuing a spec discontinues its SKUs: call it for each of them too.
func (s *Service) SpecDiscontinued(ctx context.Context, tx *store.Tx, sku string) error {
	why := "spec or SKU " + sku + " was discontinued"
	for _, scope := range []market.VoucherScope{market.ScopeSpec, market.ScopeSKU} {
		if _, err := tx.InvalidateVouchers(ctx, scope, sku, why, s.clock.Now()); err != nil {
			return err
		}
	}
	return nil
}

// ProductDiscontinued is SpecDiscontinued for a whole product: its product-scoped vouchers
// become unusable (the publishing service also calls SpecDiscontinued for each of its specs).
func (s *Service) ProductDiscontinued(ctx context.Context, tx *store.Tx, productID string) error {
	_, err := tx.InvalidateVouchers(ctx, market.ScopeProduct, productID, "product "+productID+" was discontinued", s.clock.Now())
	return err
}

// Now is the vouchers' business time, for telling whether one is usable.
func (s *Service) Now() time.Time { return s.clock.Now() }
