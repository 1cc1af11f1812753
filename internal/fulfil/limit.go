package fulfil

import "sync"

// merchantLimit bounds the calls in flight to each merchant, so that a merchant that hangs holds
// a few workers and not all of them. A merchant whose last calls all timed out is held to one
// call at a time, a probe, until a call reaches it again.
type merchantLimit struct {
	mu       sync.Mutex
	max      int
	inFlight map[string]int
	timeouts map[string]int // consecutive attempts that got no answer
}

// sickAfter is how many consecutive unanswered attempts put a merchant on probation.
const sickAfter = 3

func newMerchantLimit(max int) *merchantLimit {
	return &merchantLimit{max: max, inFlight: map[string]int{}, timeouts: map[string]int{}}
}

// acquire takes a slot for merchant m, or reports that its slots are all taken.
func (l *merchantLimit) acquire(m string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := l.max
	if l.timeouts[m] >= sickAfter {
		limit = 1
	}
	if l.inFlight[m] >= limit {
		return false
	}
	l.inFlight[m]++
	return true
}

// release gives the slot back and records whether the merchant answered at all.
func (l *merchantLimit) release(m string, answered bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight[m]--; l.inFlight[m] <= 0 {
		delete(l.inFlight, m)
	}
	if answered {
		delete(l.timeouts, m)
	} else {
		l.timeouts[m]++
	}
}
