package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/mercato-oss/mercato/internal/market"
)

// contentSecurityPolicy allows the consoles' own files only: no inline script or style, no
// eval, no framing, forms posted to the consoles alone. htmx is told not to inject its indicator
// style (meta htmx-config in the layout), and uPlot styles its elements through the CSSOM,
// which the policy does not restrict.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every console answer carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests from other origins (Go's CrossOriginProtection:
// Sec-Fetch-Site, or Origin against Host), with the console's own error page.
func (c *Console) crossOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, http.StatusForbidden, "error.crossorigin")
	}))
	return p.Handler(next)
}

// withViewer rebuilds the viewer of a signed-in session at every request, so a disabled user or
// a changed role takes effect at once; a session whose user is gone is ended.
func (c *Console) withViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := c.principal(r.Context())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		v, err := c.svc.Identity.SessionViewer(r.Context(), p)
		if err != nil {
			if market.ErrorCode(err) != market.CodeUnauthorized {
				c.fail(w, r, err)
				return
			}
			c.sessions.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	})
}

// viewerHandler is a console handler that needs a signed-in viewer.
type viewerHandler func(w http.ResponseWriter, r *http.Request, v market.Viewer)

func (c *Console) roleRoute(h viewerHandler, role market.Role) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := viewerOf(r)
		if !ok {
			c.toLogin(w, r)
			return
		}
		if v.Role != role {
			c.notFound(w, r)
			return
		}
		h(w, r, v)
	})
}

// toLogin sends a visitor to the login page, which sends them back to where they were going
// (a GET's own address; after a POST, the page the form was on).
func (c *Console) toLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		next = "/"
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
			next = ref.RequestURI()
		}
	}
	if r.Header.Get("HX-Request") == "true" {
		// htmx follows HX-Redirect with a whole-page load; a 200 keeps an error out of the console.
		if cur, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && cur.Host == r.Host {
			next = cur.RequestURI()
		}
		w.Header().Set("HX-Redirect", "/login?next="+url.QueryEscape(next))
		w.WriteHeader(http.StatusOK)
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
}

// safeNext keeps a post-login destination on this site: a path, never another host.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.IsAbs() || u.Host != "" || len(next) > 1024 || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return "/"
	}
	return u.RequestURI()
}
