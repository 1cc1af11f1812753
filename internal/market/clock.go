package market

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells business time. Every deadline — expiry, grace, retention, trial end, retry
// windows — is computed from an injected Clock, so tests and the demo can move time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// FakeClock is a clock that only moves when told to. It is safe for concurrent use.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock returns a clock stopped at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{t: t} }

// Now implements Clock.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t (forward only; earlier times are ignored, as business time never
// runs backwards).
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// OffsetClock is the wall clock moved forward by what Advance added: the sandbox's test clock,
// which lets a merchant see a day of billing without waiting a day. It never moves back.
type OffsetClock struct {
	offset atomic.Int64 // nanoseconds
}

// Now implements Clock.
func (c *OffsetClock) Now() time.Time { return time.Now().Add(c.Offset()) }

// Advance moves the clock forward by d; a negative d is ignored.
func (c *OffsetClock) Advance(d time.Duration) {
	if d > 0 {
		c.offset.Add(int64(d))
	}
}

// Offset is how far ahead of the wall clock the clock is.
func (c *OffsetClock) Offset() time.Duration { return time.Duration(c.offset.Load()) }
