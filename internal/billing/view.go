package billing

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Account returns a buyer's balance and latest entries, for the buyer and the operator.
func (s *Service) Account(ctx context.Context, v market.Viewer, buyerID string, limit int) (market.Money, []market.Entry, error) {
	if err := v.Check("account of buyer", buyerID, buyerID, ""); err != nil {
		return 0, nil, err
	}
	if _, err := s.db.Buyer(ctx, buyerID); err != nil {
		return 0, nil, err
	}
	return s.db.Account(ctx, buyerID, limit)
}

// Bills lists bills, newest first: a buyer's own, or the operator's choice of buyer ("" for
// every buyer).
func (s *Service) Bills(ctx context.Context, v market.Viewer, buyerID string, p store.Page) ([]*market.Bill, store.Cursor, error) {
	buyerID, _, ok := v.Scope(buyerID, "")
	if !ok || v.Role == market.RoleSeller {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "bills are the buyers'; sellers read statements")
	}
	return s.db.Bills(ctx, buyerID, p)
}

// Statements lists monthly statements, newest first: a seller's merchant's, or the operator's
// choice of merchant ("" for every merchant). Buyers have none.
func (s *Service) Statements(ctx context.Context, v market.Viewer, merchantID string, limit int) ([]*market.Statement, error) {
	if v.Role == market.RoleBuyer {
		return nil, market.Errorf(market.CodeForbidden, "statements are the merchants'")
	}
	_, merchantID, ok := v.Scope("", merchantID)
	if !ok {
		return nil, market.Errorf(market.CodeForbidden, "no statements to see")
	}
	return s.db.Statements(ctx, merchantID, limit)
}
