package api

import (
	"net/http"

	"github.com/mercato-oss/mercato/internal/hardware"
	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/store"
)

// Hardware: stock, shipments, waybill events.

func (a *API) registerHardware(mux Mux) {
	mux.Handle("PUT /api/v1/specs/{sku}/stock", a.auth(a.setStock))
	mux.Handle("GET /api/v1/specs/{sku}/stock", a.auth(a.getStock))
	mux.Handle("GET /api/v1/shipments", a.auth(a.listShipments))
	mux.Handle("GET /api/v1/shipments/{key}", a.auth(a.getShipment))
	mux.Handle("PUT /api/v1/shipments/{key}/address", a.auth(a.setAddress))
	mux.Handle("POST /api/v1/shipments/{key}/ship", a.auth(a.ship))
	mux.Handle("POST /api/v1/waybills/{carrier}/{number}/events", a.auth(a.trackWaybill))
}

type stockView struct {
	SkuCode       string `json:"sku_code"`
	MerchantID    string `json:"merchant_id"`
	Quantity      int    `json:"quantity"`
	ReturnAddress string `json:"return_address"`
}

// addressRequest is where the goods go.
type addressRequest struct {
	Address string `json:"address"`
}

func writeStock(w http.ResponseWriter, st *market.Stock, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stockView{st.SkuCode, st.MerchantID, st.Quantity, st.ReturnAddress})
	return nil
}

func (a *API) setStock(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req hardware.StockRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	st, err := a.Hardware.SetStock(r.Context(), v, r.PathValue("sku"), req)
	return writeStock(w, st, err)
}

func (a *API) getStock(w http.ResponseWriter, r *http.Request, _ market.Viewer) error {
	st, err := a.Hardware.Stock(r.Context(), r.PathValue("sku"))
	return writeStock(w, st, err)
}

func (a *API) listShipments(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.ShipmentAwaiting, market.ShipmentShipped, market.ShipmentSigned, market.ShipmentCancelled)
	if err != nil {
		return err
	}
	list, next, err := a.Hardware.Shipments(r.Context(), v, store.ShipmentFilter{BuyerID: q.q.Get("buyer_id"), MerchantID: q.q.Get("merchant_id"), State: state, Page: page})
	if err != nil {
		return err
	}
	out := make([]shipmentView, len(list))
	for i, s := range list {
		out[i] = viewShipment(s, nil)
	}
	writeList(w, r, "shipments", out, next)
	return nil
}

func (a *API) getShipment(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	s, events, err := a.Hardware.Shipment(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewShipment(s, events))
	return nil
}

func writeShipment(w http.ResponseWriter, s *market.Shipment, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewShipment(s, nil))
	return nil
}

func (a *API) setAddress(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req addressRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s, err := a.Hardware.SetAddress(r.Context(), v, r.PathValue("key"), req.Address)
	return writeShipment(w, s, err)
}

func (a *API) ship(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req hardware.ShipRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	s, err := a.Hardware.Ship(r.Context(), v, r.PathValue("key"), req)
	return writeShipment(w, s, err)
}

func (a *API) trackWaybill(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req hardware.EventRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, err := a.Hardware.Track(r.Context(), v, r.PathValue("carrier"), r.PathValue("number"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewWaybillEvent(*e))
	return nil
}
