package order

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Reads, as the viewer may see them: a buyer its own orders and instances, a seller its
// merchant's, the operator everything.

// Order returns an order v sees.
func (s *Service) Order(ctx context.Context, v market.Viewer, id string) (*market.Order, error) {
	o, err := s.db.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("order", id, o.BuyerID, o.MerchantID); err != nil {
		return nil, err
	}
	return o, nil
}

// Orders lists the orders v sees, newest first, narrowed by f.
func (s *Service) Orders(ctx context.Context, v market.Viewer, f store.OrderFilter) ([]*market.Order, store.Cursor, error) {
	var ok bool
	if f.BuyerID, f.MerchantID, ok = v.Scope(f.BuyerID, f.MerchantID); !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no orders to see")
	}
	return s.db.Orders(ctx, f)
}

// Instance returns an instance v sees.
func (s *Service) Instance(ctx context.Context, v market.Viewer, key string) (*market.Instance, error) {
	return s.instance(ctx, v, key)
}

func (s *Service) instance(ctx context.Context, v market.Viewer, key string) (*market.Instance, error) {
	in, err := s.db.Instance(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := v.Check("instance", key, in.BuyerID, in.MerchantID); err != nil {
		return nil, err
	}
	return in, nil
}

// Instances lists the instances v sees, narrowed by f.
func (s *Service) Instances(ctx context.Context, v market.Viewer, f store.InstanceFilter) ([]*market.Instance, store.Cursor, error) {
	var ok bool
	if f.BuyerID, f.MerchantID, ok = v.Scope(f.BuyerID, f.MerchantID); !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no instances to see")
	}
	return s.db.Instances(ctx, f)
}

// OrderWithBuyer returns an order v sees and its buyer's contact details, which the order's
// merchant receives with it (the open API's order query, protocol §8.3).
func (s *Service) OrderWithBuyer(ctx context.Context, v market.Viewer, id string) (*market.Order, *market.Buyer, error) {
	o, err := s.Order(ctx, v, id)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.db.Buyer(ctx, o.BuyerID)
	return o, b, err
}
