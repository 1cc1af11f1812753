package kgp

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type fakeClock struct{ t atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.t.Add(int64(d)) }
func newFakeClock(at time.Time) *fakeClock   { c := &fakeClock{}; c.t.Store(at.UnixNano()); return c }

func TestReplayGuard(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
	g := &ReplayGuard{Nonces: NewMemoryNonceCache(2*DefaultWindow, clk.now), Now: clk.now}
	now := clk.now()
	if err := g.Check(now.Add(-59*time.Second), "n1"); err != nil {
		t.Fatal(err)
	}
	if err := g.Check(now.Add(59*time.Second), "n2"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ts    time.Time
		nonce string
		want  error
	}{
		{now, "n1", ErrReplayedNonce},
		{now.Add(-61 * time.Second), "n3", ErrStaleTimestamp},
		{now.Add(61 * time.Second), "n3", ErrStaleTimestamp},
		{now, "", ErrMissingNonce},
	} {
		if err := g.Check(tc.ts, tc.nonce); !errors.Is(err, tc.want) {
			t.Errorf("%v %q: %v, want %v", tc.ts, tc.nonce, err, tc.want)
		}
	}
	// A stale request did not use up its nonce.
	if err := g.Check(now, "n3"); err != nil {
		t.Fatal(err)
	}
	// The nonce stays remembered as long as any timestamp carrying it could be valid.
	clk.advance(119 * time.Second)
	if err := g.Check(clk.now(), "n1"); !errors.Is(err, ErrReplayedNonce) {
		t.Fatalf("n1 forgotten too early: %v", err)
	}
}

func TestMemoryNonceCacheBounded(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(time.Unix(0, 0))
	c := NewMemoryNonceCache(time.Minute, clk.now)
	for i := range 1000 {
		c.Add(fmt.Sprint(i), time.Time{})
		clk.advance(time.Second)
	}
	// Two generations of at most 60 nonces each.
	if n := c.Len(); n > 120 {
		t.Fatalf("cache holds %d nonces", n)
	}
	clk.advance(10 * time.Minute)
	c.Add("fresh", time.Time{})
	if n := c.Len(); n != 1 {
		t.Fatalf("after idling the cache holds %d nonces", n)
	}
}

func TestMemoryNonceCacheConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	c := NewMemoryNonceCache(time.Minute, nil)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if c.Add("same", time.Time{}) {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d goroutines won the same nonce", wins.Load())
	}
}
