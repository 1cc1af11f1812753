// Package authcentre is the joint-operation auth centre (protocol §8.8): single sign-on for the
// users of an enterprise into the applications of its joint-operation purchases. Each
// enterprise has its own address (tenantSync's domainName, {AuthURL}/{tenantCode}); under it
// the login page issues authorization codes, the token endpoint exchanges them and refresh
// tokens (form-encoded, KooGallery's field names and OAuth 2.0 error bodies), the userinfo
// endpoint names the user, and logout ends the sign-on session.
//
// The OAuth server is written here rather than taken from a library: go-oauth2/oauth2's
// manager reads the wall clock for every expiry (the house rule is an injected clock, and a
// fake-clock test must be able to expire a token), fetches a code and removes it in two steps
// (two concurrent exchanges could both succeed), and keeps tokens outside the marketplace's
// transactions; ory/fosite has the same wall clock and a far larger model than four endpoints
// need. The merchant side (sdk.AuthCentre) uses golang.org/x/oauth2, whose client model fits.
package authcentre

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
	"github.com/mercato-oss/mercato/kgp"
)

// Config holds the lifetimes of what the auth centre issues.
type Config struct {
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	CodeTTL    time.Duration
	SessionTTL time.Duration
	// Scope is what token answers carry in scope (KooGallery does not document its values).
	Scope string
}

// DefaultConfig: access tokens 2 h and refresh tokens 30 days (§8.8), codes 5 minutes (RFC
// 6749 §4.1.2 recommends at most 10), sign-on sessions 8 hours.
func DefaultConfig() Config {
	return Config{AccessTTL: 2 * time.Hour, RefreshTTL: 30 * 24 * time.Hour, CodeTTL: 5 * time.Minute, SessionTTL: 8 * time.Hour, Scope: "all"}
}

// Service is the auth centre.
type Service struct {
	db    *store.DB
	clock market.Clock
	log   *slog.Logger
	cfg   Config
	guard Guard // set by Routes
}

// New returns the auth centre.
func New(db *store.DB, clock market.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	if db == nil || clock == nil || log == nil {
		return nil, errors.New("authcentre: New needs a database, a clock and a logger")
	}
	if cfg.AccessTTL <= 0 || cfg.RefreshTTL <= 0 || cfg.CodeTTL <= 0 || cfg.SessionTTL <= 0 {
		return nil, errors.New("authcentre: every lifetime must be positive")
	}
	return &Service{db: db, clock: clock, log: log, cfg: cfg}, nil
}

// Register adds nothing to the queue: expired grants are purged by Purge, which the server's
// tick calls.
func (s *Service) Register(*store.Jobs) {}

// Purge deletes what expired a day ago or more.
func (s *Service) Purge(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.PurgeAuthCentre(ctx, s.clock.Now().Add(-24*time.Hour)) })
}

func oauthErr(code, desc string) *kgp.OAuthError {
	return &kgp.OAuthError{Code: code, Description: desc}
}

// secret returns a new random secret and its stored hash.
func secret() (string, string) {
	v := market.NewSecret(43)
	return v, enterprise.HashSecret(v)
}

// dummySecretHash is compared against when a client is unknown, so that an unknown client and a
// wrong secret take the same time.
var dummySecretHash = enterprise.HashSecret("no such client")

// client authenticates an application of enterprise e by its client ID and secret, in
// constant time.
func (s *Service) client(ctx context.Context, e *market.Enterprise, id, sec string) (*market.TenantApp, *kgp.OAuthError) {
	a, hash, err := s.db.AppByClientID(ctx, id)
	known := err == nil && a.TenantID == e.TenantID
	if !known {
		hash = dummySecretHash
	}
	if !enterprise.SecretMatches(hash, sec) || !known {
		return nil, oauthErr(kgp.OAuthInvalidClient, "Client authentication failed")
	}
	return a, nil
}

// mayUse reports whether a user may sign in to an application: it exists, is enabled and is
// authorized on the application.
func (s *Service) mayUse(ctx context.Context, r store.Reader, tenantID, appID, userName string) (*market.EnterpriseUser, bool) {
	u, _, err := r.User(ctx, tenantID, userName)
	if err != nil || !u.Enabled {
		return nil, false
	}
	states, err := r.AuthStates(ctx, appID, []string{userName})
	return u, err == nil && states[userName] != ""
}

// issue stores a new access and refresh token pair for a user of an application.
func (s *Service) issue(ctx context.Context, tx *store.Tx, a *market.TenantApp, user, sessionHash, codeHash string) (*kgp.TokenResponse, error) {
	now := s.clock.Now()
	access, accessHash := secret()
	refresh, refreshHash := secret()
	for _, t := range []*market.AuthToken{
		{Hash: accessHash, Kind: market.TokenAccess, ExpiresAt: now.Add(s.cfg.AccessTTL)},
		{Hash: refreshHash, Kind: market.TokenRefresh, ExpiresAt: now.Add(s.cfg.RefreshTTL)},
	} {
		t.AppID, t.TenantID, t.UserName, t.SessionHash, t.CodeHash, t.CreatedAt = a.AppID, a.TenantID, user, sessionHash, codeHash, now
		if err := tx.InsertAuthToken(ctx, t); err != nil {
			return nil, err
		}
	}
	return &kgp.TokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(s.cfg.AccessTTL / time.Second), Scope: s.cfg.Scope,
		RefreshToken: refresh}, nil
}

// exchange trades an authorization code for tokens. A code works once: presented again, it is
// refused and the tokens it gave are revoked (RFC 6749 §4.1.2).
func (s *Service) exchange(ctx context.Context, a *market.TenantApp, code, redirectURI string) (*kgp.TokenResponse, *kgp.OAuthError, error) {
	bad := oauthErr(kgp.OAuthInvalidGrant, "Invalid authorization code")
	if code == "" {
		return nil, oauthErr(kgp.OAuthInvalidRequest, "Missing code"), nil
	}
	var out *kgp.TokenResponse
	var refused *kgp.OAuthError
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		hash := enterprise.HashSecret(code)
		c, first, err := tx.UseAuthCode(ctx, hash)
		switch {
		case market.ErrorCode(err) == market.CodeNotFound:
			refused = bad
			return nil
		case err != nil:
			return err
		case !first:
			refused = bad
			return tx.RevokeCodeTokens(ctx, hash)
		case c.AppID != a.AppID, !s.clock.Now().Before(c.ExpiresAt), redirectURI != "" && redirectURI != c.RedirectURI:
			refused = bad
			return nil
		}
		if _, ok := s.mayUse(ctx, tx.Reader, c.TenantID, c.AppID, c.UserName); !ok {
			refused = oauthErr(kgp.OAuthInvalidGrant, "The user may no longer use this application")
			return nil
		}
		out, err = s.issue(ctx, tx, a, c.UserName, c.SessionHash, hash)
		return err
	})
	return out, refused, err
}

// refresh trades a refresh token for a new pair; the old one is spent.
func (s *Service) refresh(ctx context.Context, a *market.TenantApp, token string) (*kgp.TokenResponse, *kgp.OAuthError, error) {
	bad := oauthErr(kgp.OAuthInvalidGrant, "Invalid refresh token")
	if token == "" {
		return nil, oauthErr(kgp.OAuthInvalidRequest, "Missing refresh_token"), nil
	}
	var out *kgp.TokenResponse
	var refused *kgp.OAuthError
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		t, err := tx.AuthToken(ctx, enterprise.HashSecret(token))
		if err != nil || t.Kind != market.TokenRefresh || t.Revoked || t.AppID != a.AppID || !s.clock.Now().Before(t.ExpiresAt) {
			refused = bad
			return nil
		}
		if live, err := tx.RevokeAuthToken(ctx, t.Hash); err != nil || !live {
			refused = bad
			return err
		}
		if _, ok := s.mayUse(ctx, tx.Reader, t.TenantID, t.AppID, t.UserName); !ok {
			refused = oauthErr(kgp.OAuthInvalidGrant, "The user may no longer use this application")
			return nil
		}
		out, err = s.issue(ctx, tx, a, t.UserName, t.SessionHash, t.CodeHash)
		return err
	})
	return out, refused, err
}

// userInfo names the user of a live access token of enterprise e.
func (s *Service) userInfo(ctx context.Context, e *market.Enterprise, token string) (*kgp.UserInfo, *kgp.OAuthError) {
	bad := oauthErr(kgp.OAuthInvalidToken, "The access token is invalid or expired")
	t, err := s.db.AuthToken(ctx, enterprise.HashSecret(token))
	if err != nil || t.Kind != market.TokenAccess || t.Revoked || t.TenantID != e.TenantID || !s.clock.Now().Before(t.ExpiresAt) {
		return nil, bad
	}
	u, ok := s.mayUse(ctx, s.db.Reader, t.TenantID, t.AppID, t.UserName)
	if !ok {
		return nil, bad
	}
	return &kgp.UserInfo{UserName: u.UserName, Name: u.Name, Tenant: e.TenantCode, TenantID: e.TenantID, Role: u.Role, OrgCode: u.OrgCode,
		Email: u.Email, Mobile: u.Mobile}, nil
}
