package api

import (
	"context"
	"net/http"

	"github.com/mercato-oss/mercato/internal/market"
	"github.com/mercato-oss/mercato/internal/order"
	"github.com/mercato-oss/mercato/internal/store"
)

// Buyer endpoints: orders and instances. The operator may read them all; only a buyer places
// and changes orders.

// IdempotencyKeyHeader makes POST /api/v1/orders and instance changes safe to retry.
const IdempotencyKeyHeader = "Idempotency-Key"

func idempotencyKey(r *http.Request) (string, error) {
	k := r.Header.Get(IdempotencyKeyHeader)
	if len(k) > 128 {
		return "", market.Invalid(IdempotencyKeyHeader, "%s is at most 128 characters", IdempotencyKeyHeader)
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return "", market.Invalid(IdempotencyKeyHeader, "%s is printable ASCII without spaces", IdempotencyKeyHeader)
		}
	}
	return k, nil
}

func (a *API) placeOrder(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	var req order.PurchaseRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var err error
	if req.IdempotencyKey, err = idempotencyKey(r); err != nil {
		return err
	}
	o, err := a.Orders.Purchase(r.Context(), v, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}

func (a *API) listOrders(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	f := store.OrderFilter{BuyerID: q.q.Get("buyer_id"), MerchantID: q.q.Get("merchant_id"), InstanceKey: q.q.Get("instance"), Page: page}
	os, next, err := a.Orders.Orders(r.Context(), v, f)
	if err != nil {
		return err
	}
	out := views(os, viewOrder)
	writeList(w, r, "orders", out, next)
	return nil
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	o, err := a.Orders.Order(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOrder(o))
	return nil
}

func (a *API) cancelRenewal(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	o, err := a.Orders.CancelRenewal(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewOrder(o))
	return nil
}

func (a *API) listInstances(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	q := query(r)
	page, err := q.page()
	if err != nil {
		return err
	}
	state, err := enum(q, "state", market.InstancePending, market.InstanceProvisioning, market.InstanceActive, market.InstanceFrozen,
		market.InstanceReleased, market.InstanceFailed)
	if err != nil {
		return err
	}
	f := store.InstanceFilter{BuyerID: q.q.Get("buyer_id"), MerchantID: q.q.Get("merchant_id"), OrderID: q.q.Get("order_id"), State: state, Page: page}
	ins, next, err := a.Orders.Instances(r.Context(), v, f)
	if err != nil {
		return err
	}
	out := make([]instanceView, len(ins))
	for i, in := range ins {
		info, err := a.Orders.AppInfo(r.Context(), v, in)
		out[i] = viewInstance(in, info, err)
	}
	w.Header().Set("Cache-Control", "no-store") // the instances carry their login credentials
	writeList(w, r, "instances", out, next)
	return nil
}

func (a *API) getInstance(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
	in, err := a.Orders.Instance(r.Context(), v, r.PathValue("key"))
	if err != nil {
		return err
	}
	info, err := a.Orders.AppInfo(r.Context(), v, in)
	writeSecret(w, http.StatusOK, viewInstance(in, info, err)) // it carries the login credentials
	return nil
}

// changeInstance serves renew, upgrade and convert, which share a request shape.
func (a *API) changeInstance(f func(ctx context.Context, v market.Viewer, key string, req order.ChangeRequest) (*market.Order, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, v market.Viewer) error {
		var req order.ChangeRequest
		if err := decode(w, r, &req); err != nil {
			return err
		}
		var err error
		if req.IdempotencyKey, err = idempotencyKey(r); err != nil {
			return err
		}
		o, err := f(r.Context(), v, r.PathValue("key"), req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, viewOrder(o))
		return nil
	}
}
