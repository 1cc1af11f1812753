package web

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
)

// followLink signs in with a one-time link (identity.NewLoginLink; `mercato demo --stay` prints
// them) and goes to the principal's home page. A used, expired or unknown link is the 410 page:
// the visitor signs in the usual way.
func (c *Console) followLink(w http.ResponseWriter, r *http.Request) {
	p, err := c.svc.Identity.SignInWithLink(r.Context(), r.PathValue("code"))
	if market.ErrorCode(err) == market.CodeUnauthorized {
		c.errorPage(w, r, http.StatusGone, "login.link_invalid")
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if err := c.signIn(r.Context(), p); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, homeOf(p.Role), http.StatusSeeOther)
}
