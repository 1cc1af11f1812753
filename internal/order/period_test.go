package order

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

func TestAddPeriods(t *testing.T) {
	t.Parallel()
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 10, 30, 0, 0, time.UTC) }
	for _, tc := range []struct {
		from   time.Time
		period string
		n      int
		want   time.Time
	}{
		{d(2026, 1, 31), market.PeriodMonth, 1, d(2026, 2, 28)},
		{d(2028, 1, 31), market.PeriodMonth, 1, d(2028, 2, 29)},
		{d(2026, 1, 31), market.PeriodMonth, 3, d(2026, 4, 30)},
		{d(2026, 11, 29), market.PeriodMonth, 2, d(2027, 1, 29)},
		{d(2028, 2, 29), market.PeriodYear, 1, d(2029, 2, 28)},
		{d(2026, 11, 29), market.PeriodDay, 7, d(2026, 12, 6)},
		{d(2026, 11, 29), "", 7, d(2026, 11, 29)},
	} {
		if got := addPeriods(tc.from, tc.period, tc.n); !got.Equal(tc.want) {
			t.Errorf("%v + %d %s = %v, want %v", tc.from, tc.n, tc.period, got, tc.want)
		}
	}
}

func TestProrate(t *testing.T) {
	t.Parallel()
	if got := prorate(120_000, 15*24*time.Hour, 30*24*time.Hour); got != 60_000 {
		t.Fatalf("half a period: %d", got)
	}
	if prorate(120_000, -time.Hour, time.Hour) != 0 || prorate(120_000, 2*time.Hour, time.Hour) != 120_000 {
		t.Fatal("bounds")
	}
}
