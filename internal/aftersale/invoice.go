package aftersale

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Invoices (rules §3.1): an order with an invoice outstanding is not unsubscribed until the
// invoice is returned, and no invoice is issued while an unsubscription is pending.

// IssueInvoice records an invoice issued for one of the buyer's orders. It is refused while an
// unsubscription of the order's instance is open (rules §3.1: requesting an invoice while an
// unsubscription is pending makes it fail; the marketplace refuses the invoice instead).
func (s *Service) IssueInvoice(ctx context.Context, v market.Viewer, orderID string) (*market.Invoice, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	inv := &market.Invoice{OrderID: orderID, BuyerID: v.BuyerID, State: market.InvoiceIssued, IssuedAt: s.clock.Now()}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(ctx, orderID)
		if err != nil {
			return err
		}
		if err := v.Check("order", orderID, o.BuyerID, o.MerchantID); err != nil {
			return err
		}
		if o.Amount <= 0 || o.Type == market.OrderUnsubscribe {
			return market.Errorf(market.CodeConflict, "order %s has nothing to invoice", orderID)
		}
		for _, l := range o.Lines {
			k := o.InstanceKey // a renewal's or a change's instance
			if k == "" {
				k = l.ID // a new order's line names its instance
			}
			if u, err := tx.OpenUnsubscription(ctx, k); err == nil {
				return market.Errorf(market.CodeConflict, "instance %s has an open unsubscription %s: no invoice while it is pending (rules §3.1)", k, u.ID)
			}
		}
		fresh, err := tx.InsertInvoice(ctx, inv)
		if err == nil && !fresh {
			err = market.Errorf(market.CodeConflict, "order %s already has an invoice", orderID)
		}
		return err
	})
	return inv, err
}

// ReturnInvoice records an order's invoice returned (退票), which lets the order be unsubscribed.
func (s *Service) ReturnInvoice(ctx context.Context, v market.Viewer, orderID string) (*market.Invoice, error) {
	if err := v.MustBeBuyer(); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		o, err := tx.Order(ctx, orderID)
		if err != nil {
			return err
		}
		if err := v.Check("order", orderID, o.BuyerID, o.MerchantID); err != nil {
			return err
		}
		ok, err := tx.ReturnInvoice(ctx, orderID, s.clock.Now())
		if err == nil && !ok {
			err = market.Errorf(market.CodeConflict, "order %s has no outstanding invoice", orderID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.db.Invoice(ctx, orderID)
}
