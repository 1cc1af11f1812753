// Package api is the marketplace's JSON API for operators and buyers (docs/api.md): bearer
// tokens, JSON in and out, errors as {"error":{"code","message"}}. Operators manage merchants,
// the catalog and buyers and see every interface message; buyers place and change their own
// orders and see their instances' login information.
package api

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/billing"
	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/cloud"
	"github.com/mercato-oss/mercato/internal/fulfil"
	"github.com/mercato-oss/mercato/internal/identity"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
)

// API serves /api/v1. It reads and acts only through the services, which decide from the
// caller's market.Viewer what it may see and do.
type API struct {
	Catalog       *catalog.Service
	Identity      *identity.Service
	Orders        *order.Service
	Calls         *fulfil.Dispatcher
	Metering      *metering.Service
	Billing       *billing.Service
	Licenses      *license.Service
	Cloud         *cloud.Service
	OperatorToken string
	Log           *slog.Logger
}

// maxBody bounds JSON request bodies.
const maxBody = 1 << 20

type handlerFunc func(w http.ResponseWriter, r *http.Request, v market.Viewer) error

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	op, any := a.auth(true), a.auth(false)
	mux.Handle("POST /api/v1/merchants", op(a.createMerchant))
	mux.Handle("GET /api/v1/merchants", op(a.listMerchants))
	mux.Handle("GET /api/v1/merchants/{id}", op(a.getMerchant))
	mux.Handle("POST /api/v1/merchants/{id}/keys", op(a.issueKey))
	mux.Handle("POST /api/v1/products", op(a.createProduct))
	mux.Handle("GET /api/v1/catalog", any(a.listCatalog))
	mux.Handle("POST /api/v1/buyers", op(a.createBuyer))
	mux.Handle("GET /api/v1/calls", op(a.listCalls))
	mux.Handle("GET /api/v1/calls/{id}", op(a.getCall))
	mux.Handle("POST /api/v1/calls/{id}/restart", op(a.restartCall))

	mux.Handle("POST /api/v1/orders", any(a.placeOrder))
	mux.Handle("GET /api/v1/orders", any(a.listOrders))
	mux.Handle("GET /api/v1/orders/{id}", any(a.getOrder))
	mux.Handle("POST /api/v1/orders/{id}/cancel", any(a.cancelRenewal))
	mux.Handle("GET /api/v1/instances", any(a.listInstances))
	mux.Handle("GET /api/v1/instances/{key}", any(a.getInstance))
	mux.Handle("POST /api/v1/instances/{key}/renew", any(a.changeInstance(a.Orders.Renew)))
	mux.Handle("POST /api/v1/instances/{key}/upgrade", any(a.changeInstance(a.Orders.Upgrade)))
	mux.Handle("POST /api/v1/instances/{key}/convert", any(a.changeInstance(a.Orders.ConvertTrial)))
	mux.Handle("POST /api/v1/instances/{key}/unsubscribe", any(a.unsubscribe))
	a.registerBilling(mux, op, any)
	a.registerLicenses(mux, any)
	a.registerCloud(mux, any)
}

// auth authenticates the bearer token: the operator's, or (unless operatorOnly) a buyer's.
func (a *API) auth(operatorOnly bool) func(handlerFunc) http.Handler {
	return func(h handlerFunc) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			var v market.Viewer
			switch {
			case !ok || token == "":
				writeError(w, market.Errorf(market.CodeUnauthorized, "a bearer token is required"))
				return
			case a.OperatorToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(a.OperatorToken)) == 1:
				v = market.AsOperator()
			case operatorOnly:
				writeError(w, market.Errorf(market.CodeForbidden, "operator token required"))
				return
			default:
				b, err := a.Identity.BuyerByToken(r.Context(), token)
				if err != nil {
					writeError(w, err)
					return
				}
				v = market.AsBuyer(b.CustomerID)
			}
			if err := h(w, r, v); err != nil {
				if market.ErrorCode(err) == market.CodeInternal {
					a.Log.Error("api", "method", r.Method, "path", r.URL.Path, "err", err)
				}
				writeError(w, err)
			}
		})
	}
}

// decode reads a bounded JSON body into v, rejecting unknown fields and trailing data.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return market.Errorf(market.CodeInvalid, "request body: %v", err)
	}
	if dec.More() {
		return market.Errorf(market.CodeInvalid, "request body: trailing data")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

var statusOf = map[market.Code]int{
	market.CodeInvalid:      http.StatusBadRequest,
	market.CodeNotFound:     http.StatusNotFound,
	market.CodeConflict:     http.StatusConflict,
	market.CodeUnauthorized: http.StatusUnauthorized,
	market.CodeForbidden:    http.StatusForbidden,
	market.CodeUnavailable:  http.StatusServiceUnavailable,
	market.CodeInternal:     http.StatusInternalServerError,
}

func writeError(w http.ResponseWriter, err error) {
	code := market.ErrorCode(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code = market.CodeInvalid
	}
	writeJSON(w, statusOf[code], map[string]any{"error": map[string]string{"code": string(code), "message": market.ErrorMessage(err)}})
}

// limit reads ?limit=, 1 to 500 (default 100).
func limit(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n < 1 {
		return 100
	}
	return min(n, 500)
}
