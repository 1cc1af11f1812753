package license

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Who reads licenses: the operator sees every code, a buyer its own instances' codes, a seller
// (or the merchant's software, through the open API) its merchant's. What a viewer may not see
// answers as not found.

func (s *Service) instance(ctx context.Context, v market.Viewer, key string) (*market.Instance, error) {
	in, err := s.db.Instance(ctx, key)
	if err != nil {
		return nil, err
	}
	return in, v.Check("instance", key, in.BuyerID, in.MerchantID)
}

// Licenses lists the codes of an instance (none for a SaaS instance).
func (s *Service) Licenses(ctx context.Context, v market.Viewer, key string) ([]*market.License, error) {
	if _, err := s.instance(ctx, v, key); err != nil {
		return nil, err
	}
	return s.db.LicensesOf(ctx, key)
}

// Receive records that the buyer has received an instance's codes, which lets the merchant's
// software activate them. A repeat keeps the first time. A released instance's codes cannot
// be received any more.
func (s *Service) Receive(ctx context.Context, v market.Viewer, key string) ([]*market.License, error) {
	in, err := s.instance(ctx, v, key)
	if err != nil {
		return nil, err
	}
	if in.Delivery != market.DeliveryLicense {
		return nil, market.Errorf(market.CodeConflict, "instance %s is not delivered with license codes", key)
	}
	if in.State == market.InstanceReleased || in.State == market.InstanceFailed {
		return nil, market.Errorf(market.CodeConflict, "instance %s is %s", key, in.State)
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ReceiveLicenses(ctx, key, s.clock.Now().UnixMilli())
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.db.LicensesOf(ctx, key)
}

// MaxHeartbeats is the most heartbeats one listing returns.
const MaxHeartbeats = 500

// Heartbeats lists a code's heartbeats and activations, newest first, at most limit (1 to
// MaxHeartbeats, default 100).
func (s *Service) Heartbeats(ctx context.Context, v market.Viewer, code string, limit int) ([]market.Heartbeat, error) {
	l, err := s.db.License(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := v.Check("license code", code, l.BuyerID, l.MerchantID); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	return s.db.Heartbeats(ctx, code, min(limit, MaxHeartbeats))
}
