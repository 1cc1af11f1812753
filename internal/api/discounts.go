package api

import (
	"context"
	"net/http"
	"time"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/resale"
)

// Resale authorization discounts (rules §1.9), for a merchant's admins and finance users.

func (a *API) registerSellerDiscounts(mux Mux, s func(handlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/seller/discounts", s(a.listDiscounts))
	mux.Handle("POST /api/v1/seller/discounts", s(a.createDiscount))
	mux.Handle("PUT /api/v1/seller/discounts/{id}", s(a.modifyDiscount))
	mux.Handle("POST /api/v1/seller/discounts/{id}/authorize", s(a.discountAction(a.Resale.Authorize)))
	mux.Handle("POST /api/v1/seller/discounts/{id}/invalidate", s(a.discountAction(a.Resale.Invalidate)))
	mux.Handle("GET /api/v1/seller/discounts/effective", s(a.effectiveDiscount))
}

type discountView struct {
	ID         string `json:"id"`
	ProductID  string `json:"product_id"`
	Level      string `json:"level"`
	PartnerID  string `json:"partner_id,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	Discount   int64  `json:"discount"`
	ValidFrom  string `json:"valid_from"`
	ValidTo    string `json:"valid_to"`
	State      string `json:"state"`
	Project    string `json:"project,omitempty"`
	UpdatedAt  string `json:"updated_at"`
}

func viewDiscount(d *market.ResaleDiscount) discountView {
	return discountView{d.ID, d.ProductID, d.Level, d.PartnerID, d.CustomerID, d.Discount, ts(d.ValidFrom), ts(d.ValidTo), d.State, d.Project, ts(d.UpdatedAt)}
}

func (a *API) listDiscounts(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	ds, err := a.Resale.Discounts(r.Context(), v, v.MerchantID, r.URL.Query().Get("product_id"))
	if err != nil {
		return err
	}
	out := views(ds, viewDiscount)
	writeJSON(w, http.StatusOK, map[string]any{"discounts": out})
	return nil
}

func (a *API) createDiscount(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req resale.Request
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := a.Resale.Create(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewDiscount(d))
	return nil
}

func (a *API) modifyDiscount(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req resale.Request
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := a.Resale.Modify(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewDiscount(d))
	return nil
}

func (a *API) discountAction(f func(ctx context.Context, v market.Viewer, id string) (*market.ResaleDiscount, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		d, err := f(r.Context(), v, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, viewDiscount(d))
		return nil
	}
}

func (a *API) effectiveDiscount(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := r.URL.Query()
	at := time.Now()
	if s := q.Get("at"); s != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, s); err != nil {
			return market.Invalid("at", "at is an RFC 3339 time, not %q", s)
		}
	}
	d, err := a.Resale.Effective(r.Context(), v, q.Get("product_id"), q.Get("partner_id"), q.Get("customer_id"), at)
	if err != nil {
		return err
	}
	if d == nil {
		return market.Errorf(market.CodeNotFound, "no discount applies")
	}
	writeJSON(w, http.StatusOK, viewDiscount(d))
	return nil
}
