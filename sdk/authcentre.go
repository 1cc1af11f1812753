package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mercato-oss/mercato/kgp"
)

// AuthCentre signs a joint-operation enterprise's users in to the merchant's application
// through the enterprise's auth centre (protocol §8.8), KooGallery's or a Mercato
// marketplace's: send the user to LoginURL; the auth centre returns it to the redirect address
// with ?code=…&tenant=… (ParseLogin); Exchange the code for tokens, read the user with UserInfo,
// Refresh before the access token's 2 hours are up, and send the user to LogoutURL to sign out.
// The token calls go through golang.org/x/oauth2 with the client credentials in the form body,
// as KooGallery wants them.
type AuthCentre struct {
	// Domain is the enterprise's auth centre address: tenantSync's domainName.
	Domain string
	// ClientID and ClientSecret are applicationSync's clientId and its clientSecret decrypted
	// with the merchant's RSA key (kgp.DecryptClientSecret).
	ClientID     string
	ClientSecret string
	// RedirectURL is where the auth centre returns the user; it must be one the merchant
	// registered.
	RedirectURL string
	// HTTP is the client for the token and userinfo calls; http.DefaultClient if nil.
	HTTP *http.Client
}

// Token is what a code or a refresh token is exchanged for.
type Token struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	Scope        string
	Expiry       time.Time
}

func (a *AuthCentre) base() string { return strings.TrimSuffix(a.Domain, "/") }

func (a *AuthCentre) config() *oauth2.Config {
	return &oauth2.Config{ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURL: a.RedirectURL,
		Endpoint: oauth2.Endpoint{AuthURL: a.base() + kgp.AuthPathLogin, TokenURL: a.base() + kgp.AuthPathToken, AuthStyle: oauth2.AuthStyleInParams}}
}

func (a *AuthCentre) ctx(ctx context.Context) context.Context {
	if a.HTTP != nil {
		return context.WithValue(ctx, oauth2.HTTPClient, a.HTTP)
	}
	return ctx
}

// LoginURL is the login page to send a user to; state comes back unchanged (use it against
// cross-site request forgery).
func (a *AuthCentre) LoginURL(state string) string { return a.config().AuthCodeURL(state) }

// LogoutURL ends the user's sign-on session at the auth centre and returns it to redirect.
func (a *AuthCentre) LogoutURL(redirect string) string {
	return a.base() + kgp.AuthPathLogout + "?redirect_url=" + url.QueryEscape(redirect)
}

// Login is what the auth centre's redirect brought back.
type Login struct {
	Code   string
	Tenant string // the enterprise's tenantCode
	State  string
}

// ParseLogin reads the auth centre's redirect. An error redirect (?error=…) is an *kgp.OAuthError.
func ParseLogin(r *http.Request) (*Login, error) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return nil, &kgp.OAuthError{Code: e, Description: q.Get("error_description")}
	}
	l := &Login{Code: q.Get("code"), Tenant: q.Get("tenant"), State: q.Get("state")}
	if l.Code == "" {
		return nil, errors.New("sdk: the login redirect carries no code")
	}
	return l, nil
}

// Exchange trades a login's code for tokens. A refused code is an *kgp.OAuthError
// (invalid_grant for a code that is wrong, spent or expired; invalid_client for a wrong
// secret).
func (a *AuthCentre) Exchange(ctx context.Context, code string) (*Token, error) {
	t, err := a.config().Exchange(a.ctx(ctx), code)
	return token(t, err)
}

// Refresh trades a refresh token for a new access token and refresh token; the old refresh
// token is spent.
func (a *AuthCentre) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	t, err := a.config().TokenSource(a.ctx(ctx), &oauth2.Token{RefreshToken: refreshToken}).Token()
	return token(t, err)
}

func token(t *oauth2.Token, err error) (*Token, error) {
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		if re.ErrorCode != "" {
			return nil, &kgp.OAuthError{Code: re.ErrorCode, Description: re.ErrorDescription}
		}
		if e := kgp.DecodeOAuthError(re.Body); e != nil {
			return nil, e
		}
	}
	if err != nil {
		return nil, err
	}
	scope, _ := t.Extra("scope").(string)
	return &Token{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, Scope: scope, Expiry: t.Expiry}, nil
}

// UserInfo returns the user an access token was issued for. An invalid or expired token is an
// *kgp.OAuthError with code invalid_token.
func (a *AuthCentre) UserInfo(ctx context.Context, accessToken string) (*kgp.UserInfo, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base()+kgp.AuthPathUserInfo, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	c := a.HTTP
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		if e := kgp.DecodeOAuthError(body); e != nil {
			return nil, e
		}
		return nil, fmt.Errorf("sdk: userinfo answered HTTP %d", resp.StatusCode)
	}
	var u kgp.UserInfo
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, fmt.Errorf("sdk: userinfo: %w", err)
	}
	return &u, nil
}
