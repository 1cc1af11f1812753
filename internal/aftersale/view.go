package aftersale

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Detail is a request as its viewer may see it: the buyer's contact only for the operator, or
// for the seller when the buyer agreed to share it; where to send returned goods; the log.
type Detail struct {
	*market.Unsubscription
	Email, Mobile string
	ReturnAddress string
	Steps         []*market.Evidence
}

// Unsubscription returns a request to its buyer ("My unsubscriptions"), its merchant's sellers
// ("Unsubscriptions") and the operator.
func (s *Service) Unsubscription(ctx context.Context, v market.Viewer, id string) (*Detail, error) {
	u, err := s.db.Unsubscription(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := v.Check("unsubscription", id, u.BuyerID, u.MerchantID); err != nil {
		return nil, err
	}
	d := &Detail{Unsubscription: u}
	if v.IsOperator() || v.Role == market.RoleSeller && u.ShareContact {
		b, err := s.db.Buyer(ctx, u.BuyerID)
		if err != nil {
			return nil, err
		}
		d.Email, d.Mobile = b.Email, b.Mobile
	}
	if u.Kind == market.UnsubReceived {
		in, err := s.db.Instance(ctx, u.InstanceKey)
		if err != nil {
			return nil, err
		}
		if d.ReturnAddress, err = s.hardware.ReturnAddress(ctx, s.db.Reader, in.SkuCode); err != nil {
			return nil, err
		}
	}
	d.Steps, err = s.db.Evidence(ctx, Subject(id))
	return d, err
}

// Unsubscriptions lists the requests v sees, newest first: a buyer's own, a seller's merchant's,
// the operator's choice.
func (s *Service) Unsubscriptions(ctx context.Context, v market.Viewer, f store.UnsubFilter) ([]*market.Unsubscription, store.Cursor, error) {
	var ok bool
	if f.BuyerID, f.MerchantID, ok = v.Scope(f.BuyerID, f.MerchantID); !ok {
		return nil, store.Cursor{}, market.Errorf(market.CodeForbidden, "no unsubscriptions to see")
	}
	return s.db.Unsubscriptions(ctx, f)
}
