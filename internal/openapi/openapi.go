// Package openapi is KooGallery's open API for merchants, served by the marketplace: requests
// signed with an AK/SK (APIG SDK-HMAC-SHA256), answered in KooGallery's exact formats. A
// merchant's AK sees only that merchant's orders and instances.
package openapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mercato-oss/mercato/internal/catalog"
	"github.com/mercato-oss/mercato/internal/license"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/metering"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/kgp"
	"golang.org/x/time/rate"
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

	keys     keyCache      // AK/SK pairs recently read
	logLimit *rate.Limiter // failed authentications logged per second
	failures atomic.Int64  // failed authentications not logged yet
}

// Register adds the open API's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	h.logLimit = rate.NewLimiter(1, 1)
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
	a, key, why := h.precheck(r)
	if key == nil {
		return nil, kgp.MKTIllegalToken, why
	}
	req := &kgp.APIGRequest{Method: r.Method, URL: r.URL, Host: r.Host, Header: r.Header, Body: body}
	if err := kgp.VerifyAPIG(key.SK, a, req); err != nil {
		return nil, kgp.MKTIllegalToken, "signature does not match"
	}
	return key, "", ""
}

// precheck checks everything of the APIG signature that does not need the body — the header's
// form, the date, a known AK, and that a request with a body signs it — so that a request that
// cannot pass is refused before its body is read.
func (h *Handler) precheck(r *http.Request) (kgp.APIGAuthorization, *market.APIKey, string) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return kgp.APIGAuthorization{}, nil, "Authorization header missing"
	}
	a, err := kgp.ParseAPIGAuthorization(authz)
	if err != nil {
		return a, nil, err.Error()
	}
	if err := kgp.CheckSdkDate(r.Header.Get(kgp.HeaderSdkDate), time.Now(), SdkDateWindow); err != nil {
		return a, nil, err.Error()
	}
	// A body left out of the signature could be anything: a replayed push with another value.
	if r.Method != http.MethodGet && r.Header.Get(kgp.HeaderSdkContentSHA256) == kgp.UnsignedPayload {
		return a, nil, "X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is refused: sign the body"
	}
	key, err := h.apiKey(r.Context(), a.Access)
	if err != nil {
		return a, nil, "unknown access key"
	}
	return a, key, ""
}

// authFailed logs a failed authentication, at most once a second: an attacker's flood must not
// become a flood of log lines. The lines it holds back are counted in the next.
func (h *Handler) authFailed(r *http.Request, why string) {
	h.failures.Add(1)
	if !h.logLimit.Allow() {
		return
	}
	h.Log.Info("open API authentication failed", "path", r.URL.Path, "remote", r.RemoteAddr, "why", why, "failures_since_last_line", h.failures.Swap(0))
}

// textError says which query parameter of r holds what no field may (a NUL, invalid UTF-8).
func textError(r *http.Request) string {
	for name, values := range r.URL.Query() {
		for _, v := range values {
			if err := kgp.CheckText(name, v); err != nil {
				return name + ": " + strings.TrimPrefix(err.Error(), "kgp: "+name+": ")
			}
		}
	}
	return ""
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
