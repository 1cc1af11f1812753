package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mercato-oss/mercato/internal/market"
)

// The billing rules of plans (rules §1.7, §8.1): what each charging mode's plans carry.

// text checks a string field's length in characters and refuses control characters.
func text(probs *market.Problems, name, v string, lo, hi int) {
	n := utf8.RuneCountInString(v)
	if n < lo || n > hi {
		probs.Add(name, "length", "%s must be %d to %d characters", name, lo, hi)
	}
	if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		probs.Add(name, "characters", "%s contains control characters or invalid UTF-8", name)
	}
}

// usageTerms checks and completes a plan's pricing terms: pricing and cycle for pay-per-use
// items, the prepaid quota for packages, pricing and tiers for the units of a quantity SKU,
// nothing for the others.
func usageTerms(c market.Charging, quantity bool, p *market.Plan) error {
	switch {
	case c == market.ChargingOnDemand:
		if p.PackageItem != "" || p.PackageQuota != 0 {
			return market.Errorf(market.CodeInvalid, "only package plans have a package quota")
		}
		p.Pricing, p.Cycle = orPricing(p.Pricing), orCycle(p.Cycle)
		if p.Cycle != market.CycleHourly && p.Cycle != market.CycleDaily {
			return market.Errorf(market.CodeInvalid, "cycle must be HOURLY or DAILY")
		}
		return checkTiers(p)
	case c == market.ChargingOnDemandPkg:
		if p.PackageItem == "" || p.PackageQuota <= 0 {
			return market.Errorf(market.CodeInvalid, "a package plan needs package_item (a pay-per-use productId) and a package_quota above 0")
		}
	case quantity:
		if p.PackageItem != "" || p.PackageQuota != 0 || p.Cycle != "" {
			return market.Errorf(market.CodeInvalid, "a quantity SKU's plan has pricing and tiers, no cycle or package")
		}
		p.Pricing = orPricing(p.Pricing)
		return checkTiers(p)
	default:
		if p.PackageItem != "" || p.PackageQuota != 0 {
			return market.Errorf(market.CodeInvalid, "only package plans have a package quota")
		}
	}
	if p.Pricing != "" || len(p.Tiers) > 0 || p.Cycle != "" {
		return market.Errorf(market.CodeInvalid, "pricing, tiers and cycle are for pay-per-use plans and quantity SKUs")
	}
	return nil
}

func orPricing(p market.Pricing) market.Pricing {
	if p == "" {
		return market.PricingFixed
	}
	return p
}

func orCycle(c market.Cycle) market.Cycle {
	if c == "" {
		return market.CycleHourly
	}
	return c
}

// checkTiers: FIXED has no tiers; STEP and TIER have 1 to 20 tiers with rising limits, the last
// without limit (up_to 0), and no negative price.
func checkTiers(p *market.Plan) error {
	switch p.Pricing {
	case market.PricingFixed:
		if len(p.Tiers) > 0 {
			return market.Errorf(market.CodeInvalid, "FIXED pricing has no tiers")
		}
		return nil
	case market.PricingStep, market.PricingTier:
	default:
		return market.Errorf(market.CodeInvalid, "pricing must be FIXED, STEP or TIER")
	}
	if len(p.Tiers) == 0 || len(p.Tiers) > 20 {
		return market.Errorf(market.CodeInvalid, "%s pricing needs 1 to 20 tiers", p.Pricing)
	}
	var prev market.Quantity
	for i, t := range p.Tiers {
		last := i == len(p.Tiers)-1
		if t.Price < 0 || last != (t.UpTo == 0) || !last && t.UpTo <= prev {
			return market.Errorf(market.CodeInvalid, "tiers need rising up_to limits, the last one 0 (no limit), and prices of 0 or more")
		}
		prev = t.UpTo
	}
	return nil
}
