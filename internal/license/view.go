package license

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Viewer is who reads licenses: the operator (both fields empty, sees everything), a buyer
// (its own instances' codes) or a merchant (its own codes). What a viewer may not see answers
// as not found.
type Viewer struct {
	BuyerID    string
	MerchantID string
}

func (v Viewer) sees(buyerID, merchantID string) bool {
	return (v.BuyerID == "" || v.BuyerID == buyerID) && (v.MerchantID == "" || v.MerchantID == merchantID)
}

func (s *Service) instance(ctx context.Context, v Viewer, key string) (*market.Instance, error) {
	in, err := s.DB.Instance(ctx, key)
	if market.ErrorCode(err) == market.CodeNotFound || err == nil && !v.sees(in.BuyerID, in.MerchantID) {
		return nil, market.Errorf(market.CodeNotFound, "instance %s not found", key)
	}
	return in, err
}

// Licenses lists the codes of an instance (none for a SaaS instance).
func (s *Service) Licenses(ctx context.Context, v Viewer, key string) ([]*market.License, error) {
	if _, err := s.instance(ctx, v, key); err != nil {
		return nil, err
	}
	return s.DB.LicensesOf(ctx, key)
}

// Receive records that the buyer has received an instance's codes, which lets the merchant's
// software activate them. A repeat keeps the first time. A released instance's codes cannot
// be received any more.
func (s *Service) Receive(ctx context.Context, v Viewer, key string) ([]*market.License, error) {
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
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ReceiveLicenses(ctx, key, s.Clock.Now().UnixMilli())
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.DB.LicensesOf(ctx, key)
}

// MaxHeartbeats is the most heartbeats one listing returns.
const MaxHeartbeats = 500

// Heartbeats lists a code's heartbeats and activations, newest first, at most limit (1 to
// MaxHeartbeats, default 100).
func (s *Service) Heartbeats(ctx context.Context, v Viewer, code string, limit int) ([]market.Heartbeat, error) {
	l, err := s.DB.License(ctx, code)
	if market.ErrorCode(err) == market.CodeNotFound || err == nil && !v.sees(l.BuyerID, l.MerchantID) {
		return nil, market.Errorf(market.CodeNotFound, "license code %s not found", code)
	}
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	return s.DB.Heartbeats(ctx, code, min(limit, MaxHeartbeats))
}
