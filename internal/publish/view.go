package publish

import (
	"context"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Reads: "My applications" for sellers (every role reads), the review queue for the operator.

// Applications lists applications v sees, narrowed by f: a seller's own merchant's, anyone's
// for the operator. f.Queue lists the oldest submission first, as the review queue does.
func (s *Service) Applications(ctx context.Context, v market.Viewer, f store.ApplicationFilter) ([]*market.Application, store.Cursor, error) {
	var ok bool
	if _, f.MerchantID, ok = v.Scope("", f.MerchantID); !ok || v.Role == market.RoleBuyer {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "applications are for sellers and the operator")
	}
	return s.db.Applications(ctx, f)
}

// ApplicationDetail is an application with its recorded transitions.
type ApplicationDetail struct {
	*market.Application
	Transitions []*market.Transition
}

// Application returns an application v sees, with its history.
func (s *Service) Application(ctx context.Context, v market.Viewer, id string) (*ApplicationDetail, error) {
	app, err := s.db.Application(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("application", id, "", app.MerchantID); err != nil {
		return nil, err
	}
	if app.State == market.AppDeleted && !v.IsOperator() {
		return nil, market.Errorf(market.CodeNotFound, "application %s not found", id)
	}
	ts, err := s.db.Transitions(ctx, id)
	return &ApplicationDetail{Application: app, Transitions: ts}, err
}

// Listing returns a product's approved listing, for its merchant's sellers and the operator
// (a draft's listing is its release application's).
func (s *Service) Listing(ctx context.Context, v market.Viewer, productID string) (*market.Listing, error) {
	if _, err := catalog.OwnProduct(ctx, s.db.Reader, v, productID); err != nil {
		return nil, err
	}
	return listingOf(ctx, s.db.Reader, productID)
}
