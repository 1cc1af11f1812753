package sdktest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mercato-oss/mercato/sdk"
)

// memStore is an sdk.Store in memory: a test merchant needs no state directory and leaves
// nothing behind, and links no SQLite. One lock makes every method atomic, which gives the
// guarantees sdk.Store asks of a database (a reservation is an insert under a unique key).
// Everything returned is a copy, as a database's rows would be.
type memStore struct {
	mu     sync.Mutex
	byID   map[string]*sdk.Instance
	byKey  map[string]string    // idempotency key → instance ID
	byLine map[[2]string]string // (orderId, orderLineId) → instance ID
	ops    map[string]sdk.OpState
	kit    map[[2]string]string // (kind, key) → state hash
}

var _ sdk.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{byID: map[string]*sdk.Instance{}, byKey: map[string]string{}, byLine: map[[2]string]string{},
		ops: map[string]sdk.OpState{}, kit: map[[2]string]string{}}
}

// clone copies an instance with its appInfo and stored call.
func clone(in *sdk.Instance) *sdk.Instance {
	out := *in
	if in.AppInfo != nil {
		a := *in.AppInfo
		out.AppInfo = &a
	}
	out.Call = slices.Clone(in.Call)
	return &out
}

// InstanceByLine implements sdk.Store.
func (s *memStore) InstanceByLine(_ context.Context, orderID, orderLineID string) (*sdk.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.byLine[[2]string{orderID, orderLineID}]; ok {
		return clone(s.byID[id]), nil
	}
	return nil, nil
}

// Reserve implements sdk.Store.
func (s *memStore) Reserve(_ context.Context, in *sdk.Instance) (*sdk.Instance, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, found := s.byKey[in.Key]
	if !found {
		if other, taken := s.byID[in.ID]; taken {
			return nil, false, fmt.Errorf("sdktest: instance ID %s already belongs to %q", in.ID, other.Key)
		}
		stored := clone(in)
		if stored.Created.IsZero() {
			stored.Created = time.Now()
		}
		stored.Updated = time.Now()
		id, s.byID[in.ID], s.byKey[in.Key] = in.ID, stored, in.ID
	}
	if in.OrderLineID != "" {
		line := [2]string{in.OrderID, in.OrderLineID}
		if _, ok := s.byLine[line]; !ok {
			s.byLine[line] = id
		}
	}
	return clone(s.byID[id]), !found, nil
}

// Instances implements sdk.Store.
func (s *memStore) Instances(_ context.Context, ids ...string) (map[string]*sdk.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]*sdk.Instance, len(ids))
	for _, id := range ids {
		if in, ok := s.byID[id]; ok {
			out[id] = clone(in)
		}
	}
	return out, nil
}

// RetryProvision implements sdk.Store.
func (s *memStore) RetryProvision(_ context.Context, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.byID[id]
	if !ok || in.Provision != sdk.ProvisionFailed {
		return false, nil
	}
	in.Provision, in.Attempt, in.FailCode, in.FailMsg, in.Updated = sdk.ProvisionPending, in.Attempt+1, "", "", time.Now()
	return true, nil
}

// FinishProvision implements sdk.Store.
func (s *memStore) FinishProvision(_ context.Context, id string, out sdk.ProvisionOutcome) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.byID[id]
	if !ok || in.Provision != sdk.ProvisionPending {
		return nil
	}
	in.Provision, in.EncryptType, in.FailCode, in.FailMsg, in.Updated = out.State, out.EncryptType, out.Code, out.Msg, time.Now()
	in.AppInfo = nil
	if out.AppInfo != nil {
		a := *out.AppInfo
		in.AppInfo = &a
	}
	return nil
}

// PendingProvisions implements sdk.Store.
func (s *memStore) PendingProvisions(context.Context) ([]*sdk.Instance, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*sdk.Instance
	for _, in := range s.byID {
		if in.Provision == sdk.ProvisionPending {
			out = append(out, clone(in))
		}
	}
	slices.SortFunc(out, func(a, b *sdk.Instance) int { return a.Created.Compare(b.Created) })
	return out, nil
}

// ClaimOp implements sdk.Store.
func (s *memStore) ClaimOp(_ context.Context, key, _ string) (sdk.OpState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state, ok := s.ops[key]; ok {
		return state, nil
	}
	s.ops[key] = sdk.OpRunning
	return sdk.OpClaimed, nil
}

// FinishOp implements sdk.Store.
func (s *memStore) FinishOp(_ context.Context, key string, c sdk.InstanceChange) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops[key] = sdk.OpDone
	in, ok := s.byID[c.InstanceID]
	if !ok {
		return nil
	}
	if c.Status != "" && c.Status != in.Status {
		in.Status, in.Version = c.Status, in.Version+1
	}
	in.ExpireTime = cmp.Or(c.ExpireTime, in.ExpireTime)
	in.ProductID = cmp.Or(c.ProductID, in.ProductID)
	in.Updated = time.Now()
	return nil
}

// AbandonOp implements sdk.Store.
func (s *memStore) AbandonOp(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops[key] == sdk.OpRunning {
		delete(s.ops, key)
	}
	return nil
}

// KitHashes implements sdk.Store.
func (s *memStore) KitHashes(_ context.Context, kind string, keys []string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if h, ok := s.kit[[2]string{kind, k}]; ok {
			out[k] = h
		}
	}
	return out, nil
}

// SetKitHashes implements sdk.Store.
func (s *memStore) SetKitHashes(_ context.Context, kind string, hashes map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, h := range hashes {
		s.kit[[2]string{kind, k}] = h
	}
	return nil
}

// Recover implements sdk.Store. A store in memory starts empty: there is nothing to recover.
func (s *memStore) Recover(context.Context) error { return nil }

// Close implements sdk.Store.
func (s *memStore) Close() error { return nil }
