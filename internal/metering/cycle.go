package metering

import (
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// Collections (protocol §8.6 rule 4): hourly items are collected at minute 15 of each hour for
// the previous hour, daily items at 01:00 UTC for the previous day. A record belongs to the first
// collection that comes after both its end and its arrival: normally its own cycle's; a record
// that arrives after that collection goes to the next one and is marked late. The assignment is
// made when the record is stored, from the schedule, so it does not depend on when the
// collection job happens to run.

const (
	hourlyOffset = 15 * time.Minute
	dailyOffset  = time.Hour
)

// period and offset of a cycle kind.
func schedule(c market.Cycle) (period, offset time.Duration) {
	if c == market.CycleDaily {
		return 24 * time.Hour, dailyOffset
	}
	return time.Hour, hourlyOffset
}

// CollectionOf returns when a record ending at end and received at received is collected, and
// whether that is later than its own cycle's collection.
func CollectionOf(c market.Cycle, end, received time.Time) (at time.Time, late bool) {
	period, offset := schedule(c)
	own := ceil(end.UTC(), period).Add(offset)
	if !received.After(own) {
		return own, false
	}
	next := received.UTC().Truncate(period).Add(offset)
	if next.Before(received) {
		next = next.Add(period)
	}
	return next, true
}

// CycleOf returns the cycle [from, to) a collection at at bills.
func CycleOf(c market.Cycle, at time.Time) (from, to time.Time) {
	period, offset := schedule(c)
	to = at.Add(-offset)
	return to.Add(-period), to
}

// ceil rounds t up to a multiple of d (t itself when it is one).
func ceil(t time.Time, d time.Duration) time.Time {
	f := t.Truncate(d)
	if f.Equal(t) {
		return t
	}
	return f.Add(d)
}

// DueCollections lists the collection times of a cycle kind that are due at now (a margin after
// their time, so that pushes received just before have committed), newest last, starting after
// the collection at after (zero: only the latest due one).
func DueCollections(c market.Cycle, after, now time.Time, margin time.Duration) []time.Time {
	period, offset := schedule(c)
	latest := now.UTC().Add(-margin).Add(-offset).Truncate(period).Add(offset)
	if after.IsZero() || after.Before(latest.Add(-48*period)) {
		after = latest.Add(-period) // catch up at most 48 cycles; older ones were rated before
	}
	var due []time.Time
	for t := after.Add(period); !t.After(latest); t = t.Add(period) {
		due = append(due, t)
	}
	return due
}

// NextCollection is the first collection time of cycle c after now: minute 15 of the next hour,
// or 01:00 of the next day (UTC).
func NextCollection(c market.Cycle, now time.Time) time.Time {
	period, offset := schedule(c)
	t := now.UTC().Add(-offset).Truncate(period).Add(offset)
	for !t.After(now) {
		t = t.Add(period)
	}
	return t
}
