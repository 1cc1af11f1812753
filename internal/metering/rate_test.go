package metering

import (
	"testing"

	"github.com/mercato-oss/mercato/internal/market"
)

func TestCharge(t *testing.T) {
	t.Parallel()
	u := func(units float64) market.Quantity { return market.Quantity(units * quantityUnit) }
	tiers := []market.Tier{{UpTo: u(100), Price: 10}, {UpTo: u(1000), Price: 8}, {Price: 5}} // 0.010, 0.008, 0.005 per unit
	for _, tc := range []struct {
		name string
		plan market.Plan
		q    market.Quantity
		want market.Money
	}{
		{"fixed", market.Plan{Price: 10}, u(99), 990},
		{"fixed, fraction rounds half up", market.Plan{Price: 1}, 5_000, 1},    // 0.5 units × 0.001 = 0.0005 → 0.001
		{"fixed, fraction rounds down", market.Plan{Price: 1}, 4_999, 0},       // 0.4999 × 0.001
		{"fixed, four decimals", market.Plan{Price: 123_456}, 12_345, 152_406}, // 1.2345 × 123.456 = 152.406432
		{"zero", market.Plan{Price: 10}, 0, 0},
		{"step, first band", market.Plan{Pricing: market.PricingStep, Tiers: tiers}, u(100), 1_000},
		{"step, second band prices everything", market.Plan{Pricing: market.PricingStep, Tiers: tiers}, u(101), 808},
		{"step, open band", market.Plan{Pricing: market.PricingStep, Tiers: tiers}, u(5000), 25_000},
		{"tier, within the first", market.Plan{Pricing: market.PricingTier, Tiers: tiers}, u(50), 500},
		{"tier, across two", market.Plan{Pricing: market.PricingTier, Tiers: tiers}, u(101), 1_008},
		{"tier, across three", market.Plan{Pricing: market.PricingTier, Tiers: tiers}, u(2000), 1_000 + 7_200 + 5_000},
	} {
		got, err := Charge(&tc.plan, tc.q)
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	if _, err := Charge(&market.Plan{Price: 1 << 62}, 1<<62); err == nil {
		t.Fatal("overflow not reported")
	}
	if got, err := Charge(&market.Plan{Price: 1 << 40}, 1<<30); err != nil || got != market.Money((1<<70)/quantityUnit) {
		t.Fatalf("128-bit product: %d, %v", got, err)
	}
}
