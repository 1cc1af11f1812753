package identity

import (
	"context"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// One-time sign-in links (`mercato demo --stay` prints one per role): a random code whose hash is
// stored with the principal it signs in; the first request that follows the link uses it up. Their
// expiry is wall time, like the sessions they start, not the business clock.

// NewLoginLink returns the code of a link that signs p in once within ttl. Only the operator may
// make one: it stands for the principal's credentials.
func (s *Service) NewLoginLink(ctx context.Context, v market.Viewer, p Principal, ttl time.Duration) (string, error) {
	if err := v.MustBeOperator(); err != nil {
		return "", err
	}
	if p.Role != market.RoleOperator && p.ID == "" {
		return "", market.Errorf(market.CodeInvalid, "a %s link needs the principal's ID", p.Role)
	}
	code := "ln_" + market.NewSecret(32)
	now := time.Now()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertConsoleLink(ctx, TokenHash(code), string(p.Role), p.ID, now.Add(ttl), now)
	})
	return code, err
}

// SignInWithLink uses up the link of code and returns whom it signs in. An unknown, expired or
// used link is unauthorized; of two requests racing with one link, one wins.
func (s *Service) SignInWithLink(ctx context.Context, code string) (Principal, error) {
	var p Principal
	var ok bool
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		role, subject, claimed, err := tx.ClaimConsoleLink(ctx, TokenHash(code), time.Now())
		p, ok = Principal{Role: market.Role(role), ID: subject}, claimed
		return err
	})
	if err != nil {
		return Principal{}, err
	}
	if !ok {
		return Principal{}, market.Errorf(market.CodeUnauthorized, "this sign-in link is unknown, expired or already used")
	}
	return p, nil
}
