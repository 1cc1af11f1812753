package web

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
)

// routes is the consoles' own mux behind the shared middleware. Each role's handler group
// registers its routes in its own file (buyer_*.go; seller_*.go and operator_*.go join them).
func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", c.static())
	mux.HandleFunc("GET /login", c.loginPage)
	mux.HandleFunc("POST /login", c.loginSubmit)
	mux.HandleFunc("GET /login/link/{code}", c.followLink)
	mux.HandleFunc("POST /logout", c.logout)
	mux.HandleFunc("POST /lang", c.switchLang)
	c.registerStorefront(mux)
	c.registerBuyer(mux)
	c.registerSeller(mux)
	c.registerOperator(mux)
	c.registerAssets(mux)
	c.registerDeploy(mux)
	c.registerGapBuyer(mux)
	c.registerGapSeller(mux)
	// Whatever else is under the consoles' paths is the console's 404 page.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { c.notFound(w, r) })

	// Outermost first: headers on every answer, the session (error pages read it), cross-origin
	// refusal, then the viewer.
	var h http.Handler = mux
	h = c.withViewer(h)
	h = c.crossOrigin(h)
	h = c.sessions.LoadAndSave(h)
	h = securityHeaders(h)
	return h
}

// buyerRoute, sellerRoute and operatorRoute wrap a handler for one role: a visitor who is not
// signed in goes to the login page (and back afterwards); a viewer of another role gets the 404
// page, since the page is not theirs to know about.
func (c *Console) buyerRoute(h viewerHandler) http.Handler { return c.roleRoute(h, market.RoleBuyer) }

// sellerRoute wraps a seller console handler; see buyerRoute.
func (c *Console) sellerRoute(h viewerHandler) http.Handler { return c.roleRoute(h, market.RoleSeller) }

// operatorRoute wraps an operator console handler; see buyerRoute.
func (c *Console) operatorRoute(h viewerHandler) http.Handler {
	return c.roleRoute(h, market.RoleOperator)
}
