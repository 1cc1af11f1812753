package order

import (
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// addPeriods adds n periods to t. A month after January 31 is the last day of February, not
// March 3 as time.AddDate would say: a buyer who pays for a month gets the calendar month.
func addPeriods(t time.Time, period string, n int) time.Time {
	switch period {
	case market.PeriodYear:
		return addMonths(t, 12*n)
	case market.PeriodMonth:
		return addMonths(t, n)
	case market.PeriodDay:
		return t.AddDate(0, 0, n)
	}
	return t
}

func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// prorate returns amount × remaining/total, rounded down to the money unit, for the part of a
// period left when an upgrade is bought.
func prorate(amount market.Money, remaining, total time.Duration) market.Money {
	if total <= 0 || remaining <= 0 {
		return 0
	}
	if remaining >= total {
		return amount
	}
	// Milliseconds keep the product within int64 for amounts below 10^8 units over a year.
	return market.Money(int64(amount) * remaining.Milliseconds() / total.Milliseconds())
}
