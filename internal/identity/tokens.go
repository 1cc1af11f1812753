package identity

import (
	"context"
	"crypto/subtle"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// MinTokenLen is the shortest bearer token accepted in configuration: a token is a password
// that is never typed, so there is no reason for it to be short.
const MinTokenLen = 32

// CheckToken refuses a configured token too short or too plain to be a secret.
func CheckToken(name, token string) error {
	if len(token) < MinTokenLen {
		return market.Invalid(name, "%s must be at least %d characters (generate one with `openssl rand -hex 32`)", name, MinTokenLen)
	}
	distinct := map[rune]bool{}
	for _, r := range token {
		distinct[r] = true
	}
	if len(distinct) < 10 {
		return market.Invalid(name, "%s has only %d distinct characters: use a random token", name, len(distinct))
	}
	return nil
}

// Authenticate turns a bearer token into the viewer it stands for: the configured operator
// token, a stored (generated or rotated) operator token, a buyer's token, a seller user's (as a
// seller of its merchant, with its role; a disabled user is refused), or an enterprise user's
// access token from the auth centre.
func (s *Service) Authenticate(ctx context.Context, token string) (market.Viewer, error) {
	h := TokenHash(token)
	if s.operatorHash != "" && subtle.ConstantTimeCompare([]byte(h), []byte(s.operatorHash)) == 1 {
		return market.AsOperator(), nil
	}
	if ok, err := s.db.OperatorTokenExists(ctx, h); err != nil {
		return market.Viewer{}, err
	} else if ok {
		return market.AsOperator(), nil
	}
	unknown := market.Errorf(market.CodeUnauthorized, "unknown token")
	b, err := s.db.BuyerByTokenHash(ctx, h)
	if err == nil {
		return market.AsBuyer(b.CustomerID), nil
	}
	if market.ErrorCode(err) != market.CodeNotFound {
		return market.Viewer{}, err
	}
	u, err := s.db.SellerByTokenHash(ctx, h)
	if err == nil {
		if u.Disabled {
			return market.Viewer{}, unknown
		}
		return u.Viewer(), nil
	}
	if market.ErrorCode(err) != market.CodeNotFound {
		return market.Viewer{}, err
	}
	// An access token of the auth centre (joint operation) is an enterprise user's.
	if t, err := s.db.AuthToken(ctx, h); err == nil && t.Kind == market.TokenAccess && !t.Revoked && s.clock.Now().Before(t.ExpiresAt) {
		return market.AsEnterpriseUser(t.TenantID, t.UserName), nil
	}
	return market.Viewer{}, unknown
}

// EnsureOperatorToken makes sure the operator can log in: with no configured token and none
// stored, it generates one, stores its hash and returns it, to be shown once. It returns ""
// when a token exists already.
func (s *Service) EnsureOperatorToken(ctx context.Context) (string, error) {
	if s.operatorHash != "" {
		return "", nil
	}
	n, err := s.db.CountOperatorTokens(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	return s.rotate(ctx)
}

// RotateOperatorToken replaces the stored operator token with a new one and returns it. The
// configured token (MERCATO_OPERATOR_TOKEN), if any, stays valid: it is changed in the
// configuration.
func (s *Service) RotateOperatorToken(ctx context.Context, v market.Viewer) (string, error) {
	if err := v.MustBeOperator(); err != nil {
		return "", err
	}
	return s.rotate(ctx)
}

func (s *Service) rotate(ctx context.Context) (string, error) {
	token := "op_" + market.NewSecret(40)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.ReplaceOperatorTokens(ctx, TokenHash(token), s.clock.Now())
	})
	return token, err
}

// ReissueBuyerToken gives a buyer a new API token; the old one stops working at once.
func (s *Service) ReissueBuyerToken(ctx context.Context, v market.Viewer, buyerID string) (string, error) {
	if err := v.MustBeOperator(); err != nil {
		return "", err
	}
	token := "buyer_" + market.NewSecret(40)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Buyer(ctx, buyerID); err != nil {
			return err
		}
		return tx.SetBuyerTokenHash(ctx, buyerID, TokenHash(token))
	})
	return token, err
}
