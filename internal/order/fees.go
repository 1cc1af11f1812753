package order

import (
	"math/big"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Prices of quantity SKUs and the change fees of rules §1.7, in exact arithmetic: every fee is
// formed as a fraction (big.Rat) and rounded once, half up, to the money unit (0.001).
//
// A "price for the remaining duration" is the daily price of the current term times the days
// left: the term's price (plan price × periods paid) over its days, so that a year bought at
// once and a month cost the same per day as the buyer paid for them. Remaining days run from the
// change to expiry, rounded up to whole days (rules §1.7 [I]).

// periodPrice is what one period of a plan costs for quantity units: the plan's price, or for a
// SKU with a quantity attribute, the units' price (quantity a multiple of the SKU's step, from
// one step to its max).
func periodPrice(e *market.CatalogEntry, quantity int64) (market.Money, error) {
	if e.SKU == nil || e.SKU.Unit == "" {
		if quantity != 0 {
			return 0, market.Invalid("quantity", "plan %s has no quantity attribute", e.Plan.ProductID)
		}
		return e.Plan.Price, nil
	}
	k := e.SKU
	if quantity < k.Step || quantity > k.Max || quantity%k.Step != 0 {
		return 0, market.Invalid("quantity", "quantity of %s is a multiple of %d from %d to %d %s", k.ID, k.Step, k.Step, k.Max, k.Unit)
	}
	return unitsPrice(&e.Plan, quantity)
}

// unitsPrice prices n units of a quantity SKU's plan per period: linear (FIXED: n × price),
// volume (STEP: every unit at the price of the tier n reaches) or tiered (TIER: each part at its
// own tier's price), as market.Plan.Charge prices any quantity.
func unitsPrice(p *market.Plan, n int64) (market.Money, error) {
	return p.Charge(market.Quantity(n * 10_000))
}

// unitPrice is the unit price of the tier that contains n units (the plan's price when it has
// no tiers).
func unitPrice(p *market.Plan, n int64) market.Money {
	q := market.Quantity(n * 10_000)
	for _, t := range p.Tiers {
		if t.UpTo == 0 || q <= t.UpTo {
			return t.Price
		}
	}
	return p.Price
}

// FeeFeeTerms are what a change fee depends on besides prices.
type FeeTerms struct {
	// TermDays and TermPeriods are the current term's length in days and in periods paid: the
	// daily price is the period price × TermPeriods ÷ TermDays.
	TermDays    int64
	TermPeriods int64
	// RemainingDays run from the change to expiry.
	RemainingDays int64
	// Discount is what the buyer paid for the term over its list price ("one-price" deals,
	// rules §1.7); 1 when the list price was paid.
	Discount *big.Rat
}

// share is a period price as its daily price over the remaining days, with the discount:
// price × TermPeriods ÷ TermDays × RemainingDays × Discount.
func (t FeeTerms) share(price market.Money) *big.Rat {
	r := new(big.Rat).SetFrac64(int64(price)*t.TermPeriods, t.TermDays)
	r.Mul(r, new(big.Rat).SetInt64(t.RemainingDays))
	return r.Mul(r, t.Discount)
}

// UpgradeFee is rules §1.7's upgrade fee: P_new(remaining) × remaining_days × discount −
// P_old(purchased) × remaining_days × discount, with P the daily prices of the target and the
// current plan at today's prices. A change that costs less is free (it is not a refund).
func UpgradeFee(newPrice, oldPrice market.Money, t FeeTerms) market.Money {
	return round(new(big.Rat).Sub(t.share(newPrice), t.share(oldPrice)))
}

// VolumeCutoff is when KooGallery changed the scale-out fee of volume pricing (rules §1.7):
// orders placed before it pay the old formula whatever their pricing.
var VolumeCutoff = time.Date(2023, 6, 12, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// ScaleOutFee is rules §1.7's scale-out fee from before to after units of a quantity SKU's plan:
//
//	before the cutoff, and after it for linear and tiered pricing:
//	  unit_price(tier containing after) × after × remaining × discount − original_price × remaining × discount
//	after the cutoff, for volume pricing:
//	  unit_price(tier containing after) × (after − before) × remaining × discount
//
// with prices per day as in UpgradeFee and original_price the price of the before units today.
func ScaleOutFee(p *market.Plan, before, after int64, t FeeTerms, ordered time.Time) (market.Money, error) {
	unit := unitPrice(p, after)
	if p.Pricing == market.PricingStep && !ordered.Before(VolumeCutoff) {
		added, err := unit.Times(after - before)
		return round(t.share(added)), err
	}
	total, err := unit.Times(after)
	if err != nil {
		return 0, err
	}
	original, err := unitsPrice(p, before)
	if err != nil {
		return 0, err
	}
	return round(new(big.Rat).Sub(t.share(total), t.share(original))), nil
}

// round rounds a fee half up to the money unit; a negative fee is no fee.
func round(r *big.Rat) market.Money {
	if r.Sign() <= 0 {
		return 0
	}
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	num.Mul(num, big.NewInt(2)).Add(num, den) // (2n + d) / 2d = n/d + 1/2
	q := new(big.Int).Quo(num, new(big.Int).Mul(den, big.NewInt(2)))
	return market.Money(q.Int64())
}

// remainingDays counts whole days from now to expiry, a started day counting in full.
func remainingDays(now, expire time.Time) int64 {
	d := expire.Sub(now)
	if d <= 0 {
		return 0
	}
	return int64((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// termDays is a term's length in days, at least one.
func termDays(start, expire time.Time) int64 {
	return max(1, int64((expire.Sub(start)+12*time.Hour)/(24*time.Hour)))
}
