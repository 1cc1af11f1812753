package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/market"
)

// Signing in (docs/consoles.md): buyers and the operator sign in with their API token (buyers
// have no passwords yet; the operator's token is MERCATO_OPERATOR_TOKEN or the one generated at
// the first start); seller users with their merchant ID, user name and password. The session
// then holds who signed in, not the credential.

// loginPage shows the sign-in forms; next is where to go afterwards.
func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	v := c.newView(r, "login.title")
	v.Data = map[string]string{"Next": safeNext(r.URL.Query().Get("next"))}
	c.render(w, r, http.StatusOK, "login", v)
}

func (c *Console) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "error.code.invalid")
		return
	}
	f := newForm(r)
	next := safeNext(r.PostForm.Get("next"))
	var p identity.Principal
	var err error
	limited := c.cfg.Limiter != nil && !c.cfg.Limiter.Allow(r)
	if limited {
		f.Add("form", "error.code.too_many")
	}
	switch {
	case limited:
	case r.PostForm.Get("mode") == "password":
		merchant, name, pw := strings.TrimSpace(f.Get("merchant")), strings.TrimSpace(f.Get("user")), f.Get("password")
		for field, val := range map[string]string{"merchant": merchant, "user": name, "password": pw} {
			if val == "" {
				f.Add(field, "err.required")
			}
		}
		if !f.Any() {
			p, err = c.svc.Identity.SignInSeller(r.Context(), merchant, name, pw)
			if err != nil {
				f.Add("password", "login.denied")
			}
		}
	default:
		token := strings.TrimSpace(f.Get("token"))
		if token == "" {
			f.Add("token", "err.required")
		} else if p, err = c.svc.Identity.SignInWithToken(r.Context(), token); err != nil {
			f.Add("token", "login.denied")
		}
	}
	if err != nil && market.ErrorCode(err) != market.CodeUnauthorized {
		c.fail(w, r, err)
		return
	}
	if err != nil && c.cfg.Limiter != nil {
		c.cfg.Limiter.Failed(r)
	}
	if f.Any() {
		f.Values.Del("password") // a password is never sent back
		f.Values.Del("token")
		v := c.newView(r, "login.title")
		v.Form = f
		v.Data = map[string]string{"Next": next, "Mode": r.PostForm.Get("mode")}
		c.render(w, r, http.StatusUnprocessableEntity, "login", v)
		return
	}
	if err := c.signIn(r.Context(), p); err != nil {
		c.fail(w, r, err)
		return
	}
	if next == "/" {
		next = homeOf(p.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// homeOf is where a role lands after signing in without a destination.
func homeOf(role market.Role) string {
	switch role {
	case market.RoleBuyer:
		return "/my/"
	case market.RoleSeller:
		return "/seller/"
	case market.RoleOperator:
		return "/operator/"
	}
	return "/"
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if err := c.sessions.Destroy(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// switchLang remembers a language for a year (also for visitors who are not signed in) and
// goes back to the page the switch was on.
func (c *Console) switchLang(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.FormValue("lang")
	if _, ok := c.texts.byLang[lang]; ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: c.cfg.Secure, SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, safeNext(r.FormValue("back")), http.StatusSeeOther)
}
