package order

import (
	"math/big"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Worked examples of the change fees of rules §1.7, one per formula, with the arithmetic
// written out so that a reader can check each figure by hand.

func terms(termDays, remaining int64, discount string) FeeTerms {
	d, _ := new(big.Rat).SetString(discount)
	return FeeTerms{TermDays: termDays, TermPeriods: 1, RemainingDays: remaining, Discount: d}
}

func TestUpgradeFee(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		new, old market.Money
		t        FeeTerms
		want     market.Money
	}{
		// 160/30 × 15 × 1 − 100/30 × 15 × 1 = 80 − 50 = 30
		{"half a month left", 160_000, 100_000, terms(30, 15, "1"), 30_000},
		// (80 − 50) × 0.9 = 27
		{"with a 0.9 deal discount", 160_000, 100_000, terms(30, 15, "0.9"), 27_000},
		// 150/31 × 10 − 100/31 × 10 = 500/31 = 16.1290… → 16.129 (half up)
		{"exact to the thousandth", 150_000, 100_000, terms(31, 10, "1"), 16_129},
		// 100.001/3 × 1 − 100/3 × 1 = 0.001/3 = 0.000333… → 0.000
		{"rounds half up", 100_001, 100_000, terms(3, 1, "1"), 0},
		// 100.002/4 − 100/4 = 0.0005 → 0.001
		{"half rounds up", 100_002, 100_000, terms(4, 1, "1"), 1},
		// a cheaper target costs nothing (no refund on change)
		{"cheaper is free", 90_000, 100_000, terms(30, 15, "1"), 0},
		// a year bought at once: 1600/365 × 200 − 1000/365 × 200 = 120000/365 = 328.767…
		{"yearly term", 1_600_000, 1_000_000, terms(365, 200, "1"), 328_767},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := UpgradeFee(tc.new, tc.old, tc.t); got != tc.want {
				t.Fatalf("UpgradeFee = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestScaleOutFee(t *testing.T) {
	t.Parallel()
	tiers := []market.Tier{{UpTo: 10 * 10_000, Price: 10_000}, {UpTo: 0, Price: 8_000}}
	linear := &market.Plan{Price: 10_000, Pricing: market.PricingFixed}
	tiered := &market.Plan{Pricing: market.PricingTier, Tiers: tiers}
	volume := &market.Plan{Pricing: market.PricingStep, Tiers: tiers}
	after, before := VolumeCutoff.Add(time.Hour), VolumeCutoff.Add(-time.Hour)
	cases := []struct {
		name          string
		plan          *market.Plan
		from, to      int64
		t             FeeTerms
		ordered       time.Time
		want          market.Money
		originalPrice market.Money
	}{
		// linear: 10 × 15 × 12/30 − (10 × 10) × 12/30 = 60 − 40 = 20
		{"linear", linear, 10, 15, terms(30, 12, "1"), after, 20_000, 100_000},
		// tiered: unit of the tier holding 20 users is 8: 8 × 20 × 15/30 − price(10) = 100 × 15/30
		// = 80 − 50 = 30
		{"tiered", tiered, 10, 20, terms(30, 15, "1"), after, 30_000, 100_000},
		// volume after 2023-06-12: 8 × (20 − 10) × 15/30 = 40
		{"volume", volume, 10, 20, terms(30, 15, "1"), after, 40_000, 100_000},
		// volume ordered before 2023-06-12 pays the old formula: 8 × 20 × 15/30 − price(10 at
		// volume: 10 × 10 = 100) × 15/30 = 80 − 50 = 30
		{"volume before the cutoff", volume, 10, 20, terms(30, 15, "1"), before, 30_000, 100_000},
		// with a discount of 0.75: (60 − 40) × 0.75 = 15
		{"linear discounted", linear, 10, 15, terms(30, 12, "0.75"), after, 15_000, 100_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if p, err := unitsPrice(tc.plan, tc.from); err != nil || p != tc.originalPrice {
				t.Fatalf("price of %d units = %s, %v; want %s", tc.from, p, err, tc.originalPrice)
			}
			got, err := ScaleOutFee(tc.plan, tc.from, tc.to, tc.t, tc.ordered)
			if err != nil || got != tc.want {
				t.Fatalf("ScaleOutFee = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestUnitsPrice(t *testing.T) {
	t.Parallel()
	tiers := []market.Tier{{UpTo: 10 * 10_000, Price: 10_000}, {UpTo: 0, Price: 8_000}}
	cases := []struct {
		plan *market.Plan
		n    int64
		want market.Money
	}{
		{&market.Plan{Price: 10_000, Pricing: market.PricingFixed}, 15, 150_000},
		{&market.Plan{Pricing: market.PricingTier, Tiers: tiers}, 15, 10*10_000 + 5*8_000},
		{&market.Plan{Pricing: market.PricingStep, Tiers: tiers}, 15, 15 * 8_000},
		{&market.Plan{Pricing: market.PricingStep, Tiers: tiers}, 10, 10 * 10_000},
	}
	for _, tc := range cases {
		if got, err := unitsPrice(tc.plan, tc.n); err != nil || got != tc.want {
			t.Errorf("%s × %d = %s, %v; want %s", tc.plan.Pricing, tc.n, got, err, tc.want)
		}
	}
}

func TestRemainingDays(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{{0, 0}, {time.Minute, 1}, {24 * time.Hour, 1}, {24*time.Hour + time.Second, 2}, {-time.Hour, 0}} {
		if got := remainingDays(t0, t0.Add(tc.d)); got != tc.want {
			t.Errorf("remainingDays(%s) = %d, want %d", tc.d, got, tc.want)
		}
	}
}
