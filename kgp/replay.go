package kgp

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultWindow is how far a request timestamp may be from the receiver's clock (§3.8).
const DefaultWindow = 60 * time.Second

// Replay errors. A stale timestamp is answered with ResultInvalidParam (000002) by Huawei's demo
// and with ResultAuthFailed (000001) by the documentation; KooGallery treats both as rejections.
var (
	ErrStaleTimestamp = errors.New("kgp: timestamp outside the allowed window")
	ErrReplayedNonce  = errors.New("kgp: nonce already used")
	ErrMissingNonce   = errors.New("kgp: nonce missing")
)

// NonceCache remembers nonces until they expire. Add records nonce and reports whether it was
// new; it must be safe for concurrent use. Implementations backed by a shared store (a database
// table with a unique key, Redis SET NX) let several replicas reject each other's replays.
type NonceCache interface {
	Add(nonce string, expires time.Time) bool
}

// ReplayGuard rejects requests whose timestamp is outside Window of Now, and nonces seen before.
// Nonces are kept for twice the window, so one cannot be replayed while its timestamp is valid.
type ReplayGuard struct {
	Window time.Duration    // zero means DefaultWindow
	Nonces NonceCache       // nil disables the nonce check
	Now    func() time.Time // nil means time.Now
}

// Check validates a request's timestamp and nonce. The nonce is recorded only when the
// timestamp is valid, so stale requests cannot fill the cache.
func (g *ReplayGuard) Check(timestamp time.Time, nonce string) error {
	window := g.Window
	if window == 0 {
		window = DefaultWindow
	}
	now := time.Now()
	if g.Now != nil {
		now = g.Now()
	}
	if d := now.Sub(timestamp); d > window || d < -window {
		return fmt.Errorf("%w: %s off", ErrStaleTimestamp, d.Round(time.Millisecond))
	}
	if g.Nonces == nil {
		return nil
	}
	if nonce == "" {
		return ErrMissingNonce
	}
	if !g.Nonces.Add(nonce, now.Add(2*window)) {
		return ErrReplayedNonce
	}
	return nil
}

// MemoryNonceCache is an in-memory NonceCache. It keeps two generations of nonces and drops the
// older one each time a TTL has passed, so memory stays bounded by the nonces of two TTLs without
// a sweeper goroutine. A nonce is remembered for at least TTL after it was added.
type MemoryNonceCache struct {
	mu       sync.Mutex
	ttl      time.Duration
	now      func() time.Time
	rotateAt time.Time
	cur      map[string]struct{}
	prev     map[string]struct{}
}

// NewMemoryNonceCache returns a cache that remembers nonces for ttl (at least). now may be nil.
func NewMemoryNonceCache(ttl time.Duration, now func() time.Time) *MemoryNonceCache {
	if now == nil {
		now = time.Now
	}
	return &MemoryNonceCache{ttl: ttl, now: now, cur: map[string]struct{}{}, prev: map[string]struct{}{}}
}

// Add implements NonceCache. The expiry argument is ignored in favour of the cache's own TTL,
// which ReplayGuard users should set to at least twice their window.
func (c *MemoryNonceCache) Add(nonce string, _ time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !now.Before(c.rotateAt) {
		if now.Sub(c.rotateAt) >= c.ttl { // idle for a whole TTL: both generations are stale
			c.prev = map[string]struct{}{}
		} else {
			c.prev = c.cur
		}
		c.cur = map[string]struct{}{}
		c.rotateAt = now.Add(c.ttl)
	}
	if _, ok := c.cur[nonce]; ok {
		return false
	}
	if _, ok := c.prev[nonce]; ok {
		return false
	}
	c.cur[nonce] = struct{}{}
	return true
}

// Len reports how many nonces the cache holds.
func (c *MemoryNonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.prev)
}
