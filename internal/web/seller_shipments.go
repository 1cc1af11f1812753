package web

import (
	"net/http"
	"strings"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Hardware shipments (rules §3.3): the goods of each hardware order line, shipped with a carrier
// and waybill once the buyer has given an address, then followed by the waybill's events.

func (c *Console) registerSellerShipments(mux *http.ServeMux) {
	mux.Handle("GET /seller/shipments", c.sellerRoute(c.sellerShipments))
	mux.Handle("GET /seller/shipments/{key}", c.sellerRoute(c.sellerShipment))
	mux.Handle("POST /seller/shipments/{key}/ship", c.sellerRoute(c.sellerShip))
}

var shipmentStates = []market.ShipmentState{market.ShipmentAwaiting, market.ShipmentShipped, market.ShipmentSigned, market.ShipmentCancelled}

func (c *Console) sellerShipments(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	state := market.ShipmentState(r.URL.Query().Get("state"))
	found := state == ""
	for _, s := range shipmentStates {
		found = found || s == state
	}
	if !found {
		state = ""
	}
	list, next, err := c.svc.Hardware.Shipments(r.Context(), v, store.ShipmentFilter{State: state, Page: pageOf(r, 20)})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.shipments.title")
	view.Nav = "seller/shipments"
	view.Data = map[string]any{"Shipments": list, "Next": nextLink(r, next), "State": string(state), "States": shipmentStates}
	c.render(w, r, http.StatusOK, "seller_shipments", view)
}

func (c *Console) sellerShipment(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	c.renderSellerShipment(w, r, v, http.StatusOK, nil)
}

func (c *Console) renderSellerShipment(w http.ResponseWriter, r *http.Request, v market.Viewer, status int, f *form) {
	s, events, err := c.svc.Hardware.Shipment(r.Context(), v, r.PathValue("key"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	view := c.newView(r, "seller.shipment.title")
	view.Title = s.InstanceKey
	view.Nav = "seller/shipments"
	view.Form = f
	view.Data = map[string]any{"S": s, "Events": events, "Shippable": s.State == market.ShipmentAwaiting}
	c.render(w, r, status, "seller_shipment", view)
}

// sellerShip records the goods shipped with their carrier and waybill.
func (c *Console) sellerShip(w http.ResponseWriter, r *http.Request, v market.Viewer) {
	if !c.sellerParse(w, r, 4<<10) {
		return
	}
	f := newForm(r)
	key := r.PathValue("key")
	_, err := c.svc.Hardware.Ship(r.Context(), v, key, hardware.ShipRequest{Carrier: strings.TrimSpace(f.Get("carrier")), Waybill: strings.TrimSpace(f.Get("waybill"))})
	if err != nil {
		if market.ErrorCode(err) != market.CodeInvalid {
			c.sellerRefused(w, r, err, "/seller/shipments/"+esc(key))
			return
		}
		f.Failed(c.sellerLocale(r), err, map[string]string{"carrier": "seller_carrier", "waybill": "seller_waybill", "": "seller_waybill"})
		c.renderSellerShipment(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	c.sellerDone(w, r, "seller.flash.shipped", "/seller/shipments/"+esc(key))
}
