// Package api is the marketplace's JSON API for operators, sellers and buyers (docs/api.md): bearer
// tokens, JSON in and out, errors as {"error":{"code","message","field"}}, lists a page at a
// time with a next link. It reads and acts only through the services, which decide from the
// caller's market.Viewer what it may see and do.
package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/aftersale"
	"github.com/mercato-oss/mercato/internal/appeal"
	"github.com/mercato-oss/mercato/internal/assets"
	"github.com/mercato-oss/mercato/internal/billing"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/dialtest"
	"github.com/mercato-oss/mercato/internal/enterprise"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/inbox"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/notify"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/promo"
	"github.com/mercato-oss/mercato/internal/publish"
	"github.com/mercato-oss/mercato/internal/renewal"
	"github.com/mercato-oss/mercato/internal/resale"
	"github.com/mercato-oss/mercato/internal/supervision"
)

// API serves /api/v1.
type API struct {
	Catalog  *catalog.Service
	Identity *identity.Service
	Orders   *order.Service
	Calls    *fulfil.Dispatcher
	Metering *metering.Service
	Billing  *billing.Service
	Licenses *license.Service
	Cloud    *cloud.Service
	// Assets is the asset centre (docs/review.md).
	Assets  *assets.Service
	Publish *publish.Service
	Dial    *dialtest.Service
	Notify  *notify.Service
	Resale  *resale.Service
	// Enterprises is the joint-operation identity model.
	Enterprises *enterprise.Service
	// After the sale (docs/after-sale.md).
	Aftersale   *aftersale.Service
	Supervision *supervision.Service
	Appeals     *appeal.Service
	Hardware    *hardware.Service
	Vouchers    *promo.Service
	Renewal     *renewal.Service
	Inbox       *inbox.Service
	// Deploy is auto-deploy: templates, the price table, deployments.
	Deploy *deploy.Service
	Log    *slog.Logger
	// Clock is the sandbox's test clock; nil outside the sandbox, where its routes answer 404.
	Clock TestClock
	// Limiter refuses addresses that keep presenting wrong tokens; nil allows every attempt.
	Limiter *FailureLimiter
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, v market.Viewer) error

// Prefix is where the API is served.
const Prefix = "/api/v1/"

// Mux is what Register adds routes to: an *http.ServeMux (or a recorder, in tests).
type Mux interface {
	Handle(pattern string, h http.Handler)
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// Register adds the API's routes to mux, and answers every other path under Prefix (and a
// wrong method on a known path) in the API's error shape.
func (a *API) Register(mux Mux) {
	mux.Handle("GET "+SpecPath, http.HandlerFunc(serveSpec))
	mux.Handle("POST /api/v1/merchants", a.auth(a.createMerchant))
	mux.Handle("GET /api/v1/merchants", a.auth(a.listMerchants))
	mux.Handle("GET /api/v1/merchants/{id}", a.auth(a.getMerchant))
	mux.Handle("PATCH /api/v1/merchants/{id}", a.auth(a.updateMerchant))
	mux.Handle("POST /api/v1/merchants/{id}/keys", a.auth(a.issueKey))
	mux.Handle("POST /api/v1/products", a.auth(a.createProduct))
	mux.Handle("GET /api/v1/products", a.auth(a.listProducts))
	mux.Handle("GET /api/v1/products/{id}", a.auth(a.getProduct))
	mux.Handle("GET /api/v1/catalog", a.auth(a.listCatalog))
	mux.Handle("POST /api/v1/buyers", a.auth(a.createBuyer))
	mux.Handle("GET /api/v1/buyers", a.auth(a.listBuyers))
	mux.Handle("GET /api/v1/buyers/{id}", a.auth(a.getBuyer))
	mux.Handle("POST /api/v1/buyers/{id}/token", a.auth(a.reissueBuyerToken))
	mux.Handle("POST /api/v1/operator/token", a.auth(a.rotateOperatorToken))
	mux.Handle("GET /api/v1/calls", a.auth(a.listCalls))
	mux.Handle("GET /api/v1/calls/{id}", a.auth(a.getCall))
	mux.Handle("POST /api/v1/calls/{id}/restart", a.auth(a.restartCall))
	mux.Handle("POST /api/v1/calls/{id}/retry", a.auth(a.retryCall))

	mux.Handle("POST /api/v1/orders", a.auth(a.placeOrder))
	mux.Handle("GET /api/v1/orders", a.auth(a.listOrders))
	mux.Handle("GET /api/v1/orders/{id}", a.auth(a.getOrder))
	mux.Handle("POST /api/v1/orders/{id}/cancel", a.auth(a.cancelRenewal))
	mux.Handle("GET /api/v1/instances", a.auth(a.listInstances))
	mux.Handle("GET /api/v1/instances/{key}", a.auth(a.getInstance))
	mux.Handle("POST /api/v1/instances/{key}/renew", a.auth(a.changeInstance(a.Orders.Renew)))
	mux.Handle("POST /api/v1/instances/{key}/upgrade", a.auth(a.changeInstance(a.Orders.Upgrade)))
	mux.Handle("POST /api/v1/instances/{key}/convert", a.auth(a.changeInstance(a.Orders.ConvertTrial)))
	a.registerBilling(mux)
	a.registerLicenses(mux)
	a.registerCloud(mux)
	a.registerAssets(mux)
	a.registerEnterprises(mux)
	a.registerOrderExtras(mux)
	a.registerSeller(mux)
	a.registerApplications(mux)
	a.registerAfterSale(mux)
	a.registerSandbox(mux)
	a.registerDeploy(mux)
	mux.Handle(Prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { unrouted(mux, w, r) }))
}

// unrouted answers a request no route took: 405 with Allow when the path exists under other
// methods, 404 otherwise, both in the API's error shape.
func unrouted(mux Mux, w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != Prefix {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, market.Errorf(market.CodeMethod, "%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allowed, " or ")))
		return
	}
	writeError(w, market.Errorf(market.CodeNotFound, "no API endpoint %s %s (docs/api.md lists them)", r.Method, r.URL.Path))
}

// auth authenticates the bearer token into a viewer; what the viewer may do is the services'
// to decide. A missing or unknown token is 401 everywhere.
func (a *API) auth(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkURLText(r); err != nil {
			writeError(w, err)
			return
		}
		if !a.Limiter.Allow(r) {
			writeError(w, market.Errorf(market.CodeTooMany, "too many failed authentications from this address; wait a minute"))
			return
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			writeError(w, market.Errorf(market.CodeUnauthorized, "a bearer token is required (Authorization: Bearer <token>)"))
			return
		}
		v, err := a.Identity.Authenticate(r.Context(), token)
		if err != nil {
			if market.ErrorCode(err) == market.CodeUnauthorized {
				a.Limiter.Failed(r)
			}
			a.fail(w, r, err)
			return
		}
		if err := h(w, r, v); err != nil {
			a.fail(w, r, err)
		}
	})
}

// fail answers err, logging what is the server's fault.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if market.ErrorCode(err) == market.CodeInternal {
		a.Log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, err)
}
