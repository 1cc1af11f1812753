package openapi

import (
	"context"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
)

// keyTTL is how long an AK/SK pair read from the database is trusted without reading it again.
// Pairs are never changed or deleted today; the TTL bounds how long a future revocation could go
// unnoticed by a running server.
const keyTTL = 10 * time.Second

// maxCachedKeys bounds the cache; it is emptied when full (unknown AKs are never cached, so only
// real keys fill it).
const maxCachedKeys = 10_000

// keyCache remembers AK/SK pairs briefly: every open-API call looks its AK up, and under a
// heartbeat load that read was the largest cost of a request. The zero value is ready.
type keyCache struct {
	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key   *market.APIKey
	until time.Time
}

// apiKey returns the pair of an AK, from the cache while it is fresh. It uses wall time, like
// the signature's date check: it is transport, not business.
func (h *Handler) apiKey(ctx context.Context, ak string) (*market.APIKey, error) {
	now := time.Now()
	h.keys.mu.Lock()
	c, ok := h.keys.m[ak]
	h.keys.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.key, nil
	}
	k, err := h.Catalog.APIKey(ctx, ak)
	if err != nil {
		return nil, err
	}
	h.keys.mu.Lock()
	if h.keys.m == nil || len(h.keys.m) >= maxCachedKeys {
		h.keys.m = make(map[string]cachedKey)
	}
	h.keys.m[ak] = cachedKey{key: k, until: now.Add(keyTTL)}
	h.keys.mu.Unlock()
	return k, nil
}
