package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// An order's market events (a title opened for the merchant to upload a file or characters to,
// and what it uploaded, always a download), and hardware shipments across buyers with their
// waybills' events: the order and hardware services, as /api/v1/orders/{id}/events and
// /api/v1/shipments.

func (c *Console) registerOperatorShipping(mux *http.ServeMux) {
	mux.Handle("POST /operator/orders/{id}/events", c.operatorRoute(c.operatorOpenEvent))
	mux.Handle("GET /operator/orders/{id}/events/{event}/content", c.operatorRoute(c.operatorEventContent))
	mux.Handle("GET /operator/shipments", c.operatorRoute(c.operatorShipments))
	mux.Handle("GET /operator/shipments/{key}", c.operatorRoute(c.operatorShipment))
}

func (c *Console) operatorOpenEvent(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.parseForm(w, r) {
		return
	}
	f := opForm(r)
	_, err := c.svc.Orders.OpenEvent(r.Context(), v, r.PathValue("id"), order.EventRequest{Title: strings.TrimSpace(f.Get("event_title"))})
	if err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.fail(w, r, err)
			return
		}
		c.opFailed(r, f, err, map[string]string{"title": "event_title"})
		c.renderOpOrder(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.backTo(w, r, "/operator/orders/"+url.PathEscape(r.PathValue("id")), "op.flash.event_opened")
}

// operatorEventContent downloads what the merchant uploaded to an event: a file or characters,
// always as an attachment of opaque bytes.
func (c *Console) operatorEventContent(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	e, b, err := c.svc.Orders.EventContent(r.Context(), v, r.PathValue("id"), r.PathValue("event"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	name := e.FileName
	switch e.Kind {
	case market.EventFile:
	case market.EventCharacters:
		name = e.ID + ".txt"
	default:
		c.errorPage(w, r, http.StatusNotFound, "error.code.not_found")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", "attachment; filename="+strconv.Quote(name))
	h.Set("Cache-Control", "no-store")
	w.Write(b)
}

var opShipmentStates = []market.ShipmentState{market.ShipmentAwaiting, market.ShipmentShipped, market.ShipmentSigned, market.ShipmentCancelled}

func (c *Console) operatorShipments(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	q := r.URL.Query()
	buyer, merchant := strings.TrimSpace(q.Get("buyer")), strings.TrimSpace(q.Get("merchant"))
	state := opOneOf(q.Get("state"), opShipmentStates)
	list, next, err := c.svc.Hardware.Shipments(r.Context(), v, store.ShipmentFilter{BuyerID: buyer, MerchantID: merchant, State: state, Page: pageOf(r, 30)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.ship.title")
	view.Nav = "op-shipments"
	view.Data = map[string]any{"Shipments": list, "Next": nextLink(r, next), "Buyer": buyer, "Merchant": merchant, "State": string(state),
		"States": opChips(r, "state", opShipmentStates, state)}
	c.render(w, r, http.StatusOK, "operator_shipments", view)
}

func (c *Console) operatorShipment(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	s, events, err := c.svc.Hardware.Shipment(r.Context(), v, r.PathValue("key"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "op.ship.one")
	view.Title = s.InstanceKey
	view.Nav = "op-shipments"
	view.Data = map[string]any{"S": s, "Events": events}
	c.render(w, r, http.StatusOK, "operator_shipment", view)
}
