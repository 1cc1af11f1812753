package market

import "math/bits"

// quantityOne is one unit of a Quantity, in its ten-thousandths.
const quantityOne = 10_000

// Charge prices a quantity of a plan: a cycle's usage of a pay-per-use billing item, or the
// units of a quantity SKU. Amounts are exact: the product of a price
// (thousandths) and a quantity (ten-thousandths) is formed in 128 bits and rounded half up to a
// thousandth once, at the end of each tier.
func (p *Plan) Charge(q Quantity) (Money, error) {
	if q <= 0 {
		return 0, nil
	}
	switch p.Pricing {
	case PricingStep:
		for _, t := range p.Tiers {
			if t.UpTo == 0 || q <= t.UpTo {
				return price(t.Price, q)
			}
		}
		return 0, Errorf(CodeInternal, "plan %s: no tier for %s", p.ProductID, q)
	case PricingTier:
		var sum Money
		var from Quantity
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
				return 0, Errorf(CodeInvalid, "charge overflows")
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
func price(unit Money, q Quantity) (Money, error) {
	if unit < 0 || q < 0 {
		return 0, Errorf(CodeInvalid, "negative price or quantity")
	}
	hi, lo := bits.Mul64(uint64(unit), uint64(q))
	lo, carry := bits.Add64(lo, quantityOne/2, 0)
	hi += carry
	if hi >= quantityOne {
		return 0, Errorf(CodeInvalid, "charge overflows")
	}
	v, _ := bits.Div64(hi, lo, quantityOne)
	if v > 1<<63-1 {
		return 0, Errorf(CodeInvalid, "charge overflows")
	}
	return Money(v), nil
}
