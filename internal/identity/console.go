package identity

import (
	"context"

	"github.com/mercato-oss/mercato/internal/market"
)

// Principal is who a console session belongs to. A session stores it instead of a credential:
// the viewer is rebuilt from it at every request (SessionViewer), so that a seller user who is
// disabled or changes role is affected at its next click, not at its next login.
type Principal struct {
	Role market.Role
	// ID is the buyer's customer ID or the seller user's ID; empty for the operator.
	ID string
}

// SignInWithToken turns an API token into a console principal: the operator's token, a buyer's
// or a seller user's. Enterprise users' access tokens are refused: they sign in at the auth
// centre. Failures are the unauthorized error Authenticate gives.
func (s *Service) SignInWithToken(ctx context.Context, token string) (Principal, error) {
	v, err := s.Authenticate(ctx, token)
	if err != nil {
		return Principal{}, err
	}
	switch {
	case v.Role == market.RoleOperator:
		return Principal{Role: market.RoleOperator}, nil
	case v.Role == market.RoleBuyer:
		return Principal{Role: market.RoleBuyer, ID: v.BuyerID}, nil
	case v.Role == market.RoleSeller && v.UserID != "":
		return Principal{Role: market.RoleSeller, ID: v.UserID}, nil
	}
	return Principal{}, market.Errorf(market.CodeUnauthorized, "this token cannot sign in to the consoles")
}

// SignInSeller checks a seller user's password for a console session. Unlike Login it issues no
// token, so signing in to the console leaves the user's API token working.
func (s *Service) SignInSeller(ctx context.Context, merchantID, name, password string) (Principal, error) {
	u, err := s.checkSellerPassword(ctx, merchantID, name, password)
	if err != nil {
		return Principal{}, err
	}
	return Principal{Role: market.RoleSeller, ID: u.ID}, nil
}

// SessionViewer rebuilds the viewer of a console session's principal. A buyer that no longer
// exists or a disabled seller user is unauthorized, which ends the session.
func (s *Service) SessionViewer(ctx context.Context, p Principal) (market.Viewer, error) {
	gone := market.Errorf(market.CodeUnauthorized, "the session's user no longer signs in")
	switch p.Role {
	case market.RoleOperator:
		return market.AsOperator(), nil
	case market.RoleBuyer:
		if _, err := s.db.Buyer(ctx, p.ID); err != nil {
			if market.ErrorCode(err) == market.CodeNotFound {
				return market.Viewer{}, gone
			}
			return market.Viewer{}, err
		}
		return market.AsBuyer(p.ID), nil
	case market.RoleSeller:
		u, err := s.db.SellerUser(ctx, p.ID)
		if err != nil {
			if market.ErrorCode(err) == market.CodeNotFound {
				return market.Viewer{}, gone
			}
			return market.Viewer{}, err
		}
		if u.Disabled {
			return market.Viewer{}, gone
		}
		return u.Viewer(), nil
	}
	return market.Viewer{}, gone
}
