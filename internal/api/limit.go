package api

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FailureLimiter slows down guessing: each client address may fail authentication Burst times
// at once and then once every Every; past that its requests are refused with 429 until it has
// waited. Successful requests cost nothing. A nil limiter allows everything.
type FailureLimiter struct {
	every time.Duration
	burst int
	mu    sync.Mutex
	addrs map[string]*rate.Limiter
}

// maxTracked bounds the addresses remembered; when it is reached the memory starts over, which
// at worst gives an attacker a fresh burst.
const maxTracked = 10_000

// NewFailureLimiter allows burst failures at once per address, then one every every.
func NewFailureLimiter(every time.Duration, burst int) *FailureLimiter {
	return &FailureLimiter{every: every, burst: burst, addrs: map[string]*rate.Limiter{}}
}

func (l *FailureLimiter) limiter(r *http.Request) *rate.Limiter {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.addrs[host]
	if lim == nil {
		if len(l.addrs) >= maxTracked {
			l.addrs = map[string]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.addrs[host] = lim
	}
	return lim
}

// Allow reports whether r's address may try to authenticate now.
func (l *FailureLimiter) Allow(r *http.Request) bool {
	return l == nil || l.limiter(r).Tokens() >= 1
}

// Failed records a failed authentication from r's address.
func (l *FailureLimiter) Failed(r *http.Request) {
	if l != nil {
		l.limiter(r).Allow()
	}
}
