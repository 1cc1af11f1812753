package authcentre

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// The login page: a merchant's application sends its user to
// {domain}/api/v1/oauth2/authorize?client_id=…&redirect_uri=…&response_type=code&state=…; a
// user signed in already (the sign-on session's cookie) goes straight back, others sign in
// first. Back at the application: redirect_uri?code=…&tenant={tenantCode}&state=….

const (
	sessionCookie = "mercato_sso"
	csrfCookie    = "mercato_sso_csrf"
)

// authorizeRequest is a checked login request.
type authorizeRequest struct {
	tenant   *market.Enterprise
	app      *market.TenantApp
	redirect string
	state    string
}

// parseAuthorize checks a login request's enterprise, client and redirect address. Problems
// with them are shown on the page, never redirected to an address that was not registered
// (RFC 6749 §4.1.2.1).
func (s *Service) parseAuthorize(ctx context.Context, tenantCode string, q url.Values) (*authorizeRequest, string) {
	e, err := s.db.EnterpriseByCode(ctx, tenantCode)
	if err != nil {
		return nil, "This sign-in address belongs to no enterprise."
	}
	a, _, err := s.db.AppByClientID(ctx, q.Get("client_id"))
	if err != nil || a.TenantID != e.TenantID {
		return nil, "The application asking you to sign in is not one of this enterprise's."
	}
	k, err := s.db.KitKey(ctx, a.MerchantID)
	if err != nil {
		return nil, "The application has registered no address to return to."
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" && len(k.RedirectURIs) == 1 {
		redirect = k.RedirectURIs[0]
	}
	if !registered(redirect, k.RedirectURIs) {
		return nil, "The application asked to return to an address it has not registered."
	}
	if t := q.Get("response_type"); t != "" && t != "code" {
		return nil, "The application asked for a response type other than code."
	}
	if len(q.Get("state")) > 512 {
		return nil, "The request's state is too long."
	}
	return &authorizeRequest{tenant: e, app: a, redirect: redirect, state: q.Get("state")}, ""
}

// registered reports whether u is one of the registered addresses, query aside: an application
// may carry its own parameters back.
func registered(u string, list []string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Fragment != "" {
		return false
	}
	for _, r := range list {
		q, err := url.Parse(r)
		if err == nil && p.Scheme == q.Scheme && p.Host == q.Host && p.Path == q.Path {
			return true
		}
	}
	return false
}

// loginPage answers GET: back at once for a signed-in user, the form for others.
func (s *Service) loginPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, problem := s.parseAuthorize(ctx, r.PathValue("tenant"), r.URL.Query())
	if ar == nil {
		page(w, http.StatusBadRequest, pageData{Title: "Cannot sign in", Message: problem})
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		sess, err := s.db.AuthSession(ctx, enterprise.HashSecret(c.Value))
		if err == nil && sess.TenantID == ar.tenant.TenantID && s.clock.Now().Before(sess.ExpiresAt) {
			if _, ok := s.mayUse(ctx, s.db.Reader, sess.TenantID, ar.app.AppID, sess.UserName); ok {
				s.complete(w, r, ar, sess.UserName, sess.Hash, "")
				return
			}
		}
	}
	s.form(w, r, ar, http.StatusOK, "")
}

// form shows the login form with a fresh CSRF token (double-submitted: cookie and field).
func (s *Service) form(w http.ResponseWriter, r *http.Request, ar *authorizeRequest, status int, problem string) {
	csrf := market.NewSecret(32)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: r.URL.Path, HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	page(w, status, pageData{Title: "Sign in to " + ar.tenant.Name, Form: true, Problem: problem, App: ar.app.Name, ClientID: ar.app.ClientID,
		Redirect: ar.redirect, State: ar.state, CSRF: csrf, UserName: r.PostFormValue("userName")})
}

// loginSubmit answers the form: a wrong user name and a wrong password get the same answer in
// the same time.
func (s *Service) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		page(w, http.StatusBadRequest, pageData{Title: "Cannot sign in", Message: "The form could not be read."})
		return
	}
	ar, problem := s.parseAuthorize(ctx, r.PathValue("tenant"), r.PostForm)
	if ar == nil {
		page(w, http.StatusBadRequest, pageData{Title: "Cannot sign in", Message: problem})
		return
	}
	if !s.allow(r) {
		s.form(w, r, ar, http.StatusTooManyRequests, "Too many failed sign-ins from this address; please wait a minute.")
		return
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.form(w, r, ar, http.StatusForbidden, "The sign-in form expired; please sign in again.")
		return
	}
	name := r.PostFormValue("userName")
	_, hash, err := s.db.User(ctx, ar.tenant.TenantID, name)
	if err != nil {
		hash = ""
	}
	if !enterprise.CheckPassword(hash, r.PostFormValue("password")) {
		s.failed(r)
		s.form(w, r, ar, http.StatusUnauthorized, "Incorrect user name or password.")
		return
	}
	if _, ok := s.mayUse(ctx, s.db.Reader, ar.tenant.TenantID, ar.app.AppID, name); !ok {
		s.form(w, r, ar, http.StatusForbidden, "Your account may not use "+ar.app.Name+"; ask your enterprise's administrator.")
		return
	}
	s.complete(w, r, ar, name, "", market.NewSecret(43))
}

// complete issues a code and sends the user back to the application. A new sign-in (session
// given) opens the sign-on session too.
func (s *Service) complete(w http.ResponseWriter, r *http.Request, ar *authorizeRequest, user, sessionHash, newSession string) {
	now := s.clock.Now()
	code, codeHash := secret()
	err := s.db.Write(r.Context(), func(tx *store.Tx) error {
		if newSession != "" {
			sessionHash = enterprise.HashSecret(newSession)
			if err := tx.InsertAuthSession(r.Context(), &market.AuthSession{Hash: sessionHash, TenantID: ar.tenant.TenantID, UserName: user,
				ExpiresAt: now.Add(s.cfg.SessionTTL), CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.InsertAuthCode(r.Context(), &market.AuthCode{Hash: codeHash, AppID: ar.app.AppID, TenantID: ar.tenant.TenantID, UserName: user,
			RedirectURI: ar.redirect, SessionHash: sessionHash, ExpiresAt: now.Add(s.cfg.CodeTTL), CreatedAt: now})
	})
	if err != nil {
		s.log.Error("auth centre sign-in", "err", err)
		page(w, http.StatusInternalServerError, pageData{Title: "Cannot sign in", Message: "Something went wrong; please try again."})
		return
	}
	if newSession != "" {
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: newSession, Path: sessionPath(r), HttpOnly: true, Secure: r.TLS != nil,
			SameSite: http.SameSiteLaxMode, MaxAge: int(s.cfg.SessionTTL.Seconds())})
	}
	u, _ := url.Parse(ar.redirect)
	q := u.Query()
	q.Set("code", code)
	q.Set("tenant", ar.tenant.TenantCode)
	if ar.state != "" {
		q.Set("state", ar.state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// sessionPath is the enterprise's part of the auth centre ({prefix}/{tenantCode}): the cookie
// goes to its endpoints only, not to other enterprises'.
func sessionPath(r *http.Request) string {
	p, _, _ := strings.Cut(r.URL.Path, "/api/v1/")
	if p == "" {
		return "/"
	}
	return p
}

// logout is GET {domain}/api/v1/logout?redirect_url=…: it ends the sign-on session and revokes
// the tokens issued under it, then returns to redirect_url if that is an address of one of the
// enterprise's applications.
func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e, err := s.db.EnterpriseByCode(ctx, r.PathValue("tenant"))
	if err != nil {
		page(w, http.StatusNotFound, pageData{Title: "Not found", Message: "This address belongs to no enterprise."})
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		hash := enterprise.HashSecret(c.Value)
		if sess, err := s.db.AuthSession(ctx, hash); err == nil && sess.TenantID == e.TenantID {
			if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.EndAuthSession(ctx, hash) }); err != nil {
				s.log.Error("auth centre logout", "err", err)
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: sessionPath(r), HttpOnly: true, Secure: r.TLS != nil, MaxAge: -1})
	if to := r.URL.Query().Get("redirect_url"); to != "" && s.returnAllowed(ctx, e, to) {
		http.Redirect(w, r, to, http.StatusFound)
		return
	}
	page(w, http.StatusOK, pageData{Title: "Signed out", Message: "You are signed out of " + e.Name + "."})
}

// returnAllowed reports whether to is on a registered address (scheme and host) of the merchant
// of one of the enterprise's applications.
func (s *Service) returnAllowed(ctx context.Context, e *market.Enterprise, to string) bool {
	t, err := url.Parse(to)
	if err != nil || (t.Scheme != "https" && t.Scheme != "http") {
		return false
	}
	apps, err := s.db.Apps(ctx, e.TenantID, "")
	if err != nil {
		return false
	}
	for _, a := range apps {
		k, err := s.db.KitKey(ctx, a.MerchantID)
		if err != nil {
			continue
		}
		for _, r := range k.RedirectURIs {
			if u, err := url.Parse(r); err == nil && u.Scheme == t.Scheme && u.Host == t.Host {
				return true
			}
		}
	}
	return false
}

type pageData struct {
	Title, Message, Problem              string
	Form                                 bool
	App, ClientID, Redirect, State, CSRF string
	UserName                             string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}main{max-width:22rem;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .3rem}input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #bbb;border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.6rem;border:0;border-radius:4px;background:#c7000b;color:#fff;font-size:1rem}.problem{color:#c7000b}</style>
</head><body><main><h1>{{.Title}}</h1>
{{if .Form}}<p>{{.App}} asks you to sign in. 登录以继续。</p>{{if .Problem}}<p class="problem" role="alert">{{.Problem}}</p>{{end}}
<form method="post"><input type="hidden" name="client_id" value="{{.ClientID}}"><input type="hidden" name="redirect_uri" value="{{.Redirect}}">
<input type="hidden" name="state" value="{{.State}}"><input type="hidden" name="response_type" value="code"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="u">User name / 用户名</label><input type="text" id="u" name="userName" value="{{.UserName}}" autocomplete="username" required>
<label for="p">Password / 密码</label><input type="password" id="p" name="password" autocomplete="current-password" required>
<button type="submit">Sign in / 登录</button></form>
{{else}}<p>{{.Message}}</p>{{end}}
</main></body></html>`))

func page(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline';")
	w.WriteHeader(status)
	pageTemplate.Execute(w, d)
}
