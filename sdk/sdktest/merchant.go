// Package sdktest is a configurable KooGallery merchant for tests: the SDK's production-interface
// handler (sdk.Handler) over an in-memory store, with knobs that make it fail, answer 000004,
// leave out appInfo, go down, be slow, hang or provision in the background, and faults that
// break one rule of the protocol at a time. It serves both interface generations (2.0 POST, 1.0
// GET) and the kit syncs of both on one URL, and records every request it receives.
//
// The marketplace's tests and benchmarks provision against it, `mercato demo` runs it, and the
// conformance checker's tests prove that each fault is caught. It imports nothing internal, so
// a merchant's own tests may use it too; production merchants start from examples/merchant.
package sdktest

import (
	"crypto/rsa"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// Options are fixed for the life of a Merchant.
type Options struct {
	// Key is the access key bound to the basic interfaces (required).
	Key string
	// KitKey is the access key bound to the kit interfaces; empty refuses kit calls (000001).
	KitKey string
	// EncryptType encrypts appInfo credentials: kgp.EncryptAES256 if empty.
	EncryptType kgp.EncryptType
	// ClientKey decrypts applicationSync clientSecrets; nil accepts any.
	ClientKey *rsa.PrivateKey
	// ProvisionBudget is how long the SDK waits for NewInstance before answering 000004: the
	// SDK's 3 s if zero. Only Knobs.ProvisionDelay makes NewInstance take any time.
	ProvisionBudget time.Duration
	// Logger receives the SDK's logs; nothing is logged if nil.
	Logger *slog.Logger
}

// Merchant is an http.Handler serving one production URL. Its methods are safe for concurrent
// use, also while it serves.
type Merchant struct {
	// URL is the production URL when the Merchant listens (Start, NewServer); empty otherwise.
	URL string
	// Key and KitKey are Options.Key and Options.KitKey.
	Key, KitKey string

	opts  Options
	sdk   *sdk.Handler
	srv   *httptest.Server
	done  chan struct{} // closed by Close: delays and hangs end
	close sync.Once

	mu        sync.Mutex
	knobs     Knobs
	requests  []Request
	instances map[string]*Instance
	kit       map[string]bool // kit entities held, by kitKeys' names
	async     map[string]int  // instance ID → queries to leave it out of; -1 once ready
	creating  map[string]int  // order line → newInstance requests in flight (RacyCreate)
}

// Request is one request the Merchant received.
type Request struct {
	Activity   kgp.Activity   // a kit sync is named by its interface, such as "tenantSync"
	Generation kgp.Generation // of the interface: 1.0 GET or 2.0 POST, kit v1 or v2
	Kit        bool           // a kit sync (under .../produceAPI/)
	Body       []byte         // the 2.0 or kit JSON body, or the 1.0 query string
	Status     int            // the HTTP status answered; 0 if the caller gave up first
	Result     kgp.ResultCode // the resultCode answered
}

// Instance is the merchant's own record of an instance it created.
type Instance struct {
	ID, OrderID, OrderLineID, ProductID, SkuCode string // as the creating call (or a 1.0 upgrade) said
	ExpireTime                                   string // yyyyMMddHHmmss, the last one received
	Frozen, Released                             bool   // by the last status change, by a release
	Refreshes, Upgrades                          int    // refreshInstance and upgrade calls applied
}

// New returns a Merchant that does not listen: serve it yourself (httptest.NewTLSServer, a
// mux) and Close it before its server.
func New(o Options) (*Merchant, error) {
	if o.Key == "" {
		return nil, errors.New("sdktest: Options.Key is required")
	}
	m := &Merchant{Key: o.Key, KitKey: o.KitKey, opts: o, done: make(chan struct{}),
		knobs:     Knobs{Delay: map[kgp.Activity]time.Duration{}, Fail: map[kgp.Activity]int{}},
		instances: map[string]*Instance{}, kit: map[string]bool{}, async: map[string]int{}, creating: map[string]int{}}
	h, err := sdk.NewHandler(sdk.Config{Key: o.Key, KitKey: o.KitKey, EncryptType: o.EncryptType, Store: newMemStore(),
		ProvisionBudget: o.ProvisionBudget, Logger: o.Logger,
		// §4.1's recommendation, and what lets a checker see an instance a refused request made.
		NewInstanceID: func(c *sdk.NewInstanceCall) string { return c.BusinessID }}, business{m})
	if err != nil {
		return nil, err
	}
	m.sdk = h
	return m, nil
}

// Start returns a Merchant listening on a loopback port at URL; Close stops it.
func Start(o Options) (*Merchant, error) {
	m, err := New(o)
	if err != nil {
		return nil, err
	}
	m.srv = httptest.NewServer(m)
	m.URL = m.srv.URL + "/produce"
	return m, nil
}

// NewServer starts a Merchant for a test and closes it when the test ends.
func NewServer(t testing.TB, o Options) *Merchant {
	t.Helper()
	m, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

// Close ends delays and hangs, stops the listener (if any) and background provisioning.
func (m *Merchant) Close() {
	m.close.Do(func() {
		close(m.done)
		if m.srv != nil {
			m.srv.Close()
		}
		m.sdk.Close()
	})
}

// Set changes the knobs; change runs under the Merchant's lock, so several knobs change at
// once. The maps of Knobs are never nil.
func (m *Merchant) Set(change func(k *Knobs)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	change(&m.knobs)
}

// Requests returns the requests received so far, oldest first.
func (m *Merchant) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.requests...)
}

// Count returns how many requests of an activity were received.
func (m *Merchant) Count(a kgp.Activity) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, r := range m.requests {
		if r.Activity == a {
			n++
		}
	}
	return n
}

// Instance returns the merchant's record of an instance.
func (m *Merchant) Instance(id string) (Instance, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.instances[id]
	if !ok {
		return Instance{}, false
	}
	return *in, true
}

// Instances returns how many instances the merchant created.
func (m *Merchant) Instances() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.instances)
}

// record appends a received request and returns its index, for finish.
func (m *Merchant) record(r Request) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = append(m.requests, r)
	return len(m.requests) - 1
}

// finish records what request i was answered.
func (m *Merchant) finish(i, status int, code kgp.ResultCode) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[i].Status, m.requests[i].Result = status, code
}

// wait holds a request for d; it reports false when the caller gave up or the Merchant closed.
func (m *Merchant) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-m.done:
	}
	return false
}
