package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/renewal"
	"github.com/mercato-oss/mercato/internal/store"
)

// Expiry policies, buyers' messages, purchase limits and trial access.

func (a *API) registerRenewal(mux Mux) {
	mux.Handle("PUT /api/v1/instances/{key}/expiry-policy", a.auth(a.setPolicy))
	mux.Handle("GET /api/v1/instances/{key}/expiry-policy", a.auth(a.getPolicy))
	mux.Handle("GET /api/v1/messages", a.auth(a.listMessages))
	mux.Handle("POST /api/v1/messages/{id}/read", a.auth(a.readMessage))
	mux.Handle("PUT /api/v1/specs/{sku}/purchase-limit", a.auth(a.setLimit))
	mux.Handle("GET /api/v1/specs/{sku}/purchase-limit", a.auth(a.getLimit))
	mux.Handle("PUT /api/v1/products/{id}/trial-access", a.auth(a.setTrialAccess))
	mux.Handle("PUT /api/v1/products/{id}/trial-whitelist/{buyer}", a.auth(a.whitelist(true)))
	mux.Handle("DELETE /api/v1/products/{id}/trial-whitelist/{buyer}", a.auth(a.whitelist(false)))
}

// limitRequest sets a spec's purchase limit.
type limitRequest struct {
	PerUser     int  `json:"per_user"`
	UntilExpiry bool `json:"until_expiry,omitempty"`
}

// trialAccessRequest restricts a product's trials (one spec's, or all) to whitelisted buyers.
type trialAccessRequest struct {
	SkuCode    string `json:"sku_code,omitempty"`
	Restricted bool   `json:"restricted"`
}

func (a *API) setPolicy(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req renewal.PolicyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := a.Renewal.SetPolicy(r.Context(), v, r.PathValue("key"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewRenewal(p))
	return nil
}

func (a *API) getPolicy(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	p, err := a.Renewal.Policy(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewRenewal(p))
	return nil
}

func (a *API) listMessages(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	unread, err := enum(q, "unread", "true", "false")
	if err != nil {
		return err
	}
	list, next, err := a.Inbox.Messages(r.Context(), v, store.MessageFilter{BuyerID: q.q.Get("buyer_id"), Unread: unread == "true", Page: page})
	if err != nil {
		return err
	}
	out := views(list, viewMessage)
	writeList(w, r, "messages", out, next)
	return nil
}

func (a *API) readMessage(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	if err := a.Inbox.MarkRead(r.Context(), v, r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id")})
	return nil
}

func writeLimit(w http.ResponseWriter, l market.PurchaseLimit) {
	writeJSON(w, http.StatusOK, map[string]any{"sku_code": l.SkuCode, "per_user": l.PerUser, "until_expiry": l.UntilExpiry})
}

func (a *API) setLimit(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req limitRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	l := market.PurchaseLimit{SkuCode: r.PathValue("sku"), PerUser: req.PerUser, UntilExpiry: req.UntilExpiry}
	if err := a.Orders.SetPurchaseLimit(r.Context(), v, l); err != nil {
		return err
	}
	writeLimit(w, l)
	return nil
}

func (a *API) getLimit(w http.ResponseWriter, r *http.Request, _ market.Viewer) error {
	l, err := a.Orders.PurchaseLimit(r.Context(), r.PathValue("sku"))
	if err != nil {
		return err
	}
	writeLimit(w, l)
	return nil
}

func (a *API) setTrialAccess(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req trialAccessRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.Orders.TrialAccess(r.Context(), v, r.PathValue("id"), req.SkuCode, req.Restricted); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, req)
	return nil
}

func (a *API) whitelist(on bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		if err := a.Orders.Whitelist(r.Context(), v, r.PathValue("id"), r.PathValue("buyer"), on); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"product_id": r.PathValue("id"), "buyer_id": r.PathValue("buyer"), "whitelisted": on})
		return nil
	}
}
