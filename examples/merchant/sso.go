package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk"
)

// Single sign-on of joint-operation users (protocol §8.8). A user of an enterprise opens
// /-/sso/login?tenant=<tenantCode>; the merchant sends it to the enterprise's auth centre (the
// tenant's domainName from tenantSync), which returns it to /-/sso/callback with a code; the
// merchant exchanges the code with the application's client credentials (from applicationSync,
// the secret decrypted with its RSA key), reads the user, and signs it in. /-/sso/me shows who
// is signed in; /-/sso/logout signs out at the auth centre too.

const (
	ssoCookie   = "demo_sso"
	stateCookie = "demo_sso_state"
)

// sessions are the demo's signed-in users, in memory.
type sessions struct {
	mu sync.Mutex
	m  map[string]*kgp.UserInfo
}

func (s *sessions) put(u *kgp.UserInfo) string {
	id := randomHex()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*kgp.UserInfo{}
	}
	s.m[id] = u
	return id
}

func (s *sessions) get(id string) *kgp.UserInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[id]
}

func randomHex() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (m *merchant) ssoRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /-/sso/login", m.ssoLogin)
	mux.HandleFunc("GET /-/sso/callback", m.ssoCallback)
	mux.HandleFunc("GET /-/sso/me", m.ssoMe)
	mux.HandleFunc("GET /-/sso/logout", m.ssoLogout)
}

// authCentre is the client of a tenant's auth centre for one of its applications with a
// decrypted secret.
func (m *merchant) authCentre(tenantCode string) (*sdk.AuthCentre, bool) {
	var ac *sdk.AuthCentre
	m.db.view(func(s *state) {
		for _, t := range s.Tenants {
			if t.Code != tenantCode {
				continue
			}
			for _, a := range s.Apps {
				if a.TenantID == t.TenantID && a.InstanceID == t.InstanceID && a.Secret != "" {
					ac = &sdk.AuthCentre{Domain: t.Domain, ClientID: a.ClientID, ClientSecret: a.Secret, RedirectURL: m.cfg.PublicURL + "/-/sso/callback"}
					return
				}
			}
		}
	})
	return ac, ac != nil
}

func (m *merchant) ssoLogin(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenant")
	ac, ok := m.authCentre(tenant)
	if !ok {
		http.Error(w, "no enterprise "+tenant+" with an application here", http.StatusNotFound)
		return
	}
	state := randomHex()
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: "/-/sso/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	http.Redirect(w, r, ac.LoginURL(state), http.StatusFound)
}

func (m *merchant) ssoCallback(w http.ResponseWriter, r *http.Request) {
	login, err := sdk.ParseLogin(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if c, err := r.Cookie(stateCookie); err != nil || c.Value != login.State {
		http.Error(w, "the sign-in did not start here", http.StatusBadRequest)
		return
	}
	ac, ok := m.authCentre(login.Tenant)
	if !ok {
		http.Error(w, "no enterprise "+login.Tenant+" with an application here", http.StatusNotFound)
		return
	}
	tok, err := ac.Exchange(r.Context(), login.Code)
	if err != nil {
		m.log.Warn("sso: code refused", "tenant", login.Tenant, "err", err)
		http.Error(w, "sign-in refused: "+err.Error(), http.StatusForbidden)
		return
	}
	u, err := ac.UserInfo(r.Context(), tok.AccessToken)
	if err != nil {
		http.Error(w, "userinfo: "+err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: m.sessions.put(u), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	m.log.Info("sso: signed in", "tenant", u.Tenant, "user", u.UserName, "role", u.Role)
	http.Redirect(w, r, "/-/sso/me", http.StatusFound)
}

func (m *merchant) ssoMe(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(ssoCookie)
	var u *kgp.UserInfo
	if err == nil {
		u = m.sessions.get(c.Value)
	}
	if u == nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, fmt.Sprintf("Signed in to %s as %s (%s, %s, department %s)\n", u.Tenant, u.UserName, u.Name, u.Role, u.OrgCode))
}

func (m *merchant) ssoLogout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/", MaxAge: -1})
	ac, ok := m.authCentre(r.URL.Query().Get("tenant"))
	if !ok {
		io.WriteString(w, "signed out\n")
		return
	}
	http.Redirect(w, r, ac.LogoutURL(m.cfg.PublicURL+"/-/health"), http.StatusFound)
}
