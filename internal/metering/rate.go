// Package metering takes pay-per-use usage from merchants — the usage push, new and old — checks
// every record against KooGallery's rules, stores it once however often it is pushed, collects
// it at minute 15 of each hour (hourly items) or at 01:00 (daily items), and rates it: fixed,
// step and tier prices, packages drawn first. The resulting charges go to billing.
package metering

import (
	"math/bits"

	"github.com/mercato-oss/mercato/internal/market"
)

// quantityUnit is one unit of usage in Quantity's ten-thousandths.
const quantityUnit = 10_000

// Charge prices a cycle's quantity of a billing item. Amounts are exact: the product of a price
// (thousandths) and a quantity (ten-thousandths) is formed in 128 bits and rounded half up to a
// thousandth once, at the end of each tier.
func Charge(p *market.Plan, q market.Quantity) (market.Money, error) {
	if q <= 0 {
		return 0, nil
	}
	switch p.Pricing {
	case market.PricingStep:
		for _, t := range p.Tiers {
			if t.UpTo == 0 || q <= t.UpTo {
				return price(t.Price, q)
			}
		}
		return 0, market.Errorf(market.CodeInternal, "plan %s: no tier for %s", p.ProductID, q)
	case market.PricingTier:
		var sum market.Money
		var from market.Quantity
		for _, t := range p.Tiers {
			part := q - from
			if t.UpTo != 0 {
				part = min(part, t.UpTo-from)
			}
			if part <= 0 {
				break
			}
			a, err := price(t.Price, part)
			if err != nil {
				return 0, err
			}
			if sum += a; sum < 0 {
				return 0, market.Errorf(market.CodeInvalid, "charge overflows")
			}
			from = t.UpTo
			if t.UpTo == 0 {
				break
			}
		}
		return sum, nil
	}
	return price(p.Price, q)
}

// price is unit × q, rounded half up to a thousandth.
func price(unit market.Money, q market.Quantity) (market.Money, error) {
	if unit < 0 || q < 0 {
		return 0, market.Errorf(market.CodeInvalid, "negative price or quantity")
	}
	hi, lo := bits.Mul64(uint64(unit), uint64(q))
	lo, carry := bits.Add64(lo, quantityUnit/2, 0)
	hi += carry
	if hi >= quantityUnit {
		return 0, market.Errorf(market.CodeInvalid, "charge overflows")
	}
	v, _ := bits.Div64(hi, lo, quantityUnit)
	if v > 1<<63-1 {
		return 0, market.Errorf(market.CodeInvalid, "charge overflows")
	}
	return market.Money(v), nil
}
