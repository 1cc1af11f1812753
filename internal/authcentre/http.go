package authcentre

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/kgp"
)

// maxForm bounds the token endpoint's and the login form's bodies.
const maxForm = 64 << 10

// Guard slows down guessing of passwords and client secrets: a client address that keeps
// failing is refused for a while. api.FailureLimiter is one; nil allows every attempt.
type Guard interface {
	Allow(r *http.Request) bool
	Failed(r *http.Request)
}

// Routes adds the auth centre to mux under prefix (the path of the configured AuthURL, e.g.
// "/authc"): each enterprise's endpoints live at {prefix}/{tenantCode}/api/v1/….
func (s *Service) Routes(mux *http.ServeMux, prefix string, guard Guard) {
	s.guard = guard
	base := strings.TrimSuffix(prefix, "/") + "/{tenant}"
	mux.HandleFunc("GET "+base+kgp.AuthPathLogin, s.loginPage)
	mux.HandleFunc("POST "+base+kgp.AuthPathLogin, s.loginSubmit)
	mux.HandleFunc("POST "+base+kgp.AuthPathToken, s.token)
	mux.HandleFunc("GET "+base+kgp.AuthPathUserInfo, s.userinfo)
	mux.HandleFunc("GET "+base+kgp.AuthPathLogout, s.logout)
}

// writeOAuth writes a token-endpoint or userinfo answer: JSON, never cached (RFC 6749 §5.1).
func writeOAuth(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// writeOAuthError answers an OAuth error with its status: 401 for a client or token that does
// not authenticate, 400 for everything else.
func writeOAuthError(w http.ResponseWriter, e *kgp.OAuthError) {
	status := http.StatusBadRequest
	switch e.Code {
	case kgp.OAuthInvalidClient:
		status = http.StatusUnauthorized
	case kgp.OAuthInvalidToken:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+e.Description+`"`)
	}
	writeOAuth(w, status, e)
}

// token is POST {domain}/api/v1/oauth2/token.
func (s *Service) token(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		writeOAuthError(w, oauthErr(kgp.OAuthInvalidRequest, "The request must be application/x-www-form-urlencoded"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, oauthErr(kgp.OAuthInvalidRequest, "The request body is not a form"))
		return
	}
	for k, v := range r.PostForm {
		if len(v) > 1 {
			writeOAuthError(w, oauthErr(kgp.OAuthInvalidRequest, "Parameter "+k+" is repeated"))
			return
		}
	}
	f := r.PostForm
	id, sec := f.Get("client_id"), f.Get("client_secret")
	if id == "" {
		if u, p, ok := r.BasicAuth(); ok {
			id, sec = u, p
		}
	}
	ctx := r.Context()
	e, err := s.db.EnterpriseByCode(ctx, r.PathValue("tenant"))
	if err != nil {
		e = &market.Enterprise{TenantID: "-"} // authenticates no client, in the same time
	}
	if !s.allow(r) {
		writeOAuth(w, http.StatusTooManyRequests, oauthErr("temporarily_unavailable", "Too many failed attempts from this address; retry in a minute"))
		return
	}
	app, refused := s.client(ctx, e, id, sec)
	if refused != nil {
		s.failed(r)
		writeOAuthError(w, refused)
		return
	}
	var out *kgp.TokenResponse
	switch f.Get("grant_type") {
	case kgp.GrantAuthorizationCode:
		out, refused, err = s.exchange(ctx, app, f.Get("code"), f.Get("redirect_uri"))
	case kgp.GrantRefreshToken:
		out, refused, err = s.refresh(ctx, app, f.Get("refresh_token"))
	case "":
		refused = oauthErr(kgp.OAuthInvalidRequest, "Missing grant_type")
	default:
		refused = oauthErr(kgp.OAuthUnsupportedGrantType, "Unsupported grant_type "+f.Get("grant_type"))
	}
	switch {
	case err != nil:
		s.log.Error("auth centre token", "err", err)
		writeOAuth(w, http.StatusInternalServerError, oauthErr("server_error", "The auth centre could not answer; try again"))
	case refused != nil:
		writeOAuthError(w, refused)
	default:
		writeOAuth(w, http.StatusOK, out)
	}
}

// userinfo is GET {domain}/api/v1/oauth2/userinfo with a Bearer access token.
func (s *Service) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	e, err := s.db.EnterpriseByCode(r.Context(), r.PathValue("tenant"))
	if !ok || token == "" || err != nil {
		writeOAuthError(w, oauthErr(kgp.OAuthInvalidToken, "The access token is invalid or expired"))
		return
	}
	info, refused := s.userInfo(r.Context(), e, token)
	if refused != nil {
		writeOAuthError(w, refused)
		return
	}
	writeOAuth(w, http.StatusOK, info)
}

func (s *Service) allow(r *http.Request) bool { return s.guard == nil || s.guard.Allow(r) }

func (s *Service) failed(r *http.Request) {
	if s.guard != nil {
		s.guard.Failed(r)
	}
}
