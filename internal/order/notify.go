package order

import (
	"context"

	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Order notification (protocol §4.7): for products configured for it, a paid new, renewal,
// change or unsubscription order sends orderNotify; the merchant then queries the order. It is
// retried for three hours, then waits for a manual restart. An order is notified once, however
// many of its lines are configured.

// handleNotify registers orderNotify.
func (s *Service) handleNotify() {
	s.calls.Handle(fulfil.Activity{Name: string(kgp.ActivityOrderNotify), Window: fulfil.LongWindow, Answered: fulfil.Succeeded})
}

// notifies are the order types whose payment is notified.
var notifies = map[market.OrderType]bool{market.OrderNew: true, market.OrderRenew: true, market.OrderChange: true, market.OrderUnsubscribe: true}

// notifyPaid queues orderNotify for a paid order, in the order's transaction, when one of its
// lines is of a product configured for it. orderNotify is a 2.0 interface: 1.0 merchants get
// none.
func (s *Service) notifyPaid(ctx context.Context, tx *store.Tx, o *market.Order) error {
	if !notifies[o.Type] {
		return nil
	}
	m, err := tx.Merchant(ctx, o.MerchantID)
	if err != nil || m.Generation != 2 {
		return err
	}
	for _, l := range o.Lines {
		e, err := tx.CatalogEntry(ctx, l.ProductID)
		if err != nil {
			return err
		}
		if on, err := tx.OrderNotify(ctx, e.Product.ID); err != nil || !on {
			if err != nil {
				return err
			}
			continue
		}
		call, err := fulfil.NewCall(m, kgp.OrderNotify{OrderID: o.ID, OrderLineID: l.ID, TestFlag: kgp.TestFlagNormal})
		if err != nil {
			return err
		}
		call.ID, call.OrderID, call.InstanceKey = market.NewUUID(), o.ID, o.InstanceKey
		if first, err := tx.InsertOrderNotification(ctx, o.ID, l.ID, call.ID, s.clock.Now()); err != nil || !first {
			return err
		}
		return s.calls.Enqueue(ctx, tx, call, s.clock.Now())
	}
	return nil
}

// SetOrderNotify turns order notification on or off for a product: its merchant's sellers or
// the operator.
func (s *Service) SetOrderNotify(ctx context.Context, v market.Viewer, productID string, on bool) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		p, err := tx.Product(ctx, productID)
		if err != nil {
			return err
		}
		if !v.MayActFor(p.MerchantID) {
			return market.Errorf(market.CodeNotFound, "product %s not found", productID)
		}
		return tx.SetOrderNotify(ctx, productID, p.MerchantID, on, s.clock.Now())
	})
}

// OrderNotify reports whether a product's paid orders are notified.
func (s *Service) OrderNotify(ctx context.Context, v market.Viewer, productID string) (bool, error) {
	p, err := s.db.Product(ctx, productID)
	if err != nil {
		return false, err
	}
	if !v.MayActFor(p.MerchantID) {
		return false, market.Errorf(market.CodeNotFound, "product %s not found", productID)
	}
	return s.db.OrderNotify(ctx, productID)
}
