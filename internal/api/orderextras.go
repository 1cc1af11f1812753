package api

import (
	"net/http"
	"strconv"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
)

// Order notification settings of products, and market events of orders.

func (a *API) registerOrderExtras(mux Mux) {
	mux.Handle("PUT /api/v1/products/{id}/order-notify", a.auth(a.setOrderNotify))
	mux.Handle("GET /api/v1/products/{id}/order-notify", a.auth(a.getOrderNotify))
	mux.Handle("POST /api/v1/orders/{id}/events", a.auth(a.openEvent))
	mux.Handle("GET /api/v1/orders/{id}/events", a.auth(a.listEvents))
	mux.Handle("GET /api/v1/orders/{id}/events/{event}/content", a.auth(a.eventContent))
}

func (a *API) setOrderNotify(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req struct {
		Enabled bool `json:"enabled"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := a.Orders.SetOrderNotify(r.Context(), v, r.PathValue("id"), req.Enabled); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": req.Enabled})
	return nil
}

func (a *API) getOrderNotify(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	on, err := a.Orders.OrderNotify(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": on})
	return nil
}

type eventView struct {
	ID         string `json:"id"`
	OrderID    string `json:"order_id"`
	Title      string `json:"title"`
	Kind       string `json:"kind,omitempty"`
	FileName   string `json:"file_name,omitempty"`
	SHA256     string `json:"sha256,omitempty"`
	Size       int64  `json:"size,omitempty"`
	UploadedAt string `json:"uploaded_at,omitempty"`
	CreatedAt  string `json:"created_at"`
	// UploadPath is where the merchant uploads (the open API).
	UploadPath string `json:"upload_path"`
}

func viewEvent(e *market.MarketEvent) eventView {
	return eventView{e.ID, e.OrderID, e.Title, e.Kind, e.FileName, e.SHA256, e.Size, ts(e.UploadedAt), ts(e.CreatedAt),
		"/api/mkp-openapi-public/global/v1/market-event/" + e.ID + "/file"}
}

func (a *API) openEvent(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req order.EventRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := a.Orders.OpenEvent(r.Context(), v, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewEvent(e))
	return nil
}

func (a *API) listEvents(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	list, err := a.Orders.Events(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": views(list, viewEvent)})
	return nil
}

// eventContent answers what was uploaded: the file as an attachment, or the characters as text.
func (a *API) eventContent(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	e, b, err := a.Orders.EventContent(r.Context(), v, r.PathValue("id"), r.PathValue("event"))
	if err != nil {
		return err
	}
	switch e.Kind {
	case market.EventFile:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(e.FileName))
	case market.EventCharacters:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	default:
		return market.Errorf(market.CodeNotFound, "nothing was uploaded to market event %s yet", e.ID)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
	return nil
}
