package web

import (
	"context"
	"net/http"

	"github.com/alexedwards/scs/v2"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
)

// Session keys. A session holds the principal (role and ID), never a credential; the viewer is
// rebuilt from it at every request.
const (
	sessionRole = "role"
	sessionID   = "id"
	// sessionFlash is a message key shown once on the next page (after a redirect).
	sessionFlash = "flash"
	// langCookie remembers the language switch, also for visitors who are not signed in.
	langCookie = "mercato_lang"
)

func newSessionManager(cfg Config) *scs.SessionManager {
	m := scs.New()
	m.Store = cfg.Sessions
	m.Lifetime = cfg.SessionLifetime
	m.IdleTimeout = cfg.IdleTimeout
	m.Cookie.Name = "mercato_session"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Secure = cfg.Secure
	m.Cookie.Path = "/"
	m.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		cfg.Log.Error("web session", "path", r.URL.Path, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
	return m
}

// principal is the signed-in principal of the request's session.
func (c *Console) principal(ctx context.Context) (identity.Principal, bool) {
	role := c.sessions.GetString(ctx, sessionRole)
	if role == "" {
		return identity.Principal{}, false
	}
	return identity.Principal{Role: market.Role(role), ID: c.sessions.GetString(ctx, sessionID)}, true
}

// signIn starts a fresh session for p: a new token, so a token planted before sign-in (session
// fixation) is worth nothing after it.
func (c *Console) signIn(ctx context.Context, p identity.Principal) error {
	if err := c.sessions.RenewToken(ctx); err != nil {
		return err
	}
	c.sessions.Put(ctx, sessionRole, string(p.Role))
	c.sessions.Put(ctx, sessionID, p.ID)
	return nil
}

// flash keeps a message key for the next page.
func (c *Console) flash(ctx context.Context, key string) { c.sessions.Put(ctx, sessionFlash, key) }
