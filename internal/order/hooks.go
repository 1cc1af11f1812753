package order

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Other features act in the order's transactions through hooks, registered when the
// marketplace is wired (before the queue starts), so that the order package need not know them:
// supervision opens service flows, hardware takes stock and opens shipments, renewal schedules
// reminders and auto-renewals.

// PurchaseHook runs in a purchase's transaction once the order is stored and paid, before its
// instances are stored: it may refuse the purchase (an error rolls everything back) or adjust
// the instances (a supervised period instance's validity waits for acceptance).
type PurchaseHook func(ctx context.Context, tx *store.Tx, o *market.Order, ins []*market.Instance) error

// ExpiryHook runs in each transaction that gives an instance a new expiry (purchase, renewal,
// conversion, cancelled renewal, validity started at acceptance).
type ExpiryHook func(ctx context.Context, tx *store.Tx, in *market.Instance) error

// OnPurchase registers a purchase hook.
func (s *Service) OnPurchase(h PurchaseHook) { s.onPurchase = append(s.onPurchase, h) }

// OnExpirySet registers an expiry hook.
func (s *Service) OnExpirySet(h ExpiryHook) { s.onExpiry = append(s.onExpiry, h) }
