// Package promo runs vouchers (代金券) and cash coupons (现金券) (rules §8.4, §3.1, §1.6): the
// platform or a merchant issues them to a buyer, scoped to anything (platform only), a product, a
// spec or a SKU, with a validity; they pay before the balance does — vouchers first, then cash
// coupons — at payment and at pay-per-use deduction; an unsubscription gives them back or not by
// the 5-day rule; a discontinued spec or SKU makes the vouchers scoped to it unusable.
package promo

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Config holds the vouchers' tunables.
type Config struct {
	// VouchersOnPayPerUse lets vouchers (not only cash coupons) pay pay-per-use bills. Huawei
	// Cloud's general deduction order includes them; KooGallery's page says its vouchers cannot
	// be used for pay-per-use (rules §8.1), which is the default.
	VouchersOnPayPerUse bool
	// MaxValidity bounds a voucher's validity.
	MaxValidity time.Duration
}

// DefaultConfig follows KooGallery: cash coupons only on pay-per-use, validity up to 3 years.
func DefaultConfig() Config { return Config{MaxValidity: 3 * 366 * 24 * time.Hour} }

// Service issues and redeems vouchers.
type Service struct {
	db    *store.DB
	clock market.Clock
	cfg   Config
}

// New returns the voucher service.
func New(db *store.DB, clock market.Clock, cfg Config) (*Service, error) {
	if db == nil || clock == nil {
		return nil, errors.New("promo: New needs a database and a clock")
	}
	if cfg.MaxValidity <= 0 {
		return nil, errors.New("promo: MaxValidity must be positive")
	}
	return &Service{db: db, clock: clock, cfg: cfg}, nil
}

// Item is one thing being paid for: a sale before it is stored.
type Item struct {
	SaleRef    string
	MerchantID string
	ProductID  string // catalog product
	SkuCode    string
	SkuID      string // "" while specs have no SKUs
	Amount     market.Money
}

// Deduction is what vouchers paid of an item: the merchant's own and the platform's.
type Deduction struct {
	Seller, Platform market.Money
}

// Redeem spends the buyer's vouchers ids on items, in tx, and returns what they paid of each
// item (by index). Vouchers pay before cash coupons, each kind soonest-expiring first; a voucher
// pays once (what the items do not need of it is lost), a cash coupon keeps its remainder. Each
// voucher must be the buyer's, valid now, and pay part of some item, or nothing is redeemed.
func (s *Service) Redeem(ctx context.Context, tx *store.Tx, buyerID string, items []Item, ids []string) ([]Deduction, error) {
	if len(ids) > 20 {
		return nil, market.Invalid("vouchers", "at most 20 vouchers pay one order")
	}
	now := s.clock.Now()
	var vs []*market.Voucher
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return nil, market.Invalid("vouchers", "voucher %s is given twice", id)
		}
		v, err := tx.Voucher(ctx, id)
		if err != nil || v.BuyerID != buyerID {
			return nil, market.Invalid("vouchers", "voucher %s not found", id)
		}
		if err := usable(v, now); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return s.spend(ctx, tx, items, order(vs), true, now)
}

// AutoRedeem pays what it can of a pay-per-use bill's items with the buyer's usable cash coupons
// (and vouchers, when configured), in the deduction order; it never fails for want of them.
func (s *Service) AutoRedeem(ctx context.Context, tx *store.Tx, buyerID string, items []Item) ([]Deduction, error) {
	now := s.clock.Now()
	all, err := tx.UsableVouchers(ctx, buyerID, now)
	if err != nil {
		return nil, err
	}
	var vs []*market.Voucher
	for _, v := range all {
		if v.Kind == market.KindCashCoupon || s.cfg.VouchersOnPayPerUse {
			vs = append(vs, v)
		}
	}
	return s.spend(ctx, tx, items, order(vs), false, now)
}

// usable explains why a voucher cannot pay now.
func usable(v *market.Voucher, now time.Time) error {
	switch {
	case v.State == market.VoucherInvalid:
		return market.Invalid("vouchers", "voucher %s is no longer usable: %s", v.ID, v.Reason)
	case v.State != market.VoucherActive || v.Balance <= 0:
		return market.Invalid("vouchers", "voucher %s is used up", v.ID)
	case now.Before(v.From):
		return market.Invalid("vouchers", "voucher %s is valid from %s", v.ID, v.From.Format(time.RFC3339))
	case !now.Before(v.Until):
		return market.Invalid("vouchers", "voucher %s expired at %s", v.ID, v.Until.Format(time.RFC3339))
	}
	return nil
}

// order sorts vouchers into the deduction order: vouchers before cash coupons, soonest expiring
// first.
func order(vs []*market.Voucher) []*market.Voucher {
	slices.SortStableFunc(vs, func(a, b *market.Voucher) int {
		if (a.Kind == market.KindCashCoupon) != (b.Kind == market.KindCashCoupon) {
			if a.Kind == market.KindCashCoupon {
				return 1
			}
			return -1
		}
		return a.Until.Compare(b.Until)
	})
	return vs
}

// spend applies vouchers to items in order. With strict, a voucher that pays nothing is an error.
func (s *Service) spend(ctx context.Context, tx *store.Tx, items []Item, vs []*market.Voucher, strict bool, now time.Time) ([]Deduction, error) {
	out := make([]Deduction, len(items))
	left := make([]market.Money, len(items))
	for i, it := range items {
		left[i] = it.Amount
	}
	for _, v := range vs {
		avail, paid := v.Balance, market.Money(0)
		var uses []market.VoucherUse
		for i, it := range items {
			if avail == 0 || left[i] == 0 || !v.Covers(it.ProductID, it.SkuCode, it.SkuID) || v.Issuer != "" && v.Issuer != it.MerchantID {
				continue
			}
			n := min(avail, left[i])
			avail, left[i], paid = avail-n, left[i]-n, paid+n
			if v.Issuer == "" {
				out[i].Platform += n
			} else {
				out[i].Seller += n
			}
			uses = append(uses, market.VoucherUse{VoucherID: v.ID, SaleRef: it.SaleRef, Amount: n, At: now})
		}
		if paid == 0 {
			if strict {
				return nil, market.Invalid("vouchers", "voucher %s pays for none of the items (it is for %s %s)", v.ID, v.Scope, v.ScopeID)
			}
			continue
		}
		spent := paid
		if v.Kind == market.KindVoucher {
			spent = v.Balance // a voucher is used once: what it did not pay is lost
		}
		ok, err := tx.SpendVoucher(ctx, v.ID, spent, now)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, market.Errorf(market.CodeConflict, "voucher %s was used meanwhile; retry", v.ID)
		}
		for _, u := range uses {
			if err := tx.InsertVoucherUse(ctx, u); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
