package order

import (
	"context"
	"math/big"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Spec changes of period instances (rules §1.7): within validity an upgrade or a scale-out, on
// instances whose purchase completed; at renewal (RenewChange) a downgrade or scale-in as well.
// Every change follows a valid upgrade rule, forwards or, for a downgrade or scale-in at
// renewal, backwards.

// refOf is the spec and SKU a catalog entry is a plan of.
func refOf(e *market.CatalogEntry) market.SKURef {
	return market.SKURef{SkuCode: e.Spec.SkuCode, SkuID: e.Plan.SkuID}
}

// rule finds the valid rule from src to dst of product p.
func (s *Service) rule(ctx context.Context, r store.Reader, p *market.Product, src, dst market.SKURef) (*market.UpgradeRule, error) {
	rules, err := r.UpgradeRules(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, rule := range rules {
		if rule.Source != src || rule.Target != dst {
			continue
		}
		why, err := validity(ctx, r, p, rule)
		if err != nil {
			return nil, err
		}
		if why != "" {
			return nil, market.Errorf(market.CodeConflict, "the rule %s → %s no longer holds: %s", name(src), name(dst), why)
		}
		return rule, nil
	}
	return nil, market.Invalid("product_id", "no upgrade rule of product %s allows %s → %s", p.ID, name(src), name(dst))
}

func name(r market.SKURef) string {
	if r.SkuID == "" {
		return r.SkuCode
	}
	return r.SkuCode + "/" + r.SkuID
}

// changeTarget loads what a change starts from and checks that the target is a period plan of
// the same product on sale.
func (s *Service) changeTarget(ctx context.Context, in *market.Instance, e *market.CatalogEntry) (*market.CatalogEntry, error) {
	if in.Charging != market.ChargingPeriod || in.Trial {
		return nil, market.Errorf(market.CodeConflict, "only paid period instances change spec")
	}
	cur, err := s.db.CatalogEntry(ctx, in.ProductID)
	if err != nil {
		return nil, err
	}
	if e.Spec.ProductID != cur.Spec.ProductID || e.Spec.Charging != market.ChargingPeriod {
		return nil, market.Invalid("product_id", "a change goes to a period plan of the same product")
	}
	if err := e.Sellable(); err != nil {
		return nil, err
	}
	return cur, nil
}

// upgradeLine prices an upgrade or scale-out within validity (rules §1.7): the instance's
// purchase is complete, the target costs more (or adds units) and a rule allows it; the fee is
// UpgradeFee or ScaleOutFee over the rest of the current term.
func (s *Service) upgradeLine(ctx context.Context, in *market.Instance, e *market.CatalogEntry, quantity int64, now time.Time) (*market.OrderLine, error) {
	cur, err := s.changeTarget(ctx, in, e)
	if err != nil {
		return nil, err
	}
	if e.Plan.Period != in.Period {
		return nil, market.Invalid("product_id", "an upgrade keeps the period type (%s); change it at renewal", in.Period)
	}
	purchase, err := s.db.Order(ctx, in.OrderID)
	if err != nil {
		return nil, err
	}
	if purchase.Status != market.OrderCompleted {
		return nil, market.Errorf(market.CodeConflict, "order %s is %s: upgrades apply to completed orders", purchase.ID, purchase.Status)
	}
	src, dst := refOf(cur), refOf(e)
	if quantity == 0 {
		quantity = in.Quantity
	}
	newPrice, err := periodPrice(e, quantity)
	if err != nil {
		return nil, err
	}
	oldPrice, err := periodPrice(cur, in.Quantity)
	if err != nil {
		return nil, err
	}
	if src == dst && quantity <= in.Quantity || src != dst && newPrice <= oldPrice {
		return nil, market.Invalid("product_id", "%s is not an upgrade of %s: a downgrade or scale-in takes effect at renewal", name(dst), name(src))
	}
	rule, err := s.rule(ctx, s.db.Reader, &cur.Product, src, dst)
	if err != nil {
		return nil, err
	}
	t, err := s.feeTerms(ctx, in, now)
	if err != nil {
		return nil, err
	}
	l := &market.OrderLine{Period: in.Period, StartsAt: now, ExpireAt: in.ExpireAt, Quantity: quantity}
	if src != dst {
		l.Amount = UpgradeFee(newPrice, oldPrice, t)
		return l, nil
	}
	if (quantity-in.Quantity)%rule.Step != 0 {
		return nil, market.Invalid("quantity", "a scale-out adds multiples of %d %s", rule.Step, e.SKU.Unit)
	}
	l.Amount, err = ScaleOutFee(&e.Plan, in.Quantity, quantity, t, in.CreatedAt)
	return l, err
}

// terms are the fee terms of an instance's current term at now.
func (s *Service) feeTerms(ctx context.Context, in *market.Instance, now time.Time) (FeeTerms, error) {
	t := FeeTerms{TermPeriods: 1, RemainingDays: remainingDays(now, in.ExpireAt), Discount: big.NewRat(1, 1)}
	line, ok, err := s.db.Term(ctx, in.Key, in.ExpireAt)
	if err != nil {
		return t, err
	}
	if !ok {
		t.TermDays = termDays(addPeriods(in.ExpireAt, in.Period, -1), in.ExpireAt)
		return t, nil
	}
	t.TermDays, t.TermPeriods = termDays(line.StartsAt, in.ExpireAt), int64(max(1, line.PeriodNumber))
	// The discount is what was paid for the term over its list price today (rules §1.7:
	// one-price deals pay deal price ÷ list price); never above 1.
	if e, err := s.db.CatalogEntry(ctx, line.ProductID); err == nil {
		if list, err := periodPrice(e, line.Quantity); err == nil && list > 0 {
			d := big.NewRat(int64(line.Amount), int64(list)*t.TermPeriods)
			if d.Cmp(big.NewRat(1, 1)) < 0 {
				t.Discount = d
			}
		}
	}
	return t, nil
}
