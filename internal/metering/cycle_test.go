package metering

import (
	"testing"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCollectionOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cycle         market.Cycle
		end, received string
		want          string
		late          bool
	}{
		{market.CycleHourly, "2026-11-29 13:00:00", "2026-11-29 13:05:00", "2026-11-29 13:15:00", false},
		{market.CycleHourly, "2026-11-29 12:25:00", "2026-11-29 13:14:59", "2026-11-29 13:15:00", false},
		{market.CycleHourly, "2026-11-29 12:25:00", "2026-11-29 13:15:00", "2026-11-29 13:15:00", false},
		{market.CycleHourly, "2026-11-29 12:25:00", "2026-11-29 13:15:01", "2026-11-29 14:15:00", true},
		{market.CycleHourly, "2026-11-29 12:25:00", "2026-11-29 15:40:00", "2026-11-29 16:15:00", true},
		{market.CycleDaily, "2026-11-29 00:00:00", "2026-11-29 00:10:00", "2026-11-29 01:00:00", false},
		{market.CycleDaily, "2026-11-28 17:00:00", "2026-11-29 00:59:00", "2026-11-29 01:00:00", false},
		{market.CycleDaily, "2026-11-28 17:00:00", "2026-11-29 01:00:01", "2026-11-30 01:00:00", true},
		{market.CycleDaily, "2026-11-28 17:00:00", "2026-11-29 00:30:00", "2026-11-29 01:00:00", false},
	} {
		got, late := CollectionOf(tc.cycle, at(tc.end), at(tc.received))
		if !got.Equal(at(tc.want)) || late != tc.late {
			t.Errorf("%s end %s received %s: %v late=%v; want %s late=%v", tc.cycle, tc.end, tc.received, got, late, tc.want, tc.late)
		}
	}
	from, to := CycleOf(market.CycleHourly, at("2026-11-29 13:15:00"))
	if !from.Equal(at("2026-11-29 12:00:00")) || !to.Equal(at("2026-11-29 13:00:00")) {
		t.Fatalf("hourly cycle %v..%v", from, to)
	}
	from, to = CycleOf(market.CycleDaily, at("2026-11-29 01:00:00"))
	if !from.Equal(at("2026-11-28 00:00:00")) || !to.Equal(at("2026-11-29 00:00:00")) {
		t.Fatalf("daily cycle %v..%v", from, to)
	}
}

func TestDueCollections(t *testing.T) {
	t.Parallel()
	now := at("2026-11-29 13:16:30")
	got := DueCollections(market.CycleHourly, time.Time{}, now, time.Minute)
	if len(got) != 1 || !got[0].Equal(at("2026-11-29 13:15:00")) {
		t.Fatalf("first tick: %v", got)
	}
	if got := DueCollections(market.CycleHourly, time.Time{}, at("2026-11-29 13:15:30"), time.Minute); !got[0].Equal(at("2026-11-29 12:15:00")) {
		t.Fatalf("inside the margin: %v", got)
	}
	got = DueCollections(market.CycleHourly, at("2026-11-29 10:15:00"), now, time.Minute)
	if len(got) != 3 || !got[2].Equal(at("2026-11-29 13:15:00")) {
		t.Fatalf("catch-up: %v", got)
	}
	if got := DueCollections(market.CycleHourly, at("2026-11-29 13:15:00"), now, time.Minute); len(got) != 0 {
		t.Fatalf("nothing new: %v", got)
	}
	got = DueCollections(market.CycleDaily, at("2026-11-27 01:00:00"), at("2026-11-29 02:00:00"), time.Minute)
	if len(got) != 2 || !got[1].Equal(at("2026-11-29 01:00:00")) {
		t.Fatalf("daily: %v", got)
	}
}
