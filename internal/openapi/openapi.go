// Package openapi is KooGallery's open API for merchants, served by the marketplace: requests
// signed with an AK/SK (APIG SDK-HMAC-SHA256), answered in KooGallery's exact formats. A
// merchant's AK sees only that merchant's orders and instances.
package openapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/kgp"
)

// SdkDateWindow is how far X-Sdk-Date may be from the server's clock; Huawei's API gateway
// allows 15 minutes.
const SdkDateWindow = 15 * time.Minute

// Handler serves the open API. An authenticated AK is the viewer "seller of its merchant" for
// every service it calls.
type Handler struct {
	Clock    market.Clock
	Log      *slog.Logger
	Catalog  *catalog.Service
	Orders   *order.Service
	Usage    *metering.Service
	Licenses *license.Service

	keys keyCache // AK/SK pairs recently read
}

// Register adds the open API's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+kgp.PathOrderQuery, h.orderQuery)
	mux.HandleFunc("POST "+kgp.PathUsagePush, h.usagePush(false))
	mux.HandleFunc("POST "+kgp.PathUsagePushOld, h.usagePush(true))
	h.registerLicenses(mux)
	h.registerEvents(mux)
}

// authenticate verifies the APIG signature of r over body and returns the caller's key. The
// signature's timestamp is checked against the wall clock: it is transport time, not business
// time.
func (h *Handler) authenticate(r *http.Request, body []byte) (*market.APIKey, kgp.ErrorCode, string) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return nil, kgp.MKTIllegalToken, "Authorization header missing"
	}
	a, err := kgp.ParseAPIGAuthorization(authz)
	if err != nil {
		return nil, kgp.MKTIllegalToken, err.Error()
	}
	if err := kgp.CheckSdkDate(r.Header.Get(kgp.HeaderSdkDate), time.Now(), SdkDateWindow); err != nil {
		return nil, kgp.MKTIllegalToken, err.Error()
	}
	key, err := h.apiKey(r.Context(), a.Access)
	if err != nil {
		return nil, kgp.MKTIllegalToken, "unknown access key"
	}
	req := &kgp.APIGRequest{Method: r.Method, URL: r.URL, Host: r.Host, Header: r.Header, Body: body}
	if err := kgp.VerifyAPIG(key.SK, a, req); err != nil {
		return nil, kgp.MKTIllegalToken, "signature does not match"
	}
	return key, "", ""
}

// writeJSON writes v with the HTTP status of code, without HTML escaping (KooGallery's Java
// serialiser does not escape < > &).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
